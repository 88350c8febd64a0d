"""`python -m bench.history_appends`: the time of 10,000 history appends on a throwaway database.

    python -m bench.history_appends [--count 10000] [--database-url URL]

Three figures, each in wall-clock and CPU seconds: appends one at a time (`history.record`, each
in its own transaction, as a page or the API makes them), one batch (`history.record_many`, as
an import does) and `history.verify` over all of them. The default
database is a fresh SQLite file under var/bench/; a PostgreSQL URL must name a database whose
name starts with "bench" (it is dropped and recreated).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from typing import cast

from bench.databases import recreate_postgres, sqlite_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
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
