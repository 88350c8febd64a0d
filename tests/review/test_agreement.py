"""Agreement figures against independent references: the `krippendorff` package and
scikit-learn's `cohen_kappa_score` (test-only dependencies)."""

import math
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotations import services
from annotations.agreement import cohen_kappa, krippendorff_alpha, project_agreement
from annotations.models import AnnotationSet
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
    with django_assert_max_num_queries(6):
        figures = project_agreement(project)

    units = sorted({(article, start) for _, article, start in coded})
    matrix = [[coded.get((a.pk, *unit), NAN) for unit in units] for a in annotators]
    assert figures["label_alpha"] == pytest.approx(
        krippendorff.alpha(
            reliability_data=np.array(matrix, dtype=float), level_of_measurement="nominal"
        ),
        abs=1e-4,
    )
    articles = sorted({article for _, article in threat})
    threat_matrix = [[threat[a.pk, article] for article in articles] for a in annotators]
    assert figures["threat_level_alpha"] == pytest.approx(
        krippendorff.alpha(
            reliability_data=np.array(threat_matrix, dtype=float), level_of_measurement="ordinal"
        ),
        abs=1e-4,
    )
    first, second = annotators[0].pk, annotators[1].pk
    both = [u for u in units if (first, *u) in coded and (second, *u) in coded]
    pair = next(p for p in figures["pairs"] if p["annotator_ids"] == [first, second])
    assert pair["label_kappa"] == pytest.approx(
        cohen_kappa_score([coded[first, *u] for u in both], [coded[second, *u] for u in both]),
        abs=1e-4,
    )
    mine = {(u, coded[first, *u]) for u in units if (first, *u) in coded}
    theirs = {(u, coded[second, *u]) for u in units if (second, *u) in coded}
    assert pair["exact_f1"] == pytest.approx(
        2 * len(mine & theirs) / (len(mine) + len(theirs)), abs=1e-4
    )
    assert pair["articles"] == 4
    assert len(figures["pairs"]) == 3
    assert {row["label"] for row in figures["labels"]} == set(LABELS)
    assert figures["trend"][0]["articles"] == 4


def test_it_counts_overlapping_spans_of_the_same_label(project, annotator, annotator2, article):
    label = project.labels.get(name="actor")
    other = project.labels.get(name="location")
    marks = {
        annotator: [(21, 34, label), (0, 7, label)],
        annotator2: [(28, 34, label), (0, 7, other)],
    }
    for user, spans in marks.items():
        annotation_set = AnnotationSet.objects.create(article=article, annotator=user)
        for start, end, span_label in spans:
            services.span_create(
                annotation_set=annotation_set,
                start=start,
                end=end,
                quote=article.body[start:end],
                label=span_label,
            )
        services.annotation_set_submit(annotation_set=annotation_set)
    figures = project_agreement(project)
    assert figures["spans"] == {"exact_f1": 0.0, "overlap_f1": 0.5, "spans": 4}
    by_label = {row["label"]: row for row in figures["labels"]}
    assert by_label["actor"]["overlap_f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert by_label["location"]["overlap_f1"] == 0.0


def test_it_leaves_out_sets_not_handed_in_and_gold(project, annotation_set, mark):
    mark(annotation_set, "Kremlin", "actor")
    figures = project_agreement(project)
    assert figures["articles"] == 0
    assert figures["pairs"] == []
    assert figures["label_alpha"] is None
