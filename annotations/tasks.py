"""Background tasks (django.tasks). They take primary keys, never model instances."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from accounts.models import User
from annotations import agreement, scoring
from annotations.learning import trained, uncertainty
from annotations.models import Project, TrainedModel
from annotations.release_build import release_build

# The bootstrap intervals are recomputed at most this often per project (seconds): hand-ins
# within the delay are taken in by one recomputation.
INTERVALS_DELAY = 30


@task()
def build_release(release_id: int) -> None:
    release_build(release_id=release_id)


@task()
def refresh_article_quality(article_id: int) -> None:
    """An article's agreement row, the project's running totals and point estimates, and its
    sets' scores against gold; then the project's intervals scheduled, unless already."""
    stored, schedule = agreement.refresh_article(article_id)
    if stored is None:
        return
    scoring.refresh_scores([article_id])
    if schedule:
        intervals_changed(stored.project_id)


@task()
def refresh_project_intervals(project_id: int) -> None:
    """The project's figures recomputed in full, with their bootstrap intervals."""
    project = Project.objects.filter(pk=project_id).first()
    if project is not None:
        agreement.refresh_project(project)


def intervals_changed(project_id: int) -> None:
    """Schedule the project's intervals for recomputing, `INTERVALS_DELAY` seconds from now
    where the task backend can defer (the immediate backend of tests and bench runs it now)."""
    intervals = refresh_project_intervals
    if intervals.get_backend().supports_defer and INTERVALS_DELAY:
        intervals = intervals.using(run_after=timezone.now() + timedelta(seconds=INTERVALS_DELAY))
    transaction.on_commit(lambda: intervals.enqueue(project_id))


@task()
def refresh_article_uncertainty(project_id: int) -> None:
    """The uncertainty of the project's open articles under its live span model (the
    uncertainty queue's order); nothing without a live span model."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    model = trained.live_model(project, "spans")
    if model is None:
        return
    uncertainty.refresh_uncertainty(project, trained.suggester_for(model), model)


def quality_changed(article_id: int) -> None:
    """Schedule the article's quality figures for recomputing once this transaction commits."""
    transaction.on_commit(lambda: refresh_article_quality.enqueue(article_id))


@task()
def train_model(model_id: int) -> None:
    """Train a queued model (annotations.learning.training)."""
    from annotations.learning.training import model_train

    model_train(model_id)
    model = TrainedModel.objects.live().filter(pk=model_id, kind=TrainedModel.Kind.SPANS).first()
    if model is not None:  # the queue's active-learning order follows the new live span model
        refresh_article_uncertainty.enqueue(model.project_id)


def train_model_later(model_id: int) -> None:
    """Schedule the queued model's training for once this transaction commits."""
    transaction.on_commit(lambda: train_model.enqueue(model_id))


def training_start(*, project: Project, user: User | None = None) -> list[TrainedModel]:
    """Queue a model of each kind the gold allows, each trained by a background task once
    this transaction commits (Conflict as annotations.learning.training.training_queue)."""
    from annotations.learning.training import training_queue

    models = training_queue(project=project, user=user)
    for model in models:
        train_model_later(model.pk)
    return models


@task()
def train_if_due(project_id: int) -> None:
    """Queue a training if enough gold was approved since the last one."""
    from annotations.learning.training import train_if_due as due

    for model in due(project_id):
        train_model_later(model.pk)


def gold_approved(project_id: int) -> None:
    """A gold set was approved: once this transaction commits, see whether training is due."""
    transaction.on_commit(lambda: train_if_due.enqueue(project_id))
