"""A gold set changes only through adjudication decisions: on every path (the API, the annotate
page's endpoints, the services called directly), no role writes it, not even a reviewer, and
not a reviewer who annotated the article (whom self-review bars from adjudicating it). What a
release of the approved gold set holds is what the decisions put there, and nothing else."""

from pathlib import Path

import orjson
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from annotations import adjudication, assignment, services
from annotations.models import (
    AdjudicationDecision,
    AnnotationSet,
    Claim,
    HistoryRecord,
    Release,
    Span,
    ThreatAssessment,
)
from annotations.releases import release_create
from tests.api.conftest import token_client
from tests.factories import MembershipFactory, UserFactory

SENTENCE = "Kremlin spokesperson Dmitry Peskov warned the US and NATO."
REFUSED = "A gold set changes only through adjudication decisions."


def _annotate(annotation_set, project, mark):
    """The same spans, claim and threat level in every annotator's set (all unanimous)."""
    mark(annotation_set, "Dmitry Peskov", "actor", "Dmitry Peskov")
    sentence = mark(annotation_set, SENTENCE, "claim")
    claim = services.claim_create(
        annotation_set=annotation_set,
        span=sentence,
        claim_type=project.claim_types.get(name="warning"),
        claimant=project.actors.get(name="Dmitry Peskov"),
        targets=[project.actors.get(name="NATO")],
        reliability="B",
        credibility=2,
        user=annotation_set.annotator,
    )
    services.threat_assessment_set(
        annotation_set=annotation_set,
        level=project.threat_levels.get(name="moderate"),
        claims=[claim],
        user=annotation_set.annotator,
    )
    services.annotation_set_submit(annotation_set=annotation_set, user=annotation_set.annotator)


@pytest.fixture
def rhea(project):
    """A reviewer who is also an annotator of the project, and annotated the article."""
    user = UserFactory(username="rhea")
    for role in ("annotator", "reviewer"):
        MembershipFactory(user=user, project=project, role=role)
    return user


@pytest.fixture
def gold(project, article, manager, annotator, annotator2, reviewer, rhea, actors, mark):
    """The article annotated by anna, alex and rhea, and adjudication under way: the reviewer
    accepted every unanimous item, so the gold set holds two spans, a claim and a threat
    assessment, and is not approved yet."""
    for user in (annotator, annotator2, rhea):
        annotation_set = assignment.assignment_create(article=article, annotator=user, user=manager)
        _annotate(annotation_set, project, mark)
    adjudication.adjudication_accept_unanimous(article=article, user=reviewer, expected_version=0)
    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    assert gold.spans.count() == 2 and gold.claims.count() == 1
    return gold


def gold_state(gold):
    """Everything a write could change: the gold rows, the set's version and the history."""
    gold.refresh_from_db()
    return {
        "version": gold.version,
        "status": gold.status,
        "spans": sorted(
            Span.objects.filter(annotation_set=gold).values_list(
                "pk", "start", "end", "label_id", "actor_id", "note"
            )
        ),
        "claims": sorted(
            Claim.objects.filter(annotation_set=gold).values_list(
                "pk", "span_id", "claim_type_id", "reliability", "credibility", "note"
            )
        ),
        "threat": list(
            ThreatAssessment.objects.filter(annotation_set=gold).values_list(
                "level_id", "rationale"
            )
        ),
        "history": HistoryRecord.objects.filter(project_id=gold.article.project_id).count(),
    }


# The API.

API_WRITES = {
    "span create": ("post", "api:span-list", None),
    "span update": ("patch", "api:span-detail", "span"),
    "span delete": ("delete", "api:span-detail", "span"),
    "claim create": ("post", "api:claim-list", None),
    "claim update": ("patch", "api:claim-detail", "claim"),
    "claim delete": ("delete", "api:claim-detail", "claim"),
    "threat assessment set": ("put", "api:threat-assessment", None),
    "threat assessment delete": ("delete", "api:threat-assessment", None),
}


def _api_data(what, gold, project):
    span = gold.spans.order_by("start").first()
    return {
        "span create": {"start": 0, "end": 7, "quote": "Kremlin", "label": "actor"},
        "span update": {"note": "changed"},
        "claim create": {"span": span.pk, "claim_type": "denial"},
        "claim update": {"reliability": "F"},
        "threat assessment set": {"level": "critical"},
    }.get(what, {})


