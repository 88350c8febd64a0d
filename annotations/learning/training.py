"""Training the project's models on its approved gold, evaluating them, and deciding which is
live. The background task annotations.tasks.train_model runs `model_train`; `training_queue`
(a manager's "Train now", or by itself after `Project.train_every` newly approved gold sets)
queues one model of each kind the gold allows.

The rules, in one place:

- Gold: the approved gold sets. Split by the release split rule (release_build.split_of on the
  article text's SHA-256) with the seed and ratios of the project's latest gold release (the
  default 80/10/10, seed 0, without one): the model trains on the "train" share and is
  evaluated on the rest ("dev" and "test" together, as nothing is tuned on "dev"). So an
  article is held out of training exactly when a release puts it outside "train".
- Span tagger labels: the entity and "other" labels of the training gold. Claim labels mark
  whole sentences, which an n-gram span tagger cannot propose; claims are the claim-type
  classifier's.
- Negative evidence: a suggestion an annotator rejected by its label (RejectedSuggestion with
  a label the tagger learns) on an article with no training gold (and not held out) adds each
  sentence holding a rejected span as a training sentence whose positives are that annotator
  set's spans in it: every other candidate there, the rejected span included, is then a
  negative. On an article with training gold the gold decides (its sentences are trained on
  already, where every candidate that is not gold is a negative).
- Claim types are evaluated on the held-out gold claims: for each stating span, the most
  probable type (leaving "no claim" aside: the annotator has said it is a claim) against the
  gold type.
- Learning curve: the training articles in a fixed order (by the split digest), F1 on the
  held-out gold after training on the first 25%, 50% and all of them, with the same settings
  (the number of passes follows from the number of sentences by the same rule,
  SpanSettings.epochs_for).
- Live rule: a new model goes live when its held-out micro F1 beats (strictly) that of the
  model live now, evaluated again on the same held-out articles; with no live model it must
  beat a baseline: for spans the registry gazetteer's proposals, for the classifiers always
  answering the most frequent class of the training gold. `live_reason` says which and how.
- Failures: any error marks the model failed with the error's text; an artefact stored
  before the failure is deleted, so no half-saved model remains.
- Automatic training: counts the gold sets approved since the last training was queued
  (of any kind or outcome, so a failing training is not retried on every approval); at
  `train_every` it queues one. One training at a time per project: queueing takes the
  project's row lock and refuses while a model is queued or training; a model queued or
  training for more than STALLED is marked failed (its worker died) so the project is not
  blocked for ever.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import resource
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from annotations import storage
from annotations.errors import Conflict
from annotations.learning import Suggester
from annotations.learning import classifiers as tfidf
from annotations.learning import spans as spancat
from annotations.learning.evaluation import evaluate, score
from annotations.learning.gazetteer import Gazetteer
from annotations.learning.text import sentence_around, sentences
from annotations.learning.trained import (
    ClaimTypeSuggester,
    SpanModelSuggester,
    ThreatSuggester,
    live_model,
    load_artefact,
    suggester_of,
)
from annotations.models import (
    AnnotationSet,
    Article,
    Claim,
    Label,
    Project,
    RejectedSuggestion,
    Release,
    Span,
    ThreatAssessment,
    TrainedModel,
)
from annotations.release_build import split_of

log = logging.getLogger(__name__)

Kind = TrainedModel.Kind
Status = TrainedModel.Status
HELD_OUT_SPLITS = ("dev", "test")
CURVE: tuple[float, ...] = (0.25, 0.5, 1.0)
STALLED = timedelta(hours=3)
# The settings a training uses; tests and the bench make them smaller or larger.
SPAN_SETTINGS = spancat.SpanSettings()
CLASSIFIER_SETTINGS = tfidf.ClassifierSettings()


# The gold.


@dataclass
class GoldArticle:
    article: Article
    order: str  # the split digest: the fixed order of the learning curve
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # start, end, label id
    claims: list[tuple[int, int, int]] = field(default_factory=list)  # stating span, type id
    threat_level_id: int | None = None


@dataclass
class Gold:
    train: list[GoldArticle]
    held_out: list[GoldArticle]
    split: dict[str, Any]


def split_rule(project: Project) -> dict[str, Any]:
    """The seed and ratios of the project's latest gold release, or a release's defaults."""
    release = Release.objects.of_gold().filter(project=project).order_by("-version").first()
    if release is not None:
        return {"seed": release.split_seed, "ratios": release.split_ratios, "release": release.pk}
    return {"seed": 0, "ratios": {"train": 0.8, "dev": 0.1, "test": 0.1}, "release": None}


def gather(project: Project) -> Gold:
    """The project's approved gold, split into training and held-out articles."""
    rule = split_rule(project)
    golds = list(
        AnnotationSet.objects.adjudicated()
        .filter(article__project=project)
        .select_related("article")
        .order_by("article_id")
    )
    by_set: dict[int, GoldArticle] = {}
    train: list[GoldArticle] = []
    held_out: list[GoldArticle] = []
    for gold in golds:
        article = gold.article
        key = hashlib.sha256(f"{rule['seed']}:{article.body_sha256}".encode()).hexdigest()
        row = GoldArticle(article, key)
        by_set[gold.pk] = row
        split = split_of(article.body_sha256, rule["seed"], rule["ratios"])
        (held_out if split in HELD_OUT_SPLITS else train).append(row)
    for set_id, start, end, label_id in Span.objects.filter(annotation_set__in=by_set).values_list(
        "annotation_set_id", "start", "end", "label_id"
    ):
        by_set[set_id].spans.append((start, end, label_id))
    for set_id, start, end, type_id in Claim.objects.filter(annotation_set__in=by_set).values_list(
        "annotation_set_id", "span__start", "span__end", "claim_type_id"
    ):
        by_set[set_id].claims.append((start, end, type_id))
    for set_id, level_id in ThreatAssessment.objects.filter(annotation_set__in=by_set).values_list(
        "annotation_set_id", "level_id"
    ):
        by_set[set_id].threat_level_id = level_id
    train.sort(key=lambda row: row.order)
    return Gold(train, held_out, rule)


