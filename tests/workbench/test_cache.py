"""The default cache (workbench.cache): Django's database cache with `set` in one statement."""

import warnings

import pytest
from django.core.cache import CacheKeyWarning, caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import token_client
from workbench import cache as workbench_cache

pytestmark = pytest.mark.django_db


def _rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM workbench_cache")
        return cursor.fetchone()[0]


def test_set_stores_replaces_and_expires_values():
    cache = caches["default"]
    assert isinstance(cache, workbench_cache.DatabaseCache)
    cache.set("history", [1.5, 2.5], 60)
    assert cache.get("history") == [1.5, 2.5]
    cache.set("history", {"replaced": True}, None)
    assert cache.get("history") == {"replaced": True}
    cache.set("gone", "soon", -1)
    assert cache.get("gone", "default") == "default"
    assert cache.add("new", 1) is True and cache.add("new", 2) is False
    assert cache.get("new") == 1


def test_set_is_one_statement():
    cache = caches["default"]
    cache.set("key", "first")
    with CaptureQueriesContext(connection) as queries:
        cache.set("key", "second")
    # Here in the test's transaction, between a savepoint and its release.
    on_the_table = [q["sql"] for q in queries if "workbench_cache" in q["sql"]]
    assert len(on_the_table) == 1, on_the_table
    assert cache.get("key") == "second"


def test_a_full_table_is_culled_every_so_many_sets():
    cache = workbench_cache.DatabaseCache(
        "workbench_cache", {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}}
    )
    for n in range(workbench_cache.CULL_EVERY - 1):
        cache.set(f"key-{n}", n)
    assert _rows() == workbench_cache.CULL_EVERY - 1  # not counted yet
    cache.set("one-more", 0)
    assert _rows() <= workbench_cache.CULL_EVERY // 2 + 1  # half the old ones went
    assert cache.get("one-more") == 0


def test_an_api_request_spends_two_statements_on_its_throttle(manager, project):
    client = token_client(manager)
    client.get(reverse("api:project-detail", args=[project.slug]))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("api:project-detail", args=[project.slug])).status_code == 200
    on_the_cache = [q["sql"] for q in queries if "workbench_cache" in q["sql"]]
    assert len(on_the_cache) == 2, on_the_cache


def test_expired_entries_go_long_before_the_table_is_full():
    cache = caches["default"]
    for n in range(10):
        cache.set(f"expired-{n}", n, -1)
    for n in range(workbench_cache.CULL_EVERY - 10):
        cache.set(f"live-{n}", n, 60)
    assert _rows() == workbench_cache.CULL_EVERY - 10  # the live ones
    assert cache.get("live-0") == 0


def test_cull_frequency_0_empties_only_a_full_table():
    """Django's meaning of CULL_FREQUENCY=0: clear the cache once it is full, not before."""
    cache = workbench_cache.DatabaseCache(
        "workbench_cache", {"OPTIONS": {"MAX_ENTRIES": 1000, "CULL_FREQUENCY": 0}}
    )
    for n in range(workbench_cache.CULL_EVERY):
        cache.set(f"key-{n}", n)
    assert _rows() == workbench_cache.CULL_EVERY
    assert cache.get("key-0") == 0


def test_a_set_that_fails_fails_neither_its_caller_nor_its_transaction():
    """As Django's: a cache write may fail (here a key longer than the column, on PostgreSQL)
    without an error, and the caller's transaction goes on."""
    cache = caches["default"]
    with transaction.atomic(), warnings.catch_warnings():
        warnings.simplefilter("ignore", CacheKeyWarning)  # "may not work with memcached"
        cache.set("k" * 300, "value")
        cache.set("after", "value")
    assert cache.get("after") == "value"
