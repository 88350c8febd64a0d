"""The comparison of work with and without suggestions against gold (annotations.learning.
effect) on a hand-made project whose F1, times and accepted spans are known, and who sees it."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations import services
from annotations.learning.effect import NO_ACCEPTED, NO_DRAW, NO_GROUP, suggestion_effect
from annotations.models import AnnotationSet, GoldScore, Span
from tests.factories import ArticleFactory

BODY = "Russia warned NATO on Tuesday."
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Draws:
    """WITHHOLD_RANDOM that returns the given numbers in turn."""

    def __init__(self, *values):
        self.values = list(values)

    def random(self):
        return self.values.pop(0)


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() at START + the minutes set in clock.minutes."""

    class Clock:
        minutes = 0.0

    monkeypatch.setattr(timezone, "now", lambda: START + timedelta(minutes=Clock.minutes))
    return Clock


def _mark(annotation_set, text, *, accepted=False):
    project = annotation_set.article.project
    start = BODY.index(text)
    span = services.span_create(
        annotation_set=annotation_set,
        start=start,
        end=start + len(text),
        quote=text,
        label=project.labels.get(name="actor"),
    )
    if accepted:  # as the annotate page records a suggestion accepted (the "suggest" helper)
        provenance = {"suggester": "spans", "version": "3", "score": 0.8}
        Span.objects.filter(pk=span.pk).update(provenance=provenance)


def _work(clock, article, user, marks, minutes):
    """The user opens the article (drawn then), marks at the clock's time, submits `minutes`
    later."""
    annotation_set = services.annotation_set_open(article=article, user=user)
    for text, accepted in marks:
        _mark(annotation_set, text, accepted=accepted)
    clock.minutes += minutes
    services.annotation_set_submit(annotation_set=annotation_set)
    clock.minutes += 60
    return annotation_set


def _approve_gold(article, capture):
    gold = AnnotationSet.objects.create(article=article, is_gold=True)
    with services.adjudicating(gold):
        for text in ("Russia", "NATO"):
            _mark(gold, text)
    gold.refresh_from_db()
    with capture(execute=True):
        services.annotation_set_transition(gold, to=AnnotationSet.Status.APPROVED, user=None)


