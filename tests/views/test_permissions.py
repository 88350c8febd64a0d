"""Every browser page and endpoint past every kind of visitor: anonymous users go to the login
page, outsiders and members of other projects get 404, members in the wrong role 403."""

import pytest
from django.urls import reverse

from annotations.models import Actor, Claim, ClaimType, Span
from tests.factories import SpanFactory

HX = {"HX-Request": "true"}
EVERYONE = ["manager", "annotator", "annotator2", "reviewer", "outsider", "other_project_member"]


@pytest.fixture
def world(project, annotation_set, article):
    """An annotator's set with a span, an actor and a claim on it."""
    label = project.labels.get(name="actor")
    actor = Actor.objects.create(project=project, name="Dmitry Peskov")
    span = SpanFactory(annotation_set=annotation_set, start=21, end=34, label=label, actor=actor)
    claim = Claim.objects.create(
        annotation_set=annotation_set,
        span=span,
        claim_type=ClaimType.objects.filter(project=project).first(),
        claimant=actor,
    )
    return {
        "project": project,
        "set": annotation_set,
        "article": article,
        "span": span,
        "claim": claim,
        "actor": actor,
        "label": label,
        "level": project.threat_levels.first(),
    }


def _set_args(w, *more):
    return [w["project"].slug, w["set"].pk, *more]


# name -> (method, url args, POST data, expected status per visitor)
PAGE = {"manager": 200, "annotator": 200, "annotator2": 200, "reviewer": 200}
MANAGER_ONLY = {"manager": 200, "annotator": 403, "annotator2": 403, "reviewer": 403}
ANNOTATOR_ONLY = {"manager": 403, "annotator": 200, "annotator2": 200, "reviewer": 403}
OWNER_EDITS = {"manager": 403, "annotator": 200, "annotator2": 404, "reviewer": 403}
OWNER_OR_STAFF_SEES = {"manager": 200, "annotator": 200, "annotator2": 404, "reviewer": 200}

CASES = {
    "article-list": ("get", lambda w: [w["project"].slug], None, PAGE),
    "label-css": ("get", lambda w: [w["project"].slug], None, PAGE),
    "queue-next": ("get", lambda w: [w["project"].slug], None, ANNOTATOR_ONLY),
    "article-upload": ("get", lambda w: [w["project"].slug], None, MANAGER_ONLY),
    "guidelines": ("get", lambda w: [w["project"].slug], None, MANAGER_ONLY),
    "guidelines-post": ("post", lambda w: [w["project"].slug], {"text": "New."}, MANAGER_ONLY),
    "actor-list": ("get", lambda w: [w["project"].slug], None, MANAGER_ONLY),
    "actor-edit": ("get", lambda w: [w["project"].slug, w["actor"].pk], None, MANAGER_ONLY),
    "actor-create": (
        "post",
        lambda w: [w["project"].slug],
        {"name": "NATO", "kind": "international_organisation", "aliases": "the Alliance"},
        MANAGER_ONLY,
    ),
    "vocabulary": ("get", lambda w: [w["project"].slug, "labels"], None, MANAGER_ONLY),
    "vocabulary-create": (
        "post",
        lambda w: [w["project"].slug, "claim-types"],
        {"new-name": "ultimatum", "new-position": "9"},
        MANAGER_ONLY,
    ),
    "vocabulary-save": (
        "post",
        lambda w: [w["project"].slug, "labels", w["label"].pk],
        None,  # built by _label_data
        MANAGER_ONLY,
    ),
    "annotate": ("get", lambda w: [w["project"].slug, w["article"].pk], None, ANNOTATOR_ONLY),
    "span-create": (
        "post",
        lambda w: _set_args(w),
        lambda w: {"start": 0, "end": 7, "quote": "Kremlin", "label": w["label"].pk},
        OWNER_EDITS,
    ),
    "span-detail": (
        "get",
        lambda w: _set_args(w, w["span"].pk),
        None,
        OWNER_OR_STAFF_SEES,
    ),
    "span-update": (
        "post",
        lambda w: _set_args(w, w["span"].pk),
        {"note": "spokesperson"},
        OWNER_EDITS,
    ),
    "actor-search": ("get", lambda w: _set_args(w, w["span"].pk), None, OWNER_EDITS),
    "suggestions": ("get", lambda w: _set_args(w), None, OWNER_EDITS),
    "claim-create": (
        "post",
        lambda w: _set_args(w),
        lambda w: {
            "span": w["span"].pk,
            "claim_type": w["claim"].claim_type_id,
            "claimant": w["actor"].pk,
        },
        OWNER_EDITS,
    ),
    "claim-update": (
        "post",
        lambda w: _set_args(w, w["claim"].pk),
        lambda w: {"claim_type": w["claim"].claim_type_id, "reliability": "C"},
        OWNER_EDITS,
    ),
    "claim-delete": ("post", lambda w: _set_args(w, w["claim"].pk), {}, OWNER_EDITS),
    "threat-set": ("post", lambda w: _set_args(w), lambda w: {"level": w["level"].pk}, OWNER_EDITS),
    "threat-delete": ("post", lambda w: _set_args(w), {}, OWNER_EDITS),
    "submit": ("post", lambda w: _set_args(w), {}, OWNER_EDITS),
}
# Endpoints whose URL name differs from the case name, and data built from the world.
URL_NAMES = {"guidelines-post": "guidelines"}


