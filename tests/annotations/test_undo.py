"""Undo and redo of one's own changes, through the services and into the history chain."""

import pytest

from annotations import services, undo
from annotations.errors import Conflict
from annotations.models import Actor, Claim, HistoryRecord, Span, ThreatAssessment


@pytest.fixture
def labels(project):
    return {label.name: label for label in project.labels.all()}


def peskov_span(annotation_set, labels, annotator):
    return services.span_create(
        annotation_set=annotation_set,
        start=21,
        end=34,
        quote="Dmitry Peskov",
        label=labels["actor"],
        user=annotator,
    )


def test_it_undoes_and_redoes_a_span_its_relabel_and_its_deletion(
    annotation_set, annotator, labels
):
    span = peskov_span(annotation_set, labels, annotator)
    services.span_update(span=span, label=labels["location"], user=annotator)
    services.span_delete(span=Span.objects.get(pk=span.pk), user=annotator)
    assert undo.undo(annotation_set=annotation_set, user=annotator) == "deleted span"
    assert Span.objects.get(pk=span.pk).label == labels["location"]  # back, under its old id
    assert undo.undo(annotation_set=annotation_set, user=annotator) == "changed span"
    assert Span.objects.get(pk=span.pk).label == labels["actor"]
    assert undo.undo(annotation_set=annotation_set, user=annotator) == "created span"
    assert not Span.objects.exists()
    with pytest.raises(Conflict, match="Nothing to undo"):
        undo.undo(annotation_set=annotation_set, user=annotator)
    assert undo.redo(annotation_set=annotation_set, user=annotator) == "created span"
    assert undo.redo(annotation_set=annotation_set, user=annotator) == "changed span"
    assert Span.objects.get(pk=span.pk).label == labels["location"]
    # A new change drops what could still be redone.
    services.span_update(span=Span.objects.get(pk=span.pk), note="spokesman", user=annotator)
    with pytest.raises(Conflict, match="Nothing to redo"):
        undo.redo(annotation_set=annotation_set, user=annotator)
    # Every undo and redo is in the history, and the chain still verifies.
    kinds = list(
        HistoryRecord.objects.filter(object_type__in=["undo", "redo"]).values_list(
            "object_type", flat=True
        )
    )
    assert kinds == ["undo", "undo", "undo", "redo", "redo"]
    assert undo.undo(annotation_set=annotation_set, user=annotator) == "changed span"
    assert Span.objects.get(pk=span.pk).note == ""


def test_it_undoes_an_actor_link_a_claim_and_the_threat_assessment(
    annotation_set, annotator, labels, project
):
    span = peskov_span(annotation_set, labels, annotator)
    peskov = Actor.objects.create(project=project, name="Dmitry Peskov")
    nato = Actor.objects.create(project=project, name="NATO")
    services.span_update(span=span, actor=peskov, user=annotator)
    claim = services.claim_create(
        annotation_set=annotation_set,
        span=span,
        claim_type=project.claim_types.first(),
        claimant=peskov,
        targets=[nato],
        reliability="B",
        credibility=2,
        user=annotator,
    )
    level = project.threat_levels.last()
    services.threat_assessment_set(
        annotation_set=annotation_set, level=level, claims=[claim], user=annotator
    )
    services.claim_delete(claim=Claim.objects.get(pk=claim.pk), user=annotator)
    undo.undo(annotation_set=annotation_set, user=annotator)  # the claim is back, as it was
    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.grading, list(claim.targets.all())) == ("B2", [nato])
    undo.undo(annotation_set=annotation_set, user=annotator)
    assert not ThreatAssessment.objects.exists()
    undo.undo(annotation_set=annotation_set, user=annotator)
    assert not Claim.objects.exists()
    undo.undo(annotation_set=annotation_set, user=annotator)
    assert Span.objects.get().actor is None


def test_one_cannot_undo_after_submitting(annotation_set, annotator, labels):
    peskov_span(annotation_set, labels, annotator)
    services.annotation_set_submit(annotation_set=annotation_set, user=annotator)
    with pytest.raises(Conflict, match="can no longer be changed"):
        undo.undo(annotation_set=annotation_set, user=annotator)
    assert Span.objects.count() == 1


def test_another_users_changes_are_not_mine_to_undo(annotation_set, annotator, labels, manager):
    peskov_span(annotation_set, labels, manager)
    with pytest.raises(Conflict, match="Nothing to undo"):
        undo.undo(annotation_set=annotation_set, user=annotator)
