"""/healthz tells a load balancer whether the database answers and how old the worker's
heartbeat is; it needs no login, session or CSRF token."""

from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from workbench.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def beat(worker_id, seconds_ago):
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_it_says_ok_when_the_database_answers_and_no_worker_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "worker_heartbeat_age_seconds": None,
        "worker_max_age_seconds": None,
    }


def test_it_reports_the_age_of_the_freshest_worker_heartbeat(client):
    beat("old", 600)
    beat("fresh", 12)
    body = client.get("/healthz").json()
    assert 12 <= body["worker_heartbeat_age_seconds"] < 20


def test_it_answers_503_when_the_database_does_not(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["database"] == "unreachable"


def test_a_stale_worker_is_only_reported_unless_a_maximum_age_is_set(client, settings):
    beat("slow", 300)
    assert client.get("/healthz").status_code == 200

    settings.HEALTHZ_WORKER_MAX_AGE_SECONDS = 120
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["database"] == "ok"
    assert response.json()["worker_max_age_seconds"] == 120


def test_with_a_maximum_age_a_fresh_worker_is_healthy_and_no_worker_is_not(client, settings):
    settings.HEALTHZ_WORKER_MAX_AGE_SECONDS = 120
    assert client.get("/healthz").status_code == 503
    beat("fresh", 5)
    assert client.get("/healthz").status_code == 200


def test_it_needs_no_login_sets_no_cookie_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200


def test_it_refuses_writes_without_needing_a_csrf_token(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    csrf_checking = type(client)(enforce_csrf_checks=True)
    assert csrf_checking.get("/healthz").status_code == 200


def test_it_is_answered_over_plain_http_when_everything_else_redirects(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_it_is_cheap(client, django_assert_max_num_queries):
    beat("w", 1)
    with django_assert_max_num_queries(2):
        client.get("/healthz")
