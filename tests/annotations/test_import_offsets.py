"""Span offsets of an import count code points of the text as given and are moved onto the
normalised text. An offset that normalisation would swallow (between a letter and its
combining accent, which NFC composes into one character; between CR and LF) is refused unless
the span's quote says which text is meant: moved, it would widen or narrow the span unseen."""

import json

import pytest

from annotations.importing import ImportRejected, import_articles
from annotations.models import Article, Span

TEXT = "Cafe\u0301 de Flore\r\nPeskov"  # NFC: "Café de Flore\nPeskov"


def run(project, annotator, span):
    data = json.dumps({"text": TEXT, "spans": [span | {"label": "location"}]}, ensure_ascii=False)
    return import_articles(
        project=project, filename="a.jsonl", data=data.encode(), annotator=annotator
    )


@pytest.mark.parametrize(
    ("start", "end", "inside"),
    [
        (0, 4, "'e\u0301'"),  # ends between "e" and its accent: would become "Café"
        (4, 8, "'e\u0301'"),  # starts there: would become " de" or lose the accent
        (10, 15, "'\\r\\n'"),  # ends between CR and LF
    ],
)
def test_it_refuses_an_offset_inside_a_character_normalisation_makes_without_a_quote(
    project, annotator, start, end, inside
):
    with pytest.raises(ImportRejected) as refused:
        run(project, annotator, {"start": start, "end": end})
    message = str(refused.value)
    assert "a.jsonl, line 1: span 1: offset" in message
    assert inside in message and "'quote'" in message
    assert not Article.objects.exists()


def test_a_quote_confirms_the_composed_character(project, annotator):
    run(project, annotator, {"start": 0, "end": 4, "quote": "Cafe\u0301"})
    span = Span.objects.get()
    assert (span.start, span.end, span.quote) == (0, 4, "Café")


def test_a_quote_that_says_otherwise_is_refused(project, annotator):
    with pytest.raises(ImportRejected, match="The quote 'Cafe' does not match"):
        run(project, annotator, {"start": 0, "end": 4, "quote": "Cafe"})


def test_offsets_at_the_edges_of_what_normalisation_joins_move_onto_the_text(project, annotator):
    run(project, annotator, {"start": 0, "end": 5})  # "Cafe\u0301"
    composed = Span.objects.get()
    assert (composed.start, composed.end, composed.quote) == (0, 4, "Café")
    start = TEXT.index("Peskov")
    Article.objects.all().delete()
    run(project, annotator, {"start": start - 2, "end": start + 6})  # "\r\nPeskov"
    span = Span.objects.get()
    assert span.quote == "\nPeskov"
