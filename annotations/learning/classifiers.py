"""The document and claim classifiers: TF-IDF of words and word pairs into a logistic
regression (scikit-learn), with a fixed random_state.

- Threat level: the article's title and text -> the gold set's threat level.
- Claim type: a claim's stating span, then the sentence(s) around it -> the gold claim's type.
  The classifier also learns a "no claim" class from the gold sentences that state no claim, so
  that on a new article it can propose a claim type for the sentences that look like claims.

The artefact is a pickle of {"format", "settings", "classes", "pipeline"}. Unpickling runs code,
so an artefact is only ever unpickled after its bytes' SHA-256 matched the one recorded when it
was trained (annotations.learning.trained)."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

FORMAT = "workbench-tfidf-logreg/1"
NO_CLAIM = 0  # the class of sentences that state no claim (claim type ids start at 1)


@dataclass(frozen=True)
class ClassifierSettings:
    seed: int = 0
    ngram_max: int = 2
    max_features: int = 50000
    c: float = 4.0
    max_iter: int = 1000
    threshold: float = 0.5  # a claim-type proposal for a sentence needs this probability

    def as_config(self) -> dict[str, Any]:
        return asdict(self)


def claim_text(span_text: str, context: str) -> str:
    """What the claim-type classifier reads: the stating span, then its sentence."""
    return f"{span_text}\n{context}"


def train(texts: Sequence[str], classes: Sequence[int], settings: ClassifierSettings) -> bytes:
    """Fit TF-IDF + logistic regression on (text, class id) pairs; the artefact's bytes."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if len(set(classes)) < 2:
        raise ValueError("The gold holds only one class: there is nothing to tell apart.")
    pipeline = make_pipeline(
        TfidfVectorizer(
            ngram_range=(1, settings.ngram_max),
            max_features=settings.max_features,
            sublinear_tf=True,
            lowercase=True,
        ),
        LogisticRegression(C=settings.c, max_iter=settings.max_iter, random_state=settings.seed),
    )
    pipeline.fit(list(texts), list(classes))
    document = {
        "format": FORMAT,
        "settings": settings.as_config(),
        "classes": [int(c) for c in pipeline.classes_],
        "pipeline": pipeline,
    }
    return pickle.dumps(document, protocol=5)


class Classifier:
    """A loaded classifier: `probabilities(texts)` gives, per text, {class id: probability}."""

    def __init__(self, pipeline: Any, settings: ClassifierSettings, classes: list[int]) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.classes = classes

    @classmethod
    def from_bytes(cls, data: bytes) -> Classifier:
        """The classifier in `data`; the caller has checked the bytes' SHA-256 first."""
        document = pickle.loads(data)  # noqa: S301 - bytes whose hash we recorded ourselves
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("This is not a classifier of this workbench.")
        return cls(
            document["pipeline"], ClassifierSettings(**document["settings"]), document["classes"]
        )

    def probabilities(self, texts: Sequence[str]) -> list[dict[int, float]]:
        if not texts:
            return []
        rows = self.pipeline.predict_proba(list(texts))
        return [{c: float(p) for c, p in zip(self.classes, row, strict=True)} for row in rows]

    def predict(self, texts: Sequence[str]) -> list[tuple[int, float]]:
        """The most probable class of each text, with its probability."""
        return [max(row.items(), key=lambda item: item[1]) for row in self.probabilities(texts)]
