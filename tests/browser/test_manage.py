"""Managers edit the project's vocabulary in the browser; refusals show on the page."""

from annotations.models import Label
from tests.factories import ActorFactory, SpanFactory


def test_it_lets_a_manager_add_a_label_and_shows_refusals_beside_their_fields(
    login, project, manager
):
    page = login(manager)
    page.get_by_role("link", name=project.name).click()
    page.get_by_role("link", name="Labels").click()
    new = page.get_by_role("form", name="Add")
    new.get_by_label("Name").fill("sanction")
    new.get_by_label("Hotkey").fill("s")
    new.get_by_role("button", name="Add").click()
    page.get_by_role("form", name="sanction").wait_for()
    assert Label.objects.filter(project=project, name="sanction", hotkey="s").exists()

    # A taken hotkey: the message sits beside the hotkey, the typed values stay, the page too.
    new = page.get_by_role("form", name="Add")
    new.get_by_label("Name").fill("sabotage")
    new.get_by_label("Hotkey").fill("s")
    new.get_by_role("button", name="Add").click()
    hotkey = new.get_by_label("Hotkey")
    new.locator(".field.invalid").get_by_text("has this hotkey").wait_for()
    assert hotkey.get_attribute("aria-invalid") == "true"
    assert new.get_by_label("Name").input_value() == "sabotage"
    assert new.get_by_label("Name").get_attribute("aria-invalid") is None
    assert page.get_by_role("form", name="sanction").is_visible()
    assert page.locator("#errors").inner_text() == ""
    assert not Label.objects.filter(name="sabotage").exists()

    # An upper-case hotkey on an existing row: refused in that row only.
    row = page.get_by_role("form", name="sanction")
    row.get_by_label("Hotkey").fill("X")
    row.get_by_role("button", name="Save").click()
    row.get_by_text("one lower-case letter or digit").wait_for()
    assert row.get_by_label("Hotkey").input_value() == "X"
    assert page.get_by_role("form", name="Add").get_by_label("Name").input_value() == ""

    # A duplicate name on another list (claim types) shows beside the name.
    page.get_by_role("link", name="Claim types").click()
    taken = project.claim_types.first().name
    new = page.get_by_role("form", name="Add")
    new.get_by_label("Name").fill(taken)
    new.get_by_role("button", name="Add").click()
    new.locator(".field.invalid").get_by_text("has this name").wait_for()
    assert page.js_errors == []
    assert all("400 (Bad Request)" in error for error in page.console_errors)


def test_it_shows_a_refused_actor_beside_its_name_without_leaving_the_registry(
    login, project, manager
):
    ActorFactory(project=project, name="NATO")
    page = login(manager)
    page.goto(f"{page.url}projects/{project.slug}/actors/")
    page.get_by_text("Add an actor").click()
    form = page.get_by_role("form", name="Add an actor")
    form.get_by_label("Canonical name").fill("NATO")
    form.get_by_label("External id").fill("Q7184")
    form.get_by_role("button", name="Add actor").click()
    form.locator(".field.invalid").get_by_text("has this canonical name").wait_for()
    assert form.get_by_label("External id").input_value() == "Q7184"
    assert page.get_by_role("link", name="NATO").is_visible()  # the registry is still there
    form.get_by_label("Canonical name").fill("North Atlantic Treaty Organization")
    form.get_by_role("button", name="Add actor").click()
    page.get_by_role("link", name="North Atlantic Treaty Organization").wait_for()
    assert project.actors.filter(external_id="Q7184").exists()
    assert page.js_errors == []


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


def test_it_shows_a_threat_levels_whole_description(login, project, manager):
    level = project.threat_levels.first()
    level.description = " ".join(["Concrete steps that make escalation plausible."] * 8)
    level.save()
    page = login(manager)
    page.goto(f"{page.url}projects/{project.slug}/settings/threat-scale/")
    box = page.get_by_role("form", name=level.name).get_by_label("Description")
    assert box.input_value() == level.description
    hidden = box.evaluate("el => el.scrollHeight - el.clientHeight")
    assert hidden <= 1  # the box grows with its text: nothing scrolled out of sight


def test_it_shows_htmx_refusals_in_place_and_keeps_the_page(
    login, project, manager, annotation_set
):
    used = project.labels.get(name="actor")
    SpanFactory(annotation_set=annotation_set, start=0, end=7, label=used)
    gone = project.labels.get(name="date")
    page = login(manager)
    page.goto(f"{page.url}projects/{project.slug}/settings/labels/")
    # A label in use (409): the message in #errors, every row still there.
    page.get_by_role("form", name="actor").get_by_role("button", name="Delete").click()
    page.locator("#errors").get_by_text("still used by 1 annotation").wait_for()
    assert page.get_by_role("form", name="actor").is_visible()
    # A label someone else deleted meanwhile (404): said in #errors, no error page swapped in.
    gone.delete()
    page.get_by_role("form", name="date").get_by_role("button", name="Save").click()
    page.locator("#errors").get_by_text("No such item.").wait_for()
    assert page.locator("h1").inner_text() == "Labels of Demo"
    assert page.locator("#errors .error-page").count() == 0
    assert page.js_errors == []
