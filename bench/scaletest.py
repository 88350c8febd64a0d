"""`make scaletest`: the workbench on two web machines and two task workers against one database.

    python -m bench.scaletest [--users 20] [--duration 30] [--port 0] [--cache-url URL]

Creates (dropping any old one) the PostgreSQL database `bench_scaletest` (or the one
SCALETEST_DATABASE_URL names; its name must start with "bench"), seeds it, and starts, each as
a separate process in a working directory of its own under var/bench/scaletest/:

- two web instances (gunicorn, bench/scale_settings.py: DEBUG off, the real task queue);
- two task workers (`manage.py db_worker`);
- a round-robin proxy (bench/proxy.py) in front of the web instances: every request goes to the
  next instance, so a session, a throttle count or an upload is used by the other one next.

They share only the database, the storage (MEDIA_ROOT, var/bench/scaletest/shared-storage: the
directory every machine would mount, or an S3 bucket through django-storages, docs/deployment)
and the cache (CACHE_URL: Redis if it answers on 127.0.0.1:6379, else the database cache).
Then it checks, through the proxy or each instance directly:

1. a session made by logging in through the proxy is accepted by both instances;
2. articles uploaded through one instance (the API's import) are served by the other;
3. simulated annotators (bench.loadtest) work through the proxy: no error, no lost span;
4. releases defined through the proxy are built by the workers, and each file is downloaded
   through the web instance that did not take the request, with the SHA-256 the release lists;
5. the API's throttle counts across both instances (the shared cache): a token gets its rate
   and no more, however its requests are spread;
6. nothing was written in the processes' own directories (all files are in the storage).

Prints the figures and the checks; exits non-zero if any check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import loadtest
from bench.databases import (
    POSTGRES_SERVER,
    ROOT,
    WORKDIR,
    drop_postgres,
    postgres_is_up,
    recreate_postgres,
)

DATABASE_URL = POSTGRES_SERVER + "/bench_scaletest"
BASE = WORKDIR / "scaletest"
STORAGE = BASE / "shared-storage"
GOLD = "scale-gold"
THROTTLE = 60  # API requests per minute per caller during the scale test
UPLOADED = 10


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def redis_url() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/13"
    except OSError:
        pass
    return None


def clear_throttles(cache_url: str) -> None:
    """Throttle counts of an earlier run (same token ids in a recreated database) would count."""
    if cache_url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(cache_url)
        for key in client.scan_iter(match=":1:throttle_*"):
            client.delete(key)


def seed(users: int, articles: int) -> dict:
    from accounts.models import User
    from accounts.services import api_token_create
    from bench.generate import generate_project, write_jsonl

    seeded = loadtest.seed(users, 1, articles)
    generate_project(GOLD, 30, seed=5)  # approved gold sets, for releases
    for who, name in [("manager", f"{GOLD}-manager"), ("reviewer", f"{GOLD}-reviewer")]:
        _, seeded[f"{who}_token"] = api_token_create(
            owner=User.objects.get(username=name), name="scaletest"
        )
    load_manager = User.objects.get(username=f"{loadtest.SLUG}-manager")
    _, seeded["load_manager_token"] = api_token_create(owner=load_manager, name="scaletest")
    seeded["upload"] = BASE / "upload.jsonl"
    # Pre-annotated articles, each with a set of the first simulated annotator.
    write_jsonl(seeded["upload"], UPLOADED, seed=99, annotator=seeded["users"][0][0])
    return seeded


# The processes


def spawn(name: str, command: list[str], env: dict) -> subprocess.Popen:
    home = BASE / name
    home.mkdir(parents=True)
    out = open(BASE / f"{name}.log", "wb")  # noqa: SIM115 - the process's lifetime
    return subprocess.Popen(
        command, cwd=home, env=env, start_new_session=True, stdout=out, stderr=out
    )


def start_all(port: int, url: str, cache_url: str) -> dict[str, subprocess.Popen]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.scale_settings",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(STORAGE),
        "CACHE_URL": cache_url,
        "API_THROTTLE_RATE": f"{THROTTLE}/minute",
    }
    python = sys.executable
    gunicorn = str(Path(python).parent / "gunicorn")
    processes = {}
    for number in (1, 2):
        processes[f"web-{number}"] = spawn(
            f"web-{number}",
            [
                gunicorn,
                "workbench.wsgi",
                "--bind",
                f"127.0.0.1:{port + number}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--keep-alive",
                "10",
                "--log-level",
                "warning",
            ],
            env,
        )
        processes[f"worker-{number}"] = spawn(
            f"worker-{number}",
            [
                python,
                str(ROOT / "manage.py"),
                "db_worker",
                "--worker-id",
                f"worker-{number}",
                "--interval",
                "0.5",
                "--no-startup-delay",
            ],
            env,
        )
    processes["proxy"] = spawn(
        "proxy",
        [python, "-m", "bench.proxy", str(port), str(port + 1), str(port + 2)],
        {**env, "PYTHONPATH": str(ROOT)},
    )
    return processes


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# The checks


class Checks:
    def __init__(self):
        self.results: list[dict] = []

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.results.append({"check": name, "ok": bool(ok), "detail": detail})
        log(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
        return bool(ok)


def login(client, base: str, username: str, password: str) -> bool:
    page = client.get(f"{base}/accounts/login/")
    token = loadtest.CSRF_INPUT.search(page.text)
    done = client.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
    )
    return done.status_code == 302


def check_sessions(checks: Checks, proxy: str, webs: list[str], seeded: dict) -> None:
    import httpx

    username = seeded["users"][0][0]
    with httpx.Client(timeout=30) as client:
        logged_in = login(client, proxy, username, seeded["password"])
        pages = [client.get(f"{web}/") for web in webs]
    answers = [page.status_code for page in pages]
    checks.check(
        "one session, both instances",
        logged_in and answers == [200, 200] and all(username in page.text for page in pages),
        f"logged in through the proxy as {username}; its projects page on instance 1 and 2: "
        f"HTTP {answers}, naming the user: {[username in page.text for page in pages]}",
    )


def check_upload(checks: Checks, webs: list[str], seeded: dict) -> None:
    import httpx

    headers = {"Authorization": f"Token {seeded['load_manager_token']}"}
    api = f"/api/v1/projects/{loadtest.SLUG}/articles/"
    with httpx.Client(timeout=60, headers=headers) as client:
        with open(seeded["upload"], "rb") as file:
            answer = client.post(f"{webs[0]}{api}import/", files={"file": ("upload.jsonl", file)})
        ids = answer.json().get("article_ids", []) if answer.status_code == 201 else []
        found = [client.get(f"{webs[1]}{api}{pk}/").status_code for pk in ids]
    checks.check(
        "an upload through one instance, served by the other",
        answer.status_code == 201 and len(ids) == UPLOADED and found == [200] * UPLOADED,
        f"import through instance 1: HTTP {answer.status_code}"
        f"{'' if answer.status_code == 201 else ' ' + answer.text[:300]}, {len(ids)} articles; "
        f"each read through instance 2: {sorted(set(found))}",
    )


def check_releases(checks: Checks, proxy: str, webs: list[str], seeded: dict) -> list[dict]:
    import httpx
    from django_tasks_db.models import DBTaskResult

    from annotations.models import Release
    from annotations.tasks import build_release

    headers = {"Authorization": f"Token {seeded['manager_token']}"}
    api = f"/api/v1/projects/{GOLD}/releases/"
    built: list[dict] = []
    with httpx.Client(timeout=120, headers=headers) as client:
        asked = []
        for number in range(2):
            answer = client.post(
                f"{proxy}{api}", json={"name": f"scale {number}", "formats": ["native", "bio"]}
            )
            if answer.status_code != 202:
                checks.check("release defined", False, f"HTTP {answer.status_code} {answer.text}")
                return built
            asked.append((answer.json()["version"], int(answer.headers["X-Backend"])))
        deadline = time.monotonic() + 180
        for version, web in asked:
            while True:
                release = client.get(f"{proxy}{api}{version}/").json()
                if release["status"] in {"ready", "failed"} or time.monotonic() > deadline:
                    break
                time.sleep(2)  # the release's polls stay well under the throttle
            other = 2 if web == 1 else 1
            pk = Release.objects.get(project__slug=GOLD, version=version).pk
            tasks = DBTaskResult.objects.filter(
                task_path=build_release.module_path, args_kwargs__args=[pk]
            )
            workers = sorted({worker for task in tasks for worker in task.worker_ids})
            files = []
            for file in release.get("files", []):
                data = client.get(f"{webs[other - 1]}{file['download_url']}")
                files.append(
                    data.status_code == 200
                    and hashlib.sha256(data.content).hexdigest() == file["sha256"]
                )
            built.append(
                {
                    "version": version,
                    "status": release["status"],
                    "defined_through_instance": web,
                    "downloaded_through_instance": other,
                    "built_by": workers,
                    "files": len(files),
                }
            )
            checks.check(
                f"release v{version} built by a worker, downloaded through the other instance",
                release["status"] == "ready" and bool(files) and all(files),
                f"defined through instance {web}, status {release['status']}, built by "
                f"{workers or 'an unknown worker'}; {sum(files)}/{len(files)} file(s) "
                f"downloaded through instance {other} with the listed SHA-256",
            )
    return built


def check_throttle(checks: Checks, proxy: str, seeded: dict) -> None:
    import httpx

    headers = {"Authorization": f"Token {seeded['reviewer_token']}"}
    answers = []
    with httpx.Client(timeout=30, headers=headers) as client:
        for _ in range(THROTTLE + 10):
            answer = client.get(f"{proxy}/api/v1/projects/")
            answers.append((answer.status_code, answer.headers.get("X-Backend")))
    allowed = [backend for status, backend in answers if status == 200]
    refused = sum(1 for status, _ in answers if status == 429)
    checks.check(
        "the API throttle counts across both instances",
        len(allowed) == THROTTLE and refused == 10 and set(allowed) == {"1", "2"},
        f"{THROTTLE + 10} requests of one token at {THROTTLE}/minute, spread over instances "
        f"{sorted(set(allowed))}: {len(allowed)} answered, {refused} refused with 429",
    )


def check_no_local_files(checks: Checks) -> None:
    stray = []
    for name in ("web-1", "web-2", "worker-1", "worker-2", "proxy"):
        home = BASE / name
        stray += [
            str(path.relative_to(BASE))
            for path in home.rglob("*")
            if path.is_file() and "staticfiles" not in path.parts
        ]
    stored = [p for p in STORAGE.rglob("*") if p.is_file()]
    checks.check(
        "no files in the processes' own directories",
        not stray,
        f"{len(stored)} file(s) in the shared storage; elsewhere: {stray[:5] or 'none'}",
    )


def run_annotators(proxy: str, seeded: dict, users: int, duration: float) -> dict:
    results = loadtest.Results()
    start = threading.Event()
    rng = random.Random(8)
    threads = [
        loadtest.Annotator(
            proxy,
            username,
            slug,
            seeded["password"],
            seeded,
            results,
            start,
            None,
            (0.5, 1.5),
            random.Random(rng.random()),
        )
        for username, slug in seeded["users"][:users]
    ]
    for thread in threads:
        thread.ramp = 3
        thread.start()
    while results.ready < len(threads):
        time.sleep(0.1)
    deadline = time.monotonic() + duration
    for thread in threads:
        thread.deadline = deadline
    began = time.monotonic()
    start.set()
    for thread in threads:
        thread.join(timeout=max(1, deadline - time.monotonic()) + 60)
    elapsed = time.monotonic() - began
    lost, not_deleted = loadtest.verify(results)
    return {
        **loadtest.summary(results, elapsed),
        "spans_saved": len(results.saved),
        "spans_lost": len(lost),
        "spans_not_deleted": len(not_deleted),
        "duration_s": round(elapsed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Two web instances, two workers; see above.")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30, help="seconds of annotating")
    parser.add_argument(
        "--port", type=int, default=0, help="the proxy's; the instances take the next two"
    )
    parser.add_argument("--cache-url", default=None, help="default: Redis if up, else database")
    parser.add_argument("--database-url", default=os.environ.get("SCALETEST_DATABASE_URL"))
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "bench-results" / "scaletest.json"))
    args = parser.parse_args(argv)
    url = args.database_url or DATABASE_URL
    if not postgres_is_up(url):
        raise SystemExit(f"PostgreSQL is not reachable at {url}; the scale test needs it.")
    cache_url = args.cache_url or redis_url() or "dbcache://workbench_cache"
    port = args.port or loadtest.free_port()
    proxy, webs = f"http://127.0.0.1:{port}", [f"http://127.0.0.1:{port + n}" for n in (1, 2)]

    shutil.rmtree(BASE, ignore_errors=True)
    BASE.mkdir(parents=True)
    recreate_postgres(url)
    os.environ["MEDIA_ROOT"] = str(STORAGE)
    loadtest.setup_django(url)
    log(f"seeding; storage {STORAGE}; cache {cache_url}")
    seeded = seed(args.users, max(100, args.users * 3))
    clear_throttles(cache_url)
    from django.db import connections

    connections.close_all()
    processes = start_all(port, url, cache_url)
    checks = Checks()
    report: dict = {"users": args.users, "cache": cache_url.split("?")[0], "storage": str(STORAGE)}
    try:
        for base in webs:
            loadtest.wait_until_serving(base)
            loadtest.check_debug_off(base)
        loadtest.wait_until_serving(proxy)
        log(f"proxy {proxy} -> {webs}; workers worker-1, worker-2")
        check_sessions(checks, proxy, webs, seeded)
        check_upload(checks, webs, seeded)
        seeded["bodies"] = loadtest.seed_bodies()
        log(f"{args.users} annotators through the proxy for {args.duration:.0f} s")
        report["annotators"] = annotators = run_annotators(proxy, seeded, args.users, args.duration)
        checks.check(
            "annotators through the proxy",
            annotators["errors"] == 0
            and annotators["spans_lost"] == 0
            and annotators["spans_not_deleted"] == 0
            and annotators["spans_saved"] > 0,
            f"{annotators['requests']} requests, {annotators['errors']} errors, "
            f"{annotators['spans_saved']} spans saved, {annotators['spans_lost']} lost; "
            f"p50/p95/p99 {annotators['all'].get('p50_ms')}/{annotators['all'].get('p95_ms')}/"
            f"{annotators['all'].get('p99_ms')} ms",
        )
        report["releases"] = check_releases(checks, proxy, webs, seeded)
        check_throttle(checks, proxy, seeded)
        died = [name for name, process in processes.items() if process.poll() is not None]
        checks.check("every process still running", not died, f"exited: {died or 'none'}")
    finally:
        stop_all(processes)
    check_no_local_files(checks)
    report["checks"] = checks.results
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    failed = [c for c in checks.results if not c["ok"]]
    print(f"\n{len(checks.results) - len(failed)}/{len(checks.results)} checks passed")
    for check in checks.results:
        print(f"  {'ok  ' if check['ok'] else 'FAIL'} {check['check']}: {check['detail']}")
    connections.close_all()
    if not args.keep_database:
        drop_postgres(url)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
