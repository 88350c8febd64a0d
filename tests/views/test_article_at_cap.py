"""Every page that shows an article stays usable at ARTICLE_MAX_CHARS: it renders in the same
number of queries as for a short article, shows the text at most once (the adjudication page
once per layer: gold and each annotator's, side by side), and pages that do not show the text
do not grow with it.

(The annotate page at the cap in a browser: tests/browser/test_article_at_cap.py.)
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import AnnotationSet, Span
from tests.api.conftest import token_client
from tests.factories import AnnotationSetFactory, ArticleFactory

SENTENCE = "Kremlin spokesperson Dmitry Peskov warned the US and NATO 🇺🇦 against sending troops. "
SPANS_PER_SET = 40


def body_of(length: int) -> str:
    paragraph = SENTENCE * 8 + "\n\n"
    return (paragraph * (length // len(paragraph) + 1))[:length]


def article_with_sets(project, annotator, annotator2, length: int):
    """An article of `length` code points, and two annotators' submitted sets with the same
    SPANS_PER_SET spans spread over the whole text (each on a sentence of its own)."""
    article = ArticleFactory(project=project, title="Long", body=body_of(length))
    label = project.labels.get(name="actor")
    step = length // SPANS_PER_SET
    sets = []
    for user in (annotator, annotator2):
        annotation_set = AnnotationSetFactory(
            article=article, annotator=user, status=AnnotationSet.Status.SUBMITTED
        )
        starts = [article.body.index("Peskov", i * step) for i in range(SPANS_PER_SET)]
        assert len(set(starts)) == SPANS_PER_SET
        Span.objects.bulk_create(
            Span(annotation_set=annotation_set, start=s, end=s + 6, quote="Peskov", label=label)
            for s in starts
        )
        sets.append(annotation_set)
    return article, sets


PAGES = {
    # name: (who, URL of (article, sets), the most queries allowed, copies of the text shown)
    "annotate": ("annotator", lambda a, s: f"/projects/demo/articles/{a.pk}/", 12, 1),
    "set review": ("reviewer", lambda a, s: f"/projects/demo/sets/{s[0].pk}/review/", 12, 0),
    "adjudication": (
        "reviewer",
        lambda a, s: f"/projects/demo/review/articles/{a.pk}/",
        12,
        3,  # the gold layer and the two annotators' layers
    ),
    "API article detail": (
        "reviewer",
        lambda a, s: f"/api/v1/projects/demo/articles/{a.pk}/",
        10,  # 6, and the token's request budget read and written in the database cache
        1,
    ),
}


def render(request, who, url):
    user = request.getfixturevalue(who)
    if url.startswith("/api/"):
        client = token_client(user)
    else:
        client = request.getfixturevalue("client")
        client.force_login(user)
    client.get(url)  # the first request of a session may do more (the annotator's set)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_of_an_article_at_the_cap_renders_in_fixed_queries_and_size(
    request, project, annotator, annotator2, reviewer, page
):
    who, url_of, most_queries, copies = PAGES[page]
    short, short_sets = article_with_sets(project, annotator, annotator2, 5_000)
    queries_short, size_short = render(request, who, url_of(short, short_sets))
    AnnotationSet.objects.all().delete()  # the annotate page opens the annotator's one set

    at_cap, cap_sets = article_with_sets(project, annotator, annotator2, settings.ARTICLE_MAX_CHARS)
    assert len(at_cap.body) == settings.ARTICLE_MAX_CHARS
    queries_cap, size_cap = render(request, who, url_of(at_cap, cap_sets))

    assert queries_cap == queries_short <= most_queries
    added_text = len(at_cap.body.encode()) - len(short.body.encode())  # ~320 kB of UTF-8
    if copies:  # escaped, with its highlights
        assert size_cap < size_short + copies * 1.1 * added_text
    else:  # not at all: only the longer offsets of the spans grow
        assert size_cap < size_short + 40 * SPANS_PER_SET
