"""MISP event JSON loaded back with PyMISP: the claimant, targets, Admiralty grading and threat
level survive."""

from pymisp import MISPEvent

from annotations.exports import export
from annotations.exports.misp import HIGH, LOW, MEDIUM, UNDEFINED, misp_threat_level


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
