"""Fold steps on stored current-state rows give the rows the fold itself would write."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.ledger.bulk import Row, StoreTimes
from maysend.ledger.current import Key, fold_fresh, fold_to_row
from maysend.ledger.current_row import fresh_rows, step_rows
from maysend.ledger.events import StoredEvent
from maysend.ledger.state import EventType

from .factory import ev

KINDS = [t.value for t in EventType]
KEYS = [("email", "marketing", None), ("email", "marketing", "news"), ("sms", "marketing", None)]

step = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 3),  # days after the event before (0: the same time)
    st.sampled_from(KEYS),
    st.sampled_from([None, "DE", "GB"]),
    st.booleans(),
)


def _events(steps: list[tuple[str, int, Key, str | None, bool]]) -> list[StoredEvent]:
    when, built = 0.0, []
    for event_id, (kind, gap, (channel, purpose, topic), country, refusal) in enumerate(steps, 1):
        when += gap
        built.append(
            ev(
                event_id,
                kind,
                when,
                topic=topic,
                channel=channel,
                purpose=purpose,
                country=country,
                product="books" if kind == "purchase" else None,
                refusal_offered=refusal,
            )
        )
    return sorted(built, key=lambda e: e.position)


def _stored(row: Row) -> tuple[Any, ...]:
    """A row as SQLite gives it back (booleans as integers)."""
    return tuple(int(v) if isinstance(v, bool) else v for v in row)


def _rows(history: list[StoredEvent], times: StoreTimes) -> dict[Key, tuple[Any, ...]]:
    return {
        key: _stored(fold_to_row("s", key, fold, times.to_store))
        for key, fold in fold_fresh(history).items()
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(step, min_size=1, max_size=12), st.lists(step, min_size=1, max_size=8))
def test_stepped_rows_are_the_rows_of_the_fold(
    before: list[tuple[str, int, Key, str | None, bool]],
    after: list[tuple[str, int, Key, str | None, bool]],
) -> None:
    history = _events(before + after)
    earlier = [e for e in history if e.id <= len(before)]  # as recorded: ids in input order
    new = [e for e in history if e.id > len(before)]
    times = StoreTimes("sqlite")
    stored = _rows(earlier, times)
    stepped = step_rows(stored, new, times.to_store)
    latest = max(e.position for e in earlier)
    opened = {(e.channel, e.purpose, e.topic) for e in new}.difference(stored)
    if new[0].position <= latest or any(
        topic is None or (channel, purpose, None) not in stored
        for channel, purpose, topic in opened
    ):  # history imported late, or a key with no row to start from
        assert stepped is None
        return
    assert stepped is not None
    expected = _rows(history, times)
    changed = {(row[1], row[2], row[3] or None): _stored(row) for row in stepped}
    assert set(expected) == set(stored) | opened  # a new topic's row is written
    for key, row in expected.items():
        assert changed.get(key, stored.get(key)) == row


@settings(max_examples=300, deadline=None)
@given(st.lists(step, min_size=1, max_size=12))
def test_fresh_rows_are_the_rows_of_the_fold(
    steps: list[tuple[str, int, Key, str | None, bool]],
) -> None:
    history = _events(steps)
    times = StoreTimes("sqlite")
    rows = fresh_rows("s", history, times.to_store)
    expected = [
        fold_to_row("s", key, fold, times.to_store) for key, fold in fold_fresh(history).items()
    ]
    assert rows == expected
