"""Settings for benchmarks and the load test: production-like (DEBUG off) on a throwaway database.

`python -m bench` and `python -m bench.loadtest` set DATABASE_URL to a database of their own
(a fresh SQLite file under var/bench/, or a PostgreSQL database they drop and recreate).
"""

import os
from pathlib import Path

# Forced, not defaulted: neither a developer's .env (DEBUG on) nor an exported DEBUG=true
# makes a benchmark measure the development mode (bench.loadtest also checks the live server).
os.environ["ENV_FILE"] = ""
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-deployment-0123456789")
os.environ.setdefault("HISTORY_KEYS", "bench:bench-only-history-key-not-for-any-deployment")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Release files of a benchmark go with its database (`python -m bench` gives each its own).
os.environ.setdefault("MEDIA_ROOT", str(Path(__file__).resolve().parent.parent / "var/bench/media"))

from workbench.settings import *  # noqa: E402,F403

if "DATABASE_URL" not in os.environ:
    DATABASES["default"]["NAME"] = str(VAR_DIR / "bench" / "bench.sqlite3")  # noqa: F405

PASSWORD_HASHERS = ["bench.hashers.BenchPasswordHasher"]

# WhiteNoise stays in (as in production) but has nothing to serve: pages are measured, not files.
STATIC_ROOT = VAR_DIR / "bench" / "staticfiles"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Pages render with plain static URLs; no collectstatic step before a benchmark.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Release builds and imports run inline, so their time is measured where they are called.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
