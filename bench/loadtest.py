"""A bounded load test: simulated annotators against gunicorn on PostgreSQL, on loopback only.

    python -m bench.loadtest [--users 50] [--projects 1] [--duration 60] [--think 0.5-1.5]

Creates (dropping any old one) the PostgreSQL database `bench_loadtest` (or the one
LOADTEST_DATABASE_URL names; its name must start with "bench"), seeds generated projects and
one annotator account per simulated user (spread over the projects), starts gunicorn on
127.0.0.1 on a free port with bench/scale_settings.py (DEBUG off, checked on the running server)
and one task worker (`manage.py db_worker`), as in production: the work a hand-in schedules
(agreement, scores) runs in the worker, not in the request. It runs one thread per annotator.
Each logs in (session cookie + CSRF token) before the clock starts, then until the time is up:
opens the next article of its queue, creates a few spans through the annotate page's htmx
endpoint, deletes one, and submits the set. Between actions it waits a random "think time".
Each article takes three annotators and the queue hands them the same articles in the same
order, so an annotator often opens an article (a new annotation set) while another is marking
spans on it: the mix that once deadlocked (issue 16); the report counts how often it happened.
A sampler counts the database sessions waiting for a row lock (the history chain's project
lock, as each annotator locks only their own set). Afterwards gunicorn is stopped and every
span the server said it saved (and that was not deleted) is looked up in the database.

Prints throughput, p50/p95/p99 latency per kind of request and errors; exits non-zero on any
error, any lost span or any span that should have been deleted.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.databases import (
    POSTGRES_SERVER,
    ROOT,
    WORKDIR,
    drop_postgres,
    postgres_is_up,
    recreate_postgres,
)

DATABASE_URL = POSTGRES_SERVER + "/bench_loadtest"
SLUG = "load"
ANNOTATORS_PER_ARTICLE = 3
GUNICORN_LOG = WORKDIR / "loadtest-gunicorn.log"
WORKER_LOG = WORKDIR / "loadtest-worker.log"
DELETE_URL = re.compile(r"/sets/(\d+)/spans/(\d+)/delete/")
SET_URL = re.compile(r"/projects/[\w-]+/sets/(\d+)/spans/")
ARTICLE_URL = re.compile(r"/articles/(\d+)/$")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


# Seeding and checking (in this process, through the ORM)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def slugs(projects: int) -> list[str]:
    return [SLUG] if projects == 1 else [f"{SLUG}-{n + 1}" for n in range(projects)]


def seed(users: int, projects: int, articles: int) -> dict:
    """`projects` projects of `articles` articles each, and `users` annotators spread over
    them (annotator n works in project n mod `projects`)."""
    from django.core.management import call_command

    from annotations.models import Label, Membership, Role
    from bench.generate import PASSWORD, ensure_user, generate_project

    call_command("migrate", verbosity=0)
    names = []
    for number, slug in enumerate(slugs(projects)):
        project = generate_project(slug, articles, seed=11 + number, annotated=False)
        project.annotators_per_article = ANNOTATORS_PER_ARTICLE
        project.save(update_fields=["annotators_per_article"])
        for user_number in range(number, users, projects):
            user = ensure_user(f"load-annotator-{user_number:03d}")
            Membership.objects.get_or_create(user=user, project=project, role=Role.ANNOTATOR)
            names.append((user.username, slug))
    return {
        "users": names,
        "password": PASSWORD,
        "bodies": seed_bodies(),
        "labels": {
            slug: list(Label.objects.filter(project__slug=slug).values_list("id", flat=True))
            for slug in slugs(projects)
        },
    }


def seed_bodies() -> dict[int, str]:
    """Every article's text, by id."""
    from annotations.models import Article

    return dict(Article.objects.values_list("id", "body"))


