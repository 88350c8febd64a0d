import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations.models import AnnotationSet, Article, Claim, Span
from tests.factories import (
    AnnotationSetFactory,
    ArticleFactory,
    ClaimTypeFactory,
    LabelFactory,
    SpanFactory,
)


def make_span(annotation_set, start, end, quote=None, label=None):
    body = annotation_set.article.body
    return Span(
        annotation_set=annotation_set,
        start=start,
        end=end,
        quote=body[start:end] if quote is None else quote,
        label=label or LabelFactory(project=annotation_set.article.project),
    )


def test_it_refuses_an_empty_or_reversed_span_in_the_database(annotation_set):
    for start, end in [(5, 5), (9, 3)]:
        span = make_span(annotation_set, start, end, quote="")
        with pytest.raises(IntegrityError), transaction.atomic():
            span.save()
    assert not Span.objects.exists()


def test_it_refuses_a_span_ending_beyond_the_body(annotation_set):
    length = len(annotation_set.article.body)
    span = make_span(annotation_set, length - 3, length + 1)
    with pytest.raises(ValidationError, match=f"beyond the text, which is {length}"):
        span.full_clean()


def test_it_refuses_a_span_whose_quote_differs_from_the_body(annotation_set):
    span = make_span(annotation_set, 0, 7, quote="Kremlim")
    with pytest.raises(ValidationError, match="does not match the text at 0-7"):
        span.full_clean()


def test_it_accepts_overlapping_and_nested_spans(annotation_set):
    for start, end in [(0, 34), (21, 34), (28, 34), (21, 27)]:
        span = make_span(annotation_set, start, end)
        span.full_clean()
        span.save()
    assert annotation_set.spans.count() == 4


def test_it_counts_offsets_in_code_points_past_emoji_and_flags(annotation_set):
    body = annotation_set.article.body
    start = body.index("北约")
    span = make_span(annotation_set, start, start + 2)
    span.full_clean()
    assert span.quote == "北约"
    # The flag is two code points (regional indicators), not four UTF-16 units.
    flag = body.index("🇺🇦")
    assert body[flag : flag + 2] == "🇺🇦"


def test_it_refuses_a_label_from_another_project(annotation_set, other_project):
    foreign = other_project.labels.first()
    span = make_span(annotation_set, 0, 7, label=foreign)
    with pytest.raises(ValidationError, match="belongs to another project"):
        span.full_clean()


def test_it_keeps_the_body_once_annotations_point_into_it(annotation_set):
    article = annotation_set.article
    article.body = article.body + " edited"
    article.save()  # no spans yet: allowed
    SpanFactory(annotation_set=annotation_set)
    article.body = "Something else entirely"
    with pytest.raises(ValidationError, match="cannot change once annotations"):
        article.save()
    article.refresh_from_db()
    assert article.body.endswith(" edited")


def test_it_keeps_the_body_hash_in_step_with_the_body(article):
    import hashlib

    assert article.body_sha256 == hashlib.sha256(article.body.encode()).hexdigest()


def test_it_refuses_the_same_body_twice_in_a_project_but_not_across_projects(
    article, other_project
):
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(project=article.project, body=article.body)
    ArticleFactory(project=other_project, body=article.body)
    assert Article.objects.filter(body_sha256=article.body_sha256).count() == 2


def test_it_allows_one_set_per_annotator_and_one_gold_set(article, annotator):
    AnnotationSetFactory(article=article, annotator=annotator)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnotationSetFactory(article=article, annotator=annotator)
    AnnotationSet.objects.create(article=article, is_gold=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnotationSet.objects.create(article=article, is_gold=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnotationSet.objects.create(article=article, is_gold=True, annotator=annotator)


@pytest.mark.parametrize(
    ("reliability", "credibility"), [("G", None), ("a", None), ("", 0), ("", 7)]
)
def test_it_refuses_grades_outside_the_admiralty_code(annotation_set, reliability, credibility):
    span = SpanFactory(annotation_set=annotation_set)
    claim = Claim(
        annotation_set=annotation_set,
        span=span,
        claim_type=ClaimTypeFactory(project=annotation_set.article.project),
        reliability=reliability,
        credibility=credibility,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


def test_it_stores_every_admiralty_grade(annotation_set):
    span = SpanFactory(annotation_set=annotation_set)
    claim_type = ClaimTypeFactory(project=annotation_set.article.project)
    grades = [("A", 1), ("B", 2), ("C", 3), ("D", 4), ("E", 5), ("F", 6), ("", None)]
    for reliability, credibility in grades:
        Claim.objects.create(
            annotation_set=annotation_set,
            span=span,
            claim_type=claim_type,
            reliability=reliability,
            credibility=credibility,
        )
    assert Claim.objects.count() == len(grades)


def test_it_reads_the_admiralty_grading(annotation_set):
    span = SpanFactory(annotation_set=annotation_set)
    claim = Claim.objects.create(
        annotation_set=annotation_set,
        span=span,
        claim_type=ClaimTypeFactory(project=annotation_set.article.project),
        reliability="B",
        credibility=2,
    )
    assert claim.grading == "B2"


def test_it_refuses_an_affiliation_cycle(project):
    from tests.factories import ActorFactory

    russia = ActorFactory(project=project, name="Russia")
    kremlin = ActorFactory(project=project, name="the Kremlin", affiliation=russia)
    russia.affiliation = kremlin
    with pytest.raises(ValidationError, match="cycle"):
        russia.full_clean()
    assert kremlin.affiliation_chain() == [russia]
