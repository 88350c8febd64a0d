"""Alias suggestions: each shown in its sentence and pending in the text; a key accepts or
rejects the one in hand, a rejection is remembered for the set, and "Accept all remaining"
works on an article with thousands of them."""

from playwright.sync_api import expect

from annotations.models import Actor, HistoryRecord, RejectedSuggestion, Span
from tests.browser.annotating import wait_until_settled
from tests.browser.test_annotate import TRICKY_BODY
from tests.browser.test_article_at_cap import article_at_the_cap
from tests.factories import AnnotationSetFactory, ArticleFactory


def open_article(login, project, annotator, article):
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.locator("#article-body").wait_for()
    return page


def test_suggestions_are_accepted_and_rejected_by_key_and_a_rejection_is_remembered(
    login, project, annotator
):
    article = ArticleFactory(project=project, title="Tricky", body=TRICKY_BODY * 2)
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    nato = Actor.objects.create(project=project, name="NATO")
    Actor.objects.create(project=project, name="Zelensky")
    page = open_article(login, project, annotator, article)
    page.get_by_role("link", name="Suggestions", exact=True).click()
    items = page.locator("#suggestions .suggestion")
    expect(items).to_have_count(4)
    # In context: the mention marked in its sentence; pending in the text.
    expect(items.first.locator("mark")).to_have_text("Zelensky")
    expect(items.first).to_contain_text("Zelensky 🇺🇦 said troops moved.")
    expect(page.locator("#article-body .pending")).to_have_count(4)
    # The first is in hand (focused, outlined in the text): accept it with Enter.
    expect(items.first).to_be_focused()
    expect(page.locator("#article-body .pending.is-current")).to_have_text("Zelensky")
    page.keyboard.press("Enter")
    expect(items).to_have_count(3)
    assert Span.objects.get(annotation_set=annotation_set).quote == "Zelensky"
    # The next one is in hand: the NATO of the first copy. Reject it with n.
    expect(items.first).to_be_focused()
    expect(items.first.locator("mark")).to_have_text("NATO")
    page.keyboard.press("n")
    expect(items).to_have_count(2)
    rejected = RejectedSuggestion.objects.get(annotation_set=annotation_set)
    assert (rejected.actor, TRICKY_BODY[rejected.start : rejected.end]) == (nato, "NATO")
    assert HistoryRecord.objects.filter(object_type="rejected_suggestion").count() == 1
    rejected_key = f"{rejected.start}-{rejected.end}-{rejected.label_id}-{nato.pk}"
    # Asked again, after a reload: the rejected one stays away.
    page.reload()
    page.get_by_role("link", name="Suggestions", exact=True).click()
    expect(items).to_have_count(2)
    assert "NATO" not in items.first.locator("mark").inner_text() or (
        items.first.get_attribute("data-suggestion") != rejected_key
    )
    keys = [item.get_attribute("data-suggestion") for item in items.all()]
    assert rejected_key not in keys
    assert page.js_errors == []
    assert page.console_errors == []


def test_accept_all_creates_thousands_of_suggested_spans_at_once(login, project, annotator):
    article = article_at_the_cap(project)
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    Actor.objects.create(project=project, name="NATO")
    Actor.objects.create(project=project, name="Dmitry Peskov")
    page = open_article(login, project, annotator, article)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("link", name="Suggestions", exact=True).click()
    button = page.get_by_role("button", name="Accept all remaining")
    expect(button).to_be_visible(timeout=60_000)
    count = page.locator("#article-body .pending").count()  # each mention is one piece
    assert count > 2_000
    expect(page.locator("#suggestions h2")).to_have_text(f"Suggestions ({count})")
    expect(button).to_have_text(f"Accept all remaining ({count})")
    page.on("dialog", lambda dialog: dialog.accept())
    button.click()
    page.get_by_text("No suggestions left").wait_for(timeout=60_000)
    wait_until_settled(page)
    assert Span.objects.filter(annotation_set=annotation_set).count() == count
    expect(page.locator("#spans-heading")).to_have_text(f"Spans ({count})")
    assert page.js_errors == []


