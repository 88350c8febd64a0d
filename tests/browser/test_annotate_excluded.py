"""A manager marks parts of an article as not to be annotated (a page's navigation, its
footer): they are greyed in the text, spans there are refused, suggestions skip them."""

from playwright.sync_api import expect

from annotations.models import Actor, Article, HistoryRecord, Span
from tests.browser.annotating import drag_select
from tests.factories import AnnotationSetFactory, ArticleFactory, MembershipFactory

BODY = (
    "Home | World | NATO | Contact\n"
    "Kremlin spokesperson Dmitry Peskov warned the US and NATO 🇺🇦 against sending troops.\n"
    "© 2024 NATO News 北约 · Privacy"
)
NAV = "Home | World | NATO | Contact"
FOOTER = "© 2024 NATO News 北约 · Privacy"


def test_a_manager_marks_navigation_and_footer_and_annotators_keep_out_of_them(
    login, project, manager, annotator
):
    MembershipFactory(user=manager, project=project, role="annotator")
    article = ArticleFactory(project=project, title="Seed page", body=BODY)
    Actor.objects.create(project=project, name="NATO")
    page = login(manager)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    for text in (NAV, FOOTER):
        drag_select(page, text)
        page.locator(".label-popup").get_by_role("button", name="Not to annotate").click()
        expect(page.locator("#article-body .excluded", has_text=text)).to_be_visible()
    regions = Article.objects.get(pk=article.pk).regions_not_to_annotate()
    assert [BODY[start:end] for start, end in regions] == [NAV, FOOTER]
    assert HistoryRecord.objects.filter(object_type="article_not_to_annotate").count() == 2

    AnnotationSetFactory(article=article, annotator=annotator)
    page.context.clear_cookies()
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    expect(page.locator("#article-body .excluded")).to_have_count(2)
    # Only the "NATO" of the article's sentence is suggested.
    page.get_by_role("link", name="Suggestions", exact=True).click()
    expect(page.locator("#suggestions .suggestion")).to_have_count(1)
    expect(page.locator("#suggestions .suggestion mark")).to_have_text("NATO")
    # A span reaching into the footer is refused with a message.
    page.get_by_role("button", name="Close").click()
    drag_select(page, "2024 NATO")
    page.keyboard.press("a")
    expect(page.locator("#errors")).to_contain_text("marked as not to be annotated")
    assert not Span.objects.exists()
    assert page.js_errors == []
