"""The actor registry exchanged as CSV and JSON: a round trip between projects, the merge rules
for a registry that has actors already, and hostile files refused whole, naming the line."""

import csv
import io
import json

import pytest

from annotations.actor_registry import (
    RegistryRejected,
    registry_export,
    registry_import,
)
from annotations.models import Actor
from tests.factories import ActorFactory, ProjectFactory


@pytest.fixture
def registry(project):
    """Russia (a Wikidata QID), the Kremlin and Peskov affiliated in a chain, NATO with
    aliases, and names a spreadsheet would run as formulas."""
    russia = ActorFactory(
        project=project, name="Russia", kind="state", external_id="Q159", description="A state."
    )
    kremlin = ActorFactory(
        project=project, name="Kremlin", kind="government_body", affiliation=russia
    )
    ActorFactory(project=project, name="Dmitry Peskov", kind="person", affiliation=kremlin)
    nato = ActorFactory(project=project, name="NATO", kind="international_organisation")
    for alias in ("the Alliance", "OTAN", "北约"):
        nato.aliases.create(name=alias)
    formula = ActorFactory(project=project, name='=HYPERLINK("x")', description="-1+2")
    formula.aliases.create(name="@SUM(A1)")
    formula.aliases.create(name="'=quoted")
    return project


def rejection(project, name, data):
    with pytest.raises(RegistryRejected) as caught:
        registry_import(project=project, filename=name, data=data)
    return caught.value


@pytest.mark.parametrize("format", ["csv", "json"])
def test_an_export_imported_into_another_project_gives_the_same_registry(registry, format):
    data = registry_export(project=registry, format=format)
    other = ProjectFactory()
    report = registry_import(project=other, filename=f"actors.{format}", data=data)
    assert len(report.created) == 5
    assert other.actors.registry_entries() == registry.actors.registry_entries()
    peskov = other.actors.get(name="Dmitry Peskov")
    assert [a.name for a in peskov.affiliation_chain()] == ["Kremlin", "Russia"]
    # Importing the same file again changes nothing.
    again = registry_import(project=other, filename=f"actors.{format}", data=data)
    assert (again.created, again.updated, again.unchanged) == ([], [], 5)
    assert other.actors.registry_entries() == registry.actors.registry_entries()


@pytest.mark.parametrize("format", ["csv", "json"])
def test_a_description_with_line_separators_travels_and_json_lines_stay_whole(project, format):
    text = "Line one.\nLine\u2028two.\u2029Three\u0085four."
    ActorFactory(project=project, name="NATO", description=text)
    data = registry_export(project=project, format=format)
    if format == "json":
        assert len(data.decode().splitlines()) == 3  # "[", the actor, "]"
    other = ProjectFactory()
    registry_import(project=other, filename=f"r.{format}", data=data)
    assert other.actors.get().description == text


def test_the_csv_export_neutralises_cells_a_spreadsheet_would_run(registry):
    text = registry_export(project=registry, format="csv").decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    formula = next(row for row in rows if "HYPERLINK" in row["name"])
    assert formula["name"] == '\'=HYPERLINK("x")'
    assert formula["description"] == "'-1+2"
    assert formula["aliases"] == "''=quoted\n@SUM(A1)"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    nato = next(row for row in rows if row["name"] == "NATO")
    assert nato["aliases"].split("\n") == ["OTAN", "the Alliance", "北约"]
    russia = next(row for row in rows if row["name"] == "Russia")
    assert (russia["kind"], russia["external_id"]) == ("state", "Q159")
    assert next(row for row in rows if row["name"] == "Kremlin")["affiliation"] == "Russia"


def test_the_json_export_is_one_actor_per_line(registry):
    text = registry_export(project=registry, format="json").decode()
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert len(lines) == 7
    assert json.loads(text)[3] == {
        "name": "NATO",
        "kind": "international_organisation",
        "aliases": ["OTAN", "the Alliance", "北约"],
        "affiliation": None,
        "external_id": "",
        "description": "",
    }


def test_a_csv_from_a_spreadsheet_with_bom_crlf_and_label_kinds_imports(project):
    data = (
        "\ufeffName,Kind,Aliases,Affiliation,External_id\r\n"
        'Hamas,Armed group,"Harakat al-Muqawama\r\nḤamās",,Q38799\r\n'
        "Ismail Haniyeh,person,,hamas,\r\n"
    ).encode()
    report = registry_import(project=project, filename="list.csv", data=data)
    assert report.created == ["Hamas", "Ismail Haniyeh"]
    hamas = project.actors.get(name="Hamas")
    assert hamas.kind == "armed_group" and hamas.external_id == "Q38799"
    assert sorted(hamas.aliases.values_list("name", flat=True)) == [
        "Harakat al-Muqawama",
        "Ḥamās",
    ]
    assert project.actors.get(name="Ismail Haniyeh").affiliation == hamas


