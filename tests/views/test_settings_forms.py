"""Settings forms refused without htmx: the whole page comes back (400) with the message beside
the field and every other row intact, never one bare line."""

from django.urls import reverse

from tests.factories import ActorFactory


def test_it_shows_an_upper_case_hotkey_beside_the_field_on_the_whole_page(client, manager, project):
    client.force_login(manager)
    label = project.labels.first()
    response = client.post(
        reverse("annotations:vocabulary-save", args=[project.slug, "labels", label.pk]),
        {
            f"item-{label.pk}-name": label.name,
            f"item-{label.pk}-kind": label.kind,
            f"item-{label.pk}-colour": label.colour,
            f"item-{label.pk}-hotkey": "Q",
            f"item-{label.pk}-position": label.position,
        },
    )
    assert response.status_code == 400
    text = response.text
    assert f'id="id_item-{label.pk}-hotkey_error"' in text
    assert "A hotkey is one lower-case letter or digit." in text
    assert all(other.name in text for other in project.labels.all())
    label.refresh_from_db()
    assert label.hotkey != "Q"


def test_it_keeps_the_actor_page_when_a_rename_collides(client, manager, project):
    ActorFactory(project=project, name="NATO")
    actor = ActorFactory(project=project, name="OTAN")
    client.force_login(manager)
    response = client.post(
        reverse("annotations:actor-edit", args=[project.slug, actor.pk]),
        {"name": "NATO", "kind": actor.kind, "aliases": ""},
    )
    assert response.status_code == 400
    assert "<h1>OTAN</h1>" in response.text
    assert 'id="id_name_error"' in response.text
    assert "Another actor in this project has this canonical name." in response.text
