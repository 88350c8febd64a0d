"""Background tasks (django.tasks). They take primary keys, never model instances."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from annotations import agreement, scoring
from annotations.learning import trained, uncertainty
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


def uncertainty_changed(project_id: int) -> None:
    """Schedule the project's article uncertainty for recomputing once this transaction
    commits: call it where a span model goes live."""
    transaction.on_commit(lambda: refresh_article_uncertainty.enqueue(project_id))


def quality_changed(article_id: int) -> None:
    """Schedule the article's quality figures for recomputing once this transaction commits."""
    transaction.on_commit(lambda: refresh_article_quality.enqueue(article_id))
