"""An imported annotation set belongs only to an annotator of the project: the user a record
names, the command's --annotator, or the uploading user (page and API). Anyone else (a manager
without the annotator role, a reviewer, a non-member) is refused with an error naming the user,
the file and the line, and nothing of the file is stored."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations.importing import ImportRejected, import_articles
from annotations.models import AnnotationSet, Article, HistoryRecord, Span
from tests.api.conftest import token_client
from tests.factories import MembershipFactory

TEXT = "Peskov warned NATO."
SPAN = {"start": 0, "end": 6, "label": "actor"}


def line(**fields):
    return json.dumps({"text": TEXT, "spans": [SPAN], **fields})


def two_lines(**second):
    """A file whose first line is fine (owned by anna) and whose second is the one in question."""
    first = json.dumps({"text": "Russia replied.", "spans": [SPAN], "annotator": "anna"})
    return (first + "\n" + line(**second) + "\n").encode()


def nothing_stored():
    return not (
        Article.objects.exists()
        or AnnotationSet.objects.exists()
        or Span.objects.exists()
        or HistoryRecord.objects.exists()
    )


def test_a_record_naming_a_reviewer_is_refused(project, annotator, reviewer):
    with pytest.raises(ImportRejected) as refused:
        import_articles(project=project, filename="a.jsonl", data=two_lines(annotator="rita"))
    assert str(refused.value) == (
        "a.jsonl, line 2: 'annotator' 'rita' is a member of the project but not an annotator; "
        "annotation sets belong only to the project's annotators."
    )
    assert nothing_stored()


def test_a_record_naming_a_manager_without_the_annotator_role_is_refused(
    project, annotator, manager
):
    with pytest.raises(ImportRejected, match="line 2: 'annotator' 'maria' is a member"):
        import_articles(project=project, filename="a.jsonl", data=two_lines(annotator="maria"))
    assert nothing_stored()


def test_a_record_naming_a_non_member_is_refused(project, annotator, outsider):
    with pytest.raises(ImportRejected, match="line 2: 'annotator' 'oscar' is not a member"):
        import_articles(project=project, filename="a.jsonl", data=two_lines(annotator="oscar"))
    assert nothing_stored()


def test_a_native_line_is_a_set_even_without_spans_and_needs_an_annotator_too(
    project, annotator, reviewer
):
    data = json.dumps({"text": TEXT, "annotator": "rita"}).encode()
    with pytest.raises(ImportRejected, match="a.jsonl, line 1: 'annotator' 'rita'"):
        import_articles(project=project, filename="a.jsonl", data=data, format="native")
    assert nothing_stored()


@pytest.mark.parametrize("who", ["outsider", "reviewer", "manager"])
def test_the_command_refuses_an_annotator_option_naming_a_non_annotator(
    request, project, annotator, tmp_path, who
):
    user = request.getfixturevalue(who)
    path = tmp_path / "feed.jsonl"
    path.write_bytes(two_lines())
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command(
            "import_articles",
            str(path),
            project="demo",
            annotator=user.username,
            no_progress=True,
            stdout=io.StringIO(),
            stderr=stderr,
        )
    assert (
        f"Rejected {path}, line 2: the article's annotation set would belong to "
        f"'{user.username}', who is not an annotator of the project"
    ) in stderr.getvalue()
    assert nothing_stored()


def test_the_command_takes_an_annotator_option_naming_an_annotator(project, annotator, tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(two_lines())
    call_command(
        "import_articles",
        str(path),
        project="demo",
        annotator="anna",
        no_progress=True,
        stdout=io.StringIO(),
    )
    assert list(AnnotationSet.objects.values_list("annotator__username", flat=True)) == [
        "anna",
        "anna",
    ]


def test_the_upload_page_refuses_spans_for_an_uploading_manager_who_is_no_annotator(
    client, project, manager, annotator
):
    client.force_login(manager)
    upload = SimpleUploadedFile("feed.jsonl", two_lines())
    url = reverse("annotations:article-upload", args=["demo"])
    response = client.post(url, {"article_files": upload})
    assert response.status_code == 400
    assert (
        "feed.jsonl, line 2: the article&#x27;s annotation set would belong to &#x27;maria&#x27;, "
        "who is not an annotator of the project"
    ) in response.text
    assert nothing_stored()


def test_the_upload_page_takes_spans_for_a_manager_who_is_also_an_annotator(
    client, project, manager, annotator
):
    MembershipFactory(user=manager, project=project, role="annotator")
    client.force_login(manager)
    upload = SimpleUploadedFile("feed.jsonl", two_lines())
    url = reverse("annotations:article-upload", args=["demo"])
    response = client.post(url, {"article_files": upload})
    assert response.status_code == 200
    owners = AnnotationSet.objects.values_list("annotator__username", flat=True)
    assert sorted(owners) == ["anna", "maria"]


def test_the_api_refuses_spans_for_the_uploading_manager_who_is_no_annotator(
    project, manager, annotator
):
    upload = SimpleUploadedFile("feed.jsonl", two_lines())
    response = token_client(manager).post(
        "/api/v1/projects/demo/articles/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["file"] == [
        "feed.jsonl, line 2: the article's annotation set would belong to 'maria', who is not "
        "an annotator of the project; name one of its annotators with 'annotator'."
    ]
    assert nothing_stored()


def test_the_api_refuses_an_annotator_field_naming_a_reviewer(
    project, manager, annotator, reviewer
):
    upload = SimpleUploadedFile("feed.jsonl", two_lines())
    response = token_client(manager).post(
        "/api/v1/projects/demo/articles/import/",
        {"file": upload, "annotator": "rita"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "feed.jsonl, line 2:" in response.json()["file"][0]
    assert "'rita', who is not an annotator" in response.json()["file"][0]
    assert nothing_stored()
