"""The agreement page and an annotator's scores in a real browser: charts with axes, units
and intervals, "n/a" with the reason, no JavaScript errors (nothing loaded from a CDN)."""

import datetime
import random

import pytest
from django.utils import timezone

from annotations import agreement, scoring, services
from annotations.models import AnnotationSet
from tests.browser.conftest import shoot
from tests.factories import ArticleFactory, MembershipFactory


@pytest.fixture
def weeks_of_work(project, manager):
    """Three annotators, two per article, over six weeks; half the articles adjudicated."""
    rng = random.Random(11)
    coders = [
        MembershipFactory(project=project, role="annotator", user__username=f"coder{i}").user
        for i in range(3)
    ]
    labels = list(project.labels.filter(name__in=["actor", "location", "event"]))
    levels = list(project.threat_levels.order_by("rank"))
    words = " ".join(f"word{i:02d}" for i in range(24))
    start_of_work = timezone.now() - datetime.timedelta(weeks=6)
    for n in range(18):
        if n in (0, 9):
            services.guidelines_update(project=project, text=f"# Version for article {n}")
        article = ArticleFactory(project=project, body=f"{n:02d} {words}")
        pair = rng.sample(coders, 2)
        for user in pair:
            annotation_set = AnnotationSet.objects.create(
                article=article, annotator=user, guideline_version=project.current_guideline()
            )
            for word in range(10):
                if rng.random() < 0.3 - n / 100:
                    continue
                start = 3 + word * 7 + (1 if rng.random() < 0.1 else 0)
                services.span_create(
                    annotation_set=annotation_set,
                    start=start,
                    end=start + 6,
                    quote=article.body[start : start + 6],
                    label=labels[(word + (rng.random() < 0.2)) % 3],
                )
            services.threat_assessment_set(
                annotation_set=annotation_set, level=rng.choice(levels[1:3])
            )
            services.annotation_set_submit(annotation_set=annotation_set)
            annotation_set.submitted_at = start_of_work + datetime.timedelta(days=2.3 * n)
            annotation_set.save(update_fields=["submitted_at"])
        if n % 2 == 0:  # adjudicated: gold takes the first annotator's spans
            gold = AnnotationSet.objects.create(article=article, is_gold=True)
            with services.adjudicating(gold):
                for span in annotation_set.spans.all():
                    services.span_create(
                        annotation_set=gold,
                        start=span.start,
                        end=span.end,
                        quote=span.quote,
                        label=span.label,
                    )
            gold.refresh_from_db()
            services.annotation_set_transition(gold, to=AnnotationSet.Status.APPROVED, user=None)
    agreement.refresh_all(project)
    scoring.refresh_scores(list(project.articles.values_list("pk", flat=True)))
    return coders


def test_the_agreement_page_draws_every_figure_with_axes(
    page, live_server, login, project, reviewer, weeks_of_work
):
    login(reviewer)
    page.goto(f"{live_server.url}/projects/{project.slug}/review/agreement/")
    charts = page.locator("svg.chart")
    assert charts.count() == 4  # overall, per label, per pair, trend
    text = page.locator("main").inner_text()
    assert "coefficient (0 = chance level, 1 = perfect agreement)" in page.content()
    assert "ISO week of hand-in" in page.content()
    assert "n/a: the threat scale has no numeric values" in page.content()
    assert "coder0 · coder1" in text
    assert len(page.locator("circle.trend-dot").all()) >= 5  # a trend, not a point
    assert "v1" in text and "v2" in text  # per guideline version
    assert page.js_errors == [] and page.console_errors == []
    shoot(page, "agreement")


def test_reviewers_see_every_annotators_scores_and_each_ones_trend(
    page, live_server, login, project, reviewer, weeks_of_work
):
    login(reviewer)
    page.goto(f"{live_server.url}/projects/{project.slug}/quality/scores/")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    shoot(page, "scores")
    page.get_by_role("link", name="coder0").click()
    assert page.locator("h1").inner_text() == "Scores against gold: coder0"
    assert page.locator("svg.chart circle.trend-dot").count() >= 3
    assert "overlap F1" in page.content()
    assert page.js_errors == [] and page.console_errors == []
    shoot(page, "annotator-scores")


def test_an_annotator_sees_their_scores_and_trend(page, live_server, login, project):
    from tests.factories import UserFactory

    annotator = UserFactory(username="anna")
    MembershipFactory(project=project, role="annotator", user=annotator)
    login(annotator)
    page.goto(f"{live_server.url}/projects/{project.slug}/quality/scores/")
    assert "You see your own scores." in page.locator("main").inner_text()
    assert page.js_errors == [] and page.console_errors == []


def test_the_page_says_when_the_intervals_are_older_than_the_figures(
    page, live_server, login, project, reviewer, weeks_of_work, monkeypatch
):
    from annotations import tasks

    monkeypatch.setattr(tasks, "intervals_changed", lambda project_id: None)  # not yet run
    article = ArticleFactory(project=project, body="Minsk hosted the talks.")
    for user in weeks_of_work[:2]:
        annotation_set = AnnotationSet.objects.create(article=article, annotator=user)
        services.span_create(
            annotation_set=annotation_set,
            start=0,
            end=5,
            quote="Minsk",
            label=project.labels.get(name="location"),
        )
        services.annotation_set_submit(annotation_set=annotation_set)
    login(reviewer)
    page.goto(f"{live_server.url}/projects/{project.slug}/review/agreement/")
    notice = page.locator("#intervals-updating")
    assert "older than the figures" in notice.inner_text()
    assert "Over 19 articles" in page.locator("main").inner_text()
    assert page.js_errors == [] and page.console_errors == []
    shoot(page, "agreement-updating")
