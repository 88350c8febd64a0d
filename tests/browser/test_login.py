from tests.browser.conftest import PASSWORD


def test_it_logs_in_and_lists_only_my_projects(login, annotator, other_project, project):
    page = login(annotator)
    assert page.get_by_role("link", name=project.name).is_visible()
    assert page.get_by_role("link", name=other_project.name).count() == 0
    assert page.js_errors == []


def test_it_rejects_a_wrong_password(page, live_server, annotator):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(annotator.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
    assert page.url.endswith("/accounts/login/")


def test_it_shows_how_long_to_wait_after_too_many_failures(page, live_server, annotator, settings):
    """The lockout page is the site's own page (styled, no CSP violation), not a bare 403."""
    for password in ["wrong"] * settings.AXES_FAILURE_LIMIT + [PASSWORD]:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(annotator.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    assert "wait 15 minutes, then try again" in alert.inner_text()
    assert page.get_by_role("heading", name="Too many failed logins").is_visible()
    assert page.get_by_role("link", name="Analysts' workbench").is_visible()  # the site header
    page.get_by_role("link", name="Back to the login page").click()
    assert page.get_by_role("button", name="Log in").is_visible()
    assert page.js_errors == []
    # The one console error is Chromium noting the 429 of the lockout page itself.
    assert [e for e in page.console_errors if "429" not in e] == []
