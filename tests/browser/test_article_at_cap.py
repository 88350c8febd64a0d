"""An article at ARTICLE_MAX_CHARS stays usable on the annotate page: it opens in time, a
selection at its very end becomes a span with the right code-point offsets, and the page stays
where the user works: the text does not jump back to its top, and the span's editor is in view
beside it."""

import time

from django.conf import settings

from annotations.models import Span
from tests.browser.annotating import drag_select, wait_until_settled
from tests.factories import AnnotationSetFactory, ArticleFactory, SpanFactory

SENTENCE = "Kremlin spokesperson Dmitry Peskov warned the US and NATO 🇺🇦 against sending troops. "
LAST = "The final word belongs to Zelensky."

IN_VIEW = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight;
}"""


def article_at_the_cap(project):
    """ARTICLE_MAX_CHARS code points: paragraphs of news text with flags (two code points,
    four UTF-16 units each), ending with LAST."""
    paragraph = SENTENCE * 8 + "\n\n"
    room = settings.ARTICLE_MAX_CHARS - len(LAST)
    body = (paragraph * (room // len(paragraph) + 1))[:room] + LAST
    assert len(body) == settings.ARTICLE_MAX_CHARS
    return ArticleFactory(project=project, title="At the cap", body=body)


def test_an_article_at_the_cap_opens_and_takes_a_span_at_its_very_end(login, project, annotator):
    article = article_at_the_cap(project)
    annotation_set = AnnotationSetFactory(article=article, annotator=annotator)
    label = project.labels.get(name="actor")
    for start in range(0, len(article.body) - 1000, len(article.body) // 300):
        at = article.body.index("Peskov", start)
        SpanFactory(annotation_set=annotation_set, start=at, end=at + 6, label=label)
    page = login(annotator)
    page.set_viewport_size({"width": 1440, "height": 900})

    began = time.perf_counter()
    page.goto(f"{page.url}projects/{project.slug}/articles/{article.pk}/")
    page.locator("#article-body").wait_for()
    opened = time.perf_counter() - began

    drag_select(page, "Zelensky")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 50_000  # the end of the text is far down the page
    began = time.perf_counter()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("a")  # the "actor" label's key
    page.locator("#editor blockquote", has_text="Zelensky").wait_for()
    wait_until_settled(page)
    answered = time.perf_counter() - began

    span = Span.objects.get(annotation_set=annotation_set, quote="Zelensky")
    assert article.body[span.start : span.end] == "Zelensky"
    assert span.end == len(article.body) - 1
    assert page.evaluate("window.scrollY") == scrolled  # not thrown back to the top
    assert page.evaluate(IN_VIEW, f'.seg[data-spans~="{span.pk}"]')
    assert page.evaluate(IN_VIEW, "#editor blockquote")
    assert page.js_errors == []
    assert page.console_errors == []
    # Generous, for a machine shared with other work: about half a second each when idle.
    assert opened < 10 and answered < 10
