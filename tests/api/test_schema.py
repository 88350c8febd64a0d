import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.api.conftest import token_client


def test_it_generates_a_valid_schema_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (
        "/api/v1/projects/{slug}/annotation-sets/{set_id}/spans/"
        in (tmp_path / "s.yml").read_text()
    )


def test_it_serves_the_docs_with_no_inline_script(client, manager):
    client.force_login(manager)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content


def test_it_asks_anonymous_visitors_to_log_in_for_the_schema_and_docs(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 401
    assert schema["WWW-Authenticate"].startswith("Token")
    for url in ("/api/docs/", "/api/docs/?script="):
        docs = client.get(url)
        assert docs.status_code == 302
        assert docs["Location"].startswith(f"{reverse('accounts:login')}?next=/api/docs/")


def test_it_serves_the_schema_to_a_session_and_to_a_token(client, annotator):
    assert token_client(annotator).get("/api/schema/").status_code == 200
    client.force_login(annotator)
    assert b"/api/v1/projects/" in client.get("/api/schema/").content


def test_it_serves_the_schema_and_docs_to_anyone_when_public(client, db, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/docs/?script=").status_code == 200


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "*/*"])
def test_it_answers_json_not_the_browsable_api(client, manager, accept):
    """DRF's HTML pages with a form for each endpoint are a development aid (API_BROWSABLE)."""
    client.force_login(manager)
    response = client.get("/api/v1/projects/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert client.get("/api/v1/projects/?format=api").status_code == 404
    assert client.get("/api/v1/projects/", headers={"Accept": "text/html"}).status_code == 406
