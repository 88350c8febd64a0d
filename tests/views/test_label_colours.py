"""A new label gets a colour of its own, on the settings page and through the API, so labels
are told apart at a glance (the highlight's tag carries the name as well)."""

import re

from django.urls import reverse

from annotations.models import LABEL_PALETTE
from tests.api.conftest import token_client


def offered_colour(client, project) -> str:
    page = client.get(reverse("annotations:vocabulary", args=[project.slug, "labels"])).text
    match = re.search(r'name="new-colour" value="(#[0-9a-fA-F]{6})"', page)
    assert match, "the new-label form offers no colour"
    return match.group(1)


def test_it_offers_each_new_label_a_colour_no_label_has(client, manager, project):
    client.force_login(manager)
    for name in ["vessel", "sanction", "cyber operation"]:
        colour = offered_colour(client, project)
        assert colour not in {label.colour for label in project.labels.all()}
        response = client.post(
            reverse("annotations:vocabulary-create", args=[project.slug, "labels"]),
            {"new-name": name, "new-kind": "entity", "new-colour": colour, "new-position": 9},
        )
        assert response.status_code == 302
    colours = [label.colour for label in project.labels.all()]
    assert len(colours) == 10 and len(set(colours)) == 10


def test_it_gives_a_label_created_through_the_api_an_unused_colour(manager, project):
    client = token_client(manager)
    created = [
        client.post(f"/api/v1/projects/{project.slug}/labels/", {"name": name}, format="json")
        for name in ["vessel", "sanction"]
    ]
    assert [response.status_code for response in created] == [201, 201]
    colours = [label.colour for label in project.labels.all()]
    assert len(set(colours)) == len(colours) == 9
    chosen = client.post(
        f"/api/v1/projects/{project.slug}/labels/",
        {"name": "unit", "colour": "#64b5f6"},
        format="json",
    )
    assert chosen.json()["colour"] == "#64b5f6"


def test_it_reuses_the_least_used_colour_once_every_colour_is_taken(manager, project):
    from annotations import services

    for number in range(len(LABEL_PALETTE) - project.labels.count()):
        services.label_create(project=project, name=f"extra {number}")
    assert {label.colour for label in project.labels.all()} == set(LABEL_PALETTE)
    services.label_create(project=project, name="one more")
    assert project.labels.get(name="one more").colour == LABEL_PALETTE[0]
    assert project.labels.next_colour() == LABEL_PALETTE[1]