def span_labels(project: Project, rows: Sequence[GoldArticle]) -> dict[int, str]:
    """{label id: name} of the entity and "other" labels the gold `rows` use."""
    used = {label_id for row in rows for _, _, label_id in row.spans}
    return dict(
        Label.objects.filter(project=project, pk__in=used)
        .exclude(kind=Label.Kind.CLAIM)
        .values_list("pk", "name")
    )


# Training one model of each kind: bytes, config, evaluation, learning curve.


@dataclass
class Trained:
    data: bytes
    config: dict[str, Any]
    evaluation: dict[str, Any]
    learning_curve: list[dict[str, Any]]
    suggester: Suggester
    rival: tuple[str, float]  # the baseline or live model to beat: (its name, its micro F1)


def _stretches(row: GoldArticle, names: Mapping[int, str]) -> Iterator[spancat.Stretch]:
    body = row.article.body
    spans = sorted((s, e, names[label]) for s, e, label in row.spans if label in names)
    for start, end in sentences(body):
        inside = [(s - start, e - start, label) for s, e, label in spans if start <= s and e <= end]
        yield spancat.Stretch(body[start:end], inside)


def negative_stretches(
    project: Project, names: Mapping[int, str], gold: Gold
) -> list[spancat.Stretch]:
    """Sentences with rejected suggestions as negative evidence (the rule in the docstring)."""
    excluded = {row.article.pk for row in gold.train} | {row.article.pk for row in gold.held_out}
    rejected: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for set_id, start, end in (
        RejectedSuggestion.objects.filter(
            annotation_set__article__project=project,
            annotation_set__is_gold=False,
            label_id__in=names,
        )
        .exclude(annotation_set__article_id__in=excluded)
        .values_list("annotation_set_id", "start", "end")
        .order_by("annotation_set_id", "start", "end")
    ):
        rejected[set_id].append((start, end))
    if not rejected:
        return []
    own: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for set_id, start, end, label_id in Span.objects.filter(
        annotation_set__in=rejected, label_id__in=names
    ).values_list("annotation_set_id", "start", "end", "label_id"):
        own[set_id].append((start, end, names[label_id]))
    bodies = dict(AnnotationSet.objects.filter(pk__in=rejected).values_list("pk", "article__body"))
    stretches = []
    for set_id, stretches_rejected in sorted(rejected.items()):
        body = bodies[set_id]
        bounds = sentences(body)
        chosen = sorted({sentence_around(bounds, s, e) for s, e in stretches_rejected})
        for start, end in chosen:
            inside = sorted(
                (s - start, e - start, label)
                for s, e, label in own[set_id]
                if start <= s and e <= end
            )
            stretches.append(spancat.Stretch(body[start:end], inside))
    return stretches


