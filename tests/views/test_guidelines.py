"""Every member reads the guidelines rendered from Markdown, safely, with what changed between
versions; managers preview their Markdown before saving it."""

from django.urls import reverse

from annotations.services import guidelines_update

HX = {"HX-Request": "true"}
V1 = "# Actors\n\nMark **every** actor.\n\n- people\n- states\n"
V2 = "# Actors\n\nMark **every** actor.\n\n- people\n- states and alliances\n- armed groups\n"


def test_an_annotator_reads_the_guidelines_rendered_from_markdown(client, annotator, project):
    guidelines_update(project=project, text=V1)
    client.force_login(annotator)
    response = client.get(reverse("annotations:guidelines", args=[project.slug]))
    assert response.status_code == 200
    text = response.text
    assert "<h1>Actors</h1>" in text
    assert "<strong>every</strong>" in text
    assert "<li>states</li>" in text
    assert "Edit the guidelines" not in text  # the editor is for managers


def test_it_never_lets_the_guidelines_run_a_script(client, annotator, project):
    guidelines_update(
        project=project,
        text="<script>alert(1)</script>\n\n[click](javascript:alert(2))"
        ' <img src=x onerror="alert(3)">',
    )
    client.force_login(annotator)
    text = client.get(reverse("annotations:guidelines", args=[project.slug])).text
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'href="javascript:' not in text
    assert "<img" not in text


def test_it_shows_what_changed_from_the_version_before(client, annotator, project):
    guidelines_update(project=project, text=V1)
    guidelines_update(project=project, text=V2)
    client.force_login(annotator)
    response = client.get(reverse("annotations:guideline-version", args=[project.slug, 2]))
    text = response.text
    assert "What changed from version 1" in text
    assert (
        '<tr class="diff-removed"><td class="diff-sign" aria-label="removed">−</td>'
        "<td><del>- states</del>" in text
    )
    assert "<ins>- states and alliances</ins>" in text
    assert "<ins>- armed groups</ins>" in text
    assert "<del>- people</del>" not in text  # unchanged lines are not marked


def test_an_older_version_says_which_is_current(client, annotator, project):
    guidelines_update(project=project, text=V1)
    guidelines_update(project=project, text=V2)
    client.force_login(annotator)
    text = client.get(reverse("annotations:guideline-version", args=[project.slug, 1])).text
    assert "version 2 is the current one" in text
    assert (
        client.get(reverse("annotations:guideline-version", args=[project.slug, 9])).status_code
        == 404
    )


def test_the_drawer_gets_the_reader_alone(client, annotator, project):
    guidelines_update(project=project, text=V1)
    client.force_login(annotator)
    response = client.get(
        reverse("annotations:guideline-version", args=[project.slug, 1]), headers=HX
    )
    assert "<html" not in response.text
    assert "<h1>Actors</h1>" in response.text


def test_a_manager_previews_markdown_sanitised(client, manager, project):
    client.force_login(manager)
    url = reverse("annotations:guidelines-preview", args=[project.slug])
    response = client.post(url, {"text": "## Claims\n\n<b onclick=x>bold</b>"}, headers=HX)
    assert response.status_code == 200
    assert '<div id="preview"' in response.text
    assert "<h2>Claims</h2>" in response.text
    assert "onclick" not in response.text.replace("&lt;b onclick=x&gt;", "")


def test_a_manager_edits_the_markdown_beside_its_preview(client, manager, project):
    guidelines_update(project=project, text=V1)
    client.force_login(manager)
    text = client.get(reverse("annotations:guidelines", args=[project.slug])).text
    assert 'aria-label="Edit the guidelines"' in text
    assert "Save as version 2" in text
    assert '<div id="preview" class="markdown preview" aria-live="polite"><h1>Actors</h1>' in text
