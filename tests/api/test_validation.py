"""Bad input gets a 400 naming the field; a refused state change gets a 409."""

import pytest

from annotations.models import AnnotationSet, Span
from tests.api.conftest import token_client


@pytest.fixture
def spans_url(annotation_set):
    return f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/spans/"


def test_it_creates_a_span_on_emoji_and_cjk_text(annotation_set, annotator, spans_url, article):
    start = article.body.index("🇺🇦")
    body = {"start": start, "end": start + 2, "quote": "🇺🇦", "label": "location"}
    response = token_client(annotator).post(spans_url, body, format="json")
    assert response.status_code == 201
    assert response.json()["quote"] == "🇺🇦"
    annotation_set.refresh_from_db()
    assert annotation_set.status == AnnotationSet.Status.IN_PROGRESS


def test_it_names_the_quote_that_does_not_match(annotation_set, annotator, spans_url):
    body = {"start": 0, "end": 7, "quote": "Kremlix", "label": "actor"}
    response = token_client(annotator).post(spans_url, body, format="json")
    assert response.status_code == 400
    assert "'Kremlix' does not match" in response.json()["detail"][0]
    assert not Span.objects.exists()


def test_it_names_an_unknown_label_and_lists_the_known_ones(annotator, spans_url):
    body = {"start": 0, "end": 7, "quote": "Kremlin", "label": "ship"}
    response = token_client(annotator).post(spans_url, body, format="json")
    assert response.status_code == 400
    assert "No label named 'ship'" in response.json()["label"][0]
    assert "'actor'" in response.json()["label"][0]


