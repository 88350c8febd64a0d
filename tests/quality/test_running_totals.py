"""The project's agreement kept as running totals: exact after any sequence of changes, point
estimates current at once, bootstrap intervals recomputed separately and said to be older."""

import math

import pytest

from annotations import agreement, reviewing, services, tasks
from annotations.coefficients import exact_add, exact_partials
from annotations.models import AnnotationSet, ProjectAgreement, ProjectAgreementTotal
from tests.factories import ArticleFactory, MembershipFactory


def totals_from_rows(project_id):
    """Per group: articles, annotation sets and every statistic summed exactly over the
    project's article rows: what the running totals must equal."""
    return {
        name: (articles, sets, table.sums())
        for name, (articles, sets, table) in agreement._tables(agreement._rows(project_id)).items()
    }


@pytest.fixture
def scheduled(monkeypatch):
    """The projects whose intervals were scheduled (the interval task itself not run)."""
    calls: list[int] = []
    monkeypatch.setattr(tasks, "intervals_changed", calls.append)
    return calls


def assert_totals_equal_a_full_sum(project):
    running = agreement.running_totals(project.pk)
    full = totals_from_rows(project.pk)
    assert running.keys() == full.keys()
    for group, (articles, sets, stats) in full.items():
        kept_articles, kept_sets, kept = running[group]
        assert (kept_articles, kept_sets) == (articles, sets), group
        assert kept.keys() == stats.keys(), group
        for key, value in stats.items():
            assert kept[key] == pytest.approx(value, rel=0, abs=1e-9), (group, key)
    figures = agreement.project_agreement(project)
    recomputed = agreement.project_figures(project)
    for name, figure in recomputed["overall"].items():
        assert figures["overall"][name]["value"] == figure["value"], name
    for section in ("labels", "pairs", "guidelines", "trend"):
        assert [
            {k: v["value"] if isinstance(v, dict) and "value" in v else v for k, v in row.items()}
            for row in figures[section]
        ] == [
            {k: v["value"] if isinstance(v, dict) and "value" in v else v for k, v in row.items()}
            for row in recomputed[section]
        ], section


