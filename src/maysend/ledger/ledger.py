"""`Ledger`: the consent ledger as one object over a SQLite or PostgreSQL store.

Opening a ledger creates and migrates its store on first use. Every method
fails closed: a store that cannot be reached raises LedgerUnavailable, never
an empty answer. Writes are whole transactions (one per event or per import
batch); a write that returned is durable.

Erasure, with an append-only history: events never hold a clear address
(their subject is a keyed hash from the start) and their evidence lives in
a separate table, covered by the chain only through its digest. Recording an
`erase` event deletes the subject's evidence up to that moment and its clear
address from `subjects`; the chain still verifies, and the keyed-hash
subject with its erase event remains as the suppression. See `keys` for what
the key protects in each mode.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from maysend.errors import InvalidEvent
from maysend.ledger.address import normalize_address
from maysend.ledger.chain import Verification, verify_chain
from maysend.ledger.current import load_folds
from maysend.ledger.engine import guarded, make_engine, write_transaction
from maysend.ledger.events import NewEvent, StoredEvent, new_event, parse_timestamp
from maysend.ledger.export import state_rows, write_export
from maysend.ledger.fold import KeyFold, fold_state
from maysend.ledger.keys import Keyring, load_keyring
from maysend.ledger.migrate import upgrade
from maysend.ledger.proof import Notice, ProofRecord, build_proof
from maysend.ledger.read import load_events, subject_history
from maysend.ledger.schema import chain_head, notices
from maysend.ledger.state import ConsentState, EventType
from maysend.ledger.write import AlreadyStored, PreparedEvents, append, prepare_batch
from maysend.settings import LedgerSettings

if TYPE_CHECKING:
    from maysend.ledger.importers.run import ImportReport
    from maysend.ledger.importers.tabular import Row

Clock = Callable[[], datetime]
# From this many events a batch is appended without looking its idempotency keys up first
# while no batch written through this ledger has met a stored event (see `write`).
EXPECT_NEW_MIN = 1_000


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """Record consent events; answer what a subject's state is, was, and why."""

    def __init__(
        self, engine: Engine, keyring: Keyring, settings: LedgerSettings, clock: Clock = _utcnow
    ) -> None:
        self.engine = engine
        self.keyring = keyring
        self.settings = settings
        self.clock = clock
        self.url = engine.url.render_as_string(hide_password=True)
        self._expect_new = True

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        settings: LedgerSettings | None = None,
        clock: Clock = _utcnow,
    ) -> Ledger:
        """Open (creating and migrating on first use) the ledger at `url` or the configured one."""
        settings = settings or LedgerSettings()
        url = url or settings.database_url
        engine = make_engine(url)
        with guarded(url):
            upgrade(engine)
            with write_transaction(engine) as connection:
                keyring = load_keyring(connection, settings.hash_secret)
        return cls(engine, keyring, settings, clock)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def record(self, address: str, event: EventType | str, **fields: Any) -> StoredEvent:
        """Validate and store one event (fields as `new_event`); return it as stored.

        Recording the same event content twice stores it once and returns the
        stored one.
        """
        validated = new_event(address, event, now=self.clock(), **fields)
        stored = self.record_events([validated])
        if stored:
            return stored[0]
        prepared = prepare_batch([validated], self.keyring)
        subject, key = prepared.subject[0], prepared.idempotency_key[0]
        with guarded(self.url), self.engine.connect() as connection:
            history = load_events(connection, [subject], with_evidence=True)
        return next(e for e in history[subject] if e.idempotency_key == key)

    def record_events(self, batch: Sequence[NewEvent]) -> list[StoredEvent]:
        """Store validated events in one transaction; return those that were new."""
        return self.record_prepared(prepare_batch(batch, self.keyring))

    def record_prepared(self, prepared: PreparedEvents) -> list[StoredEvent]:
        """Store events `prepare_batch`ed with this ledger's keyring in one transaction.

        Preparing needs no lock, so an import prepares the next batch while
        this one is written.
        """
        if not prepared:
            return []
        # A large batch is taken to be new while the last one written here was (see `write`);
        # one that was not is appended again the careful way.
        with guarded(self.url):
            if self._expect_new and len(prepared) >= EXPECT_NEW_MIN:
                try:
                    with write_transaction(self.engine) as connection:
                        return append(
                            connection, prepared, self.keyring, self.clock(), expect_new=True
                        )
                except AlreadyStored:
                    pass
            with write_transaction(self.engine) as connection:
                stored = append(connection, prepared, self.keyring, self.clock())
        self._expect_new = len(stored) == len(set(prepared.idempotency_key))
        return stored

    def import_rows(self, rows: Iterable[Row], **options: Any) -> ImportReport:
        """Import (line, row) pairs in whole batches (see `maysend.ledger.importers`)."""
        from maysend.ledger.importers.run import import_rows

        return import_rows(self, rows, **options)

    def import_file(self, path: Path | str, **options: Any) -> ImportReport:
        """Import a CSV or JSON Lines file (options: format, mapping, batch_size, on_read)."""
        from maysend.ledger.importers.run import import_file

        return import_file(self, Path(path), **options)

    def add_notice(self, version: str, text: str) -> Notice:
        """File the wording of a consent notice; a version, once filed, never changes."""
        version = version.strip()
        if not version or not text.strip():
            raise InvalidEvent("a notice needs a version and its text", field="notice")
        text_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with guarded(self.url), write_transaction(self.engine) as connection:
            filed = connection.execute(
                sa.select(notices.c.text_sha256).where(notices.c.version == version)
            ).scalar()
            if filed is None:
                connection.execute(
                    notices.insert().values(
                        version=version, text=text, text_sha256=text_sha, created_at=self.clock()
                    )
                )
            elif filed != text_sha:
                raise InvalidEvent(
                    "notice version already filed with other wording",
                    field="notice",
                    version=version,
                )
        return Notice(version, text, text_sha)

    # -- reading ---------------------------------------------------------------------------

    def state(
        self,
        address: str,
        *,
        at: datetime | str | None = None,
        channel: str = "email",
        purpose: str = "marketing",
        topic: str | None = None,
    ) -> ConsentState:
        """The subject's consent state for (channel, purpose, topic) at `at` (default: now)."""
        normalized = normalize_address(address)
        key, name = self.keyring.key(normalized), self.keyring.join_subject(normalized)
        moment = parse_timestamp(at) if at is not None else self.clock()
        doi = self.settings.require_double_opt_in
        common: dict[str, Any] = {"channel": channel, "purpose": purpose, "topic": topic}
        with guarded(self.url), self.engine.connect() as connection:
            folds = load_folds(connection, [key]).get(key)
            if not folds:
                return KeyFold().state(subject=name, at=moment, **common)
            latest = max(f.last_position[0] for f in folds.values() if f.last_position)
            fold = folds.get((channel, purpose, topic))
            if fold is None and topic is not None:
                fold = folds.get((channel, purpose, None))
            if moment >= latest and fold is not None:
                return fold.state(subject=name, at=moment, require_double_opt_in=doi, **common)
            history = load_events(connection, [key], until=moment).get(key, [])
        return fold_state(history, at=moment, require_double_opt_in=doi, subject=name, **common)

    def history(self, address: str) -> list[StoredEvent]:
        """Every event of the subject, with evidence, in fold order."""
        key = self.keyring.key(normalize_address(address))
        with guarded(self.url), self.engine.connect() as connection:
            return subject_history(connection, key)

    def proof(self, address: str) -> ProofRecord:
        """The printable evidence record for one subject."""
        normalized = normalize_address(address)
        history = self.history(normalized)
        versions = {e.notice for e in history if e.notice}
        with guarded(self.url), self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(notices.c.version, notices.c.text, notices.c.text_sha256).where(
                    notices.c.version.in_(sorted(versions))
                )
            )
            filed = {version: Notice(version, text, sha) for version, text, sha in rows}
        return build_proof(self.keyring.join_subject(normalized), history, filed, self.clock())

    def export(
        self, path: Path | str, *, at: datetime | str | None = None, fmt: str = "parquet"
    ) -> int:
        """Write every subject's state at `at` to `path` (parquet or csv); return the row count."""
        moment = parse_timestamp(at) if at is not None else self.clock()
        with guarded(self.url), self.engine.connect() as connection:
            rows = state_rows(
                connection,
                moment,
                hash_only=self.keyring.hash_only,
                require_double_opt_in=self.settings.require_double_opt_in,
            )
            return write_export(rows, Path(path), fmt)

    def verify(self) -> Verification:
        """Check the hash chain and evidence digests; name every broken event."""
        with guarded(self.url), self.engine.connect() as connection:
            return verify_chain(connection)

    def head(self) -> tuple[int, str]:
        """The last event id and hash: worth copying elsewhere to anchor the chain."""
        with guarded(self.url), self.engine.connect() as connection:
            last_id, last_hash = connection.execute(
                sa.select(chain_head.c.last_id, chain_head.c.last_hash)
            ).one()
        return int(last_id), str(last_hash)

    def subject_for(self, address: str) -> str:
        """The join key this ledger uses for an address (see `maysend.ledger.export`)."""
        return self.keyring.join_subject(normalize_address(address))

    def events_of(self, addresses: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Raw events of several subjects keyed by subject key (for audits)."""
        keys = [self.keyring.key(normalize_address(a)) for a in addresses]
        with guarded(self.url), self.engine.connect() as connection:
            return load_events(connection, keys, with_evidence=True)


__all__ = ["Ledger"]