def gazetteer_baseline(project: Project) -> Suggester:
    """The suggester a first span tagger must beat: the registry gazetteer."""
    return Gazetteer(project)


def _span_gold(
    rows: Sequence[GoldArticle], names: Mapping[int, str]
) -> list[tuple[int, int, int, int]]:
    return [
        (row.article.pk, s, e, label) for row in rows for s, e, label in row.spans if label in names
    ]


def _curve_sizes(n: int) -> list[int]:
    return sorted({max(1, round(n * share)) for share in CURVE})


def train_spans(project: Project, gold: Gold, settings: spancat.SpanSettings) -> Trained:
    names = span_labels(project, gold.train)
    if not names:
        raise ValueError("The training gold has no entity or other spans to learn from.")
    label_ids = {name: pk for pk, name in names.items()}
    negatives = negative_stretches(project, names, gold)
    per_article = [list(_stretches(row, names)) for row in gold.train]
    n_sentences = sum(len(s) for s in per_article) + len(negatives)
    epochs = settings.epochs_for(n_sentences)
    held = [row.article for row in gold.held_out]
    held_gold = _span_gold(gold.held_out, names)
    curve = []
    data, skipped, evaluation = b"", spancat.Skipped(), {}
    suggester: Suggester | None = None
    for size in _curve_sizes(len(gold.train)):
        stretches = [s for group in per_article[:size] for s in group] + negatives
        passes = settings.epochs_for(len(stretches))
        data, skipped = spancat.train(stretches, list(label_ids), settings, epochs=passes)
        suggester = SpanModelSuggester(spancat.SpanTagger.from_bytes(data), label_ids, "new")
        evaluation = evaluate(suggester, held, held_gold, names, threshold=settings.threshold)
        curve.append({"articles": size, "f1": evaluation["micro"]["f1"]})
    assert suggester is not None
    config = {
        **settings.as_config(),
        "passes": epochs,
        "label_ids": label_ids,
        "sentences": n_sentences,
        "negative_sentences": len(negatives),
        "skipped_spans": skipped.as_dict(),
    }
    rival = _rival(project, Kind.SPANS, lambda s: evaluate(s, held, held_gold, names)["micro"])
    if rival is None:
        baseline = evaluate(gazetteer_baseline(project), held, held_gold, names)["micro"]["f1"]
        rival = ("the gazetteer", baseline)
    return Trained(data, config, evaluation, curve, suggester, rival)


def _rival(
    project: Project, kind: str, measure: Callable[[Suggester], dict[str, Any]]
) -> tuple[str, float] | None:
    """The live model of `kind`, evaluated on this held-out split: (its name, its micro F1)."""
    live = live_model(project, kind)
    if live is None:
        return None
    suggester = suggester_of(kind, load_artefact(live), live.config, live.version)
    return (f"v{live.version}", measure(suggester)["f1"])


def _classifier_curve(
    rows: Sequence[GoldArticle],
    examples: Callable[[Sequence[GoldArticle]], tuple[list[str], list[int]]],
    settings: tfidf.ClassifierSettings,
    measure: Callable[[tfidf.Classifier], dict[str, Any]],
) -> tuple[bytes, dict[str, Any], list[dict[str, Any]], tfidf.Classifier]:
    curve = []
    data, evaluation, classifier = b"", {}, None
    for size in _curve_sizes(len(rows)):
        texts, classes = examples(rows[:size])
        if len(set(classes)) < 2 and size < len(rows):
            curve.append({"articles": size, "f1": None})  # one class only: nothing to learn yet
            continue
        data = tfidf.train(texts, classes, settings)
        classifier = tfidf.Classifier.from_bytes(data)
        evaluation = measure(classifier)
        curve.append({"articles": size, "f1": evaluation["micro"]["f1"]})
    assert classifier is not None
    return data, evaluation, curve, classifier


