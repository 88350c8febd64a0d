"""The history page reads as a story: names instead of ids, only what changed, filters by person
and kind, a page at a time."""

import pytest
from django.urls import reverse

from annotations import services
from annotations.views import history as history_view
from tests.factories import ActorFactory


@pytest.fixture
def story(project, article, annotation_set, annotator):
    body = article.body
    start = body.index("Kremlin")
    span = services.span_create(
        annotation_set=annotation_set,
        start=start,
        end=start + 7,
        quote="Kremlin",
        label=project.labels.get(name="actor"),
        user=annotator,
    )
    peskov = ActorFactory(project=project, name="Dmitry Peskov")
    services.span_update(span=span, actor=peskov, user=annotator)
    services.span_update(span=span, label=project.labels.get(name="location"), user=annotator)
    return span


def _history(client, project, article, **params):
    url = reverse("annotations:article-history", args=[project.slug, article.pk])
    return client.get(url, params).text


def test_it_tells_who_did_what_in_names_not_ids(client, reviewer, project, article, story):
    client.force_login(reviewer)
    text = _history(client, project, article)
    assert 'added span <span class="subject">actor “Kremlin”</span>' in text
    assert "<dt>actor</dt>\n          <dd><del>—</del> → <ins>Dmitry Peskov</ins></dd>" in text
    assert "<dd><del>actor</del> → <ins>location</ins></dd>" in text
    assert "label_id" not in text and "actor_id" not in text
    assert "in anna&#x27;s set" in text


def test_a_change_shows_only_the_fields_that_changed(client, reviewer, project, article, story):
    client.force_login(reviewer)
    text = _history(client, project, article, kind="span")
    relabel = text[text.index("<del>actor</del> → <ins>location</ins>") - 600 :]
    entry = relabel[relabel.rindex("<li") :]
    entry = entry[: entry.index("</li>")]
    assert "<dt>label</dt>" in entry
    assert "<dt>text</dt>" not in entry and "<dt>start</dt>" not in entry


def test_it_filters_by_person_and_kind(client, reviewer, manager, project, article, story):
    services.guidelines_update(project=project, text="Mark actors.")
    client.force_login(reviewer)
    text = _history(client, project, article, kind="annotation_set")
    assert "story-entry action-transition" in text  # anna's first span started her set
    assert "<dd><del>assigned</del> → <ins>in progress</ins></dd>" in text
    assert "added span" not in text
    text = _history(client, project, article, person="nobody-here")
    assert "added span" in text  # an unknown person filters nothing out
    text = _history(client, project, article, person="anna", kind="span")
    assert text.count('<li class="story-entry') == 3


def test_it_pages_through_a_long_history(client, reviewer, project, article, story, monkeypatch):
    monkeypatch.setattr(history_view, "PAGE_SIZE", 2)
    client.force_login(reviewer)
    first = _history(client, project, article)
    assert "Page 1 of 2" in first and first.count('<li class="story-entry') == 2
    second = _history(client, project, article, page=2)
    assert second.count('<li class="story-entry') == 2
    assert "Earlier" in second


def test_it_escapes_what_users_wrote(client, reviewer, project, article, annotation_set, annotator):
    start = article.body.index("Kremlin")
    span = services.span_create(
        annotation_set=annotation_set,
        start=start,
        end=start + 7,
        quote="Kremlin",
        label=project.labels.get(name="actor"),
        user=annotator,
    )
    services.span_update(span=span, note="<script>alert(1)</script>", user=annotator)
    client.force_login(reviewer)
    text = _history(client, project, article)
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
