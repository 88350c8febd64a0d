"""A manager imports a registry file on the registry page: a refused file's problems are
listed, a good one fills the table; the downloads are links beside the form."""

from tests.factories import ActorFactory


def test_a_manager_imports_a_registry_file_and_sees_each_problem(
    login, live_server, project, manager, tmp_path
):
    ActorFactory(project=project, name="Russia", kind="state", external_id="Q159")
    page = login(manager)
    page.goto(f"{live_server.url}/projects/{project.slug}/actors/")
    page.get_by_text("Export or import the registry (CSV, JSON)").click()
    bad = tmp_path / "team.csv"
    bad.write_text("name,kind,affiliation\nKremlin,government_body,Russland\n")
    page.get_by_label("Registry file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert").filter(has_text="Nothing was imported")
    assert "team.csv, line 2: the affiliation 'Russland' names no actor" in alert.inner_text()
    good = tmp_path / "team.json"
    good.write_text('[{"name": "Kremlin", "kind": "government_body", "affiliation": "russia"}]')
    page.get_by_label("Registry file").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported team.json: 1 new actor(s)").wait_for()
    row = page.locator("#actors tr", has_text="Kremlin")
    assert "Russia" in row.inner_text()
    page.get_by_text("Export or import the registry (CSV, JSON)").click()
    assert page.get_by_role("link", name="CSV").get_attribute("href").endswith("/export.csv")
    assert page.js_errors == []
    # The refused upload's 400 is logged by the browser; nothing else is (no CSP violation).
    assert all("status of 400" in message for message in page.console_errors)
