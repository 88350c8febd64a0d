"""The registry exchanged where a team looks for it: the registry page (a manager imports, any
member downloads), the REST API and the management commands."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.api.conftest import token_client
from tests.factories import ActorFactory, ProjectFactory

CSV = (
    "name,kind,aliases,affiliation,external_id,description\r\n"
    'Russia,state,"Russian Federation\r\nРоссия",,Q159,\r\n'
    "Kremlin,government_body,,Russia,,<script>alert(1)</script>\r\n"
).encode()


def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_a_manager_imports_a_file_on_the_registry_page(client, manager, project):
    client.force_login(manager)
    url = reverse("annotations:actor-import", args=[project.slug])
    response = client.post(url, {"file": upload("team.csv", CSV)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("annotations:actor-list", args=[project.slug])
    assert "Imported team.csv: 2 new actor(s), 0 updated, 0 already as the file says." in (
        response.text
    )
    assert [a.name for a in response.context["actors"]] == ["Kremlin", "Russia"]
    assert project.actors.get(name="Kremlin").affiliation.name == "Russia"


def test_a_refused_file_lists_every_problem_on_the_page_escaped(client, manager, project):
    client.force_login(manager)
    url = reverse("annotations:actor-import", args=[project.slug])
    bad = b"name,kind\n<b>Russia</b>,planet\nNATO,moon\n"
    response = client.post(url, {"file": upload("bad.csv", bad)})
    assert response.status_code == 400
    page = response.text
    assert "Nothing was imported" in page
    assert "bad.csv, line 2: unknown kind &#x27;planet&#x27;" in page
    assert "bad.csv, line 3: unknown kind &#x27;moon&#x27;" in page
    assert "<b>Russia</b>" not in page
    assert 'id="registry-exchange" open' in page
    assert not project.actors.exists()
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert "Registry file: This field is required." in missing.text


def test_an_upload_over_the_limit_is_refused_before_reading(client, manager, project, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 10
    client.force_login(manager)
    url = reverse("annotations:actor-import", args=[project.slug])
    response = client.post(url, {"file": upload("big.csv", CSV)})
    assert response.status_code == 400
    assert "uploads are limited to" in response.text


@pytest.mark.parametrize("format", ["csv", "json"])
def test_any_member_downloads_the_registry(client, annotator, project, format):
    ActorFactory(project=project, name="=cmd|' /C calc'!A0", kind="person")
    client.force_login(annotator)
    response = client.get(reverse("annotations:actor-export", args=[project.slug, format]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="demo-actors.{format}"'
    text = response.content.decode()
    if format == "csv":
        [row] = list(csv.DictReader(io.StringIO(text, newline="")))
        assert row["name"] == "'=cmd|' /C calc'!A0"
    else:
        assert json.loads(text)[0]["name"] == "=cmd|' /C calc'!A0"


def test_an_unknown_export_format_is_not_found(client, manager, project):
    client.force_login(manager)
    response = client.get(reverse("annotations:actor-export", args=[project.slug, "xlsx"]))
    assert response.status_code == 404


def test_the_registry_page_links_both_downloads(client, manager, project):
    client.force_login(manager)
    page = client.get(reverse("annotations:actor-list", args=[project.slug])).text
    assert f'href="/projects/{project.slug}/actors/export.csv"' in page
    assert f'href="/projects/{project.slug}/actors/export.json"' in page


def test_the_api_exports_and_imports_a_registry_between_projects(manager, project):
    ActorFactory(project=project, name="Russia", kind="state", external_id="Q159")
    ActorFactory(project=project, name="Iran", kind="state", external_id="Q794")
    api = token_client(manager)
    exported = api.get(f"/api/v1/projects/{project.slug}/actors/export.json")
    assert exported.status_code == 200
    assert exported["Content-Type"] == "application/json"
    other = ProjectFactory(slug="other")
    other.memberships.create(user=manager, role="manager")
    url = f"/api/v1/projects/{other.slug}/actors/import/"
    response = api.post(url, {"file": upload("r.json", exported.content)}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": ["Iran", "Russia"], "updated": [], "unchanged": 0}
    assert other.actors.registry_entries() == project.actors.registry_entries()


def test_the_api_answers_400_listing_each_problem(manager, project):
    api = token_client(manager)
    url = f"/api/v1/projects/{project.slug}/actors/import/"
    bad = b"name,affiliation\nA,Nowhere\nB,B\n"
    response = api.post(url, {"file": upload("x.csv", bad)}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {
        "file": [
            "x.csv, line 2: the affiliation 'Nowhere' names no actor in the file or the project.",
            "x.csv, line 3: 'B' cannot be its own affiliation.",
        ]
    }
    wrong = api.post(url, {"file": upload("x.csv", CSV), "format": "xml"}, format="multipart")
    assert wrong.status_code == 400 and "format" in wrong.json()


def test_the_commands_export_and_import_a_registry(project, tmp_path, capsys):
    ActorFactory(project=project, name="Hezbollah", kind="armed_group", external_id="Q41053")
    path = tmp_path / "actors.csv"
    call_command("export_actors", "--project", project.slug, "--output", str(path))
    assert "Wrote 1 actor(s)" in capsys.readouterr().out
    other = ProjectFactory(slug="other")
    call_command("import_actors", str(path), "--project", other.slug)
    assert "1 new actor(s)" in capsys.readouterr().out
    assert other.actors.registry_entries() == project.actors.registry_entries()
    (tmp_path / "bad.json").write_text('[{"name": "A", "kind": "planet"}]')
    with pytest.raises(CommandError, match="nothing of it was stored"):
        call_command("import_actors", str(tmp_path / "bad.json"), "--project", other.slug)
    assert "bad.json, line 1: unknown kind 'planet'" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Name the output .csv or .json"):
        call_command("export_actors", "--project", project.slug, "--output", "x.xlsx")
