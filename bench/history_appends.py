"""`python -m bench.history_appends`: the time of 10,000 history appends on a throwaway database.

    python -m bench.history_appends [--count 10000] [--database-url URL]
    python -m bench.history_appends --writers 16 --projects 1,4 --seconds 20 --database-url URL

Three figures, each in wall-clock and CPU seconds: appends one at a time (`history.record`, each
in its own transaction, as a page or the API makes them), one batch (`history.record_many`, as
an import does) and `history.verify` over all of them. The default
database is a fresh SQLite file under var/bench/; a PostgreSQL URL must name a database whose
name starts with "bench" (it is dropped and recreated).

With --writers, it measures instead how many appends per second the chain takes when that many
writers (threads, each with its own connection) append at once, each append its own transaction
as a page's is, to one project and to several (--projects): the ceiling that the project's lock
puts on writes per project, apart from everything else a request does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from typing import cast

from bench.databases import recreate_postgres, sqlite_url


def concurrent(writers: int, projects: int, seconds: float) -> dict:
    """Appends per second with `writers` threads over `projects` projects."""
    import threading

    from django.db import connection, transaction

    from annotations import history
    from annotations.models import AnnotationSet
    from annotations.services import project_add_defaults
    from tests.factories import AnnotationSetFactory, ArticleFactory, ProjectFactory

    sets = []
    for number in range(projects):
        project = ProjectFactory(slug=f"bench-chain-{projects}-{number}")
        project_add_defaults(project=project)
        sets.append(
            cast(AnnotationSet, AnnotationSetFactory(article=ArticleFactory(project=project)))
        )
    counts = [0] * writers
    latencies: list[float] = []
    start, lock = threading.Barrier(writers + 1), threading.Lock()
    deadline = [0.0]

    def write(index: int) -> None:
        annotation_set = AnnotationSet.objects.select_related("article").get(
            pk=sets[index % projects].pk
        )
        user = annotation_set.annotator
        mine = []
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            with transaction.atomic():
                history.record(
                    user=user, action="update", obj=annotation_set, after={"n": counts[index]}
                )
            mine.append(time.perf_counter() - began)
            counts[index] += 1
        with lock:
            latencies.extend(mine)
        connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    start.wait()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "writers": writers,
        "projects": projects,
        "appends_per_s": round(sum(counts) / seconds, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--writers", type=int, default=0, help="concurrent appenders")
    parser.add_argument("--projects", default="1,4", help="with --writers: project counts")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    url = args.database_url or sqlite_url("history_appends")
    if url.startswith("postgres"):
        recreate_postgres(url)
    os.environ["DATABASE_URL"] = url
    # A fresh database needs fresh files: checkpoints of an earlier run would not match it.
    media = tempfile.mkdtemp(prefix="history-appends-media-")
    os.environ["MEDIA_ROOT"] = media
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

    import django

    django.setup()
    from django.core.management import call_command

    from annotations import history
    from annotations.models import AnnotationSet, Project
    from annotations.services import project_add_defaults
    from tests.factories import AnnotationSetFactory, ArticleFactory, ProjectFactory

    call_command("migrate", verbosity=0)
    if args.writers:
        load = os.getloadavg()[0]
        for projects in (int(n) for n in args.projects.split(",")):
            figures = concurrent(args.writers, projects, args.seconds)
            print(f"{figures} (load average before {load:.1f})", flush=True)
        shutil.rmtree(media)
        return
    project = cast(Project, ProjectFactory(slug="bench-history"))
    project_add_defaults(project=project)
    annotation_set = cast(
        AnnotationSet, AnnotationSetFactory(article=ArticleFactory(project=project))
    )
    user = annotation_set.annotator

    started, cpu = time.perf_counter(), time.process_time()
    for number in range(args.count):
        history.record(
            user=user, action="update", obj=annotation_set, after={"status": "x", "n": number}
        )
    one_by_one = time.perf_counter() - started, time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    history.record_many(
        project=project,
        user=user,
        entries=[
            history.Entry(
                action="update",
                object_type="annotation_set",
                object_id=annotation_set.pk,
                article_id=annotation_set.article_id,
                annotation_set_id=annotation_set.pk,
                after={"status": "x", "n": number},
            )
            for number in range(args.count)
        ],
    )
    batch = time.perf_counter() - started, time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    breaks = history.verify()
    verified = time.perf_counter() - started, time.process_time() - cpu
    print(f"database: {url.split('://')[0]} (seconds: wall clock, and this process's CPU time)")
    for what, (wall, used) in [
        (f"{args.count} appends one at a time", one_by_one),
        (f"{args.count} appends in one batch", batch),
        (f"verify {2 * args.count} records ({len(breaks)} break(s))", verified),
    ]:
        print(f"{what:<42} {wall:7.2f} s wall {used:7.2f} s CPU")
    shutil.rmtree(media)


if __name__ == "__main__":
    main()
