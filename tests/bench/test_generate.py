from annotations.models import AnnotationSet, Span
from bench.generate import generate_project, write_jsonl


def test_it_generates_articles_with_spans_that_quote_the_text(db):
    project = generate_project("gen", 3, seed=7)
    assert project.articles.count() == 3
    for article in project.articles.all():
        assert 2500 <= len(article.body) <= 3600
        assert article.annotation_sets.count() == 3
    spans = Span.objects.filter(annotation_set__article__project=project).select_related(
        "annotation_set__article"
    )
    assert all(s.quote == s.annotation_set.article.body[s.start : s.end] for s in spans)
    gold = Span.objects.filter(
        annotation_set__is_gold=True, annotation_set__article__project=project
    )
    assert 60 <= gold.count() / 3 <= 110


def test_it_makes_the_annotators_disagree_somewhat(db):
    project = generate_project("gen", 5, seed=7)
    counts = [
        Span.objects.filter(
            annotation_set__annotator=s.annotator, annotation_set__article__project=project
        ).count()
        for s in AnnotationSet.objects.filter(article__project=project, is_gold=False)[:2]
    ]
    assert counts[0] != counts[1]


def test_it_is_deterministic(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", 4, seed=3)
    write_jsonl(tmp_path / "b.jsonl", 4, seed=3)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
