import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create, api_token_revoke


def token_client(user, **token_kwargs) -> APIClient:
    _, key = api_token_create(owner=user, name="tests", **token_kwargs)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def session_client(user) -> APIClient:
    """An API client logged in with a session, as the browser is (tokens are made only so)."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def client_as(request, db):
    """client_as("manager") -> an API client authenticated with a token of that fixture's user.

    Besides the role fixtures: "anonymous", "bad_token", "revoked_token", "expired_token".
    """

    def make(who: str) -> APIClient:
        if who == "anonymous":
            return APIClient()
        if who == "bad_token":
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION="Token wbt_not-a-real-key")
            return client
        if who in {"revoked_token", "expired_token"}:
            user = request.getfixturevalue("manager")
            token, key = api_token_create(owner=user, name="old")
            if who == "revoked_token":
                api_token_revoke(token=token)
            else:
                token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
                token.save()
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            return client
        return token_client(request.getfixturevalue(who))

    return make