def test_it_names_missing_and_mistyped_fields(annotator, spans_url):
    response = token_client(annotator).post(spans_url, {"start": "x"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"start", "end", "quote", "label"}
    assert "valid integer" in errors["start"][0]


def test_it_refuses_an_end_beyond_the_text(annotator, spans_url, article):
    end = len(article.body) + 1
    body = {"start": 0, "end": end, "quote": "x", "label": "actor"}
    response = token_client(annotator).post(spans_url, body, format="json")
    assert response.status_code == 400
    assert f"end {end} is beyond the text" in response.json()["detail"][0]


def test_it_answers_409_when_the_set_was_submitted(annotation_set, annotator, spans_url):
    annotation_set.status = AnnotationSet.Status.SUBMITTED
    annotation_set.save()
    body = {"start": 0, "end": 7, "quote": "Kremlin", "label": "actor"}
    response = token_client(annotator).post(spans_url, body, format="json")
    assert response.status_code == 409
    assert "submitted" in response.json()["detail"]


def test_it_names_a_claim_span_from_another_set(annotation_set, annotator, annotator2, article):
    from tests.factories import AnnotationSetFactory, SpanFactory

    theirs = AnnotationSetFactory(article=article, annotator=annotator2)
    span = SpanFactory(annotation_set=theirs, label=article.project.labels.first())
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/claims/"
    response = token_client(annotator).post(
        url, {"span": span.pk, "claim_type": "warning"}, format="json"
    )
    assert response.status_code == 400
    assert "No span with id" in response.json()["span"][0]


def test_it_names_an_unknown_threat_level(annotation_set, annotator):
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/threat-assessment/"
    response = token_client(annotator).put(url, {"level": "apocalyptic"}, format="json")
    assert response.status_code == 400
    assert "No threat level named 'apocalyptic'" in response.json()["level"][0]


def test_it_refuses_a_duplicate_label_name(manager, project):
    response = token_client(manager).post(
        "/api/v1/projects/demo/labels/", {"name": "actor"}, format="json"
    )
    assert response.status_code == 400
    assert "already has a label named 'actor'" in response.json()["name"][0]


def test_it_reports_the_import_services_reason(manager, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bad.jsonl", b'{"text": "ok"}\n{"text": \n')
    response = token_client(manager).post(
        "/api/v1/projects/demo/articles/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["file"] == [
        "bad.jsonl, line 2: malformed JSON: Expecting value at column 10."
    ]
    assert not project.articles.exists()


def test_it_imports_a_file_through_the_api(manager, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("two.jsonl", b'{"text": "One"}\n{"text": "Two", "title": "2"}\n')
    response = token_client(manager).post(
        "/api/v1/projects/demo/articles/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["imported"] == 2
    assert project.articles.count() == 2


def test_it_refuses_a_malformed_filter(annotation_set, reviewer):
    url = "/api/v1/projects/demo/annotation-sets/?updated_since=yesterday&status=lost"
    response = token_client(reviewer).get(url)
    assert response.status_code == 400
    assert set(response.json()) == {"updated_since", "status"}


def test_it_imports_native_jsonl_with_claims_as_the_named_annotators_sets(manager, annotator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    line = (
        b'{"text": "Russia warned NATO.", "annotator": "anna", '
        b'"spans": [{"id": 0, "start": 0, "end": 6, "quote": "Russia", "label": "actor"}, '
        b'{"id": 1, "start": 0, "end": 19, "quote": "Russia warned NATO.", "label": "claim"}], '
        b'"claims": [{"id": 0, "span": 1, "claimant_span": 0, "type": "warning", '
        b'"reliability": "C", "credibility": 3}], '
        b'"threat_assessment": {"level": "low", "rationale": "", "claims": [0]}}\n'
    )
    upload = SimpleUploadedFile("predictions.jsonl", line)
    response = token_client(manager).post(
        "/api/v1/projects/demo/articles/import/",
        {"file": upload, "format": "native"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    sets = token_client(annotator).get("/api/v1/projects/demo/annotation-sets/").json()["results"]
    detail = token_client(annotator).get(f"/api/v1/projects/demo/annotation-sets/{sets[0]['id']}/")
    body = detail.json()
    assert [c["grading"] for c in body["claims"]] == ["C3"]
    assert body["threat_assessment"]["level"] == "low"
    assert body["annotator"] == "anna"


def test_it_refuses_an_upload_over_the_size_limit(manager, project, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_UPLOAD_MAX_BYTES = 2 * 2**20
    upload = SimpleUploadedFile("big.txt", b"Title\n" + b"x" * (3 * 2**20))
    response = token_client(manager).post(
        "/api/v1/projects/demo/articles/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["file"] == [
        "big.txt: the file is 3.0 MiB and uploads are limited to 2 MiB; split it, "
        "or import it with the import_articles command."
    ]
    assert not project.articles.exists()


def test_a_span_shows_the_suggestion_it_came_from_and_the_api_cannot_forge_one(
    annotation_set, annotator, spans_url, article
):
    from annotations import services

    accepted = services.span_create(
        annotation_set=annotation_set,
        start=0,
        end=7,
        quote=article.body[:7],
        label=annotation_set.article.project.labels.get(name="actor"),
        provenance={"suggester": "spancat", "version": "v2", "score": 0.91},
    )
    client = token_client(annotator)
    by_id = {row["id"]: row for row in client.get(spans_url).json()["results"]}
    assert by_id[accepted.pk]["provenance"] == {
        "suggester": "spancat",
        "version": "v2",
        "score": 0.91,
    }
    start = article.body.index("🇺🇦")
    body = {"start": start, "end": start + 2, "quote": "🇺🇦", "label": "location"}
    forged = client.post(spans_url, body | {"provenance": {"suggester": "x"}}, format="json")
    assert forged.status_code == 400
    assert "Unknown field" in forged.json()["provenance"][0]
    assert Span.objects.count() == 1


def test_a_field_the_request_does_not_take_is_refused_by_name(
    annotation_set, annotator, spans_url, article
):
    """Not ignored: a PATCH of a span's offsets would otherwise answer 200 having changed
    nothing."""
    client = token_client(annotator)
    created = client.post(
        spans_url,
        {"start": 0, "end": 7, "quote": article.body[:7], "label": "actor"},
        format="json",
    ).json()
    url = f"{spans_url}{created['id']}/"
    moved = client.patch(url, {"start": 1, "end": 8, "note": "moved?"}, format="json")
    assert moved.status_code == 400
    assert moved.json() == {
        name: ["Unknown field; the fields here are: label, actor, note."]
        for name in ("end", "start")
    }
    assert client.get(url).json()["note"] == ""
    typo = client.post(
        spans_url,
        {"start": 8, "end": 12, "quote": article.body[8:12], "label": "actor", "notes": "x"},
        format="json",
    )
    assert typo.status_code == 400 and "notes" in typo.json()


def test_a_field_a_nested_object_does_not_take_is_refused_too(project, manager):
    """A typo in a release's filter ("set" for "sets") must not build a release of the gold
    sets, the default, as if nothing had been said."""
    from annotations.models import Release

    answer = token_client(manager).post(
        f"/api/v1/projects/{project.slug}/releases/",
        {"formats": ["native"], "filter": {"set": "annotators"}},
        format="json",
    )
    assert answer.status_code == 400
    assert list(answer.json()) == ["filter"] and list(answer.json()["filter"]) == ["set"]
    assert "Unknown field; the fields here are: " in answer.json()["filter"]["set"][0]
    assert not Release.objects.exists()
