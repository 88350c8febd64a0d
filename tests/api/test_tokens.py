import datetime

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create
from tests.api.conftest import session_client, token_client


def test_it_shows_the_key_once_and_stores_only_its_hash(manager):
    client = session_client(manager)
    response = client.post("/api/v1/tokens/", {"name": "nightly export"}, format="json")
    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert all("key" not in item for item in listed)


def test_it_authenticates_with_bearer_and_records_last_use(manager):
    client = session_client(manager)
    key = client.post("/api/v1/tokens/", {"name": "ci"}, format="json").json()["key"]
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.get("/api/v1/projects/").status_code == 200
    assert ApiToken.objects.get(name="ci").last_used_at is not None


def test_it_revokes_a_token_so_it_stops_working(manager):
    client = session_client(manager)
    created = client.post("/api/v1/tokens/", {"name": "tmp"}, format="json").json()
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {created['key']}")
    assert other.get("/api/v1/projects/").status_code == 200
    revoked = client.post(f"/api/v1/tokens/{created['id']}/revoke/")
    assert revoked.json()["state"] == "revoked"
    assert other.get("/api/v1/projects/").status_code == 401


def test_it_lets_no_one_revoke_someone_elses_token(manager, annotator):
    created = session_client(manager).post("/api/v1/tokens/", {"name": "m"}, format="json").json()
    response = token_client(annotator).post(f"/api/v1/tokens/{created['id']}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None


def test_it_refuses_an_expiry_in_the_past(manager):
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = session_client(manager).post(
        "/api/v1/tokens/", {"name": "x", "expires_at": past}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["expires_at"] == ["The expiry must be in the future."]


def test_it_creates_and_revokes_tokens_on_the_page(client, manager):
    client.force_login(manager)
    url = reverse("accounts:tokens")
    response = client.post(url, {"name": "notebook", "expires_in_days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(owner=manager, name="notebook")
    assert response.context["new_key"].startswith(token.prefix)
    assert response.context["new_key"] in response.content.decode()
    assert response.context["new_key"] not in client.get(url).content.decode()
    client.post(reverse("accounts:token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.state == "revoked"


def test_it_hides_other_users_tokens_on_the_page(client, manager, annotator):
    token_client(manager)
    client.force_login(annotator)
    assert b"tests" not in client.get(reverse("accounts:tokens")).content
    token = ApiToken.objects.get(owner=manager)
    assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404


def test_it_sends_anonymous_visitors_of_the_tokens_page_to_login(client, db):
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_refuses_to_create_a_token_with_a_token(manager):
    """A token that made tokens would leave keys that outlive its expiry and revocation."""
    parent, key = api_token_create(
        owner=manager, name="parent", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post("/api/v1/tokens/", {"name": "child"}, format="json")
    assert response.status_code == 403
    assert "only when logged in with your password" in response.json()["detail"]
    assert list(ApiToken.objects.filter(owner=manager)) == [parent]
    # A token still lists and revokes its owner's tokens: that can only take access away.
    assert [t["name"] for t in client.get("/api/v1/tokens/").json()["results"]] == ["parent"]
    assert client.post(f"/api/v1/tokens/{parent.pk}/revoke/").json()["state"] == "revoked"


def test_it_creates_a_token_with_a_session_that_checks_csrf(manager):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post("/api/v1/tokens/", {"name": "ci"}, format="json").status_code == 403
    client.get(reverse("accounts:tokens"))  # sets the CSRF cookie, as the browser gets it
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/tokens/", {"name": "ci"}, format="json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201
    assert ApiToken.objects.get(owner=manager, name="ci").expires_at is None
