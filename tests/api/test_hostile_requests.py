"""Hostile request bodies and query strings, sent to every API endpoint that takes one: each is
refused with a 400 (413 for size) naming the problem, never a 500, on SQLite and PostgreSQL.

The endpoints and their well-formed requests come from the URL permission matrix
(tests/test_url_permissions.py), sent by a member whom the endpoint lets through.
"""

import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Actor, Comment, Span
from tests import test_url_permissions as matrix
from tests.api.conftest import token_client
from tests.test_url_permissions import CASES, MEMBERS, PATTERNS, _url

# The permission matrix's fixtures: its demo project, and a client per kind of visitor.
world = matrix.world
visitor_client = matrix.visitor_client

WRITES = [
    pytest.param(key, index, id=f"{key}-{case.method}{index}")
    for key, cases in CASES.items()
    if key.startswith("api:")
    for index, case in enumerate(cases)
    if case.method in {"post", "put", "patch"}
    and case.fmt == "json"
    # Writes that no member gets past the permission checks (a gold set's rows, a token made
    # with a token) are refused before any body matters.
    and any(case.statuses[who] not in {401, 403, 404} for who in MEMBERS)
]
READS = [
    pytest.param(key, id=key)
    for key, cases in CASES.items()
    if key.startswith("api:") and cases[0].method == "get"
]


def _send_raw(client, key, index, world, body: bytes):
    case = CASES[key][index]
    url = _url(PATTERNS[key], case, world)
    return getattr(client, case.method)(url, body, content_type="application/json")


def _with(data: dict, value: str) -> dict:
    """The case's data with `value` in a string field of its own and, nested, in an extra one."""
    hostile = dict(data)
    for name, current in data.items():
        if isinstance(current, str):
            hostile[name] = current + value
            break
    hostile["extra"] = {"list": [1, {"deeper": value}]}
    return hostile


def _member_client(visitor_client, key, index=0):
    """A client of a member whom the case lets past its permission checks."""
    statuses = CASES[key][index].statuses
    allowed = [who for who in MEMBERS if statuses[who] not in {401, 403, 404}]
    return visitor_client(key, allowed[0])


@pytest.mark.parametrize(("key", "index"), WRITES)
@pytest.mark.parametrize(
    ("value", "named"),
    [("\x00", "contains a NUL character (U+0000)"), ("\ud800", "contains a lone surrogate")],
)
def test_every_api_write_refuses_nul_and_lone_surrogates(
    world, visitor_client, key, index, value, named
):
    case = CASES[key][index]
    data = case.data(world) if callable(case.data) else dict(case.data or {})
    body = json.dumps(_with(data, value)).encode()  # "\u0000", "\ud800": ASCII escapes
    response = _send_raw(_member_client(visitor_client, key, index), key, index, world, body)
    assert response.status_code == 400, response.content[:300]
    detail = response.json()["detail"]
    assert detail.startswith("The request body was refused: '")
    assert named in detail


@pytest.mark.parametrize(("key", "index"), WRITES)
def test_every_api_write_refuses_a_body_nested_100000_levels_deep(
    world, visitor_client, key, index
):
    body = b"[" * 100_000 + b"]" * 100_000
    response = _send_raw(_member_client(visitor_client, key, index), key, index, world, body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body was refused: the JSON is nested more than 32 levels deep."
    }


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"note": NaN}', "NaN is not a JSON number"),
        (b'{"note": 1e999}', "the number 1e999 is too large"),
        (b'{"note": ' + b"9" * 5000 + b"}", "a number has more than 4300 digits"),
        (b'{"note": "\xff"}', "The request body is not valid utf-8 (byte 10)."),
        (b'{"note": ', "malformed JSON: Expecting value at column 10."),
    ],
)
def test_it_names_other_bodies_it_cannot_read(annotator, annotation_set, body, detail):
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/comments/"
    response = token_client(annotator).post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert not Comment.objects.exists()


def test_it_refuses_a_json_body_larger_than_the_upload_limit(settings, annotator, annotation_set):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/comments/"
    body = json.dumps({"body": "x" * 1000}).encode()
    response = token_client(annotator).post(url, body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than 1,000 bytes" in response.json()["detail"]


def test_a_nul_in_a_span_note_is_refused_and_nothing_is_stored(annotator, annotation_set, article):
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/spans/"
    body = {"start": 0, "end": 7, "quote": "Kremlin", "label": "actor", "note": "a\u0000b"}
    response = token_client(annotator).post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "'note' contains a NUL character" in response.json()["detail"]
    assert not Span.objects.exists()


def test_a_lone_surrogate_in_an_actor_alias_is_refused(manager, project):
    body = json.dumps({"name": "NATO", "kind": "other", "aliases": ["the \ud800 Alliance"]})
    response = token_client(manager).post(
        "/api/v1/projects/demo/actors/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "'aliases[0]' contains a lone surrogate (U+D800)" in response.json()["detail"]
    assert not Actor.objects.exists()


@pytest.mark.parametrize("how", ["form", "multipart"])
def test_form_and_multipart_bodies_are_checked_too(annotator, annotation_set, how):
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/comments/"
    client = token_client(annotator)
    if how == "form":
        form = "application/x-www-form-urlencoded"
        response = client.post(url, urlencode({"body": "a\x00b"}), content_type=form)
    else:
        response = client.post(url, {"body": "a\x00b"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "The form field 'body' contains a NUL character (U+0000)"
    )
    assert not Comment.objects.exists()


def test_the_import_endpoint_checks_its_form_fields_and_file_name(manager, project):
    url = "/api/v1/projects/demo/articles/import/"
    upload = SimpleUploadedFile("a.txt", b"A fine article.")
    response = token_client(manager).post(
        url, {"file": upload, "annotator": "x\x00"}, format="multipart"
    )
    assert response.status_code == 400
    assert "The form field 'annotator' contains a NUL" in response.json()["detail"]


@pytest.mark.parametrize("key", READS)
def test_every_api_read_refuses_a_nul_in_its_query_string(world, visitor_client, key):
    case = CASES[key][0]
    url = _url(PATTERNS[key], case, world)
    response = _member_client(visitor_client, key).get(url, {"label": "actor\x00"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The query-string parameter 'label' contains a NUL character (U+0000) "
        "at position 5, which cannot be stored; remove it."
    }
