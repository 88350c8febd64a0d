"""A file's records parsed ahead of their storing, in a thread of its own.

Storing a batch is mostly waiting for the database (the span ``COPY`` and its foreign-key
checks), and psycopg waits without holding the GIL; parsing is Python. So while the server
takes one batch, the next is parsed: on two cores an import takes about the longer of the two,
not their sum. The parser runs at most ``DEPTH`` batches ahead, so memory stays flat, and it
reads nothing from the database: its vocabulary is read before it starts (a query from the
thread would see another connection, outside the import's transaction, and is refused).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from django.db import connection, connections

from annotations.importing.records import ArticleRecord

DEPTH = 2  # batches parsed ahead of the one being stored
_END = object()


class ReadAhead:
    """``with ReadAhead(records, batch) as ahead: for record in ahead: ...``: the records of
    `records` in their order, parsed in a thread `batch` at a time. An exception the parser
    raises (an ImportRejected) is raised here, where the next record would come. Leaving the
    block stops the parser and waits for its thread, however the block ends."""

    def __init__(self, records: Iterator[ArticleRecord], batch: int):
        self._records, self._batch = records, batch
        self._handoff: queue.Queue[Any] = queue.Queue(maxsize=DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._parse, name="import-parser", daemon=True)

    def __enter__(self) -> ReadAhead:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def __iter__(self) -> Iterator[ArticleRecord]:
        while True:
            item = self._handoff.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item

    def _parse(self) -> None:
        try:
            with connection.execute_wrapper(_refuse_queries):
                batch: list[ArticleRecord] = []
                for record in self._records:
                    if self._stop.is_set():
                        return
                    batch.append(record)
                    if len(batch) >= self._batch:
                        self._hand_over(batch)
                        batch = []
                if batch:
                    self._hand_over(batch)
                self._hand_over(_END)
        except BaseException as error:  # the storing side raises it; nothing is lost here
            self._hand_over(error)
        finally:
            connections.close_all()  # this thread's own, had anything opened one

    def _hand_over(self, item: object) -> None:
        """Put `item` in the hand-off, unless the storing side stopped waiting for it."""
        while not self._stop.is_set():
            try:
                self._handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue


def _refuse_queries(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
    raise RuntimeError(
        "the import's parser queried the database from its own thread, outside the import's "
        f"transaction ({sql[:60]!r}); read what it needs into the Vocabulary first."
    )
