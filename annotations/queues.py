"""Which articles an annotator works on next. One function, so the rule can change in one place
(the review issue switches it to assignments) without touching the views."""

from __future__ import annotations

from django.db.models import QuerySet

from annotations.models import AnnotationSet, Article, Project

DONE_STATUSES = (AnnotationSet.Status.SUBMITTED, AnnotationSet.Status.APPROVED)


def queue_for(user, project: Project) -> QuerySet[Article]:
    """The articles waiting for `user` in `project`, in the order to work on them.

    Until assignments exist: every article of the project that the user has not handed in
    (no set yet, or a set that is assigned, in progress or sent back with changes requested).
    """
    done = AnnotationSet.objects.filter(
        article__project=project, annotator=user, status__in=DONE_STATUSES
    ).values("article_id")
    return Article.objects.filter(project=project).exclude(pk__in=done).order_by("id")


def next_article_for(user, project: Project, *, after: int | None = None) -> Article | None:
    """The first article in the user's queue (after article id `after`, wrapping round)."""
    queue = queue_for(user, project)
    if after is not None:
        following = queue.filter(pk__gt=after).first()
        if following is not None:
            return following
    return queue.first()
