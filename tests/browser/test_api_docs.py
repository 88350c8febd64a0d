"""The interactive API docs and the tokens page work under the strict Content-Security-Policy."""


def test_it_renders_swagger_ui_with_no_csp_violation(page, login, live_server, manager):
    login(manager)  # the docs need a logged-in user (API_DOCS_PUBLIC is off)
    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("/api/v1/projects/{slug}/annotation-sets/").first.wait_for()
    assert page.js_errors == []
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_it_shows_a_new_token_once_and_the_key_works_against_the_api(
    page, login, live_server, manager
):
    login(manager)
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.get_by_label("Name").fill("notebook")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("code.token-key").inner_text()
    assert key.startswith("wbt_")
    response = page.request.get(
        f"{live_server.url}/api/v1/projects/", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status == 200
    assert [p["slug"] for p in response.json()["results"]] == ["demo"]
    page.goto(f"{live_server.url}/accounts/tokens/")
    assert page.locator("code.token-key").count() == 0
    page.get_by_role("button", name="Revoke").click()
    assert page.get_by_role("cell", name="revoked").is_visible()
    response = page.request.get(
        f"{live_server.url}/api/v1/projects/", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status == 401
    assert page.console_errors == []
