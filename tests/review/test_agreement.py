"""Agreement figures against independent references: the `krippendorff` package,
scikit-learn's `cohen_kappa_score` (test-only dependencies) and published worked examples:

- Krippendorff (2011), "Computing Krippendorff's alpha-reliability": nominal alpha = 0.743 on
  the four observers x twelve units example;
- Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., the same four raters x twelve
  units ("cac.raw4raters" in Gwet's irrCAC): AC1 = 0.77544, AC2 with quadratic weights =
  0.91400 (the values irrCAC's own tests assert)."""

import math
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotations import agreement, services
from annotations.agreement import project_agreement, unitizing_coincidences
from annotations.coefficients import (
    NO_SPANS,
    NO_UNITS,
    NO_VARIATION,
    Table,
    Undefined,
    alpha_from_coincidences,
    cohen_kappa,
    evaluate,
    gwet_ac,
    krippendorff_alpha,
    quadratic_weight,
    unitizing_alpha,
    unitizing_disagreements,
)
from annotations.models import AnnotationSet, ArticleAgreement, ProjectAgreement
from tests.factories import ArticleFactory, MembershipFactory

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the nominal example:
# four observers, twelve units, some values missing.
KRIPPENDORFF_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def _units(matrix):
    """Columns of a coders x units matrix, without the missing values."""
    return [[v for v in column if not math.isnan(v)] for column in zip(*matrix, strict=True)]


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_it_matches_krippendorff_on_the_published_example(level):
    expected = krippendorff.alpha(
        reliability_data=np.array(KRIPPENDORFF_EXAMPLE), level_of_measurement=level
    )
    assert krippendorff_alpha(_units(KRIPPENDORFF_EXAMPLE), level=level) == pytest.approx(expected)
    if level == "nominal":
        assert krippendorff_alpha(_units(KRIPPENDORFF_EXAMPLE)) == pytest.approx(0.743, abs=1e-3)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_it_matches_krippendorff_on_random_data(seed, level):
    rng = random.Random(seed)
    matrix = [
        [rng.choice([0, 1, 2, 3, 4, NAN]) for _ in range(40)] for _ in range(rng.randint(2, 5))
    ]
    expected = krippendorff.alpha(
        reliability_data=np.array(matrix, dtype=float), level_of_measurement=level
    )
    assert krippendorff_alpha(_units(matrix), level=level) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(5))
def test_it_matches_scikit_learn_kappa(seed):
    rng = random.Random(seed)
    first = [rng.choice("abcd") for _ in range(60)]
    second = [x if rng.random() < 0.6 else rng.choice("abcd") for x in first]
    assert cohen_kappa(zip(first, second, strict=True)) == pytest.approx(
        cohen_kappa_score(first, second)
    )


def test_it_matches_gwets_handbook_example_for_ac1_and_ac2():
    units = _units(KRIPPENDORFF_EXAMPLE)
    assert gwet_ac(units) == pytest.approx(0.77544, abs=1e-5)
    assert gwet_ac(units, weight=quadratic_weight(1, 5)) == pytest.approx(0.91400, abs=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_it_matches_krippendorff_interval_alpha(seed):
    rng = random.Random(seed)
    matrix = [[rng.choice([0.0, 0.5, 2.0, 7.5, NAN]) for _ in range(30)] for _ in range(3)]
    expected = krippendorff.alpha(
        reliability_data=np.array(matrix), level_of_measurement="interval"
    )
    assert krippendorff_alpha(_units(matrix), level="interval") == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(4))
def test_unitizing_alpha_is_alpha_over_code_points(seed):
    """Spans as a continuum: the same as the krippendorff package over one unit per code
    point, valued by the labels covering it (0 for none)."""
    rng = random.Random(seed)
    length = 60
    coders = []
    for _ in range(rng.randint(2, 4)):
        spans = []
        for _ in range(rng.randint(1, 5)):
            start = rng.randrange(0, length - 1)
            spans.append((start, rng.randint(start + 1, min(length, start + 15)), rng.choice("ab")))
        coders.append(spans)
    codes: dict[str, int] = {"-": 0}

    def code(point, spans):
        labels = "+".join(sorted({label for s, e, label in spans if s <= point < e})) or "-"
        return codes.setdefault(labels, len(codes))

    matrix = [[code(point, spans) for point in range(length)] for spans in coders]
    expected = krippendorff.alpha(
        reliability_data=np.array(matrix, dtype=float), level_of_measurement="nominal"
    )
    assert alpha_from_coincidences(unitizing_coincidences(length, coders)) == pytest.approx(
        expected
    )
    binary = [
        [int(any(s <= p < e and lab == "a" for s, e, lab in c)) for p in range(length)]
        for c in coders
    ]
    if len({v for row in binary for v in row}) > 1:
        assert alpha_from_coincidences(
            unitizing_coincidences(length, coders, only="a")
        ) == pytest.approx(
            krippendorff.alpha(
                reliability_data=np.array(binary, dtype=float), level_of_measurement="nominal"
            )
        )


