import hashlib
import pickle
import random

import pytest

from annotations.learning import spans, training
from annotations.models import AnnotationSet, Article, Claim, Span, ThreatAssessment
from bench.generate import ACTORS, generate_article
from tests.quality.conftest import gold_article, hand_in

__all__ = ["gold_article", "hand_in"]


@pytest.fixture(autouse=True)
def small_models(monkeypatch):
    """Tiny settings so that a training takes a second or two (no learning curve but the
    final model, unless a test asks for one)."""
    monkeypatch.setattr(training, "CURVE", (1.0,))
    monkeypatch.setattr(
        training,
        "SPAN_SETTINGS",
        spans.SpanSettings(
            epochs=8,
            batch_size=8,
            learn_rate=0.005,
            width=32,
            depth=1,
            embed_rows=500,
            hidden=32,
            max_tokens=4,
        ),
    )


def add_gold(project, n, *, seed=1, length=500, start=0):
    """`n` articles of the bench's news-like text, each with an approved gold set: its spans
    (actors, places, forces, events), claims and a threat level. Written directly, as the
    bench does: these tests are about what training makes of gold, not how gold is made."""
    rng = random.Random(seed)
    labels = {label.name: label for label in project.labels.all()}
    types = {t.name: t for t in project.claim_types.all()}
    levels = list(project.threat_levels.all())
    for name, kind, _ in ACTORS[:5]:
        project.actors.get_or_create(name=name, defaults={"kind": kind})
    made = []
    for number in range(start, start + n):
        generated = generate_article(rng, number, target_length=length)
        article = Article.objects.create(
            project=project, title=generated.title, body=generated.body, language="en"
        )
        gold = AnnotationSet.objects.create(
            article=article, is_gold=True, status=AnnotationSet.Status.APPROVED
        )
        for mention in generated.mentions:
            span = Span.objects.create(
                annotation_set=gold,
                start=mention.start,
                end=mention.end,
                quote=generated.body[mention.start : mention.end],
                label=labels[mention.label],
            )
            if mention.label == "claim":
                said = span.quote
                kind = (
                    "accusation"
                    if "accused" in said
                    else "denial"
                    if "denied" in said
                    else "warning"
                )
                Claim.objects.create(annotation_set=gold, span=span, claim_type=types[kind])
        level = levels[0] if "warns" in generated.title else levels[3]
        ThreatAssessment.objects.create(annotation_set=gold, level=level)
        made.append(article)
    return made


_trained: dict[str, tuple] = {}


@pytest.fixture(autouse=True)
def remembered_trainings(request, monkeypatch):
    """Span taggers trained once per test process for the same sentences, labels and settings:
    training is deterministic (test_it_gives_the_same_model_for_the_same_gold_and_seed, marked
    `fresh_training`, trains twice for real), so tests about what happens around a training
    reuse its bytes instead of spending seconds on each."""
    if request.node.get_closest_marker("fresh_training"):
        return
    real = spans.train

    def remembered(stretches, labels, settings, *, epochs=None):
        key = hashlib.sha256(pickle.dumps((stretches, list(labels), settings, epochs))).hexdigest()
        if key not in _trained:
            _trained[key] = real(stretches, labels, settings, epochs=epochs)
        return _trained[key]

    monkeypatch.setattr(spans, "train", remembered)


@pytest.fixture
def gold_project(project):
    add_gold(project, 30)
    return project


def train(project, kind, **fields):
    """Queue a model of `kind` directly and train it; the model, refreshed."""
    from django.db.models import Max

    from annotations.models import TrainedModel

    last = TrainedModel.objects.filter(project=project, kind=kind).aggregate(v=Max("version"))
    model = TrainedModel.objects.create(
        project=project, kind=kind, version=(last["v"] or 0) + 1, **fields
    )
    training.model_train(model.pk)
    model.refresh_from_db()
    return model
