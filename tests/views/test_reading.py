"""Reviewers and managers read any article of their project with any layer; article lists show
each role the status that means something to it."""

import pytest
from django.urls import reverse

from annotations.models import AnnotationSet
from tests.factories import AnnotationSetFactory, ArticleFactory, SpanFactory


@pytest.fixture
def layers(project, article, annotator, annotator2):
    label = project.labels.get(name="actor")
    mine = AnnotationSetFactory(article=article, annotator=annotator, status="submitted")
    theirs = AnnotationSetFactory(article=article, annotator=annotator2, status="in_progress")
    SpanFactory(annotation_set=mine, start=0, end=6, label=label)
    SpanFactory(annotation_set=theirs, start=7, end=12, label=label)
    gold = AnnotationSet.objects.create(article=article, is_gold=True)
    return mine, theirs, gold


def _read(client, project, article, **params):
    return client.get(reverse("annotations:article-read", args=[project.slug, article.pk]), params)


@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_reviewers_and_managers_read_every_layer(client, request, project, article, layers, who):
    client.force_login(request.getfixturevalue(who))
    mine, theirs, gold = layers
    response = _read(client, project, article)
    assert response.status_code == 200
    text = response.text
    assert "Read only" in text
    assert 'aria-current="true">Gold' in text  # gold first, by default
    assert "No spans in this layer." in text
    for annotation_set in (mine, theirs):
        assert f'href="?layer={annotation_set.pk}"' in text
    response = _read(client, project, article, layer=theirs.pk)
    body = response.text
    quote = article.body[7:12]
    assert (
        f'{theirs.annotator.display_name}\n      <span class="layer-meta">in progress · 1 span'
        in body
    )
    assert f"actor: {quote}" in body
    assert f"actor: {article.body[0:6]}" not in body


def test_the_layer_alone_for_htmx(client, reviewer, project, article, layers):
    client.force_login(reviewer)
    response = client.get(
        reverse("annotations:article-read", args=[project.slug, article.pk]),
        {"layer": layers[0].pk},
        headers={"HX-Request": "true"},
    )
    assert response.text.lstrip().startswith('<div id="layer"')


def test_a_layer_of_another_article_is_not_shown(client, reviewer, project, article, layers):
    other = ArticleFactory(project=project)
    stranger = AnnotationSetFactory(article=other)
    SpanFactory(annotation_set=stranger, start=0, end=3, label=project.labels.first())
    client.force_login(reviewer)
    response = _read(client, project, article, layer=stranger.pk)
    assert f'href="?layer={stranger.pk}"' not in response.text
    assert 'aria-current="true">Gold' in response.text


def test_the_article_list_links_reviewers_to_the_reading_view_with_progress(
    client, reviewer, project, article, layers
):
    client.force_login(reviewer)
    response = client.get(reverse("annotations:article-list", args=[project.slug]))
    text = response.text
    assert f'href="{reverse("annotations:article-read", args=[project.slug, article.pk])}"' in text
    assert "My status" not in text
    assert '<th scope="col">Progress</th>' in text
    assert "Adjudicating" in text  # a gold set exists


def test_the_progress_filter_finds_articles_ready_to_adjudicate(
    client, manager, project, annotator, annotator2
):
    ready = ArticleFactory(project=project, title="Ready one")
    for who in (annotator, annotator2):
        AnnotationSetFactory(article=ready, annotator=who, status="submitted")
    half = ArticleFactory(project=project, title="Half done")
    AnnotationSetFactory(article=half, annotator=annotator, status="submitted")
    ArticleFactory(project=project, title="Untouched")
    client.force_login(manager)
    url = reverse("annotations:article-list", args=[project.slug])
    text = client.get(url, {"stage": "ready"}).text
    assert "Ready one" in text and "Half done" not in text and "Untouched" not in text
    assert "2 of 2 handed in" in text
    text = client.get(url, {"stage": "annotating"}).text
    assert "Half done" in text and "1 of 2 handed in" in text and "Ready one" not in text
    assert "Untouched" in client.get(url, {"stage": "not_started"}).text


def test_annotators_keep_their_own_status(client, annotator, project, article, layers):
    client.force_login(annotator)
    text = client.get(reverse("annotations:article-list", args=[project.slug])).text
    assert "My status" in text and "Progress" not in text
    assert "Submitted" in text


@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_the_annotate_address_sends_reviewers_and_managers_to_the_reading_page(
    client, request, project, article, who
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("annotations:annotate", args=[project.slug, article.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "annotations:article-read", args=[project.slug, article.pk]
    )
    assert not AnnotationSet.objects.filter(article=article).exists()  # nothing opened