# Krippendorff (1995), "On the reliability of unitizing continuous data", Sociological
# Methodology 25: 47-76, p. 57: four pairs of observers unitize a continuum of 24; (start, end).
KRIPPENDORFF_1995 = {
    "A": [[(2, 10), (14, 20)], [(4, 8), (15, 17)]],
    "B": [[(0, 18)], [(0, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 9), (9, 10)]],
    "C": [
        [(2, 8), (10, 12), (14, 18), (20, 22)],
        [(0, 2), (4, 8), (10, 14), (16, 18), (20, 22)],
    ],
    "D": [
        [(0, 2), (2, 10), (10, 14), (14, 20), (20, 24)],
        [(0, 4), (4, 8), (8, 15), (15, 17), (17, 24)],
    ],
}


@pytest.mark.parametrize(
    ("example", "scotts_pi"), [("A", 0.314), ("B", 0.314), ("C", 0.314), ("D", None)]
)
def test_unitizing_alpha_matches_krippendorffs_digitized_example(example, scotts_pi):
    """Krippendorff (1995) digitizes his example (one unit per point of the continuum) and
    reports Scott's pi of .314 for A, B and C (D has no variation): the reading our unitizing
    alpha takes. With 2N = 48 values, alpha = 1 - (1 - pi) * 47 / 48 (0.329 for A, as DKPro
    Statistics' Krippendorff1995Test has it). Krippendorff's own unitizing alpha tells the four
    apart (.553, -.926, .679, .066) because it sees where units begin and end; digitized, B's
    seven adjacent units are one run, which is why A, B and C come out the same here."""
    coders = [[(s, e, "x") for s, e in spans] for spans in KRIPPENDORFF_1995[example]]
    coincidences = unitizing_coincidences(24, coders, only="x")
    by_label = unitizing_coincidences(24, coders)  # one label: the same as "x or not"
    assert sorted(coincidences.values()) == sorted(by_label.values())
    if scotts_pi is None:
        with pytest.raises(Undefined, match="chance agreement is total"):
            alpha_from_coincidences(coincidences)
        return
    alpha = alpha_from_coincidences(coincidences)
    assert 1 - (1 - alpha) * 48 / 47 == pytest.approx(scotts_pi, abs=5e-4)
    if example == "A":
        assert alpha == pytest.approx(0.329, abs=5e-4)


# Krippendorff's uα. The paper publishes it for examples A-D (.553, -.926, .679, .066),
# computed for a continuum of points of no width; the formula counts whole points, so the
# examples are stretched 1,000 times to approach the continuum. DKPro Statistics'
# Krippendorff1995Test, an independent implementation, checks its own against the same four
# values within 0.02 (noting a slip in the paper's expected disagreement for C, where both
# implementations give 0.693) and asserts the observed disagreements below on the example as
# printed (A by hand: ((2² + 2²) + (1² + 3²)) x 2 / (2 x 1 x 24²) = 0.03125).
@pytest.mark.parametrize(
    ("example", "published", "observed"),
    [("A", 0.553, 0.03125), ("B", -0.926, 2.26736), ("C", 0.679, 0.02778), ("D", 0.066, 0.38715)],
)
def test_unitizing_alpha_u_matches_krippendorffs_published_example(example, published, observed):
    units = KRIPPENDORFF_1995[example]
    assert unitizing_disagreements(24, units)[0] == pytest.approx(observed, abs=1e-5)
    stretched = [[(s * 1000, e * 1000, "x") for s, e in spans] for spans in units]
    assert unitizing_alpha(24_000, stretched) == pytest.approx(published, abs=0.015)


