"""A release's state is honest: a queued release with no worker to build it says so, a build
whose worker stopped is marked failed with why (its half-written files removed and its task row
marked failed too), and a manager can retry a failed release.

Builds are queued as in production, on django-tasks-db's database backend; a worker claiming
the task is played by the task row's own ``claim``, and its heartbeat by a WorkerHeartbeat row.
"""

import datetime

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from annotations.exports.w3c import W3CWriter
from annotations.models import Release
from annotations.releases import release_create, releases_fail_stalled
from tests.api.conftest import token_client
from workbench.models import WorkerHeartbeat

MINUTES = datetime.timedelta(minutes=1)


@pytest.fixture
def queue(settings, django_capture_on_commit_callbacks):
    """queue(project, user) -> a release whose build task waits in the database for a worker."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }

    def make(project, user, **definition):
        definition.setdefault("formats", ["native"])
        with django_capture_on_commit_callbacks(execute=True):
            release = release_create(project=project, user=user, **definition)
        return release

    return make


def seen(worker_id: str, ago: datetime.timedelta) -> None:
    WorkerHeartbeat.objects.create(worker_id=worker_id, seen_at=timezone.now() - ago)


def building(release, *, worker="worker-1", progress=40, last_progress=0 * MINUTES):
    """The release as a worker building it leaves it: its task claimed, progress reported."""
    task = DBTaskResult.objects.get(args_kwargs__args=[release.pk])
    task.claim(worker)
    Release.objects.filter(pk=release.pk).update(
        status=Release.Status.BUILDING,
        progress=progress,
        heartbeat_at=timezone.now() - last_progress,
    )
    return task


def page_of(client, release):
    return client.get(release.get_absolute_url()).text


def api_of(user, release):
    url = f"/api/v1/projects/{release.project.slug}/releases/{release.version}/"
    return token_client(user).get(url).json()


# Queued, and no worker to build it.


def test_a_queued_release_with_no_worker_running_says_so(client, gold_project, manager, queue):
    release = queue(gold_project, manager)
    Release.objects.filter(pk=release.pk).update(created_at=timezone.now() - 12 * MINUTES)
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    client.force_login(manager)
    note = (
        "Waiting for a worker: none is running, and none has been seen since this release "
        "was queued 12 minutes ago."
    )
    assert note in page_of(client, release)
    assert api_of(manager, release)["status_note"] == note


def test_a_queued_release_whose_workers_went_silent_says_for_how_long(
    client, gold_project, manager, queue
):
    release = queue(gold_project, manager)
    seen("worker-1", 25 * MINUTES)
    seen("worker-2", 7 * MINUTES)
    client.force_login(manager)
    note = "Waiting for a worker: none has been seen for 7 minutes."
    assert note in page_of(client, release)
    assert api_of(manager, release)["status_note"] == note
    listed = token_client(manager).get(f"/api/v1/projects/{gold_project.slug}/releases/").json()
    assert listed["results"][0]["status_note"] == note


def test_a_queued_release_with_a_live_worker_has_nothing_to_add(
    client, gold_project, manager, queue
):
    release = queue(gold_project, manager)
    seen("worker-1", 0 * MINUTES)
    client.force_login(manager)
    assert "Waiting for a worker" not in page_of(client, release)
    assert api_of(manager, release)["status_note"] is None
    release.refresh_from_db()
    assert release.status == Release.Status.QUEUED


# A build that will never finish.


@pytest.fixture
def leftover(media, gold_project):
    def make(release):
        # What the build had put into storage before it stopped (the card comes last).
        directory = media / "releases" / gold_project.slug / f"v{release.version}"
        directory.mkdir(parents=True)
        (directory / "half.jsonl").write_text('{"id": ')
        return directory

    return make


def test_a_build_whose_worker_is_gone_is_failed_at_once_with_its_leftovers_and_task_row(
    client, gold_project, manager, queue, leftover
):
    release = queue(gold_project, manager)
    task = building(release, worker="worker-1")  # it reported progress just now
    half = leftover(release)
    # worker-1 was killed: its heartbeat row is gone; another worker is alive.
    seen("worker-2", 0 * MINUTES)
    client.force_login(manager)
    text = page_of(client, release)
    reason = "The build stopped making progress at 40%: the worker building it (worker-1) is no "
    assert reason in text
    release.refresh_from_db()
    assert release.status == Release.Status.FAILED
    assert release.error.startswith(reason)
    assert "half-written files were removed" in release.error
    assert not half.exists()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.finished_at is not None
    assert task.exception_class_path == "annotations.releases.BuildStalled"
    assert reason in task.traceback


def test_a_build_whose_worker_went_silent_is_failed(gold_project, manager, queue):
    release = queue(gold_project, manager)
    building(release, worker="worker-1")
    seen("worker-1", 5 * MINUTES)
    assert releases_fail_stalled(project=gold_project) == 1
    release.refresh_from_db()
    assert "the worker building it (worker-1) has not been seen for 5 minutes" in release.error


def test_a_build_that_hangs_with_its_worker_alive_is_failed_after_the_stall_timeout(
    client, gold_project, manager, queue, settings
):
    release = queue(gold_project, manager)
    task = building(release, worker="worker-1", last_progress=20 * MINUTES)
    seen("worker-1", 0 * MINUTES)
    settings.RELEASE_STALLED_AFTER_SECONDS = 15 * 60
    client.force_login(manager)
    assert "none for 20 minutes: its worker stopped or hangs" in page_of(client, release)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED


def test_a_slow_build_with_its_worker_alive_says_how_long_since_its_last_progress(
    client, gold_project, manager, queue
):
    release = queue(gold_project, manager)
    building(release, worker="worker-1", last_progress=4 * MINUTES)
    seen("worker-1", 0 * MINUTES)
    client.force_login(manager)
    text = page_of(client, release)
    assert "No progress for 4 minutes; a build without progress for 15 minutes is marked" in text
    release.refresh_from_db()
    assert release.status == Release.Status.BUILDING


def test_a_healthy_build_stays_building_with_nothing_to_add(gold_project, manager, queue):
    release = queue(gold_project, manager)
    task = building(release, worker="worker-1")
    seen("worker-1", 0 * MINUTES)
    assert releases_fail_stalled(project=gold_project) == 0
    assert api_of(manager, release)["status_note"] is None
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_release_whose_task_ended_without_building_it_is_failed(gold_project, manager, queue):
    never = queue(gold_project, manager)
    DBTaskResult.objects.filter(args_kwargs__args=[never.pk]).update(status="FAILED")
    interrupted = queue(gold_project, manager)
    task = building(interrupted, worker="worker-1")
    seen("worker-1", 0 * MINUTES)
    DBTaskResult.objects.filter(pk=task.pk).update(status="FAILED")  # a second Ctrl+C
    assert releases_fail_stalled(project=gold_project) == 2
    never.refresh_from_db()
    interrupted.refresh_from_db()
    assert never.error.startswith("The build never started: its task ended without running it.")
    assert interrupted.error.startswith("The build stopped making progress at 40%: its task ended")


def test_a_build_marked_failed_while_it_ran_gives_up_and_keeps_the_reason(
    gold_project, manager, build, media, monkeypatch
):
    """A build that only looked dead (its worker lost the database for a while) finds, when it
    comes back, that its release was failed: it keeps nothing and does not overwrite the
    reason."""
    original = W3CWriter.close

    def stalled_meanwhile(self):
        Release.objects.update(status=Release.Status.FAILED, error="Stalled: worker gone.")
        original(self)

    monkeypatch.setattr(W3CWriter, "close", stalled_meanwhile)
    release = build(gold_project, manager, formats=["native", "w3c"])
    assert release.status == Release.Status.FAILED
    assert release.error == "Stalled: worker gone."
    assert not release.files.exists()
    assert not [path for path in media.rglob("*") if path.is_file() and "releases" in path.parts]


# Retrying a failed release.


@pytest.fixture
def failed(gold_project, manager, build, monkeypatch):
    def broken(self, record):
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch:
        patch.setattr(W3CWriter, "write", broken)
        release = build(
            gold_project,
            manager,
            name="spring",
            formats=["native", "w3c"],
            split_seed=7,
            split_ratios={"train": 0.5, "dev": 0.25, "test": 0.25},
        )
    assert release.status == Release.Status.FAILED
    return release


def test_a_manager_retries_a_failed_release_from_its_page(
    client, gold_project, manager, failed, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    text = page_of(client, failed)
    retry_url = f"/projects/{gold_project.slug}/releases/v{failed.version}/retry/"
    assert f'action="{retry_url}"' in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    retried = Release.objects.get(version=failed.version + 1)
    assert response.status_code == 302
    assert response["Location"] == retried.get_absolute_url()
    assert retried.status == Release.Status.READY
    assert (retried.name, retried.formats, retried.split_seed, retried.split_ratios) == (
        "spring",
        ["native", "w3c"],
        7,
        {"train": 0.5, "dev": 0.25, "test": 0.25},
    )
    assert retried.filter == failed.filter
    failed.refresh_from_db()
    assert failed.status == Release.Status.FAILED
    assert "disk on fire" in failed.error


def test_only_a_manager_sees_the_retry_button(client, gold_project, failed, reviewer):
    client.force_login(reviewer)
    assert "/retry/" not in page_of(client, failed)


def test_a_manager_retries_a_failed_release_through_the_api(
    gold_project, manager, failed, django_capture_on_commit_callbacks
):
    url = f"/api/v1/projects/{gold_project.slug}/releases/{failed.version}/retry/"
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(manager).post(url)
    assert response.status_code == 202
    assert response.json()["version"] == failed.version + 1
    assert Release.objects.get(version=failed.version + 1).status == Release.Status.READY


def test_a_release_that_did_not_fail_cannot_be_retried(client, gold_project, manager, build):
    ready = build(gold_project, manager)
    url = f"/api/v1/projects/{gold_project.slug}/releases/{ready.version}/retry/"
    response = token_client(manager).post(url)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Only a failed release can be retried; v{ready.version} is ready."
    )
    assert Release.objects.count() == 1
