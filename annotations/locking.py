"""Row locks as every writer takes them (the lock order is in annotations.services)."""

from __future__ import annotations

from django.db.models import Model, QuerySet


def own_rows_locked[M: Model](rows: QuerySet[M], *, skip_locked: bool = False) -> QuerySet[M]:
    """`rows` FOR NO KEY UPDATE, in id order: their own rows alone, even where the query joins
    others (select_related, or a default ordering such as Span's or Article's, which reaches
    the project's row, the history chain's lock, taken last)."""
    return rows.select_for_update(no_key=True, of=("self",), skip_locked=skip_locked).order_by("pk")
