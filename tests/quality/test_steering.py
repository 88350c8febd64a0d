"""Control items in the queue and agreement that steers it (k+1)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from annotations import services
from annotations.agreement import project_agreement
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Article, GoldScore
from annotations.queues import open_next_article
from tests.factories import ArticleFactory


def test_a_control_item_enters_the_queue_is_scored_and_never_counts_toward_agreement(
    project, manager, annotator, annotator2, gold_article, hand_in
):
    services.control_item_set(article=gold_article, is_control=True, user=manager)
    project.control_rate = 0.5
    project.save()
    regular = [ArticleFactory(project=project) for _ in range(2)]

    first = open_next_article(annotator, project)
    assert first == regular[0]
    hand_in(AnnotationSet.objects.get(article=first, annotator=annotator), {"Russia": "actor"})
    second = open_next_article(annotator, project)
    assert second == gold_article  # every 2nd article at a rate of 0.5
    attempt = AnnotationSet.objects.get(article=gold_article, annotator=annotator)
    assert attempt.is_control
    hand_in(attempt, {"Russia": "actor", "Tuesday": "date"}, level=3)

    score = GoldScore.objects.get(annotation_set=attempt)
    assert score.is_control
    assert score.stats[f"span|{project.labels.get(name='actor').pk}|exact"] == 1
    assert score.stats["threat|distance"] == 2
    # Not an annotator of the article, not in agreement, and the article takes nobody new.
    assert not AnnotationSet.objects.filter(article=gold_article).annotators_only().exists()
    assert project_agreement(project)["articles"] == 0
    assert gold_article.agreement.coders == 0
    assert gold_article not in Article.objects.needing_annotators(project)
    third = open_next_article(annotator2, project)
    assert third == regular[0]


def test_only_managers_mark_only_adjudicated_articles_as_control_items(
    project, manager, reviewer, article, gold_article
):
    with pytest.raises(PermissionDenied):
        services.control_item_set(article=gold_article, is_control=True, user=reviewer)
    with pytest.raises(Conflict):
        services.control_item_set(article=article, is_control=True, user=manager)


def test_low_agreement_asks_one_more_annotator_up_to_the_maximum(
    project, annotator, annotator2, annotator3, article, hand_in
):
    project.annotators_per_article = 2
    project.max_annotators_per_article = 3
    project.save()
    first = services.annotation_set_open(article=article, user=annotator)
    second = services.annotation_set_open(article=article, user=annotator2)
    hand_in(first, {"Kremlin": "actor", "Dmitry Peskov": "actor"})
    hand_in(second, {"NATO": "location"})
    article.refresh_from_db()
    assert article.agreement.score < 0.5
    assert open_next_article(annotator3, project) is None  # no threshold: k annotators only

    project.agreement_threshold = 0.5
    project.save()
    assert open_next_article(annotator3, project) == article  # k+1
    assert AnnotationSet.objects.filter(article=article).annotators_only().count() == 3
    assert article not in Article.objects.needing_annotators(project)  # the maximum


def test_good_agreement_asks_nobody_more(
    project, annotator, annotator2, annotator3, article, hand_in
):
    project.agreement_threshold = 0.5
    project.save()
    for user in (annotator, annotator2):
        hand_in(services.annotation_set_open(article=article, user=user), {"NATO": "actor"})
    article.refresh_from_db()
    assert article.agreement.score > 0.5
    assert open_next_article(annotator3, project) is None


def test_the_review_list_shows_low_agreement_articles_first(
    client, project, reviewer, annotator, annotator2, hand_in
):
    agreeing, disagreeing = (ArticleFactory(project=project) for _ in range(2))
    for user in (annotator, annotator2):
        hand_in(services.annotation_set_open(article=agreeing, user=user), {"NATO": "actor"})
    hand_in(services.annotation_set_open(article=disagreeing, user=annotator), {"NATO": "actor"})
    hand_in(
        services.annotation_set_open(article=disagreeing, user=annotator2), {"Russia": "location"}
    )
    client.force_login(reviewer)
    page = client.get(f"/projects/{project.slug}/review/").content.decode()
    assert page.index(disagreeing.title) < page.index(agreeing.title)


def test_refresh_quality_recomputes_what_hand_ins_left_stale(
    project, annotator, annotator2, article
):
    from django.core.management import call_command

    from annotations.models import ProjectAgreement

    for user in (annotator, annotator2):
        annotation_set = services.annotation_set_open(article=article, user=user)
        services.span_create(
            annotation_set=annotation_set,
            start=0,
            end=7,
            quote="Kremlin",
            label=project.labels.get(name="actor"),
        )
        services.annotation_set_submit(annotation_set=annotation_set)  # tasks not run
    assert not ProjectAgreement.objects.exists()
    call_command("refresh_quality", "--project", project.slug, stdout=io.StringIO())
    assert ProjectAgreement.objects.get(project=project).figures["articles"] == 1
    with pytest.raises(CommandError, match="No project"):
        call_command("refresh_quality", "--project", "nope")
