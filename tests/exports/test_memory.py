"""An export's memory stays flat: it does not grow with the size of the project."""

import tracemalloc

from annotations.exports import export
from annotations.models import AnnotationSet, Article, Span, sha256_of

ARTICLES = 3000
SPANS_PER_ARTICLE = 12
PARAGRAPH = "Officials in Kyiv said the NATO summit would discuss air defence for Ukraine. "


def _generate(project):
    labels = list(project.labels.all())
    articles = Article.objects.bulk_create(
        Article(
            project=project,
            title=f"Article {n}",
            body=(body := f"{n} 🇺🇦 北约 " + PARAGRAPH * 25),
            body_sha256=sha256_of(body),
        )
        for n in range(ARTICLES)
    )
    sets = AnnotationSet.objects.bulk_create(
        AnnotationSet(article=a, is_gold=True, status=AnnotationSet.Status.APPROVED)
        for a in articles
    )
    step = len(PARAGRAPH)
    Span.objects.bulk_create(
        (
            Span(
                annotation_set=s,
                start=(start := len(f"{s.article.title[8:]} 🇺🇦 北约 ") + k * step + 13),
                end=start + 4,
                quote="Kyiv",
                label=labels[k % len(labels)],
            )
            for s in sets
            for k in range(SPANS_PER_ARTICLE)
        ),
        batch_size=5000,
    )


def test_it_exports_a_large_project_in_bounded_memory(project, tmp_path):
    _generate(project)
    tracemalloc.start()
    try:
        [path] = export(project=project, format="native", stem=tmp_path / "big")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert size > 8_000_000
    assert peak < size / 3, f"peak {peak:,} bytes for an output of {size:,} bytes"
    with path.open("rb") as lines:
        assert sum(1 for _ in lines) == ARTICLES
