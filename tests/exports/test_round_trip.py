"""Export, import into a new project, export again: the same file."""

import orjson
import pytest

from annotations.exports import export
from annotations.exports.records import Selection
from annotations.importing import ImportRejected, import_articles
from annotations.models import Actor, Claim, Membership, ThreatAssessment
from annotations.services import project_add_defaults
from tests.factories import ProjectFactory

ANNOTATORS = Selection(sets="annotators")
CONTENT = ("id", "text", "title", "sha256", "spans", "claims", "threat_assessment", "metadata")


def new_project(source, slug, annotator, *, reviewer=None):
    project = ProjectFactory(slug=slug)
    project_add_defaults(project=project)
    for actor in Actor.objects.filter(project=source):
        Actor.objects.create(
            project=project, name=actor.name, kind=actor.kind, external_id=actor.external_id
        )
    Membership.objects.create(project=project, user=annotator, role="annotator")
    if reviewer is not None:
        Membership.objects.create(project=project, user=reviewer, role="reviewer")
    return project


def as_annotators_sets(data):
    """A gold export's lines with "gold" set to false: each an annotator's set to import."""
    return b"\n".join(
        orjson.dumps({**orjson.loads(line), "gold": False}) for line in data.splitlines()
    )


def exported(project, format, path, selection):
    [file] = export(project=project, format=format, stem=path, selection=selection)
    return file.read_bytes()


def test_it_round_trips_native_jsonl_with_claims_and_threat(gold_project, annotator, tmp_path):
    gold = exported(gold_project, "native", tmp_path / "gold", Selection())
    copy = new_project(gold_project, "copy", annotator)
    report = import_articles(
        project=copy,
        filename="gold.jsonl",
        data=as_annotators_sets(gold),
        format="native",
        annotator=annotator,
    )
    assert report.imported == 3
    assert Claim.objects.filter(annotation_set__article__project=copy).count() == 1
    assert ThreatAssessment.objects.filter(annotation_set__article__project=copy).count() == 1
    first = exported(copy, "native", tmp_path / "first", ANNOTATORS)
    before = [orjson.loads(line) for line in gold.splitlines()]
    after = [orjson.loads(line) for line in first.splitlines()]
    assert [{k: r[k] for k in CONTENT} for r in after] == [
        {k: r[k] for k in CONTENT} for r in before
    ]

    again = new_project(gold_project, "again", annotator)
    import_articles(project=again, filename="first.jsonl", data=first, format="native")
    assert exported(again, "native", tmp_path / "second", ANNOTATORS) == first


def test_it_round_trips_doccano_jsonl(gold_project, annotator, manager, tmp_path):
    gold = exported(gold_project, "doccano", tmp_path / "gold", Selection())
    copy = new_project(gold_project, "copy", annotator)
    import_articles(
        project=copy, filename="d.jsonl", data=gold, format="doccano", annotator=annotator
    )
    first = exported(copy, "doccano", tmp_path / "first", ANNOTATORS)
    strip = lambda data: [  # noqa: E731
        {k: v for k, v in orjson.loads(line).items() if k != "annotator"}
        for line in data.splitlines()
    ]
    assert strip(first) == strip(gold)
    again = new_project(gold_project, "again", annotator)
    import_articles(project=again, filename="first.jsonl", data=first, format="doccano")
    assert exported(again, "doccano", tmp_path / "second", ANNOTATORS) == first


def test_it_imports_a_doccano_export_with_entities(project, annotator):
    line = orjson.dumps(
        {
            "id": 7,
            "text": "Kremlin warned NATO.",
            "entities": [{"id": 1, "label": "actor", "start_offset": 15, "end_offset": 19}],
        }
    )
    report = import_articles(
        project=project, filename="doccano.jsonl", data=line, format="doccano", annotator=annotator
    )
    [article] = report.articles
    assert [s.quote for s in article.annotation_sets.get().spans.all()] == ["NATO"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r["claims"][0].update(claim_type="rumour"), "unknown claim type 'rumour'"),
        (lambda r: r["claims"][0].update(span=99), "'span' 99 is no span here"),
        (lambda r: r["claims"][0].update(reliability="Z"), "reliability must be A-F"),
        (lambda r: r["claims"][0].update(credibility=7), "credibility must be 1-6, not 7"),
        (lambda r: r["threat_assessment"].update(level="doom"), "unknown level 'doom'"),
        (
            lambda r: r["claims"][0].update(targets=[{"name": "Atlantis"}]),
            "no actor named 'Atlantis'",
        ),
    ],
)
def test_it_rejects_a_bad_native_line_whole_naming_the_line(
    gold_project, annotator, tmp_path, change, reason
):
    lines = exported(gold_project, "native", tmp_path / "gold", Selection()).splitlines()
    records = [{**orjson.loads(line), "gold": False} for line in lines]
    index = next(i for i, r in enumerate(records) if r["claims"])
    change(records[index])
    data = b"\n".join(orjson.dumps(r) for r in records)
    copy = new_project(gold_project, "copy", annotator)
    with pytest.raises(ImportRejected) as caught:
        import_articles(
            project=copy, filename="bad.jsonl", data=data, format="native", annotator=annotator
        )
    assert caught.value.line == index + 1
    assert reason in caught.value.reason
    assert not copy.articles.exists()


def test_it_imports_a_native_line_that_names_the_claim_type_with_the_old_key(
    gold_project, annotator, tmp_path
):
    records = [
        orjson.loads(line)
        for line in exported(gold_project, "native", tmp_path / "gold", Selection()).splitlines()
    ]
    for record in records:
        record["gold"] = False
        for claim in record["claims"]:
            claim["type"] = claim.pop("claim_type")
    copy = new_project(gold_project, "copy", annotator)
    import_articles(
        project=copy,
        filename="old.jsonl",
        data=b"\n".join(orjson.dumps(r) for r in records),
        format="native",
        annotator=annotator,
    )
    [claim] = Claim.objects.filter(annotation_set__article__project=copy)
    assert claim.claim_type.name == "warning"


@pytest.mark.parametrize("format", ["native", "doccano"])
def test_it_restores_every_annotators_set_of_the_same_text(
    gold_project, article, annotator, annotator2, tmp_path, format
):
    from tests.exports.conftest import add_span
    from tests.factories import AnnotationSetFactory

    alex = AnnotationSetFactory(article=article, annotator=annotator2, status="submitted")
    add_span(alex, "Kremlin", "actor")
    add_span(alex, "NATO", "actor")
    sets = exported(gold_project, format, tmp_path / "sets", ANNOTATORS)
    assert len(sets.splitlines()) == 2  # anna's and alex's sets of one article
    copy = new_project(gold_project, "copy", annotator)
    Membership.objects.create(project=copy, user=annotator2, role="annotator")
    report = import_articles(project=copy, filename="sets.jsonl", data=sets, format=format)
    assert (report.imported, report.added_sets, report.duplicates) == (1, 1, [])
    assert exported(copy, format, tmp_path / "back", ANNOTATORS) == sets

    again = import_articles(project=copy, filename="sets.jsonl", data=sets, format=format)
    assert (again.imported, again.added_sets, len(again.duplicates)) == (0, 0, 2)
    assert exported(copy, format, tmp_path / "still", ANNOTATORS) == sets
