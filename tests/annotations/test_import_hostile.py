"""Hostile files: every one is refused whole, naming the file, the line and the reason, on
SQLite and PostgreSQL alike, through the command, the upload page and the API; nothing of it
is stored and nothing answers with a traceback or a 500.

The classes: NUL characters and lone surrogates in any string of any format; JSON nested
100,000 levels deep, NaN and numbers Python will not convert; files and articles with nothing
to read (a byte-order mark and whitespace); articles longer than ARTICLE_MAX_CHARS; a boolean
where a number or a reference is expected.
"""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from annotations.importing import ImportRejected, import_articles
from annotations.models import Article, Claim, Span, ThreatAssessment
from tests.api.conftest import token_client
from tests.factories import ActorFactory

NUL = "\x00"
SURROGATE = "\ud800"  # half of a UTF-16 pair: json.dumps writes it as the escape "\ud800"


def run_import(project, filename, data, **kwargs):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return import_articles(project=project, filename=filename, data=data, **kwargs)


def jsonl(*items):
    # ensure_ascii (the default) writes NUL as \u0000 and a lone surrogate as \ud800, as a
    # hostile file would; the bytes are valid UTF-8.
    return "\n".join(json.dumps(item) for item in items) + "\n"


def refused(project, filename, data, **kwargs) -> str:
    """The message of the refusal; asserts that nothing was stored."""
    with pytest.raises(ImportRejected) as caught:
        run_import(project, filename, data, **kwargs)
    assert not Article.objects.exists()
    assert not Span.objects.exists()
    return str(caught.value)


GOOD = {"text": "Peskov warned NATO.", "title": "Warning"}


def native_line(**overrides):
    line = {
        "text": "Peskov warned NATO.",
        "title": "Warning",
        "metadata": {"desk": "Europe"},
        "spans": [{"id": 0, "start": 0, "end": 6, "label": "actor", "note": "spokesperson"}],
        "claims": [{"id": 0, "span": 0, "claim_type": "warning", "credibility": 2, "note": "firm"}],
        "threat_assessment": {"level": "low", "rationale": "words only", "claims": [0]},
    }
    for path, value in overrides.items():
        *parents, last = path.split(".")
        target = line
        for name in parents:
            target = target[int(name)] if isinstance(target, list) else target[name]
        target[int(last) if isinstance(target, list) else last] = value
    return line


# NUL and lone surrogates, in every string a file may carry.

STRING_FIELDS = [
    ("text", "text"),
    ("title", "title"),
    ("source", "source"),
    ("metadata.desk", "metadata.desk"),
    ("spans.0.note", "spans[0].note"),
    ("claims.0.note", "claims[0].note"),
    ("threat_assessment.rationale", "threat_assessment.rationale"),
]


@pytest.mark.parametrize(("character", "what"), [(NUL, "NUL"), (SURROGATE, "lone surrogate")])
@pytest.mark.parametrize(("field", "named"), STRING_FIELDS)
def test_it_refuses_nul_and_lone_surrogates_in_every_string_of_a_native_line(
    project, annotator, character, what, field, named
):
    ActorFactory(project=project, name="NATO")
    line = native_line(**{field: f"bad{character}value"})
    if field == "text":
        line["spans"] = []
        line["claims"] = []
        line["threat_assessment"] = None
    data = jsonl(native_line(), line)
    message = refused(project, "a.jsonl", data, format="native", annotator=annotator)
    assert message.startswith(f"a.jsonl, line 2: '{named}' contains a {what}")
    assert not Claim.objects.exists()
    assert not ThreatAssessment.objects.exists()


@pytest.mark.parametrize("character", [NUL, SURROGATE])
def test_it_refuses_nul_and_lone_surrogates_in_a_metadata_key(project, character):
    data = jsonl(GOOD, {"text": "Other text.", "metadata": {f"k{character}": "v"}})
    message = refused(project, "a.jsonl", data)
    assert message.startswith("a.jsonl, line 2: a key of 'metadata' contains a")


