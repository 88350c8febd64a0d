"""One import in a fresh process, for its memory: `python -m bench.importmem SLUG PATH`.

Prints JSON: the peak of the Python heap during the import of the JSONL file PATH into the
project SLUG (tracemalloc), and the process's peak resident memory (VmHWM: the whole worker,
interpreter, Django and database driver included). The file is read as a stream, as the
import_articles command reads it.
"""

import json
import os
import sys
from pathlib import Path


def main() -> int:
    slug, path = sys.argv[1:3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from annotations.importing import import_articles
    from annotations.models import Project
    from bench.exportmem import max_rss_kb
    from bench.suite import peak_memory_mb

    project = Project.objects.get(slug=slug)
    with Path(path).open("rb") as stream:
        peak_mb, report = peak_memory_mb(
            lambda: import_articles(
                project=project, filename=Path(path).name, data=stream, format="jsonl"
            )
        )
    print(
        json.dumps(
            {
                "peak_mb": peak_mb,
                "max_rss_mb": round(max_rss_kb() / 1024, 1),
                "spans": report.span_count,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
