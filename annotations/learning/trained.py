"""The project's live trained models as suggesters. Which model is live is decided when a
training finishes (annotations.learning.training); here they are only looked up and loaded,
once per process and artefact (keyed by its sha256), so a web or worker process on any machine
reads the same bytes from storage. The bytes' SHA-256 is checked against the one recorded at
training before anything is loaded from them.

What each kind proposes:
- span tagger ("spancat"): every candidate span scored at least SpanSettings.threshold (0.5)
  as a "span" proposal, outside the article's regions not to annotate;
  `SpanModelSuggester.scored(article, minimum)` gives lower-scored ones too (down to
  spans.FLOOR; the uncertainty order reads only the proposals, annotations.learning.uncertainty);
- threat-level classifier ("threat-tfidf"): one "threat" proposal, the most probable level;
- claim-type classifier ("claim-type-tfidf"): a "claim_type" proposal for each sentence that
  the classifier, at least ClassifierSettings.threshold (0.5) sure, takes for a claim of a
  type (not "no claim"), the sentence being the stating span; `classify(article, start, end)`
  gives the types for a stating span the annotator chose."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from annotations import storage
from annotations.learning import Proposal, Suggester, span_proposals
from annotations.learning.classifiers import NO_CLAIM, Classifier, claim_text
from annotations.learning.spans import SpanTagger
from annotations.learning.text import sentence_around, sentences
from annotations.models import Article, Project, TrainedModel

SPAN_SUGGESTER = "spancat"
THREAT_SUGGESTER = "threat-tfidf"
CLAIM_TYPE_SUGGESTER = "claim-type-tfidf"


def live_model(project: Project, kind: str) -> TrainedModel | None:
    """The model of that kind used for the project's suggestions, if any."""
    return TrainedModel.objects.live().filter(project=project, kind=kind).first()


def live_suggesters(project: Project, kinds: Iterable[str] | None = None) -> list[Suggester]:
    """A suggester for each of the project's live models (of `kinds`, when given)."""
    models = TrainedModel.objects.live().filter(project=project)
    if kinds is not None:
        models = models.filter(kind__in=list(kinds))
    return [suggester_for(model) for model in models]


def _outside(article: Article, start: int, end: int) -> bool:
    return article.region_not_to_annotate_at(start, end) is None


class SpanModelSuggester:
    """A span tagger's proposals, with the project's label ids."""

    name = SPAN_SUGGESTER

    def __init__(self, tagger: SpanTagger, label_ids: Mapping[str, int], version: str) -> None:
        self.tagger = tagger
        self.label_ids = dict(label_ids)
        self.version = version
        self.threshold = tagger.settings.threshold

    def scored(self, article: Article, minimum: float) -> list[Proposal]:
        """Every span proposal scored at least `minimum` (down to spans.FLOOR)."""
        found = self.tagger.predict(article.body, sentences(article.body), minimum)
        return span_proposals(
            self,
            (
                (start, end, self.label_ids[label], None, score)
                for start, end, label, score in found
                if label in self.label_ids and _outside(article, start, end)
            ),
        )

    def suggest(self, article: Article) -> list[Proposal]:
        return self.scored(article, self.threshold)


class ThreatSuggester:
    name = THREAT_SUGGESTER

    def __init__(self, classifier: Classifier, version: str) -> None:
        self.classifier = classifier
        self.version = version

    @staticmethod
    def text_of(article: Article) -> str:
        return f"{article.title}\n{article.body}"

    def suggest(self, article: Article) -> list[Proposal]:
        [(level_id, probability)] = self.classifier.predict([self.text_of(article)])
        return [
            Proposal(
                kind="threat",
                score=probability,
                suggester=self.name,
                version=self.version,
                threat_level_id=level_id,
            )
        ]


class ClaimTypeSuggester:
    name = CLAIM_TYPE_SUGGESTER

    def __init__(self, classifier: Classifier, version: str) -> None:
        self.classifier = classifier
        self.version = version
        self.threshold = classifier.settings.threshold

    def classify(self, article: Article, start: int, end: int) -> dict[int, float]:
        """The probability of each claim type (and of NO_CLAIM, key 0) for the claim stated by
        [start, end)."""
        return self.classify_many(article, [(start, end)])[0]

    def classify_many(
        self, article: Article, stretches: list[tuple[int, int]]
    ) -> list[dict[int, float]]:
        body = article.body
        bounds = sentences(body)
        texts = []
        for start, end in stretches:
            around = sentence_around(bounds, start, end)
            texts.append(claim_text(body[start:end], body[around[0] : around[1]]))
        return self.classifier.probabilities(texts)

    def suggest(self, article: Article) -> list[Proposal]:
        bounds = [b for b in sentences(article.body) if _outside(article, *b)]
        proposals = []
        for (start, end), row in zip(bounds, self.classify_many(article, bounds), strict=True):
            claim_type_id, probability = max(row.items(), key=lambda item: item[1])
            if claim_type_id != NO_CLAIM and probability >= self.threshold:
                proposals.append(
                    Proposal(
                        kind="claim_type",
                        score=probability,
                        suggester=self.name,
                        version=self.version,
                        start=start,
                        end=end,
                        claim_type_id=claim_type_id,
                    )
                )
        return proposals


_loaded: dict[str, Any] = {}
_loading = threading.Lock()


def load_artefact(model: TrainedModel) -> Any:
    """The model's artefact, loaded (a SpanTagger or a Classifier): read from storage once per
    process and SHA-256, checked against the recorded hash before it is parsed."""
    with _loading:
        if model.sha256 in _loaded:
            return _loaded[model.sha256]
    if not model.artefact or not model.sha256:
        raise ValueError(f"{model} has no stored artefact.")
    data = storage.model_load(project_id=model.project_id, name=model.artefact.rsplit("/")[-1])
    digest = hashlib.sha256(data).hexdigest()
    if digest != model.sha256:
        raise ValueError(
            f"The stored artefact of {model} has SHA-256 {digest}, not the {model.sha256} "
            "recorded when it was trained; refusing to load it."
        )
    loaded: Any
    if model.kind == TrainedModel.Kind.SPANS:
        loaded = SpanTagger.from_bytes(data)
    else:
        loaded = Classifier.from_bytes(data)
    with _loading:
        return _loaded.setdefault(model.sha256, loaded)


def suggester_of(kind: str, loaded: Any, config: Mapping[str, Any], version: int) -> Suggester:
    """The suggester for a loaded artefact of `kind` (a model's config names its label ids)."""
    tag = f"v{version}"
    if kind == TrainedModel.Kind.SPANS:
        return SpanModelSuggester(loaded, config.get("label_ids", {}), tag)
    if kind == TrainedModel.Kind.THREAT:
        return ThreatSuggester(loaded, tag)
    if kind == TrainedModel.Kind.CLAIM_TYPE:
        return ClaimTypeSuggester(loaded, tag)
    raise ValueError(f"No loader for {kind} models.")


def suggester_for(model: TrainedModel) -> Suggester:
    """The trained model loaded from storage as a suggester."""
    if model.status != TrainedModel.Status.READY:
        raise ValueError(f"{model} is {model.get_status_display().lower()}, not ready.")
    return suggester_of(model.kind, load_artefact(model), model.config, model.version)
