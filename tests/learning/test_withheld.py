"""Withheld suggestions: each new annotator's set is drawn, with the project's withhold_rate,
to get no suggestions; the draw is kept on the set and in its creation record, however the set
is made (the queue, opening the article, a manager's assignment, automatic assignment, the
API, a control attempt)."""

import random

import pytest
from django.urls import reverse

from annotations import assignment, services
from annotations.models import AnnotationSet, HistoryRecord
from annotations.queues import open_next_article
from tests.api.conftest import token_client
from tests.factories import ArticleFactory, MembershipFactory, UserFactory


def _created_record(annotation_set):
    return HistoryRecord.objects.get(
        object_type="annotation_set", action="create", object_id=annotation_set.pk
    ).after


@pytest.mark.parametrize(("rate", "withheld"), [(0.0, False), (1.0, True)])
def test_it_withholds_never_at_0_and_always_at_1_and_records_it(project, annotator, rate, withheld):
    project.withhold_rate = rate
    project.save()
    for _ in range(5):
        ArticleFactory(project=project)
    for _ in range(5):
        article = open_next_article(annotator, project)
        annotation_set = AnnotationSet.objects.get(article=article, annotator=annotator)
        assert annotation_set.suggestions_withheld is withheld
        after = _created_record(annotation_set)
        assert (after["suggestions_withheld"], after["withhold_rate"]) == (withheld, rate)
        annotation_set.status = AnnotationSet.Status.SUBMITTED
        annotation_set.save()


def test_it_withholds_about_the_rate_with_a_fixed_seed(project, monkeypatch):
    monkeypatch.setattr(services, "WITHHOLD_RANDOM", random.Random(20261201))
    project.withhold_rate = 0.3
    project.annotators_per_article = 1
    project.save()
    annotators = [
        MembershipFactory(project=project, role="annotator", user__username=f"a{i}").user
        for i in range(4)
    ]
    manager = MembershipFactory(project=project, role="manager").user
    for _ in range(100):
        ArticleFactory(project=project)
    created = assignment.assignments_auto(project=project, user=manager)
    assert len(created) == 100 and {s.annotator for s in created} == set(annotators)
    withheld = AnnotationSet.objects.filter(suggestions_withheld=True).count()
    # Binomial(100, 0.3): mean 30, sd 4.6; within 3 sd of the mean.
    assert 16 <= withheld <= 44
    stored = dict(AnnotationSet.objects.values_list("pk", "suggestions_withheld"))
    for record in HistoryRecord.objects.filter(object_type="annotation_set", action="create"):
        assert record.after["suggestions_withheld"] is stored[record.object_id]
        assert record.after["withhold_rate"] == 0.3


def test_every_way_of_making_a_set_draws(project, manager, annotator, annotator2, gold_article):
    project.withhold_rate = 1.0
    project.control_rate = 0.5
    project.save()
    opened = ArticleFactory(project=project)
    client_set = services.annotation_set_open(article=opened, user=annotator)
    assigned = assignment.assignment_create(
        article=ArticleFactory(project=project), annotator=annotator, user=manager
    )
    services.control_item_set(article=gold_article, is_control=True, user=manager)
    control = services.control_attempt_open(article=gold_article, user=annotator2)
    api_article = ArticleFactory(project=project)
    response = token_client(manager).post(
        f"/api/v1/projects/{project.slug}/articles/{api_article.pk}/assignments/",
        {"annotator": annotator2.username},
        format="json",
    )
    assert response.status_code == 201, response.content
    from_api = AnnotationSet.objects.get(article=api_article)
    for annotation_set in (client_set, assigned, control, from_api):
        annotation_set.refresh_from_db()
        assert annotation_set.suggestions_withheld
        assert _created_record(annotation_set)["suggestions_withheld"] is True


def test_a_gold_set_is_never_drawn(project, article):
    project.withhold_rate = 1.0
    project.save()
    reviewer = UserFactory()
    gold = services.annotation_set_create(article=article, annotator=None, user=reviewer)
    assert not gold.suggestions_withheld
    assert "suggestions_withheld" not in _created_record(gold)


def test_a_manager_sets_the_rate_and_the_queue_order_on_the_options_page(client, project, manager):
    client.force_login(manager)
    url = reverse("annotations:project-options", args=[project.slug])
    page = client.get(url).text
    assert "Order of the annotators&#x27; queue" in page or "Order of the annotators" in page
    assert "Most uncertain first (active learning)" in page
    assert "Share of sets shown no suggestions" in page
    response = client.post(
        url, {"allow_missed_items": "on", "queue_order": "uncertainty", "withhold_rate": "0.25"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.queue_order, project.withhold_rate) == ("uncertainty", 0.25)
    # Left out of the form, they stay as they are.
    client.post(url, {"allow_missed_items": "on"})
    project.refresh_from_db()
    assert (project.queue_order, project.withhold_rate) == ("uncertainty", 0.25)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"withhold_rate": "1.5"}, "less than or equal to 1"),
        ({"withhold_rate": "-0.1"}, "greater than or equal to 0"),
        ({"withhold_rate": "half"}, "Enter a number"),
        ({"queue_order": "random"}, "Select a valid choice"),
    ],
)
def test_it_refuses_a_rate_outside_0_1_and_an_unknown_order(
    client, project, manager, data, message
):
    client.force_login(manager)
    url = reverse("annotations:project-options", args=[project.slug])
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in response.text
    project.refresh_from_db()
    assert (project.queue_order, project.withhold_rate) == ("oldest", 0.0)