def _majority(classes: Sequence[int], gold: Sequence[tuple[Any, ...]], names) -> float:
    """Micro F1 of always answering the most frequent class of `classes`."""
    common = Counter(classes).most_common(1)[0][0]
    return float(score(gold, [(*item[:-1], common) for item in gold], names)["micro"]["f1"])


def train_threat(project: Project, gold: Gold, settings: tfidf.ClassifierSettings) -> Trained:
    names = dict(project.threat_levels.values_list("pk", "name"))
    rows = [row for row in gold.train if row.threat_level_id is not None]
    held = [row for row in gold.held_out if row.threat_level_id is not None]
    if not rows or not held:
        raise ValueError(
            "Training a threat-level classifier needs gold threat levels in both the training "
            f"and the held-out split; they hold {len(rows)} and {len(held)}."
        )

    def examples(part: Sequence[GoldArticle]) -> tuple[list[str], list[int]]:
        texts = [ThreatSuggester.text_of(row.article) for row in part]
        return texts, [row.threat_level_id or 0 for row in part]

    held_gold = [(row.article.pk, row.threat_level_id) for row in held]

    def measure_suggester(suggester: Suggester) -> dict[str, Any]:
        predicted = [
            (row.article.pk, p.threat_level_id)
            for row in held
            for p in suggester.suggest(row.article)
        ]
        return score(held_gold, predicted, names)

    def measure(classifier: tfidf.Classifier) -> dict[str, Any]:
        return measure_suggester(ThreatSuggester(classifier, "new"))

    data, evaluation, curve, classifier = _classifier_curve(rows, examples, settings, measure)
    _, classes = examples(rows)
    rival = _rival(project, Kind.THREAT, lambda s: measure_suggester(s)["micro"])
    if rival is None:
        rival = ("always the most frequent level", _majority(classes, held_gold, names))
    config = {**settings.as_config(), "level_ids": {v: k for k, v in names.items()}}
    return Trained(data, config, evaluation, curve, ThreatSuggester(classifier, "new"), rival)


def _claim_examples(rows: Sequence[GoldArticle]) -> tuple[list[str], list[int]]:
    """Each gold claim (its stating span and sentence) with its type, and each sentence that
    states no claim as NO_CLAIM."""
    texts, classes = [], []
    for row in rows:
        body = row.article.body
        bounds = sentences(body)
        for start, end, type_id in row.claims:
            around = sentence_around(bounds, start, end)
            texts.append(tfidf.claim_text(body[start:end], body[around[0] : around[1]]))
            classes.append(type_id)
        for start, end in bounds:
            if not any(s < end and start < e for s, e, _ in row.claims):
                texts.append(tfidf.claim_text(body[start:end], body[start:end]))
                classes.append(tfidf.NO_CLAIM)
    return texts, classes


