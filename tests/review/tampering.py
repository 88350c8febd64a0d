"""What someone with write access to the database (and perhaps the storage) does to the history,
in raw SQL, as they would, past every check the application makes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.db import connection

from annotations import history
from annotations.models import HistoryRecord

TABLE = HistoryRecord._meta.db_table


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", TABLE), params)


def plain_sha256(record: HistoryRecord) -> str:
    """The hash anyone can compute: SHA-256 of the record's content, no key."""
    return hashlib.sha256(history._content(record)).hexdigest()


def wrong_key(record: HistoryRecord) -> str:
    """An HMAC as the workbench makes it, with a key that is not the history key."""
    content = b"record\n" + history._content(record)
    return hmac.new(b"a-guessed-key-" * 3, content, hashlib.sha256).hexdigest()


def rewrite(
    project_id: int,
    *,
    start: int,
    hash_of: Callable[[HistoryRecord], str],
    username: str = "mallory",
    key_id: str | None = None,
) -> None:
    """Change record #start's username and recompute the chain from there with `hash_of`."""
    records = list(HistoryRecord.objects.filter(project_id=project_id).order_by("sequence"))
    previous = history.GENESIS
    for record in records:
        if record.sequence >= start:
            if record.sequence == start:
                record.username = username
            if key_id is not None:
                record.key_id = key_id
            record.previous_hash = previous
            record.hash = hash_of(record)
            sql(
                "UPDATE {table} SET username = %s, previous_hash = %s, hash = %s, key_id = %s "
                "WHERE id = %s",
                record.username,
                record.previous_hash,
                record.hash,
                record.key_id,
                record.pk,
            )
        previous = record.hash


def truncate(project_id: int, *, after: int) -> None:
    """Delete the records newer than #after (after=0: the project's whole history)."""
    sql("DELETE FROM {table} WHERE project_id = %s AND sequence > %s", project_id, after)
