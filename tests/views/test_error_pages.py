"""Error pages keep the navigation and say what to do next; htmx requests get the message in
the page's #errors region instead of an error page swapped into a fragment. DEBUG is off in the
tests (workbench.test_settings), so these are the pages users see."""

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path, reverse

from annotations.views import errors


def _explode(request: HttpRequest) -> None:
    raise RuntimeError("the database went away")


urlpatterns = [path("explode/", _explode), path("", include("workbench.urls"))]
handler500 = errors.server_error


def test_it_shows_a_styled_404_with_the_project_navigation_to_a_member(client, annotator, project):
    client.force_login(annotator)
    response = client.get(reverse("annotations:article-history", args=[project.slug, 999999]))
    assert response.status_code == 404
    text = response.text
    assert "No such article." in text
    assert 'class="project-nav"' in text  # a member keeps the project's navigation
    assert "What you can do" in text
    assert f'href="{reverse("annotations:article-list", args=[project.slug])}"' in text


def test_it_tells_an_outsider_nothing_about_the_project(client, outsider, project):
    client.force_login(outsider)
    response = client.get(reverse("annotations:article-list", args=[project.slug]))
    assert response.status_code == 404
    assert project.name not in response.text
    assert 'class="project-nav"' not in response.text
    assert "Your projects" in response.text


def test_it_names_the_patterns_never_for_an_unknown_address(client, annotator):
    client.force_login(annotator)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text
    assert "tried" not in response.text
    assert annotator.display_name in response.text  # the site header with the account


def test_it_shows_a_styled_403_saying_whom_to_ask(client, annotator, project):
    client.force_login(annotator)
    response = client.get(reverse("annotations:vocabulary", args=[project.slug, "labels"]))
    assert response.status_code == 403
    assert "Your role in this project does not allow this." in response.text
    assert "ask one of the project's managers" in response.text
    assert 'class="project-nav"' in response.text


def test_it_answers_an_htmx_403_with_a_message_for_the_errors_region(client, annotator, project):
    client.force_login(annotator)
    response = client.get(
        reverse("annotations:vocabulary", args=[project.slug, "labels"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#errors"
    assert "<html" not in response.text
    assert "Your role in this project does not allow this." in response.text


@pytest.mark.urls(__name__)
def test_it_renders_the_500_page_without_the_request_context(db, annotator):
    client = Client(raise_request_exception=False)
    client.force_login(annotator)
    response = client.get("/explode/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "the database went away" not in response.text
    assert "What you can do" in response.text
    assert 'class="site-header"' in response.text


@pytest.mark.urls(__name__)
def test_it_answers_an_htmx_500_in_the_errors_region(db, annotator):
    client = Client(raise_request_exception=False)
    client.force_login(annotator)
    response = client.get("/explode/", HTTP_HX_REQUEST="true")
    assert response.status_code == 500
    assert response["HX-Retarget"] == "#errors"
    assert "<html" not in response.text


def test_it_says_what_to_do_when_a_form_comes_from_a_stale_page(db, annotator, project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    response = client.post(reverse("annotations:article-list", args=[project.slug]))
    assert response.status_code == 403
    assert "Reload the page and send it again." in response.text
    assert 'class="site-header"' in response.text
