"""Hostile form fields and query strings on every page, and the error page's way back.

A NUL character in any form field or query-string value is refused with a 400 naming the field
(PostgreSQL refuses NUL in text; before, a page answered it with a 500 from inside a view, or
SQLite stored it). The pages and their well-formed requests come from the URL permission matrix
(tests/test_url_permissions.py), sent by a member whom the page lets through.
"""

import html

import pytest

from annotations.models import Comment
from tests import test_url_permissions as matrix
from tests.test_url_permissions import CASES, MEMBERS, PATTERNS, Case, _send, _url

# The permission matrix's fixtures: its demo project, and a client per kind of visitor.
world = matrix.world
visitor_client = matrix.visitor_client

PAGES = [key for key in CASES if not key.startswith("api:")]
POSTS = [
    pytest.param(key, index, id=f"{key}-{index}")
    for key in PAGES
    for index, case in enumerate(CASES[key])
    if case.method == "post"
]
GETS = [pytest.param(key, id=key) for key in PAGES if CASES[key][0].method == "get"]


def _client(visitor_client, key, index=0):
    """A client of a member whom the case lets past its permission checks (or anyone, on pages
    open to all)."""
    statuses = CASES[key][index].statuses
    allowed = [who for who in MEMBERS if statuses[who] not in {403, 404, "login"}]
    return visitor_client(key, (allowed or ["anonymous"])[0])


def _hostile(data):
    """The form's data with a NUL in its first text field, and in a field of its own."""
    hostile = dict(data or {})
    for name, value in hostile.items():
        if isinstance(value, str):
            hostile[name] = value + "\x00"
            break
    hostile["note"] = "a\x00b"
    return hostile


@pytest.mark.parametrize(("key", "index"), POSTS)
def test_every_page_refuses_a_nul_in_a_form_field(world, visitor_client, key, index):
    case = CASES[key][index]
    data = case.data(world) if callable(case.data) else case.data
    hostile = Case(case.method, case.statuses, data=_hostile(data), kwargs=case.kwargs)
    response = _send(_client(visitor_client, key, index), PATTERNS[key], hostile, world, htmx=False)
    assert response.status_code == 400, response.content[:300]
    assert "contains a NUL character (U+0000)" in html.unescape(response.text)


@pytest.mark.parametrize("key", GETS)
def test_every_page_refuses_a_nul_in_its_query_string(world, visitor_client, key):
    url = _url(PATTERNS[key], CASES[key][0], world)
    response = _client(visitor_client, key).get(url, {"q": "Peskov\x00"})
    assert response.status_code == 400
    assert (
        "The query-string parameter 'q' contains a NUL character (U+0000) at position 6"
        in html.unescape(response.text)
    )


def test_a_nul_in_a_comment_is_refused_and_nothing_is_stored(
    client, reviewer, annotation_set, project
):
    client.force_login(reviewer)
    url = f"/projects/{project.slug}/sets/{annotation_set.pk}/review/"
    response = client.post(url, {"action": "comment", "body": "Why\x00?"})
    assert response.status_code == 400
    assert "The form field &#x27;body&#x27; contains a NUL character" in response.text
    assert not Comment.objects.exists()


def test_an_htmx_request_gets_the_refusal_in_its_error_region(
    client, annotator, annotation_set, project
):
    client.force_login(annotator)
    url = f"/projects/{project.slug}/sets/{annotation_set.pk}/spans/"
    response = client.post(
        url,
        {"start": 0, "end": 7, "quote": "Kremlin\x00", "label": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#errors"
    assert "contains a NUL character" in response.text


# The error page's way back.


@pytest.mark.parametrize(
    "referer", ["javascript:alert(document.cookie)", "https://evil.example/phish", ""]
)
def test_the_error_page_links_back_to_the_project_never_to_the_referer(
    client, reviewer, annotation_set, project, referer
):
    client.force_login(reviewer)
    url = f"/projects/{project.slug}/sets/{annotation_set.pk}/review/"
    response = client.post(url, {"action": "dance"}, headers={"Referer": referer})
    assert response.status_code == 400
    assert f'<a href="/projects/{project.slug}/">Back to {project.name}</a>' in response.text
    if referer:
        assert referer not in response.text


def test_the_error_page_outside_a_project_links_back_to_the_project_list(client, annotator):
    client.force_login(annotator)
    response = client.get("/accounts/tokens/", {"q": "\x00"}, headers={"Referer": "javascript:x"})
    assert response.status_code == 400
    assert '<a href="/">Go back</a>' in response.text
    assert "javascript:" not in response.text
