"""Inter-annotator agreement over a whole project, in one pass over a handful of queries.

Only sets handed in (submitted or approved) count; gold sets never do.

- Span agreement, per annotator pair and per label: exact-match F1 (same start, end and label)
  and overlap F1 (same label, ranges overlapping). Both are symmetric: matched spans of both
  annotators over all their spans, which for exact matches is the usual 2TP / (|A| + |B|).
- Labels: the units are the ranges both (for kappa) or at least two (for alpha) annotators
  marked; the category is the label (a range marked with several labels is one combined
  category). Cohen's kappa per pair, Krippendorff's alpha (nominal) over everyone.
- Claim types: the same, the unit being the range of the span that states the claim.
- Threat levels: the unit is the article; Krippendorff's alpha, ordinal, by the scale's rank.

A figure is None when it is undefined (no units, or no variation to correct for chance).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model

from annotations.models import AnnotationSet, Claim, Label, Project, Span, ThreatAssessment

# The statistics.


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa for two coders, from (coder A's category, coder B's category) per unit."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(
    units: Iterable[Iterable[Hashable]], *, level: str = "nominal"
) -> float | None:
    """Krippendorff's alpha from the values each unit received (missing values left out).

    `level` is "nominal" or "ordinal" (values must then be orderable, e.g. ranks).
    """
    coincidences: dict[tuple, float] = defaultdict(float)
    for unit in units:
        counts = Counter(unit)
        m = sum(counts.values())
        if m < 2:
            continue
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairable = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairable:
                    coincidences[c, k] += pairable / (m - 1)
    totals: dict[Any, float] = {}
    for (c, _), o in coincidences.items():
        totals[c] = totals.get(c, 0.0) + o
    n = sum(totals.values())
    if n <= 1:
        return None
    values = sorted(totals) if level == "ordinal" else list(totals)
    if level == "ordinal":
        position = {v: i for i, v in enumerate(values)}
        cumulative = list(itertools.accumulate(totals[v] for v in values))

        def delta(c, k) -> float:
            i, j = sorted((position[c], position[k]))
            between = cumulative[j] - (cumulative[i - 1] if i else 0)
            return (between - (totals[c] + totals[k]) / 2) ** 2

    elif level == "nominal":

        def delta(c, k) -> float:
            return 0.0 if c == k else 1.0

    else:
        raise ValueError(f"Unknown level of measurement {level!r}.")
    disagreement = sum(o * delta(c, k) for (c, k), o in coincidences.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in values for k in values) / (n - 1)
    if expected == 0:
        return None
    return 1 - disagreement / expected


def _f1(matched: int, total: int) -> float | None:
    return matched / total if total else None


def _overlap_matches(mine: list[tuple[int, int]], theirs: list[tuple[int, int]]) -> int:
    """How many of `mine` overlap at least one of `theirs`."""
    return sum(1 for s, e in mine if any(s < e2 and s2 < e for s2, e2 in theirs))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# Loading and computing.


class _Counts:
    """Matched and total spans, exact and overlapping, for one pair or label."""

    __slots__ = ("exact", "overlap", "total")

    def __init__(self):
        self.exact = self.overlap = self.total = 0

    def as_dict(self) -> dict:
        return {
            "exact_f1": _round(_f1(self.exact, self.total)),
            "overlap_f1": _round(_f1(self.overlap, self.total)),
            "spans": self.total,
        }


def _week(moment) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def project_agreement(project: Project) -> dict:
    """Every agreement figure of the project, JSON-serialisable (six queries)."""
    handed_in = AnnotationSet.objects.filter(article__project=project).annotators_only().handed_in()
    sets = list(
        handed_in.order_by().values_list("pk", "article_id", "annotator_id", "submitted_at")
    )
    in_sets = {"annotation_set__in": handed_in.order_by().values("pk")}
    spans_of: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for set_id, start, end, label_id in (
        Span.objects.filter(**in_sets)
        .order_by()
        .values_list("annotation_set_id", "start", "end", "label_id")
    ):
        spans_of[set_id][label_id].append((start, end))
    claims_of: dict[int, dict[tuple[int, int], list[int]]] = defaultdict(lambda: defaultdict(list))
    for set_id, start, end, claim_type in (
        Claim.objects.filter(**in_sets)
        .order_by()
        .values_list("annotation_set_id", "span__start", "span__end", "claim_type_id")
    ):
        claims_of[set_id][start, end].append(claim_type)
    level_of = dict(
        ThreatAssessment.objects.filter(**in_sets)
        .order_by()
        .values_list("annotation_set_id", "level__rank")
    )
    labels = dict(Label.objects.filter(project=project).values_list("pk", "name"))
    annotator_ids = sorted({annotator for _, _, annotator, _ in sets})
    names = dict(
        get_user_model().objects.filter(pk__in=annotator_ids).values_list("pk", "username")
    )

    by_article: dict[int, dict[int, int]] = defaultdict(dict)
    latest: dict[int, datetime] = {}
    for set_id, article_id, annotator_id, submitted_at in sets:
        by_article[article_id][annotator_id] = set_id
        if submitted_at and (article_id not in latest or submitted_at > latest[article_id]):
            latest[article_id] = submitted_at

    pair_counts: dict[tuple[int, int], _Counts] = defaultdict(_Counts)
    pair_articles: Counter = Counter()
    pair_label_units: dict[tuple[int, int], list] = defaultdict(list)
    pair_claim_units: dict[tuple[int, int], list] = defaultdict(list)
    label_counts: dict[int, _Counts] = defaultdict(_Counts)
    label_units: list[list] = []
    claim_units: list[list] = []
    threat_units: list[list] = []
    week_counts: dict[str, _Counts] = defaultdict(_Counts)
    week_label_units: dict[str, list] = defaultdict(list)
    week_articles: Counter = Counter()

    for article_id, coders in by_article.items():
        week = _week(latest[article_id]) if article_id in latest else "unknown"
        week_articles[week] += 1
        # Per annotator: range -> combined label category; for alpha, units are ranges.
        ranges: dict[int, dict[tuple[int, int], tuple]] = {}
        claim_ranges: dict[int, dict[tuple[int, int], tuple]] = {}
        for annotator_id, set_id in coders.items():
            per_range: dict[tuple[int, int], list[int]] = defaultdict(list)
            for label_id, spans in spans_of.get(set_id, {}).items():
                for span in spans:
                    per_range[span].append(label_id)
            ranges[annotator_id] = {r: tuple(sorted(ls)) for r, ls in per_range.items()}
            claim_ranges[annotator_id] = {
                r: tuple(sorted(types)) for r, types in claims_of.get(set_id, {}).items()
            }
        for unit in {r for coded in ranges.values() for r in coded}:
            values = [coded[unit] for coded in ranges.values() if unit in coded]
            label_units.append(values)
            week_label_units[week].append(values)
        for unit in {r for coded in claim_ranges.values() for r in coded}:
            claim_units.append([coded[unit] for coded in claim_ranges.values() if unit in coded])
        threat_units.append([level_of[s] for s in coders.values() if s in level_of])

        for a, b in itertools.combinations(sorted(coders), 2):
            pair = (a, b)
            pair_articles[pair] += 1
            spans_a, spans_b = spans_of.get(coders[a], {}), spans_of.get(coders[b], {})
            for label_id in set(spans_a) | set(spans_b):
                mine, theirs = spans_a.get(label_id, []), spans_b.get(label_id, [])
                exact = 2 * len(set(mine) & set(theirs))
                overlap = _overlap_matches(mine, theirs) + _overlap_matches(theirs, mine)
                total = len(mine) + len(theirs)
                for counts in (pair_counts[pair], label_counts[label_id], week_counts[week]):
                    counts.exact += exact
                    counts.overlap += overlap
                    counts.total += total
            for unit in ranges[a].keys() & ranges[b].keys():
                pair_label_units[pair].append((ranges[a][unit], ranges[b][unit]))
            for unit in claim_ranges[a].keys() & claim_ranges[b].keys():
                pair_claim_units[pair].append((claim_ranges[a][unit], claim_ranges[b][unit]))

    overall = _Counts()
    for counts in pair_counts.values():
        overall.exact += counts.exact
        overall.overlap += counts.overlap
        overall.total += counts.total
    return {
        "articles": len(by_article),
        "annotation_sets": len(sets),
        "annotators": [{"id": pk, "username": names.get(pk, str(pk))} for pk in annotator_ids],
        "spans": overall.as_dict(),
        "labels": [
            {"label_id": pk, "label": labels.get(pk, str(pk)), **label_counts[pk].as_dict()}
            for pk in sorted(label_counts, key=lambda pk: labels.get(pk, ""))
        ],
        "pairs": [
            {
                "annotators": [names.get(a, str(a)), names.get(b, str(b))],
                "annotator_ids": [a, b],
                "articles": pair_articles[a, b],
                **pair_counts[a, b].as_dict(),
                "label_kappa": _round(cohen_kappa(pair_label_units[a, b])),
                "label_units": len(pair_label_units[a, b]),
                "claim_type_kappa": _round(cohen_kappa(pair_claim_units[a, b])),
                "claim_units": len(pair_claim_units[a, b]),
            }
            for a, b in sorted(pair_articles)
        ],
        "label_alpha": _round(krippendorff_alpha(label_units)),
        "claim_type_alpha": _round(krippendorff_alpha(claim_units)),
        "threat_level_alpha": _round(krippendorff_alpha(threat_units, level="ordinal")),
        "trend": [
            {
                "period": week,
                "articles": week_articles[week],
                "exact_f1": week_counts[week].as_dict()["exact_f1"],
                "overlap_f1": week_counts[week].as_dict()["overlap_f1"],
                "label_alpha": _round(krippendorff_alpha(week_label_units[week])),
            }
            for week in sorted(week_articles)
        ],
    }
