"""The learning loop around training: automatic training after new gold, negative evidence
from rejected suggestions, the dataset card, and nothing fetched from the network."""

import socket

import pytest

from annotations import services
from annotations.learning import training
from annotations.learning.trained import suggester_for
from annotations.models import AnnotationSet, Label, RejectedSuggestion, TrainedModel
from tests.factories import AnnotationSetFactory, ArticleFactory
from tests.learning.conftest import add_gold, train

Kind = TrainedModel.Kind


def _new_gold(project, text="Peskov warned NATO near Odesa."):
    """An article with a gold set in adjudication, holding one span."""
    article = ArticleFactory(project=project, body=text)
    gold = AnnotationSet.objects.create(article=article, is_gold=True)
    with services.adjudicating(gold):
        services.span_create(
            annotation_set=gold,
            start=0,
            end=6,
            quote=text[:6],
            label=project.labels.get(name="actor"),
        )
    gold.refresh_from_db()
    return gold


def _approve(gold):
    services.annotation_set_transition(gold, to=AnnotationSet.Status.APPROVED, user=None)


def test_it_trains_by_itself_after_every_n_newly_approved_gold_sets(
    gold_project, django_capture_on_commit_callbacks
):
    gold_project.train_every = 2
    gold_project.save()
    first, second, third = (_new_gold(gold_project, f"Peskov warned NATO {n}.") for n in "abc")
    # The 30 gold sets written before count as approved since no training: due at once.
    with django_capture_on_commit_callbacks(execute=True):
        _approve(first)
    models = TrainedModel.objects.filter(project=gold_project)
    assert sorted(models.values_list("kind", "version", "status")) == [
        ("claim_type", 1, "ready"),
        ("spans", 1, "ready"),
        ("threat", 1, "ready"),
    ]
    assert not models.filter(requested_by__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _approve(second)
    assert models.count() == 3  # one new gold set since the training: not due yet
    with django_capture_on_commit_callbacks(execute=True):
        _approve(third)
    assert models.count() == 6
    assert training.gold_approved_since_training(gold_project) == 0


def test_several_approvals_at_once_start_one_training(
    gold_project, django_capture_on_commit_callbacks
):
    gold_project.train_every = 1
    gold_project.save()
    golds = [_new_gold(gold_project, f"Peskov warned NATO {n}.") for n in "ab"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for gold in golds:
            _approve(gold)
    assert TrainedModel.objects.filter(project=gold_project, kind=Kind.SPANS).count() == 1
    assert len(callbacks) >= 2


def test_a_queued_training_keeps_approvals_from_queueing_another(
    gold_project, django_capture_on_commit_callbacks, monkeypatch
):
    gold_project.train_every = 1
    gold_project.save()
    training.training_queue(project=gold_project)  # its task has not run (no commit)
    with django_capture_on_commit_callbacks(execute=True):
        _approve(_new_gold(gold_project))
    assert set(TrainedModel.objects.values_list("version", "status")) == {(1, "queued")}


def test_it_never_trains_by_itself_when_train_every_is_zero(
    gold_project, django_capture_on_commit_callbacks
):
    gold_project.train_every = 0
    gold_project.save()
    with django_capture_on_commit_callbacks(execute=True):
        _approve(_new_gold(gold_project))
    assert not TrainedModel.objects.exists()


def test_rejected_suggestions_become_negative_training_sentences(gold_project, annotator):
    actor = Label.objects.get(project=gold_project, name="actor")
    location = Label.objects.get(project=gold_project, name="location")
    text = "Officials said Tuesday was calm. Peskov warned NATO near Odesa. Markets rose."
    article = ArticleFactory(project=gold_project, body=text)
    own = AnnotationSetFactory(article=article, annotator=annotator)
    services.span_create(
        annotation_set=own, start=33, end=39, quote="Peskov", label=actor, user=annotator
    )
    RejectedSuggestion.objects.create(
        annotation_set=own, start=51, end=55, label=actor, suggester="spancat"
    )
    names = training.span_labels(gold_project, training.gather(gold_project).train)
    gold = training.gather(gold_project)
    [sentence] = training.negative_stretches(gold_project, names, gold)
    # The rejected "NATO" is a negative: the sentence's only positive is the set's "Peskov".
    assert sentence.text == "Peskov warned NATO near Odesa."
    assert sentence.spans == [(0, 6, "actor")]
    # A rejection by a label the tagger does not learn, or on gold, adds nothing.
    RejectedSuggestion.objects.create(
        annotation_set=own, start=0, end=9, label=gold_project.labels.get(name="claim")
    )
    assert len(training.negative_stretches(gold_project, names, gold)) == 1
    assert location.pk in names


def test_negative_evidence_changes_what_the_next_model_learns(gold_project, annotator):
    before = train(gold_project, Kind.SPANS)
    article = ArticleFactory(project=gold_project, body="Peskov warned NATO near Odesa.")
    own = AnnotationSetFactory(article=article, annotator=annotator)
    RejectedSuggestion.objects.create(
        annotation_set=own,
        start=14,
        end=18,
        label=gold_project.labels.get(name="actor"),
        suggester="spancat",
    )
    after = train(gold_project, Kind.SPANS)
    assert before.config["negative_sentences"] == 0
    assert after.config["negative_sentences"] == 1
    assert after.config["sentences"] == before.config["sentences"] + 1
    assert after.sha256 != before.sha256


def test_the_dataset_card_holds_the_live_models_evaluation(
    gold_project, manager, django_capture_on_commit_callbacks
):
    from annotations.releases import release_create

    spans_model = train(gold_project, Kind.SPANS)
    train(gold_project, Kind.SPANS)  # ties v1: not live, not in the card
    with django_capture_on_commit_callbacks(execute=True):
        release = release_create(project=gold_project, user=manager, formats=["native"])
    release.refresh_from_db()
    [card_model] = release.card["models"]
    assert card_model["kind"] == "spans" and card_model["version"] == spans_model.version
    assert card_model["evaluation"] == spans_model.evaluation
    assert card_model["trained_on_articles"] == len(spans_model.trained_on)
    assert card_model["sha256"] == spans_model.sha256


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"Something tried to reach the network: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.fresh_training
def test_training_and_suggesting_reach_no_network(project, no_network):
    from annotations.learning import trained

    add_gold(project, 16, length=600)
    trained._loaded.clear()  # load from storage for real, not from this process's cache
    for kind in Kind.values:
        model = train(project, kind)
        assert model.status == TrainedModel.Status.READY, model.error
        trained._loaded.clear()
        suggester = suggester_for(model)
        for article in project.articles.all()[:3]:
            suggester.suggest(article)
