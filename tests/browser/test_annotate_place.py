"""The annotate page keeps the analyst's place: no action moves the page unasked, the side
panel stays beside the text, and the focus comes back to the text where the cursor was."""

from annotations.models import Span
from tests.browser.annotating import drag_select, wait_until_settled
from tests.browser.test_article_at_cap import article_at_the_cap
from tests.factories import AnnotationSetFactory


def open_long_article(login, project, annotator):
    article = article_at_the_cap(project)
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    page = login(annotator)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.locator("#article-body").wait_for()
    return page, annotation_set


def test_it_keeps_the_page_where_it_was_when_the_first_span_is_added(login, project, annotator):
    page, annotation_set = open_long_article(login, project, annotator)
    drag_select(page, "Dmitry Peskov", nth=200)
    before = page.evaluate("window.scrollY")
    assert before > 2_000
    page.keyboard.press("a")
    page.locator("#editor blockquote", has_text="Dmitry Peskov").wait_for()
    wait_until_settled(page)
    page.wait_for_timeout(200)
    assert Span.objects.filter(annotation_set=annotation_set).count() == 1
    assert abs(page.evaluate("window.scrollY") - before) < 5
    # The span editor is in view beside the text, not thousands of pixels up.
    top = page.evaluate("document.getElementById('editor').getBoundingClientRect().top")
    assert 0 <= top < 900


def test_focus_returns_to_the_text_after_saving_a_note_and_with_escape_from_anywhere(
    login, project, annotator
):
    page, annotation_set = open_long_article(login, project, annotator)
    drag_select(page, "Dmitry Peskov", nth=200)
    page.keyboard.press("a")
    page.locator("#editor blockquote", has_text="Dmitry Peskov").wait_for()
    wait_until_settled(page)
    before = page.evaluate("window.scrollY")
    page.locator("#span-note").fill("The Kremlin's voice.")
    page.get_by_role("button", name="Save note").click()
    page.locator("#editor textarea", has_text="The Kremlin's voice.").wait_for()
    wait_until_settled(page)
    assert page.evaluate("document.activeElement.id") == "article-body"
    assert abs(page.evaluate("window.scrollY") - before) < 5
    # The keyboard cursor stands after the span just edited: Shift+Right selects the next word.
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.getSelection().toString().trim()") == "warned"
    # From anywhere (here the span list's filter), Escape brings the focus back to the text.
    page.get_by_label("Filter spans by text").focus()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "article-body"
    assert abs(page.evaluate("window.scrollY") - before) < 5
