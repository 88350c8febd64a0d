"""How unsure the live span model is about each article: the order of the uncertainty queue
(Project.queue_order == QueueOrder.UNCERTAINTY, annotations.queues).

The measure is the margin of each span the suggester proposes, read as a yes/no decision ("is
this stretch a span of this label?") with the proposal's score p as the probability of yes:

    candidate uncertainty  u = 1 - |2p - 1|      (1 at p = 0.5, 0 at p = 0 or 1)

and an article's value is the mean of its TOP_K most uncertain candidates, the missing ones
counted as sure (the sum of the top TOP_K values divided by TOP_K):

- the top k rather than every candidate, so that a long article full of names the model knows
  well does not drown the few it hesitates over;
- the top k rather than the single most uncertain one, so that one borderline candidate does
  not outrank an article with several;
- divided by k even with fewer candidates, so the value grows with the number of doubtful
  candidates and an article with no proposals at all has 0: the model sees nothing to ask
  about. (For a binary decision margin and entropy order candidates the same way; the margin is
  linear in p and so easier to read on a page.)

Only span proposals count: the queue asks for articles whose spans the model would learn from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from annotations.learning import Proposal, Suggester
from annotations.models import Article, ArticleUncertainty, Project, TrainedModel

TOP_K = 5
BATCH = 200  # articles suggested for, then written, at a time


def candidate_uncertainty(score: float) -> float:
    """1 - |2p - 1|: 1 for a proposal at 0.5, 0 for one at 0 or 1 (clamped to [0, 1])."""
    p = min(max(score, 0.0), 1.0)
    return 1.0 - abs(2.0 * p - 1.0)


def article_uncertainty(proposals: Iterable[Proposal], *, top_k: int = TOP_K) -> float:
    """The article's value from its proposals: the mean of the `top_k` largest candidate
    uncertainties of its span proposals, missing candidates counting 0 (see the module)."""
    values = sorted(
        (candidate_uncertainty(p.score) for p in proposals if p.kind == "span"), reverse=True
    )
    return round(sum(values[:top_k]) / top_k, 6)


def open_articles(project: Project) -> Sequence[int]:
    """The ids of the project's articles still open to annotators (the ones the queue orders
    by uncertainty), oldest first."""
    return list(
        Article.objects.needing_annotators(project).order_by("pk").values_list("pk", flat=True)
    )


def refresh_uncertainty(
    project: Project, suggester: Suggester, model: TrainedModel, *, batch: int = BATCH
) -> int:
    """Compute the uncertainty of every article of the project still open to annotators under
    `suggester` (the loaded `model`) and store it (one upsert per batch); the project's values
    from any other model are dropped. Stops, keeping what it wrote, as soon as `model` is no
    longer live (a newer model's refresh takes over). How many articles it valued."""
    ids = open_articles(project)
    written = 0
    for offset in range(0, len(ids), batch):
        chunk = Article.objects.filter(pk__in=ids[offset : offset + batch]).order_by("pk")
        rows = [
            ArticleUncertainty(
                article=article,
                project=project,
                model=model,
                value=article_uncertainty(suggester.suggest(article)),
            )
            for article in chunk
        ]
        with transaction.atomic():
            if not TrainedModel.objects.filter(pk=model.pk, is_live=True).exists():
                return written
            ArticleUncertainty.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["article"],
                update_fields=["project", "model", "value"],
            )
        written += len(rows)
    ArticleUncertainty.objects.filter(project=project).exclude(model=model).delete()
    return written
