"""One rule matches a name to an actor: the importer, Actor.objects.named and the map agree."""

import json

import pytest

from annotations.actors import actor_key, actors_by_key
from annotations.importing import import_articles
from annotations.models import Actor, Span
from tests.factories import ActorFactory, ProjectFactory


@pytest.mark.parametrize(
    ("written", "registered"),
    [
        ("dmitry peskov", "Dmitry Peskov"),
        ("  Dmitry \t PESKOV ", "Dmitry Peskov"),
        ("STRASSE", "Straße"),
        ("Cafe\u0301 Europa", "Caf\u00e9 Europa"),
    ],
)
def test_it_matches_names_whatever_their_case_spacing_and_composition(written, registered):
    assert actor_key(written) == actor_key(registered)


def test_it_keeps_different_names_apart():
    assert actor_key("Peskov") != actor_key("Peskova")
    assert actor_key("NATO") != actor_key("N A T O")


def test_a_canonical_name_wins_over_another_actors_alias(project):
    kremlin = ActorFactory(project=project, name="Kremlin")
    russia = ActorFactory(project=project, name="Russia")
    russia.aliases.create(name="kremlin")
    russia.aliases.create(name="Moscow")
    found = actors_by_key(project)
    assert found["kremlin"] == kremlin
    assert found["moscow"] == russia
    assert found["russia"] == russia


def test_named_finds_actors_by_name_or_alias_by_the_same_rule(project):
    peskov = ActorFactory(project=project, name="Dmitry Peskov")
    peskov.aliases.create(name="Peskov")
    ActorFactory(project=project, name="Peskova")
    elsewhere = ActorFactory(project=ProjectFactory(slug="other"), name="Peskov")
    assert list(project.actors.named("  dmitry  PESKOV")) == [peskov]
    assert list(project.actors.named("PESKOV")) == [peskov]
    assert list(Actor.objects.named("peskov").order_by("pk")) == [peskov, elsewhere]
    assert list(project.actors.named("   ")) == []


def test_the_importer_links_a_span_to_the_actor_named_by_the_same_rule(project, annotator):
    kremlin = ActorFactory(project=project, name="Kremlin")
    russia = ActorFactory(project=project, name="Russia")
    russia.aliases.create(name="KREMLIN")
    line = {
        "text": "The Kremlin said so.",
        "spans": [{"start": 4, "end": 11, "label": "actor", "actor": " kremlin "}],
    }
    import_articles(
        project=project,
        filename="a.jsonl",
        data=json.dumps(line).encode(),
        annotator=annotator,
    )
    assert Span.objects.get().actor == kremlin
    assert list(project.actors.named(" kremlin ")) == [kremlin, russia]
