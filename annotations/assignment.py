"""Assignment: which annotators work on which article, given out by the project's managers.

Each service checks who is calling (PermissionDenied for anyone but a manager) and whether the
article still takes the annotator (Conflict, HTTP 409, with a message that says why).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet

from accounts.models import User
from annotations import history, services
from annotations.access import check_may_assign, check_may_withdraw_assignment
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Article, Comment, HistoryRecord, Project, Role

Status = AnnotationSet.Status


def project_annotators(project: Project) -> QuerySet[User]:
    """The project's annotators, in the order they joined the workbench."""
    return (
        User.objects.filter(memberships__project=project, memberships__role=Role.ANNOTATOR)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def assignment_create(*, article: Article, annotator: User, user: User) -> AnnotationSet:
    """Assign `article` to `annotator`: an empty set in the state "assigned"."""
    project = article.project
    check_may_assign(user, project)
    if Role.ANNOTATOR not in project.roles_of(annotator):
        raise ValidationError(f"{annotator} is not an annotator in this project.")
    services.lock_articles(Article.objects.filter(pk=article.pk))
    sets = AnnotationSet.objects.filter(article=article)
    if sets.filter(annotator=annotator).exists():
        raise Conflict(f"{annotator} is already assigned to this article.")
    if sets.adjudicated().exists():
        raise Conflict("This article is adjudicated; it takes no more annotators.")
    return services.annotation_set_create(article=article, annotator=annotator, user=user)


@transaction.atomic
def assignment_withdraw(*, annotation_set: AnnotationSet, user: User) -> None:
    """Take an article back from its annotator, while the work is not handed in."""
    check_may_withdraw_assignment(user, annotation_set.article.project)
    annotation_set = (
        AnnotationSet.objects.select_for_update(of=("self",))
        .select_related("article", "annotator")
        .get(pk=annotation_set.pk)
    )
    annotator = annotation_set.annotator
    if annotation_set.is_gold or annotator is None:  # a gold set has no annotator
        raise Conflict("A gold set is not an assignment.")
    if annotation_set.status not in {Status.ASSIGNED, Status.IN_PROGRESS}:
        raise Conflict(
            f"This set is {annotation_set.status_name}; only an assignment that has not "
            "been handed in can be withdrawn."
        )
    history.record(
        user=user,
        action=HistoryRecord.Action.DELETE,
        obj=annotation_set,
        before={
            "status": annotation_set.status,
            "annotator": annotator.get_username(),
            "spans": [history.snapshot(span) for span in annotation_set.spans.all()],
            "claims": annotation_set.claims.count(),
        },
    )
    Comment.objects.filter(annotation_set=annotation_set).delete()
    annotation_set.delete()


@transaction.atomic
def assignments_auto(*, project: Project, user: User) -> list[AnnotationSet]:
    """Give every article that needs annotators up to the project's number of annotators,
    least-loaded annotator first."""
    check_may_assign(user, project)
    # Every article of the project: none may gain an annotator meanwhile (lock order in
    # annotations.services); the history's project lock comes last.
    services.lock_articles(Article.objects.filter(project=project))
    annotators = list(project_annotators(project))
    if not annotators:
        raise Conflict("The project has no annotators to assign articles to.")
    wanted = project.annotators_per_article
    existing = AnnotationSet.objects.filter(article__project=project).annotators_only()
    load = Counter(dict(existing.values_list("annotator_id").annotate(n=Count("pk")).order_by()))
    assigned: dict[int, set[int]] = defaultdict(set)
    for article_id, annotator_id in existing.values_list("article_id", "annotator_id"):
        assigned[article_id].add(annotator_id)
    guideline = project.current_guideline()
    new: list[AnnotationSet] = []
    usernames: dict[int | None, str] = {a.pk: a.get_username() for a in annotators}
    open_articles = Article.objects.needing_annotators(project).order_by("pk")
    for article_id in open_articles.values_list("pk", flat=True):
        have = assigned[article_id]
        candidates = sorted(
            (a for a in annotators if a.pk not in have), key=lambda a: (load[a.pk], a.pk)
        )
        # An article past its k annotators needs annotators only for low agreement: one more.
        for annotator in candidates[: max(wanted - len(have), 1)]:
            load[annotator.pk] += 1
            new.append(
                AnnotationSet(
                    article_id=article_id,
                    annotator=annotator,
                    guideline_version=guideline,
                    suggestions_withheld=services.suggestions_withheld_draw(project),
                )
            )
    # Both supported databases (SQLite >= 3.37 and PostgreSQL) return the new ids.
    created = AnnotationSet.objects.bulk_create(new)
    rate = project.withhold_rate
    history.record_many(
        project=project,
        user=user,
        entries=[
            history.set_created(s, usernames[s.annotator_id], **services.withheld_recorded(s, rate))
            for s in created
        ],
    )
    return created


class AssignmentProgress(TypedDict):
    per_annotator: dict[int, Counter[str]]  # annotator id -> status -> number of sets
    per_article: dict[int, list[AnnotationSet]]  # article id -> its sets


def assignment_progress(project: Project) -> AssignmentProgress:
    """Per annotator and per article: how many sets are in each state (two queries)."""
    rows = (
        AnnotationSet.objects.filter(article__project=project)
        .annotators_only()
        .values("annotator_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_annotator: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        per_annotator[row["annotator_id"]][row["status"]] += row["n"]
    per_article: dict[int, list[AnnotationSet]] = defaultdict(list)
    for annotation_set in (
        AnnotationSet.objects.filter(article__project=project)
        .select_related("annotator")
        .only("pk", "article_id", "annotator__username", "status", "is_gold")
        .order_by("article_id", "is_gold", "annotator_id")
    ):
        per_article[annotation_set.article_id].append(annotation_set)
    return {"per_annotator": per_annotator, "per_article": per_article}