def _label_data(w):
    fields = {"name": "actor", "kind": "entity", "colour": "#000000", "hotkey": "a", "position": 0}
    return {f"item-{w['label'].pk}-{k}": v for k, v in fields.items()}


def _request(client, case, w):
    method, args, data, _ = CASES[case]
    if case == "vocabulary-save":
        data = _label_data(w)
    if callable(data):
        data = data(w)
    url = reverse(f"annotations:{URL_NAMES.get(case, case)}", args=args(w))
    if method == "get":
        return client.get(url, headers=HX)
    return client.post(url, data or {}, headers=HX)


TESTED = list(CASES)


@pytest.mark.parametrize("case", TESTED)
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, case):
    response = _request(client, case, world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("case", TESTED)
@pytest.mark.parametrize("visitor", EVERYONE)
def test_it_allows_each_role_only_its_own_pages(client, roles, world, case, visitor):
    client.force_login(roles[visitor])
    response = _request(client, case, world)
    expected = CASES[case][3].get(visitor, 404)
    if expected == 200 and case == "queue-next":
        expected = 302  # to the next article
    assert response.status_code == expected, response.content[:500]


@pytest.mark.parametrize("visitor", EVERYONE)
def test_it_lets_only_the_owner_delete_a_span(client, roles, world, visitor):
    client.force_login(roles[visitor])
    span = SpanFactory(annotation_set=world["set"], start=0, end=7, label=world["label"])
    url = reverse("annotations:span-delete", args=_set_args(world, span.pk))
    response = client.post(url, headers=HX)
    assert response.status_code == OWNER_EDITS.get(visitor, 404)
    assert Span.objects.filter(pk=span.pk).exists() == (visitor != "annotator")


@pytest.mark.parametrize("visitor", EVERYONE)
def test_it_lets_only_the_owner_accept_suggestions(client, roles, world, visitor):
    Actor.objects.create(project=world["project"], name="NATO")
    nato = Actor.objects.get(name="NATO")
    start = world["article"].body.index("NATO")
    client.force_login(roles[visitor])
    url = reverse("annotations:suggestions-accept", args=_set_args(world))
    response = client.post(url, {"suggestion": f"{start}-{start + 4}-{nato.pk}"}, headers=HX)
    assert response.status_code == OWNER_EDITS.get(visitor, 404)
    assert Span.objects.filter(actor=nato).exists() == (visitor == "annotator")


@pytest.mark.parametrize(
    ("allowed", "visitor", "expected"),
    [(False, "annotator", 403), (True, "annotator", 200), (True, "annotator2", 404)],
)
def test_it_lets_annotators_create_actors_inline_only_when_the_project_allows(
    client, roles, world, allowed, visitor, expected
):
    world["project"].annotators_can_create_actors = allowed
    world["project"].save()
    client.force_login(roles[visitor])
    url = reverse("annotations:actor-create-inline", args=_set_args(world, world["span"].pk))
    response = client.post(url, {"name": "Peskov's office", "kind": "other"}, headers=HX)
    assert response.status_code == expected
    assert Actor.objects.filter(name="Peskov's office").exists() == (expected == 200)


def test_it_lists_only_my_projects(client, annotator, project, other_project):
    client.force_login(annotator)
    response = client.get(reverse("annotations:project-list"))
    assert response.status_code == 200
    assert project.name in response.text
    assert other_project.name not in response.text
