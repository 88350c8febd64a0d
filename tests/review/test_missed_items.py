"""A reviewer adds to gold a span or claim no annotator marked (reason code "missed"), if the
project allows it: in history, in the native export, refused where it makes no sense."""

import re

import orjson
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from annotations import adjudication, services
from annotations.errors import Conflict
from annotations.exports.records import iter_records
from annotations.models import AdjudicationDecision, AnnotationSet, HistoryRecord, Span
from tests.api.conftest import token_client
from tests.factories import MembershipFactory

ZELENSKY = "Zelensky 🇺🇦"  # code points after an emoji flag: offsets must not be UTF-16


@pytest.fixture
def submitted(two_sets, mark, actors):
    """Both annotators marked Peskov and handed in; nobody marked Zelensky."""
    for annotation_set in two_sets.values():
        mark(annotation_set, "Dmitry Peskov", "actor", "Dmitry Peskov")
        services.annotation_set_submit(annotation_set=annotation_set, user=annotation_set.annotator)
    return two_sets


def _add(article, user, text, label="actor", **kwargs):
    start = article.body.index(text)
    return adjudication.adjudication_add_missed_span(
        article=article,
        user=user,
        start=start,
        end=start + len(text),
        label=article.project.labels.get(name=label),
        expected_version=None,
        **kwargs,
    )


def _gold(article):
    return AnnotationSet.objects.get(article=article, is_gold=True)


def test_a_missed_span_goes_into_gold_with_reason_missed_in_history_and_export(
    project, article, reviewer, submitted
):
    decision = _add(article, reviewer, ZELENSKY, note="Named in the second sentence.")

    [span] = _gold(article).spans.all()  # the only gold span so far
    assert (span.quote, span.label.name) == (ZELENSKY, "actor")
    assert (decision.outcome, decision.reason_code) == ("added", "missed")
    assert decision.gold_span == span and decision.decided_by == reviewer
    entry = HistoryRecord.objects.filter(object_type="decision", object_id=decision.pk).get()
    assert entry.after["reason_code"] == "missed"
    item = adjudication.merge(article).find(decision.key)
    assert item is not None and item.decision == decision and item.quote == ZELENSKY

    adjudication.adjudication_accept_unanimous(
        article=article, user=reviewer, expected_version=None
    )
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)
    [gold] = [orjson.loads(orjson.dumps(r)) for r in iter_records(project) if r["gold"]]
    [added] = gold["added"]
    assert gold["spans"][added["span"]]["quote"] == ZELENSKY
    assert (added["reason_code"], added["reviewer"], added["note"]) == (
        "missed",
        "rita",
        "Named in the second sentence.",
    )


def test_undo_takes_a_missed_span_out_of_gold(article, reviewer, submitted):
    _add(article, reviewer, ZELENSKY)
    adjudication.adjudication_undo(article=article, user=reviewer, expected_version=None)

    assert not _gold(article).spans.exists()
    assert not AdjudicationDecision.objects.filter(outcome="added").exists()


def test_rejecting_a_missed_span_takes_it_out_of_gold_whenever(article, reviewer, submitted):
    added = _add(article, reviewer, ZELENSKY)
    start = article.body.index("Dmitry Peskov")
    adjudication.adjudication_reject(
        article=article,
        user=reviewer,
        key=f"span:{start}-{start + 13}",
        reason_code="other",
        expected_version=None,
    )
    adjudication.adjudication_reject(
        article=article, user=reviewer, key=added.key, expected_version=None
    )

    assert not _gold(article).spans.exists()
    assert adjudication.merge(article).find(added.key) is None
    assert HistoryRecord.objects.filter(object_id=added.pk, action="delete").exists()


def test_a_missed_claim_is_added_on_a_gold_span(project, article, reviewer, submitted):
    _add(article, reviewer, "Kremlin spokesperson Dmitry Peskov warned the US and NATO.", "claim")
    sentence = _gold(article).spans.get()
    decision = adjudication.adjudication_add_missed_claim(
        article=article,
        user=reviewer,
        span=sentence,
        claim_type=project.claim_types.get(name="warning"),
        claimant=project.actors.get(name="Dmitry Peskov"),
        reliability="B",
        credibility=2,
        expected_version=None,
    )
    claim = _gold(article).claims.get()
    assert decision.gold_claim == claim and decision.reason_code == "missed"
    assert claim.span == sentence and claim.grading == "B2"
    with pytest.raises(Conflict, match="already has a claim"):
        adjudication.adjudication_add_missed_claim(
            article=article,
            user=reviewer,
            span=sentence,
            claim_type=project.claim_types.get(name="warning"),
            expected_version=None,
        )


def test_refused_when_the_project_does_not_allow_it(project, article, reviewer, submitted):
    project.allow_missed_items = False
    project.save()
    with pytest.raises(Conflict, match="does not let reviewers add"):
        _add(article, reviewer, ZELENSKY)
    assert not AnnotationSet.objects.filter(article=article, is_gold=True, spans__isnull=False)


@pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 3), (-1, 4), (0, 10_000)])
def test_refused_for_an_empty_range_or_one_outside_the_text(
    article, reviewer, submitted, start, end
):
    with pytest.raises(ValidationError, match="empty or outside the text"):
        adjudication.adjudication_add_missed_span(
            article=article,
            user=reviewer,
            start=start,
            end=end,
            label=article.project.labels.get(name="actor"),
            expected_version=None,
        )


def test_refused_when_gold_or_an_annotator_already_has_the_label_on_the_range(
    article, reviewer, submitted
):
    _add(article, reviewer, ZELENSKY)
    with pytest.raises(Conflict, match="already has “Zelensky 🇺🇦” as actor"):
        _add(article, reviewer, ZELENSKY)
    with pytest.raises(Conflict, match="An annotator marked “Dmitry Peskov” as actor"):
        _add(article, reviewer, "Dmitry Peskov")
    _add(article, reviewer, ZELENSKY, label="location")  # another label on the range: allowed
    assert _gold(article).spans.count() == 2


