"""The span tagger: spaCy's span categoriser (spancat) trained from a blank pipeline on a
project's gold spans. Nothing is downloaded: `spacy.blank("en")` is only spaCy's English
tokenizer rules, which ship inside the spacy package, and the network weights start from the
seed.

Why spancat and not NER: spans may overlap (an actor inside a claim, a place inside an event),
and spancat scores every candidate span on its own, so overlapping spans and a score per span
come for free. Candidates are the n-grams of 1 to `max_tokens` tokens; a gold span longer than
that (a whole-sentence claim) cannot be learnt and is left out (counted in the config).

The model trains on sentences (annotations.learning.text), each a spaCy Doc with its gold spans;
a span that does not fall on token boundaries or crosses a sentence end is left out (counted).
Everything random comes from the seed (`spacy.util.fix_random_seed`, and the shuffling's own
`random.Random(seed)`), so the same gold and settings give the same bytes.

The artefact is one msgpack document: a format tag, the settings, the labels (name and id) and
`nlp.to_bytes()`; `SpanTagger.from_bytes` rebuilds the same blank pipeline and loads the
weights into it."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

FORMAT = "workbench-spancat/1"
SPANS_KEY = "sc"
FLOOR = 0.1


@dataclass(frozen=True)
class SpanSettings:
    """The span tagger's training settings (stored with the model as its config)."""

    seed: int = 0
    # At most this many passes over the sentences; fewer on large projects, so that a pass
    # sees about `examples_per_run` sentences in all (1,000 gold articles: two passes).
    epochs: int = 6
    examples_per_run: int = 40000
    batch_size: int = 64
    dropout: float = 0.1
    learn_rate: float = 0.002
    max_tokens: int = 5
    width: int = 64
    depth: int = 2
    embed_rows: int = 2000
    hidden: int = 64
    language: str = "en"
    # Proposals below this score are not shown (they still count for the uncertainty order).
    threshold: float = 0.5

    def as_config(self) -> dict[str, Any]:
        return asdict(self)

    def epochs_for(self, n_examples: int) -> int:
        """How many passes over `n_examples` sentences training makes: at least 2."""
        return max(2, min(self.epochs, -(-self.examples_per_run // max(n_examples, 1))))


@dataclass
class Stretch:
    """A piece of text (a sentence) to train on, and its positives: (start, end, label name)
    relative to the stretch. Every other candidate span in it is a negative."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class Skipped:
    """Gold spans the tagger could not learn, by reason."""

    too_long: int = 0
    misaligned: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _pipeline_config(settings: SpanSettings) -> dict[str, Any]:
    return {
        "spans_key": SPANS_KEY,
        # Candidates scored below FLOOR are dropped inside spaCy (a 50,000-character article has
        # a million candidate-label pairs); proposals filter again by `threshold`.
        "threshold": FLOOR,
        "max_positive": None,
        "suggester": {
            "@misc": "spacy.ngram_suggester.v1",
            "sizes": list(range(1, settings.max_tokens + 1)),
        },
        "model": {
            "@architectures": "spacy.SpanCategorizer.v1",
            "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": settings.hidden},
            "scorer": {"@layers": "spacy.LinearLogistic.v1"},
            "tok2vec": {
                "@architectures": "spacy.HashEmbedCNN.v2",
                "width": settings.width,
                "depth": settings.depth,
                "embed_size": settings.embed_rows,
                "window_size": 1,
                "maxout_pieces": 3,
                "subword_features": True,
                "pretrained_vectors": None,
            },
        },
    }


def _blank(settings: SpanSettings):  # -> spacy.Language; spaCy is imported only when needed
    import spacy

    nlp = spacy.blank(settings.language)
    nlp.add_pipe("spancat", config=_pipeline_config(settings))
    return nlp


def _examples(nlp, stretches: Iterable[Stretch], max_tokens: int, skipped: Skipped) -> list:
    from spacy.training import Example

    examples = []
    for stretch in stretches:
        predicted = nlp.make_doc(stretch.text)
        reference = nlp.make_doc(stretch.text)
        spans = []
        for start, end, label in stretch.spans:
            span = reference.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                skipped.misaligned += 1
            elif len(span) > max_tokens:
                skipped.too_long += 1
            else:
                spans.append(span)
        reference.spans[SPANS_KEY] = spans
        examples.append(Example(predicted, reference))
    return examples


def train(
    stretches: Sequence[Stretch],
    labels: Sequence[str],
    settings: SpanSettings,
    *,
    epochs: int | None = None,
) -> tuple[bytes, Skipped]:
    """Train a tagger for `labels` on `stretches` (`epochs` passes, by default as many as
    `settings.epochs_for` says); its artefact bytes and the gold spans left out."""
    import srsly
    from spacy.util import fix_random_seed, minibatch

    if not labels:
        raise ValueError("There are no span labels to learn.")
    fix_random_seed(settings.seed)
    nlp = _blank(settings)
    spancat = nlp.get_pipe("spancat")
    for label in labels:
        spancat.add_label(label)
    skipped = Skipped()
    examples = _examples(nlp, stretches, settings.max_tokens, skipped)
    if not any(len(example.reference.spans[SPANS_KEY]) for example in examples):
        raise ValueError("No gold span can be learnt: none falls on token boundaries.")
    optimizer = nlp.initialize(lambda: examples[:500])
    optimizer.learn_rate = settings.learn_rate
    shuffler = random.Random(settings.seed)
    for _ in range(epochs or settings.epochs_for(len(examples))):
        order = list(examples)
        shuffler.shuffle(order)
        for batch in minibatch(order, size=settings.batch_size):
            nlp.update(batch, drop=settings.dropout, sgd=optimizer)
    document = {
        "format": FORMAT,
        "settings": settings.as_config(),
        "labels": list(labels),
        "nlp": nlp.to_bytes(),
    }
    return srsly.msgpack_dumps(document), skipped


class SpanTagger:
    """A trained tagger, loaded: `predict(text)` gives (start, end, label name, score)."""

    def __init__(self, nlp, settings: SpanSettings, labels: list[str]) -> None:
        self.nlp = nlp
        self.settings = settings
        self.labels = labels

    @classmethod
    def from_bytes(cls, data: bytes) -> SpanTagger:
        import srsly

        document = srsly.msgpack_loads(data)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("This is not a span tagger of this workbench.")
        settings = SpanSettings(**document["settings"])
        nlp = _blank(settings)
        spancat = nlp.get_pipe("spancat")
        for label in document["labels"]:
            spancat.add_label(label)
        nlp.from_bytes(document["nlp"])
        return cls(nlp, settings, list(document["labels"]))

    def predict(
        self, text: str, bounds: Sequence[tuple[int, int]], minimum: float
    ) -> list[tuple[int, int, str, float]]:
        """Every candidate span of `text` (cut into the sentences `bounds`) scored at least
        `minimum`, as (start, end, label, score) in `text`'s offsets, in text order."""
        found = []
        docs = self.nlp.pipe((text[start:end] for start, end in bounds), batch_size=64)
        for (offset, _), doc in zip(bounds, docs, strict=True):
            group = doc.spans[SPANS_KEY]
            scores = group.attrs.get("scores")
            if scores is None:
                continue
            for span, score in zip(group, scores, strict=True):
                value = float(score)
                if value >= minimum:
                    found.append(
                        (offset + span.start_char, offset + span.end_char, span.label_, value)
                    )
        found.sort(key=lambda item: (item[0], item[1], item[2]))
        return found
