"""`python -m bench`: build projects at two sizes on throwaway databases and measure the workbench.

    python -m bench [--sizes 1000,10000] [--postgres] [--smoke] [--output bench-results/latest.json]

Each database is measured in its own process (`python -m bench.suite`): a fresh SQLite file
under var/bench/, and with --postgres (or BENCH_POSTGRES_URL set) a PostgreSQL database that is
dropped and recreated (default postgres://postgres@127.0.0.1:5432/bench_workbench). Prints a
table and the targets met or missed, and writes every figure to a JSON file. Exits non-zero if
a measurement fails.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from bench.databases import (
    POSTGRES_SERVER,
    ROOT,
    WORKDIR,
    postgres_is_up,
    recreate_postgres,
    sqlite_url,
)
from bench.suite import EXPORT_FORMATS

DEFAULT_POSTGRES_URL = POSTGRES_SERVER + "/bench_workbench"
SMOKE_SIZES = "4,8"
SMOKE_REPEATS = 3


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_database(label: str, url: str, args) -> dict:
    """Run the suite in a child process against `url`; its figures, or an error."""
    output = WORKDIR / f"results-{label}.json"
    output.unlink(missing_ok=True)
    media = WORKDIR / f"media-{label}"
    shutil.rmtree(media, ignore_errors=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "MEDIA_ROOT": str(media),
    }
    command = [
        sys.executable,
        "-m",
        "bench.suite",
        "--sizes",
        args.sizes,
        "--repeats",
        str(args.repeats),
        "--output",
        str(output),
    ]
    if args.only:
        command += ["--only", args.only]
    log(f"== {label}: {url}")
    finished = subprocess.run(command, env=env, cwd=ROOT, check=False)
    if finished.returncode != 0 or not output.exists():
        return {"error": f"the suite exited with status {finished.returncode}"}
    return json.loads(output.read_text())


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        memory_kb = 0
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# The report


def rows(databases: dict) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Columns ("sqlite 1000", ...) and one row per figure, in the order measured."""
    columns, cells = [], {}
    order: list[str] = []
    for label, result in databases.items():
        for size, figures in result.get("sizes", {}).items():
            column = f"{label} {size}"
            columns.append(column)
            for name, values in figures.items():
                if "unavailable" in values or "error" in values:
                    key = f"{name}"
                    if key not in order:
                        order.append(key)
                    cells[key, column] = "n/a" if "unavailable" in values else "ERROR"
                    continue
                for field, value in _flat(values):
                    if field.rsplit(".", 1)[-1] in ("n", "articles", "spans"):
                        continue
                    key = f"{name} {field}"
                    if key not in order:
                        order.append(key)
                    cells[key, column] = _cell(value)
    return columns, [(key, [cells.get((key, c), "") for c in columns]) for key in order]


def _flat(values: dict, prefix: str = "") -> list[tuple[str, object]]:
    """(field, value) of a measurement's figures, a nested figure as "field.inner"."""
    flat: list[tuple[str, object]] = []
    for field, value in values.items():
        if isinstance(value, dict):
            flat += _flat(value, f"{prefix}{field}.")
        else:
            flat.append((f"{prefix}{field}", value))
    return flat


