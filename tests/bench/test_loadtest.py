"""The load test's no-lost-span check: what the server said it saved must be in the database."""

from bench.loadtest import Results, verify
from tests.factories import SpanFactory


def _key(span):
    return (span.pk, span.annotation_set_id, span.start, span.end, span.label_id)


def test_it_finds_nothing_wrong_when_the_database_holds_what_the_server_said(annotation_set):
    kept = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    results = Results(saved={_key(kept)}, sets={annotation_set.pk})
    assert verify(results) == ([], [])


def test_it_reports_a_span_that_was_saved_and_is_gone(annotation_set):
    gone = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    key = _key(gone)
    gone.delete()
    results = Results(saved={key}, sets={annotation_set.pk})
    assert verify(results) == ([key], [])


def test_it_reports_a_span_stored_differently_from_what_the_server_said(annotation_set):
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    said = (span.pk, span.annotation_set_id, 0, 8, span.label_id)
    results = Results(saved={said}, sets={annotation_set.pk})
    assert verify(results) == ([said], [])


def test_it_reports_a_span_that_was_deleted_and_is_still_there(annotation_set):
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    results = Results(deleted={_key(span)}, sets={annotation_set.pk})
    assert verify(results) == ([], [_key(span)])