def verify(results: Results) -> tuple[list[tuple], list[tuple]]:
    """The spans the server said it saved that are not in the database as saved (lost), and
    the spans it said it deleted that are still there."""
    from annotations.models import Span

    stored = {
        row[0]: row
        for row in Span.objects.filter(annotation_set_id__in=results.sets).values_list(
            "id", "annotation_set_id", "start", "end", "label_id"
        )
    }
    lost = [span for span in results.saved if stored.get(span[0]) != span]
    not_deleted = [span for span in results.deleted if span[0] in stored]
    return lost, not_deleted


# The server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "workbench.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "30",
        # Longer than any think time: the server never closes a connection the client is
        # about to reuse (that race shows as a reset, which a browser would retry).
        "--keep-alive",
        "10",
        "--log-level",
        "warning",
    ]
    return _spawn(command, GUNICORN_LOG)


def start_worker() -> subprocess.Popen:
    """One task worker, as `make run` starts beside the web server."""
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.5"]
    return _spawn(command, WORKER_LOG)


def _spawn(command: list[str], log_path: Path) -> subprocess.Popen:
    home = WORKDIR / "loadtest-server"  # scale_settings puts the static root in the cwd
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "bench.scale_settings"}
    with open(log_path, "wb") as log_file:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command, cwd=home, env=env, start_new_session=True, stdout=log_file, stderr=log_file
        )


def wait_until_serving(base: str, server: subprocess.Popen | None = None, timeout: float = 30):
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/accounts/login/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer within {timeout:.0f} s")


def check_debug_off(base: str) -> None:
    """Refuse to measure a server in DEBUG mode: its 404 page is Django's technical one."""
    import httpx

    page = httpx.get(f"{base}/no-such-page-{os.getpid()}/", timeout=10)
    if page.status_code != 404 or "URLconf defined in" in page.text:
        raise SystemExit(f"{base} runs with DEBUG on (or is not the workbench); not measuring.")


