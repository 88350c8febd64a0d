"""The assignment-based queue: my open sets first, then articles that still need annotators;
opening an article takes a place on it only while it has fewer than k annotators."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.models import AnnotationSet, HistoryRecord
from annotations.queues import queue_for
from tests.factories import AnnotationSetFactory, ArticleFactory, MembershipFactory, UserFactory

Status = AnnotationSet.Status


@pytest.fixture
def annotator3(project):
    user = UserFactory(username="ada")
    MembershipFactory(user=user, project=project, role="annotator")
    return user


def _titles(user, project):
    return list(queue_for(user, project).values_list("title", flat=True))


def _annotate_url(project, article):
    return reverse("annotations:annotate", args=[project.slug, article.pk])


def _assigned(article, user, status=Status.ASSIGNED, days_ago=0):
    annotation_set = AnnotationSetFactory(article=article, annotator=user, status=status)
    created = timezone.now() - timedelta(days=days_ago)
    AnnotationSet.objects.filter(pk=annotation_set.pk).update(created_at=created)
    return annotation_set


def test_it_orders_my_open_sets_by_state_then_oldest_first(project, annotator):
    articles = {name: ArticleFactory(project=project, title=name) for name in "ABCDEFG"}
    _assigned(articles["A"], annotator, Status.ASSIGNED, days_ago=9)
    _assigned(articles["B"], annotator, Status.IN_PROGRESS, days_ago=1)
    _assigned(articles["C"], annotator, Status.CHANGES_REQUESTED, days_ago=1)
    _assigned(articles["D"], annotator, Status.IN_PROGRESS, days_ago=5)
    _assigned(articles["E"], annotator, Status.CHANGES_REQUESTED, days_ago=3)
    _assigned(articles["F"], annotator, Status.SUBMITTED, days_ago=20)
    # G: no set of mine and nobody else's either, so it needs annotators.
    assert _titles(annotator, project) == ["E", "C", "D", "B", "A", "G"]


def test_it_offers_only_articles_with_fewer_than_k_annotators_i_am_not_on(
    project, annotator, annotator2, annotator3
):
    full = ArticleFactory(project=project, title="full")
    _assigned(full, annotator2)
    _assigned(full, annotator3)
    half = ArticleFactory(project=project, title="half")
    _assigned(half, annotator2, Status.SUBMITTED)
    ArticleFactory(project=project, title="empty")
    done = ArticleFactory(project=project, title="mine, submitted")
    _assigned(done, annotator, Status.SUBMITTED)
    adjudicated = ArticleFactory(project=project, title="adjudicated")
    AnnotationSet.objects.create(article=adjudicated, is_gold=True, status=Status.APPROVED)
    assert _titles(annotator, project) == ["half", "empty"]
    project.annotators_per_article = 1
    project.save()
    assert _titles(annotator, project) == ["empty"]


def test_it_takes_my_place_on_the_next_article_and_walks_on_after_it(
    client, project, annotator, annotator2
):
    first = ArticleFactory(project=project, title="first")
    second = ArticleFactory(project=project, title="second")
    _assigned(second, annotator2)
    client.force_login(annotator)
    url = reverse("annotations:queue-next", args=[project.slug])
    assert client.get(url)["Location"] == _annotate_url(project, first)
    assert AnnotationSet.objects.filter(article=first, annotator=annotator).exists()
    # My new set is now in my queue (assigned), before the article that needs annotators.
    assert client.get(url, {"after": first.pk})["Location"] == _annotate_url(project, second)
    assert client.get(url, {"after": second.pk})["Location"] == _annotate_url(project, first)


def test_it_respects_k_2_when_a_third_annotator_opens_the_article(
    client, project, article, annotator, annotator2, annotator3
):
    for user in (annotator, annotator2):
        client.force_login(user)
        assert client.get(_annotate_url(project, article)).status_code == 200
    client.force_login(annotator3)
    response = client.get(_annotate_url(project, article))
    assert response.status_code == 200
    assert (
        "This article already has its 2 annotators; ask a manager to assign it to you."
        in response.text
    )
    assert 'id="span-form"' not in response.text
    assert "Dmitry Peskov" in response.text  # the text is still there to read
    assert set(article.annotation_sets.values_list("annotator__username", flat=True)) == {
        annotator.username,
        annotator2.username,
    }
    # Nor does the queue send the third annotator there.
    queue = client.get(reverse("annotations:queue-next", args=[project.slug]), follow=True)
    assert "Your queue is empty" in queue.text
    assert article.annotation_sets.count() == 2


def test_it_still_opens_an_article_a_manager_assigned_beyond_k(
    client, project, article, annotator, annotator2, annotator3
):
    _assigned(article, annotator)
    _assigned(article, annotator2)
    _assigned(article, annotator3)  # a manager's explicit assignment
    client.force_login(annotator3)
    response = client.get(_annotate_url(project, article))
    assert 'id="span-form"' in response.text
    assert "already has its" not in response.text


def test_it_records_who_took_a_place_on_an_article(client, project, article, annotator):
    client.force_login(annotator)
    client.get(_annotate_url(project, article))
    client.get(_annotate_url(project, article))
    record = HistoryRecord.objects.get(object_type="annotation_set")
    assert (record.user, record.action) == (annotator, "create")


def test_it_names_the_projects_k_and_refuses_an_adjudicated_article(
    client, project, article, annotator, annotator2
):
    project.annotators_per_article = 1
    project.save()
    _assigned(article, annotator2)
    client.force_login(annotator)
    response = client.get(_annotate_url(project, article))
    assert "This article already has its 1 annotator; ask a manager" in response.text
    other = ArticleFactory(project=project, title="Settled")
    AnnotationSet.objects.create(article=other, is_gold=True, status=Status.APPROVED)
    response = client.get(_annotate_url(project, other))
    assert response.status_code == 200
    assert "This article is adjudicated; it takes no more annotators." in response.text
    assert not AnnotationSet.objects.filter(annotator=annotator).exists()


def test_it_shows_the_reviewers_comments_on_a_set_sent_back(
    client, project, article, annotator, reviewer
):
    from annotations.models import Comment

    annotation_set = _assigned(article, annotator, Status.CHANGES_REQUESTED)
    Comment.objects.create(
        annotation_set=annotation_set,
        author=reviewer,
        body="Peskov is the claimant <b>here</b>.",
        requests_changes=True,
    )
    client.force_login(annotator)
    first = client.get(reverse("annotations:queue-next", args=[project.slug]), follow=True)
    assert first.request["PATH_INFO"] == _annotate_url(project, article)
    assert "Peskov is the claimant &lt;b&gt;here&lt;/b&gt;." in first.text


def test_it_passes_over_an_article_that_filled_up_while_i_asked_for_it(
    client, project, annotator, annotator2, annotator3, monkeypatch
):
    from annotations import services

    first = ArticleFactory(project=project, title="first")
    second = ArticleFactory(project=project, title="second")
    real_open = services.annotation_set_open

    def others_open_it_first(*, article, user, **options):
        if article == first and not first.annotation_sets.exists():
            _assigned(first, annotator2)
            _assigned(first, annotator3)
        return real_open(article=article, user=user, **options)

    monkeypatch.setattr(services, "annotation_set_open", others_open_it_first)
    client.force_login(annotator)
    response = client.get(reverse("annotations:queue-next", args=[project.slug]))
    assert response["Location"] == _annotate_url(project, second)
    assert list(
        AnnotationSet.objects.filter(annotator=annotator).values_list("article", flat=True)
    ) == [second.pk]
    assert first.annotation_sets.count() == 2
