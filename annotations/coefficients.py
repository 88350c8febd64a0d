"""The agreement coefficients, as pure functions of counts that add up over articles.

Each coefficient is computed from *additive* statistics: a coincidence matrix (Krippendorff's
alpha), a contingency table (Cohen's kappa), per-unit sums (Gwet's AC1/AC2), matched and total
spans (F1). Per-article statistics summed give the project's, which is what lets
annotations.agreement keep them per article and update one article at a time, and what makes a
bootstrap over articles cheap (a resample is a weighted sum of the articles' rows).

An undefined figure is a `Figure` with value None and the reason, never 0.0.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

# Reasons a coefficient is undefined, in the analysts' words.
NO_UNITS = "no unit was coded by two annotators"
NO_VARIATION = "every annotator gave the same value everywhere, so chance agreement is total"
NO_SPANS = "no spans to compare"
NO_NUMERIC_SCALE = "the threat scale has no numeric values"

Coincidences = Mapping[tuple[Hashable, Hashable], float]


@dataclass(frozen=True, slots=True)
class Figure:
    """One coefficient: its value, its bootstrap 95% interval and, when undefined, why."""

    value: float | None
    low: float | None = None
    high: float | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "low": self.low, "high": self.high, "reason": self.reason}


class Undefined(Exception):
    """A coefficient cannot be computed; the message says why."""


# Krippendorff's alpha.


def coincidences_of(units: Iterable[Iterable[Hashable]], weight: float = 1.0) -> dict:
    """The coincidence matrix of the units' values (Krippendorff 2011, "Computing Krippendorff's
    alpha-reliability", section C): units with fewer than two values add nothing."""
    matrix: dict[tuple, float] = defaultdict(float)
    for unit in units:
        counts = Counter(unit)
        m = sum(counts.values())
        if m < 2:
            continue
        for (c, n_c), (k, n_k) in itertools.product(counts.items(), repeat=2):
            pairable = n_c * (n_k - 1) if c == k else n_c * n_k
            if pairable:
                matrix[c, k] += weight * pairable / (m - 1)
    return matrix


def alpha_from_coincidences(
    coincidences: Coincidences, *, level: str = "nominal", values: Mapping | None = None
) -> float:
    """Krippendorff's alpha from a coincidence matrix. `level` is nominal, ordinal (categories
    orderable) or interval (`values` maps each category to its number, else the category is
    the number). Raises Undefined."""
    totals: dict[Any, float] = defaultdict(float)
    for (c, _), o in coincidences.items():
        totals[c] += o
    n = sum(totals.values())
    if n <= 1:
        raise Undefined(NO_UNITS)
    categories = sorted(totals) if level in {"ordinal", "interval"} else list(totals)
    if level == "ordinal":
        position = {v: i for i, v in enumerate(categories)}
        cumulative = list(itertools.accumulate(totals[v] for v in categories))

        def delta(c, k) -> float:
            i, j = sorted((position[c], position[k]))
            between = cumulative[j] - (cumulative[i - 1] if i else 0)
            return (between - (totals[c] + totals[k]) / 2) ** 2

    elif level == "interval":
        number = values or {c: c for c in categories}

        def delta(c, k) -> float:
            return float(number[c] - number[k]) ** 2

    elif level == "nominal":

        def delta(c, k) -> float:
            return 0.0 if c == k else 1.0

    else:
        raise ValueError(f"Unknown level of measurement {level!r}.")
    observed = sum(o * delta(c, k) for (c, k), o in coincidences.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in categories for k in categories) / (
        n - 1
    )
    if expected == 0:
        raise Undefined(NO_VARIATION)
    return 1 - observed / expected


def krippendorff_alpha(
    units: Iterable[Iterable[Hashable]], *, level: str = "nominal"
) -> float | None:
    """Krippendorff's alpha from the values each unit received (missing values left out), or
    None when undefined."""
    try:
        return alpha_from_coincidences(coincidences_of(units), level=level)
    except Undefined:
        return None


# Krippendorff's unitizing alpha (uα).
#
# Krippendorff (1995), "On the reliability of unitizing continuous data", Sociological
# Methodology 25: 47-76. Each coder cuts a continuum of L points into units of a category and
# the gaps between them. Observed disagreement sums, over every pair of coders and every pair of
# their intersecting segments, the squared differences of the two units' beginnings and ends
# (both units), or the unit's squared length (a unit lying inside the other's gap); expected
# disagreement is what all possible placements of the same units would give.


