"""The measurements of `python -m bench`, run inside one configured database.

Each measurement is a small function registered with `@measurement("name")`: it takes a
`Sized` context (a generated project of one size and its users) and returns a dict of figures.
A feature that is not built yet raises `Unavailable` (an ImportError or an unknown URL name
counts as that), so the suite keeps running and the report says what is missing.

Run alone as `python -m bench.suite --sizes 5,10 --output out.json` with DJANGO_SETTINGS_MODULE
and DATABASE_URL already set; `python -m bench` does that for each database.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import statistics
import sys
import time
import traceback
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import Unavailable

if TYPE_CHECKING:
    from django.test import Client

    from accounts.models import User
    from annotations.models import Project

MEASUREMENTS: dict[str, Callable[[Sized], dict]] = {}


def measurement(name: str):
    def register(function):
        MEASUREMENTS[name] = function
        return function

    return register


@dataclass
class Sized:
    """One generated project of `size` articles, and what the measurements share."""

    size: int
    project: Project
    users: dict
    repeats: int
    workdir: Path
    cache: dict = field(default_factory=dict)
    fresh_process: bool = False  # measure export memory in a fresh process

    @property
    def slug(self) -> str:
        return self.project.slug


# Helpers


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class Samples(list[float]):
    """Wall-clock seconds per request, with the CPU seconds this process spent on each."""

    def __init__(self):
        super().__init__()
        self.cpu: list[float] = []


def summarise_ms(samples: list[float]) -> dict:
    summary = {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
        "n": len(samples),
    }
    if isinstance(samples, Samples) and samples.cpu:
        # Under load from other processes wall time swells; this process's CPU time less so.
        summary["cpu_median_ms"] = round(statistics.median(samples.cpu) * 1000, 2)
    return summary


def timed[T](function: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def peak_memory_mb[T](function: Callable[[], T]) -> tuple[float, T]:
    """Peak Python heap (tracemalloc) while `function` runs, above what was allocated before."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round((peak - base) / 2**20, 2), result


def reverse_or_unavailable(name: str, args: list) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        raise Unavailable(f"no URL named {name!r} yet") from None


