"""The annotate page: the text exactly as stored, overlapping spans visible, a fixed number of
queries however many spans the article has."""

import pytest
from django.urls import reverse

from annotations.annotate_html import article_body_html, label_tag, segments_of, span_lanes
from annotations.models import Actor, Claim, Span
from tests.factories import ArticleFactory, SpanFactory


def _page_url(project, article):
    return reverse("annotations:annotate", args=[project.slug, article.pk])


def test_it_shows_the_body_exactly_as_stored_and_escaped(client, annotator, project):
    body = "<script>alert(1)</script>\n\n  indented & spaced\tline 🇺🇦"
    article = ArticleFactory(project=project, body=body, title="<b>title</b>")
    client.force_login(annotator)
    response = client.get(_page_url(project, article))
    assert response.status_code == 200
    text = response.text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;b&gt;title&lt;/b&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n\n  indented &amp; spaced\tline 🇺🇦</div>" in text


def test_it_cuts_the_text_at_every_span_boundary_keeping_nested_spans_visible(annotation_set):
    body = annotation_set.article.body
    outer = SpanFactory(annotation_set=annotation_set, start=0, end=34)
    inner = SpanFactory(annotation_set=annotation_set, start=21, end=34)
    crossing = SpanFactory(annotation_set=annotation_set, start=28, end=40)
    segments = segments_of(body, [outer, inner, crossing])
    assert "".join(s.text for s in segments) == body
    assert [(s.start, s.end, [sp.pk for sp in s.spans]) for s in segments] == [
        (0, 21, [outer.pk]),
        (21, 28, [outer.pk, inner.pk]),
        (28, 34, [outer.pk, inner.pk, crossing.pk]),
        (34, 40, [crossing.pk]),
        (40, len(body), []),
    ]


def test_it_gives_each_overlapping_span_its_own_underline_and_tags_where_spans_start(
    annotation_set,
):
    body = annotation_set.article.body
    outer = SpanFactory(annotation_set=annotation_set, start=0, end=34)
    inner = SpanFactory(annotation_set=annotation_set, start=21, end=34)
    crossing = SpanFactory(annotation_set=annotation_set, start=28, end=40)
    after = SpanFactory(annotation_set=annotation_set, start=34, end=40)
    lanes = span_lanes([outer, inner, crossing, after])
    assert lanes == {outer.pk: 0, inner.pk: 1, crossing.pk: 2, after.pk: 0}
    html = article_body_html(segments_of(body, [outer, inner, crossing, after]))
    # From 28 to 34 three spans lie: three underlines in three lanes, coloured by label, and
    # the tag of the span starting there.
    o, i, c = outer.label_id, inner.label_id, crossing.label_id
    assert (
        f'<span class="seg label-{c} u0-{o} u1-{i} u2-{c}" '
        f'data-tag="{label_tag(crossing.label.name)}" '
        f'data-spans="{outer.pk} {inner.pk} {crossing.pk}">{body[28:34]}</span>'
    ) in html
    assert label_tag("military force") == "MF"


def test_it_creates_my_set_when_i_first_open_an_article(client, annotator, project, article):
    client.force_login(annotator)
    client.get(_page_url(project, article))
    client.get(_page_url(project, article))
    assert article.annotation_sets.get().annotator == annotator


def _fill(annotation_set, count):
    project = annotation_set.article.project
    labels = list(project.labels.all())
    actor = Actor.objects.create(project=project, name=f"Actor for {count}")
    body = annotation_set.article.body
    spans = Span.objects.bulk_create(
        Span(
            annotation_set=annotation_set,
            start=i % 60,
            end=i % 60 + 5,
            quote=body[i % 60 : i % 60 + 5],
            label=labels[i % len(labels)],
            actor=actor if i % 3 == 0 else None,
        )
        for i in range(count)
    )
    for span in spans[:5]:
        claim = Claim.objects.create(
            annotation_set=annotation_set, span=span, claim_type=project.claim_types.first()
        )
        claim.targets.add(actor)


@pytest.mark.parametrize("count", [10, 1000])
def test_it_renders_the_page_in_the_same_number_of_queries_for_10_and_1000_spans(
    client, annotator, project, annotation_set, django_assert_num_queries, count
):
    _fill(annotation_set, count)
    client.force_login(annotator)
    url = _page_url(project, annotation_set.article)
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count('class="span-link"') == count


@pytest.mark.parametrize("count", [10, 1000])
def test_it_renders_the_page_with_a_chosen_span_in_as_many_queries(
    client, annotator, project, annotation_set, django_assert_num_queries, count
):
    _fill(annotation_set, count)
    client.force_login(annotator)
    span = annotation_set.spans.filter(actor__isnull=False).first()
    url = _page_url(project, annotation_set.article) + f"?span={span.pk}"
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert f'data-active-span="{span.pk}"' in response.text


# Session, user, project, roles, the set (with article, guidelines and threat assessment),
# spans, labels, actors (with those named like the chosen span), claims, claim targets, claim
# types, threat levels. (The regions not to annotate come with the article, whether a trained
# model suggests threat levels and claim types with the project.)
QUERIES = 12
