"""The status groups of an annotation set (handed in, editable, adjudicated, needs annotators),
read through QuerySet methods, and the one function every status change goes through."""

import pytest

from annotations import services
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Article, HistoryRecord
from annotations.queues import OPEN_ORDER
from tests.factories import AnnotationSetFactory, ArticleFactory

Status = AnnotationSet.Status


@pytest.fixture
def sets(article, annotator):
    """One set in every status, plus a gold set, all on `article`."""
    made = {
        status: AnnotationSetFactory(article=article, status=status)
        for status in Status.values
        if status != Status.APPROVED
    }
    made[Status.APPROVED] = AnnotationSetFactory(
        article=article, annotator=annotator, status=Status.APPROVED
    )
    made["gold"] = AnnotationSet.objects.create(article=article, is_gold=True)
    return made


def test_it_reads_the_status_groups(sets):
    everything = AnnotationSet.objects.all()
    assert set(everything.handed_in()) == {sets[Status.SUBMITTED], sets[Status.APPROVED]}
    assert list(everything.gold()) == [sets["gold"]]
    assert sets["gold"] not in everything.annotators_only()
    assert everything.annotators_only().count() == len(Status.values)
    assert not everything.adjudicated().exists()
    editable = {s for s in everything.annotators_only() if s.is_editable}
    assert {s.status for s in editable} == set(AnnotationSet.EDITABLE)
    assert all(s.is_handed_in == (s in everything.handed_in()) for s in everything)


def test_it_ranks_every_editable_status_in_the_queue():
    assert sorted(OPEN_ORDER) == sorted(AnnotationSet.EDITABLE)


def test_it_knows_an_article_is_adjudicated_once_its_gold_set_is_approved(sets, article):
    other = ArticleFactory(project=article.project)
    assert not Article.objects.adjudicated().exists()
    AnnotationSet.objects.filter(pk=sets["gold"].pk).update(status=Status.APPROVED)
    assert list(AnnotationSet.objects.adjudicated()) == [sets["gold"]]
    assert list(Article.objects.adjudicated()) == [article]
    assert other not in Article.objects.adjudicated()
    # The row's property says the same as the QuerySet read (an approved annotator's set is not).
    everything = AnnotationSet.objects.all()
    assert {s for s in everything if s.is_adjudicated} == {sets["gold"]}
    assert not sets[Status.APPROVED].is_adjudicated


def test_it_offers_articles_with_fewer_annotators_than_wanted_until_adjudicated(
    project, annotator, annotator2
):
    project.annotators_per_article = 2
    project.save()
    empty, half, full, closed = (ArticleFactory(project=project) for _ in range(4))
    AnnotationSetFactory(article=half, annotator=annotator)
    AnnotationSetFactory(article=full, annotator=annotator)
    AnnotationSetFactory(article=full, annotator=annotator2)
    AnnotationSet.objects.create(article=half, is_gold=True)  # a gold set is no annotator
    AnnotationSet.objects.create(article=closed, is_gold=True, status=Status.APPROVED)
    ArticleFactory()  # another project's article
    assert set(Article.objects.needing_annotators(project)) == {empty, half}
    project.annotators_per_article = 3
    project.save()
    assert set(Article.objects.needing_annotators(project)) == {empty, half, full}


@pytest.mark.parametrize(
    ("is_gold", "before", "after"),
    [
        (False, Status.ASSIGNED, Status.SUBMITTED),
        (False, Status.ASSIGNED, Status.APPROVED),
        (False, Status.IN_PROGRESS, Status.APPROVED),
        (False, Status.CHANGES_REQUESTED, Status.SUBMITTED),
        (False, Status.APPROVED, Status.IN_PROGRESS),
        (False, Status.SUBMITTED, Status.IN_PROGRESS),
        (True, Status.IN_PROGRESS, Status.SUBMITTED),
        (True, Status.APPROVED, Status.IN_PROGRESS),
    ],
)
def test_it_refuses_a_status_change_the_table_does_not_allow(
    article, annotator, is_gold, before, after
):
    annotation_set = AnnotationSet.objects.create(
        article=article, annotator=None if is_gold else annotator, is_gold=is_gold, status=before
    )
    with pytest.raises(Conflict, match="cannot become"):
        services.annotation_set_transition(annotation_set, to=after, user=annotator)
    annotation_set.refresh_from_db()
    assert (annotation_set.status, annotation_set.version) == (before, 0)
    assert not HistoryRecord.objects.exists()


def test_it_bumps_saves_and_records_an_allowed_status_change(annotation_set, annotator):
    services.annotation_set_transition(
        annotation_set, to=Status.IN_PROGRESS, user=annotator, why="test"
    )
    services.annotation_set_transition(annotation_set, to=Status.SUBMITTED, user=annotator)
    annotation_set.refresh_from_db()
    assert annotation_set.status == Status.SUBMITTED
    assert annotation_set.version == 2
    assert annotation_set.submitted_at is not None
    records = HistoryRecord.objects.order_by("sequence")
    assert [(r.action, r.before, r.after) for r in records] == [
        ("transition", {"status": "assigned"}, {"status": "in_progress", "why": "test"}),
        ("transition", {"status": "in_progress"}, {"status": "submitted"}),
    ]