def _cell(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return f"{value:,}"
    return value if isinstance(value, str) else json.dumps(value)


def table(databases: dict) -> str:
    columns, body = rows(databases)
    if not columns:
        return "(no figures)"
    width = max([len(k) for k, _ in body] + [6])
    widths = [max(len(c), *(len(r[i]) for _, r in body)) for i, c in enumerate(columns)]
    lines = ["  ".join([" " * width, *(c.rjust(w) for c, w in zip(columns, widths, strict=True))])]
    for key, values in body:
        cells = (v.rjust(w) for v, w in zip(values, widths, strict=True))
        lines.append("  ".join([key.ljust(width), *cells]))
    return "\n".join(lines)


def markdown(report: dict) -> str:
    """The table and the targets as Markdown, for docs/performance.md."""
    columns, body = rows(report["databases"])
    lines = [
        "| figure | " + " | ".join(columns) + " |",
        "| --- |" + " ---: |" * len(columns),
        *(f"| {key} | " + " | ".join(values) + " |" for key, values in body),
        "",
        "| target | database | figure | met |",
        "| --- | --- | --- | --- |",
    ]
    for check in report["targets"]:
        verdict = {True: "yes", False: "**no**", None: "not measured"}[check["met"]]
        lines.append(f"| {check['target']} | {check['database']} | {check['value']} | {verdict} |")
    return "\n".join(lines) + "\n"


def figure(result: dict, size: str, name: str, field: str):
    value = result.get("sizes", {}).get(size, {}).get(name, {}).get(field)
    return value if isinstance(value, int | float) else None


def targets(databases: dict) -> list[dict]:
    """Each target of issue 6, per database, at the largest size measured."""
    checks = []

    def check(text: str, label: str, value, met: bool | None):
        checks.append({"target": text, "database": label, "value": value, "met": met})

    for label, result in databases.items():
        sizes = sorted(result.get("sizes", {}), key=int)
        if not sizes:
            continue
        small, large = sizes[0], sizes[-1]

        def at_least(name, field, limit, text, size=large, result=result, label=label):
            value = figure(result, size, name, field)
            check(text, label, value, None if value is None else value >= limit)

        def below(name, field, limit, text, size=large, result=result, label=label):
            value = figure(result, size, name, field)
            check(text, label, value, None if value is None else value < limit)

        at_least("export_jsonl", "spans_per_s", 250_000, "native JSONL export >= 250,000 spans/s")
        small_peak = figure(result, small, "export_jsonl", "peak_mb")
        large_peak = figure(result, large, "export_jsonl", "peak_mb")
        check(
            f"JSONL export peak memory at {large} within 10% of that at {small}",
            label,
            None if large_peak is None else f"{small_peak} -> {large_peak} MB",
            None if None in (small_peak, large_peak) else large_peak <= 1.1 * small_peak,
        )
        at_least("import", "spans_per_s", 100_000, "pre-annotated JSONL import >= 100,000 spans/s")
        small_import = figure(result, small, "import", "peak_mb")
        large_import = figure(result, large, "import", "peak_mb")
        check(
            f"import peak memory at {large} within 25% of that at {small} (flat with file size)",
            label,
            None if large_import is None else f"{small_import} -> {large_import} MB",
            None if None in (small_import, large_import) else large_import <= 1.25 * small_import,
        )
        for format in EXPORT_FORMATS:
            at_least(
                f"export_{format}", "spans_per_s", 150_000, f"{format} export >= 150,000 spans/s"
            )
        at_least(
            "export_jsonl",
            "ratio_to_baseline",
            0.7,
            "native JSONL export >= 0.7x a plain psycopg + orjson stream of the same rows",
        )
        below("release", "seconds", 20, "release in every format < 20 s")
        below(
            "suggestions_3000",
            "p95_ms",
            300,
            "suggestions, 3,000-character article, 4,000 registry names: p95 < 300 ms",
        )
        below(
            "suggestions_50000",
            "p95_ms",
            1000,
            "suggestions, 50,000-character article, 4,000 registry names: p95 < 1 s",
        )
        below("annotate_page_80", "p95_ms", 30, "annotate page, 80 spans: p95 < 30 ms")
        queries_80 = figure(result, large, "annotate_page_80", "queries")
        check(
            "annotate page, 80 spans: <= 12 queries",
            label,
            queries_80,
            None if queries_80 is None else queries_80 <= 12,
        )
        below("annotate_page_1000", "p95_ms", 150, "annotate page, 1,000 spans: p95 < 150 ms")
        queries_1000 = figure(result, large, "annotate_page_1000", "queries")
        check(
            "annotate page, 1,000 spans: same query count as with 80",
            label,
            queries_1000,
            None if None in (queries_80, queries_1000) else queries_1000 == queries_80,
        )
        below("span_create_htmx", "p95_ms", 15, "span creation (htmx): p95 < 15 ms")
        below("span_create_api", "p95_ms", 15, "span creation (API): p95 < 15 ms")
        # Issue 15: the agreement dashboard reads stored figures; a hand-in shows within seconds.
        below("agreement", "dashboard_p95_ms", 1000, "agreement dashboard: p95 < 1 s")
        below("agreement", "task_seconds", 1, "agreement task to updated point estimates < 1 s")
        below("agreement", "update_seconds", 2, "hand-in to updated point estimates < 2 s")
        below("agreement", "intervals_seconds", 30, "recomputing the intervals < 30 s")
    return checks


def print_report(report: dict) -> None:
    print()
    print(table(report["databases"]))
    print()
    for check in report["targets"]:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[check["met"]]
        print(f"  {verdict:>12}  [{check['database']}] {check['target']}: {check['value']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the workbench; see docs/performance.md.")
    parser.add_argument("--sizes", default="1000,10000", help="articles per project, two sizes")
    parser.add_argument("--repeats", type=int, default=50, help="requests per page measurement")
    parser.add_argument("--postgres", action="store_true", help="measure on PostgreSQL too")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check the harness")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the databases of the last run and its generated projects (with --only)",
    )
    parser.add_argument("--only", default="", help="comma-separated measurement names")
    parser.add_argument("--output", default=str(ROOT / "bench-results" / "latest.json"))
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeats = SMOKE_SIZES, SMOKE_REPEATS
    WORKDIR.mkdir(parents=True, exist_ok=True)
    postgres_url = os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    use_postgres = args.postgres or "BENCH_POSTGRES_URL" in os.environ
    if args.smoke and not use_postgres:
        use_postgres = postgres_is_up(postgres_url)
        if not use_postgres:
            log(f"PostgreSQL is not reachable at {postgres_url}; smoke run on SQLite only")

    if any(int(size) < 3 for size in args.sizes.split(",")):
        parser.error("each size must be at least 3 articles")
    if use_postgres and not postgres_is_up(postgres_url):
        raise SystemExit(
            f"PostgreSQL is not reachable at {postgres_url}: start it, point BENCH_POSTGRES_URL "
            "at a server, or measure SQLite alone with `python -m bench`."
        )
    databases = {}
    if not args.no_sqlite:
        databases["sqlite"] = run_database(
            "sqlite", sqlite_url("bench", fresh=not args.reuse), args
        )
    if use_postgres:
        if not args.reuse:
            recreate_postgres(postgres_url)
        databases["postgresql"] = run_database("postgresql", postgres_url, args)

    report = {
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": [int(size) for size in args.sizes.split(",")],
        "repeats": args.repeats,
        "databases": databases,
        "targets": targets(databases),
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(report))
    print_report(report)
    print(f"\nFigures written to {output} (and {output.with_suffix('.md').name})")
    return 1 if failures(databases) else 0


def failures(databases: dict) -> list[str]:
    found = []
    for label, result in databases.items():
        if "error" in result:
            found.append(f"{label}: {result['error']}")
        for size, figures in result.get("sizes", {}).items():
            for name, values in figures.items():
                if "error" in values:
                    found.append(f"{label} {size} {name}: {values['error']}")
    for line in found:
        log(f"FAILED {line}")
    return found


if __name__ == "__main__":
    sys.exit(main())
