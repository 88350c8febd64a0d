"""Annotators scored against gold: each handed-in set (control attempts too) of an adjudicated
article, compared with the article's approved gold set. Counts are stored per set (GoldScore)
and add up per annotator, per week or per project.

- Spans, per label: precision, recall and F1, exact (same start and end) and overlap (ranges
  overlapping; precision counts the annotator's spans that overlap a gold one, recall the gold
  spans overlapped by one of the annotator's).
- Actor links: of the gold spans linked to an actor that the annotator also marked (same range
  and label), the share linked to the same actor.
- Claims, matched through their stating span (same range): for each field (claim type,
  claimant, targets, reliability, credibility), the share of gold claims the annotator got right
  (a gold claim the annotator missed counts as wrong in every field).
- Threat level: the distance in ranks between the annotator's level and gold's (0 is exact).

For the comparison of work with and without suggestions (annotations.learning.effect) each
set's row also keeps, under "help|": whether its suggestions were withheld and the rate they
were drawn at, the seconds from its first edit to its first submission, and how many of its
spans were accepted from suggestions and how many of those gold kept (exact, overlap).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Min, Q

from annotations.agreement import CLAIM_FIELDS, claims_by_range
from annotations.models import AnnotationSet, GoldScore, HistoryRecord, Span, ThreatAssessment

Spans = dict[int, list[tuple[int, int, int | None]]]  # label -> (start, end, actor)


def _load(set_ids: list[int]) -> tuple[dict[int, Spans], dict, dict[int, int]]:
    spans: dict[int, Spans] = defaultdict(lambda: defaultdict(list))
    for set_id, start, end, label, actor in Span.objects.filter(
        annotation_set_id__in=set_ids
    ).values_list("annotation_set_id", "start", "end", "label_id", "actor_id"):
        spans[set_id][label].append((start, end, actor))
    levels = dict(
        ThreatAssessment.objects.filter(annotation_set_id__in=set_ids).values_list(
            "annotation_set_id", "level__rank"
        )
    )
    return spans, claims_by_range(set_ids), levels


def compare(
    mine: Spans,
    gold: Spans,
    my_claims: Mapping[tuple[int, int], list[dict[str, str]]],
    gold_claims: Mapping[tuple[int, int], list[dict[str, str]]],
    my_level: int | None,
    gold_level: int | None,
) -> dict[str, float]:
    """One set's counts against gold (see the module's docstring)."""
    stats: dict[str, float] = {}
    for label in mine.keys() | gold.keys():
        m = [(s, e) for s, e, _ in mine.get(label, [])]
        g = [(s, e) for s, e, _ in gold.get(label, [])]
        stats[f"span|{label}|predicted"] = len(m)
        stats[f"span|{label}|gold"] = len(g)
        stats[f"span|{label}|exact"] = len(set(m) & set(g))
        stats[f"span|{label}|overlap_p"] = sum(
            1 for s, e in m if any(s < e2 and s2 < e for s2, e2 in g)
        )
        stats[f"span|{label}|overlap_r"] = sum(
            1 for s, e in g if any(s < e2 and s2 < e for s2, e2 in m)
        )
        my_actor = {(s, e): a for s, e, a in mine.get(label, [])}
        for s, e, actor in gold.get(label, []):
            if actor is not None and (s, e) in my_actor:
                stats["link|total"] = stats.get("link|total", 0) + 1
                stats["link|correct"] = stats.get("link|correct", 0) + (my_actor[s, e] == actor)
    for stating, claims in gold_claims.items():
        theirs = my_claims.get(stating, [])
        for claim in claims:
            for field in CLAIM_FIELDS:
                stats[f"claim|{field}|total"] = stats.get(f"claim|{field}|total", 0) + 1
                right = any(c[field] == claim[field] for c in theirs)
                stats[f"claim|{field}|correct"] = stats.get(f"claim|{field}|correct", 0) + right
    if gold_level is not None and my_level is not None:
        stats["threat|assessed"] = 1
        stats["threat|distance"] = abs(my_level - gold_level)
        stats["threat|exact"] = int(my_level == gold_level)
    return stats


def help_stats(
    withheld: Mapping[int, bool], article_ids: Sequence[int]
) -> dict[int, dict[str, float]]:
    """Per set (`withheld`: each set's suggestions_withheld), what the comparison with and
    without suggestions reads (the "help|" keys, see the module), but the accepted spans'
    matches with gold (`accepted_spans`, `help_matches`).

    - "help|withheld": 1 when the set was shown no suggestions;
    - "help|rate": the withhold rate it was drawn at (absent when its creation did not record
      one: a set imported, or made before the draw existed);
    - "help|seconds": from its first edit (its first history record after its creation) to its
      first submission, when both are recorded."""
    stats: dict[int, dict[str, float]] = defaultdict(dict)
    for pk, shown_none in withheld.items():
        stats[pk]["help|withheld"] = int(shown_none)
    records = HistoryRecord.objects.filter(
        article_id__in=article_ids, annotation_set_id__in=list(withheld)
    )
    created = Q(object_type="annotation_set", action=HistoryRecord.Action.CREATE)
    for set_id, rate in records.filter(created).values_list(
        "annotation_set_id", "after__withhold_rate"
    ):
        if set_id is not None and isinstance(rate, int | float):
            stats[set_id]["help|rate"] = float(rate)
    times = (
        records.values("annotation_set_id")
        .annotate(
            first_edit=Min("created_at", filter=~created),
            submitted=Min(
                "created_at",
                filter=Q(action=HistoryRecord.Action.TRANSITION, after__status="submitted"),
            ),
        )
        .order_by()
    )
    for row in times:
        set_id, first, submitted = row["annotation_set_id"], row["first_edit"], row["submitted"]
        if set_id is not None and first is not None and submitted is not None:
            stats[set_id]["help|seconds"] = max((submitted - first).total_seconds(), 0.0)
    return stats


def accepted_spans(set_ids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """Per set, its spans accepted from suggestions (provenance recorded): (label, start, end)."""
    accepted: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for set_id, label, start, end in Span.objects.filter(
        annotation_set_id__in=set_ids, provenance__isnull=False
    ).values_list("annotation_set_id", "label_id", "start", "end"):
        accepted[set_id].append((label, start, end))
    return accepted


def help_matches(accepted: list[tuple[int, int, int]], gold: Spans) -> dict[str, float]:
    """How many accepted spans gold kept: same range and label (exact), or overlapping a gold
    span of the label (overlap)."""
    exact = overlap = 0
    for label, start, end in accepted:
        ranges = [(s, e) for s, e, _ in gold.get(label, [])]
        exact += (start, end) in ranges
        overlap += any(start < e and s < end for s, e in ranges)
    return {
        "help|accepted": len(accepted),
        "help|accepted_exact": exact,
        "help|accepted_overlap": overlap,
    }


def refresh_scores(article_ids: Sequence[int]) -> None:
    """Score every handed-in annotator set of the articles that have approved gold (and drop
    the scores of sets no longer handed in, or of articles without gold)."""
    gold_of = dict(
        AnnotationSet.objects.filter(article_id__in=article_ids)
        .adjudicated()
        .values_list("article_id", "pk")
    )
    sets = list(
        AnnotationSet.objects.filter(article_id__in=list(gold_of), is_gold=False)
        .handed_in()
        .values_list(
            "pk", "article_id", "annotator_id", "is_control", "submitted_at", "suggestions_withheld"
        )
    )
    spans, claims, levels = _load([*gold_of.values(), *(s[0] for s in sets)])
    project_of = dict(
        AnnotationSet.objects.filter(pk__in=list(gold_of.values())).values_list(
            "article_id", "article__project_id"
        )
    )
    set_ids = [s[0] for s in sets]
    helped = help_stats({s[0]: s[5] for s in sets}, list(gold_of))
    accepted = accepted_spans(set_ids)
    scores = [
        GoldScore(
            annotation_set_id=pk,
            project_id=project_of[article_id],
            annotator_id=annotator_id,
            article_id=article_id,
            is_control=is_control,
            handed_in_at=submitted_at,
            stats=compare(
                spans.get(pk, {}),
                spans.get(gold_of[article_id], {}),
                claims.get(pk, {}),
                claims.get(gold_of[article_id], {}),
                levels.get(pk),
                levels.get(gold_of[article_id]),
            )
            | helped[pk]
            | help_matches(accepted.get(pk, []), spans.get(gold_of[article_id], {})),
        )
        for pk, article_id, annotator_id, is_control, submitted_at, _ in sets
    ]
    GoldScore.objects.filter(article_id__in=article_ids).exclude(
        annotation_set_id__in=[s.annotation_set_id for s in scores]
    ).delete()
    GoldScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["annotation_set"],
        update_fields=["stats", "handed_in_at", "is_control"],
    )


# Reading scores: sums of the stored counts.


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def prf(predicted: float, gold: float, hit_p: float, hit_r: float) -> dict[str, float | None]:
    precision, recall = _ratio(hit_p, predicted), _ratio(hit_r, gold)
    f1 = (
        round(2 * precision * recall / (precision + recall), 4)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    return {"precision": precision, "recall": recall, "f1": f1}


def summarise(stats_rows: Iterable[Mapping[str, float]], labels: Mapping[int, str]) -> dict:
    """Scores from summed counts: spans overall and per label, links, claims, threat."""
    total: dict[str, float] = defaultdict(float)
    sets = 0
    for row in stats_rows:
        sets += 1
        for key, value in row.items():
            total[key] += value
    per_label: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, value in total.items():
        if key.startswith("span|"):
            _, label, kind = key.split("|")
            per_label[label][kind] += value
            per_label["all"][kind] += value

    def spans_of(counts: Mapping[str, float]) -> dict[str, Any]:
        return {
            "exact": prf(counts["predicted"], counts["gold"], counts["exact"], counts["exact"]),
            "overlap": prf(
                counts["predicted"], counts["gold"], counts["overlap_p"], counts["overlap_r"]
            ),
            "predicted": int(counts["predicted"]),
            "gold": int(counts["gold"]),
        }

    return {
        "sets": sets,
        "spans": spans_of(per_label["all"]),
        "labels": [
            {"label": labels.get(int(pk), pk), **spans_of(counts)}
            for pk, counts in sorted(
                ((pk, c) for pk, c in per_label.items() if pk != "all"),
                key=lambda item: labels.get(int(item[0]), item[0]),
            )
        ],
        "actor_links": _ratio(total["link|correct"], total["link|total"]),
        "claims": {
            field: _ratio(total[f"claim|{field}|correct"], total[f"claim|{field}|total"])
            for field in CLAIM_FIELDS
        },
        "threat_distance": _ratio(total["threat|distance"], total["threat|assessed"]),
        "threat_exact": _ratio(total["threat|exact"], total["threat|assessed"]),
    }
