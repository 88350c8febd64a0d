"""One export in a fresh process, for its memory: `python -m bench.exportmem SLUG FORMAT STEM`.

Prints JSON: the peak of the Python heap during the export (tracemalloc) and the process's
peak resident memory (the whole worker: interpreter, Django, database driver and export).
A fresh process keeps the figure free of what the benchmark did before (long-lived objects
there delay the collection of the export's cyclic garbage).
"""

import json
import os
import resource
import sys
from pathlib import Path


def main() -> int:
    slug, format, stem = sys.argv[1:4]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from annotations.exports import export
    from annotations.models import Project
    from bench.suite import peak_memory_mb

    project = Project.objects.get(slug=slug)
    peak_mb, paths = peak_memory_mb(lambda: export(project=project, format=format, stem=Path(stem)))
    for path in paths:
        path.unlink()
    print(json.dumps({"peak_mb": peak_mb, "max_rss_mb": round(max_rss_kb() / 1024, 1)}))
    return 0


def max_rss_kb() -> int:
    """This process's peak resident memory. Linux's VmHWM, because getrusage's maxrss also
    counts the RSS of the parent that forked us (it survives exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    sys.exit(main())
