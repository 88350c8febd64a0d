"""MISP event JSON loaded back with PyMISP: the claimant, targets, Admiralty grading and threat
level survive."""

from pymisp import MISPEvent, MISPObject

from annotations.exports import export
from annotations.exports.misp import HIGH, LOW, MEDIUM, UNDEFINED, misp_threat_level
from annotations.services import actor_save
from tests.factories import ActorFactory


def events_of(project, tmp_path):
    [path] = export(project=project, format="misp", stem=tmp_path / "out")
    events = []
    for line in path.read_text().splitlines():
        event = MISPEvent()
        event.load(line)
        events.append(event)
    return events


def test_every_line_loads_in_pymisp_with_claims_grading_and_threat(gold_project, tmp_path):
    events = events_of(gold_project, tmp_path)
    assert len(events) == 3
    first = next(e for e in events if e.info == "Russia warns US, NATO")
    assert first.threat_level_id == 3  # "moderate", second of five levels: MISP's low
    assert [t.name for t in first.tags] == ['workbench:threat-level="moderate"']
    [claim] = [a for a in first.attributes if a.comment.startswith("warning claim")]
    assert claim.value == "Peskov warned the US and NATO"
    assert claim.comment == "warning claim by Dmitry Peskov against NATO (B2)"
    assert sorted(t.name for t in claim.tags) == [
        'admiralty-scale:information-credibility="2"',
        'admiralty-scale:source-reliability="b"',
    ]
    actors = {a.value: a.comment for a in first.attributes if a.comment.startswith("actor")}
    assert actors["Russia"] == "actor (state, Q159)"
    assert {"Dmitry Peskov", "NATO"} <= set(actors)
    [rationale] = [a for a in first.attributes if a.type == "comment"]
    assert rationale.value == "words"
    arabic = next(e for e in events if e.info == "روسيا")
    assert arabic.threat_level_id == 4
    assert [a.value for a in arabic.attributes if a.type == "link"] == ["https://example.org/a"]


def test_the_project_threat_scale_is_cut_in_thirds_onto_misps():
    scale = ("low", "moderate", "substantial", "severe", "critical")
    assert [misp_threat_level(level, scale) for level in scale] == [LOW, LOW, MEDIUM, HIGH, HIGH]
    assert misp_threat_level(None, scale) == UNDEFINED


def test_actors_carry_their_registry_entry_as_misp_objects(gold_project, tmp_path):
    """Each actor is also a FollowTheMoney object (ftm-Person, ftm-Organization) with its
    aliases, kind, Wikidata QID and description, referencing its affiliation's object up the
    chain; an affiliated actor the article does not name has its object and no attribute."""
    project = gold_project
    russia = project.actors.get(name="Russia")
    kremlin = ActorFactory(project=project, name="Kremlin", kind="government_body")
    actor_save(
        project=project,
        actor=kremlin,
        name="Kremlin",
        kind="government_body",
        affiliation=russia,
        external_id="K-1",
    )
    peskov = project.actors.get(name="Dmitry Peskov")
    actor_save(
        project=project,
        actor=peskov,
        name="Dmitry Peskov",
        kind="person",
        affiliation=kremlin,
        description="Press secretary.",
        aliases=["Песков", "Dmitry Sergeyevich Peskov"],
    )
    first = next(e for e in events_of(project, tmp_path) if e.info == "Russia warns US, NATO")
    objects = {o.get_attributes_by_relation("name")[0].value: o for o in first.objects}
    assert set(objects) == {"Dmitry Peskov", "Kremlin", "NATO", "Russia"}
    person = objects["Dmitry Peskov"]
    assert person.name == "ftm-Person"
    assert [a.value for a in person.get_attributes_by_relation("alias")] == [
        "Dmitry Sergeyevich Peskov",
        "Песков",
    ]
    assert person.get_attributes_by_relation("classification")[0].value == "person"
    assert person.get_attributes_by_relation("description")[0].value == "Press secretary."
    assert objects["Russia"].name == "ftm-Organization"
    assert objects["Russia"].get_attributes_by_relation("wikidataId")[0].value == "Q159"
    assert objects["Kremlin"].get_attributes_by_relation("idNumber")[0].value == "K-1"
    chain = {
        name: [(r.relationship_type, r.referenced_uuid) for r in o.references]
        for name, o in objects.items()
    }
    assert chain["Dmitry Peskov"] == [("affiliated", objects["Kremlin"].uuid)]
    assert chain["Kremlin"] == [("affiliated", objects["Russia"].uuid)]
    assert chain["NATO"] == chain["Russia"] == []
    named = {a.value for a in first.attributes if a.comment.startswith("actor")}
    assert "Kremlin" not in named and "Dmitry Peskov" in named
    # Each object is what MISP's own template allows (PyMISP refuses anything else when strict).
    for item in first.objects:
        template = MISPObject(item.name, strict=True)
        for attribute in item.attributes:
            template.add_attribute(attribute.object_relation, value=attribute.value)
        assert (item.template_uuid, str(item.template_version)) == (
            template.template_uuid,
            str(template.template_version),
        )
