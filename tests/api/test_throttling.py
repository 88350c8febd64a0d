"""API throttles: each token on its own budget, each user's session on the user's, anonymous
callers by address; past the rate, 429 with Retry-After. The counts live in the shared cache."""

import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api.conftest import session_client, token_client

PROJECTS = "/api/v1/projects/"


@pytest.fixture
def rate(settings):
    settings.API_THROTTLE_RATE = "3/minute"
    settings.API_THROTTLE_ANON_RATE = "2/minute"


def _statuses(client, times: int, url: str = PROJECTS) -> list[int]:
    return [client.get(url).status_code for _ in range(times)]


def test_it_answers_429_with_retry_after_past_the_rate(rate, manager):
    client = token_client(manager)
    assert _statuses(client, 3) == [200, 200, 200]
    refused = client.get(PROJECTS)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]


def test_each_token_and_the_session_have_their_own_budget(rate, manager):
    first, second, session = token_client(manager), token_client(manager), session_client(manager)
    assert _statuses(first, 4) == [200, 200, 200, 429]
    assert _statuses(second, 4) == [200, 200, 200, 429]
    assert _statuses(session, 4) == [200, 200, 200, 429]


def test_a_users_sessions_share_the_users_budget(rate, manager, annotator):
    assert _statuses(session_client(manager), 2) == [200, 200]
    assert _statuses(session_client(manager), 2) == [200, 429]
    assert _statuses(session_client(annotator), 3) == [200, 200, 200]


def test_it_throttles_anonymous_callers_by_address(rate, settings, db):
    settings.API_DOCS_PUBLIC = True  # the one API resource open to anonymous callers
    assert _statuses(APIClient(), 3, "/api/schema/") == [200, 200, 429]
    assert _statuses(APIClient(REMOTE_ADDR="192.0.2.7"), 1, "/api/schema/") == [200]


def test_it_answers_again_once_the_window_has_passed(rate, manager, monkeypatch):
    client = token_client(manager)
    assert _statuses(client, 4) == [200, 200, 200, 429]
    later = time.time() + 61
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: later)
    assert _statuses(client, 1) == [200]


def test_no_rate_means_no_limit(settings, manager):
    settings.API_THROTTLE_RATE = None
    assert set(_statuses(token_client(manager), 20)) == {200}


def test_the_counts_live_in_the_database_cache_that_every_process_shares(rate, manager):
    """Not in one process's memory: a second web process reads the same table."""
    assert isinstance(caches["default"], DatabaseCache)
    assert _statuses(token_client(manager), 1) == [200]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM workbench_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle_caller_token-" in key for key in keys)
