"""Tasks for the tests of the worker heartbeat and of task logging (importable by path)."""

from django.tasks import task

from workbench.models import WorkerHeartbeat


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def fail() -> None:
    raise RuntimeError("this task always fails")


@task
def running_workers() -> list[str]:
    """The workers whose heartbeat is recorded while this task runs."""
    return sorted(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
