"""Article uncertainty from a suggester's proposals (annotations.learning.uncertainty): the
margin of each span proposal, the mean of the five most uncertain, stored per open article."""

import pytest

from annotations.learning import Proposal
from annotations.learning.uncertainty import (
    article_uncertainty,
    candidate_uncertainty,
    refresh_uncertainty,
)
from annotations.models import AnnotationSet, ArticleUncertainty, TrainedModel
from tests.factories import AnnotationSetFactory, ArticleFactory
from tests.learning.fakes import ScoresByTitle


def _span(score, kind="span"):
    return Proposal(kind=kind, score=score, suggester="fake", version="1", start=0, end=1)


def live_span_model(project, version=1):
    return TrainedModel.objects.create(
        project=project,
        kind=TrainedModel.Kind.SPANS,
        version=version,
        status=TrainedModel.Status.READY,
        is_live=True,
    )


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0.5, 1.0), (0.0, 0.0), (1.0, 0.0), (0.9, 0.2), (0.25, 0.5), (0.7, 0.6), (1.3, 0.0)],
)
def test_it_reads_a_proposal_at_one_half_as_most_uncertain(score, expected):
    assert candidate_uncertainty(score) == pytest.approx(expected)


def test_it_averages_the_five_most_uncertain_candidates_counting_missing_ones_as_sure():
    # Margins 1.0, 0.8, 0.6, 0.4, 0.2, 0.0, 0.0: the five largest sum to 3.0.
    seven = [_span(p) for p in (0.5, 0.6, 0.3, 0.8, 0.9, 1.0, 0.0)]
    assert article_uncertainty(seven) == pytest.approx(0.6)
    # Two doubtful candidates are more uncertain than one, however sure the rest are.
    assert article_uncertainty([_span(0.5)]) == pytest.approx(0.2)
    assert article_uncertainty([_span(0.5), _span(0.5)]) == pytest.approx(0.4)
    assert article_uncertainty([_span(0.5)] * 9) == pytest.approx(1.0)


def test_it_gives_an_article_with_no_span_proposals_zero():
    assert article_uncertainty([]) == 0.0
    # Threat-level and claim-type proposals are not about spans: they do not count.
    assert article_uncertainty([_span(0.5, "threat"), _span(0.5, "claim_type")]) == 0.0


def test_it_stores_the_uncertainty_of_the_articles_still_open_to_annotators(
    project, annotator, annotator2
):
    unsure = ArticleFactory(project=project, title="unsure")
    sure = ArticleFactory(project=project, title="sure")
    silent = ArticleFactory(project=project, title="silent")
    full = ArticleFactory(project=project, title="full")  # has its two annotators
    AnnotationSetFactory(article=full, annotator=annotator)
    AnnotationSetFactory(article=full, annotator=annotator2)
    settled = ArticleFactory(project=project, title="settled")
    AnnotationSet.objects.create(
        article=settled, is_gold=True, status=AnnotationSet.Status.APPROVED
    )
    model = live_span_model(project)
    suggester = ScoresByTitle({"unsure": [0.5, 0.45], "sure": [0.99], "full": [0.5]})

    assert refresh_uncertainty(project, suggester, model, batch=2) == 3

    values = dict(ArticleUncertainty.objects.values_list("article__title", "value"))
    assert values == pytest.approx({"unsure": 0.38, "sure": 0.004, "silent": 0.0})
    assert sorted(suggester.asked) == sorted([unsure.pk, sure.pk, silent.pk])
    assert set(ArticleUncertainty.objects.values_list("model", flat=True)) == {model.pk}


def test_a_new_model_replaces_the_values_of_the_old_one(project):
    ArticleFactory(project=project, title="a")
    gone = ArticleFactory(project=project, title="b")
    old = live_span_model(project, 1)
    refresh_uncertainty(project, ScoresByTitle({"a": [0.5], "b": [0.5]}), old)
    old.is_live = False
    old.save()
    new = live_span_model(project, 2)
    AnnotationSet.objects.create(article=gone, is_gold=True, status=AnnotationSet.Status.APPROVED)
    refresh_uncertainty(project, ScoresByTitle({"a": [0.9]}), new)
    assert list(ArticleUncertainty.objects.values_list("article__title", "model", "value")) == [
        ("a", new.pk, pytest.approx(0.04))
    ]


def test_it_stops_when_its_model_is_no_longer_live(project):
    for title in "abcd":
        ArticleFactory(project=project, title=title)
    model = live_span_model(project)

    class Retired(ScoresByTitle):
        def suggest(self, article):
            if len(self.asked) == 2:  # a newer model goes live during the refresh
                TrainedModel.objects.filter(pk=model.pk).update(is_live=False)
            return super().suggest(article)

    assert refresh_uncertainty(project, Retired({}), model, batch=2) == 2
    assert ArticleUncertainty.objects.count() == 2


def test_the_task_uses_the_live_span_model(project, monkeypatch):
    from annotations import tasks
    from annotations.learning import trained

    ArticleFactory(project=project, title="a")
    tasks.refresh_article_uncertainty.call(project.pk)  # no live model: nothing
    assert not ArticleUncertainty.objects.exists()
    model = live_span_model(project)
    loaded = []

    def suggester_for(m):
        loaded.append(m)
        return ScoresByTitle({"a": [0.5]})

    monkeypatch.setattr(trained, "suggester_for", suggester_for)
    tasks.refresh_article_uncertainty.call(project.pk)
    assert loaded == [model]
    assert ArticleUncertainty.objects.get().value == pytest.approx(0.2)
