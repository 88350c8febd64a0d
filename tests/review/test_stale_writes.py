"""A write made with what a request read before its set was locked: another request (a second
tab, a request sent twice, a key pressed twice) may have changed it meanwhile. The second write
is refused with the reason, and the history records what happened once. And a change that
changes nothing is no write at all."""

import pytest

from annotations import services
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Claim, HistoryRecord, RejectedSuggestion, Span


def _deletes(object_type: str) -> int:
    return HistoryRecord.objects.filter(object_type=object_type, action="delete").count()


@pytest.fixture
def claim(annotation_set, mark, project):
    span = mark(annotation_set, "Kremlin", "actor")
    return services.claim_create(
        annotation_set=annotation_set, span=span, claim_type=project.claim_types.first()
    )


def test_a_span_deleted_twice_is_deleted_and_recorded_once(annotation_set, mark):
    span = mark(annotation_set, "Kremlin", "actor")
    read_by_the_second_request = Span.objects.get(pk=span.pk)
    services.span_delete(span=span)
    with pytest.raises(Conflict, match="This span was deleted meanwhile"):
        services.span_delete(span=read_by_the_second_request)
    assert _deletes("span") == 1


def test_a_span_deleted_meanwhile_is_not_changed(annotation_set, mark, project):
    span = mark(annotation_set, "Kremlin", "actor")
    read_by_the_other_tab = Span.objects.get(pk=span.pk)
    services.span_delete(span=span)
    with pytest.raises(Conflict, match="This span was deleted meanwhile"):
        services.span_update(span=read_by_the_other_tab, note="still here?")
    assert not Span.objects.exists()
    assert not HistoryRecord.objects.filter(object_type="span", action="update").exists()


def test_a_claim_deleted_twice_is_deleted_and_recorded_once(claim):
    read_by_the_second_request = Claim.objects.get(pk=claim.pk)
    services.claim_delete(claim=claim)
    with pytest.raises(Conflict, match="This claim was deleted meanwhile"):
        services.claim_delete(claim=read_by_the_second_request)
    with pytest.raises(Conflict, match="This claim was deleted meanwhile"):
        services.claim_update(claim=read_by_the_second_request, note="still here?")
    assert _deletes("claim") == 1


def _suggested(annotation_set, project, text="NATO"):
    start = annotation_set.article.body.index(text)
    return {
        "start": start,
        "end": start + len(text),
        "quote": text,
        "label": project.labels.get(name="actor"),
        "provenance": {"suggester": "registry", "version": "", "score": 1.0},
    }


def test_a_suggestion_accepted_meanwhile_is_not_rejected(annotation_set, project):
    fields = _suggested(annotation_set, project)
    services.span_create_many(annotation_set=annotation_set, spans=[fields])
    with pytest.raises(Conflict, match="accepted meanwhile"):
        services.suggestion_reject(
            annotation_set=annotation_set,
            start=fields["start"],
            end=fields["end"],
            label=fields["label"],
        )
    assert not RejectedSuggestion.objects.exists()
    assert Span.objects.get().quote == "NATO"


def test_a_suggestion_rejected_meanwhile_is_not_accepted(annotation_set, project):
    fields = _suggested(annotation_set, project)
    services.suggestion_reject(
        annotation_set=annotation_set,
        start=fields["start"],
        end=fields["end"],
        label=fields["label"],
    )
    with pytest.raises(Conflict, match="'NATO' at .* was rejected meanwhile"):
        services.span_create_many(annotation_set=annotation_set, spans=[fields])
    assert not Span.objects.exists()
    assert RejectedSuggestion.objects.count() == 1


def test_nothing_rests_on_a_span_or_claim_deleted_meanwhile(annotation_set, mark, project, claim):
    """A claim on a span, or an assessment on a claim, that another request deleted meanwhile:
    refused with the reason (was: the database's refusal at the commit, a 500)."""
    level = project.threat_levels.first()
    gone = mark(annotation_set, "NATO", "actor")
    read_by_the_other_tab = Span.objects.get(pk=gone.pk)
    services.span_delete(span=gone)
    claim_type = project.claim_types.first()
    with pytest.raises(Conflict, match="This span was deleted meanwhile"):
        services.claim_create(
            annotation_set=annotation_set, span=read_by_the_other_tab, claim_type=claim_type
        )
    with pytest.raises(Conflict, match="This span was deleted meanwhile"):
        services.claim_update(claim=claim, claimant_span=read_by_the_other_tab)
    stale_claim = Claim.objects.get(pk=claim.pk)
    services.claim_delete(claim=claim)
    with pytest.raises(Conflict, match="This claim was deleted meanwhile"):
        services.threat_assessment_set(
            annotation_set=annotation_set, level=level, claims=[stale_claim]
        )
    assert not Claim.objects.exists()


def test_a_change_that_changes_nothing_is_not_written_nor_recorded(annotation_set, mark, claim):
    span = mark(annotation_set, "NATO", "actor")
    version = AnnotationSet.objects.get(pk=annotation_set.pk).version
    records = HistoryRecord.objects.count()
    services.span_update(span=span, note="")
    services.span_update(span=span, label=span.label)
    services.claim_update(claim=claim, note=claim.note, targets=list(claim.targets.all()))
    assert HistoryRecord.objects.count() == records
    assert AnnotationSet.objects.get(pk=annotation_set.pk).version == version
    services.claim_update(claim=claim, note="now it does")
    assert HistoryRecord.objects.count() == records + 1
