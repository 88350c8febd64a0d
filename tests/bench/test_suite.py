"""The benchmark harness on tiny data: every measurement runs and the report names every target.
Figures are not checked (timings are not tests); that each is there is."""

from bench.__main__ import failures, table, targets
from bench.suite import EXPORT_FORMATS, MEASUREMENTS, run_suite

FIELDS = {
    "import": {"articles_per_s", "spans_per_s", "peak_mb"},
    "export_baseline": {"spans_per_s"},
    "export_jsonl": {"spans_per_s", "peak_mb", "ratio_to_baseline"},
    **{f"export_{format}": {"spans_per_s"} for format in EXPORT_FORMATS},
    "release": {"seconds"},
    "annotate_page_80": {"median_ms", "p95_ms", "queries"},
    "annotate_page_1000": {"median_ms", "p95_ms", "queries"},
    "span_create_htmx": {"median_ms", "p95_ms"},
    "span_create_api": {"median_ms", "p95_ms"},
    "queue_next": {
        f"{order} {figure}"
        for order in ("oldest", "uncertainty")
        for figure in ("median_ms", "p95_ms", "queries")
    },
    "agreement": {
        "seconds",
        "dashboard_p95_ms",
        "dashboard_queries",
        "update_seconds",
        "task_seconds",
        "intervals_seconds",
    },
    "suggestions_3000": {"median_ms", "p95_ms", "proposals_p95_ms", "suggestions", "compile_ms"},
    "suggestions_50000": {"median_ms", "p95_ms", "proposals_p95_ms", "suggestions", "compile_ms"},
    # Measured on projects of 50 articles or more (bench.learning): here only "unavailable".
    "learning": {"unavailable"},
    "adjudication": {
        f"{n} {what} {figure}"
        for n in (80, 1000)
        for what in ("items", "decision")
        for figure in ("median_ms", "p95_ms", "queries")
    },
}


def test_it_measures_every_figure_and_reports_every_target(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    results = run_suite([3, 4], repeats=1, workdir=tmp_path / "work", log=lambda line: None)

    assert set(MEASUREMENTS) == set(FIELDS)
    for size in ("3", "4"):
        figures = results["sizes"][size]
        for name, fields in FIELDS.items():
            assert fields <= set(figures[name]), (size, name, figures[name])
    figures = results["sizes"]["4"]
    assert figures["import"]["articles"] == 4
    assert figures["import"]["spans"] > 4 * 50
    assert figures["export_jsonl"]["spans"] == figures["export_bio"]["spans"] > 4 * 50

    databases = {"sqlite": results}
    checks = targets(databases)
    assert len(checks) == 18 + len(EXPORT_FORMATS)
    assert all(check["met"] is not None for check in checks), checks
    assert failures(databases) == []
    assert "annotate_page_1000 queries" in table(databases)
