"""`manage.py db_worker`: django-tasks-db's worker, which also records a heartbeat for /healthz.

The workbench app comes before django_tasks_db in INSTALLED_APPS, so this command replaces
theirs under the same name (as django.contrib.staticfiles does with runserver).
"""

import os
from typing import Any

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from workbench.worker import heartbeats


class Command(db_worker.Command):
    help = "Run a database background worker that records a heartbeat for /healthz"

    def handle(self, *, worker_id: str, reload: bool, batch: bool, **options: Any) -> None:
        options.update(worker_id=worker_id, reload=reload, batch=batch)
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # With --reload this process only watches the code; its child process runs the
            # worker, and records the heartbeat.
            super().handle(**options)
            return
        with heartbeats(worker_id=worker_id, every=settings.WORKER_HEARTBEAT_SECONDS):
            super().handle(**options)