def _segments(units: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """A coder's continuum for one category as (begin, length, is unit), gaps included. Units
    that overlap are merged (uα assumes a coder's units of one category do not overlap); units
    that only touch stay two."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in units):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments, at = [], 0
    for start, end in merged:
        if start > at:
            segments.append((at, start - at, False))
        segments.append((start, end - start, True))
        at = end
    if at < length:
        segments.append((at, length - at, False))
    return segments


def _squared_difference(a: tuple[int, int, bool], b: tuple[int, int, bool]) -> int:
    """Krippendorff's delta squared of two intersecting segments of two coders."""
    (begin_a, length_a, unit_a), (begin_b, length_b, unit_b) = a, b
    if unit_a and unit_b:
        return (begin_a - begin_b) ** 2 + (begin_a + length_a - begin_b - length_b) ** 2
    if unit_a and not unit_b and begin_b <= begin_a and begin_a + length_a <= begin_b + length_b:
        return length_a**2
    if unit_b and not unit_a and begin_a <= begin_b and begin_b + length_b <= begin_a + length_a:
        return length_b**2
    return 0


def _observed_sum(a: list[tuple[int, int, bool]], b: list[tuple[int, int, bool]]) -> int:
    """The sum of delta squared over the intersecting segments of two coders' continua (each
    intersecting pair once: the two continua are walked side by side)."""
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        total += _squared_difference(a[i], b[j])
        end_a, end_b = a[i][0] + a[i][1], b[j][0] + b[j][1]
        i, j = i + (end_a <= end_b), j + (end_b <= end_a)
    return total


def unitizing_disagreements(
    length: int, coders: Sequence[Iterable[tuple[int, int]]]
) -> tuple[float, float]:
    """Krippendorff's observed and expected disagreement of one category on a continuum of
    `length` points, each coder's units given as (start, end), end exclusive."""
    m = len(coders)
    continua = [_segments(units, length) for units in coders]
    observed = sum(
        _observed_sum(continua[i], continua[j]) for i, j in itertools.combinations(range(m), 2)
    )
    units = [size for continuum in continua for _, size, unit in continuum if unit]
    gaps = sorted(size for continuum in continua for _, size, unit in continuum if not unit)
    # For each unit length l: the sum of (g - l + 1) over the gaps g >= l, from suffix sums.
    count_from, sum_from = [0] * (len(gaps) + 1), [0] * (len(gaps) + 1)
    for index in range(len(gaps) - 1, -1, -1):
        count_from[index] = count_from[index + 1] + 1
        sum_from[index] = sum_from[index + 1] + gaps[index]
    n = len(units)
    placements = 0
    for size in units:
        first = bisect.bisect_left(gaps, size)
        in_gaps = sum_from[first] - (size - 1) * count_from[first]
        # l(l-1)(2l-1) is six times a sum of squares: the division is exact.
        placements += (n - 1) * size * (size - 1) * (2 * size - 1) // 3 + size * size * in_gaps
    cells = m * length * (m * length - 1) - sum(size * (size - 1) for size in units)
    expected = 2 * placements / (length * cells) if cells > 0 else 0.0
    return 2 * observed / (m * (m - 1) * length * length), expected


def unitizing_alpha(
    length: int, coders: Sequence[Sequence[tuple[int, int, Hashable]]], *, only: Hashable = None
) -> float:
    """Krippendorff's uα of the coders' spans (start, end, category) on a continuum of
    `length`: 1 - the observed over the expected disagreement, each summed over the categories
    used (with `only`, of that category alone)."""
    if len(coders) < 2 or length <= 0:
        raise Undefined(NO_UNITS)
    categories = {
        c
        for spans in coders
        for s, e, c in spans
        if (only is None or c == only) and max(s, 0) < min(e, length)  # a unit on the continuum
    }
    if not categories:
        raise Undefined(NO_SPANS)
    observed = expected = 0.0
    for category in categories:
        units = [[(s, e) for s, e, c in spans if c == category] for spans in coders]
        o, e = unitizing_disagreements(length, units)
        observed, expected = observed + o, expected + e
    if expected == 0:
        raise Undefined(NO_VARIATION)
    return 1 - observed / expected


# Cohen's kappa and Gwet's AC1/AC2.


def kappa_from_table(table: Mapping[tuple[Hashable, Hashable], float]) -> float:
    """Cohen's kappa from a contingency table {(coder A's category, coder B's): count}."""
    n = sum(table.values())
    if n == 0:
        raise Undefined(NO_UNITS)
    first: dict[Hashable, float] = defaultdict(float)
    second: dict[Hashable, float] = defaultdict(float)
    for (a, b), count in table.items():
        first[a] += count
        second[b] += count
    observed = sum(count for (a, b), count in table.items() if a == b) / n
    expected = sum(first[c] * second.get(c, 0) for c in first) / (n * n)
    if expected >= 1:
        raise Undefined(NO_VARIATION)
    return (observed - expected) / (1 - expected)


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa for two coders, from (coder A's category, coder B's category) per unit."""
    try:
        return kappa_from_table(Counter(pairs))
    except Undefined:
        return None


def gwet_sums(
    units: Iterable[Iterable[Hashable]],
    weight: Callable[[Hashable, Hashable], float] | None = None,
) -> dict[tuple[str, Hashable], float]:
    """Additive sums for Gwet's AC1 (AC2 with `weight`), after Gwet (2014), Handbook of
    Inter-Rater Reliability, 4th ed., chapter 3 (multiple raters, missing ratings):
    ("pa", None) the sum of each unit's observed agreement over units with two ratings or more,
    ("n2", None) how many such units, ("n", None) units with a rating, ("pi", k) the sum of
    each unit's share of category k."""
    sums: dict[tuple[str, Hashable], float] = defaultdict(float)
    for unit in units:
        counts = Counter(unit)
        r = sum(counts.values())
        if r == 0:
            continue
        sums["n", None] += 1
        for k, r_k in counts.items():
            sums["pi", k] += r_k / r
        if r < 2:
            continue
        sums["n2", None] += 1
        agreement = 0.0
        for k, r_k in counts.items():
            weighted = sum(
                (weight(k, other) if weight else float(k == other)) * r_l
                for other, r_l in counts.items()
            )
            agreement += r_k * (weighted - 1)
        sums["pa", None] += agreement / (r * (r - 1))
    return sums


def gwet_from_sums(
    sums: Mapping[tuple[str, Hashable], float],
    *,
    categories: Sequence[Hashable] | None = None,
    weight: Callable[[Hashable, Hashable], float] | None = None,
) -> float:
    """Gwet's AC1 (AC2 with `weight`) from `gwet_sums`. `categories` are the scale's (default:
    the categories used)."""
    rated, paired = sums.get(("n", None), 0), sums.get(("n2", None), 0)
    if paired == 0:
        raise Undefined(NO_UNITS)
    used = [key for kind, key in sums if kind == "pi"]
    scale = list(categories) if categories is not None else used
    q = len(scale)
    if q < 2:
        raise Undefined(NO_VARIATION)
    pa = sums.get(("pa", None), 0.0) / paired
    total_weight = (
        sum(weight(k, l) for k in scale for l in scale) if weight else float(q)  # noqa: E741
    )
    shares = [sums.get(("pi", k), 0.0) / rated for k in scale]
    pe = total_weight / (q * (q - 1)) * sum(p * (1 - p) for p in shares)
    if pe >= 1:
        raise Undefined(NO_VARIATION)
    return (pa - pe) / (1 - pe)


def quadratic_weight(low: float, high: float) -> Callable[[Hashable, Hashable], float]:
    """Gwet's quadratic weights on a numeric scale from `low` to `high`."""
    span = float(high - low) or 1.0

    def weight(k: Any, other: Any) -> float:
        return 1 - ((k - other) / span) ** 2

    return weight


def gwet_ac(
    units: Iterable[Iterable[Hashable]],
    *,
    categories: Sequence[Hashable] | None = None,
    weight: Callable[[Hashable, Hashable], float] | None = None,
) -> float | None:
    """Gwet's AC1 (AC2 with `weight`) from the ratings each unit received, or None."""
    try:
        return gwet_from_sums(gwet_sums(units, weight), categories=categories, weight=weight)
    except Undefined:
        return None


# The bootstrap: articles resampled with replacement, every figure recomputed per resample.

BOOTSTRAP_RESAMPLES = 200
BOOTSTRAP_SEED = 20260115


def _grouped(keys: Iterable[str]) -> dict[str, list[tuple[tuple[str, ...], int]]]:
    groups: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
    for i, key in enumerate(keys):
        name, *parts = key.split("|")
        groups[name].append((tuple(parts), i))
    return groups


def exact_add(partials: Sequence[float], x: float) -> list[float]:
    """An exact running sum: `partials` (floats, none zero, none overlapping, whose sum is
    exact) with `x` added, after Shewchuk (1997) as in Hettinger's `msum` recipe. The sum is
    `math.fsum(partials)`; an empty list is exactly zero, so adding a value and later
    subtracting it leaves no trace."""
    out: list[float] = []
    for y in partials:
        if abs(x) < abs(y):
            x, y = y, x
        high = x + y
        low = y - (high - x)
        if low:
            out.append(low)
        x = high
    if x:
        out.append(x)
    return out if math.fsum(out) else []


def exact_partials(values: Sequence[float]) -> list[float]:
    """The exact sum of `values` as floats whose sum is exact (smallest first), for
    `exact_add`: each round takes the correctly rounded sum of what is left."""
    rest, partials = list(values), []
    while remainder := math.fsum(rest):
        partials.append(remainder)
        rest.append(-remainder)
    return partials[::-1]


class Stats:
    """Additive statistics as one vector, read by group: key "group|a|b" -> value."""

    def __init__(self, vector: np.ndarray, groups: Mapping[str, list[tuple[tuple[str, ...], int]]]):
        self.vector = vector
        self.groups = groups

    @classmethod
    def of(cls, values: Mapping[str, float]) -> Stats:
        """The statistics of a mapping key -> value (zeros left out)."""
        keys = [key for key, value in values.items() if value]
        return cls(np.array([values[k] for k in keys], dtype=float), _grouped(keys))

    def group(self, name: str) -> list[tuple[tuple[str, ...], float]]:
        vector = self.vector
        return [(parts, float(vector[i])) for parts, i in self.groups.get(name, ()) if vector[i]]


Measure = Callable[[Stats], float]


class Table:
    """Many articles' additive statistics (one row each), summed and resampled."""

    def __init__(self, rows: Sequence[Mapping[str, float]]):
        index: dict[str, int] = {}
        data: list[float] = []
        columns: list[int] = []
        pointers = [0]
        for row in rows:
            for key, value in row.items():
                columns.append(index.setdefault(key, len(index)))
                data.append(value)
            pointers.append(len(columns))
        self.rows = len(rows)
        self.keys = list(index)
        self.matrix = sparse.csr_matrix(
            (data, columns, pointers), shape=(len(rows), max(len(index), 1))
        )
        self.groups = _grouped(self.keys)

    def _columns(self) -> Iterator[tuple[str, list[float]]]:
        columns = self.matrix.tocsc()
        data, pointers = columns.data, columns.indptr
        for i, key in enumerate(self.keys):
            yield key, data[pointers[i] : pointers[i + 1]].tolist()

    def sums(self) -> dict[str, float]:
        """Each statistic summed over the rows, correctly rounded (`math.fsum`); zeros left
        out. Running totals kept with `exact_add` come out the same to the last bit."""
        sums = {key: math.fsum(values) for key, values in self._columns()}
        return {key: value for key, value in sums.items() if value}

    def partials(self) -> dict[str, list[float]]:
        """Each statistic's exact sum over the rows, as `exact_add` keeps it; zeros left out."""
        partials = {key: exact_partials(values) for key, values in self._columns()}
        return {key: value for key, value in partials.items() if value}

    def total(self) -> Stats:
        return Stats.of(self.sums())

    def resamples(self, count: int, seed: int) -> list[Stats]:
        if self.rows == 0:
            return []
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(self.rows, [1 / self.rows] * self.rows, size=count)
        sums = sparse.csr_matrix(weights) @ self.matrix
        dense = sums.toarray()
        return [Stats(dense[b], self.groups) for b in range(count)]


def evaluate(
    measure: Measure, total: Stats, resamples: Sequence[Stats], *, digits: int = 4
) -> Figure:
    """The measure on the totals, with the 2.5th and 97.5th percentiles over the resamples
    (those where it is defined)."""
    try:
        value = measure(total)
    except Undefined as undefined:
        return Figure(None, reason=str(undefined))
    samples = []
    for resample in resamples:
        try:
            samples.append(measure(resample))
        except Undefined:
            continue
    if not samples:
        return Figure(round(float(value), digits))
    low, high = np.percentile(samples, [2.5, 97.5])
    return Figure(
        round(float(value), digits), round(float(low), digits), round(float(high), digits)
    )
