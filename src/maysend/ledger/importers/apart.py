"""Preparing an import file's batches in a process of its own while this one writes them.

Reading, validating and preparing a batch (normalised addresses, keyed
subjects, idempotency keys, the chain's JSON) is Python work that needs no
lock; in one process it competes for the interpreter lock with the writing of
the batch before it. `prepared_apart` starts one process that reads the file
and prepares its batches in order, and yields them here as they come, so the
writer gets a core of its own.

What holds as in one process: batches are written by the importing process,
one transaction each, in file order (ids and the hash chain are assigned
under the chain lock as each is written), so a killed import leaves whole
batches and running it again stores exactly what is missing. Rows are read
and judged by `batches.row_batches`, as in one process, and the batch carries
its failed and skipped rows with their line numbers. At most one prepared
batch waits in the pipe and one here (read ahead, `_read_ahead`), so memory
stays bounded. An error while reading (a
file that is not UTF-8) arrives after every batch read before it, as it would
in one process. If the importing process stops taking batches (a write
failed, or it was killed), the preparing process finds the pipe closed and
ends; if the preparing process dies, the import fails.
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, NamedTuple

import maysend
from maysend.errors import ConfigError, InputError, LedgerError
from maysend.ledger.importers.batches import Clock, Noted, row_batches
from maysend.ledger.importers.formats import get_format
from maysend.ledger.importers.tabular import read_rows
from maysend.ledger.keys import Keyring
from maysend.ledger.write import PreparedEvents, prepare_batch

PROTOCOL = pickle.HIGHEST_PROTOCOL  # both ends are this interpreter
PREPARER = "maysend.ledger.importers.preparer"  # runs `serve`


class Job(NamedTuple):
    """What the preparing process is asked to do."""

    path: str
    format: str
    mapping: dict[str, str]
    batch_size: int
    keyring: Keyring
    clock: Clock


class PreparedBatch(NamedTuple):
    """One batch as the preparing process sends it."""

    prepared: PreparedEvents  # columns: pickled in C, see `PreparedEvents`
    rows: int
    failed: Noted
    skipped: Noted
    read_bytes: int  # of the file, since the batch before


def can_send(clock: Clock) -> bool:
    """Whether `clock` can go to another process (a module-level function can; a lambda cannot)."""
    try:
        pickle.dumps(clock, PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def prepared_apart(
    path: Path,
    *,
    format: str,
    mapping: Mapping[str, str],
    batch_size: int,
    keyring: Keyring,
    clock: Clock,
) -> Iterator[PreparedBatch]:
    """The file's batches, prepared in another process, in file order.

    The process is this interpreter running `preparer` (not `multiprocessing`,
    whose spawned processes run the caller's main script again).
    """
    if not can_send(clock):
        raise ConfigError("this ledger's clock cannot be used by another process")
    job = Job(str(path), format, dict(mapping), batch_size, keyring, clock)
    worker = subprocess.Popen(
        [sys.executable, "-m", PREPARER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=_child_environment(),
    )
    assert worker.stdin is not None
    assert worker.stdout is not None
    finished = False
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="maysend-import-reader") as reader:
            try:
                with worker.stdin:
                    pickle.dump(job, worker.stdin, PROTOCOL)
                yield from _read_ahead(reader, worker.stdout)
                finished = True
            finally:
                if not finished:
                    worker.kill()  # ends a read still waiting for the next batch
    except BrokenPipeError:
        raise LedgerError("the process preparing the import did not start") from None
    finally:
        worker.stdout.close()
        worker.wait()


def _read_ahead(reader: ThreadPoolExecutor, stream: IO[bytes]) -> Iterator[PreparedBatch]:
    """The batches on `stream`; the next is read and unpickled on `reader` while this one is used.

    Unpickling a batch is a few hundred thousand objects built under the
    interpreter lock; the writer spends much of a batch waiting for the
    database with the lock released, and the next batch is built meanwhile.
    One batch waits here at most, besides the one in the pipe.
    """
    pending = reader.submit(_receive, stream)
    while (message := pending.result()) is not None:
        if isinstance(message, BaseException):
            raise message
        pending = reader.submit(_receive, stream)
        yield message


def _child_environment() -> dict[str, str]:
    """This environment, with this copy of maysend first on the child's import path."""
    home = str(Path(maysend.__file__).resolve().parents[1])
    inherited = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([home, inherited] if inherited else [home])}


def _receive(stream: IO[bytes]) -> PreparedBatch | BaseException | None:
    try:
        message: PreparedBatch | BaseException | None = pickle.load(stream)
    except (EOFError, pickle.UnpicklingError):
        raise LedgerError("the process preparing the import stopped unexpectedly") from None
    return message


def serve() -> None:
    """The preparing process: read a `Job` on stdin, send each batch on stdout, then None.

    The job carries the ledger's subject key: it travels through the pipe,
    never on a command line or in the environment.
    """
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed here goes to stderr, never in between the batches
    gc.disable()  # as `run.collector_paused`: nothing here lives in reference cycles
    with out:
        try:
            _prepare(pickle.load(sys.stdin.buffer), out)
        except (BrokenPipeError, ConnectionResetError):
            return  # the importing process stopped taking batches


def _prepare(job: Job, out: IO[bytes]) -> None:
    read = 0

    def count(size: int) -> None:
        nonlocal read
        read += size

    def send(message: PreparedBatch | BaseException | None) -> None:
        pickle.dump(message, out, PROTOCOL)
        out.flush()

    known: dict[str, str] = {}  # subject keys across batches (`prepare_batch`)
    try:
        rows = read_rows(Path(job.path), on_read=count)
        for batch in row_batches(
            rows, get_format(job.format), job.mapping, job.batch_size, job.clock
        ):
            prepared = prepare_batch(batch.events, job.keyring, known)
            send(PreparedBatch(prepared, batch.rows, batch.failed, batch.skipped, read))
            read = 0
    except (BrokenPipeError, ConnectionResetError):
        raise
    except BaseException as exc:  # sent to the importing process, raised there
        send(_travelling(exc))
    else:
        send(None)


def _travelling(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else an InputError with its text."""
    try:
        pickle.loads(pickle.dumps(exc, PROTOCOL))
    except Exception:  # an error that cannot travel is sent as its text
        return InputError(f"preparing the import failed: {exc!r}")
    return exc


__all__ = ["PreparedBatch", "can_send", "prepared_apart", "serve"]
