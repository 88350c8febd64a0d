"""A reviewer adds to gold what both annotators missed: one span selected with the mouse in the
Gold column, one found and added with the keyboard only; both land in gold and in the native
export with reason "missed"."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from annotations.models import AnnotationSet
from tests.browser.test_adjudication import seeded  # noqa: F401 - the seeded article


def _drag_over(page, text):
    """Select the first `text` in the Gold column by dragging the mouse across it."""
    box = page.evaluate(
        """(text) => {
            const layer = document.getElementById("layer-gold");
            const walker = document.createTreeWalker(layer, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(text);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + text.length);
                range.startContainer.parentElement.scrollIntoView({block: "center"});
                const r = range.getBoundingClientRect();
                return {left: r.left, right: r.right, y: r.top + r.height / 2};
            }
            return null;
        }""",
        text,
    )
    page.mouse.move(box["left"] + 1, box["y"])
    page.mouse.down()
    page.mouse.move(box["right"] - 1, box["y"], steps=5)
    page.mouse.up()


def test_a_reviewer_adds_missed_spans_by_mouse_and_by_keyboard(login, live_server, seeded):  # noqa: F811
    project, article = seeded
    page = login(get_user_model().objects.get(username="reviewer"))
    page.goto(f"{live_server.url}/projects/{project.slug}/review/articles/{article.pk}/")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    status = page.locator("#adj-status")
    assert "add a span nobody marked" in page.locator(".keys").inner_text()

    # The mouse: drag over "Kiev" (after a dozen paragraphs) in the Gold column, label it.
    _drag_over(page, "Kiev")
    expect(page.locator("#missed-quote")).to_have_text("“Kiev”")
    start = article.body.index("Kiev")
    assert page.locator("#missed-start").input_value() == str(start)
    assert page.locator("#missed-end").input_value() == str(start + 4)
    page.locator("#missed-label").select_option(label="location")
    page.get_by_role("button", name="Add to gold (missed)").click()
    expect(status).to_contain_text("Added “Kiev” to gold (missed).")
    expect(page.locator("#layer-gold mark").filter(has_text="Kiev")).to_have_count(1)
    expect(page.locator("#detail .decided")).to_contain_text("reason: Missed")
    expect(page.locator("#item-list li.st-added")).to_have_count(1)

    # The keyboard only: s, type the text, Enter finds it; Tab to the label; Enter adds it.
    page.locator("#detail").focus()
    page.keyboard.press("s")
    expect(page.locator("#missed-find")).to_be_focused()
    page.keyboard.type("Joe Biden")
    page.keyboard.press("Enter")
    expect(page.locator("#missed-quote")).to_have_text("“Joe Biden”")
    for _ in range(3):
        page.keyboard.press("Tab")  # start, end, label
    expect(page.locator("#missed-label")).to_be_focused()
    page.keyboard.press("Tab")  # the actor: none
    page.keyboard.press("Tab")
    page.keyboard.type("Named in the subtitle")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Added “Joe Biden” to gold (missed).")
    expect(page.locator("#item-list li.st-added")).to_have_count(2)

    # A third time on the same label and range is refused, saying why.
    page.locator("#missed-find").fill("Joe Biden")
    page.locator("#missed-find").press("Enter")
    page.get_by_role("button", name="Add to gold (missed)").click()
    expect(page.locator("#detail .error")).to_contain_text("already has “Joe Biden” as actor")

    # No page load for any of it. (Deciding the rest and the export of "added" items are
    # tested in test_adjudication.py and tests/review/test_missed_items.py.)
    assert loads == []
    assert page.js_errors == []
    assert [e for e in page.console_errors if "409 (Conflict)" not in e] == []  # the refusal

    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    spans = {(s.start, s.quote, s.label.name) for s in gold.spans.all()}
    biden = article.body.index("Joe Biden")
    assert {(start, "Kiev", "location"), (biden, "Joe Biden", "actor")} <= spans
