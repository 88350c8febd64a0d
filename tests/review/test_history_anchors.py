"""The head of each project's history is anchored outside the database (checkpoints in storage,
release cards), and verify_history compares the chain with every anchor it finds."""

import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from annotations import anchors, history, services
from annotations.models import HistoryRecord, Project
from annotations.releases import release_create
from tests.factories import ProjectFactory
from tests.review.tampering import rewrite, truncate

DATE = r"\d{4}-\d\d-\d\d"


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """build(project, user) -> a release of the project, built by its (immediate) task."""

    def make(project, user):
        with django_capture_on_commit_callbacks(execute=True):
            return release_create(project=project, user=user, formats=["native"])

    return make


def checkpoints(media_root, project):
    directory = Path(media_root) / anchors.CHECKPOINTS / str(project.pk)
    return sorted(path.name for path in directory.glob("*.json"))


def checkpoint(project):
    call_command("history_checkpoint", "--project", project.slug)


def verify_fails(capsys, *args):
    with pytest.raises(CommandError, match="has been tampered with"):
        call_command("verify_history", *args)
    return capsys.readouterr().err


def test_it_writes_the_signed_head_into_every_release_card(
    five_records, manager, build, media_root
):
    release = build(five_records, manager)
    card = json.loads((Path(media_root) / release.directory() / "card.json").read_bytes())
    head = HistoryRecord.objects.get(sequence=5)
    assert card["history"]["project"] == {"id": five_records.pk, "slug": "demo"}
    assert (card["history"]["sequence"], card["history"]["hash"]) == (5, head.hash)
    assert card["history"]["key_id"] == "test1"
    assert card["history"]["reason"] == "release v1"
    assert five_records.releases.get().card["history"] == card["history"]
    assert checkpoints(media_root, five_records) == ["5.json"]


def test_it_writes_a_checkpoint_every_n_records_on_commit(
    annotation_set, mark, project, settings, django_capture_on_commit_callbacks, media_root
):
    settings.HISTORY_CHECKPOINT_EVERY = 2
    with django_capture_on_commit_callbacks() as callbacks:
        span = mark(annotation_set, "Kremlin", "actor")  # #1 the span, #2 the set's transition
    assert checkpoints(media_root, project) == []  # not before the transaction commits
    for callback in callbacks:
        callback()
    assert checkpoints(media_root, project) == ["2.json"]

    with django_capture_on_commit_callbacks(execute=True):
        label = project.labels.get(name="location")
        services.span_update(span=span, label=label, user=annotation_set.annotator)  # #3
    assert checkpoints(media_root, project) == ["2.json"]
    with django_capture_on_commit_callbacks(execute=True):
        mark(annotation_set, "NATO", "actor")  # #4
    assert checkpoints(media_root, project) == ["2.json", "4.json"]
    call_command("verify_history")


def test_the_command_writes_a_checkpoint_per_project_and_never_overwrites_one(
    five_records, other_project, media_root, capsys
):
    call_command("history_checkpoint")
    out = capsys.readouterr().out
    path = f"history/checkpoints/{five_records.pk}/5.json"
    assert f"project demo: checkpoint at #5 ({path})" in out
    assert "project other: no history yet" in out
    written = (Path(media_root) / path).read_bytes()
    call_command("history_checkpoint", "--project", "demo")
    assert (Path(media_root) / path).read_bytes() == written
    assert checkpoints(media_root, five_records) == ["5.json"]


def test_it_verifies_an_intact_chain_against_its_anchors(five_records, manager, build, capsys):
    checkpoint(five_records)
    build(five_records, manager)
    call_command("verify_history")
    assert "History intact: 5 record(s) verified" in capsys.readouterr().out


def test_it_detects_the_newest_records_deleted(five_records, other_project, capsys):
    checkpoint(five_records)
    history.record_many(
        project=other_project,
        user=None,
        entries=[history.Entry(action="create", object_type="span")] * 3,
    )
    checkpoint(other_project)
    truncate(five_records.pk, after=3)
    truncate(other_project.pk, after=1)
    err = verify_fails(capsys)
    path = f"history/checkpoints/{five_records.pk}/5.json"
    assert re.search(
        rf"project demo: the chain ends at #3 but checkpoint of {DATE} \({path}\) recorded #5: "
        "records were deleted",
        err,
    )
    assert "project other: the chain ends at #1 but checkpoint of" in err
    assert err.count("Broken history chain") == 2  # the first break of each project


def test_it_detects_truncation_from_a_release_card_alone(
    five_records, manager, build, media_root, capsys
):
    build(five_records, manager)
    shutil.rmtree(Path(media_root) / "history")
    truncate(five_records.pk, after=4)
    err = verify_fails(capsys, "--project", "demo")
    assert re.search(
        rf"project demo: the chain ends at #4 but release v1 of {DATE} "
        r"\(releases/demo/v1/card.json\) recorded #5: records were deleted",
        err,
    )