def test_it_merges_into_a_registry_by_external_id_and_name_filling_only_gaps(project):
    russia = ActorFactory(project=project, name="Russia", kind="state", external_id="Q159")
    nato = ActorFactory(project=project, name="NATO", kind="other")  # kind "other": not said yet
    nato.aliases.create(name="OTAN")
    data = json.dumps(
        [
            {"name": "Russian Federation", "kind": "state", "external_id": "Q159"},
            {"name": "nato", "kind": "international_organisation", "aliases": ["the Alliance"]},
            {"name": "Kremlin", "kind": "government_body", "affiliation": "Russian Federation"},
        ]
    ).encode()
    report = registry_import(project=project, filename="more.json", data=data)
    assert report.created == ["Kremlin"]
    assert sorted(report.updated) == ["NATO", "Russia"]
    russia.refresh_from_db()
    nato.refresh_from_db()
    assert russia.name == "Russia"  # the project's canonical name stays
    assert list(russia.aliases.values_list("name", flat=True)) == ["Russian Federation"]
    assert nato.kind == "international_organisation"
    assert sorted(nato.aliases.values_list("name", flat=True)) == ["OTAN", "the Alliance"]
    assert project.actors.get(name="Kremlin").affiliation == russia


def test_conflicting_kind_external_id_and_affiliation_are_reported_per_line(project):
    russia = ActorFactory(project=project, name="Russia", kind="state", external_id="Q159")
    ActorFactory(project=project, name="Ukraine", kind="state")
    ActorFactory(project=project, name="Kremlin", kind="government_body", affiliation=russia)
    data = (
        b"name,kind,affiliation,external_id\n"
        b"Russia,person,,\n"
        b"Kremlin,,Ukraine,\n"
        b"Ukraine,,,Q159\n"
        b"Belarus,state,,\n"
    )
    error = rejection(project, "conflicts.csv", data)
    lines = dict(error.problems)
    assert sorted(lines) == [2, 3, 4]
    assert "kind: the file says 'person' but the project's actor 'Russia' has 'state'" in lines[2]
    assert "affiliation: the file says 'Ukraine'" in lines[3] and "'Russia'" in lines[3]
    assert "external id 'Q159' is 'Russia''s" in lines[4]
    assert str(error).startswith("conflicts.csv, line 2: kind: the file says")
    assert not project.actors.filter(name="Belarus").exists()  # all or nothing


def test_aliases_that_name_another_actor_are_refused(project):
    russia = ActorFactory(project=project, name="Russia")
    russia.aliases.create(name="Moscow")
    data = (
        "name,aliases\n"
        "Kremlin,moscow\n"  # another actor's alias, whatever its case
        'Peskov,"Dmitry Peskov\nDima"\n'
        "Dmitry Sergeyevich,DIMA\n"  # an alias of the line above
        'Russia,"Россия\nRossiya\nRossiya"\n'  # a repeated alias is kept once
        "moscow,\n"  # a name that is another actor's alias
    ).encode()
    error = rejection(project, "aliases.csv", data)
    lines = dict(error.problems)
    # Lines as a CSV reader counts them: a quoted cell may hold line breaks.
    assert sorted(lines) == [2, 5, 9]
    assert "'moscow' is already a name or alias of the project's actor 'Russia'" in lines[2]
    assert "'DIMA' is already a name or alias of 'Peskov' on line 3" in lines[5]
    assert "'moscow' is an alias of the project's actor 'Russia'" in lines[9]
    assert project.actors.count() == 1


def test_unknown_self_and_cyclic_affiliations_are_refused(project):
    a = ActorFactory(project=project, name="A")
    ActorFactory(project=project, name="B", affiliation=a)
    data = json.dumps(
        [
            {"name": "C", "affiliation": "Nowhere"},
            {"name": "D", "affiliation": "d"},
            {"name": "E", "affiliation": "F"},
            {"name": "F", "affiliation": "E"},
            {"name": "A", "affiliation": "B"},
        ],
        indent=1,
    ).encode()
    error = rejection(project, "cycles.json", data)
    reasons = [reason for _, reason in error.problems]
    assert "the affiliation 'Nowhere' names no actor in the file or the project." in reasons
    assert "'D' cannot be its own affiliation." in reasons
    assert "the affiliations form a cycle: E → F → E." in reasons
    assert "the affiliations form a cycle: A → B → A." in reasons
    # Lines of the indented array: each actor starts on its own line.
    assert [line for line, _ in error.problems] == [2, 6, 10, 18]
    assert project.actors.count() == 2