def test_unitizing_disagreements_on_small_continua_exactly():
    """Where stretching cannot hide an off-by-one: example C at half scale (12 points), whose
    expected disagreement DKPro's Krippendorff1995Test asserts as 0.05494, and a unit that
    exactly fills the other coder's gap, by hand: observed 2 x (5² + 5²) / (2 x 1 x 10²) = 0.5;
    expected (2 / 10) x 2 x [(2 - 1)(2·5³ - 3·5² + 5) / 3 + 5² x 1] / (20 x 19 - 2 x 5 x 4)
    = 0.2 x 220 / 340."""
    half_c = [[(1, 4), (5, 6), (7, 9), (10, 11)], [(0, 1), (2, 4), (5, 7), (8, 9), (10, 11)]]
    assert unitizing_disagreements(12, half_c)[1] == pytest.approx(0.05494, abs=1e-5)
    observed, expected = unitizing_disagreements(10, [[(0, 5)], [(5, 10)]])
    assert observed == pytest.approx(0.5, abs=1e-12)
    assert expected == pytest.approx(0.2 * 220 / 340, abs=1e-12)


def test_unitizing_alpha_u_sees_the_boundaries_the_digitized_alpha_does_not():
    """B: one long unit against seven short adjacent ones covering part of it. Digitized, the
    seven are one run and alpha equals A's; uα counts every boundary and falls below zero."""
    coders = {name: [[(s, e, "x") for s, e in c] for c in KRIPPENDORFF_1995[name]] for name in "AB"}
    digitized = {
        name: alpha_from_coincidences(unitizing_coincidences(24, coded))
        for name, coded in coders.items()
    }
    assert digitized["A"] == pytest.approx(digitized["B"], abs=1e-9)
    alpha_u = {name: unitizing_alpha(24, coded) for name, coded in coders.items()}
    assert alpha_u["B"] < 0 < alpha_u["A"]


def test_unitizing_alpha_u_properties():
    same = [[(10, 20, "a"), (30, 35, "b")], [(10, 20, "a"), (30, 35, "b")]]
    assert unitizing_alpha(50, same) == 1.0
    shifted = [[(10, 20, "a")], [(12, 22, "a")]]
    apart = [[(10, 20, "a")], [(30, 40, "a")]]
    assert unitizing_alpha(50, apart) < unitizing_alpha(50, shifted) < 1.0
    # The order of the coders does not matter, with three as with two.
    three = [[(0, 8, "a"), (20, 30, "b")], [(2, 8, "a")], [(1, 9, "a"), (22, 30, "b")]]
    assert unitizing_alpha(40, three) == pytest.approx(unitizing_alpha(40, three[::-1]))
    # Per category: "b" alone, and every category summed.
    assert unitizing_alpha(40, three, only="b") != unitizing_alpha(40, three)
    # A coder's overlapping units of one category are merged (uα assumes they do not overlap);
    # units that only touch stay two.
    assert unitizing_alpha(40, [[(0, 10, "a"), (5, 15, "a")], [(0, 15, "a")]]) == 1.0
    assert unitizing_alpha(40, [[(0, 5, "a"), (5, 15, "a")], [(0, 15, "a")]]) < 1.0


def test_unitizing_alpha_u_says_why_it_is_undefined():
    with pytest.raises(Undefined, match=NO_UNITS):
        unitizing_alpha(40, [[(0, 5, "a")]])
    with pytest.raises(Undefined, match=NO_SPANS):
        unitizing_alpha(40, [[], []])
    with pytest.raises(Undefined, match=NO_SPANS):
        unitizing_alpha(40, [[(0, 5, "a")], [(0, 5, "a")]], only="b")
    # Every point a one-point unit of both coders: no other placement, no expected disagreement.
    with pytest.raises(Undefined, match="chance agreement is total"):
        unitizing_alpha(2, [[(0, 1, "a"), (1, 2, "a")], [(0, 1, "a"), (1, 2, "a")]])


def test_partial_overlap_earns_partial_agreement():
    both = [[(10, 20, "a")], [(10, 20, "a")]]
    half = [[(10, 20, "a")], [(15, 25, "a")]]
    apart = [[(10, 20, "a")], [(30, 40, "a")]]
    values = [alpha_from_coincidences(unitizing_coincidences(50, c)) for c in (both, half, apart)]
    assert values[0] == 1.0
    assert values[2] < values[1] < values[0]