def _kwargs(gold, target):
    kwargs = {"slug": gold.article.project.slug, "set_id": gold.pk}
    if target == "span":
        kwargs["span_id"] = gold.spans.get(quote="Dmitry Peskov").pk
    elif target == "claim":
        kwargs["claim_id"] = gold.claims.get().pk
    return kwargs


# Annotators do not see gold sets (404); every other role is refused (403), on the API and on
# the page alike.
REFUSAL = {"manager": 403, "annotator": 404, "reviewer": 403, "rhea": 403}


@pytest.mark.parametrize("what", sorted(API_WRITES))
def test_no_role_writes_a_gold_set_through_the_api(request, gold, project, what):
    method, name, target = API_WRITES[what]
    before = gold_state(gold)
    url = reverse(name, kwargs=_kwargs(gold, target))
    for who, status in REFUSAL.items():
        client = token_client(request.getfixturevalue(who))
        response = getattr(client, method)(url, _api_data(what, gold, project), format="json")
        assert response.status_code == status, (who, response.content)
        if status == 403:
            assert REFUSED in response.json()["detail"]
        assert gold_state(gold) == before, who


# The annotate page's endpoints.

PAGE_WRITES = {
    "span create": ("annotations:span-create", None),
    "span update": ("annotations:span-update", "span"),
    "span delete": ("annotations:span-delete", "span"),
    "suggestions accept": ("annotations:suggestions-accept", None),
    "claim create": ("annotations:claim-create", None),
    "claim update": ("annotations:claim-update", "claim"),
    "claim delete": ("annotations:claim-delete", "claim"),
    "threat set": ("annotations:threat-set", None),
    "threat delete": ("annotations:threat-delete", None),
}


def _page_data(what, gold, project):
    span = gold.spans.order_by("start").first()
    label = project.labels.get(name="actor")
    nato = project.actors.get(name="NATO")
    at = gold.article.body.index("NATO")
    return {
        "span create": {"start": 0, "end": 7, "quote": "Kremlin", "label": label.pk},
        "span update": {"note": "changed"},
        "suggestions accept": {"suggestion": f"{at}-{at + 4}-{label.pk}-{nato.pk}"},
        "claim create": {"span": span.pk, "claim_type": project.claim_types.first().pk},
        "claim update": {"claim_type": project.claim_types.first().pk, "reliability": "F"},
        "threat set": {"level": project.threat_levels.last().pk},
    }.get(what, {})


@pytest.mark.parametrize("what", sorted(PAGE_WRITES))
def test_no_role_writes_a_gold_set_through_the_annotate_page(request, gold, project, what):
    name, target = PAGE_WRITES[what]
    before = gold_state(gold)
    url = reverse(name, kwargs=_kwargs(gold, target))
    for who, status in REFUSAL.items():
        client = Client()
        client.force_login(request.getfixturevalue(who))
        data = _page_data(what, gold, project)
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == status, who
        assert gold_state(gold) == before, who


# The services, called directly (a command, a shell, a future view).


def _service_calls(gold, project, user):
    span = gold.spans.get(quote="Dmitry Peskov")
    claim = gold.claims.get()
    label = project.labels.get(name="location")
    return {
        "span_create": lambda: services.span_create(
            annotation_set=gold, start=0, end=7, quote="Kremlin", label=label, user=user
        ),
        "span_create_many": lambda: services.span_create_many(
            annotation_set=gold,
            spans=[{"start": 0, "end": 7, "quote": "Kremlin", "label": label}],
            user=user,
        ),
        "span_update": lambda: services.span_update(span=span, note="changed", user=user),
        "span_delete": lambda: services.span_delete(span=span, user=user),
        "claim_create": lambda: services.claim_create(
            annotation_set=gold,
            span=claim.span,
            claim_type=project.claim_types.get(name="denial"),
            user=user,
        ),
        "claim_update": lambda: services.claim_update(claim=claim, reliability="F", user=user),
        "claim_delete": lambda: services.claim_delete(claim=claim, user=user),
        "threat_assessment_set": lambda: services.threat_assessment_set(
            annotation_set=gold, level=project.threat_levels.get(name="critical"), user=user
        ),
        "threat_assessment_delete": lambda: services.threat_assessment_delete(
            annotation_set=gold, user=user
        ),
    }