@pytest.mark.parametrize(
    ("name", "data", "line", "reason"),
    [
        ("bad.csv", b"name,kind\nCaf\xe9,state\n", 2, "not valid UTF-8"),
        ("empty.csv", b"", None, "the file is empty"),
        ("nul.csv", b"name\nA\x00B\n", 2, "NUL"),
        ("header.csv", b"nom,type\nRussia,state\n", 1, "the header row must name the columns"),
        ("twice.csv", b"name,name\nA,B\n", 1, "each once"),
        ("cells.csv", b"name,kind\nRussia,state,extra\n", 2, "the row has 3 cells"),
        ("quote.csv", b'name,kind\n"Russia,state\n', 2, "malformed CSV"),
        ("kind.csv", b"name,kind\nRussia,country\n", 2, "unknown kind 'country'"),
        ("noname.csv", b"name,kind\n ,state\n", 2, "the actor has no name"),
        ("long.csv", b"name\n" + b"x" * 201 + b"\n", 2, "the limit is 200"),
        ("alias.csv", b'name,aliases\nA,"' + b"y" * 201 + b'"\n', 2, "the limit is 200"),
        ("id.csv", b"name,external_id\nA," + b"Q" * 101 + b"\n", 2, "the limit is 100"),
        ("desc.csv", b"name,description\nA," + b"d" * 10_001 + b"\n", 2, "the limit is 10000"),
        ("ctl.csv", b"name\nA\x1bB\n", 2, "control character (U+001B)"),
        ("dup.csv", b"name\nNATO\n nato \n", 3, "the same actor as line 2"),
        ("ids.csv", b"name,external_id\nA,Q1\nB,Q1\n", 3, "already on line 2"),
        ("nothing.csv", b"name,kind\n", None, "the file holds no actors"),
        ("what.txt", b"name\nA\n", None, "cannot tell the format"),
        ("bad.json", b'[\n{"name": "A"},\n]', 2, "malformed JSON"),
        ("deep.json", b"[" * 40 + b"]" * 40, None, "nested more than"),
        ("obj.json", b'{"name": "A"}', None, "a JSON array of actors"),
        ("item.json", b'[\n"A"\n]', 2, "actor 1 must be a JSON object"),
        ("field.json", b'[{"name": "A", "alias": ["B"]}]', 1, "unknown field(s) 'alias'"),
        ("type.json", b'[{"name": 7}]', 1, "'name' must be a string, not int"),
        ("list.json", b'[{"name": "A", "aliases": [1]}]', 1, "'aliases' must be a list"),
        ("sep.json", b'[{"name": "A\\u2028B"}]', 1, "line break"),
        ("surrogate.json", b'[{"name": "A\\ud800"}]', None, "lone surrogate"),
    ],
)
def test_hostile_files_are_refused_whole_naming_the_line(project, name, data, line, reason):
    ActorFactory(project=project, name="Existing")
    error = rejection(project, name, data)
    assert error.problems[0][0] == line, error.problems
    assert reason in error.problems[0][1], error.problems
    assert str(error).startswith(f"{name}, line {line}:" if line else f"{name}:")
    assert list(project.actors.values_list("name", flat=True)) == ["Existing"]


def test_a_rejection_lists_every_bad_line_up_to_a_limit(project):
    data = ("name,kind\n" + "".join(f"A{n},planet\n" for n in range(60))).encode()
    error = rejection(project, "many.csv", data)
    assert len(error.problems) == 60
    assert len(error.messages) == 51
    assert error.messages[-1] == "... and 10 more problems."


def test_it_writes_few_queries_for_a_large_file(project, django_assert_max_num_queries):
    rows = [
        {"name": f"Actor {n}", "aliases": [f"A{n}"], "affiliation": "Actor 0"}
        for n in range(1, 300)
    ]
    data = json.dumps([{"name": "Actor 0"}, *rows]).encode()
    with django_assert_max_num_queries(12):
        registry_import(project=project, filename="big.json", data=data)
    assert Actor.objects.filter(project=project, affiliation__name="Actor 0").count() == 299