def test_it_keeps_running_totals_equal_to_a_full_sum(
    project, annotator, annotator2, reviewer, hand_in, scheduled, django_capture_on_commit_callbacks
):
    others = [
        MembershipFactory(project=project, role="annotator", user__username=name).user
        for name in ("ali", "bea")
    ]
    first = ArticleFactory(project=project, body="Russia warned NATO about Kyiv on Tuesday.")
    second = ArticleFactory(project=project, body="The Kremlin and Minsk met NATO in Vilnius.")
    sets = {}
    for user, marks, level in (
        (annotator, {"Russia": "actor", "Kyiv": "location"}, 1),
        (annotator2, {"Russia warned": "actor", "Kyiv": "actor"}, 2),
    ):
        sets[user, first] = AnnotationSet.objects.create(article=first, annotator=user)
        hand_in(sets[user, first], marks, level)
        assert_totals_equal_a_full_sum(project)
    for user, marks, level in zip(
        [annotator, annotator2, *others],
        [{"Kremlin": "actor"}, {"Kremlin": "actor", "NATO": "actor"}, {"Minsk": "location"}, {}],
        [1, 1, 2, 3],
        strict=True,
    ):
        sets[user, second] = AnnotationSet.objects.create(article=second, annotator=user)
        hand_in(sets[user, second], marks, level)  # four coders: thirds in the coincidences
        assert_totals_equal_a_full_sum(project)

    # A new guideline version: the third annotator of the first article works under it.
    services.guidelines_update(project=project, text="Mark actors by their full names.")
    sets[others[0], first] = AnnotationSet.objects.create(article=first, annotator=others[0])
    hand_in(sets[others[0], first], {"NATO": "actor"}, 2)
    assert_totals_equal_a_full_sum(project)

    # Sent back, changed and handed in again; sent back and left: the article drops below two.
    with django_capture_on_commit_callbacks(execute=True):
        reviewing.annotation_set_request_changes(
            annotation_set=sets[annotator2, first], user=reviewer, comment="Kyiv is a place."
        )
    assert_totals_equal_a_full_sum(project)
    hand_in(sets[annotator2, first], {"NATO": "location"})
    assert_totals_equal_a_full_sum(project)
    for user in (annotator2, others[0]):
        with django_capture_on_commit_callbacks(execute=True):
            reviewing.annotation_set_request_changes(
                annotation_set=sets[user, first], user=reviewer, comment="Look again."
            )
    assert_totals_equal_a_full_sum(project)
    assert agreement.project_agreement(project)["articles"] == 1

    # Gold approved for the second article: its agreement row is refreshed, the sums stay.
    gold = AnnotationSet.objects.create(article=second, is_gold=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.annotation_set_transition(gold, to=AnnotationSet.Status.APPROVED, user=None)
    assert_totals_equal_a_full_sum(project)
    assert scheduled == [project.pk]  # one recomputation of the intervals for all of it


def test_it_shows_the_point_estimates_at_once_and_says_the_intervals_are_older(
    client, project, annotator, annotator2, reviewer, hand_in, scheduled
):
    for body in ("Russia warned NATO about Kyiv on Tuesday.", "Russia denied it."):
        article = ArticleFactory(project=project, body=body)
        for user in (annotator, annotator2):
            hand_in(
                AnnotationSet.objects.create(article=article, annotator=user), {"Russia": "actor"}
            )
    figures = agreement.project_agreement(project)
    assert figures["articles"] == 2
    assert figures["overall"]["exact_f1"] == {"value": 1.0, "low": None, "high": None, "reason": ""}
    assert figures["intervals_updating"] is True
    client.force_login(reviewer)
    page = client.get(f"/projects/{project.slug}/review/agreement/").content.decode()
    assert "The intervals are being computed; the figures have none yet." in page

    tasks.refresh_project_intervals.call(project.pk)
    figures = agreement.project_agreement(project)
    assert figures["intervals_updating"] is False
    assert figures["overall"]["exact_f1"]["low"] == 1.0
    assert (
        'id="intervals-updating"'
        not in client.get(f"/projects/{project.slug}/review/agreement/").content.decode()
    )

    # A new label in a hand-in: the new figure has no interval yet; the page says why.
    other = ArticleFactory(project=project, body="Minsk hosted NATO.")
    for user in (annotator, annotator2):
        hand_in(AnnotationSet.objects.create(article=other, annotator=user), {"Minsk": "location"})
    figures = agreement.project_agreement(project)
    assert figures["articles"] == 3
    assert figures["intervals_updating"] is True
    by_label = {row["label"]: row for row in figures["labels"]}
    assert by_label["location"]["exact_f1"]["low"] is None
    assert by_label["actor"]["exact_f1"]["low"] == 1.0
    page = client.get(f"/projects/{project.slug}/review/agreement/").content.decode()
    assert "older than the figures" in page
    assert "A figure new since then has no interval yet." in page
    assert scheduled == [project.pk, project.pk]  # once per interval computation


def test_it_sums_every_row_once_for_a_project_from_before_the_running_totals(
    project, annotator, annotator2, hand_in, scheduled
):
    article = ArticleFactory(project=project, body="Russia warned NATO about Kyiv on Tuesday.")
    hand_in(AnnotationSet.objects.create(article=article, annotator=annotator), {"NATO": "actor"})
    hand_in(AnnotationSet.objects.create(article=article, annotator=annotator2), {"NATO": "actor"})
    ProjectAgreementTotal.objects.all().delete()
    ProjectAgreement.objects.all().delete()
    other = ArticleFactory(project=project, body="Minsk hosted NATO.")
    for user in (annotator, annotator2):
        hand_in(AnnotationSet.objects.create(article=other, annotator=user), {"Minsk": "location"})
    assert agreement.project_agreement(project)["articles"] == 2
    assert_totals_equal_a_full_sum(project)


def test_the_full_recomputation_rewrites_the_totals(project, annotator, annotator2, hand_in):
    article = ArticleFactory(project=project, body="Russia warned NATO about Kyiv on Tuesday.")
    for user in (annotator, annotator2):
        hand_in(AnnotationSet.objects.create(article=article, annotator=user), {"NATO": "actor"})
    ProjectAgreementTotal.objects.filter(group="all").update(articles=7, stats={})
    agreement.refresh_all(project)
    assert agreement.running_totals(project.pk)["all"][0] == 1
    assert_totals_equal_a_full_sum(project)


def test_exact_sums_leave_no_trace_of_what_was_taken_away():
    values = [0.1, 1 / 3, 1e16, 2 / 3, -1e16, 0.7]
    partials: list[float] = []
    for value in values:
        partials = exact_add(partials, value)
    assert math.fsum(partials) == math.fsum(values)
    assert math.fsum(exact_partials(values)) == math.fsum(values)
    plain = 0.0
    for value in values + [-v for v in values]:
        plain += value
    assert plain != 0.0  # what a plain running sum leaves
    for value in values:
        partials = exact_add(partials, -value)
    assert partials == []


def test_a_worker_recomputes_the_intervals_once_for_many_hand_ins_after_a_delay(
    settings, project, annotator, annotator2, hand_in, django_capture_on_commit_callbacks
):
    """With the database task backend (a db_worker), the hand-ins' refreshes run at once and
    the one interval recomputation waits INTERVALS_DELAY seconds, so the hand-ins meanwhile
    join it."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    articles = [
        ArticleFactory(project=project, body="Russia warned NATO."),
        ArticleFactory(project=project, body="Minsk hosted NATO."),
    ]
    for article in articles:
        for user in (annotator, annotator2):
            hand_in(
                AnnotationSet.objects.create(article=article, annotator=user), {"NATO": "actor"}
            )
    queued = DBTaskResult.objects.filter(task_path__endswith="refresh_article_quality")
    assert queued.count() == 4  # one per hand-in, for the worker
    for article in articles:
        with django_capture_on_commit_callbacks(execute=True):
            tasks.refresh_article_quality.call(article.pk)  # what the worker runs at once
    intervals = DBTaskResult.objects.filter(task_path__endswith="refresh_project_intervals")
    assert intervals.count() == 1
    waits = intervals.get().run_after - timezone.now()
    assert timedelta(seconds=tasks.INTERVALS_DELAY - 5) < waits
    assert waits <= timedelta(seconds=tasks.INTERVALS_DELAY)
    figures = agreement.project_agreement(project)
    assert figures["articles"] == 2
    assert figures["intervals_updating"] is True
    tasks.refresh_project_intervals.call(project.pk)  # what the worker runs later
    assert agreement.project_agreement(project)["intervals_updating"] is False