class LockSampler(threading.Thread):
    """Every `every` seconds, how many of the database's sessions run a query and how many of
    them wait for a lock (pg_stat_activity)."""

    def __init__(self, url: str, every: float = 0.1):
        super().__init__(daemon=True, name="lock sampler")
        self.url, self.every = url, every
        self.active: list[int] = []
        self.waiting: list[int] = []
        self.waiting_in: collections.Counter[str] = collections.Counter()
        self.done = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.done.wait(self.every):
                row = connection.execute(
                    "SELECT count(*) FILTER (WHERE state = 'active'),"
                    " count(*) FILTER (WHERE wait_event_type = 'Lock')"
                    " FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
                active, waiting = row if row else (0, 0)
                self.active.append(active)
                self.waiting.append(waiting)
                if waiting:
                    self.waiting_in.update(
                        dict(
                            connection.execute(
                                "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90),"
                                " count(*) FROM pg_stat_activity"
                                " WHERE datname = current_database()"
                                " AND wait_event_type = 'Lock' GROUP BY 1"
                            ).fetchall()
                        )
                    )

    def summary(self) -> dict:
        n = len(self.waiting) or 1
        return {
            "samples": len(self.waiting),
            "active_mean": round(sum(self.active) / n, 2),
            "active_max": max(self.active, default=0),
            "waiting_for_lock_mean": round(sum(self.waiting) / n, 3),
            "waiting_for_lock_max": max(self.waiting, default=0),
            "samples_with_a_lock_wait_pct": round(100 * sum(1 for w in self.waiting if w) / n, 1),
            "waiting_statements": dict(self.waiting_in.most_common(3)),
        }


def stop(server: subprocess.Popen) -> None:
    """Stop the process and its group (it may have exited meanwhile)."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


# The simulated annotators


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    errors: list[str] = field(default_factory=list)
    logins: list[float] = field(default_factory=list)
    # (span id, set id, start, end, label id) the server said it saved and did not delete
    saved: set[tuple] = field(default_factory=set)
    deleted: set[tuple] = field(default_factory=set)
    sets: set[int] = field(default_factory=set)
    submitted: int = 0
    # article id -> the annotators between opening it and handing it in
    editing: dict[int, set[str]] = field(default_factory=lambda: collections.defaultdict(set))
    opened_while_edited: int = 0
    ready: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Annotator(threading.Thread):
    def __init__(
        self, base, username, slug, password, seeded, results, start, deadline, think, rng
    ):
        super().__init__(daemon=True, name=username)
        self.ramp = 5.0
        self.base, self.username, self.slug, self.password = base, username, slug, password
        self.seeded, self.results = seeded, results
        self.start_event, self.deadline, self.think, self.rng = start, deadline, think, rng

    def request(self, kind: str, method: str, path: str, *, timed=True, ok=(200,), **kwargs):
        began = time.perf_counter()
        try:
            response = self.client.request(method, self.base + path, **kwargs)
        except Exception as error:
            self.results.error(f"{self.username} {kind} {path}: {type(error).__name__}: {error}")
            return None
        elapsed = time.perf_counter() - began
        if response.status_code not in ok:
            said = " ".join(re.sub(r"<[^>]*>", " ", response.text).split())[:200]
            self.results.error(
                f"{self.username} {kind} {path}: HTTP {response.status_code}"
                + (f": {said}" if said else "")
            )
            return None
        if timed:
            with self.results.lock:
                self.results.latencies[kind].append(elapsed)
        return response

    def htmx(self) -> dict:
        return {"HX-Request": "true", "X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def pause(self) -> None:
        low, high = self.think
        time.sleep(self.rng.uniform(low, high))

    def run(self) -> None:
        import httpx

        with httpx.Client(timeout=30) as self.client:
            try:
                logged_in = self.login()
            finally:
                with self.results.lock:
                    self.results.ready += 1
            self.start_event.wait()
            if not logged_in:
                return
            # Annotators do not all click at the same instant: spread the first actions.
            time.sleep(self.rng.uniform(0, self.ramp))
            while time.monotonic() < self.deadline:
                try:
                    self.annotate_one()
                except Exception as error:  # count it and carry on, as a person would
                    self.results.error(f"{self.username}: {type(error).__name__}: {error}")
                    self.pause()

    def login(self) -> bool:
        page = self.request("login page", "GET", "/accounts/login/", timed=False)
        if page is None:
            return False
        match = CSRF_INPUT.search(page.text)
        began = time.perf_counter()
        done = self.request(
            "login",
            "POST",
            "/accounts/login/",
            timed=False,
            ok=(302,),
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
        )
        with self.results.lock:
            self.results.logins.append(time.perf_counter() - began)
        return done is not None

    def annotate_one(self) -> None:
        queue = self.request("queue", "GET", f"/projects/{self.slug}/next/", ok=(302,))
        if queue is None:
            return self.pause()
        location = queue.headers["location"]
        article = ARTICLE_URL.search(location)
        if article is None:
            self.results.error(f"{self.username}: the queue sent me to {location}")
            return self.pause()
        article_id = int(article.group(1))
        with self.results.lock:
            if self.results.editing[article_id] - {self.username}:
                self.results.opened_while_edited += 1
            self.results.editing[article_id].add(self.username)
        try:
            self.annotate(article_id, location)
        finally:
            with self.results.lock:
                self.results.editing[article_id].discard(self.username)

    def annotate(self, article_id: int, location: str) -> None:
        page = self.request("annotate page", "GET", location)
        if page is None:
            return self.pause()
        match = SET_URL.search(page.text)
        if match is None:
            self.results.error(f"{self.username}: no span form on {location}")
            return self.pause()
        set_id = int(match.group(1))
        with self.results.lock:
            self.results.sets.add(set_id)
        body = self.seeded["bodies"][article_id]
        mine = []
        for _ in range(self.rng.randint(3, 6)):
            if time.monotonic() >= self.deadline:
                return
            self.pause()
            span = self.create_span(set_id, body)
            if span:
                mine.append(span)
        if mine and time.monotonic() < self.deadline:
            self.pause()
            self.delete_span(self.rng.choice(mine))
        if time.monotonic() < self.deadline:
            self.pause()
            submitted = self.request(
                "submit",
                "POST",
                f"/projects/{self.slug}/sets/{set_id}/submit/",
                headers=self.htmx(),
            )
            if submitted is not None:
                with self.results.lock:
                    self.results.submitted += 1

    def create_span(self, set_id: int, body: str) -> tuple | None:
        words = [m.span() for m in re.finditer(r"\w+(?:[ \u00a0]\w+){0,2}", body)]
        with self.results.lock:  # what this set holds already, which the server would refuse
            taken = {span[1:] for span in self.results.saved if span[1] == set_id}
        while True:  # as a person would, a span the set does not hold yet
            start, end = self.rng.choice(words)
            label = self.rng.choice(self.seeded["labels"][self.slug])
            if (set_id, start, end, label) not in taken:
                break
        response = self.request(
            "create span",
            "POST",
            f"/projects/{self.slug}/sets/{set_id}/spans/",
            headers=self.htmx(),
            data={"start": start, "end": end, "quote": body[start:end], "label": label},
        )
        if response is None:
            return None
        match = DELETE_URL.search(response.text)
        if match is None or int(match.group(1)) != set_id:
            self.results.error(f"{self.username}: the span editor did not come back")
            return None
        span = (int(match.group(2)), set_id, start, end, label)
        with self.results.lock:
            self.results.saved.add(span)
        return span

    def delete_span(self, span: tuple) -> None:
        span_id, set_id = span[0], span[1]
        response = self.request(
            "delete span",
            "POST",
            f"/projects/{self.slug}/sets/{set_id}/spans/{span_id}/delete/",
            headers=self.htmx(),
        )
        if response is not None:
            with self.results.lock:
                self.results.saved.discard(span)
                self.results.deleted.add(span)


# Report


def summary(results: Results, duration: float) -> dict:
    kinds = {}
    everything = []
    for kind, samples in sorted(results.latencies.items()):
        everything += samples
        kinds[kind] = stats(samples)
    total = stats(everything) if everything else {}
    return {
        "requests": len(everything),
        "throughput_per_s": round(len(everything) / duration, 1),
        "all": total,
        "by_kind": kinds,
        "logins": stats(results.logins) if results.logins else {},
        "submitted_sets": results.submitted,
        "opened_while_another_edited": results.opened_while_edited,
        "errors": len(results.errors),
        "first_errors": results.errors[:10],
    }


def stats(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def print_summary(report: dict) -> None:
    print(
        f"\n{report['users']} annotators in {report['projects']} project(s) for "
        f"{report['duration_s']} s against {report['server']} (DEBUG off; load average "
        f"before: {report['load_average_before']})"
    )
    print(f"{report['requests']} requests, {report['throughput_per_s']} per second")
    print(f"{'':16}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, row in [
        ("all", report["all"]),
        *report["by_kind"].items(),
        ("(login)", report["logins"]),
    ]:
        if row:
            cells = "".join(f"{row[k]:>9}" for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))
            print(f"{kind:16}{row['n']:>7}{cells}")
    print(f"sets submitted: {report['submitted_sets']}")
    print(
        "articles opened while another annotator was marking spans on them: "
        f"{report['opened_while_another_edited']}"
    )
    locks = report["database"]
    print(
        f"database sessions running a query: mean {locks['active_mean']}, max "
        f"{locks['active_max']}; waiting for a row lock: mean {locks['waiting_for_lock_mean']}, "
        f"max {locks['waiting_for_lock_max']}, in {locks['samples_with_a_lock_wait_pct']}% "
        "of the samples"
    )
    for statement, count in locks["waiting_statements"].items():
        print(f"  waiting (sessions x samples): {count:6}  {statement}")
    print(f"'deadlock detected' in the server's log: {report['deadlocks_in_log']}")
    print(f"errors: {report['errors']} (the server's log: {GUNICORN_LOG})")
    for line in report["first_errors"]:
        print(f"  {line}")
    print(
        f"spans the server said it saved: {report['spans_saved']}, "
        f"lost: {report['spans_lost']}, deleted but still there: {report['spans_not_deleted']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bounded load test; see docs/performance.md.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--projects", type=int, default=1, help="projects the users share")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument(
        "--articles", type=int, default=None, help="per project (default: enough for everyone)"
    )
    parser.add_argument("--think", default="0.5-1.5", help="seconds between actions, low-high")
    parser.add_argument("--ramp", type=float, default=5, help="seconds over which users start")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's (default: a free one)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--database-url", default=os.environ.get("LOADTEST_DATABASE_URL"))
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "bench-results" / "loadtest.json"))
    args = parser.parse_args(argv)
    think = tuple(float(x) for x in args.think.split("-"))
    url = args.database_url or DATABASE_URL
    per_project = math.ceil(args.users / args.projects)
    # An annotator hands in an article every ~8 s at most; each article takes three.
    articles = args.articles or max(300, math.ceil(per_project * args.duration / 12))
    load_before = os.getloadavg()[0]

    if not postgres_is_up(url):
        raise SystemExit(f"PostgreSQL is not reachable at {url}; the load test needs it.")
    recreate_postgres(url)
    setup_django(url)
    log(f"seeding {args.projects} x {articles} articles and {args.users} annotators")
    seeded = seed(args.users, args.projects, articles)
    from django.db import connections

    connections.close_all()

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    WORKDIR.mkdir(parents=True, exist_ok=True)
    processes = [start_gunicorn(port, args.workers, args.threads)]
    results = Results()
    sampler = LockSampler(url)
    try:
        processes.append(start_worker())
        server, worker = processes
        wait_until_serving(base, server)
        if worker.poll() is not None:
            raise RuntimeError(f"the task worker exited; see {WORKER_LOG}")
        check_debug_off(base)
        log(f"gunicorn serving on {base} ({args.workers} workers x {args.threads} threads)")
        start = threading.Event()
        threads = []
        rng = random.Random(6)
        for username, slug in seeded["users"]:
            threads.append(
                Annotator(
                    base,
                    username,
                    slug,
                    seeded["password"],
                    seeded,
                    results,
                    start,
                    None,
                    think,
                    random.Random(rng.random()),
                )
            )
        for thread in threads:
            thread.ramp = args.ramp
            thread.start()
        log("logging in")
        while results.ready < len(threads):
            time.sleep(0.1)
        deadline = time.monotonic() + args.duration
        for thread in threads:
            thread.deadline = deadline
        log(f"{len(results.logins)} logged in; {args.duration:.0f} s of annotating")
        began = time.monotonic()
        start.set()
        sampler.start()
        for thread in threads:
            thread.join(timeout=max(1, deadline - time.monotonic()) + 60)
        elapsed = time.monotonic() - began
        hung = [thread.name for thread in threads if thread.is_alive()]
        if hung:
            results.error(f"{len(hung)} annotators still waiting after the deadline")
    finally:
        sampler.done.set()
        for process in processes:
            stop(process)

    expected = set(results.saved)
    lost, not_deleted = verify(results)
    report = {
        "server": f"gunicorn {args.workers}x{args.threads} gthread and a db_worker, PostgreSQL",
        "users": args.users,
        "projects": args.projects,
        "articles_per_project": articles,
        "load_average_before": round(load_before, 2),
        "duration_s": round(elapsed, 1),
        "think_s": list(think),
        "ramp_s": args.ramp,
        **summary(results, elapsed),
        "spans_saved": len(expected),
        "spans_lost": len(lost),
        "spans_not_deleted": len(not_deleted),
        "database": sampler.summary(),
        "deadlocks_in_log": sum(
            path.read_text(errors="replace").count("deadlock detected")
            for path in (GUNICORN_LOG, WORKER_LOG)
        ),
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print_summary(report)
    connections.close_all()
    if not args.keep_database:
        drop_postgres(url)
    failed = report["errors"] or lost or not_deleted or not expected
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
