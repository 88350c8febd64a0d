"""Which articles an annotator works on next. One module, so the rule lives in one place.

An annotator's queue is, in this order:
1. their own sets still open: sent back with changes requested first, then in progress, then
   assigned (oldest first within each);
2. then the articles that still need annotators (Article.objects.needing_annotators: fewer
   annotator sets than the project's `annotators_per_article`, or one more when agreement on
   the article is low, and not adjudicated yet) on which they have no set;
3. mixed into the new articles of 2., at the project's `control_rate`, control items: approved
   gold articles a manager marked, which look like any other article (`control_due`).

The articles of 2. come oldest first (QueueOrder.OLDEST, the default). With the project's
`queue_order` at QueueOrder.UNCERTAINTY (active learning) they come in two groups: first those
still short of annotators (another annotator has a set on them already, or low agreement asks
one more), so that begun articles reach gold before new ones are started, as oldest first does
by itself; then the articles nobody has begun. Within each, the most uncertain first (the live
span model's ArticleUncertainty, annotations.learning.uncertainty), then the articles without a
value, oldest first.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce

from accounts.models import User
from annotations import services
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Article, Project, QueueOrder

Status = AnnotationSet.Status
# The editable statuses (AnnotationSet.EDITABLE), in the order an annotator works on them.
OPEN_ORDER = (Status.CHANGES_REQUESTED, Status.IN_PROGRESS, Status.ASSIGNED)
NEEDS_ANNOTATORS = len(OPEN_ORDER)  # the rank of articles I have no set on
# With the uncertainty order, NEEDS_ANNOTATORS is the rank of articles others have begun, and:
NOT_BEGUN = NEEDS_ANNOTATORS + 1
NO_UNCERTAINTY = -1.0  # below every value (0 to 1): articles without one come last


class QueueFields(TypedDict):
    """What queue_for annotates each article with."""

    my_status: str | None
    my_set_created: datetime | None
    queue_rank: int
    queue_uncertainty: float


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    type QueuedArticle = WithAnnotations[Article, QueueFields]


def queue_for(user: User, project: Project) -> QuerySet[QueuedArticle]:
    """The articles waiting for `user` in `project`, in the order to work on them; each carries
    `queue_rank` (0 changes requested, 1 in progress, 2 assigned, 3 needs annotators; with the
    uncertainty order 3 short of annotators and 4 not begun), `queue_uncertainty` (the
    article's uncertainty, or NO_UNCERTAINTY; always NO_UNCERTAINTY in the oldest-first order),
    `my_set_created` and `my_status`."""
    # At most one set per article and annotator: no ordering (the model's joins the project).
    mine = AnnotationSet.objects.filter(article=OuterRef("pk"), annotator=user).order_by()
    by_uncertainty = project.queue_order == QueueOrder.UNCERTAINTY
    ranks = [When(my_status=status, then=V(index)) for index, status in enumerate(OPEN_ORDER)]
    uncertainty: Expression
    if by_uncertainty:
        begun = AnnotationSet.objects.annotators_only().filter(article=OuterRef("pk"))
        ranks.append(When(Exists(begun), then=V(NEEDS_ANNOTATORS)))
        uncertainty = Coalesce(
            F("uncertainty__value"), V(NO_UNCERTAINTY), output_field=FloatField()
        )
        order = ["-queue_uncertainty"]
    else:  # oldest first: the query as it always was
        uncertainty = V(NO_UNCERTAINTY, output_field=FloatField())
        order = []
    rank = Case(
        *ranks,
        default=V(NOT_BEGUN if by_uncertainty else NEEDS_ANNOTATORS),
        output_field=IntegerField(),
    )
    return (
        Article.objects.filter(project=project)
        .annotate_needs_annotators(project)
        .annotate(
            my_status=Subquery(mine.values("status")[:1]),
            my_set_created=Subquery(mine.values("created_at")[:1]),
        )
        .filter(Q(my_status__in=OPEN_ORDER) | Q(my_status__isnull=True, needs_annotators=True))
        .annotate(queue_rank=rank, queue_uncertainty=uncertainty)
        .order_by("queue_rank", "my_set_created", *order, "pk")
    )


def _after(queue: QuerySet[QueuedArticle], article_id: int) -> QuerySet[QueuedArticle]:
    """The part of the queue that comes after article `article_id` (empty if it is not in it)."""
    here = (
        queue.filter(pk=article_id)
        .values("queue_rank", "my_set_created", "queue_uncertainty")
        .first()
    )
    if here is None:
        return queue.none()
    rank, created = here["queue_rank"], here["my_set_created"]
    if created is None:
        value = here["queue_uncertainty"]
        later = (
            Q(queue_rank__gt=rank)
            | Q(queue_rank=rank, queue_uncertainty__lt=value)
            | Q(queue_rank=rank, queue_uncertainty=value, pk__gt=article_id)
        )
    else:
        later = (
            Q(queue_rank__gt=rank)
            | Q(queue_rank=rank, my_set_created__gt=created)
            | Q(queue_rank=rank, my_set_created=created, pk__gt=article_id)
        )
    return queue.filter(later)


def next_article_for(
    user: User, project: Project, *, after: int | None = None, skip: frozenset[int] = frozenset()
) -> QueuedArticle | None:
    """The first article in the user's queue (after article id `after`, wrapping round),
    leaving out the ids in `skip`."""
    queue = queue_for(user, project).exclude(pk__in=skip)
    if after is not None:
        following = _after(queue, after).first()
        if following is not None:
            return following
    return queue.first()


def open_next_article(user: User, project: Project, *, after: int | None = None) -> Article | None:
    """The next article in the user's queue, with the user's set on it opened (created when the
    article still needs annotators). An article that filled up meanwhile (another annotator
    opened it first), or that another annotator is opening at this very moment, is passed over
    for the one after it: annotators arriving together spread over the articles instead of
    queueing for the first one. Only when every article left is being opened does it wait."""
    skip: set[int] = set()
    busy: list[QueuedArticle] = []
    while True:
        article = next_article_for(user, project, after=after, skip=frozenset(skip))
        if article is None and busy:
            article, wait = busy.pop(0), True
        elif article is None or article.my_status is not None:
            return article
        else:
            wait = False
        if control_due(user, project):
            control = control_items_for(user, project).first()
            if control is not None:
                services.control_attempt_open(article=control, user=user)
                return control
        try:
            services.annotation_set_open(article=article, user=user, wait=wait)
        except services.ArticleBusy:
            skip.add(article.pk)
            busy.append(article)
            continue
        except Conflict:
            skip.add(article.pk)
            continue
        return article


def control_due(user: User, project: Project) -> bool:
    """Whether the user's next new article is a control item: it is when, with it, control
    attempts would still be at most the project's `control_rate` of the user's sets (at 0.25,
    the 4th, 8th, 12th... article)."""
    if project.control_rate <= 0:
        return False
    counts = AnnotationSet.objects.filter(article__project=project, annotator=user).aggregate(
        total=Count("pk"), control=Count("pk", filter=Q(is_control=True))
    )
    return counts["control"] + 1 <= project.control_rate * (counts["total"] + 1) + 1e-9


def control_items_for(user: User, project: Project) -> QuerySet[Article]:
    """The project's control items the user has no set on (never one they annotated)."""
    return (
        Article.objects.filter(project=project, is_control=True)
        .adjudicated()
        .exclude(annotation_sets__annotator=user)
        .order_by("pk")
    )
