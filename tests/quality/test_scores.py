"""Annotators scored against gold: the figures, who sees whose, the CSV, training mode."""

import csv
import io

import pytest

from annotations import services
from annotations.access import get_project_for_user, gold_scores_visible_to, sees_every_score
from annotations.models import AnnotationSet, GoldScore
from annotations.scoring import summarise


@pytest.fixture
def scored(project, manager, gold_article, annotator, annotator2, hand_in):
    """The gold article is a control item; both annotators handed in an attempt at it."""
    services.control_item_set(article=gold_article, is_control=True, user=manager)
    attempts = {}
    for user, marks, level in (
        (annotator, {"Russia": "actor", "Tuesday": "date"}, 1),
        (annotator2, {"NATO": "location"}, 4),
    ):
        attempt = services.control_attempt_open(article=gold_article, user=user)
        hand_in(attempt, marks, level=level)
        attempts[user] = attempt
    return attempts


def test_it_scores_spans_links_and_threat_levels_against_gold(project, annotator, scored):
    labels = dict(project.labels.values_list("pk", "name"))
    mine = summarise([GoldScore.objects.get(annotation_set=scored[annotator]).stats], labels)
    # Gold: Russia (actor, linked to Russia), NATO (actor); mine: Russia (actor, unlinked),
    # Tuesday (date).
    assert mine["spans"]["exact"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    by_label = {row["label"]: row for row in mine["labels"]}
    assert by_label["actor"]["exact"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert by_label["date"]["exact"]["precision"] == 0.0
    assert by_label["date"]["exact"]["recall"] is None  # no gold date: n/a, not 0
    assert mine["actor_links"] == 0.0
    assert mine["threat_distance"] == 0.0 and mine["threat_exact"] == 1.0


def test_managers_see_every_score_reviewers_as_allowed_annotators_their_own(
    project, manager, reviewer, annotator, annotator2, scored
):
    def visible(user):
        access = get_project_for_user(user, project.slug)
        return set(gold_scores_visible_to(access).values_list("annotator__username", flat=True))

    everyone = {annotator.username, annotator2.username}
    assert visible(manager) == everyone
    assert visible(reviewer) == everyone
    assert visible(annotator) == {annotator.username}
    project.reviewers_see_scores = False
    project.save()
    assert visible(reviewer) == set()
    assert not sees_every_score(get_project_for_user(reviewer, project.slug))
    assert visible(manager) == everyone


def test_the_csv_holds_what_the_user_may_see(client, project, annotator, manager, scored):
    client.force_login(annotator)
    response = client.get(f"/projects/{project.slug}/quality/scores.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["annotator"] for row in rows} == {annotator.username}
    overall = next(row for row in rows if row["label"] == "(all)")
    assert overall["exact_f1"] == "0.5"
    assert overall["threat_level_mean_distance"] == "0.0"
    client.force_login(manager)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/projects/{project.slug}/quality/scores.csv").content.decode())
        )
    )
    assert {row["annotator"] for row in rows} == {"anna", "alex"}


def test_training_mode_shows_the_annotator_the_differences_and_the_guideline(
    client, project, annotator, scored
):
    services.guidelines_update(
        project=project,
        text="# Scope\nEverything.\n\n## Actor\nMark every state or group <b>by name</b>.\n",
    )
    attempt = scored[annotator]
    url = f"/projects/{project.slug}/quality/control/{attempt.pk}/"
    client.force_login(annotator)
    assert client.get(url).status_code == 404  # training mode is off
    project.training_mode = True
    project.save()
    page = client.get(url).content.decode()
    assert "missed" in page and "not in gold" in page and "other actor" in page
    assert "Mark every state or group &lt;b&gt;by name&lt;/b&gt;." in page  # escaped
    assert "Everything." not in page  # only the label's passage
    scores_page = client.get(f"/projects/{project.slug}/quality/scores/{annotator.pk}/")
    assert url in scores_page.content.decode()


def test_a_control_attempt_is_not_under_review(client, project, reviewer, scored):
    client.force_login(reviewer)
    page = client.get(f"/projects/{project.slug}/review/").content.decode()
    assert "No article has been assigned yet." in page
    assert not AnnotationSet.objects.annotators_only().filter(is_control=True).exists()


def test_quality_settings_refuse_a_maximum_below_k(client, project, manager):
    client.force_login(manager)
    response = client.post(
        f"/projects/{project.slug}/quality/settings/",
        {"max_annotators_per_article": 1, "control_rate": 0.9},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be below the 2 annotators" in page
    assert "less than or equal to 0.5" in page
    project.refresh_from_db()
    assert project.control_rate == 0
