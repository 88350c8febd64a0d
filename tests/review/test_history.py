import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from annotations import history, services
from annotations.models import HistoryRecord


@pytest.fixture
def edited(annotation_set, mark, project):
    span = mark(annotation_set, "Kremlin", "actor")
    services.span_update(
        span=span, label=project.labels.get(name="location"), user=span.annotation_set.annotator
    )
    mark(annotation_set, "NATO", "actor")
    services.span_delete(span=span, user=annotation_set.annotator)
    return annotation_set


def test_it_records_who_changed_what_before_and_after(edited, annotator):
    records = list(history.for_article(edited.article_id))
    assert [(r.action, r.object_type) for r in records] == [
        ("create", "span"),
        ("transition", "annotation_set"),
        ("update", "span"),
        ("create", "span"),
        ("delete", "span"),
    ]
    update = records[2]
    assert (update.before["label"], update.after["label"]) == ("actor", "location")
    assert update.user == annotator
    assert [r.sequence for r in records] == [1, 2, 3, 4, 5]
    assert records[1].previous_hash == records[0].hash


def test_it_verifies_an_intact_chain(edited, capsys):
    call_command("verify_history")
    assert "5 record(s) verified" in capsys.readouterr().out


def _tamper(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_detects_a_changed_record(edited, capsys):
    record = HistoryRecord.objects.get(sequence=3)
    _tamper(
        f"UPDATE {HistoryRecord._meta.db_table} SET username = %s WHERE id = %s",
        "mallory",
        record.pk,
    )
    with pytest.raises(CommandError):
        call_command("verify_history")
    assert "record #3: its content does not match its hash" in capsys.readouterr().err


def test_it_detects_a_changed_record_whose_hash_was_recomputed(edited, capsys):
    record = HistoryRecord.objects.get(sequence=2)
    record.after = {**record.after, "label": "weapon system"}
    record.hash = history.hash_of(record)
    _tamper(
        f"UPDATE {HistoryRecord._meta.db_table} SET after = %s, hash = %s WHERE id = %s",
        '{"label": "weapon system"}',
        record.hash,
        record.pk,
    )
    with pytest.raises(CommandError):
        call_command("verify_history", "--project", "demo")
    assert "record #" in capsys.readouterr().err


def test_it_detects_a_deleted_record(edited, capsys):
    _tamper(f"DELETE FROM {HistoryRecord._meta.db_table} WHERE sequence = 2")
    with pytest.raises(CommandError):
        call_command("verify_history")
    assert "record #2: missing" in capsys.readouterr().err


def test_it_refuses_a_forked_chain(edited, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        HistoryRecord.objects.create(
            project=project,
            sequence=5,
            created_at=HistoryRecord.objects.first().created_at,
            action="create",
            object_type="span",
            previous_hash="0" * 64,
            hash="0" * 64,
        )


def test_it_names_an_unknown_project(db):
    with pytest.raises(CommandError, match="No project"):
        call_command("verify_history", "--project", "nope")
