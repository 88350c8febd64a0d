"""brat's .ann is line-based: no text written on an .ann line may break it.

Every character that ends a line for ``str.splitlines`` (LF, CR, VT, FF, FS, GS, RS, NEL, the
line and paragraph separators) can sit in an article's text, a span's note or an actor's name.
A span's quote is cut into brat's discontinuous fragments around each of them, as around a line
feed, and a note has each of them replaced by a space; so every .ann line reads back as one line,
and every fragment's text still equals the text at its offsets, as brat checks.
"""

import zipfile

import pytest

from annotations.exports import export
from annotations.exports.records import Selection
from tests.exports.conftest import add_span, gold_set
from tests.factories import ActorFactory, ArticleFactory

# What str.splitlines() splits on, besides "\n" (and "\r\n", which import folds to "\n").
BREAKS = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def ann_of(project, tmp_path):
    [path] = export(project=project, format="brat", stem=tmp_path / "out", selection=Selection())
    with zipfile.ZipFile(path) as archive:
        [ann] = [name for name in archive.namelist() if name.endswith(".ann")]
        return archive.read(ann).decode(), archive.read(ann.replace(".ann", ".txt")).decode()


@pytest.mark.parametrize("brk", BREAKS, ids=lambda c: f"U+{ord(c):04X}")
def test_no_character_in_a_quote_note_or_actor_name_breaks_an_ann_line(project, tmp_path, brk):
    assert len(f"a{brk}b".splitlines()) == 2  # brat's reader would see two lines
    body = f"Kremlin{brk}spokesperson Peskov warned NATO."
    article = ArticleFactory(project=project, body=body)
    gold = gold_set(article)
    actor = ActorFactory(project=project, name=f"Dmitry{brk}Peskov")
    add_span(gold, f"Kremlin{brk}spokesperson", "actor", note=f"first{brk}second")
    add_span(gold, "Peskov", "actor", actor=actor, note=f"said{brk}so")

    ann, text = ann_of(project, tmp_path)
    lines = ann.splitlines()
    assert ann.count("\n") == len(lines) == 5  # two text-bound lines, two notes, an actor kind
    assert all(line.split("\t")[0][0] in "T#A" for line in lines), lines
    for line in lines:
        if line.startswith("T"):
            _, middle, quote = line.split("\t")
            pieces = [tuple(map(int, p.split())) for p in middle.split(" ", 1)[1].split(";")]
            assert " ".join(text[s:e] for s, e in pieces) == quote
    assert lines[0] == "T1\tactor 0 7;8 20\tKremlin spokesperson"
    assert lines[1] == "#1\tAnnotatorNotes T1\tfirst second"
    assert lines[3] == "#2\tAnnotatorNotes T2\tactor: Dmitry Peskov | said so"
