"""Sign the existing history: every record gets a key id and an HMAC instead of a plain SHA-256.

Before this migration each record's hash was a plain SHA-256 of its content, which anyone can
recompute. For each project, the chain is first verified as it was (numbering, links, plain
hashes); only a chain that verifies is signed, record by record, with the first key of
HISTORY_KEYS (each record's content then includes its key id, and its link the new hash of
the record before it). A chain already broken is left unsigned and named in the output:
`verify_history` keeps reporting it, so the upgrade never launders a break (docs/history.md).

The canonical content is written out here rather than imported from annotations.history, so
that this migration keeps signing the way it did when it was written. Going backwards turns
the signed records of a verifying chain back into plain SHA-256 hashes.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64
BATCH = 1000


def content(record, *, key_id):
    fields = {
        "project": record.project_id,
        "sequence": record.sequence,
        "article": record.article_id,
        "annotation_set": record.annotation_set_id,
        "user": record.user_id,
        "username": record.username,
        "created_at": record.created_at.isoformat(),
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "before": record.before,
        "after": record.after,
        "previous_hash": record.previous_hash,
    }
    if key_id is not None:
        fields["key_id"] = key_id
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def plain_hash(record):
    return hashlib.sha256(content(record, key_id=None)).hexdigest()


def signed_hash(record):
    secret = settings.HISTORY_KEYS.get(record.key_id) if record.key_id else None
    if secret is None:
        return None
    message = b"record\n" + content(record, key_id=record.key_id)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def chain(HistoryRecord, project_id):
    """A project's records in order, a page at a time (the pages are written back meanwhile)."""
    last = 0
    while True:
        page = list(
            HistoryRecord.objects.filter(project_id=project_id, sequence__gt=last).order_by(
                "sequence"
            )[:BATCH]
        )
        yield from page
        if len(page) < BATCH:
            return
        last = page[-1].sequence


def first_break(records, hash_of):
    """The sequence number of the first broken link of a chain (None if it verifies)."""
    expected, previous = 1, GENESIS
    for record in records:
        if (
            record.sequence != expected
            or record.previous_hash != previous
            or hash_of(record) != record.hash
        ):
            return expected
        expected, previous = expected + 1, record.hash
    return None


def rewrite(HistoryRecord, project_id, transform):
    """Recompute every record's link and hash, in order, `transform` setting key id and hash."""
    previous, batch = GENESIS, []
    for record in chain(HistoryRecord, project_id):
        record.previous_hash = previous
        transform(record)
        previous = record.hash
        batch.append(record)
        if len(batch) == BATCH:
            HistoryRecord.objects.bulk_update(batch, ["previous_hash", "key_id", "hash"])
            batch = []
    HistoryRecord.objects.bulk_update(batch, ["previous_hash", "key_id", "hash"])


def sign_history(apps, schema_editor):
    HistoryRecord = apps.get_model("annotations", "HistoryRecord")
    Project = apps.get_model("annotations", "Project")
    key_id = next(iter(settings.HISTORY_KEYS))

    def sign(record):
        record.key_id = key_id
        record.hash = signed_hash(record)

    project_ids = HistoryRecord.objects.order_by().values_list("project_id", flat=True).distinct()
    for project_id in sorted(project_ids):
        broken = first_break(chain(HistoryRecord, project_id), plain_hash)
        if broken is not None:
            slug = Project.objects.get(pk=project_id).slug
            print(
                f"\n  The history of project {slug} was already broken at record #{broken}: "
                "left unsigned (verify_history reports it; see docs/history.md)."
            )
            continue
        rewrite(HistoryRecord, project_id, sign)


def unsign_history(apps, schema_editor):
    HistoryRecord = apps.get_model("annotations", "HistoryRecord")

    def unsign(record):
        record.key_id = ""
        record.hash = plain_hash(record)

    project_ids = HistoryRecord.objects.order_by().values_list("project_id", flat=True).distinct()
    for project_id in sorted(project_ids):
        if first_break(chain(HistoryRecord, project_id), signed_hash) is None:
            rewrite(HistoryRecord, project_id, unsign)


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0004_release_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="historyrecord",
            name="key_id",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(sign_history, unsign_history),
    ]