def train_claim_types(project: Project, gold: Gold, settings: tfidf.ClassifierSettings) -> Trained:
    names = dict(project.claim_types.values_list("pk", "name"))
    rows = [row for row in gold.train if row.claims]
    held = [row for row in gold.held_out if row.claims]
    if not rows or not held:
        raise ValueError(
            "Training a claim-type classifier needs gold claims in both the training and the "
            f"held-out split; they hold claims on {len(rows)} and {len(held)} articles."
        )
    rows = list(gold.train)  # the sentences without claims teach "no claim"
    held_gold = [(row.article.pk, s, e, t) for row in held for s, e, t in row.claims]

    def measure_suggester(suggester: Suggester) -> dict[str, Any]:
        assert isinstance(suggester, ClaimTypeSuggester)
        predicted = []
        for row in held:
            stating = [(s, e) for s, e, _ in row.claims]
            for (s, e), probabilities in zip(
                stating, suggester.classify_many(row.article, stating), strict=True
            ):
                types = {k: v for k, v in probabilities.items() if k != tfidf.NO_CLAIM}
                best = max(types.items(), key=lambda item: item[1])[0]
                predicted.append((row.article.pk, s, e, best))
        return score(held_gold, predicted, names)

    def measure(classifier: tfidf.Classifier) -> dict[str, Any]:
        return measure_suggester(ClaimTypeSuggester(classifier, "new"))

    data, evaluation, curve, classifier = _classifier_curve(
        rows, _claim_examples, settings, measure
    )
    claim_classes = [t for row in rows for _, _, t in row.claims]
    rival = _rival(project, Kind.CLAIM_TYPE, lambda s: measure_suggester(s)["micro"])
    if rival is None:
        rival = ("always the most frequent type", _majority(claim_classes, held_gold, names))
    return Trained(
        data,
        settings.as_config(),
        evaluation,
        curve,
        ClaimTypeSuggester(classifier, "new"),
        rival,
    )


TRAINERS: dict[str, Callable[[Project, Gold], Trained]] = {
    Kind.SPANS: lambda project, gold: train_spans(project, gold, SPAN_SETTINGS),
    Kind.THREAT: lambda project, gold: train_threat(project, gold, CLASSIFIER_SETTINGS),
    Kind.CLAIM_TYPE: lambda project, gold: train_claim_types(project, gold, CLASSIFIER_SETTINGS),
}


# Memory: the resident size of the process, sampled while it trains.


