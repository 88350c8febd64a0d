"""Managers edit the project's vocabulary in the browser; refusals show on the page."""

from annotations.models import Label
from tests.factories import SpanFactory


def test_it_lets_a_manager_add_a_label_and_shows_a_refused_hotkey(login, project, manager):
    page = login(manager)
    page.get_by_role("link", name=project.name).click()
    page.get_by_role("link", name="Labels").click()
    new = page.get_by_role("form", name="Add")
    new.get_by_label("Name").fill("sanction")
    new.get_by_label("Hotkey").fill("s")
    new.get_by_role("button", name="Add").click()
    page.get_by_role("form", name="sanction").wait_for()
    assert Label.objects.filter(project=project, name="sanction", hotkey="s").exists()

    new = page.get_by_role("form", name="Add")
    new.get_by_label("Name").fill("sabotage")
    new.get_by_label("Hotkey").fill("s")
    new.get_by_role("button", name="Add").click()
    page.locator("#errors").get_by_text("hotkey", exact=False).wait_for()
    assert not Label.objects.filter(name="sabotage").exists()
    assert page.js_errors == []
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]


def test_it_opens_either_nested_span_from_the_highlight(login, project, annotator, annotation_set):
    outer = SpanFactory(
        annotation_set=annotation_set, start=0, end=34, label=project.labels.get(name="claim")
    )
    inner = SpanFactory(
        annotation_set=annotation_set, start=21, end=34, label=project.labels.get(name="actor")
    )
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{annotation_set.article_id}/")
    highlight = page.locator(f'.seg[data-spans="{outer.pk} {inner.pk}"]')
    # Where two spans lie, the click offers both, innermost first.
    menu = page.get_by_role("menu", name="Spans here")
    highlight.click()
    menu.get_by_role("menuitem").first.click()
    page.locator(f'#editor[data-active-span="{inner.pk}"]').wait_for()
    highlight.click()
    menu.get_by_role("menuitem").nth(1).click()
    page.locator(f'#editor[data-active-span="{outer.pk}"]').wait_for()
    page.locator("#editor").get_by_role("button", name="Delete span").wait_for()
    assert page.js_errors == []
    assert page.console_errors == []
