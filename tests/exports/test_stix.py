"""The STIX 2.1 bundle checked by the OASIS libraries: stix2-validator finds no error, stix2
parses every object, and the claimant, targets, Admiralty grading and threat level survive."""

import json

import stix2
from stix2validator import ValidationOptions, validate_string

from annotations.exports import export
from annotations.models import Claim
from annotations.services import actor_save
from tests.factories import ActorFactory


def bundle_of(project, tmp_path):
    [path] = export(project=project, format="stix", stem=tmp_path / "out")
    return path.read_text()


def test_the_stix_bundle_passes_the_oasis_validator_and_parses(gold_project, tmp_path):
    text = bundle_of(gold_project, tmp_path)
    results = validate_string(text, ValidationOptions(version="2.1", strict=False))
    assert results.is_valid, [str(error) for error in results.errors]
    assert results.errors == []
    bundle = stix2.parse(text, allow_custom=True)
    assert len(bundle.objects) == len(json.loads(text)["objects"])


def test_claimant_targets_grading_and_threat_level_survive_into_stix(gold_project, tmp_path):
    bundle = stix2.parse(bundle_of(gold_project, tmp_path), allow_custom=True)
    objects = {o.id: o for o in bundle.objects}
    by_type = {}
    for item in bundle.objects:
        by_type.setdefault(item.type, []).append(item)
    names = {o.id: o.name for o in objects.values() if o.type in ("identity", "threat-actor")}
    russia = next(o for o in by_type["identity"] if o.name == "Russia")
    assert russia.external_references[0].external_id == "Q159"
    assert russia.external_references[0].source_name == "wikidata"
    assert russia.x_workbench_kind == "state"
    [relationship] = by_type["relationship"]
    assert names[relationship.source_ref] == "Dmitry Peskov"
    assert names[relationship.target_ref] == "NATO"
    assert relationship.relationship_type == "warning"
    assert relationship.confidence == 70  # credibility 2, "probably true"
    assert relationship.x_workbench_admiralty == "B2"
    claim = next(n for n in by_type["note"] if n.abstract == "warning claim")
    assert claim.content.startswith("Peskov warned the US and NATO")
    assert claim.x_workbench_span["quote"] == "Peskov warned the US and NATO"
    assert claim.external_references[0].external_id.startswith("urn:uuid:")
    threat = next(n for n in by_type["note"] if n.abstract.startswith("threat level"))
    assert threat.x_workbench_threat_level == {"level": "moderate", "rank": 1}
    assert threat.content == "words"
    assert threat.object_refs == [claim.id]
    reports = by_type["report"]
    assert len(reports) == 3
    first = next(r for r in reports if r.name == "Russia warns US, NATO")
    assert {relationship.id, claim.id, threat.id} <= set(first.object_refs)
    arabic = next(r for r in reports if r.name == "روسيا")
    assert arabic.external_references[0].url == "https://example.org/a"


def test_actors_carry_aliases_description_and_affiliation_chain_into_stix(gold_project, tmp_path):
    """The registry entry travels with each actor: an identity's aliases in
    x_workbench_aliases, a threat actor's in aliases, and each affiliation as a part-of
    relationship to the affiliated actor's object, up the chain, all in the bundle."""
    project = gold_project
    russia = project.actors.get(name="Russia")
    kremlin = ActorFactory(project=project, name="Kremlin", kind="government_body")
    actor_save(
        project=project,
        actor=kremlin,
        name="Kremlin",
        kind="government_body",
        affiliation=russia,
        aliases=["Presidential Administration"],
    )
    peskov = project.actors.get(name="Dmitry Peskov")
    actor_save(
        project=project,
        actor=peskov,
        name="Dmitry Peskov",
        kind="person",
        affiliation=kremlin,
        description="Press secretary.",
        aliases=["Песков"],
    )
    wagner = ActorFactory(project=project, name="Wagner Group", kind="armed_group")
    actor_save(
        project=project,
        actor=wagner,
        name="Wagner Group",
        kind="armed_group",
        affiliation=russia,
        aliases=["PMC Wagner", "Africa Corps"],
        external_id="Q27148324",
    )
    Claim.objects.get(annotation_set__is_gold=True).targets.add(wagner)
    text = bundle_of(project, tmp_path)
    results = validate_string(text, ValidationOptions(version="2.1", strict=False))
    assert results.is_valid and results.errors == [], [str(e) for e in results.errors]
    bundle = stix2.parse(text, allow_custom=True)
    objects = {o.id: o for o in bundle.objects}
    named = {o.name: o for o in bundle.objects if o.type in ("identity", "threat-actor")}
    assert named["Dmitry Peskov"].x_workbench_aliases == ["Песков"]
    assert named["Dmitry Peskov"].description == "Press secretary."
    assert named["Wagner Group"].type == "threat-actor"
    assert named["Wagner Group"].aliases == ["Africa Corps", "PMC Wagner"]
    assert named["Wagner Group"].external_references[0].external_id == "Q27148324"
    part_of = {
        (objects[r.source_ref].name, objects[r.target_ref].name)
        for r in bundle.objects
        if r.type == "relationship" and r.relationship_type == "part-of"
    }
    assert part_of == {
        ("Dmitry Peskov", "Kremlin"),
        ("Kremlin", "Russia"),
        ("Wagner Group", "Russia"),
    }
    # The Kremlin is named in no article but is in the report of the article naming Peskov.
    report = next(r for r in bundle.objects if r.type == "report" and r.name.startswith("Russia"))
    assert named["Kremlin"].id in report.object_refs
    assert all(
        ref in objects for r in bundle.objects if r.type == "report" for ref in r.object_refs
    )
