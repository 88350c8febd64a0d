"""Seeing what is labelled: every highlight names its label in a tag (readable without colour),
overlapping and nested spans each draw their own underline, a click where several spans lie
offers them all, and the span list is grouped by label, filterable and linked to the text."""

import pytest
from playwright.sync_api import expect

from annotations import services
from tests.browser.annotating import wait_until_settled
from tests.browser.test_annotate import TRICKY_BODY
from tests.factories import AnnotationSetFactory, ArticleFactory

# Each highlight's tag (its ::before content), its underline lanes, and each lane's colour.
_DRAWN = """
() => Array.from(document.querySelectorAll("#article-body .seg")).map((seg) => {
  const style = getComputedStyle(seg);
  const tag = getComputedStyle(seg, "::before").content;
  return {
    text: seg.textContent,
    spans: seg.dataset.spans.split(" "),
    tag: tag === "none" ? null : tag.replaceAll('"', ""),
    lanes: [0, 1, 2, 3].map((lane) => style.getPropertyValue(`--u${lane}`).trim() || null),
  };
})
"""


@pytest.fixture
def crowded(project, annotator):
    """The unicode-heavy article with nested and overlapping spans of several labels."""
    article = ArticleFactory(project=project, title="Crowded", body=TRICKY_BODY)
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    labels = {label.name: label for label in project.labels.all()}
    spans = {}
    for text, label in [
        ("Zelensky 🇺🇦 said troops moved", "claim"),
        ("Zelensky", "actor"),
        ("troops", "military force"),
        ("troops moved. Talks", "event"),  # crosses the claim's end
        ("Geneva", "location"),
    ]:
        start = TRICKY_BODY.index(text)
        spans[text] = services.span_create(
            annotation_set=annotation_set,
            start=start,
            end=start + len(text),
            quote=text,
            label=labels[label],
            user=annotator,
        )
    return article, spans


def open_page(login, project, annotator, article):
    page = login(annotator)
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.locator("#article-body").wait_for()
    wait_until_settled(page)
    return page


def test_it_tags_highlights_and_draws_every_overlapping_span_in_its_own_lane(
    login, project, annotator, crowded
):
    article, spans = crowded
    page = open_page(login, project, annotator, article)
    drawn = page.evaluate(_DRAWN)
    by_text = {seg["text"]: seg for seg in drawn}
    # Tags where spans start, in letters: claim and actor start together at "Zelensky".
    assert by_text["Zelensky"]["tag"] == "C A"
    assert by_text["troops"]["tag"] == "E MF"
    assert by_text["Geneva"]["tag"] == "L"
    # Each span's underline runs in one lane, in its label's colour, over its whole extent.
    for text, span in spans.items():
        segs = [seg for seg in drawn if str(span.pk) in seg["spans"]]
        assert "".join(seg["text"] for seg in segs) == text
        colour = span.label.colour
        lanes = {i for seg in segs for i, drawn in enumerate(seg["lanes"]) if drawn == colour}
        assert lanes, f"{text} draws no underline"
        assert any(all(seg["lanes"][i] == colour for seg in segs) for i in lanes)
    # Where the claim, the event and the force overlap, three underlines are drawn.
    assert sum(colour is not None for colour in by_text["troops"]["lanes"]) == 3
    assert page.js_errors == []
    assert page.console_errors == []


def test_a_click_where_spans_nest_offers_each_of_them(login, project, annotator, crowded):
    article, spans = crowded
    page = open_page(login, project, annotator, article)
    page.locator("#article-body .seg", has_text="troops").first.click()
    menu = page.get_by_role("menu", name="Spans here")
    items = menu.get_by_role("menuitem")
    assert items.all_inner_texts() == [
        "military force: troops",
        "event: troops moved. Talks",
        "claim: Zelensky 🇺🇦 said troops moved",
    ]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#editor blockquote", has_text="troops moved. Talks").wait_for()
    assert menu.is_hidden()


def test_the_span_list_is_grouped_by_label_filtered_and_jumps_to_the_text(
    login, project, annotator, crowded
):
    article, spans = crowded
    page = open_page(login, project, annotator, article)
    groups = [text.strip() for text in page.locator("#span-list .span-group h3").all_inner_texts()]
    assert groups == [
        "actor (1)",
        "location (1)",
        "claim (1)",
        "military force (1)",
        "event (1)",
    ]
    page.get_by_label("Filter spans by text").fill("troops")
    shown = page.locator("#span-list .span-link:visible")
    assert sorted(shown.all_inner_texts()) == [
        "Zelensky 🇺🇦 said troops moved",
        "troops",
        "troops moved. Talks",
    ]
    page.get_by_label("Filter spans by label").select_option(label="event")
    assert shown.all_inner_texts() == ["troops moved. Talks"]
    shown.first.click()
    page.locator("#editor blockquote", has_text="troops moved. Talks").wait_for()
    # The filter survives the editor opening; and the text shows the span asked for.
    assert page.get_by_label("Filter spans by text").input_value() == "troops"
    assert shown.all_inner_texts() == ["troops moved. Talks"]
    event = page.locator(f'.seg.is-active[data-spans~="{spans["troops moved. Talks"].pk}"]')
    expect(event.first).to_be_in_viewport()
    # And back: a click in the text marks the span in the list.
    page.get_by_label("Filter spans by label").select_option(label="All labels")
    page.get_by_label("Filter spans by text").fill("")
    page.locator("#article-body .seg", has_text="Geneva").click()
    page.locator("#editor blockquote", has_text="Geneva").wait_for()
    expect(page.locator("#span-list .span-link.is-current")).to_have_text("Geneva")