def test_it_refuses_nul_in_a_doccano_line(project, annotator):
    line = {"text": f"Peskov{NUL} warned.", "label": [[0, 6, "actor"]]}
    message = refused(project, "a.jsonl", jsonl(line), format="doccano", annotator=annotator)
    assert message.startswith("a.jsonl, line 1: 'text' contains a NUL character (U+0000)")


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("a.txt", f"Title\nfine line\nbad {NUL} line\n"),
        ("a.csv", f"title,text\nOne,fine\nTwo,bad {NUL} cell\n"),
        ("a.html", f"<html><body><article><p>Fine.</p>\n<p>one</p>\n<p>b{NUL}d</p></article>"),
        ("a.jsonl", '{"text": "fine"}\n{"text": "fine too"}\n{"text": "b' + NUL + 'd"}\n'),
    ],
)
def test_it_refuses_a_raw_nul_byte_in_any_format_naming_its_line(project, filename, data):
    message = refused(project, filename, data)
    assert message.startswith(f"{filename}, line 3: the line contains a NUL character (U+0000)")


# JSON the workbench cannot work on.


def test_it_refuses_a_line_nested_100000_levels_deep(project):
    deep = '{"text": "Deep.", "metadata": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    message = refused(project, "a.jsonl", jsonl(GOOD) + deep + "\n")
    assert message == "a.jsonl, line 2: the JSON is nested more than 32 levels deep."


def test_it_refuses_a_line_nested_deeper_than_the_limit_but_within_python_s(project):
    nested = "[" * 40 + "]" * 40
    message = refused(project, "a.jsonl", '{"text": "Deep.", "metadata": {"a": ' + nested + "}}")
    assert message == "a.jsonl, line 1: the JSON is nested more than 32 levels deep."


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("NaN", "NaN is not a JSON number"),
        ("Infinity", "Infinity is not a JSON number"),
        ("1e400", "the number 1e400 is too large"),
        ("1" * 5000, "a number has more than 4300 digits"),
    ],
)
def test_it_refuses_numbers_that_json_or_the_database_cannot_hold(project, value, reason):
    message = refused(project, "a.jsonl", '{"text": "Odd.", "metadata": {"n": ' + value + "}}")
    assert message.startswith(f"a.jsonl, line 1: {reason}")


# Nothing to read, and too much.


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf \n\t\r\n  "])
def test_it_refuses_a_file_of_only_a_byte_order_mark_and_whitespace(project, data):
    assert refused(project, "a.txt", data) == "a.txt: the file is empty."


def test_it_refuses_a_text_file_of_only_invisible_characters(project):
    data = "\ufeff\u200b\n\ufeff\u2060 \u200d".encode()
    assert refused(project, "a.txt", data) == "a.txt: the article text is empty."


@pytest.mark.parametrize("text", ["\ufeff", "\ufeff \n", "\u200b\u200d", "\x0b\u200b"])
def test_it_refuses_an_article_whose_text_has_nothing_to_read(project, text):
    message = refused(project, "a.jsonl", jsonl(GOOD, {"text": text}))
    assert message == "a.jsonl, line 2: the article text is empty."


def test_it_reads_a_jsonl_and_a_csv_file_that_starts_with_a_byte_order_mark(project):
    assert run_import(project, "a.jsonl", b"\xef\xbb\xbf" + jsonl(GOOD).encode()).imported == 1
    report = run_import(project, "a.csv", b"\xef\xbb\xbftext\nSecond article.\n")
    assert report.articles[0].body == "Second article."


def test_it_refuses_an_article_longer_than_the_cap_naming_both(project, settings):
    settings.ARTICLE_MAX_CHARS = 50
    at_cap = "x" * 50
    assert run_import(project, "a.txt", at_cap).articles[0].body == at_cap
    Article.objects.all().delete()
    message = refused(project, "b.jsonl", jsonl(GOOD, {"text": "é" * 51}))
    assert message == (
        "b.jsonl, line 2: the article text is 51 characters long and articles are limited to "
        "50 (ARTICLE_MAX_CHARS); split it into several articles."
    )


def test_the_default_cap_is_200000_code_points(project):
    # Code points, not bytes: 200,000 four-byte characters are 800,000 bytes of UTF-8.
    at_cap = "📰" * 200_000
    assert len(run_import(project, "a.txt", at_cap).articles[0].body) == 200_000
    Article.objects.all().delete()
    message = refused(project, "b.txt", "Title\n" + "x" * 200_000)
    assert message.startswith("b.txt: the article text is 200,006 characters long")