def test_refused_for_users_who_may_not_adjudicate(
    project, article, annotator, manager, outsider, other_project_member, submitted
):
    for user in (manager, annotator, outsider, other_project_member):
        with pytest.raises(PermissionDenied):
            _add(article, user, ZELENSKY)
    MembershipFactory(user=annotator, project=project, role="reviewer")
    with pytest.raises(PermissionDenied, match="You annotated this article"):
        _add(article, annotator, ZELENSKY)  # self-review is off in this project
    assert not Span.objects.filter(annotation_set__is_gold=True).exists()


def _api(article, user, **data):
    url = reverse("api:adjudication-add-missed", args=[article.project.slug, article.pk])
    return token_client(user).post(url, data, format="json")


def test_the_api_adds_a_missed_span_and_a_claim_on_it(project, article, reviewer, submitted):
    start = article.body.index(ZELENSKY)
    response = _api(
        article,
        reviewer,
        kind="span",
        start=start,
        end=start + 11,
        quote=ZELENSKY,
        label="claim",
        note="The annotators skipped it.",
    )
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "added" and response.json()["reason_code"] == "missed"
    span = _gold(article).spans.get()
    response = _api(
        article,
        reviewer,
        kind="claim",
        span_id=span.pk,
        claim_type="warning",
        claimant=project.actors.get(name="Dmitry Peskov").pk,
        reliability="C",
        credibility=3,
    )
    assert response.status_code == 201, response.content
    assert _gold(article).claims.get().grading == "C3"


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        ({"kind": "span", "start": 5, "label": "actor"}, 400, "end"),
        ({"kind": "span", "start": 4, "end": 2, "label": "actor"}, 400, "outside the text"),
        ({"kind": "span", "start": 0, "end": 7, "label": "nope"}, 400, "No label named"),
        ({"kind": "span", "start": 0, "end": 7, "quote": "Moscow", "label": "actor"}, 400, "not"),
        ({"kind": "claim", "span_id": 999999, "claim_type": "warning"}, 400, "span_id"),
        ({"kind": "threat"}, 400, "kind"),
    ],
)
def test_the_api_says_what_is_wrong(article, reviewer, submitted, data, status, says):
    response = _api(article, reviewer, **data)
    assert response.status_code == status
    assert says in response.content.decode()
    assert not Span.objects.filter(annotation_set__is_gold=True).exists()


def test_the_api_refuses_when_the_project_does_not_allow_it(project, article, reviewer, submitted):
    project.allow_missed_items = False
    project.save()
    response = _api(article, reviewer, kind="span", start=0, end=7, label="actor")
    assert response.status_code == 409
    assert "does not let reviewers add" in response.json()["detail"]


def _page(article):
    return reverse("annotations:adjudicate", args=[article.project.slug, article.pk])


def _post(client, article, **data):
    version = getattr(
        AnnotationSet.objects.filter(article=article, is_gold=True).first(), "version", 0
    )
    return client.post(_page(article), {"version": version, **data}, HTTP_HX_REQUEST="true")


def test_the_page_adds_a_missed_span_and_the_claim_it_states(
    client, project, article, reviewer, submitted
):
    client.force_login(reviewer)
    assert 'id="missed-form"' in client.get(_page(article)).content.decode()
    sentence = "Kremlin spokesperson Dmitry Peskov warned the US and NATO."
    start = article.body.index(sentence)
    end = start + len(sentence)
    claim_label = project.labels.get(name="claim")
    response = _post(
        client,
        article,
        action="add_missed",
        start=start,
        end=end,
        quote=sentence,
        label=claim_label.pk,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Added (missed)" in html and "Add the claim it states" in html  # in place
    span = _gold(article).spans.get()
    response = _post(
        client,
        article,
        action="add_missed_claim",
        span=span.pk,
        claim_type=project.claim_types.get(name="warning").pk,
        reliability="A",
        credibility=1,
    )
    assert response.status_code == 200
    assert _gold(article).claims.get().grading == "A1"
    response = _post(
        client,
        article,
        action="add_missed",
        start=start,
        end=end,
        quote="Kremlin",
        label=claim_label.pk,
    )
    assert response.status_code == 400
    assert "The text at" in response.content.decode()  # the wrong quote named


def test_the_page_offers_no_form_when_the_project_does_not_allow_it(
    client, project, article, reviewer, submitted
):
    project.allow_missed_items = False
    project.save()
    client.force_login(reviewer)
    assert 'id="missed-form"' not in client.get(_page(article)).content.decode()
    response = _post(
        client,
        article,
        action="add_missed",
        start=0,
        end=7,
        label=project.labels.get(name="actor").pk,
    )
    assert response.status_code == 409
    assert "does not let reviewers add" in response.content.decode()


def test_a_manager_turns_adding_missed_items_off_and_on_in_the_projects_options(
    client, project, manager
):
    client.force_login(manager)
    url = reverse("annotations:project-options", args=[project.slug])
    page = client.get(url).content.decode()
    assert "Reviewers may add what the annotators missed" in page
    assert re.search(r'<input[^>]*name="allow_missed_items"[^>]*checked', page)  # the default
    assert client.post(url, {"annotators_can_create_actors": "on"}).status_code == 302
    project.refresh_from_db()
    assert not project.allow_missed_items and project.annotators_can_create_actors
    client.post(url, {"allow_missed_items": "on"})
    project.refresh_from_db()
    assert project.allow_missed_items and not project.annotators_can_create_actors
