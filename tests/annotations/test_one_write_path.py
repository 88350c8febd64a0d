"""Every write of annotation data goes through the services and into the history: after the
seed command and an import (spans, claims, threat assessments written in bulk), every
annotation set in the database has a history record naming it, and the chain verifies.
No module outside the services writes annotation data. (Adjudication's gold sets:
tests/review/test_gold_only_by_adjudication.py.)"""

import ast
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

import annotations as app
from annotations import history
from annotations.importing import import_articles
from annotations.models import AnnotationSet, Claim, HistoryRecord, Project, Span, ThreatAssessment
from tests.factories import ActorFactory


def sets_without_a_creation_record() -> list[AnnotationSet]:
    created = set(
        HistoryRecord.objects.filter(action="create", object_type="annotation_set").values_list(
            "annotation_set_id", flat=True
        )
    )
    return [s for s in AnnotationSet.objects.all() if s.pk not in created]


@pytest.fixture
def seed(db, settings, tmp_path, monkeypatch):
    from annotations.management.commands import seed

    monkeypatch.setattr(seed, "CREDENTIALS_FILE", tmp_path / "demo-credentials.txt")
    settings.SEED_PASSWORD = ""
    return lambda: call_command("seed", stdout=io.StringIO())


def test_every_set_the_seed_makes_is_recorded_and_seeding_twice_adds_none(seed):
    seed()
    project = Project.objects.get(slug="russia-ukraine-demo")
    sets = AnnotationSet.objects.filter(article__project=project)
    assert sorted(sets.values_list("annotator__username", flat=True)) == [
        "annotator1",
        "annotator2",
    ]
    assert sets_without_a_creation_record() == []
    created = HistoryRecord.objects.filter(project=project, object_type="annotation_set")
    assert sorted((r.username, r.after["annotator"]) for r in created) == [
        ("manager", "annotator1"),
        ("manager", "annotator2"),
    ]
    records = HistoryRecord.objects.count()

    seed()
    assert AnnotationSet.objects.filter(article__project=project).count() == 2
    assert HistoryRecord.objects.count() == records
    assert history.verify() == []


NATIVE_LINE = {
    "text": "Kremlin spokesperson Dmitry Peskov warned the US and NATO.",
    "annotator": "anna",
    "spans": [
        {"id": "s1", "start": 21, "end": 34, "label": "actor", "actor": "Dmitry Peskov"},
        {"id": "s2", "start": 0, "end": 58, "label": "claim"},
    ],
    "claims": [
        {"id": "c1", "span": "s2", "claim_type": "warning", "claimant_span": "s1"},
        {"id": "c2", "span": "s2", "claim_type": "threat", "targets": ["NATO"]},
    ],
    "threat_assessment": {"level": "moderate", "rationale": "Words.", "claims": ["c1"]},
}


def test_an_import_records_each_set_it_creates_naming_the_file_and_its_hash(
    project, manager, annotator
):
    for name in ("Dmitry Peskov", "NATO"):
        ActorFactory(project=project, name=name)
    other = {**NATIVE_LINE, "text": "Second article: NATO replied.", "spans": [], "claims": []}
    del other["threat_assessment"]
    data = "\n".join(json.dumps(line) for line in (NATIVE_LINE, other)).encode()
    before = HistoryRecord.objects.count()

    report = import_articles(
        project=project, filename="sets.jsonl", data=data, format="native", user=manager
    )

    assert report.imported == 2
    assert (Span.objects.count(), Claim.objects.count(), ThreatAssessment.objects.count()) == (
        2,
        2,
        1,
    )
    assert sets_without_a_creation_record() == []
    records = HistoryRecord.objects.order_by("sequence")[before:]
    digest = hashlib.sha256(data).hexdigest()
    assert [(r.action, r.object_type, r.username) for r in records] == [
        ("create", "annotation_set", "maria"),
        ("create", "annotation_set", "maria"),
    ]
    assert [r.after["import"] for r in records] == [
        {
            "file": "sets.jsonl",
            "sha256": digest,
            "spans": 2,
            "claims": 2,
            "threat_assessments": 1,
        },
        {"file": "sets.jsonl", "sha256": digest, "spans": 0, "claims": 0, "threat_assessments": 0},
    ]
    assert {r.after["annotator"] for r in records} == {"anna"}
    assert {r.annotation_set_id for r in records} == set(
        AnnotationSet.objects.values_list("pk", flat=True)
    )
    assert history.verify() == []


def test_an_import_without_annotations_records_nothing(project):
    import_articles(project=project, filename="a.txt", data=b"Title\nBody.")
    assert not HistoryRecord.objects.exists()


# No other writer.

ANNOTATION_DATA = {"AnnotationSet", "Span", "Claim", "ThreatAssessment", "AdjudicationDecision"}
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "delete"}
# The services, each recording what it writes in the history (see their docstrings).
WRITERS = {
    "adjudication.py",
    "assignment.py",
    "importing/storing.py",
    "reviewing.py",
    "services.py",
}


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def annotation_data_writers() -> dict[str, list[str]]:
    """Modules of the app that call a write method on a manager or queryset of annotation
    data (`Span.objects.filter(...).delete()`, `Claim.objects.bulk_create(...)`), by line."""
    root = Path(app.__file__).parent
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
                and _root_name(node.func.value) in ANNOTATION_DATA
            ):
                module = str(path.relative_to(root))
                found.setdefault(module, []).append(f"line {node.lineno}")
    return found


def test_only_the_services_write_annotation_data():
    writers = annotation_data_writers()
    assert set(writers) <= WRITERS, {m: w for m, w in writers.items() if m not in WRITERS}
    assert {"services.py", "importing/storing.py"} <= set(writers)  # the check finds writes
