"""`manage.py db_worker` records a heartbeat while it runs, for /healthz (workbench.worker)."""

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command, get_commands
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.workbench.sample_tasks import running_workers
from workbench.models import WorkerHeartbeat
from workbench.worker import heartbeats, last_heartbeat

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def restores_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM/SIGQUIT handlers; put pytest's back."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {number: signal.getsignal(number) for number in signals}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def test_db_worker_is_the_workbench_command_that_records_heartbeats():
    assert get_commands()["db_worker"] == "workbench"


def test_a_worker_is_alive_while_it_runs_and_gone_when_it_stops():
    assert last_heartbeat() is None
    with heartbeats(worker_id="w1", every=60):
        assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w1"]
        assert timezone.now() - last_heartbeat() < timedelta(seconds=5)
    assert not WorkerHeartbeat.objects.exists()


def test_a_worker_that_stopped_on_an_error_is_gone_too():
    with pytest.raises(RuntimeError), heartbeats(worker_id="w1", every=60):
        raise RuntimeError("the worker crashed")
    assert not WorkerHeartbeat.objects.exists()


def test_workers_that_died_a_day_ago_are_forgotten_when_one_starts():
    long_ago = timezone.now() - timedelta(days=2)
    WorkerHeartbeat.objects.create(worker_id="killed", seen_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="other", seen_at=timezone.now())
    with heartbeats(worker_id="new", every=60):
        alive = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    assert alive == {"other", "new"}


# Committed for real: the worker closes and reopens database connections between tasks.
@pytest.mark.django_db(transaction=True)
def test_the_worker_command_beats_while_it_runs_tasks(settings, restores_signal_handlers):
    settings.TASKS = DATABASE_TASKS
    result = running_workers.enqueue()

    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "w-test", verbosity=0)

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.task_result.return_value == ["w-test"]
    assert not WorkerHeartbeat.objects.exists()  # stopped cleanly
