"""Permissions of the annotate page's endpoints beyond the matrix of tests/test_url_permissions.py
(which runs every URL past every kind of visitor): what a refused request leaves unchanged, and
what a project's settings allow."""

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


OWNER_EDITS = {"manager": 403, "annotator": 200, "annotator2": 404, "reviewer": 403}


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
    label = world["project"].labels.get(name="actor")
    key = f"{start}-{start + 4}-{label.pk}-{nato.pk}"
    response = client.post(url, {"suggestion": key}, headers=HX)
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
