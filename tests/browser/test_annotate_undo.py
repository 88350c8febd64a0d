"""Undo and redo on the annotate page: Ctrl+Z, Ctrl+Shift+Z and the toolbar's buttons."""

from playwright.sync_api import expect

from annotations.models import Span
from tests.browser.annotating import drag_select, wait_until_settled
from tests.browser.test_annotate import TRICKY_BODY
from tests.factories import AnnotationSetFactory, ArticleFactory


def test_ctrl_z_undoes_a_new_span_and_ctrl_shift_z_brings_it_back(login, project, annotator):
    article = ArticleFactory(project=project, title="Tricky text", body=TRICKY_BODY)
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    drag_select(page, "resumed in Geneva")
    page.keyboard.press("e")  # the "event" label
    page.locator("#editor blockquote", has_text="resumed in Geneva").wait_for()
    wait_until_settled(page)
    span = Span.objects.get(annotation_set=annotation_set)
    page.locator("#article-body").focus()
    page.keyboard.press("Control+z")
    expect(page.locator("#article-body .seg")).to_have_count(0)
    expect(page.locator("#selection-status")).to_have_text("Undone: created span.")
    assert not Span.objects.exists()
    page.keyboard.press("Control+Shift+z")
    expect(page.locator("#article-body .seg")).to_have_text("resumed in Geneva")
    assert Span.objects.get().pk == span.pk
    # The buttons do the same.
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#article-body .seg")).to_have_count(0)
    page.get_by_role("button", name="Redo").click()
    expect(page.locator("#article-body .seg")).to_have_count(1)
    # Nothing left to redo: said so, nothing changes.
    page.get_by_role("button", name="Redo").click()
    expect(page.locator("#errors")).to_have_text("Nothing to redo.")
    assert Span.objects.count() == 1
    assert page.js_errors == []