def test_the_bootstrap_interval_is_seeded_and_brackets_the_value():
    rng = random.Random(3)
    rows = []
    for _ in range(40):
        a = rng.choice("xy")
        rows.append({f"u|{a}|{a if rng.random() < 0.8 else 'xy'.replace(a, '')}": 1.0})
    symmetric = []
    for row in rows:
        ((key, value),) = row.items()
        _, c, k = key.split("|")
        symmetric.append({f"u|{c}|{k}": value, f"u|{k}|{c}": value})

    def measure(stats):
        return alpha_from_coincidences(agreement._coincidences(stats, "u"))

    table = Table(symmetric)
    first = evaluate(measure, table.total(), table.resamples(200, 5))
    again = evaluate(measure, table.total(), table.resamples(200, 5))
    assert first == again
    assert first.low < first.value < first.high


def test_it_says_why_a_figure_is_undefined():
    table = Table([{"u|x|x": 4.0}])
    figure = evaluate(
        lambda stats: alpha_from_coincidences(agreement._coincidences(stats, "u")),
        table.total(),
        table.resamples(10, 1),
    )
    assert figure.value is None and figure.reason == NO_VARIATION
    with pytest.raises(Undefined):
        alpha_from_coincidences({})


def test_it_calls_undefined_figures_none():
    assert cohen_kappa([]) is None
    assert cohen_kappa([("a", "a"), ("a", "a")]) is None
    assert krippendorff_alpha([[1, 1], [1, 1, 1]]) is None
    assert krippendorff_alpha([[1], [2]]) is None


LABELS = ["actor", "location", "event"]


@pytest.fixture
def coded_project(project, manager):
    """Three annotators label the same ten word ranges on each of four articles, at random;
    each also marks a few ranges of their own."""
    rng = random.Random(7)
    annotators = [
        MembershipFactory(project=project, role="annotator", user__username=f"coder{i}").user
        for i in range(3)
    ]
    labels = {name: project.labels.get(name=name) for name in LABELS}
    levels = list(project.threat_levels.order_by("rank"))
    body = " ".join(f"word{i:02d}" for i in range(30))
    coded = {}  # (annotator, article, start) -> label id
    threat = {}
    for n in range(4):
        article = ArticleFactory(project=project, body=f"{n} {body}")
        for annotator in annotators:
            annotation_set = AnnotationSet.objects.create(article=article, annotator=annotator)
            for word in range(12):
                if rng.random() < 0.2:
                    continue
                start = 2 + word * 7
                label = labels[rng.choice(LABELS)]
                services.span_create(
                    annotation_set=annotation_set,
                    start=start,
                    end=start + 6,
                    quote=article.body[start : start + 6],
                    label=label,
                )
                coded[annotator.pk, article.pk, start] = label.pk
            level = rng.choice(levels[:3])
            services.threat_assessment_set(annotation_set=annotation_set, level=level)
            threat[annotator.pk, article.pk] = level.rank
            services.annotation_set_submit(annotation_set=annotation_set)
    return annotators, coded, threat


