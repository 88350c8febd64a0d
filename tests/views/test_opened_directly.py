"""The annotate page's htmx endpoints opened without htmx (a link opened in a new tab, an address
typed or bookmarked): the whole page, never a bare fragment or a server error.
tests/test_url_permissions.py checks every browser URL this way; these say what the user sees."""

import pytest
from django.urls import reverse

from annotations.models import Actor
from tests.factories import SpanFactory


@pytest.fixture
def span(annotation_set, project):
    return SpanFactory(
        annotation_set=annotation_set, start=21, end=34, label=project.labels.get(name="actor")
    )


def _annotate_url(project, annotation_set, span=None):
    url = reverse("annotations:annotate", args=[project.slug, annotation_set.article_id])
    return f"{url}?span={span.pk}" if span else url


@pytest.mark.parametrize("name", ["span-detail", "actor-search"])
def test_it_opens_the_annotate_page_at_the_span(
    client, annotator, project, annotation_set, span, name
):
    client.force_login(annotator)
    url = reverse(f"annotations:{name}", args=[project.slug, annotation_set.pk, span.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == _annotate_url(project, annotation_set, span)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["active_span"].pk == span.pk


def test_it_shows_the_suggestions_on_the_whole_annotate_page(
    client, annotator, project, annotation_set
):
    nato = Actor.objects.create(project=project, name="NATO")
    client.force_login(annotator)
    url = reverse("annotations:suggestions", args=[project.slug, annotation_set.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert 'class="project-nav"' in response.text
    assert 'id="workspace"' in response.text
    assert [(s.quote, s.actor) for s in response.context["suggestions"]] == [("NATO", nato)]
    assert 'aria-label="Accept NATO at' in response.text


@pytest.mark.parametrize("name", ["span-update", "span-delete", "actor-create-inline"])
def test_it_refuses_a_get_of_an_endpoint_that_only_changes(
    client, annotator, project, annotation_set, span, name
):
    client.force_login(annotator)
    url = reverse(f"annotations:{name}", args=[project.slug, annotation_set.pk, span.pk])
    assert client.get(url).status_code == 405
