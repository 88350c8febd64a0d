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
