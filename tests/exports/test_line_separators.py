"""Raw line separators (U+2028, U+2029, U+0085) inside JSON strings are valid JSON, but
``str.splitlines()`` splits a line there: every format that writes a record per line escapes
them, so a line reader gets one record per line, and the strings read back unchanged."""

import json

import pytest

from annotations.exports import export
from tests.exports.conftest import add_span, gold_set
from tests.factories import ArticleFactory

SEPARATORS = "\u2028\u2029\u0085"
BODY = f"Kremlin said{SEPARATORS[0]}NATO moved.{SEPARATORS[1]}Kyiv{SEPARATORS[2]}answered."


@pytest.fixture
def separated(project):
    for n in range(2):
        article = ArticleFactory(project=project, title=f"Line{SEPARATORS}{n}", body=f"{n} {BODY}")
        gold = gold_set(article)
        add_span(gold, f"said{SEPARATORS[0]}NATO", "claim", note=f"a{SEPARATORS}b")
        add_span(gold, "Kyiv", "location")
    return project


def lines(path):
    text = path.read_text(encoding="utf-8")
    assert not set(SEPARATORS) & set(text)
    return text.splitlines()


@pytest.mark.parametrize(
    ("format", "suffix", "text_of"),
    [
        ("native", ".jsonl", lambda row: row["text"]),
        ("doccano", ".jsonl", lambda row: row["text"]),
        ("bio", ".jsonl", lambda row: "".join(row["tokens"])),
        ("misp", ".jsonl", lambda row: row["Event"]["info"][-1:]),  # the title's number
    ],
)
def test_each_jsonl_line_is_one_record_for_a_splitlines_reader(
    separated, tmp_path, format, suffix, text_of
):
    paths = export(project=separated, format=format, stem=tmp_path / "out")
    path = next(p for p in paths if p.name == f"out{suffix}")
    rows = [json.loads(line) for line in lines(path)]
    assert len(rows) == 2
    assert [text_of(row)[:1] for row in rows] == ["0", "1"]
    if format == "native":
        assert rows[0]["text"] == f"0 {BODY}"
        assert rows[0]["title"] == f"Line{SEPARATORS}0"
        assert rows[0]["spans"][0]["note"] == f"a{SEPARATORS}b"
    if format == "misp":
        assert rows[0]["Event"]["info"] == f"Line{SEPARATORS}0"


@pytest.mark.parametrize(("format", "items"), [("labelstudio", 2), ("w3c", 4)])
def test_the_json_documents_written_an_item_per_line_hold_no_raw_separator(
    separated, tmp_path, format, items
):
    [path] = export(project=separated, format=format, stem=tmp_path / "out")
    document = json.loads(path.read_text(encoding="utf-8"))
    found = document if format == "labelstudio" else document["first"]["items"]
    assert len(found) == items
    assert len([line for line in lines(path) if line.startswith("{")]) >= items