def query_count(function: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def repeat_requests(send: Callable[[], object], repeats: int, *, after=None) -> Samples:
    """Server time of `repeats` requests (after two warm-ups); `after` runs untimed after each."""
    samples = Samples()
    for index in range(repeats + 2):
        cpu = time.process_time()
        elapsed, response = timed(send)
        cpu = time.process_time() - cpu
        check_response(response)
        if after is not None:
            after(response)
        if index >= 2:
            samples.append(elapsed)
            samples.cpu.append(cpu)
    return samples


def check_response(response) -> None:
    if response.status_code >= 400:
        body = response.content[:300].decode(errors="replace")
        raise RuntimeError(f"HTTP {response.status_code}: {body}")


def client_for(user: User) -> Client:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# Setting up the articles the page measurements open


def annotation_set_with_spans(sized: Sized, n_spans: int, *, article_index: int):
    """An in-progress set of the bench page user with `n_spans` spans (nested and overlapping
    once there are more than the article's ~80 mentions), a few claims and a threat
    assessment."""
    from annotations.models import (
        AnnotationSet,
        Claim,
        Membership,
        Role,
        Span,
        ThreatAssessment,
    )
    from bench.generate import ensure_user

    key = ("set", n_spans)
    if key in sized.cache:
        return sized.cache[key]
    project = sized.project
    user = ensure_user(f"{sized.slug}-page")
    Membership.objects.get_or_create(user=user, project=project, role=Role.ANNOTATOR)
    article = project.articles.order_by("id")[article_index]
    gold = list(
        Span.objects.filter(annotation_set__article=article, annotation_set__is_gold=True)
        .select_related("label")
        .order_by("start")
    )
    labels = list(project.labels.all())
    annotation_set, _ = AnnotationSet.objects.update_or_create(
        article=article,
        annotator=user,
        defaults={
            "status": AnnotationSet.Status.IN_PROGRESS,
            "guideline_version": project.current_guideline(),
        },
    )
    annotation_set.spans.all().delete()
    rows = []
    body = article.body
    for index in range(n_spans):
        mention = gold[index % len(gold)]
        round_ = index // len(gold)
        start = max(0, mention.start - round_)
        end = min(len(body), mention.end + round_ // 2)
        label = mention.label if round_ == 0 else labels[round_ % len(labels)]
        rows.append(
            Span(
                annotation_set=annotation_set,
                start=start,
                end=end,
                quote=body[start:end],
                label=label,
                actor=mention.actor,
            )
        )
    spans = Span.objects.bulk_create(rows)
    actors = list(project.actors.all()[:5])
    claim_type = project.claim_types.first()
    level = project.threat_levels.first()
    assert claim_type is not None and level is not None  # generated with the default vocabulary
    claims = []
    for span in [s for s in spans if s.label.name == "claim"][:8]:
        claim = Claim.objects.create(
            annotation_set=annotation_set,
            span=span,
            claimant=actors[0],
            claim_type=claim_type,
            reliability="B",
            credibility=2,
        )
        claim.targets.set(actors[1:3])
        claims.append(claim)
    assessment, _ = ThreatAssessment.objects.update_or_create(
        annotation_set=annotation_set,
        defaults={"level": level, "rationale": "Forces massing."},
    )
    assessment.claims.set(claims)
    sized.cache[key] = (user, annotation_set)
    return user, annotation_set


def free_stretch(annotation_set) -> tuple[int, int, str]:
    """Offsets of a word no span of the set starts at, for creating spans."""
    body = annotation_set.article.body
    start = body.index("Analysts") if "Analysts" in body else 0
    end = start + 8
    return start, end, body[start:end]


# Import


@measurement("import")
def measure_import(sized: Sized) -> dict:
    """A pre-annotated JSONL file imported from disk (streamed), then again into another
    project in a fresh process for its memory (``bench.importmem``)."""
    from annotations.importing import import_articles
    from bench.generate import write_jsonl

    project, annotator = _import_project(sized)
    path = sized.workdir / f"{project.slug}.jsonl"
    spans = write_jsonl(path, sized.size, seed=sized.size + 1, annotator=annotator.username)
    try:
        with path.open("rb") as stream:
            seconds, report = timed(
                lambda: import_articles(
                    project=project, filename=path.name, data=stream, format="jsonl"
                )
            )
        if report.imported != sized.size or report.span_count != spans:
            raise RuntimeError(f"imported {report.imported} articles and {report.span_count} spans")
        size_mb = round(path.stat().st_size / 2**20, 1)
        memory = import_memory(sized, path, annotator)
    finally:
        path.unlink()
    return {
        "articles": sized.size,
        "spans": spans,
        "seconds": round(seconds, 3),
        "articles_per_s": round(sized.size / seconds, 1),
        "spans_per_s": round(spans / seconds),
        **memory,
        "file_mb": size_mb,
    }


def _import_project(sized: Sized, annotator=None):
    """A new project each run, so that measuring again on a reused database imports afresh,
    and its annotator (`annotator`, if given, made one)."""
    from annotations.models import Membership, Project, Role
    from bench.generate import create_project

    runs = Project.objects.filter(slug__startswith=f"import-{sized.size}").count()
    slug = f"import-{sized.size}" + (f"-{runs + 1}" if runs else "")
    project, users = create_project(slug, prefix=slug)
    if annotator is None:
        return project, users["annotator1"]
    Membership.objects.get_or_create(user=annotator, project=project, role=Role.ANNOTATOR)
    return project, annotator


def import_memory(sized: Sized, path: Path, annotator) -> dict:
    """Peak memory of importing `path` into a new project, in a fresh process (or in this one
    when the suite runs without them)."""
    import subprocess

    from django.conf import settings

    from annotations.importing import import_articles

    project, _ = _import_project(sized, annotator)
    if not sized.fresh_process:
        with path.open("rb") as stream:
            peak_mb, _ = peak_memory_mb(
                lambda: import_articles(project=project, filename=path.name, data=stream)
            )
        return {"peak_mb": peak_mb}
    finished = subprocess.run(
        [sys.executable, "-m", "bench.importmem", project.slug, str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"bench.importmem failed: {finished.stderr[-500:]}")
    figures = json.loads(finished.stdout.strip().splitlines()[-1])
    return {"peak_mb": figures["peak_mb"], "max_rss_mb": figures["max_rss_mb"]}


# The queue: /next/ in a project whose articles all wait for annotators


def queue_project(sized: Sized):
    """A project of `sized.size` articles waiting for annotators (a tenth begun by annotator2),
    each with an uncertainty from a live span model (seeded), and the annotator who asks
    /next/: made once per size."""
    import random

    from annotations.models import AnnotationSet, ArticleUncertainty, TrainedModel
    from bench.generate import create_project, generate_project

    if "queue" in sized.cache:
        return sized.cache["queue"]
    slug = f"{sized.slug}-queue"
    project = generate_project(slug, sized.size, annotated=False)
    _, users = create_project(slug)
    model, _ = TrainedModel.objects.get_or_create(
        project=project,
        kind=TrainedModel.Kind.SPANS,
        version=1,
        defaults={"status": TrainedModel.Status.READY, "is_live": True},
    )
    rng = random.Random(14)
    ids = list(project.articles.order_by("pk").values_list("pk", flat=True))
    ArticleUncertainty.objects.bulk_create(
        [
            ArticleUncertainty(article_id=pk, project=project, model=model, value=rng.random())
            for pk in ids
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    AnnotationSet.objects.bulk_create(
        [AnnotationSet(article_id=pk, annotator=users["annotator2"]) for pk in ids[::10]],
        ignore_conflicts=True,
    )
    sized.cache["queue"] = (project, users["annotator1"])
    return sized.cache["queue"]


def _queue_next(sized: Sized, order: str) -> dict:
    from annotations.models import AnnotationSet

    project, user = queue_project(sized)
    project.queue_order = order
    project.save(update_fields=["queue_order"])
    url = reverse_or_unavailable("annotations:queue-next", [project.slug])
    client = client_for(user)
    mine = AnnotationSet.objects.filter(article__project=project, annotator=user)

    def forget(_response):  # each request takes a new article, as a fresh annotator's does
        mine.delete()

    samples = repeat_requests(lambda: client.get(url), sized.repeats, after=forget)
    queries = query_count(lambda: client.get(url))
    forget(None)
    return {**summarise_ms(samples), "queries": queries}


@measurement("queue_next")
def measure_queue_next(sized: Sized) -> dict:
    """/next/ for an annotator new to the project, oldest first and most uncertain first."""
    oldest = _queue_next(sized, "oldest")
    uncertain = _queue_next(sized, "uncertainty")
    return {
        **{f"oldest {k}": v for k, v in oldest.items()},
        **{f"uncertainty {k}": v for k, v in uncertain.items()},
    }


# The annotate page


def _annotate_page(sized: Sized, n_spans: int, article_index: int) -> dict:
    user, annotation_set = annotation_set_with_spans(sized, n_spans, article_index=article_index)
    url = reverse_or_unavailable("annotations:annotate", [sized.slug, annotation_set.article_id])
    client = client_for(user)
    samples = repeat_requests(lambda: client.get(url), sized.repeats)
    return {**summarise_ms(samples), "queries": query_count(lambda: client.get(url))}


@measurement("annotate_page_80")
def measure_annotate_page_80(sized: Sized) -> dict:
    return _annotate_page(sized, 80, 0)


@measurement("annotate_page_1000")
def measure_annotate_page_1000(sized: Sized) -> dict:
    return _annotate_page(sized, 1000, 1)


# Suggestions (the learning loop's suggesters, annotations.learning.suggesters)

SUGGEST_ACTORS = 1_000
SUGGEST_ALIASES = 3
_SYLLABLES = ("ka", "lo", "mi", "ren", "to", "vas", "che", "ul", "dar", "ny", "sko", "be", "ri")


def _bench_name(number: int, parts: int = 2) -> str:
    """A made-up proper name for `number`: "Kalomi Renvas" (distinct for distinct numbers)."""
    words = []
    for part in range(parts):
        n = number * (part + 7) + part
        word = ""
        for _ in range(3):
            word += _SYLLABLES[n % len(_SYLLABLES)]
            n //= len(_SYLLABLES)
        words.append(word.capitalize() + (str(number) if part == parts - 1 else ""))
    return " ".join(words)


def suggestion_setup(sized: Sized) -> dict:
    """A project of its own (so the other pages keep their registry) with ~1,000 actors of 3
    aliases each, a prediction source, and a set on a 3,000- and a 50,000-character article
    that mention registry names and aliases in mixed case and with accents."""
    import random

    from annotations.models import (
        Actor,
        ActorAlias,
        AnnotationSet,
        Membership,
        Prediction,
        PredictionSource,
        Project,
        Role,
    )
    from annotations.services import project_add_defaults
    from bench.generate import ensure_user

    if "suggest" in sized.cache:
        return sized.cache["suggest"]
    slug = f"{sized.slug}-suggest"
    Project.objects.filter(slug=slug).delete()
    project = Project.objects.create(slug=slug, name=f"{slug} (suggestions)")
    project_add_defaults(project=project)
    actors = Actor.objects.bulk_create(
        Actor(project=project, name=_bench_name(i)) for i in range(SUGGEST_ACTORS)
    )
    ActorAlias.objects.bulk_create(
        ActorAlias(actor=actor, name=_bench_name(i * 7 + a + 5_000, parts=1 + a % 2))
        for i, actor in enumerate(actors)
        for a in range(SUGGEST_ALIASES)
    )
    names = [a.name for a in actors] + list(
        ActorAlias.objects.filter(actor__project=project).values_list("name", flat=True)
    )
    user = ensure_user(f"{sized.slug}-suggester")
    Membership.objects.get_or_create(user=user, project=project, role=Role.ANNOTATOR)
    label = project.labels.get(name="actor")
    source = PredictionSource.objects.create(project=project, name="bench-ner", sha256="0" * 64)
    rng = random.Random(14)
    sets = {}
    for size in (3_000, 50_000):
        parts = []
        length = 0
        while length < size:
            name = rng.choice(names)
            name = {0: name, 1: name.upper(), 2: name.lower()}[rng.randrange(3)]
            sentence = f"On Tuesday {name} said the café talks with {rng.choice(names)} failed. "
            parts.append(sentence)
            length += len(sentence)
        body = "".join(parts)[:size]
        article = project.articles.create(title=f"Suggestions {size}", body=body)
        sets[size] = AnnotationSet.objects.create(
            article=article, annotator=user, status=AnnotationSet.Status.IN_PROGRESS
        )
        Prediction.objects.bulk_create(
            Prediction(
                source=source,
                article=article,
                start=start,
                end=start + 6,
                label=label,
                score=rng.random(),
            )
            for start in range(0, size - 6, 40)
        )
    sized.cache["suggest"] = {"user": user, "sets": sets, "project": project}
    return sized.cache["suggest"]


def _suggestions(sized: Sized, size: int) -> dict:
    from annotations import learning
    from annotations.learning import gazetteer
    from annotations.learning.suggesters import proposals_for_set

    setup = suggestion_setup(sized)
    annotation_set = setup["sets"][size]
    url = reverse_or_unavailable(
        "annotations:suggestions", [setup["project"].slug, annotation_set.pk]
    )
    client = client_for(setup["user"])
    headers = {"HX-Request": "true"}
    samples = repeat_requests(lambda: client.get(url, headers=headers), sized.repeats)
    proposals = Samples()
    found: list = []
    for _ in range(max(3, sized.repeats // 2)):
        cpu = time.process_time()
        elapsed, found = timed(lambda: proposals_for_set(annotation_set))
        proposals.append(elapsed)
        proposals.cpu.append(time.process_time() - cpu)
    gazetteer._compiled.clear()
    compile_cpu = time.process_time()
    compile_s, _ = timed(lambda: gazetteer.registry_of(setup["project"]))
    compile_cpu = time.process_time() - compile_cpu
    del learning  # imported to fail early (Unavailable) where the learning loop is missing
    return {
        **summarise_ms(samples),
        **{f"proposals_{k}": v for k, v in summarise_ms(proposals).items() if k != "n"},
        "suggestions": len(found),
        "registry_names": SUGGEST_ACTORS * (1 + SUGGEST_ALIASES),
        "compile_ms": round(compile_s * 1000, 2),
        "compile_cpu_ms": round(compile_cpu * 1000, 2),
        "queries": query_count(lambda: client.get(url, headers=headers)),
    }


@measurement("suggestions_3000")
def measure_suggestions_3000(sized: Sized) -> dict:
    return _suggestions(sized, 3_000)


@measurement("suggestions_50000")
def measure_suggestions_50000(sized: Sized) -> dict:
    return _suggestions(sized, 50_000)


# Creating a span


def _delete_created(annotation_set, before: set[int]):
    from annotations.models import Span

    def delete(_response):
        Span.objects.filter(annotation_set=annotation_set).exclude(pk__in=before).delete()

    return delete


@measurement("span_create_htmx")
def measure_span_create_htmx(sized: Sized) -> dict:
    user, annotation_set = annotation_set_with_spans(sized, 80, article_index=0)
    url = reverse_or_unavailable("annotations:span-create", [sized.slug, annotation_set.pk])
    start, end, quote = free_stretch(annotation_set)
    label = sized.project.labels.get(name="event")
    data = {"start": start, "end": end, "quote": quote, "label": label.pk}
    client = client_for(user)
    before = set(annotation_set.spans.values_list("pk", flat=True))
    samples = repeat_requests(
        lambda: client.post(url, data, headers={"HX-Request": "true"}),
        sized.repeats,
        after=_delete_created(annotation_set, before),
    )
    queries = query_count(lambda: client.post(url, data, headers={"HX-Request": "true"}))
    _delete_created(annotation_set, before)(None)
    return {**summarise_ms(samples), "queries": queries}


@measurement("span_create_api")
def measure_span_create_api(sized: Sized) -> dict:
    from django.test import Client

    try:
        from accounts.services import api_token_create
    except ImportError:
        raise Unavailable("no API tokens yet") from None
    user, annotation_set = annotation_set_with_spans(sized, 80, article_index=0)
    url = reverse_or_unavailable("api:span-list", [sized.slug, annotation_set.pk])
    _, key = api_token_create(owner=user, name="bench")
    start, end, quote = free_stretch(annotation_set)
    data = {"start": start, "end": end, "quote": quote, "label": "event"}
    client = Client(headers={"Authorization": f"Token {key}"})
    before = set(annotation_set.spans.values_list("pk", flat=True))

    def send():
        return client.post(url, data, content_type="application/json")

    samples = repeat_requests(send, sized.repeats, after=_delete_created(annotation_set, before))
    queries = query_count(send)
    _delete_created(annotation_set, before)(None)
    return {**summarise_ms(samples), "queries": queries}


# Exports and releases


def gold_span_count(project: Project) -> int:
    from annotations.models import AnnotationSet, Span

    gold = AnnotationSet.objects.filter(article__project=project).adjudicated()
    return Span.objects.filter(annotation_set__in=gold).count()


def _export(sized: Sized, format: str, *, memory: bool = True) -> dict:
    from annotations.exports import export

    stem = sized.workdir / f"export-{sized.slug}-{format}"
    spans = sized.cache.setdefault("gold_spans", gold_span_count(sized.project))

    def run():
        return export(project=sized.project, format=format, stem=stem)

    # The memory run goes first and warms the database's cache for the timed one.
    figures = {}
    if memory:
        figures = export_memory(sized, format, stem) if sized.fresh_process else {}
        if not figures:
            figures["peak_mb"], _ = peak_memory_mb(run)
    seconds, paths = timed(run)
    size_mb = sum(path.stat().st_size for path in paths) / 2**20
    for path in paths:
        path.unlink()
    return {
        "spans": spans,
        "seconds": round(seconds, 3),
        "spans_per_s": round(spans / seconds),
        **figures,
        "file_mb": round(size_mb, 1),
    }


def export_memory(sized: Sized, format: str, stem: Path) -> dict:
    """Peak memory of the export in a fresh process (`bench.exportmem`)."""
    import subprocess

    from django.conf import settings

    finished = subprocess.run(
        [sys.executable, "-m", "bench.exportmem", sized.slug, format, str(stem)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"bench.exportmem failed: {finished.stderr[-500:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


@measurement("export_baseline")
def measure_export_baseline(sized: Sized) -> dict:
    """The floor for the native export: the same gold sets' articles and spans read with one
    plain query (a server-side cursor on PostgreSQL) and written as one orjson line per set,
    with no claims, review facts, sorting or vocabulary lookups. `export_jsonl` is measured
    against it in the same run (its `ratio_to_baseline`)."""
    import orjson
    from django.db import connection

    from annotations.models import AnnotationSet

    spans = sized.cache.setdefault("gold_spans", gold_span_count(sized.project))
    gold = AnnotationSet.objects.filter(article__project=sized.project).adjudicated()
    set_ids, params = gold.values("id").query.sql_with_params()
    # Two streams in the same order, merged: each article's text is read once, not per span.
    sets_sql = f"""SELECT g.id, a.external_id, a.title, a.body, a.source, a.url, a.language,
        a.body_sha256
        FROM annotations_annotationset g JOIN annotations_article a ON a.id = g.article_id
        WHERE g.id IN ({set_ids}) ORDER BY g.article_id, g.id"""
    spans_sql = f"""SELECT s.annotation_set_id, s.start, s."end", s.quote, l.name, s.note
        FROM annotations_span s
        JOIN annotations_annotationset g ON g.id = s.annotation_set_id
        JOIN annotations_label l ON l.id = s.label_id
        WHERE s.annotation_set_id IN ({set_ids}) ORDER BY g.article_id, g.id"""
    path = sized.workdir / f"baseline-{sized.slug}.jsonl"

    def stream(sql: str, name: str):
        if connection.vendor == "postgresql":
            cursor = connection.connection.cursor(name=name)
            cursor.itersize = 20_000
        else:
            cursor = connection.connection.cursor()  # sqlite3's own: %s would not do
        cursor.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, params)
        return cursor

    def run() -> int:
        written = 0
        with path.open("wb") as out:
            sets, spans_rows = stream(sets_sql, "bench_sets"), stream(spans_sql, "bench_spans")
            spans_iter = iter(spans_rows)
            pending = next(spans_iter, None)
            for set_id, external_id, title, body, source, url, language, sha in sets:
                record: dict[str, Any] = {
                    "id": sha[:16],
                    "external_id": external_id,
                    "title": title,
                    "text": body,
                    "source": source,
                    "url": url,
                    "language": language,
                    "sha256": sha,
                    "spans": [],
                }
                while pending is not None and pending[0] == set_id:
                    _, start, end, quote, label, note = pending
                    record["spans"].append(
                        {"start": start, "end": end, "quote": quote, "label": label, "note": note}
                    )
                    written += 1
                    pending = next(spans_iter, None)
                out.write(orjson.dumps(record) + b"\n")
            sets.close()
            spans_rows.close()
        return written

    from django.db import transaction

    with transaction.atomic():  # a named cursor lives in a transaction
        run()  # warms the cache as the other exports' memory runs do
        seconds, written = timed(run)
    path.unlink()
    if written != spans:
        raise RuntimeError(f"the baseline read {written} spans of {spans}")
    sized.cache["baseline_spans_per_s"] = spans / seconds
    return {"spans": spans, "seconds": round(seconds, 3), "spans_per_s": round(spans / seconds)}


@measurement("export_jsonl")
def measure_export_jsonl(sized: Sized) -> dict:
    figures = _export(sized, "native")
    baseline = sized.cache.get("baseline_spans_per_s")
    if baseline:
        figures["ratio_to_baseline"] = round(figures["spans_per_s"] / baseline, 2)
    return figures


def _register_format(format: str) -> None:
    @measurement(f"export_{format}")
    def measure(sized: Sized) -> dict:
        return _export(sized, format, memory=False)


# Every export format but native (export_jsonl), each measured as export_<format>.
EXPORT_FORMATS = ("bio", "w3c", "spacy", "doccano", "labelstudio", "brat", "stix", "misp")
for _format in EXPORT_FORMATS:
    _register_format(_format)


@measurement("release")
def measure_release(sized: Sized) -> dict:
    """A full release in every format, built inline (the bench settings run tasks at once).

    The card quotes the project's stored agreement figures, which a live project keeps up to
    date as sets are handed in; a generated project has none until they are first computed,
    which the build would do (the `agreement` measurement's figure). That happens first,
    untimed, so this is the build alone."""
    from annotations.agreement import project_agreement
    from annotations.exports import FORMATS
    from annotations.models import Release
    from annotations.releases import release_create

    project_agreement(sized.project)
    formats = [name for name, writer in FORMATS.items() if not writer.unavailable]
    manager = sized.users[f"{sized.slug}-manager"]
    seconds, release = timed(
        lambda: release_create(project=sized.project, user=manager, formats=formats)
    )
    release = Release.objects.get(pk=release.pk)
    if release.status != "ready":
        raise RuntimeError(f"the release is {release.status}: {getattr(release, 'error', '')}")
    return {"seconds": round(seconds, 2), "formats": len(formats)}


# Review


def timed_cpu[T](function: Callable[[], T]) -> tuple[float, float, T]:
    """Wall-clock and CPU seconds of this process (the database server's CPU not included)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - start, time.process_time() - cpu, result


AGREEMENT_HAND_INS = 5


@measurement("agreement")
def measure_agreement(sized: Sized) -> dict:
    """The agreement dashboard and how fast a hand-in reaches it. `seconds`: recomputing every
    article's row and the project's figures from scratch (`refresh_all`, what `manage.py
    refresh_quality` does after an upgrade; once). `dashboard`: GET of the agreement page as the
    reviewer. `points`: from the hand-in that gives a new article its second annotator to the
    project's point estimates including it (the submission and `refresh_article_quality`, run
    in-process by the bench's immediate task backend; a db_worker adds its polling interval),
    median of AGREEMENT_HAND_INS; `task`: that task alone. `intervals`: the debounced task
    recomputing the bootstrap intervals (`refresh_project_intervals`), which a worker runs
    INTERVALS_DELAY seconds after the first hand-in it takes in."""
    from unittest import mock

    from annotations import agreement, services, tasks
    from annotations.models import Article, ProjectAgreement

    seconds, full_cpu, _ = timed_cpu(lambda: agreement.refresh_all(sized.project))
    url = reverse_or_unavailable("annotations:agreement", [sized.slug])
    client = client_for(sized.users[f"{sized.slug}-reviewer"])
    samples = repeat_requests(lambda: client.get(url), sized.repeats)
    dashboard = {**summarise_ms(samples), "queries": query_count(lambda: client.get(url))}

    label = sized.project.labels.order_by("pk")[0]
    points: list[tuple[float, float]] = []
    task: list[tuple[float, float]] = []
    scheduled: list[int] = []
    with mock.patch.object(tasks, "intervals_changed", scheduled.append):
        for _ in range(AGREEMENT_HAND_INS):
            # A new article, two annotators; the second hand-in makes it count in the figures.
            article = Article.objects.create(
                project=sized.project,
                title="Bench hand-in",
                body=f"Bench hand-in {time.time_ns()}: Russia warned NATO.",
            )
            sets = []
            for name in ("annotator1", "annotator2"):
                user = sized.users[f"{sized.slug}-{name}"]
                annotation_set = services.annotation_set_open(article=article, user=user)
                start = article.body.index("Russia")
                services.span_create(
                    annotation_set=annotation_set,
                    start=start,
                    end=start + 6,
                    quote="Russia",
                    label=label,
                    user=user,
                )
                sets.append((annotation_set, user))
            services.annotation_set_submit(annotation_set=sets[0][0], user=sets[0][1])
            before = ProjectAgreement.objects.get(project=sized.project).figures["articles"]
            wall, cpu, _ = timed_cpu(
                functools.partial(
                    services.annotation_set_submit, annotation_set=sets[1][0], user=sets[1][1]
                )
            )
            points.append((wall, cpu))
            stored = ProjectAgreement.objects.get(project=sized.project)
            if stored.figures["articles"] != before + 1:
                raise RuntimeError("the point estimates were not updated after the hand-in")
            wall, cpu, _ = timed_cpu(
                functools.partial(tasks.refresh_article_quality.call, article.pk)
            )
            task.append((wall, cpu))
    if scheduled != [sized.project.pk]:
        raise RuntimeError(f"the intervals were scheduled {len(scheduled)} times, not once")
    intervals, intervals_cpu, _ = timed_cpu(
        lambda: tasks.refresh_project_intervals.call(sized.project.pk)
    )
    stored = ProjectAgreement.objects.get(project=sized.project)
    if stored.intervals_at is None or stored.intervals_at < stored.computed_at:
        raise RuntimeError("the intervals were not brought up to date")

    def median(pairs: list[tuple[float, float]], i: int) -> float:
        return round(statistics.median(p[i] for p in pairs), 3)

    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(full_cpu, 3),
        "dashboard_median_ms": dashboard["median_ms"],
        "dashboard_p95_ms": dashboard["p95_ms"],
        "dashboard_cpu_median_ms": dashboard.get("cpu_median_ms"),
        "dashboard_queries": dashboard["queries"],
        "update_seconds": median(points, 0),
        "update_cpu_seconds": median(points, 1),
        "update_max_seconds": round(max(p[0] for p in points), 3),
        "task_seconds": median(task, 0),
        "task_cpu_seconds": median(task, 1),
        "intervals_seconds": round(intervals, 3),
        "intervals_cpu_seconds": round(intervals_cpu, 3),
        "intervals_delay_seconds": tasks.INTERVALS_DELAY,
    }


def article_to_adjudicate(sized: Sized, n_items: int):
    """A fresh article (the text of one generated article, made unique) with two submitted
    annotators' sets of about `n_items` spans that disagree the way people do: every fourth
    span labelled otherwise by the second annotator, every ninth left out by them. No gold set
    yet: the page shows every item undecided."""
    from annotations.models import AnnotationSet, Article, Membership, Role, Span
    from bench.generate import ensure_user

    key = ("adjudicate", n_items)
    if key in sized.cache:
        return sized.cache[key]
    project = sized.project
    source = project.articles.order_by("id")[2]
    marker = f"\n\n[adjudication bench {n_items}]"
    Article.objects.filter(project=project, title__endswith=marker.strip()).delete()
    article = Article.objects.create(
        project=project, title=f"{source.title} {marker.strip()}", body=source.body + marker
    )
    mentions = list(
        Span.objects.filter(annotation_set__article=source, annotation_set__is_gold=True)
        .select_related("label")
        .order_by("start")
    )
    labels = list(project.labels.all())
    body = article.body
    ranges: dict[tuple[int, int], Span] = {}
    index = 0
    while len(ranges) < n_items and index < n_items * 4:
        mention = mentions[index % len(mentions)]
        round_ = index // len(mentions)
        start = max(0, mention.start - round_)
        end = min(len(source.body), mention.end + round_ // 2)
        ranges.setdefault((start, end), mention)
        index += 1
    for number in (1, 2):
        user = ensure_user(f"{sized.slug}-adjudicator-source-{number}")
        Membership.objects.get_or_create(user=user, project=project, role=Role.ANNOTATOR)
        annotation_set = AnnotationSet.objects.create(
            article=article,
            annotator=user,
            status=AnnotationSet.Status.SUBMITTED,
            guideline_version=project.current_guideline(),
        )
        rows = []
        for position, ((start, end), mention) in enumerate(sorted(ranges.items())):
            if number == 2 and position % 9 == 8:
                continue
            label = mention.label
            if number == 2 and position % 4 == 3:
                label = labels[(labels.index(label) + 1) % len(labels)]
            rows.append(
                Span(
                    annotation_set=annotation_set,
                    start=start,
                    end=end,
                    quote=body[start:end],
                    label=label,
                    actor=mention.actor,
                )
            )
        Span.objects.bulk_create(rows)
    sized.cache[key] = article
    return article


@measurement("adjudication")
def measure_adjudication(sized: Sized) -> dict:
    """The adjudication page of an article with 80 and with 1,000 items (server time and
    queries), and a decision's round trip: an htmx POST taking annotator 1's version of a
    disagreement, answered with the next item's panel, the item list and the gold layer."""
    from annotations import adjudication

    reverse_or_unavailable("annotations:adjudicate", [sized.slug, 1])
    reviewer = sized.users[f"{sized.slug}-reviewer"]
    client = client_for(reviewer)
    figures: dict = {}
    for n_items in (80, 1000):
        article = article_to_adjudicate(sized, n_items)
        url = reverse_or_unavailable("annotations:adjudicate", [sized.slug, article.pk])
        merged = adjudication.merge(article)
        get = functools.partial(client.get, url)
        page = {
            "items": len(merged.items),
            **summarise_ms(repeat_requests(get, sized.repeats)),
            "queries": query_count(get),
        }
        item = next(i for i in merged.items if not i.unanimous)
        state = {"version": 0}

        def decide(url=url, item=item, state=state):
            return client.post(
                url,
                {
                    "key": item.key,
                    "source": item.versions[0].first.pk,
                    "reason_code": "other",
                    "version": state["version"],
                },
                headers={"HX-Request": "true"},
            )

        def undo(response, article=article, state=state):
            adjudication.adjudication_undo(article=article, user=reviewer, expected_version=None)
            gold = adjudication.merge(article).gold
            state["version"] = gold.version if gold else 0

        decisions = repeat_requests(decide, sized.repeats, after=undo)
        decision = {**summarise_ms(decisions), "queries": query_count(decide)}
        undo(None)
        # Flat, as the report's table reads figures: "80 items p95_ms", "80 decision p95_ms".
        figures |= {f"{n_items} items {name}": value for name, value in page.items()}
        figures |= {f"{n_items} decision {name}": value for name, value in decision.items()}
    return figures


@measurement("learning")
def measure_learning(sized: Sized) -> dict:
    """The learning loop: training, suggestion latency, learning curve (bench.learning)."""
    from bench.learning import measure

    return measure(sized)


# Run


def run_suite(
    sizes: list[int],
    *,
    repeats: int = 50,
    workdir: Path,
    only: list[str] | None = None,
    log: Callable[[str], None] = print,
    fresh_process: bool = False,
) -> dict:
    """Generate a project of each size and run every measurement on it."""
    from django.db import connection

    from annotations.models import Project
    from bench.generate import generate_project

    workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()

    def clock() -> str:
        return f"{time.monotonic() - began:5.0f}s"

    results: dict = {"database": database_description(connection), "sizes": {}}
    for size in sizes:
        log(f"[{connection.vendor} {clock()}] generating a project of {size} articles")
        existing = Project.objects.filter(slug=f"bench-{size}").first()
        # Measured again on the same database (the adjudication measurement adds a few
        # articles of its own each run).
        if existing is not None and existing.articles.count() >= size:
            project, figures = existing, {}
        else:
            seconds, project = timed(functools.partial(generate_project, f"bench-{size}", size))
            figures = {"generate": {"seconds": round(seconds, 2)}}
            analyze(connection)
        users = {m.user.username: m.user for m in project.memberships.select_related("user")}
        sized = Sized(size, project, users, repeats, workdir, fresh_process=fresh_process)
        for name, function in MEASUREMENTS.items():
            if only and name not in only:
                continue
            log(f"[{connection.vendor} {clock()}] {size} articles: {name}")
            figures[name] = run_one(function, sized)
        results["sizes"][str(size)] = figures
    return results


def analyze(connection) -> None:
    """Planner statistics for the freshly generated rows, as a live database has them (its
    autovacuum analyzes within a minute or so of a bulk load). Without them PostgreSQL reads
    the claims of an export chunk by sequential scan and exports run at half speed."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run_one(function, sized: Sized) -> dict:
    from django.urls import NoReverseMatch

    try:
        return function(sized)
    except (Unavailable, ImportError, NoReverseMatch) as missing:
        return {"unavailable": str(missing)}
    except Exception as error:  # report it and go on with the other measurements
        traceback.print_exc()
        return {"error": f"{type(error).__name__}: {error}"}


def database_description(connection) -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        version = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": version.split(" on ")[0]}


def main(argv: list[str] | None = None) -> int:
    import os

    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--only", default="", help="comma-separated measurement names")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = run_suite(
        [int(size) for size in args.sizes.split(",")],
        repeats=args.repeats,
        workdir=Path(settings.BASE_DIR) / "var" / "bench",
        only=[name for name in args.only.split(",") if name],
        log=lambda line: print(line, file=sys.stderr, flush=True),
        fresh_process=True,
    )
    Path(args.output).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
