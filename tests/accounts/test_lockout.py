"""Login lockout (django-axes) on the site's login and the admin's: after AXES_FAILURE_LIMIT
failures for one username from one address, that username is refused from that address, the
right password included, with a page that says how long to wait; after the cool-off it logs in."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from workbench.http import client_ip

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
LOGINS = {"site": "/accounts/login/", "admin": "/admin/login/?next=/admin/"}


@pytest.fixture
def user(db):
    return UserFactory(username="anna", is_staff=True, is_superuser=True)


def _log_in(client: Client, url: str, password: str, username: str = "anna", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client: Client, url: str, times: int, **extra) -> None:
    for _ in range(times):
        response = _log_in(client, url, "not the password", **extra)
        assert response.status_code in {200, 429}


def _cool_off_passes() -> None:
    """Time travel: every recorded failure moved back past the cool-off."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )


@pytest.mark.parametrize("login", LOGINS)
def test_it_refuses_the_right_password_after_too_many_failures(client, user, login):
    url = LOGINS[login]
    _fail(client, url, 30)
    response = _log_in(client, url, PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert f"wait {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert 'href="/static/css/workbench.css"' in page  # the site's own styled page


@pytest.mark.parametrize("login", LOGINS)
def test_it_locks_out_at_the_failure_limit_and_not_before(client, user, login):
    url = LOGINS[login]
    _fail(client, url, settings.AXES_FAILURE_LIMIT - 1)
    assert _log_in(client, url, PASSWORD).status_code == 302
    assert _logged_in(client)
    client.logout()
    # The success cleared the count: the limit counts from zero again.
    _fail(client, url, settings.AXES_FAILURE_LIMIT - 1)
    assert _log_in(client, url, "not the password").status_code == 429
    assert _log_in(client, url, PASSWORD).status_code == 429


@pytest.mark.parametrize("login", LOGINS)
def test_it_lets_the_right_password_in_after_the_cool_off(client, user, login):
    url = LOGINS[login]
    _fail(client, url, settings.AXES_FAILURE_LIMIT)
    assert _log_in(client, url, PASSWORD).status_code == 429
    _cool_off_passes()
    assert _log_in(client, url, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_one_login_locks_out_the_other(client, user):
    """The count is per username and address, whichever login page the failures came through."""
    _fail(client, LOGINS["site"], settings.AXES_FAILURE_LIMIT)
    assert _log_in(client, LOGINS["admin"], PASSWORD).status_code == 429


def test_it_counts_per_username_and_address(client, user):
    UserFactory(username="alex")
    _fail(client, LOGINS["site"], settings.AXES_FAILURE_LIMIT)
    # Another user from the same address, and the same user from another address, log in.
    assert _log_in(Client(), LOGINS["site"], PASSWORD, username="alex").status_code == 302
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert _log_in(elsewhere, LOGINS["site"], PASSWORD).status_code == 302


def test_it_takes_the_address_from_the_trusted_proxy(client, user, settings):
    """Behind one proxy every connection comes from the proxy: the client is the address the
    proxy appended; what the client itself put in X-Forwarded-For is not believed."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = proxy | {"HTTP_X_FORWARDED_FOR": "192.0.2.1"}
    _fail(client, LOGINS["site"], settings.AXES_FAILURE_LIMIT, **attacker)
    spoofed = proxy | {"HTTP_X_FORWARDED_FOR": "198.51.100.9, 192.0.2.1"}
    assert _log_in(Client(), LOGINS["site"], PASSWORD, **spoofed).status_code == 429
    other = proxy | {"HTTP_X_FORWARDED_FOR": "192.0.2.2"}
    assert _log_in(Client(), LOGINS["site"], PASSWORD, **other).status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "198.51.100.9, 192.0.2.1", "192.0.2.1"),
        (2, "198.51.100.9, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (2, "192.0.2.1", "192.0.2.1"),
    ],
)
def test_client_ip(rf, settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_login_page_itself_still_opens_while_locked_out(client, user):
    _fail(client, LOGINS["site"], settings.AXES_FAILURE_LIMIT)
    assert client.get(reverse("accounts:login")).status_code == 200
