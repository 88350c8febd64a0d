"""The default shared cache: Django's database cache, with `set` in one statement.

Django's `set` counts the whole table (to cull it once it holds MAX_ENTRIES), then selects the key
and updates or inserts it in a transaction: five statements, one of them a scan of the table. The
API's throttles `set` on every request, so every API call paid for them. Here `set` is one upsert,
which two processes setting the same key at once cannot make fail. One `set` in CULL_EVERY of each
process deletes the expired entries (and, as Django's, a share of the others when the table is
full), so the table holds little more than the live keys: Django deletes expired entries only
once the table is full, and counting a full table costs ~8 ms on PostgreSQL. `get`, `add`,
`touch` and the rest are Django's, as is `set` on other databases.
"""

from __future__ import annotations

import base64
import itertools
import pickle
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

CULL_EVERY = 50
UPSERTING = {"postgresql", "sqlite"}  # the databases on which `set` upserts


class DatabaseCache(DjangoDatabaseCache):
    _sets = itertools.count(1)
    # Django's own, missing from its type stubs.
    _table: str
    _cull: Callable[..., None]

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in UPSERTING:
            return super().set(key, value, timeout, version)
        key = self.make_and_validate_key(key, version=version)
        backend_timeout = self.get_backend_timeout(timeout)
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        key_, value_, expires_ = (quote_name(c) for c in ("cache_key", "value", "expires"))
        if backend_timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(backend_timeout, tz=UTC if settings.USE_TZ else None)
        pickled = pickle.dumps(value, self.pickle_protocol)
        with connection.cursor() as cursor:
            if next(self._sets) % CULL_EVERY == 0:
                now = tz_now().replace(microsecond=0)
                cursor.execute(
                    f"DELETE FROM {table} WHERE {expires_} < %s",
                    [connection.ops.adapt_datetimefield_value(now)],
                )
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                entries = cursor.fetchone()[0]
                if entries > self._max_entries:
                    self._cull(db, cursor, now, entries)  # Django's: a share of the entries
            # As in Django, a cache write may fail (a key too long for its column, a lock
            # timeout) without failing the caller, or the caller's transaction (a savepoint).
            try:
                with transaction.atomic(using=db) if connection.in_atomic_block else nullcontext():
                    cursor.execute(
                        f"INSERT INTO {table} ({key_}, {value_}, {expires_}) VALUES (%s, %s, %s) "
                        f"ON CONFLICT ({key_}) DO UPDATE "
                        f"SET {value_} = EXCLUDED.{value_}, {expires_} = EXCLUDED.{expires_}",
                        [
                            key,
                            base64.b64encode(pickled).decode("latin1"),
                            connection.ops.adapt_datetimefield_value(
                                expires.replace(microsecond=0)
                            ),
                        ],
                    )
            except DatabaseError:
                pass