def test_no_annotating_service_writes_a_gold_set(gold, project, reviewer):
    before = gold_state(gold)
    for name, call in _service_calls(gold, project, reviewer).items():
        with pytest.raises(PermissionDenied, match=REFUSED):
            call()
        assert gold_state(gold) == before, name


def test_a_reviewer_who_annotated_the_article_may_neither_adjudicate_nor_write_gold(
    gold, project, rhea
):
    before = gold_state(gold)
    with pytest.raises(PermissionDenied, match="You annotated this article"):
        adjudication.adjudication_reject(
            article=gold.article,
            user=rhea,
            key="threat",
            reason_code="wrong_label",
            expected_version=gold.version,
        )
    for call in _service_calls(gold, project, rhea).values():
        with pytest.raises(PermissionDenied, match=REFUSED):
            call()
    assert gold_state(gold) == before


def test_only_adjudication_enters_the_gold_write_path():
    """`services.adjudicating` is the one way into a gold set: nothing but the adjudication
    services uses it."""
    root = Path(services.__file__).parent
    users = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "adjudicating(" in path.read_text()
    )
    assert users == ["adjudication.py", "services.py"]


# Decisions still write the gold set, each recorded.


def test_a_decision_writes_the_gold_set_with_its_record_reason_and_history(gold, project, reviewer):
    before = gold_state(gold)
    decision = adjudication.adjudication_edit(
        article=gold.article,
        user=reviewer,
        key="threat",
        changes={"level": project.threat_levels.get(name="severe")},
        reason_code="guideline",
        note="Troop movements.",
        expected_version=gold.version,
    )
    after = gold_state(gold)
    assert after["threat"] == [(project.threat_levels.get(name="severe").pk, "")]
    assert after["version"] > before["version"]
    assert decision.outcome == AdjudicationDecision.Outcome.EDITED
    assert decision.reason_code == "guideline"
    records = HistoryRecord.objects.filter(annotation_set_id=gold.pk).order_by("-sequence")
    newest = [(r.action, r.object_type, r.username) for r in records[:3]]
    assert newest == [
        ("update", "decision", "rita"),
        ("create", "threat_assessment", "rita"),
        ("delete", "threat_assessment", "rita"),
    ]
    assert records[0].after["reason_code"] == "guideline"


def test_adjudication_records_the_gold_set_it_creates(gold):
    record = HistoryRecord.objects.get(
        annotation_set_id=gold.pk, object_type="annotation_set", action="create"
    )
    assert (record.username, record.after) == (
        "rita",
        {"status": "assigned", "gold": True},
    )


def test_a_release_after_refused_writes_holds_only_adjudicated_items(
    request,
    gold,
    project,
    manager,
    reviewer,
    rhea,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = str(tmp_path)
    for who in ("reviewer", "rhea", "manager"):
        client = token_client(request.getfixturevalue(who))
        spans = reverse("api:span-list", kwargs=_kwargs(gold, None))
        client.post(spans, {"start": 0, "end": 7, "quote": "Kremlin", "label": "actor"})
        threat = reverse("api:threat-assessment", kwargs=_kwargs(gold, None))
        client.put(threat, {"level": "critical"}, format="json")
        page = Client()
        page.force_login(request.getfixturevalue(who))
        page.post(
            reverse("annotations:span-create", kwargs=_kwargs(gold, None)),
            {
                "start": 0,
                "end": 7,
                "quote": "Kremlin",
                "label": project.labels.get(name="actor").pk,
            },
            headers={"HX-Request": "true"},
        )
    gold.refresh_from_db()
    adjudication.gold_set_approve(
        article=gold.article, user=reviewer, expected_version=gold.version
    )

    with django_capture_on_commit_callbacks(execute=True):
        release = release_create(project=project, user=manager, formats=["native"])
    release = Release.objects.get(pk=release.pk)
    assert release.status == Release.Status.READY, release.error
    lines = [
        orjson.loads(line)
        for file in release.files.filter(format="native")
        for line in (tmp_path / file.path).read_bytes().splitlines()
    ]
    assert len(lines) == 1
    (line,) = lines
    decided = AdjudicationDecision.objects.filter(gold_set=gold)
    decided_spans = {(d.gold_span.start, d.gold_span.end) for d in decided if d.gold_span}
    assert {(s["start"], s["end"]) for s in line["spans"]} == decided_spans
    assert "Kremlin" not in {s["quote"] for s in line["spans"]}
    assert len(line["claims"]) == 1
    assert line["threat_assessment"]["level"] == "moderate"