def test_it_detects_a_projects_whole_history_deleted(five_records, capsys):
    checkpoint(five_records)
    truncate(five_records.pk, after=0)
    err = verify_fails(capsys)
    assert "project demo: there is no history at all but checkpoint of" in err
    assert "recorded #5: records were deleted" in err


def test_it_detects_a_whole_history_deleted_before_any_anchor(five_records, capsys):
    truncate(five_records.pk, after=0)
    err = verify_fails(capsys)
    assert "project demo: it has 1 annotation set(s) but no history" in err


def test_it_detects_a_project_deleted_with_its_history(db, capsys):
    gone = ProjectFactory(slug="gone")
    history.record_many(
        project=gone, user=None, entries=[history.Entry(action="create", object_type="span")]
    )
    checkpoint(gone)
    truncate(gone.pk, after=0)
    Project.objects.filter(pk=gone.pk).delete()
    err = verify_fails(capsys)
    assert "project gone: checkpoint of" in err
    assert "recorded #1, but the project no longer exists" in err


def test_anchors_catch_a_chain_rewritten_even_with_the_key(five_records, capsys):
    checkpoint(five_records)
    rewrite(five_records.pk, start=2, hash_of=history.hash_of)
    err = verify_fails(capsys)
    assert "project demo, record #5: its hash is not the one checkpoint of" in err
    assert "recorded: the chain was rewritten" in err


def test_it_refuses_a_checkpoint_altered_to_hide_a_truncation(five_records, media_root, capsys):
    checkpoint(five_records)
    truncate(five_records.pk, after=3)
    path = Path(media_root) / anchors.CHECKPOINTS / str(five_records.pk) / "5.json"
    data = json.loads(path.read_bytes())
    data.update(sequence=3, hash=HistoryRecord.objects.get(sequence=3).hash)
    path.write_text(json.dumps(data))
    err = verify_fails(capsys)
    assert re.search(
        rf"project demo: checkpoint of {DATE} \(.*5.json\): its signature does not match", err
    )


def test_it_refuses_a_checkpoint_signed_with_a_key_it_does_not_hold(five_records, capsys):
    with override_settings(HISTORY_KEYS={"k0": "a-key-nobody-here-knows-0123456789abcdef"}):
        checkpoint(five_records)
    err = verify_fails(capsys)
    assert "it is signed with the key id 'k0', which HISTORY_KEYS does not hold" in err


@pytest.mark.parametrize(
    "content", ['{"sequence": 9', "[" * 100_000, '{"sequence": true}', "\ud800"]
)
def test_it_refuses_an_unreadable_checkpoint(five_records, media_root, capsys, content):
    directory = Path(media_root) / anchors.CHECKPOINTS / str(five_records.pk)
    directory.mkdir(parents=True)
    (directory / "9.json").write_text(content, errors="surrogatepass")
    err = verify_fails(capsys)
    assert "project demo: checkpoint of an unknown date" in err
    assert "9.json): it cannot be read" in err


def test_it_compares_with_anchors_kept_elsewhere(
    five_records, manager, build, media_root, tmp_path, capsys
):
    release = build(five_records, manager)
    copy = tmp_path / "downloaded-card.json"
    shutil.copy(Path(media_root) / release.directory() / "card.json", copy)
    shutil.rmtree(Path(media_root) / "history")
    shutil.rmtree(Path(media_root) / "releases")
    truncate(five_records.pk, after=4)
    call_command("verify_history")  # every anchor in reach is gone: a truncation unseen
    capsys.readouterr()
    err = verify_fails(capsys, "--anchor", str(tmp_path))
    assert "project demo: the chain ends at #4 but anchor of" in err
    assert f"({copy}) recorded #5" in err


def test_it_refuses_an_anchor_file_that_is_not_one(five_records, tmp_path):
    stray = tmp_path / "labels.json"
    stray.write_text("[]")
    with pytest.raises(CommandError, match="neither a checkpoint nor a release card"):
        call_command("verify_history", "--anchor", str(stray))


def test_a_failing_checkpoint_never_fails_the_write_it_follows(
    annotation_set, mark, settings, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    settings.HISTORY_CHECKPOINT_EVERY = 1

    def broken_storage(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(anchors, "checkpoint_save", broken_storage)
    with django_capture_on_commit_callbacks(execute=True):
        mark(annotation_set, "Kremlin", "actor")
    assert HistoryRecord.objects.count() == 2
    assert "Writing a history checkpoint of project" in caplog.text


def test_it_reads_no_other_json_in_a_directory_of_anchors(tmp_path):
    (tmp_path / "labels.json").write_text("[]")
    assert anchors.file_anchors(tmp_path) == []
