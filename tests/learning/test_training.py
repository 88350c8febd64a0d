"""Training the learning loop's models on a small generated gold project: what is stored, how
it is evaluated, which model goes live and why, determinism, and failures."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from annotations import storage
from annotations.learning import spans, training
from annotations.learning.trained import suggester_for
from annotations.models import TrainedModel
from tests.learning.conftest import add_gold, train

Kind = TrainedModel.Kind
Status = TrainedModel.Status


def test_it_trains_a_model_of_each_kind_stores_it_and_makes_the_first_live(gold_project, manager):
    models = training.training_queue(project=gold_project, user=manager)
    assert {m.kind for m in models} == set(Kind.values)
    assert all(m.status == Status.QUEUED and m.version == 1 for m in models)
    for model in models:
        training.model_train(model.pk)
        model.refresh_from_db()
        assert model.status == Status.READY, model.error
        data = storage.model_load(project_id=gold_project.pk, name=model.artefact.split("/")[-1])
        assert hashlib.sha256(data).hexdigest() == model.sha256
        assert len(model.trained_on) + len(model.held_out) == 30
        assert not set(model.trained_on) & set(model.held_out)
        assert model.seconds > 0 and model.peak_memory_mb > 0
        assert model.config["seed"] == 0
        assert model.learning_curve[-1] == {
            "articles": len(model.trained_on),
            "f1": model.evaluation["micro"]["f1"],
        }
    spans_model = next(m for m in models if m.kind == Kind.SPANS)
    # The generated text is regular: the tagger finds most spans, the gazetteer only actors.
    assert spans_model.is_live
    assert set(spans_model.evaluation["labels"]) == {"actor", "location", "military force", "event"}
    assert spans_model.evaluation["micro"]["f1"] > 0.8
    assert spans_model.live_reason.startswith("F1 0.")
    assert "beats the gazetteer's 0." in spans_model.live_reason
    threat = next(m for m in models if m.kind == Kind.THREAT)
    assert "most frequent level" in threat.live_reason


def test_it_holds_out_what_a_release_puts_in_dev_and_test(gold_project):
    from annotations.release_build import split_of

    model = train(gold_project, Kind.THREAT)
    ratios = {"train": 0.8, "dev": 0.1, "test": 0.1}
    for article in gold_project.articles.all():
        split = split_of(article.body_sha256, 0, ratios)
        assert (article.pk in model.held_out) == (split != "train")


@pytest.mark.fresh_training
def test_it_gives_the_same_model_for_the_same_gold_and_seed(project):
    add_gold(project, 12, length=300)
    first = train(project, Kind.SPANS)
    second = train(project, Kind.SPANS)
    assert first.status == Status.READY, first.error
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 == second.sha256
    assert first.evaluation == second.evaluation
    assert first.artefact != second.artefact  # each version its own file, never overwritten


def test_a_model_that_does_not_beat_the_baseline_or_the_live_model_is_not_live(
    gold_project, monkeypatch
):
    good = training.SPAN_SETTINGS
    # Two passes in big batches: a handful of updates, it learns next to nothing.
    monkeypatch.setattr(training, "SPAN_SETTINGS", spans.SpanSettings(epochs=2, batch_size=256))
    weak = train(gold_project, Kind.SPANS)
    assert not weak.is_live
    assert "does not beat the gazetteer's" in weak.live_reason
    monkeypatch.setattr(training, "SPAN_SETTINGS", good)
    better = train(gold_project, Kind.SPANS)
    assert better.is_live
    assert "beats the gazetteer's" in better.live_reason
    same = train(gold_project, Kind.SPANS)
    f1 = better.evaluation["micro"]["f1"]
    assert not same.is_live
    assert same.live_reason == f"F1 {f1:.2f} does not beat v2's {f1:.2f}."
    better.refresh_from_db()
    assert better.is_live


def test_a_model_that_beats_the_live_one_replaces_it(gold_project, monkeypatch):
    first = train(gold_project, Kind.SPANS)
    assert first.is_live
    # Make the live model look worse on the held-out split than the new one will be.
    monkeypatch.setattr(
        training, "_rival", lambda project, kind, measure: (f"v{first.version}", 0.1)
    )
    second = train(gold_project, Kind.SPANS)
    first.refresh_from_db()
    assert second.is_live and not first.is_live
    assert second.live_reason.endswith("beats v1's 0.10.")


def test_the_live_rival_is_evaluated_again_on_the_new_held_out_split(gold_project):
    first = train(gold_project, Kind.THREAT)
    add_gold(gold_project, 10, seed=2, start=100)
    second = train(gold_project, Kind.THREAT)
    assert len(second.held_out) > len(first.held_out)
    assert second.config["rival"]["name"] == "v1"


def test_a_training_without_held_out_gold_fails_with_the_reason_and_stores_nothing(project):
    add_gold(project, 1)
    model = train(project, Kind.SPANS)
    assert model.status == Status.FAILED
    assert "held-out split" in model.error
    assert not model.is_live and not model.artefact
    assert not storage.listed(f"models/{project.pk}")


def test_a_failure_after_storing_deletes_the_artefact(gold_project, monkeypatch):
    def broken(trained):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(training, "_live_decision", broken)
    model = train(gold_project, Kind.THREAT)
    assert model.status == Status.FAILED
    assert model.error == "RuntimeError: the database went away"
    assert model.sha256 == "" and model.evaluation == {}
    folders, files = default_storage.listdir(f"models/{gold_project.pk}")
    assert files == []


def test_a_model_trains_once_even_when_its_task_runs_twice(gold_project):
    model = train(gold_project, Kind.THREAT)
    again = training.model_train(model.pk)
    assert again.sha256 == model.sha256 and again.finished_at == model.finished_at


def test_queueing_refuses_a_second_training_and_nothing_to_train(gold_project, project):
    from annotations.errors import Conflict

    training.training_queue(project=gold_project)
    with pytest.raises(Conflict, match="queued or running already"):
        training.training_queue(project=gold_project)


def test_queueing_says_what_the_gold_lacks(project):
    from annotations.errors import Conflict

    with pytest.raises(Conflict, match="Nothing to train yet: span tagger: no gold entity"):
        training.training_queue(project=project)


def test_a_stalled_training_no_longer_blocks_the_next(gold_project):
    import datetime

    from django.utils import timezone

    [stuck, *_] = training.training_queue(project=gold_project)
    TrainedModel.objects.filter(project=gold_project).update(
        status=Status.TRAINING, created_at=timezone.now() - datetime.timedelta(hours=4)
    )
    queued = training.training_queue(project=gold_project)
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED and "Stalled" in stuck.error
    assert {m.version for m in queued} == {2}


def test_a_loaded_model_suggests_spans_with_scores_and_its_version(gold_project):
    model = train(gold_project, Kind.SPANS)
    suggester = suggester_for(model)
    assert (suggester.name, suggester.version) == ("spancat", "v1")
    article = gold_project.articles.get(pk=model.held_out[0])
    proposals = suggester.suggest(article)
    assert proposals and all(p.kind == "span" and 0.5 <= p.score <= 1 for p in proposals)
    gold = set(
        article.annotation_sets.get(is_gold=True).spans.values_list("start", "end", "label_id")
    )
    assert {(p.start, p.end, p.label_id) for p in proposals} & gold
    assert proposals[0].provenance["suggester"] == "spancat"
    assert suggester_for(model).tagger is suggester.tagger  # loaded once per process


def test_regions_not_to_annotate_get_no_span_proposals(gold_project):
    model = train(gold_project, Kind.SPANS)
    article = gold_project.articles.get(pk=model.held_out[0])
    article.not_to_annotate = [[0, len(article.body)]]
    assert suggester_for(model).suggest(article) == []


def test_the_classifiers_propose_a_threat_level_and_claim_types(gold_project):
    threat = suggester_for(train(gold_project, Kind.THREAT))
    claims = suggester_for(train(gold_project, Kind.CLAIM_TYPE))
    article = gold_project.articles.first()
    [level] = threat.suggest(article)
    assert level.kind == "threat" and level.threat_level_id in set(
        gold_project.threat_levels.values_list("pk", flat=True)
    )
    proposals = claims.suggest(article)
    types = set(gold_project.claim_types.values_list("pk", flat=True))
    assert all(p.kind == "claim_type" and p.claim_type_id in types for p in proposals)
    gold_claim = article.annotation_sets.get(is_gold=True).claims.select_related("span").first()
    probabilities = claims.classify(article, gold_claim.span.start, gold_claim.span.end)
    assert abs(sum(probabilities.values()) - 1) < 1e-6


def test_a_tampered_artefact_is_refused(gold_project):
    model = train(gold_project, Kind.THREAT)
    model.sha256 = "0" * 64  # as if the stored bytes had changed since training
    with pytest.raises(ValueError, match="refusing to load it"):
        suggester_for(model)


def test_it_orders_the_open_articles_by_the_new_live_span_model(
    gold_project, django_capture_on_commit_callbacks
):
    from annotations.models import ArticleUncertainty
    from tests.factories import ArticleFactory

    waiting = ArticleFactory(
        project=gold_project, body="Russia said NATO moved troops near Kharkiv on Monday."
    )
    from annotations.tasks import train_model

    model = TrainedModel.objects.create(project=gold_project, kind=Kind.SPANS, version=1)
    train_model.call(model.pk)
    model.refresh_from_db()
    assert model.is_live
    stored = ArticleUncertainty.objects.get(article=waiting)
    assert stored.model == model
    assert 0 <= stored.value <= 1
