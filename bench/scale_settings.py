"""Settings of the scale test's web instances and task workers (bench.scaletest): those of the
benchmarks (DEBUG off), with the real task queue (django-tasks-db, as in production) and the
static files in the process's own working directory. The database, the storage (MEDIA_ROOT)
and the cache (CACHE_URL) come from the environment the scale test gives every process.
"""

from pathlib import Path

from bench.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
STATIC_ROOT = Path.cwd() / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
