"""Article lists, the queue, uploads and the managers' vocabulary pages."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Actor, AnnotationSet, Article, Label
from annotations.queues import queue_for
from tests.factories import AnnotationSetFactory, ArticleFactory, SpanFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def articles(project, annotator):
    """Five articles, one per status of `annotator`'s work."""
    made = {}
    for status in ["not_started", "in_progress", "submitted", "approved", "changes_requested"]:
        article = ArticleFactory(project=project, title=f"Report {status.replace('_', ' ')}")
        if status != "not_started":
            AnnotationSetFactory(article=article, annotator=annotator, status=status)
        made[status] = article
    return made


def test_it_lists_articles_with_my_status(client, annotator, project, articles):
    client.force_login(annotator)
    response = client.get(reverse("annotations:article-list", args=[project.slug]))
    rows = {a.title: a.my_status_name for a in response.context["page"]}
    assert rows == {
        "Report not started": "Not started",
        "Report in progress": "In progress",
        "Report submitted": "Submitted",
        "Report approved": "Approved",
        "Report changes requested": "Changes requested",
    }


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"status": "not_started"}, ["Report not started"]),
        ({"status": "submitted"}, ["Report submitted"]),
        ({"q": "CHANGES"}, ["Report changes requested"]),
        ({"q": "report", "status": "approved"}, ["Report approved"]),
    ],
)
def test_it_filters_by_status_and_searches_titles(
    client, annotator, project, articles, params, titles
):
    client.force_login(annotator)
    url = reverse("annotations:article-list", args=[project.slug])
    response = client.get(url, params, headers=HX)
    assert [a.title for a in response.context["page"]] == titles
    assert "<html" not in response.text  # only the list fragment


def test_it_queues_my_open_sets_then_articles_that_need_annotators(annotator, project, articles):
    queued = list(queue_for(annotator, project).values_list("title", flat=True))
    assert queued == ["Report changes requested", "Report in progress", "Report not started"]


def test_it_opens_the_next_article_in_my_queue(client, annotator, project, articles):
    client.force_login(annotator)
    url = reverse("annotations:queue-next", args=[project.slug])
    first = client.get(url)
    assert first["Location"] == reverse(
        "annotations:annotate", args=[project.slug, articles["changes_requested"].pk]
    )
    following = client.get(url, {"after": articles["changes_requested"].pk})
    assert following["Location"].endswith(f"/articles/{articles['in_progress'].pk}/")


def test_it_says_so_when_my_queue_is_empty(client, annotator, project, article):
    AnnotationSetFactory(article=article, annotator=annotator, status="submitted")
    client.force_login(annotator)
    response = client.get(reverse("annotations:queue-next", args=[project.slug]), follow=True)
    assert "Your queue is empty" in response.text


def _upload(client, project, name, content, **data):
    url = reverse("annotations:article-upload", args=[project.slug])
    return client.post(url, {"article_files": SimpleUploadedFile(name, content), **data})


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("warning.txt", b"Russia warns NATO.\nMore text."),
        (
            "page.html",
            b"<html><head><title>Russia warns NATO</title></head><body><article>"
            + b"<p>Russia warns NATO against deploying troops. " * 5
            + b"</p></article></body></html>",
        ),
        ("feed.jsonl", json.dumps({"title": "Russia warns NATO", "text": "Body."}).encode()),
        ("feed.csv", b"title,text\nRussia warns NATO,Body of the article.\n"),
    ],
)
def test_it_imports_every_format_from_the_browser(client, manager, project, name, content):
    client.force_login(manager)
    response = _upload(client, project, name, content)
    assert response.status_code == 200
    assert "Imported 1 article from 1 file" in response.text
    assert Article.objects.filter(project=project).count() == 1


def test_it_shows_why_an_upload_was_rejected_and_stores_nothing(client, manager, project):
    client.force_login(manager)
    response = _upload(client, project, "feed.jsonl", b'{"title": "ok", "text": "fine"}\n{bad')
    assert response.status_code == 400
    assert "line 2: malformed JSON" in response.text
    assert not Article.objects.exists()