def _resident_mb() -> float | None:
    try:
        with open("/proc/self/statm") as stream:
            pages = int(stream.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextlib.contextmanager
def peak_memory() -> Iterator[dict[str, float]]:
    """{"mb": the process's peak resident memory while the block ran}: sampled from /proc
    every 50 ms where there is one, else the process's lifetime peak (ru_maxrss)."""
    result: dict[str, float] = {}
    peak = [_resident_mb() or 0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _resident_mb() or 0.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        done.set()
        sampler.join()
        now = _resident_mb()
        if now is None:
            result["mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        else:
            result["mb"] = max(peak[0], now)


# Queueing, running and deciding.


def _mark_stalled(project: Project) -> None:
    TrainedModel.objects.filter(
        project=project,
        status__in=[Status.QUEUED, Status.TRAINING],
        created_at__lt=timezone.now() - STALLED,
    ).update(
        status=Status.FAILED,
        error=f"Stalled: no result after {STALLED}; its worker probably stopped.",
        finished_at=timezone.now(),
    )


def trainable_kinds(project: Project) -> dict[str, str | None]:
    """{kind: None if the approved gold has something to train it on, else why not}."""
    golds = AnnotationSet.objects.adjudicated().filter(article__project=project)
    spans = Span.objects.filter(annotation_set__in=golds).exclude(label__kind=Label.Kind.CLAIM)
    levels = ThreatAssessment.objects.filter(annotation_set__in=golds)
    return {
        Kind.SPANS: None if spans.exists() else "no gold entity or other spans",
        Kind.THREAT: None
        if levels.values("level").distinct().count() >= 2
        else "fewer than two threat levels in the gold",
        Kind.CLAIM_TYPE: None
        if Claim.objects.filter(annotation_set__in=golds).exists()
        else "no gold claims",
    }


def training_queue(*, project: Project, user: User | None = None) -> list[TrainedModel]:
    """Queue a model of each kind the gold allows (annotations.tasks.training_start has them
    trained by background tasks). Conflict when a training is queued or running already, or
    when the gold allows none."""
    with transaction.atomic():
        # The project's row serialises queueing: no two trainings start together.
        Project.objects.select_for_update(no_key=True).filter(pk=project.pk).first()
        _mark_stalled(project)
        if TrainedModel.objects.filter(
            project=project, status__in=[Status.QUEUED, Status.TRAINING]
        ).exists():
            raise Conflict("A training is queued or running already; wait for it to finish.")
        reasons = trainable_kinds(project)
        kinds = [kind for kind, reason in reasons.items() if reason is None]
        if not kinds:
            raise Conflict(
                "Nothing to train yet: "
                + "; ".join(f"{Kind(k).label.lower()}: {r}" for k, r in reasons.items())
                + "."
            )
        versions = dict(
            TrainedModel.objects.filter(project=project)
            .values("kind")
            .annotate(last=Max("version"))
            .values_list("kind", "last")
        )
        models = [
            TrainedModel.objects.create(
                project=project,
                kind=kind,
                version=(versions.get(kind) or 0) + 1,
                requested_by=user,
            )
            for kind in kinds
        ]
    return models


def gold_approved_since_training(project: Project) -> int:
    """How many gold sets were approved since the last training was queued."""
    golds = AnnotationSet.objects.adjudicated().filter(article__project=project)
    last = TrainedModel.objects.filter(project=project).order_by("-created_at").first()
    if last is not None:
        golds = golds.filter(updated_at__gt=last.created_at)
    return golds.count()


def train_if_due(project_id: int) -> list[TrainedModel]:
    """Queue a training when `train_every` gold sets were approved since the last one."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None or not project.train_every:
        return []
    if gold_approved_since_training(project) < project.train_every:
        return []
    try:
        return training_queue(project=project)
    except Conflict:
        return []  # one is queued or running already, or there is nothing to train


def _live_decision(trained: Trained) -> tuple[bool, str]:
    f1 = trained.evaluation["micro"]["f1"]
    rival, rival_f1 = trained.rival
    if f1 > rival_f1:
        return True, f"F1 {f1:.2f} beats {rival}'s {rival_f1:.2f}."
    return False, f"F1 {f1:.2f} does not beat {rival}'s {rival_f1:.2f}."


def model_train(model_id: int) -> TrainedModel:
    """Train a queued model; store its artefact, evaluation and whether it goes live. On any
    failure the model is marked failed with the error and nothing of it stays in storage."""
    claimed = TrainedModel.objects.filter(pk=model_id, status=Status.QUEUED).update(
        status=Status.TRAINING
    )
    model = TrainedModel.objects.select_related("project").get(pk=model_id)
    if not claimed:
        return model  # trained (or training) already: a task that ran twice does nothing
    stored = ""
    try:
        began, cpu = time.perf_counter(), time.process_time()
        with peak_memory() as memory:
            gold = gather(model.project)
            if not gold.train or not gold.held_out:
                raise ValueError(
                    f"Training needs approved gold articles in both the training and the "
                    f"held-out split; the split rule puts {len(gold.train)} and "
                    f"{len(gold.held_out)} there."
                )
            trained = TRAINERS[model.kind](model.project, gold)
        digest = hashlib.sha256(trained.data).hexdigest()
        name = f"{model.kind}-v{model.version}-{digest[:16]}.bin"
        stored = storage.model_save(project_id=model.project_id, name=name, data=trained.data)
        live, reason = _live_decision(trained)
        with transaction.atomic():
            if live:
                TrainedModel.objects.filter(
                    project=model.project, kind=model.kind, is_live=True
                ).update(is_live=False)
            model.status = Status.READY
            model.artefact = stored
            model.sha256 = digest
            model.trained_on = [row.article.pk for row in gold.train]
            model.held_out = sorted(row.article.pk for row in gold.held_out)
            model.release_id = gold.split["release"]
            model.config = {
                **trained.config,
                "split": {"seed": gold.split["seed"], "ratios": gold.split["ratios"]},
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "rival": {"name": trained.rival[0], "f1": trained.rival[1]},
            }
            model.evaluation = trained.evaluation
            model.learning_curve = trained.learning_curve
            model.is_live = live
            model.live_reason = reason
            model.seconds = round(time.perf_counter() - began, 2)
            model.peak_memory_mb = round(memory["mb"], 1)
            model.finished_at = timezone.now()
            model.save()
    except Exception as error:
        log.exception("Training %s failed", model)
        if stored:
            with contextlib.suppress(OSError):
                from django.core.files.storage import default_storage

                default_storage.delete(stored)
        TrainedModel.objects.filter(pk=model.pk).update(
            status=Status.FAILED,
            is_live=False,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        model.refresh_from_db()
    return model
