"""Task workers' heartbeats, so that /healthz can tell whether anything works the task queue.

django-tasks-db records no heartbeat (only which worker claimed a task), and an idle worker
writes nothing, so the age of the newest task row says nothing about an idle queue. Instead each
`manage.py db_worker` (workbench/management/commands/db_worker.py) keeps a row of its own in
WorkerHeartbeat: written when it starts, every WORKER_HEARTBEAT_SECONDS by a background thread
while it runs, and deleted when it stops cleanly. The heartbeat says the worker process is alive
and reaches the database; a task that hangs is caught by its own checks (a release build is
marked failed after RELEASE_STALLED_AFTER_SECONDS without progress).
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Max
from django.utils import timezone

from workbench.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Rows of workers that died without stopping cleanly are dropped after this long.
FORGET_DEAD_WORKERS_AFTER = timedelta(days=1)


def heartbeat_record(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": timezone.now()}
    )


def heartbeat_forget(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def silent_after() -> timedelta:
    """A worker whose heartbeat is older than this (three beats missed) has stopped or lost
    its database; its tasks will not finish."""
    return timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)


def heartbeats_by_worker() -> dict[str, datetime]:
    """When each worker that has not stopped cleanly last said it was alive."""
    return dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))


def last_heartbeat() -> datetime | None:
    """When the most recently alive worker last said so; None if no worker is running."""
    last: datetime | None = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    return last


@contextmanager
def heartbeats(*, worker_id: str, every: float) -> Iterator[None]:
    """Record `worker_id`'s heartbeat now and every `every` seconds until the block ends."""
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_DEAD_WORKERS_AFTER).delete()
    heartbeat_record(worker_id=worker_id)  # a worker that cannot reach its database stops here
    stop = threading.Event()
    beating = threading.Thread(
        target=_beat, args=(worker_id, every, stop), name="worker-heartbeat", daemon=True
    )
    beating.start()
    try:
        yield
    finally:
        stop.set()
        beating.join(timeout=every)
        try:
            heartbeat_forget(worker_id=worker_id)  # a worker that stopped is not alive
        except DatabaseError:
            logger.warning("Could not remove worker %s's heartbeat", worker_id, exc_info=True)


def _beat(worker_id: str, every: float, stop: threading.Event) -> None:
    # Runs in its own thread, so with its own database connection, closed when it ends.
    try:
        while not stop.wait(every):
            close_old_connections()
            try:
                heartbeat_record(worker_id=worker_id)
            except DatabaseError:
                logger.warning(
                    "Could not record the heartbeat of worker %s", worker_id, exc_info=True
                )
    finally:
        connection.close()
