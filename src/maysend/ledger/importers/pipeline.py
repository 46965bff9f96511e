"""Writing an import's batches on a thread of their own while the next batch is read.

Reading, validating and preparing a batch (keyed subjects, idempotency keys,
the chain's JSON) is Python work that needs no lock; writing it is mostly the
database's (SQLite's B-tree work and its commit run with the GIL released;
PostgreSQL works in its own process). `BatchWriter` overlaps the two: the
importing thread prepares batch n+1 while a writer thread commits batch n.

What holds as without it: batches are committed one at a time, in file order,
each in its own transaction (ids and the chain are assigned under the chain
lock inside it); at most `depth` prepared batches wait, so memory stays
bounded however long the file. If a batch fails, no later batch is written and
the error is raised in the importing thread (at its next hand-over, or when
the import ends); every batch handed over before it was committed, so running
the import again stores exactly what is missing. If the importing thread
fails, the batches already handed over are still committed before its error
propagates.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from maysend.ledger.events import NewEvent
from maysend.ledger.write import PreparedEvents, prepare_batch

if TYPE_CHECKING:
    from maysend.ledger.ledger import Ledger

Committed = Callable[[int, int], None]  # (events handed over, events stored)


class BatchWriter:
    """Commit batches in order on a writer thread; `put` hands over the next batch."""

    def __init__(self, ledger: Ledger, on_commit: Committed, depth: int = 1) -> None:
        self._ledger = ledger
        self._on_commit = on_commit
        self._queue: queue.Queue[PreparedEvents | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="maysend-import-writer")

    def __enter__(self) -> BatchWriter:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._queue.put(None)
        self._thread.join()
        if exc is None and self._error is not None:
            raise self._error

    def put(self, batch: Sequence[NewEvent]) -> None:
        """Prepare `batch` here, then queue it (waiting while the writer is `depth` behind)."""
        self._raise_if_failed()
        if not batch:
            return
        self._queue.put(prepare_batch(batch, self._ledger.keyring))
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (prepared := self._queue.get()) is not None:
            if self._error is not None:
                continue  # a batch failed: drain what is queued, write nothing after it
            try:
                stored = self._ledger.record_prepared(prepared)
            except BaseException as exc:  # raised again in the importing thread
                self._error = exc
                continue
            self._on_commit(len(prepared), len(stored))


__all__ = ["BatchWriter"]