# A boolean where a number or a reference is expected (True == 1 in Python).


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("claims.0.credibility", True, "claim 1: credibility must be 1-6, not True."),
        ("claims.0.credibility", 1.0, "claim 1: credibility must be 1-6, not 1.0."),
        ("claims.0.span", True, "claim 1: 'span' must name a span, not a boolean."),
        ("spans.0.start", False, "span 1: start and end must be whole numbers"),
        ("threat_assessment.claims", [True], "threat assessment: 'claims' must name claims"),
    ],
)
def test_it_refuses_a_boolean_where_a_number_is_expected(project, annotator, field, value, reason):
    ActorFactory(project=project, name="NATO")
    data = jsonl(native_line(**{field: value}))
    message = refused(project, "a.jsonl", data, format="native", annotator=annotator)
    assert message.startswith(f"a.jsonl, line 1: {reason}")
    assert not Claim.objects.exists()


def test_a_native_line_with_every_field_well_formed_still_imports(project, annotator):
    ActorFactory(project=project, name="NATO")
    run_import(project, "a.jsonl", jsonl(native_line()), format="native", annotator=annotator)
    assert Claim.objects.get().credibility == 2
    assert ThreatAssessment.objects.get().rationale == "words only"


# The same refusals through every way in: the command, the upload page, the API.

HOSTILE_FILES = [
    pytest.param(
        "nul.txt", f"Title\nbad {NUL} line\n".encode(), "nul.txt, line 2: the line", id="nul"
    ),
    pytest.param(
        "surrogate.jsonl",
        jsonl({"text": "fine", "metadata": {"x": SURROGATE}}).encode(),
        "surrogate.jsonl, line 1: 'metadata.x' contains a lone surrogate",
        id="surrogate",
    ),
    pytest.param(
        "deep.jsonl",
        ('{"text": "x", "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}\n").encode(),
        "deep.jsonl, line 1: the JSON is nested more than 32 levels deep.",
        id="deep",
    ),
    pytest.param("bom.txt", b"\xef\xbb\xbf \n", "bom.txt: the file is empty.", id="empty"),
    pytest.param(
        "long.txt", b"x" * 200_001, "long.txt: the article text is 200,001 characters", id="long"
    ),
    pytest.param(
        "bool.jsonl",
        jsonl(native_line(**{"claims.0.credibility": True}, annotator="anna")).encode(),
        "bool.jsonl, line 1: claim 1: credibility must be 1-6, not True.",
        id="bool",
    ),
]


@pytest.mark.parametrize(("filename", "data", "message"), HOSTILE_FILES)
def test_the_command_refuses_a_hostile_file(
    project, annotator, tmp_path, capsys, filename, data, message
):
    ActorFactory(project=project, name="NATO")
    path = tmp_path / filename
    path.write_bytes(data)
    with pytest.raises(CommandError, match="1 file\\(s\\) rejected"):
        call_command(
            "import_articles",
            str(path),
            project="demo",
            annotator=annotator.username,
            format="native" if filename == "bool.jsonl" else None,
            no_progress=True,
        )
    assert f"Rejected {tmp_path}/{message}" in capsys.readouterr().err
    assert not Article.objects.exists()


@pytest.mark.parametrize(("filename", "data", "message"), HOSTILE_FILES)
def test_the_upload_page_refuses_a_hostile_file(
    client, project, manager, annotator, filename, data, message
):
    ActorFactory(project=project, name="NATO")
    client.force_login(manager)
    response = client.post(
        f"/projects/{project.slug}/upload/",
        {
            "article_files": SimpleUploadedFile(filename, data),
            "format": "native" if filename == "bool.jsonl" else "",
        },
    )
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert not Article.objects.exists()


@pytest.mark.parametrize(("filename", "data", "message"), HOSTILE_FILES)
def test_the_api_refuses_a_hostile_file(project, manager, annotator, filename, data, message):
    ActorFactory(project=project, name="NATO")
    response = token_client(manager).post(
        f"/api/v1/projects/{project.slug}/articles/import/",
        {
            "file": SimpleUploadedFile(filename, data),
            **({"format": "native"} if filename == "bool.jsonl" else {}),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["file"][0].startswith(message)
    assert not Article.objects.exists()