def test_it_refuses_an_upload_over_the_size_limit(client, manager, project, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 2**20
    client.force_login(manager)
    response = _upload(client, project, "big.txt", b"Title\n" + b"x" * (2 * 2**20))
    assert response.status_code == 400
    assert "the file is 2.0 MiB and uploads are limited to 1 MiB" in response.text
    assert not Article.objects.exists()


def test_it_adds_and_changes_labels_and_refuses_a_duplicate_hotkey(client, manager, project):
    client.force_login(manager)
    create = reverse("annotations:vocabulary-create", args=[project.slug, "labels"])
    data = {"new-name": "sanction", "new-kind": "other", "new-colour": "#123456", "new-position": 9}
    assert client.post(create, {**data, "new-hotkey": "s"}, headers=HX).status_code == 200
    label = Label.objects.get(project=project, name="sanction")
    assert (label.colour, label.hotkey) == ("#123456", "s")
    response = client.post(create, {**data, "new-name": "sabotage", "new-hotkey": "a"}, headers=HX)
    assert response.status_code == 400
    assert "hotkey" in response.text.lower()
    assert not Label.objects.filter(name="sabotage").exists()
    save = reverse("annotations:vocabulary-save", args=[project.slug, "labels", label.pk])
    prefix = f"item-{label.pk}-"
    changed = {prefix + k: v for k, v in data.items() if k != "new-name"}
    changed = {k.replace("new-", ""): v for k, v in changed.items()}
    response = client.post(
        save, {**changed, prefix + "name": "sanctions", prefix + "hotkey": "z"}, headers=HX
    )
    assert response.status_code == 200
    label.refresh_from_db()
    assert (label.name, label.hotkey) == ("sanctions", "z")
    css = client.get(reverse("annotations:label-css", args=[project.slug]))
    assert f".label-{label.pk} {{ --label-colour: #123456; }}" in css.text


def test_it_refuses_deleting_a_label_in_use(client, manager, project, annotation_set):
    label = project.labels.get(name="actor")
    SpanFactory(annotation_set=annotation_set, label=label)
    client.force_login(manager)
    url = reverse("annotations:vocabulary-delete", args=[project.slug, "labels", label.pk])
    response = client.post(url, headers=HX)
    assert response.status_code == 409
    assert "still used" in response.text
    assert Label.objects.filter(pk=label.pk).exists()


def test_it_edits_the_threat_scale_and_claim_types(client, manager, project):
    client.force_login(manager)
    url = reverse("annotations:vocabulary-create", args=[project.slug, "threat-scale"])
    data = {"new-rank": 5, "new-name": "war", "new-description": "Open war."}
    assert client.post(url, data, headers=HX).status_code == 200
    assert project.threat_levels.last().name == "war"
    duplicate = client.post(url, {**data, "new-name": "other"}, headers=HX)
    assert duplicate.status_code == 400
    ct = project.claim_types.get(name="other")
    url = reverse("annotations:vocabulary-delete", args=[project.slug, "claim-types", ct.pk])
    assert client.post(url, headers=HX).status_code == 200
    assert not project.claim_types.filter(name="other").exists()


def test_it_adds_a_guidelines_version_per_edit(client, manager, project):
    client.force_login(manager)
    url = reverse("annotations:guidelines", args=[project.slug])
    client.post(url, {"text": "Mark actors."}, headers=HX)
    client.post(url, {"text": "Mark actors and places."}, headers=HX)
    response = client.post(url, {"text": "Mark actors and places."}, headers=HX)
    assert response.status_code == 200
    assert [v.text for v in project.guideline_versions.order_by("number")] == [
        "Mark actors.",
        "Mark actors and places.",
    ]
    assert project.current_guideline().created_by == manager


def test_it_keeps_the_actor_registry_with_aliases_and_affiliation(client, manager, project):
    client.force_login(manager)
    russia = Actor.objects.create(project=project, name="Russia")
    url = reverse("annotations:actor-create", args=[project.slug])
    data = {"name": "the Kremlin", "kind": "government_body", "affiliation": russia.pk}
    response = client.post(url, {**data, "aliases": "Kremlin\nKremlin\n\n Moscow "}, headers=HX)
    assert response.status_code == 200
    kremlin = Actor.objects.get(name="the Kremlin")
    assert kremlin.affiliation == russia
    assert sorted(a.name for a in kremlin.aliases.all()) == ["Kremlin", "Moscow"]
    edit = reverse("annotations:actor-edit", args=[project.slug, kremlin.pk])
    response = client.post(edit, {**data, "aliases": "Kremlin"}, headers=HX)
    assert [a.name for a in kremlin.aliases.all()] == ["Kremlin"]
    cycle = reverse("annotations:actor-edit", args=[project.slug, russia.pk])
    response = client.post(
        cycle, {"name": "Russia", "kind": "state", "affiliation": kremlin.pk}, headers=HX
    )
    assert response.status_code == 400
    assert "cycle" in response.text
    russia.refresh_from_db()
    assert russia.affiliation is None
    found = client.get(reverse("annotations:actor-list", args=[project.slug]), {"q": "mlin"})
    assert [a.name for a in found.context["actors"]] == ["the Kremlin"]


def test_it_does_not_count_assigned_sets_as_started(client, annotator, project, article):
    AnnotationSet.objects.create(article=article, annotator=annotator)
    client.force_login(annotator)
    url = reverse("annotations:article-list", args=[project.slug])
    response = client.get(url, {"status": "not_started"})
    assert [a.title for a in response.context["page"]] == [article.title]
