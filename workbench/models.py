from django.db import models


class WorkerHeartbeat(models.Model):
    """When a running task worker (`manage.py db_worker`) last said it was alive.

    One row per worker process, written by workbench.worker; /healthz reports the freshest.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worker {self.worker_id} seen at {self.seen_at:%Y-%m-%d %H:%M:%S}"
