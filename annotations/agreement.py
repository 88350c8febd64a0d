"""Inter-annotator agreement, kept per article and summed per project.

Only annotators' sets handed in (submitted or approved) count; gold sets and control attempts
never do. `article_rows` turns each article's sets into additive statistics (an ArticleAgreement
row); `project_figures` sums the rows of a project and computes every coefficient with a
bootstrap 95% interval over articles (annotations.coefficients). The background tasks
(annotations.tasks) keep both up to date, so the agreement page only reads.

What is compared:
- Spans as a continuum (unitizing): every code point of the article is a unit; its value for an
  annotator is the set of labels covering it (or none). Krippendorff's alpha (nominal) over those
  units, weighted by length, is the unitizing measure: it credits partial overlap by the length
  that overlaps. Per label, the same with "this label or not".
- Spans as units with boundaries: Krippendorff's uα (annotations.coefficients), each article
  its own continuum with its handed-in annotators as the coders; a group of articles (the
  project, a label, a pair, a week, a guideline version) gives the mean of its articles' uα.
- Spans as items, per annotator pair and per label: exact-match F1 (same start, end and label)
  and overlap F1 (same label, ranges overlapping); matched spans of both over all their spans.
- Labels of the same range: Krippendorff's alpha, Gwet's AC1, and per pair Cohen's kappa and AC1.
- Claims, matched through their stating spans (the same range): alpha for the claim type, the
  claimant, the targets and the two Admiralty grades; per pair kappa for the claim type.
- Threat levels (the unit is the article): alpha ordinal by rank, interval by the levels' numeric
  values when every level has one, and Gwet's AC2 with quadratic weights on the ranks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone

from annotations.coefficients import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    NO_NUMERIC_SCALE,
    NO_SPANS,
    Figure,
    Stats,
    Table,
    Undefined,
    alpha_from_coincidences,
    coincidences_of,
    evaluate,
    exact_add,
    gwet_from_sums,
    gwet_sums,
    kappa_from_table,
    quadratic_weight,
    unitizing_alpha,
)
from annotations.locking import own_rows_locked
from annotations.models import (
    AnnotationSet,
    Article,
    ArticleAgreement,
    Claim,
    Label,
    Project,
    ProjectAgreement,
    ProjectAgreementTotal,
    Span,
    ThreatAssessment,
    ThreatLevel,
)

GAP = "-"  # the value of a code point no span covers
NO_ALPHA_U = "no article where Krippendorff's uα is defined"
ALPHA_U_STALE = (
    "computed for {computed} of {articles} articles so far: "
    "`python manage.py refresh_quality` computes the rest"
)
ALL = "all"  # the running totals of the whole project
NO_GUIDELINE = "no version recorded"
NOT_HANDED_IN = "not handed in"
CLAIM_FIELDS = ("type", "claimant", "targets", "reliability", "credibility")


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _category(values: Iterable[Any]) -> str:
    """Several values as one category: "3+5"; none at all: "-"."""
    parts = sorted({str(v) for v in values})
    return "+".join(parts) if parts else GAP


def _add(stats: dict[str, float], prefix: str, coincidences: dict) -> None:
    for (c, k), value in coincidences.items():
        key = f"{prefix}|{c}|{k}"
        stats[key] = stats.get(key, 0.0) + value


def _add_alpha_u(
    stats: dict[str, float],
    group: str,
    length: int,
    coded: Sequence[list[tuple[int, int, int]]],
    only: int | None = None,
) -> None:
    """The article's own Krippendorff uα (the article is the continuum), as a sum and a count
    so that a group of articles gives their mean; nothing where it is undefined."""
    try:
        value = unitizing_alpha(length, coded, only=only)
    except Undefined:
        return
    stats[f"{group}|sum"] = value
    stats[f"{group}|articles"] = 1


def _overlaps(mine: list[tuple[int, int]], theirs: list[tuple[int, int]]) -> int:
    """How many of `mine` overlap at least one of `theirs`."""
    return sum(1 for s, e in mine if any(s < e2 and s2 < e for s2, e2 in theirs))


def unitizing_coincidences(
    length: int, coders: Sequence[list[tuple[int, int, Any]]], *, only: Any = None
) -> dict:
    """Coincidences of the article's code points, each valued by the labels covering it for each
    coder (`coders`: their spans as (start, end, label)); with `only`, valued 1 if that label
    covers it and 0 if not. Runs between span boundaries count as their length."""
    cuts = {0, length}
    for spans in coders:
        for start, end, _ in spans:
            cuts.update((start, end))
    bounds = sorted(c for c in cuts if 0 <= c <= length)
    matrix: dict[tuple, float] = defaultdict(float)
    for left, right in zip(bounds, bounds[1:], strict=False):
        values: list[Any] = []
        for spans in coders:
            covering = [label for start, end, label in spans if start <= left and right <= end]
            if only is None:
                values.append(_category(covering))
            else:
                values.append(int(only in covering))
        for key, value in coincidences_of([values], weight=right - left).items():
            matrix[key] += value
    return matrix


# Per article: the additive statistics.


def article_rows(article_ids: Sequence[int]) -> list[ArticleAgreement]:
    """ArticleAgreement rows (unsaved) for the articles, from their handed-in annotator sets
    (a handful of queries for any number of articles)."""
    sets = list(
        AnnotationSet.objects.filter(article_id__in=article_ids)
        .annotators_only()
        .handed_in()
        .order_by("article_id", "annotator_id")
        .values_list(
            "pk", "article_id", "annotator_id", "submitted_at", "guideline_version__number"
        )
    )
    set_ids = [s[0] for s in sets]
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for set_id, start, end, label_id in Span.objects.filter(
        annotation_set_id__in=set_ids
    ).values_list("annotation_set_id", "start", "end", "label_id"):
        spans[set_id].append((start, end, label_id))
    claims = claims_by_range(set_ids)
    levels = dict(
        ThreatAssessment.objects.filter(annotation_set_id__in=set_ids).values_list(
            "annotation_set_id", "level__rank"
        )
    )
    articles = {
        pk: (project_id, length)
        for pk, project_id, length in Article.objects.filter(pk__in=article_ids)
        .annotate(length=Length("body"))
        .values_list("pk", "project_id", "length")
    }
    scales: dict[int, tuple[int, int]] = {}
    for project_id, rank in ThreatLevel.objects.filter(
        project_id__in={p for p, _ in articles.values()}
    ).values_list("project_id", "rank"):
        low, high = scales.get(project_id, (rank, rank))
        scales[project_id] = (min(low, rank), max(high, rank))

    by_article: dict[int, list[tuple]] = defaultdict(list)
    for row in sets:
        by_article[row[1]].append(row)
    rows = []
    for article_id, (project_id, length) in articles.items():
        coders = by_article.get(article_id, [])
        stats: dict[str, float] = {}
        score, reason = None, NO_SPANS
        if len(coders) >= 2:
            score, reason = _article_stats(
                stats, coders, spans, claims, levels, length, scales.get(project_id)
            )
        submitted = [s[3] for s in coders if s[3] is not None]
        guidelines = {f"v{s[4]}" for s in coders if s[4] is not None}
        rows.append(
            ArticleAgreement(
                article_id=article_id,
                project_id=project_id,
                coders=len(coders),
                score=None if score is None else round(score, 4),
                score_reason=reason,
                period=iso_week(max(submitted)) if submitted else "",
                guideline="mixed" if len(guidelines) > 1 else "".join(guidelines),
                stats=stats,
            )
        )
    return rows


def claims_by_range(set_ids: list[int]) -> dict[int, dict[tuple[int, int], list[dict[str, str]]]]:
    """Per set, per stating span range, the claims' fields as category strings."""
    targets: dict[int, list[int]] = defaultdict(list)
    for claim_id, actor_id in Claim.targets.through.objects.filter(
        claim__annotation_set_id__in=set_ids
    ).values_list("claim_id", "actor_id"):
        targets[claim_id].append(actor_id)
    claims: dict[int, dict[tuple[int, int], list[dict[str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for (
        pk,
        set_id,
        start,
        end,
        claimant,
        claim_type,
        reliability,
        credibility,
    ) in Claim.objects.filter(annotation_set_id__in=set_ids).values_list(
        "pk",
        "annotation_set_id",
        "span__start",
        "span__end",
        "claimant_id",
        "claim_type_id",
        "reliability",
        "credibility",
    ):
        claims[set_id][start, end].append(
            {
                "type": str(claim_type),
                "claimant": str(claimant or GAP),
                "targets": _category(targets.get(pk, [])),
                "reliability": reliability or GAP,
                "credibility": str(credibility or GAP),
            }
        )
    return claims


def _article_stats(
    stats: dict[str, float],
    coders: list[tuple],
    spans: dict[int, list[tuple[int, int, int]]],
    claims: dict[int, dict[tuple[int, int], list[dict[str, str]]]],
    levels: dict[int, int],
    length: int,
    scale: tuple[int, int] | None,
) -> tuple[float | None, str]:
    """Fill `stats` with the article's additive statistics; return its own unitizing alpha (or
    None and why)."""
    annotators = [s[2] for s in coders]
    set_of = {s[2]: s[0] for s in coders}
    coded = [spans.get(set_of[a], []) for a in annotators]
    unitizing = unitizing_coincidences(length, coded)
    _add(stats, "u", unitizing)
    stats["ua|rows"] = 1  # rows from before uα lack it: their groups' uα is not shown
    _add_alpha_u(stats, "ua", length, coded)
    for label_id in {label for spans_ in coded for _, _, label in spans_}:
        _add(stats, f"ul:{label_id}", unitizing_coincidences(length, coded, only=label_id))
        _add_alpha_u(stats, f"ual:{label_id}", length, coded, only=label_id)

    # Labels of the same range.
    ranges: dict[int, dict[tuple[int, int], str]] = {}
    for annotator, spans_ in zip(annotators, coded, strict=True):
        per_range: dict[tuple[int, int], list[int]] = defaultdict(list)
        for start, end, label in spans_:
            per_range[start, end].append(label)
        ranges[annotator] = {r: _category(labels) for r, labels in per_range.items()}
    label_units = [
        [coded_[r] for coded_ in ranges.values() if r in coded_]
        for r in {r for coded_ in ranges.values() for r in coded_}
    ]
    _add(stats, "l", coincidences_of(label_units))
    for (kind, key), value in gwet_sums(label_units).items():
        name = f"gl|{kind}" if key is None else f"gl|{kind}|{key}"
        stats[name] = stats.get(name, 0.0) + value

    # Claims through their stating spans.
    claim_ranges = {
        a: {
            r: {f: _category(c[f] for c in found) for f in CLAIM_FIELDS}
            for r, found in claims.get(set_of[a], {}).items()
        }
        for a in annotators
    }
    units = {r for coded_ in claim_ranges.values() for r in coded_}
    for field in CLAIM_FIELDS:
        _add(
            stats,
            f"c:{field}",
            coincidences_of(
                [[c[r][field] for c in claim_ranges.values() if r in c] for r in units]
            ),
        )

    # Threat levels: the article is the unit.
    ranks = [levels[set_of[a]] for a in annotators if set_of[a] in levels]
    _add(stats, "t", coincidences_of([ranks]))
    if scale is not None:
        for (kind, key), value in gwet_sums([ranks], quadratic_weight(*scale)).items():
            name = f"gt|{kind}" if key is None else f"gt|{kind}|{key}"
            stats[name] = stats.get(name, 0.0) + value

    # Per pair: span matches per label, label and claim-type tables.
    for i, a in enumerate(annotators):
        for b in annotators[i + 1 :]:
            pair = f"{a}-{b}"
            stats[f"pa:{pair}|articles"] = 1
            _add_alpha_u(stats, f"uap:{pair}", length, [coded[i], coded[annotators.index(b)]])
            mine = _by_label(coded[i])
            theirs = _by_label(coded[annotators.index(b)])
            for label_id in mine.keys() | theirs.keys():
                m, t = mine.get(label_id, []), theirs.get(label_id, [])
                stats[f"sf:{pair}|{label_id}|exact"] = 2 * len(set(m) & set(t))
                stats[f"sf:{pair}|{label_id}|overlap"] = _overlaps(m, t) + _overlaps(t, m)
                stats[f"sf:{pair}|{label_id}|total"] = len(m) + len(t)
            for r in ranges[a].keys() & ranges[b].keys():
                key = f"pl:{pair}|{ranges[a][r]}|{ranges[b][r]}"
                stats[key] = stats.get(key, 0.0) + 1
            for r in claim_ranges[a].keys() & claim_ranges[b].keys():
                key = f"pc:{pair}|{claim_ranges[a][r]['type']}|{claim_ranges[b][r]['type']}"
                stats[key] = stats.get(key, 0.0) + 1
    try:
        return alpha_from_coincidences(unitizing), ""
    except Undefined as undefined:
        return None, str(undefined)


def _by_label(spans: list[tuple[int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    grouped: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for start, end, label in spans:
        grouped[label].append((start, end))
    return grouped


def refresh_articles(article_ids: Sequence[int]) -> list[ArticleAgreement]:
    """Recompute and store the articles' agreement rows (the running totals left as they
    are: `refresh_project` sums them again; one article at a time, `refresh_article`)."""
    return _save_rows(article_rows(article_ids))


def _save_rows(rows: list[ArticleAgreement]) -> list[ArticleAgreement]:
    ArticleAgreement.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["coders", "score", "score_reason", "period", "guideline", "stats"],
    )
    return rows


# Per project: the measures over summed statistics.


def _coincidences(stats: Stats, group: str, cast: Callable[[str], Any] = str) -> dict:
    return {(cast(c), cast(k)): v for (c, k), v in stats.group(group)}


def _alpha(group: str, level: str = "nominal", values: dict | None = None) -> Callable:
    cast: Callable[[str], Any] = int if level != "nominal" else str

    def measure(stats: Stats) -> float:
        return alpha_from_coincidences(
            _coincidences(stats, group, cast), level=level, values=values
        )

    return measure


def _gwet(group: str, categories: list | None = None, weight: Callable | None = None) -> Callable:
    cast: Callable[[str], Any] = int if categories is not None else str

    def measure(stats: Stats) -> float:
        sums: dict[tuple[str, Any], float] = {}
        for parts, value in stats.group(group):
            kind, *rest = parts
            sums[kind, cast(rest[0]) if rest else None] = value
        return gwet_from_sums(sums, categories=categories, weight=weight)

    return measure


def _f1(kind: str, *, pair: str | None = None, label: str | None = None) -> Callable:
    def measure(stats: Stats) -> float:
        matched = total = 0.0
        for name, entries in stats.groups.items():
            if not name.startswith("sf:") or (pair is not None and name != f"sf:{pair}"):
                continue
            for parts, i in entries:
                if label is not None and parts[0] != label:
                    continue
                if parts[1] == kind:
                    matched += float(stats.vector[i])
                elif parts[1] == "total":
                    total += float(stats.vector[i])
        if total == 0:
            raise Undefined(NO_SPANS)
        return matched / total

    return measure


def _mean_alpha_u(group: str, stale: str = "") -> Callable:
    """Krippendorff's uα over a group of articles: the unweighted mean of the articles' own
    (where defined); undefined, saying why, when some rows predate uα (`stale`)."""

    def measure(stats: Stats) -> float:
        if stale:
            raise Undefined(stale)
        sums = {parts[0]: value for parts, value in stats.group(group)}
        if not sums.get("articles"):
            raise Undefined(NO_ALPHA_U)
        return sums.get("sum", 0.0) / sums["articles"]

    return measure


def _kappa(group: str) -> Callable:
    def measure(stats: Stats) -> float:
        return kappa_from_table(_coincidences(stats, group))

    return measure


def _pair_ac1(group: str) -> Callable:
    """Gwet's AC1 for two annotators from their contingency table."""

    def measure(stats: Stats) -> float:
        sums: dict[tuple[str, Any], float] = defaultdict(float)
        for (a, b), count in stats.group(group):
            sums["n", None] += count
            sums["n2", None] += count
            sums["pa", None] += count * (a == b)
            sums["pi", a] += count / 2
            sums["pi", b] += count / 2
        return gwet_from_sums(sums)

    return measure


def _headline(scale: list[int], values: dict[int, float] | None) -> dict[str, Callable]:
    """The figures shown overall, per guideline version and per week."""
    measures: dict[str, Callable] = {
        "unitizing_alpha": _alpha("u"),
        "exact_f1": _f1("exact"),
        "overlap_f1": _f1("overlap"),
        "label_alpha": _alpha("l"),
        "label_ac1": _gwet("gl"),
        "threat_level_alpha": _alpha("t", "ordinal"),
    }
    if values is not None:
        measures["threat_level_interval_alpha"] = _alpha("t", "interval", values)
    if len(scale) >= 2:
        measures["threat_level_ac2"] = _gwet("gt", scale, quadratic_weight(scale[0], scale[-1]))
    return measures


@dataclass(frozen=True, slots=True)
class Group:
    """A group of articles' summed statistics (and their bootstrap resamples, if any)."""

    articles: int
    annotation_sets: int
    total: Stats
    resamples: Sequence[Stats] = ()


def group_names(coders: int, period: str, guideline: str) -> list[str]:
    """The running totals an ArticleAgreement row counts in: none below two coders, else the
    project's, its guideline version's and its week's."""
    if coders < 2:
        return []
    return [
        ALL,
        f"guideline|{guideline or NO_GUIDELINE}",
        f"week|{period or NOT_HANDED_IN}",
    ]


def _rows(project_id: int) -> list[tuple[dict[str, float], str, str, int]]:
    return list(
        ArticleAgreement.objects.filter(project_id=project_id, coders__gte=2)
        .order_by("article_id")
        .values_list("stats", "period", "guideline", "coders")
    )


def _tables(rows: Sequence[tuple[dict[str, float], str, str, int]]) -> dict[str, tuple]:
    """Per group: (articles, annotation sets, Table of the rows)."""
    members: dict[str, list[tuple[dict[str, float], int]]] = defaultdict(list)
    for stats, period, guideline, coders in rows:
        for name in group_names(coders, period, guideline):
            members[name].append((stats, coders))
    members.setdefault(ALL, [])
    return {
        name: (len(group), sum(c for _, c in group), Table([s for s, _ in group]))
        for name, group in members.items()
    }


def _figures(project: Project, groups: Mapping[str, Group]) -> dict[str, Any]:
    """Every agreement figure of the project from its groups' statistics (JSON-ready); with
    resamples, each with its bootstrap 95% interval."""
    everything = groups.get(ALL) or Group(0, 0, Stats.of({}))
    total, resamples = everything.total, everything.resamples
    scale_rows = list(project.threat_levels.order_by("rank").values_list("rank", "value"))
    scale = [rank for rank, _ in scale_rows]
    values: dict[int, float] | None = {r: float(v) for r, v in scale_rows if v is not None}
    if not scale_rows or len(values or {}) < len(scale_rows):
        values = None  # interval alpha needs a number for every level

    def figure(measure: Callable) -> dict:
        return evaluate(measure, total, resamples).as_dict()

    computed = int(sum(v for parts, v in total.group("ua") if parts == ("rows",)))
    stale = ""
    if computed < everything.articles:
        stale = ALPHA_U_STALE.format(computed=computed, articles=everything.articles)

    def alpha_u(group: str, total: Stats = total, resamples: Sequence[Stats] = resamples) -> dict:
        """The mean uα of a group, with an interval only over two articles or more that have
        one (resampling a single article gives it back every time)."""
        measure = _mean_alpha_u(group, stale)
        counted = sum(v for parts, v in total.group(group) if parts == ("articles",))
        return evaluate(measure, total, resamples if counted >= 2 else ()).as_dict()

    overall = {name: figure(m) for name, m in _headline(scale, values).items()}
    overall["unitizing_alpha_u"] = alpha_u("ua")
    if values is None:
        overall["threat_level_interval_alpha"] = Figure(None, reason=NO_NUMERIC_SCALE).as_dict()
    for field in CLAIM_FIELDS:
        overall[f"claim_{field}_alpha"] = figure(_alpha(f"c:{field}"))

    labels = dict(Label.objects.filter(project=project).values_list("pk", "name"))
    used_labels = sorted(
        {int(name[3:]) for name in total.groups if name.startswith("ul:")},
        key=lambda pk: labels.get(pk, ""),
    )
    per_label = [
        {
            "label_id": pk,
            "label": labels.get(pk, str(pk)),
            "unitizing_alpha": figure(_alpha(f"ul:{pk}")),
            "unitizing_alpha_u": alpha_u(f"ual:{pk}"),
            "exact_f1": figure(_f1("exact", label=str(pk))),
            "overlap_f1": figure(_f1("overlap", label=str(pk))),
        }
        for pk in used_labels
    ]

    pairs = sorted(
        tuple(int(x) for x in name[3:].split("-")) for name in total.groups if name[:3] == "pa:"
    )
    annotator_ids = sorted({a for pair in pairs for a in pair})
    names = dict(
        get_user_model().objects.filter(pk__in=annotator_ids).values_list("pk", "username")
    )
    per_pair = []
    for a, b in pairs:
        key = f"{a}-{b}"
        per_pair.append(
            {
                "annotators": [names.get(a, str(a)), names.get(b, str(b))],
                "annotator_ids": [a, b],
                "articles": int(sum(v for _, v in total.group(f"pa:{key}"))),
                "unitizing_alpha_u": alpha_u(f"uap:{key}"),
                "exact_f1": figure(_f1("exact", pair=key)),
                "overlap_f1": figure(_f1("overlap", pair=key)),
                "label_kappa": figure(_kappa(f"pl:{key}")),
                "label_ac1": figure(_pair_ac1(f"pl:{key}")),
                "claim_type_kappa": figure(_kappa(f"pc:{key}")),
            }
        )

    headline = {
        k: m
        for k, m in _headline(scale, values).items()
        if k in {"unitizing_alpha", "exact_f1", "label_alpha", "threat_level_alpha"}
    }

    def grouped(prefix: str) -> list[dict]:
        return [
            {
                "period": name[len(prefix) :],
                "articles": group.articles,
                **{
                    k: evaluate(m, group.total, group.resamples).as_dict()
                    for k, m in headline.items()
                },
                "unitizing_alpha_u": alpha_u("ua", group.total, group.resamples),
            }
            for name, group in sorted(groups.items())
            if name.startswith(prefix)
        ]

    return {
        "articles": everything.articles,
        "annotation_sets": everything.annotation_sets,
        "annotators": [{"id": pk, "username": names.get(pk, str(pk))} for pk in annotator_ids],
        "overall": overall,
        "labels": per_label,
        "pairs": per_pair,
        "guidelines": grouped("guideline|"),
        "trend": grouped("week|"),
        "bootstrap": {"resamples": BOOTSTRAP_RESAMPLES, "seed": BOOTSTRAP_SEED},
    }


def project_figures(project: Project) -> dict[str, Any]:
    """Every agreement figure of the project summed from all its ArticleAgreement rows, with
    bootstrap intervals (JSON-ready): the full recomputation."""
    return _figures(project, _bootstrapped(_tables(_rows(project.pk))))


def _bootstrapped(tables: Mapping[str, tuple]) -> dict[str, Group]:
    """The groups with their bootstrap resamples; a group of one article has none (resampling
    one article gives it back every time: an interval of width 0 that would look like one)."""
    return {
        name: Group(
            articles,
            sets,
            table.total(),
            table.resamples(BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED) if articles >= 2 else (),
        )
        for name, (articles, sets, table) in tables.items()
    }


# Running totals (ProjectAgreementTotal) and the project's agreement lock.


def _lock(project_id: int) -> ProjectAgreement:
    """The project's ProjectAgreement row, created if need be, locked until the commit: every
    writer of agreement rows and totals holds it (lock order: after the article)."""
    ProjectAgreement.objects.get_or_create(
        project_id=project_id, defaults={"computed_at": timezone.now()}
    )
    return ProjectAgreement.objects.select_for_update(no_key=True).get(project_id=project_id)


def running_totals(project_id: int) -> dict[str, tuple[int, int, dict[str, float]]]:
    """Per group: the running totals as stored (the exact sums as floats)."""
    return {
        group: (articles, sets, {k: math.fsum(p) for k, p in stats.items()})
        for group, articles, sets, stats in ProjectAgreementTotal.objects.filter(
            project_id=project_id
        ).values_list("group", "articles", "annotation_sets", "stats")
    }


def _store_totals(project_id: int, tables: Mapping[str, tuple]) -> None:
    """Replace the project's running totals by the sums of `tables` (under its lock)."""
    ProjectAgreementTotal.objects.filter(project_id=project_id).delete()
    ProjectAgreementTotal.objects.bulk_create(
        ProjectAgreementTotal(
            project_id=project_id,
            group=name,
            articles=articles,
            annotation_sets=sets,
            stats=table.partials(),
        )
        for name, (articles, sets, table) in tables.items()
    )


def _apply(
    totals: dict[str, ProjectAgreementTotal],
    project_id: int,
    row: ArticleAgreement | None,
    sign: int,
) -> None:
    """Add (sign 1) or subtract (-1) an article's row to the running totals of its groups."""
    if row is None:
        return
    for name in group_names(row.coders, row.period, row.guideline):
        total = totals.get(name)
        if total is None:
            total = totals[name] = ProjectAgreementTotal(project_id=project_id, group=name)
        total.articles += sign
        total.annotation_sets += sign * row.coders
        stats = total.stats
        for key, value in row.stats.items():
            partials = exact_add(stats.get(key, ()), sign * value)
            if partials:
                stats[key] = partials
            else:
                stats.pop(key, None)


def _point_figures(project: Project) -> dict[str, Any]:
    """The figures from the running totals, without intervals (the point estimates)."""
    groups = {
        group: Group(articles, sets, Stats.of(stats))
        for group, (articles, sets, stats) in running_totals(project.pk).items()
        if articles > 0
    }
    return _figures(project, groups)


def refresh_article(article_id: int) -> tuple[ProjectAgreement | None, bool]:
    """Recompute an article's agreement row, move the project's running totals from its old
    row to its new one, and store the point estimates: a second or less at any project size.
    Returns the ProjectAgreement and whether its intervals need scheduling (they were
    current: further refreshes before they are recomputed coalesce into one)."""
    with transaction.atomic():
        article = own_rows_locked(Article.objects.filter(pk=article_id))
        project_id = article.values_list("project_id", flat=True).first()
        if project_id is None:
            return None, False
        (new,) = article_rows([article_id])
        stored = _lock(project_id)
        old = ArticleAgreement.objects.filter(article_id=article_id).first()
        _save_rows([new])
        totals = {t.group: t for t in ProjectAgreementTotal.objects.filter(project_id=project_id)}
        if ALL not in totals:
            # No running totals yet (a project from before them): sum every row once.
            _store_totals(project_id, _tables(_rows(project_id)))
        else:
            affected = set(group_names(new.coders, new.period, new.guideline))
            if old is not None:
                affected.update(group_names(old.coders, old.period, old.guideline))
            _apply(totals, project_id, old, -1)
            _apply(totals, project_id, new, 1)
            for name in sorted(affected):
                total = totals[name]
                if total.articles == 0 and name != ALL:
                    if total.pk is not None:
                        total.delete()
                else:
                    total.save()
        stored.figures = _point_figures(stored.project)
        stored.computed_at = timezone.now()
        schedule = not stored.intervals_pending
        stored.intervals_pending = True
        stored.save(update_fields=["figures", "computed_at", "intervals_pending"])
    return stored, schedule


def refresh_project(project: Project) -> ProjectAgreement:
    """The full recomputation: the running totals summed again from every article row, the
    point estimates and the bootstrap intervals, stored. The rows are read under the project's
    agreement lock, so `intervals_at` is a moment the figures were true; article refreshes
    wait for that reading only, not for the bootstrap."""
    with transaction.atomic():
        stored = _lock(project.pk)
        started = timezone.now()
        tables = _tables(_rows(project.pk))
        _store_totals(project.pk, tables)
        stored.intervals_pending = False
        stored.save(update_fields=["intervals_pending"])
    figures = _figures(project, _bootstrapped(tables))
    with transaction.atomic():
        stored = _lock(project.pk)
        fields = []
        if stored.intervals_at is None or stored.intervals_at < started:
            stored.intervals, stored.intervals_at = figures, started
            fields += ["intervals", "intervals_at"]
        if not stored.figures or stored.computed_at <= started:
            # No article refreshed since the reading: these are the latest point estimates.
            stored.figures, stored.computed_at = figures, started
            fields += ["figures", "computed_at"]
        stored.save(update_fields=fields)
    return stored


def refresh_all(project: Project, *, chunk: int = 500) -> ProjectAgreement:
    """Recompute every article's row of the project, then the project's figures (after a
    migration, an import of handed-in work, or a change of the threat scale)."""
    ids = list(Article.objects.filter(project=project).values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        refresh_articles(ids[start : start + chunk])
    return refresh_project(project)


def _is_figure(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value and "low" in value


def _with_interval(point: dict, known: dict | None) -> dict:
    """A point estimate with the interval computed for the same figure, if any."""
    low = high = None
    if known is not None and point["value"] is not None:
        low, high = known.get("low"), known.get("high")
    return {**point, "low": low, "high": high}


def with_intervals(points: dict[str, Any], intervals: dict[str, Any]) -> dict[str, Any]:
    """The point estimates, each with the bootstrap interval of the same figure (by name, and
    label, pair or period) from the last interval computation; none where that had no such
    figure."""
    merged = dict(points)
    known = intervals.get("overall", {})
    merged["overall"] = {
        name: _with_interval(figure, known.get(name))
        for name, figure in points.get("overall", {}).items()
    }
    keys: dict[str, Callable[[dict], Any]] = {
        "labels": lambda row: row["label_id"],
        "pairs": lambda row: tuple(row["annotator_ids"]),
        "guidelines": lambda row: row["period"],
        "trend": lambda row: row["period"],
    }
    for section, key in keys.items():
        earlier = {key(row): row for row in intervals.get(section, [])}
        merged[section] = [
            {
                name: _with_interval(value, earlier.get(key(row), {}).get(name))
                if _is_figure(value)
                else value
                for name, value in row.items()
            }
            for row in points.get(section, [])
        ]
    return merged


NOT_COMPUTED = Figure(
    None, reason="not computed yet: `python manage.py refresh_quality` computes it"
).as_dict()


def _with_every_figure(figures: dict[str, Any]) -> dict[str, Any]:
    """Figures stored before a coefficient existed (uα), completed with "n/a: not computed
    yet" for it, so that the page shows every figure it knows."""
    figures.setdefault("overall", {}).setdefault("unitizing_alpha_u", NOT_COMPUTED)
    for section in ("labels", "pairs", "guidelines", "trend"):
        for row in figures.get(section, []):
            row.setdefault("unitizing_alpha_u", NOT_COMPUTED)
    return figures


def project_agreement(project: Project) -> dict[str, Any]:
    """The project's figures as last stored (computed now if never): the point estimates as of
    `computed_at`, their intervals as of `intervals_at`, and `intervals_updating` when those
    are older (a recomputation is on its way)."""
    stored = ProjectAgreement.objects.filter(project=project).first()
    if stored is None or not stored.figures:
        stored = refresh_all(project)
    updating = stored.intervals_at is None or stored.intervals_at < stored.computed_at
    return {
        **_with_every_figure(with_intervals(stored.figures, stored.intervals)),
        "computed_at": stored.computed_at.isoformat(),
        "intervals_at": stored.intervals_at.isoformat() if stored.intervals_at else None,
        "intervals_updating": updating,
    }