def test_it_computes_project_agreement_like_the_references(
    project, coded_project, django_assert_max_num_queries
):
    annotators, coded, threat = coded_project
    figures = project_agreement(project)
    with django_assert_max_num_queries(1):  # what the agreement page reads: one row
        assert project_agreement(project) == figures

    units = sorted({(article, start) for _, article, start in coded})
    matrix = [[coded.get((a.pk, *unit), NAN) for unit in units] for a in annotators]
    overall = figures["overall"]
    assert overall["label_alpha"]["value"] == pytest.approx(
        krippendorff.alpha(
            reliability_data=np.array(matrix, dtype=float), level_of_measurement="nominal"
        ),
        abs=1e-4,
    )
    articles = sorted({article for _, article in threat})
    threat_matrix = [[threat[a.pk, article] for article in articles] for a in annotators]
    assert overall["threat_level_alpha"]["value"] == pytest.approx(
        krippendorff.alpha(
            reliability_data=np.array(threat_matrix, dtype=float), level_of_measurement="ordinal"
        ),
        abs=1e-4,
    )
    first, second = annotators[0].pk, annotators[1].pk
    both = [u for u in units if (first, *u) in coded and (second, *u) in coded]
    pair = next(p for p in figures["pairs"] if p["annotator_ids"] == [first, second])
    first_labels = [coded[first, *u] for u in both]
    second_labels = [coded[second, *u] for u in both]
    assert pair["label_kappa"]["value"] == pytest.approx(
        cohen_kappa_score(first_labels, second_labels), abs=1e-4
    )
    assert pair["label_ac1"]["value"] == pytest.approx(
        gwet_ac(zip(first_labels, second_labels, strict=True)), abs=1e-4
    )
    low, high = pair["label_kappa"]["low"], pair["label_kappa"]["high"]
    assert low <= pair["label_kappa"]["value"] <= high
    mine = {(u, coded[first, *u]) for u in units if (first, *u) in coded}
    theirs = {(u, coded[second, *u]) for u in units if (second, *u) in coded}
    assert pair["exact_f1"]["value"] == pytest.approx(
        2 * len(mine & theirs) / (len(mine) + len(theirs)), abs=1e-4
    )
    assert pair["articles"] == 4
    assert len(figures["pairs"]) == 3
    assert {row["label"] for row in figures["labels"]} == set(LABELS)
    assert figures["trend"][0]["articles"] == 4


def submitted_set(article, user, spans):
    """`user`'s set on `article` with `spans` ((start, end, label), ...), handed in."""
    annotation_set = AnnotationSet.objects.create(article=article, annotator=user)
    for start, end, label in spans:
        services.span_create(
            annotation_set=annotation_set,
            start=start,
            end=end,
            quote=article.body[start:end],
            label=label,
        )
    services.annotation_set_submit(annotation_set=annotation_set)
    return annotation_set


def test_it_counts_overlapping_spans_of_the_same_label(project, annotator, annotator2, article):
    label = project.labels.get(name="actor")
    other = project.labels.get(name="location")
    marks = {
        annotator: [(21, 34, label), (0, 7, label)],
        annotator2: [(28, 34, label), (0, 7, other)],
    }
    for user, spans in marks.items():
        submitted_set(article, user, spans)
    figures = project_agreement(project)
    assert figures["overall"]["exact_f1"]["value"] == 0.0
    assert figures["overall"]["overlap_f1"]["value"] == 0.5
    # One article: no interval (resampling it gives it back every time), not [0.5, 0.5].
    assert (figures["overall"]["overlap_f1"]["low"], figures["overall"]["overlap_f1"]["high"]) == (
        None,
        None,
    )
    by_label = {row["label"]: row for row in figures["labels"]}
    assert by_label["actor"]["overlap_f1"]["value"] == pytest.approx(2 / 3, abs=1e-4)
    assert by_label["location"]["overlap_f1"]["value"] == 0.0
    # Krippendorff's uα: the one article is the continuum, these two the coders.
    coded = [[(s, e, lab.pk) for s, e, lab in spans] for spans in marks.values()]
    length = len(article.body)
    assert figures["overall"]["unitizing_alpha_u"]["value"] == pytest.approx(
        unitizing_alpha(length, coded),
        abs=5e-5,  # figures are stored to 4 decimals
    )
    assert by_label["actor"]["unitizing_alpha_u"]["value"] == pytest.approx(
        unitizing_alpha(length, coded, only=label.pk), abs=5e-5
    )
    [pair] = figures["pairs"]
    assert pair["unitizing_alpha_u"] == figures["overall"]["unitizing_alpha_u"]


