"""The history is signed with a key kept outside the database: recomputing a chain after an
edit needs that key, keys rotate, and the upgrade signs an existing chain only if it verifies."""

import hashlib
import hmac
import importlib
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from annotations import history
from annotations.models import HistoryRecord
from tests.review.tampering import plain_sha256, rewrite, sql, wrong_key

TEST_KEY = "test-only-history-key-distinct-from-the-secret-key"  # workbench/test_settings.py
NEW_KEY = "a-new-history-key-after-a-rotation-0123456789"

migration = importlib.import_module("annotations.migrations.0005_history_key_id")


def verify_fails(capsys, *args):
    with pytest.raises(CommandError, match="has been tampered with"):
        call_command("verify_history", *args)
    return capsys.readouterr().err


def test_it_signs_each_record_with_the_history_key_not_a_plain_hash(five_records):
    record = HistoryRecord.objects.get(sequence=3)
    content = json.loads(history._content(record))
    assert content["previous_hash"] == HistoryRecord.objects.get(sequence=2).hash
    assert content["key_id"] == record.key_id == "test1"
    expected = hmac.new(
        TEST_KEY.encode(), b"record\n" + history._content(record), hashlib.sha256
    ).hexdigest()
    assert record.hash == expected
    assert record.hash != plain_sha256(record)


def test_it_detects_an_edit_with_the_chain_recomputed_as_plain_sha256(five_records, capsys):
    rewrite(five_records.pk, start=2, hash_of=plain_sha256)
    err = verify_fails(capsys)
    assert "project demo, record #2: its content does not match its hash" in err


def test_it_detects_an_edit_with_the_chain_recomputed_unsigned(five_records, capsys):
    rewrite(five_records.pk, start=1, hash_of=plain_sha256, key_id="")
    assert "project demo, record #1: it is not signed with a history key" in verify_fails(capsys)


def test_it_detects_an_edit_with_the_chain_recomputed_with_a_wrong_key(five_records, capsys):
    rewrite(five_records.pk, start=4, hash_of=wrong_key)
    err = verify_fails(capsys)
    assert "project demo, record #4: its content does not match its hash" in err
    assert err.count("Broken history chain") == 1  # the first break only


def test_it_detects_a_record_signed_with_a_key_it_does_not_hold(five_records, capsys):
    with override_settings(HISTORY_KEYS={"k0": "a-key-nobody-here-knows-0123456789abcdef"}):
        rewrite(five_records.pk, start=5, hash_of=history.hash_of, key_id="k0")
    err = verify_fails(capsys)
    assert "record #5: it is signed with the key id 'k0', which HISTORY_KEYS does not hold" in err


def test_it_verifies_across_a_key_rotation(five_records, annotation_set, mark, settings, capsys):
    settings.HISTORY_KEYS = {"test2": NEW_KEY, "test1": TEST_KEY}
    mark(annotation_set, "Zelensky", "actor")
    newest = HistoryRecord.objects.get(sequence=6)
    assert newest.key_id == "test2"
    assert HistoryRecord.objects.get(sequence=5).key_id == "test1"
    call_command("verify_history")
    assert "6 record(s) verified" in capsys.readouterr().out

    settings.HISTORY_KEYS = {"test2": NEW_KEY}  # the old key removed too early
    err = verify_fails(capsys)
    assert (
        "record #1: it is signed with the key id 'test1', which HISTORY_KEYS does not hold" in err
    )


# The upgrade (migration 0005): records written before keys carry a plain SHA-256 and no key id.


def test_the_upgrade_signs_an_intact_unsigned_chain(five_records, capsys):
    migration.unsign_history(apps, None)
    record = HistoryRecord.objects.get(sequence=3)
    assert (record.key_id, record.hash) == ("", migration.plain_hash(record))
    assert "record #1: it is not signed" in verify_fails(capsys)

    migration.sign_history(apps, None)
    assert set(HistoryRecord.objects.values_list("key_id", flat=True)) == {"test1"}
    call_command("verify_history")
    assert "5 record(s) verified" in capsys.readouterr().out


def test_the_upgrade_leaves_a_broken_unsigned_chain_unsigned_and_says_so(five_records, capsys):
    migration.unsign_history(apps, None)
    sql("UPDATE {table} SET username = %s WHERE sequence = 2", "mallory")
    migration.sign_history(apps, None)
    out = capsys.readouterr().out
    assert "The history of project demo was already broken at record #2: left unsigned" in out
    assert set(HistoryRecord.objects.values_list("key_id", flat=True)) == {""}
    assert "record #1: it is not signed with a history key" in verify_fails(capsys)


def test_the_upgrade_signs_like_the_application(five_records):
    """The migration keeps its own copy of the canonical content; it must sign alike."""
    hashes = list(HistoryRecord.objects.order_by("sequence").values_list("hash", flat=True))
    migration.unsign_history(apps, None)
    migration.sign_history(apps, None)
    assert list(HistoryRecord.objects.order_by("sequence").values_list("hash", flat=True)) == (
        hashes
    )
