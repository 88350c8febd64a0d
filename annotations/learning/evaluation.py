"""Precision, recall and F1 of what a suggester proposes against the held-out gold.

A span counts as found when a proposal has the same start, end and label (exact match, as the
agreement page's exact F1); per label and micro-averaged over all labels. The same counting
serves the classifiers, whose items are (article, class) or (claim, class) pairs. Any Suggester
is evaluated the same way (`evaluate`): a trained span tagger, the registry gazetteer, imported
predictions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.learning import Suggester
    from annotations.models import Article

# An item: anything hashable whose last element is its label (a span: (article, start, end,
# label id); a threat level: (article, level id)).
Item = tuple[Hashable, ...]


def _figures(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": tp + fn,
        "predicted": tp + fp,
    }


def score(
    gold: Iterable[Item], predicted: Iterable[Item], names: Mapping[Any, str]
) -> dict[str, Any]:
    """Per label (named by `names`, from an item's last element) and micro-averaged: precision,
    recall, F1, support (gold items) and predicted items. Labels not in `names` are ignored."""
    gold_set = {item for item in gold if item[-1] in names}
    predicted_set = {item for item in predicted if item[-1] in names}
    tp: Counter[Any] = Counter(item[-1] for item in gold_set & predicted_set)
    fp: Counter[Any] = Counter(item[-1] for item in predicted_set - gold_set)
    fn: Counter[Any] = Counter(item[-1] for item in gold_set - predicted_set)
    labels = {
        name: _figures(tp[key], fp[key], fn[key])
        for key, name in sorted(names.items(), key=lambda kv: kv[1])
    }
    return {
        "labels": labels,
        "micro": _figures(sum(tp.values()), sum(fp.values()), sum(fn.values())),
    }


def evaluate(
    suggester: Suggester,
    articles: Collection[Article],
    gold: Iterable[tuple[int, int, int, int]],
    names: Mapping[int, str],
    *,
    threshold: float = 0.0,
) -> dict[str, Any]:
    """How well `suggester`'s span proposals on `articles` (those scored at least `threshold`)
    match the `gold` spans (article id, start, end, label id) of the labels in `names`
    ({label id: name})."""
    predicted = [
        (article.pk, p.start, p.end, p.label_id)
        for article in articles
        for p in suggester.suggest(article)
        if p.kind == "span" and p.score >= threshold
    ]
    result = score(gold, predicted, names)
    result["articles"] = len(articles)
    return result