IN_LIST = """(item) => {
  const list = item.closest(".suggestion-list").getBoundingClientRect();
  const box = item.getBoundingClientRect();
  return box.top >= list.top - 1 && box.bottom <= list.bottom + 1
    && box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def test_the_suggestion_in_hand_stays_in_view_as_keys_accept_and_reject(login, project, annotator):
    """Far down the list, each accept or reject re-renders it; the next suggestion in hand is
    scrolled into view within the list, and its highlight in the text is in view too."""
    article = ArticleFactory(project=project, title="Many", body=TRICKY_BODY * 8)
    AnnotationSetFactory(article=article, annotator=annotator)
    Actor.objects.create(project=project, name="NATO")
    Actor.objects.create(project=project, name="Zelensky")
    page = login(annotator)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.get_by_role("link", name="Suggestions", exact=True).click()
    items = page.locator("#suggestions .suggestion")
    expect(items).to_have_count(16)
    expect(items.first).to_be_focused()
    for _ in range(11):
        page.keyboard.press("ArrowDown")
    expect(items.nth(11)).to_be_focused()
    for key, left in (("Enter", 15), ("n", 14), ("y", 13)):
        page.keyboard.press(key)
        expect(items).to_have_count(left)
        in_hand = page.locator("#suggestions .suggestion:focus")
        expect(in_hand).to_have_count(1)
        assert in_hand.evaluate(IN_LIST), key
        expect(page.locator("#article-body .pending.is-current").first).to_be_in_viewport()
    assert page.js_errors == []


CLICK_AS_IT_APPEARS = """() => {
  // Click "Accept all remaining" in the very next task after htmx swaps it in, as a quick
  // hand (or a key held down) can; htmx must have wired the button up by then.
  document.body.addEventListener("htmx:afterSwap", () => {
    setTimeout(() => {
      const button = [...document.querySelectorAll("#suggestions button")]
        .find((b) => b.textContent.startsWith("Accept all remaining"));
      button.click();
    }, 0);
  }, { once: true });
}"""


def test_a_button_clicked_the_moment_it_appears_does_its_work(login, project, annotator, article):
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    Actor.objects.create(project=project, name="NATO")
    page = open_article(login, project, annotator, article)
    page.on("dialog", lambda dialog: dialog.accept())
    page.evaluate(CLICK_AS_IT_APPEARS)
    page.get_by_role("link", name="Suggestions", exact=True).click()
    page.get_by_text("No suggestions left").wait_for()
    assert Span.objects.get(annotation_set=annotation_set).quote == "NATO"
    assert page.js_errors == []


PRESS_THEN_REPLACE = """() => {
  // The request leaves from the button; before its answer the list is re-rendered (as the
  // answer to a key pressed just before would re-render it), so the button is gone.
  document.querySelector("#suggestions .accept-suggestion").click();
  const workspace = document.getElementById("workspace");
  workspace.replaceWith(workspace.cloneNode(true));
}"""


def test_a_refusal_shows_when_the_page_has_replaced_what_was_pressed(
    login, project, annotator, article
):
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    Actor.objects.create(project=project, name="NATO")
    page = open_article(login, project, annotator, article)
    page.get_by_role("link", name="Suggestions", exact=True).click()
    page.locator("#suggestions .suggestion").first.wait_for()
    wait_until_settled(page)
    suggestion = page.locator("#suggestions .suggestion").first.get_attribute("data-suggestion")
    start, end, label_id, actor_id = (int(part) for part in suggestion.split("-"))
    RejectedSuggestion.objects.create(  # "n", pressed in another tab meanwhile
        annotation_set=annotation_set, start=start, end=end, label_id=label_id, actor_id=actor_id
    )
    page.evaluate(PRESS_THEN_REPLACE)
    expect(page.locator("#errors")).to_contain_text("is not offered to this set")
    assert not Span.objects.exists()
    assert page.js_errors == []
