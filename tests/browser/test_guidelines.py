"""An annotator reads the guidelines they work under in a drawer on the annotate page, without
leaving it; a manager writes them in Markdown beside a live preview."""

from annotations import services


def test_an_annotator_reads_the_guidelines_in_a_drawer_without_leaving_the_page(
    login, project, manager, annotator, article
):
    services.guidelines_update(project=project, text="# Actors\n\nMark **states**.", user=manager)
    annotation_set = services.annotation_set_open(article=article, user=annotator)
    page = login(annotator)
    url = f"{page.url}projects/{project.slug}/articles/{article.pk}/"
    page.goto(url)
    services.guidelines_update(project=project, text="# Actors\n\nMark **people**.", user=manager)
    drawer = page.locator("details.guidelines-drawer")
    drawer.locator("summary").click()
    body = drawer.locator(".drawer-body")
    body.get_by_role("heading", name="Actors").wait_for()
    # The version the set follows, the newer one named.
    assert annotation_set.guideline_version.number == 1
    assert "Mark states." in body.inner_text()
    assert "version 2 is the current one" in body.inner_text()
    assert page.url == url
    page.keyboard.press("Escape")
    body.wait_for(state="hidden")
    # Esc closes the drawer and, as everywhere on the annotate page, puts the focus in the text.
    assert page.evaluate("document.activeElement.id") == "article-body"
    assert page.js_errors == []
    assert page.console_errors == []


def test_a_manager_sees_a_live_preview_of_the_markdown(login, project, manager):
    page = login(manager)
    page.goto(f"{page.url}projects/{project.slug}/guidelines/")
    page.get_by_label("Markdown").fill("## Claims\n\n- **who** said it\n- <script>x</script>")
    preview = page.locator("#preview")
    preview.get_by_role("heading", name="Claims").wait_for()
    assert preview.locator("strong").inner_text() == "who"
    assert "<script>x</script>" in preview.inner_text()  # shown as text
    page.get_by_role("button", name="Save as version 1").click()
    page.locator("#guidelines-version").get_by_text("Version 1").wait_for()
    assert project.guideline_versions.get().text.startswith("## Claims")
    assert page.js_errors == []
    assert page.console_errors == []