@pytest.fixture
def compared(
    project, annotator, annotator2, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """Four sets drawn at 0.5 on articles whose gold marks Russia and NATO (actors):
    with suggestions, anna: Russia (accepted) + NATO (by hand), 1 minute; Russia (accepted) +
    Tuesday (accepted, wrong), 2 minutes; without, alex: Russia, 5 minutes; Russia + NATO,
    9 minutes. And one set made at rate 0 (left out)."""
    project.annotators_per_article = 1
    project.withhold_rate = 0.5
    project.save()
    monkeypatch.setattr(services, "WITHHOLD_RANDOM", Draws(0.9, 0.9, 0.1, 0.1))
    articles = [ArticleFactory(project=project, body=f"{BODY} Item {i}.") for i in range(5)]
    sets = [
        _work(clock, articles[0], annotator, [("Russia", True), ("NATO", False)], 1),
        _work(clock, articles[1], annotator, [("Russia", True), ("Tuesday", True)], 2),
        _work(clock, articles[2], annotator2, [("Russia", False)], 5),
        _work(clock, articles[3], annotator2, [("Russia", False), ("NATO", False)], 9),
    ]
    assert [s.suggestions_withheld for s in sets] == [False, False, True, True]
    project.withhold_rate = 0.0
    project.save()
    _work(clock, articles[4], annotator, [("Russia", False)], 3)
    for article in articles:
        _approve_gold(article, django_capture_on_commit_callbacks)
    assert GoldScore.objects.count() == 5
    return project


def test_it_compares_f1_time_and_anchoring_with_and_without_suggestions(compared):
    effect = suggestion_effect(GoldScore.objects.values_list("stats", flat=True))
    assert (effect["drawn"], effect["left_out"], effect["reason"]) == (4, 1, "")
    with_, without = effect["groups"]
    assert (with_["name"], with_["sets"], without["name"], without["sets"]) == (
        "With suggestions",
        2,
        "Without suggestions",
        2,
    )
    # With: 4 spans, 4 gold, 3 exact: F1 6/8. Without: 3 spans, 4 gold, 3 exact: F1 6/7.
    assert with_["exact_f1"]["value"] == 0.75
    assert with_["overlap_f1"]["value"] == 0.75
    assert without["exact_f1"]["value"] == pytest.approx(0.8571)
    assert effect["difference"]["exact_f1"]["value"] == pytest.approx(-0.1071)
    # Times from the first edit to the submission: 60 s and 120 s; 300 s and 540 s.
    assert (with_["timed"], with_["median_seconds"]["value"]) == (2, 90.0)
    assert (with_["p25_seconds"], with_["p75_seconds"]) == (75.0, 105.0)
    assert without["median_seconds"]["value"] == 420.0
    assert effect["difference"]["median_seconds"]["value"] == -330.0
    low, high = with_["median_seconds"]["low"], with_["median_seconds"]["high"]
    assert 60.0 <= low <= 90.0 <= high <= 120.0
    # Anchoring: 3 spans accepted, gold kept 2; by hand: 1 of 1 with, 3 of 3 without.
    assert (with_["accepted"], with_["hand"], without["accepted"], without["hand"]) == (3, 1, 0, 3)
    assert with_["accepted_kept_exact"]["value"] == pytest.approx(0.6667)
    assert with_["hand_kept_exact"]["value"] == 1.0
    assert without["hand_kept_exact"]["value"] == 1.0
    assert without["accepted_kept_exact"] == {
        "value": None,
        "low": None,
        "high": None,
        "reason": NO_ACCEPTED,
    }
    assert with_["exact_f1"]["low"] <= 0.75 <= with_["exact_f1"]["high"]


def test_it_says_why_there_is_nothing_to_compare():
    effect = suggestion_effect([{"help|withheld": 0, "help|rate": 0.0}, {"help|withheld": 1}])
    assert (effect["drawn"], effect["left_out"], effect["reason"]) == (0, 2, NO_DRAW)
    effect = suggestion_effect([{"help|withheld": 0, "help|rate": 0.3, "help|seconds": 10}])
    assert effect["groups"][1]["exact_f1"]["reason"] == NO_GROUP
    assert effect["difference"]["exact_f1"]["reason"] == NO_GROUP
    assert effect["groups"][0]["median_seconds"]["value"] == 10.0


def test_a_manager_sees_the_comparison_on_the_scores_page_and_in_its_csv(client, compared, manager):
    client.force_login(manager)
    page = client.get(reverse("annotations:scores", args=[compared.slug])).text
    assert "With and without suggestions" in page
    assert "Difference (with − without)" in page
    assert "0.75" in page and "0.8571" in page and "90.0" in page
    assert "Accepted from suggestions" in page and "0.6667" in page
    assert "1 other (made while every set or none got suggestions, or imported) is left out" in page
    response = client.get(reverse("annotations:suggestion-effect-csv", args=[compared.slug]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by = {(r["group"], r["figure"]): r for r in rows}
    assert by["with", "spans_exact_f1"]["value"] == "0.75"
    assert by["without", "median_seconds_to_submit"]["value"] == "420.0"
    assert by["with_minus_without", "median_seconds_to_submit"]["value"] == "-330.0"
    assert by["without", "accepted_spans_kept_exact"]["n_a_reason"] == NO_ACCEPTED
    assert by["with", "accepted_spans"]["value"] == "3"
    agreement = client.get(reverse("annotations:agreement", args=[compared.slug])).text
    assert "Scores → With and without suggestions" in agreement


def test_reviewers_see_it_as_the_project_allows_and_annotators_never(
    client, compared, reviewer, annotator
):
    url = reverse("annotations:scores", args=[compared.slug])
    csv_url = reverse("annotations:suggestion-effect-csv", args=[compared.slug])
    client.force_login(reviewer)
    assert "With and without suggestions" in client.get(url).text
    compared.reviewers_see_scores = False
    compared.save()
    assert "With and without suggestions" not in client.get(url).text
    agreement = client.get(reverse("annotations:agreement", args=[compared.slug])).text
    assert "Scores → With and without suggestions" not in agreement
    assert client.get(csv_url).status_code == 403
    client.force_login(annotator)
    page = client.get(url).text
    assert "With and without suggestions" not in page
    assert "0.8571" not in page  # the other annotator's figures
    assert client.get(csv_url).status_code == 403


def test_the_page_says_when_nothing_was_drawn(client, project, manager):
    client.force_login(manager)
    page = client.get(reverse("annotations:scores", args=[project.slug])).text
    assert f"n/a: {NO_DRAW}." in page
