"""Background tasks (django.tasks). They take primary keys, never model instances."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from annotations import agreement, scoring
from annotations.models import Article, Project, ProjectAgreement
from annotations.release_build import release_build


@task()
def build_release(release_id: int) -> None:
    release_build(release_id=release_id)


@task()
def refresh_article_quality(article_id: int) -> None:
    """An article's agreement row and its sets' scores against gold, then its project's
    figures, unless a summing that started after this article's row was written has already
    taken it in (several hand-ins at once then cost one summing, not one each)."""
    project_id = Article.objects.filter(pk=article_id).values_list("project_id", flat=True).first()
    if project_id is None:
        return
    agreement.refresh_articles([article_id])
    scoring.refresh_scores([article_id])
    written = timezone.now()
    stored = ProjectAgreement.objects.filter(project_id=project_id).first()
    if stored is not None and stored.computed_at > written:
        return
    agreement.refresh_project(Project.objects.get(pk=project_id))


def quality_changed(article_id: int) -> None:
    """Schedule the article's quality figures for recomputing once this transaction commits."""
    transaction.on_commit(lambda: refresh_article_quality.enqueue(article_id))


@task()
def train_model(model_id: int) -> None:
    """Train a queued model (annotations.learning.training)."""
    from annotations.learning.training import model_train

    model_train(model_id)


def train_model_later(model_id: int) -> None:
    """Schedule the queued model's training for once this transaction commits."""
    transaction.on_commit(lambda: train_model.enqueue(model_id))


@task()
def train_if_due(project_id: int) -> None:
    """Queue a training if enough gold was approved since the last one."""
    from annotations.learning.training import train_if_due as due

    due(project_id)


def gold_approved(project_id: int) -> None:
    """A gold set was approved: once this transaction commits, see whether training is due."""
    transaction.on_commit(lambda: train_if_due.enqueue(project_id))
