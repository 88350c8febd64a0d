"""The review workflow through its services, end to end, and every refused transition."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations import adjudication, assignment, history, reviewing, services
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Comment, Span
from tests.factories import ArticleFactory, MembershipFactory

SENTENCE = "Kremlin spokesperson Dmitry Peskov warned the US and NATO."


def _claim(annotation_set, project, threat):
    sentence = annotation_set.spans.get(quote=SENTENCE)
    claim = services.claim_create(
        annotation_set=annotation_set,
        span=sentence,
        claim_type=project.claim_types.get(name="warning"),
        claimant=project.actors.get(name="Dmitry Peskov"),
        targets=[project.actors.get(name="United States"), project.actors.get(name="NATO")],
        reliability="B",
        credibility=2,
        user=annotation_set.annotator,
    )
    services.threat_assessment_set(
        annotation_set=annotation_set,
        level=project.threat_levels.get(name=threat),
        rationale=f"{annotation_set.annotator} thinks so",
        claims=[claim],
        user=annotation_set.annotator,
    )


def test_it_walks_the_workflow_from_assignment_to_gold(
    project, article, manager, annotator, annotator2, reviewer, actors, mark
):
    sets = {s.annotator: s for s in assignment.assignments_auto(project=project, user=manager)}
    assert set(sets) == {annotator, annotator2}
    assert assignment.assignments_auto(project=project, user=manager) == []
    anna, alex = sets[annotator], sets[annotator2]

    mark(anna, "Dmitry Peskov", "actor", "Dmitry Peskov")
    mark(anna, "NATO", "actor", "NATO")
    mark(anna, "US", "actor", "United States")
    mark(anna, SENTENCE, "claim")
    _claim(anna, project, "moderate")
    mark(alex, "Dmitry Peskov", "actor", "Dmitry Peskov")
    alex_nato = mark(alex, "NATO", "location")
    alex_us = mark(alex, "US", "location")
    mark(alex, SENTENCE, "claim")
    _claim(alex, project, "substantial")
    services.annotation_set_submit(annotation_set=anna, user=annotator)
    services.annotation_set_submit(annotation_set=alex, user=annotator2)

    reviewing.annotation_set_request_changes(
        annotation_set=alex, user=reviewer, comment="NATO is an <b>actor</b> here."
    )
    alex.refresh_from_db()
    assert alex.status == AnnotationSet.Status.CHANGES_REQUESTED
    assert Comment.objects.get(annotation_set=alex, requests_changes=True).author == reviewer
    with pytest.raises(Conflict, match="not ready"):
        adjudication.adjudication_accept_unanimous(
            article=article, user=reviewer, expected_version=0
        )

    services.span_update(
        span=alex_nato,
        label=project.labels.get(name="actor"),
        actor=actors["NATO"],
        user=annotator2,
    )
    alex.refresh_from_db()
    assert alex.status == AnnotationSet.Status.IN_PROGRESS
    services.annotation_set_submit(annotation_set=alex, user=annotator2)

    merged = adjudication.merge(article)
    assert merged.ready
    disagreements = [item.key for item in merged.ordered() if not item.unanimous]
    assert disagreements[: len(disagreements)] == [
        "span:46-48",
        "threat",
    ]
    accepted = adjudication.adjudication_accept_unanimous(
        article=article, user=reviewer, expected_version=0
    )
    assert {d.key for d in accepted} == {"span:21-34", "span:53-57", "span:0-58", "claim:0-58"}
    version = AnnotationSet.objects.get(article=article, is_gold=True).version

    us = adjudication.merge(article).item("span:46-48")
    anna_us = next(row for row in us.rows if row.annotation_set_id == anna.pk)
    with pytest.raises(ValidationError, match="reason code"):
        adjudication.adjudication_accept(
            article=article,
            user=reviewer,
            key="span:46-48",
            source_id=anna_us.pk,
            expected_version=version,
        )
    decision = adjudication.adjudication_accept(
        article=article,
        user=reviewer,
        key="span:46-48",
        source_id=anna_us.pk,
        reason_code="wrong_label",
        expected_version=version,
    )
    assert decision.overrides
    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    adjudication.adjudication_edit(
        article=article,
        user=reviewer,
        key="threat",
        changes={"level": project.threat_levels.get(name="severe")},
        reason_code="guideline",
        note="Troop movements.",
        expected_version=gold.version,
    )
    gold.refresh_from_db()
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=gold.version)

    gold.refresh_from_db()
    assert gold.status == AnnotationSet.Status.APPROVED
    assert sorted((s.quote, s.label.name) for s in gold.spans.all()) == [
        ("Dmitry Peskov", "actor"),
        (SENTENCE, "claim"),
        ("NATO", "actor"),
        ("US", "actor"),
    ]
    gold_claim = gold.claims.get()
    assert gold_claim.claim_type.name == "warning"
    assert gold_claim.span.annotation_set_id == gold.pk
    assert gold_claim.grading == "B2"
    assert gold.threat_assessment.level.name == "severe"
    assert list(gold.threat_assessment.claims.all()) == [gold_claim]
    # The rejected minority label stays on record, linked to the decision that overrode it.
    assert Span.objects.get(pk=alex_us.pk).label.name == "location"
    assert alex_us in decision.spans.all()
    assert decision.reason_code == "wrong_label"
    for annotation_set in (anna, alex):
        annotation_set.refresh_from_db()
        assert annotation_set.status == AnnotationSet.Status.APPROVED
    transitions = history.for_article(article.pk).filter(
        action="transition", annotation_set_id=alex.pk
    )
    assert [(r.before["status"], r.after["status"]) for r in transitions] == [
        ("assigned", "in_progress"),
        ("in_progress", "submitted"),
        ("submitted", "changes_requested"),
        ("changes_requested", "in_progress"),
        ("in_progress", "submitted"),
        ("submitted", "approved"),
    ]
    assert history.verify() == []


def test_it_rejects_an_item_and_keeps_the_annotators_rows(
    project, article, reviewer, two_sets, annotator, annotator2, mark
):
    span = mark(two_sets[annotator], "Kremlin", "location")
    for user, annotation_set in two_sets.items():
        services.annotation_set_submit(annotation_set=annotation_set, user=user)
    with pytest.raises(ValidationError, match="reason code"):
        adjudication.adjudication_reject(
            article=article, user=reviewer, key="span:0-7", expected_version=None
        )
    decision = adjudication.adjudication_reject(
        article=article, user=reviewer, key="span:0-7", reason_code="guideline", expected_version=0
    )
    assert decision.outcome == "rejected"
    assert list(decision.spans.all()) == [span]
    assert not AnnotationSet.objects.get(article=article, is_gold=True).spans.exists()


@pytest.fixture
def submitted(two_sets):
    for user, annotation_set in two_sets.items():
        services.annotation_set_submit(annotation_set=annotation_set, user=user)
        annotation_set.refresh_from_db()
    return two_sets


def test_it_refuses_transitions_the_workflow_does_not_have(
    project, article, reviewer, annotator, annotator2, two_sets
):
    anna = two_sets[annotator]
    with pytest.raises(Conflict, match="Only a submitted set"):
        reviewing.annotation_set_request_changes(annotation_set=anna, user=reviewer, comment="x")
    with pytest.raises(Conflict, match="Only a submitted set"):
        reviewing.annotation_set_approve(annotation_set=anna, user=reviewer)
    services.annotation_set_submit(annotation_set=anna, user=annotator)
    with pytest.raises(Conflict, match="submitted"):
        services.annotation_set_submit(annotation_set=anna, user=annotator)
    reviewing.annotation_set_approve(annotation_set=anna, user=reviewer)
    with pytest.raises(Conflict, match="approved"):
        reviewing.annotation_set_request_changes(annotation_set=anna, user=reviewer, comment="x")
    with pytest.raises(Conflict, match="approved"):
        services.span_create(
            annotation_set=anna,
            start=0,
            end=7,
            quote="Kremlin",
            label=project.labels.first(),
            user=annotator,
        )
    with pytest.raises(Conflict, match="not ready"):
        adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)


def test_it_refuses_the_wrong_people(
    project, article, manager, reviewer, annotator, annotator2, outsider, submitted
):
    anna = submitted[annotator]
    for user in (annotator, annotator2, manager, outsider):
        with pytest.raises(PermissionDenied):
            reviewing.annotation_set_request_changes(annotation_set=anna, user=user, comment="x")
        with pytest.raises(PermissionDenied):
            reviewing.annotation_set_approve(annotation_set=anna, user=user)
        with pytest.raises(PermissionDenied):
            adjudication.adjudication_accept_unanimous(
                article=article, user=user, expected_version=None
            )
    for user in (annotator, reviewer, outsider):
        with pytest.raises(PermissionDenied):
            assignment.assignments_auto(project=project, user=user)
        with pytest.raises(PermissionDenied):
            assignment.assignment_withdraw(annotation_set=anna, user=user)


def test_it_lets_only_the_annotator_submit(annotator, annotator2, reviewer, two_sets):
    for user in (annotator2, reviewer):
        with pytest.raises(PermissionDenied):
            services.annotation_set_submit(annotation_set=two_sets[annotator], user=user)
    assert two_sets[annotator].status == AnnotationSet.Status.ASSIGNED


def test_it_refuses_self_review_unless_the_project_allows_it(
    project, article, annotator, annotator2, submitted
):
    MembershipFactory(user=annotator, project=project, role="reviewer")
    anna, alex = submitted[annotator], submitted[annotator2]
    with pytest.raises(PermissionDenied, match="your own"):
        reviewing.annotation_set_approve(annotation_set=anna, user=annotator)
    with pytest.raises(PermissionDenied, match="you may not adjudicate"):
        adjudication.adjudication_accept_unanimous(
            article=article, user=annotator, expected_version=None
        )
    # Reviewing a colleague's set is fine.
    reviewing.annotation_set_request_changes(annotation_set=alex, user=annotator, comment="Fix it")
    project.allow_self_review = True
    project.save()
    anna.article.project.refresh_from_db()
    reviewing.annotation_set_approve(annotation_set=anna, user=annotator)
    anna.refresh_from_db()
    assert anna.status == AnnotationSet.Status.APPROVED


def test_it_refuses_a_stale_adjudication(article, reviewer, two_sets, mark):
    for user, annotation_set in two_sets.items():
        mark(annotation_set, "Kremlin", "actor")
        services.annotation_set_submit(annotation_set=annotation_set, user=user)
    adjudication.adjudication_accept_unanimous(article=article, user=reviewer, expected_version=0)
    with pytest.raises(Conflict, match="Another reviewer"):
        adjudication.gold_set_approve(article=article, user=reviewer, expected_version=0)


def test_it_refuses_to_approve_gold_with_undecided_items(
    project, article, manager, reviewer, annotator, annotator2, two_sets, mark
):
    annotator3 = MembershipFactory(project=project, role="annotator").user
    mark(two_sets[annotator], "Kremlin", "location")
    for user, annotation_set in two_sets.items():
        services.annotation_set_submit(annotation_set=annotation_set, user=user)
    with pytest.raises(Conflict, match="1 item"):
        adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)
    adjudication.adjudication_reject(
        article=article, user=reviewer, key="span:0-7", reason_code="other", expected_version=None
    )
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)
    with pytest.raises(Conflict, match="closed"):
        adjudication.adjudication_accept_unanimous(
            article=article, user=reviewer, expected_version=None
        )
    with pytest.raises(Conflict, match="adjudicated"):
        assignment.assignment_create(article=article, annotator=annotator3, user=manager)


def test_it_assigns_balanced_and_never_twice(project, manager, annotator, annotator2):
    third = MembershipFactory(project=project, role="annotator").user
    articles = [ArticleFactory(project=project) for _ in range(3)]
    created = assignment.assignments_auto(project=project, user=manager)
    assert len(created) == 6
    per_article = {
        a.pk: {s.annotator_id for s in created if s.article_id == a.pk} for a in articles
    }
    assert all(len(annotators) == 2 for annotators in per_article.values())
    load = [
        sum(1 for s in created if s.annotator_id == u.pk) for u in (annotator, annotator2, third)
    ]
    assert load == [2, 2, 2]
    with pytest.raises(Conflict, match="already assigned"):
        assignment.assignment_create(
            article=articles[0], annotator=created[0].annotator, user=manager
        )


def test_it_withdraws_only_work_not_handed_in(project, manager, annotator, annotator2, two_sets):
    assignment.assignment_withdraw(annotation_set=two_sets[annotator], user=manager)
    assert not AnnotationSet.objects.filter(pk=two_sets[annotator].pk).exists()
    services.annotation_set_submit(annotation_set=two_sets[annotator2], user=annotator2)
    with pytest.raises(Conflict, match="submitted"):
        assignment.assignment_withdraw(annotation_set=two_sets[annotator2], user=manager)
    assert history.verify() == []


def test_it_refuses_an_assignment_to_a_non_annotator(project, article, manager, reviewer):
    with pytest.raises(ValidationError, match="not an annotator"):
        assignment.assignment_create(article=article, annotator=reviewer, user=manager)


def test_it_keeps_comments_on_the_set_and_its_items(
    project, annotator, annotator2, reviewer, outsider, two_sets, mark
):
    anna = two_sets[annotator]
    span = mark(anna, "Kremlin", "actor")
    comment = reviewing.comment_create(
        annotation_set=anna, user=reviewer, body="  Why? ", span=span
    )
    assert (comment.body, comment.target) == ("Why?", "span")
    reviewing.comment_create(annotation_set=anna, user=annotator, body="Because.")
    for user in (annotator2, outsider):
        with pytest.raises(PermissionDenied):
            reviewing.comment_create(annotation_set=anna, user=user, body="x")
    with pytest.raises(ValidationError, match="empty"):
        reviewing.comment_create(annotation_set=anna, user=reviewer, body="   ")
    other_span = mark(two_sets[annotator2], "Kremlin", "actor")
    with pytest.raises(ValidationError, match="not in this annotation set"):
        reviewing.comment_create(annotation_set=anna, user=reviewer, body="x", span=other_span)
