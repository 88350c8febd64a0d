"""The annotators' queue in the uncertainty order (active learning): articles still short of
annotators first, then the most uncertain; oldest first stays the default. Control items and
low agreement (k+1) still steer it, and /next/ costs the same queries in both orders."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services
from annotations.models import AnnotationSet, ArticleUncertainty, QueueOrder, TrainedModel
from annotations.queues import open_next_article, queue_for
from tests.factories import AnnotationSetFactory, ArticleFactory, MembershipFactory


@pytest.fixture
def annotator3(project):
    return MembershipFactory(project=project, role="annotator", user__username="ali").user


@pytest.fixture
def model(project):
    return TrainedModel.objects.create(
        project=project,
        kind=TrainedModel.Kind.SPANS,
        version=1,
        status=TrainedModel.Status.READY,
        is_live=True,
    )


@pytest.fixture
def valued(project, model):
    """Articles A to F, oldest first, with uncertainties (E and F have none)."""

    def valued(values):
        articles = {}
        for title in "ABCDEF":
            articles[title] = ArticleFactory(project=project, title=title)
            if title in values:
                ArticleUncertainty.objects.create(
                    article=articles[title], project=project, model=model, value=values[title]
                )
        return articles

    return valued


def _titles(user, project):
    return list(queue_for(user, project).values_list("title", flat=True))


def _by_uncertainty(project):
    project.queue_order = QueueOrder.UNCERTAINTY
    project.save()


def test_oldest_first_is_the_default_and_ignores_uncertainty(project, annotator, valued):
    valued({"A": 0.1, "B": 0.9, "C": 0.5, "D": 0.7})
    assert project.queue_order == QueueOrder.OLDEST
    assert _titles(annotator, project) == list("ABCDEF")


def test_it_offers_the_most_uncertain_articles_first_then_those_without_a_value_oldest_first(
    project, annotator, valued
):
    valued({"A": 0.1, "B": 0.9, "C": 0.5, "D": 0.7, "F": 0.0})
    _by_uncertainty(project)
    assert _titles(annotator, project) == list("BDCAFE")


def test_articles_short_of_annotators_come_before_new_ones_and_my_open_sets_before_both(
    project, annotator, annotator2, valued
):
    articles = valued({"A": 0.1, "B": 0.9, "C": 0.5, "D": 0.2})
    _by_uncertainty(project)
    AnnotationSetFactory(article=articles["A"], annotator=annotator2)  # short of one annotator
    AnnotationSetFactory(article=articles["E"], annotator=annotator2)  # short, no value
    AnnotationSetFactory(article=articles["D"], annotator=annotator)  # mine, assigned
    assert _titles(annotator, project) == ["D", "A", "E", "B", "C", "F"]


def test_next_walks_the_uncertainty_order_and_wraps_round(client, project, annotator, valued):
    articles = valued({"A": 0.2, "B": 0.9, "C": 0.2})
    _by_uncertainty(project)
    client.force_login(annotator)
    url = reverse("annotations:queue-next", args=[project.slug])

    def after(title):
        location = client.get(url, {"after": articles[title].pk})["Location"]
        return next(t for t, a in articles.items() if location.endswith(f"/articles/{a.pk}/"))

    # Opening B made it mine (assigned): it leads the queue; A and C tie on 0.2, oldest first.
    assert client.get(url)["Location"].endswith(f"/articles/{articles['B'].pk}/")
    assert after("B") == "A"
    assert after("A") == "C"
    assert after("C") == "D"  # D, E, F have no value: after C, oldest first
    assert _titles(annotator, project) == list("BACD") + ["E", "F"]  # B, A, C, D mine now
    assert after("D") == "E"
    assert after("E") == "F"
    assert after("F") == "B"  # round again, through my sets, oldest first


def test_low_agreement_k_plus_1_still_gets_its_extra_annotator_first(
    project, annotator, annotator2, annotator3, article, model, hand_in
):
    project.agreement_threshold = 0.5
    project.max_annotators_per_article = 3
    _by_uncertainty(project)
    fresh = ArticleFactory(project=project, title="very uncertain")
    ArticleUncertainty.objects.create(article=fresh, project=project, model=model, value=1.0)
    first = services.annotation_set_open(article=article, user=annotator)
    second = services.annotation_set_open(article=article, user=annotator2)
    hand_in(first, {"Kremlin": "actor", "Dmitry Peskov": "actor"})
    hand_in(second, {"NATO": "location"})
    assert open_next_article(annotator3, project) == article  # before the uncertain one
    assert AnnotationSet.objects.filter(article=article).annotators_only().count() == 3


def test_control_items_are_still_mixed_in(project, manager, annotator, gold_article, model):
    services.control_item_set(article=gold_article, is_control=True, user=manager)
    project.control_rate = 0.5
    _by_uncertainty(project)
    sure = ArticleFactory(project=project, title="sure")
    unsure = ArticleFactory(project=project, title="unsure")
    ArticleUncertainty.objects.create(article=sure, project=project, model=model, value=0.1)
    ArticleUncertainty.objects.create(article=unsure, project=project, model=model, value=0.8)
    assert open_next_article(annotator, project) == unsure
    AnnotationSet.objects.filter(article=unsure, annotator=annotator).update(
        status=AnnotationSet.Status.SUBMITTED
    )
    assert open_next_article(annotator, project) == gold_article
    assert AnnotationSet.objects.get(article=gold_article, annotator=annotator).is_control


def _next_queries(client, project, article):
    url = reverse("annotations:queue-next", args=[project.slug])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"after": article.pk})
    assert response.status_code == 302
    return len(queries)


def test_next_costs_the_same_queries_in_both_orders(client, project, annotator, valued):
    articles = valued({"A": 0.3, "B": 0.6})
    client.force_login(annotator)
    AnnotationSetFactory(article=articles["A"], annotator=annotator)
    oldest = _next_queries(client, project, articles["A"])
    AnnotationSet.objects.filter(annotator=annotator).exclude(article=articles["A"]).delete()
    _by_uncertainty(project)
    assert _next_queries(client, project, articles["A"]) == oldest