def test_alpha_u_over_articles_is_the_mean_of_those_where_it_is_defined(
    project, annotator, annotator2
):
    """Three articles by the same two annotators: the same span (uα 1), spans apart (uα
    below 0) and no span at all (uα undefined): the project's uα is the mean of the first two.
    A row from before uα makes every uα figure n/a, saying so, rather than a partial mean."""
    label = project.labels.get(name="actor")
    body = "Peskov warned NATO on Tuesday, and the Kremlin repeated the warning later on."
    spans = [
        {annotator: [(0, 6)], annotator2: [(0, 6)]},
        {annotator: [(0, 6)], annotator2: [(40, 47)]},
        {annotator: [], annotator2: []},
    ]
    expected = []
    for number, marks in enumerate(spans):
        article = ArticleFactory(project=project, body=f"{body} {number}")
        for user, ranges in marks.items():
            submitted_set(article, user, [(start, end, label) for start, end in ranges])
        coded = [[(s, e, label.pk) for s, e in ranges] for ranges in marks.values()]
        if any(coded):
            expected.append(unitizing_alpha(len(article.body), coded))
    assert expected[0] == 1.0 and expected[1] < 0
    figures = agreement.refresh_all(project).figures
    assert figures["articles"] == 3
    alpha_u = figures["overall"]["unitizing_alpha_u"]
    assert alpha_u["value"] == pytest.approx(sum(expected) / 2, abs=5e-5)
    assert alpha_u["low"] <= alpha_u["value"] <= alpha_u["high"]

    old = ArticleAgreement.objects.filter(project=project).first()
    old.stats = {k: v for k, v in old.stats.items() if not k.startswith("ua")}
    old.save(update_fields=["stats"])
    figures = agreement.refresh_project(project).figures
    for figure in (
        figures["overall"]["unitizing_alpha_u"],
        figures["labels"][0]["unitizing_alpha_u"],
        figures["pairs"][0]["unitizing_alpha_u"],
    ):
        assert figure["value"] is None
        assert figure["reason"].startswith("computed for 2 of 3 articles so far")
    assert figures["overall"]["unitizing_alpha"]["value"] is not None


def test_it_leaves_out_sets_not_handed_in_and_gold(project, annotation_set, mark):
    mark(annotation_set, "Kremlin", "actor")
    figures = project_agreement(project)
    assert figures["articles"] == 0
    assert figures["pairs"] == []
    assert figures["overall"]["label_alpha"]["value"] is None
    assert figures["overall"]["label_alpha"]["reason"] == "no unit was coded by two annotators"
    assert "no numeric values" in figures["overall"]["threat_level_interval_alpha"]["reason"]


def test_a_hand_in_updates_the_stored_figures_in_the_background(
    project, annotator, annotator2, article, mark, django_capture_on_commit_callbacks
):
    assert project_agreement(project)["articles"] == 0
    for user in (annotator, annotator2):
        annotation_set = AnnotationSet.objects.create(article=article, annotator=user)
        mark(annotation_set, "Kremlin", "actor")
        with django_capture_on_commit_callbacks(execute=True):
            services.annotation_set_submit(annotation_set=annotation_set, user=user)
    stored = ProjectAgreement.objects.get(project=project).figures
    assert stored["articles"] == 1
    assert stored["overall"]["exact_f1"]["value"] == 1.0
    assert article.agreement.coders == 2


def test_a_label_with_alpha_u_in_one_article_has_no_interval(project, annotator, annotator2):
    actor = project.labels.get(name="actor")
    location = project.labels.get(name="location")
    body = "Peskov warned NATO on Tuesday, and the Kremlin repeated the warning later on."
    for number, marks in enumerate([[(0, 6, actor), (40, 47, location)], [(0, 6, actor)]]):
        article = ArticleFactory(project=project, body=f"{body} {number}")
        for user in (annotator, annotator2):
            submitted_set(article, user, marks)
    figures = agreement.refresh_all(project).figures
    by_label = {row["label"]: row["unitizing_alpha_u"] for row in figures["labels"]}
    assert by_label["location"]["value"] == 1.0
    assert (by_label["location"]["low"], by_label["location"]["high"]) == (None, None)
    assert (by_label["actor"]["low"], by_label["actor"]["high"]) == (1.0, 1.0)


def test_figures_stored_before_alpha_u_show_it_as_not_computed(
    client, project, reviewer, annotator, annotator2, article
):
    label = project.labels.get(name="actor")
    for user in (annotator, annotator2):
        submitted_set(article, user, [(0, 7, label)])
    stored = agreement.refresh_all(project)
    for figures in (stored.figures, stored.intervals):  # as an earlier version stored them
        figures["overall"].pop("unitizing_alpha_u", None)
        for section in ("labels", "pairs", "guidelines", "trend"):
            for row in figures[section]:
                row.pop("unitizing_alpha_u", None)
    stored.save()
    client.force_login(reviewer)
    response = client.get(f"/projects/{project.slug}/review/agreement/")
    assert response.status_code == 200
    assert "n/a (not computed yet: `python manage.py refresh_quality` computes it)" in (
        response.content.decode().replace("&#x60;", "`")
    )
