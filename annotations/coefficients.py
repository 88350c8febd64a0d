"""The agreement coefficients, as pure functions of counts that add up over articles.

Each coefficient is computed from *additive* statistics: a coincidence matrix (Krippendorff's
alpha), a contingency table (Cohen's kappa), per-unit sums (Gwet's AC1/AC2), matched and total
spans (F1). Per-article statistics summed give the project's, which is what lets
annotations.agreement keep them per article and update one article at a time, and what makes a
bootstrap over articles cheap (a resample is a weighted sum of the articles' rows).

An undefined figure is a `Figure` with value None and the reason, never 0.0.
"""

from __future__ import annotations

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
