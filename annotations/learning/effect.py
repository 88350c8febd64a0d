"""What suggestions change: annotators' work with and without them, against gold.

A project withholds suggestions from a share of its annotators' sets, drawn at random when each
set is made (Project.withhold_rate, annotations.services.suggestions_withheld_draw). Only the
sets drawn at a rate strictly between 0 and 1 are compared: sets made while every set or no set
got suggestions (or imported ones) were not assigned at random, and would mix the effect of
suggestions with whatever else changed meanwhile (the annotators' experience, the model).

Read from the scores against gold (GoldScore rows, annotations.scoring), per group:

- span F1 against gold, exact (same range and label) and overlap, over the group's spans
  summed (micro), as on the Scores page;
- time to submit: from the set's first edit (its first history record after its creation) to
  its first submission, in seconds; median and quartiles;
- anchoring: of the spans accepted from suggestions (provenance recorded), the share gold kept,
  beside the same share for spans drawn by hand in the same sets and in the sets without
  suggestions. Suggestions that anchor annotators show as accepted spans gold keeps less often
  than hand-drawn ones, and as F1 with suggestions below F1 without.

Each figure has a 95% bootstrap interval over sets (the agreement page's resamples and seed);
the differences (with minus without) resample both groups independently. Undefined figures are
None with the reason, never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from annotations.coefficients import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    Figure,
    Stats,
    Table,
    Undefined,
    evaluate,
)
from annotations.scoring import prf

NO_DRAW = "no set was drawn at random yet: set a share of sets shown no suggestions between 0 and 1"
NO_SPANS = "no spans in this group's sets or their gold"
NO_TIMES = "no set with both a first edit and a submission recorded"
NO_ACCEPTED = "no span was accepted from a suggestion"
NO_HAND = "no span was drawn by hand"
NO_GROUP = "one of the groups has no sets"

GROUPS = (("with", "With suggestions", 0), ("without", "Without suggestions", 1))


def _counts(stats: Stats, group: str) -> dict[str, float]:
    return {parts[0]: value for parts, value in stats.group(group)}


def _f1(stats: Stats, hit_p: str, hit_r: str) -> float:
    """Span F1 of a group's summed counts, by annotations.scoring's rule."""
    c = _counts(stats, "f")
    f1 = prf(c.get("predicted", 0.0), c.get("gold", 0.0), c.get(hit_p, 0.0), c.get(hit_r, 0.0))
    if f1["f1"] is None:
        raise Undefined(NO_SPANS)
    return f1["f1"]


def exact_f1(stats: Stats) -> float:
    return _f1(stats, "exact", "exact")


def overlap_f1(stats: Stats) -> float:
    return _f1(stats, "overlap_p", "overlap_r")


def kept(kind: str, match: str, reason: str) -> Callable[[Stats], float]:
    """The share of the `kind` spans ("accepted" or "hand") that gold kept (`match`: "exact"
    or "overlap")."""

    def measure(stats: Stats) -> float:
        c = _counts(stats, "a")
        total = c.get(kind, 0.0)
        if not total:
            raise Undefined(reason)
        return c.get(f"{kind}_{match}", 0.0) / total

    return measure


def _row(stats: Mapping[str, float]) -> dict[str, float]:
    """One set's counts as the Table reads them: spans against gold ("f|") and accepted or
    hand-drawn spans kept by gold ("a|")."""
    predicted = exact = overlap_p = overlap_r = gold = 0.0
    for key, value in stats.items():
        if key.startswith("span|"):
            kind = key.rsplit("|", 1)[1]
            if kind == "predicted":
                predicted += value
            elif kind == "gold":
                gold += value
            elif kind == "exact":
                exact += value
            elif kind == "overlap_p":
                overlap_p += value
            elif kind == "overlap_r":
                overlap_r += value
    accepted = stats.get("help|accepted", 0.0)
    accepted_exact = stats.get("help|accepted_exact", 0.0)
    accepted_overlap = stats.get("help|accepted_overlap", 0.0)
    return {
        "f|predicted": predicted,
        "f|gold": gold,
        "f|exact": exact,
        "f|overlap_p": overlap_p,
        "f|overlap_r": overlap_r,
        "a|accepted": accepted,
        "a|accepted_exact": accepted_exact,
        "a|accepted_overlap": accepted_overlap,
        "a|hand": predicted - accepted,
        "a|hand_exact": exact - accepted_exact,
        "a|hand_overlap": overlap_p - accepted_overlap,
    }


def _difference(
    measure: Callable[[Stats], float], a: Table, b: Table, seeds: tuple[int, int]
) -> Figure:
    """measure(a) - measure(b), with the 2.5th and 97.5th percentiles of the differences over
    independent resamples of a and b."""
    if not a.rows or not b.rows:
        return Figure(None, reason=NO_GROUP)
    try:
        value = measure(a.total()) - measure(b.total())
    except Undefined as undefined:
        return Figure(None, reason=str(undefined))
    samples = []
    for ra, rb in zip(
        a.resamples(BOOTSTRAP_RESAMPLES, seeds[0]),
        b.resamples(BOOTSTRAP_RESAMPLES, seeds[1]),
        strict=True,
    ):
        try:
            samples.append(measure(ra) - measure(rb))
        except Undefined:
            continue
    if not samples:
        return Figure(round(value, 4))
    low, high = np.percentile(samples, [2.5, 97.5])
    return Figure(round(value, 4), round(float(low), 4), round(float(high), 4))


def _medians(seconds: Sequence[float], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.asarray(seconds, dtype=float)
    picks = rng.integers(0, len(values), size=(BOOTSTRAP_RESAMPLES, len(values)))
    return np.median(values[picks], axis=1)


def _median(seconds: Sequence[float], seed: int) -> Figure:
    if not seconds:
        return Figure(None, reason=NO_TIMES)
    low, high = np.percentile(_medians(seconds, seed), [2.5, 97.5])
    return Figure(round(float(np.median(seconds)), 1), round(float(low), 1), round(float(high), 1))


def _median_difference(a: Sequence[float], b: Sequence[float], seeds: tuple[int, int]) -> Figure:
    if not a or not b:
        return Figure(None, reason=NO_TIMES)
    samples = _medians(a, seeds[0]) - _medians(b, seeds[1])
    low, high = np.percentile(samples, [2.5, 97.5])
    value = float(np.median(a) - np.median(b))
    return Figure(round(value, 1), round(float(low), 1), round(float(high), 1))


def _figure(
    measure: Callable[[Stats], float], *, total: Stats, resamples: list[Stats]
) -> dict[str, Any]:
    if not resamples:  # an empty group
        return Figure(None, reason=NO_GROUP).as_dict()
    return evaluate(measure, total, resamples).as_dict()


def suggestion_effect(score_stats: Iterable[Mapping[str, float]]) -> dict[str, Any]:
    """The comparison (see the module) from the stats of the project's scores against gold."""
    drawn: dict[int, list[Mapping[str, float]]] = {0: [], 1: []}
    left_out = 0
    for stats in score_stats:
        rate = stats.get("help|rate")
        if rate is None or not 0 < rate < 1:
            left_out += 1
            continue
        drawn[int(stats.get("help|withheld", 0))].append(stats)
    tables = {withheld: Table([_row(s) for s in rows]) for withheld, rows in drawn.items()}
    seconds = {
        withheld: [s["help|seconds"] for s in rows if "help|seconds" in s]
        for withheld, rows in drawn.items()
    }
    groups = []
    for key, name, withheld in GROUPS:
        table = tables[withheld]
        total = table.total()
        figure = partial(
            _figure,
            total=total,
            resamples=table.resamples(BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED + withheld),
        )
        times = sorted(seconds[withheld])
        counts = _counts(total, "a")
        groups.append(
            {
                "key": key,
                "name": name,
                "sets": table.rows,
                "exact_f1": figure(exact_f1),
                "overlap_f1": figure(overlap_f1),
                "timed": len(times),
                "median_seconds": _median(times, BOOTSTRAP_SEED + withheld).as_dict(),
                "p25_seconds": round(float(np.percentile(times, 25)), 1) if times else None,
                "p75_seconds": round(float(np.percentile(times, 75)), 1) if times else None,
                "accepted": int(counts.get("accepted", 0.0)),
                "hand": int(counts.get("hand", 0.0)),
                "accepted_kept_exact": figure(kept("accepted", "exact", NO_ACCEPTED)),
                "accepted_kept_overlap": figure(kept("accepted", "overlap", NO_ACCEPTED)),
                "hand_kept_exact": figure(kept("hand", "exact", NO_HAND)),
                "hand_kept_overlap": figure(kept("hand", "overlap", NO_HAND)),
            }
        )
    seeds = (BOOTSTRAP_SEED + 10, BOOTSTRAP_SEED + 11)
    with_, without = tables[0], tables[1]
    return {
        "drawn": with_.rows + without.rows,
        "left_out": left_out,
        "reason": "" if with_.rows + without.rows else NO_DRAW,
        "groups": groups,
        "difference": {
            "exact_f1": _difference(exact_f1, with_, without, seeds).as_dict(),
            "overlap_f1": _difference(overlap_f1, with_, without, seeds).as_dict(),
            "median_seconds": _median_difference(seconds[0], seconds[1], seeds).as_dict(),
        },
        "bootstrap": {"resamples": BOOTSTRAP_RESAMPLES, "seed": BOOTSTRAP_SEED},
    }
