"""Ledger events: validation on the way in, the stored shape on the way out.

Everything that enters the ledger goes through `new_event`, so an invalid
address, an unknown event name, a timestamp that is unparseable or in the
future, or evidence that is not a JSON object is refused with the field named
before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, NamedTuple

from maysend.errors import InvalidEvent
from maysend.ledger.address import normalize_address
from maysend.ledger.state import OPT_OUTS, EventRef, EventType

CHANNELS = frozenset({"email", "sms"})
FUTURE_TOLERANCE = timedelta(seconds=60)  # clock skew allowed between sender systems
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_EPOCH = re.compile(r"\d{9,11}(\.\d+)?")
_EVENT_NAMES: dict[str, EventType] = {e.value: e for e in EventType}
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)

# Order of events that share one instant: fail closed, so an opt-out recorded at
# the same second as a consent wins, a confirmation follows its consent, and the
# strongest opt-out is the one named.
PRECEDENCE: dict[EventType, int] = {
    EventType.CONSENT: 0,
    EventType.CONFIRM: 1,
    EventType.PURCHASE: 2,
    EventType.INQUIRY: 3,
    EventType.WITHDRAW: 4,
    EventType.OBJECT: 5,
    EventType.COMPLAINT: 6,
    EventType.ERASE: 7,
}


class NewEvent(NamedTuple):
    """A validated event, not yet stored (the address is normalised, times are UTC).

    A named tuple rather than a dataclass: imports build millions of these, and
    a tuple is immutable and several times cheaper to make.
    """

    address: str
    type: EventType
    occurred_at: datetime
    channel: str = "email"
    purpose: str = "marketing"
    topic: str | None = None
    source: str = "api"
    country: str | None = None
    notice: str | None = None
    product: str | None = None
    refusal_offered: bool = False
    evidence: Mapping[str, Any] | None = None


class StoredEvent(NamedTuple):
    """An event as stored: `subject` is the subject key; `evidence` is None once erased.

    A named tuple for the same reason as `NewEvent`: one is made per imported event.
    """

    id: int
    subject: str
    type: EventType
    occurred_at: datetime
    recorded_at: datetime
    channel: str
    purpose: str
    topic: str | None
    source: str
    country: str | None
    notice: str | None
    product: str | None
    refusal_offered: bool
    evidence: Mapping[str, Any] | None
    evidence_digest: str | None
    idempotency_key: str
    prev_hash: str
    hash: str

    @property
    def ref(self) -> EventRef:
        return EventRef(self.id, self.type, self.occurred_at, self.source)

    @property
    def position(self) -> tuple[datetime, int, int]:
        """Fold order: time, then fail-closed precedence, then recording order."""
        return (self.occurred_at, PRECEDENCE[self.type], self.id)

    @property
    def is_opt_out(self) -> bool:
        return self.type in OPT_OUTS


def new_event(
    address: str,
    event: EventType | str,
    *,
    at: datetime | str | float | None = None,
    channel: str = "email",
    purpose: str = "marketing",
    topic: str | None = None,
    source: str = "api",
    country: str | None = None,
    notice: str | None = None,
    product: str | None = None,
    refusal_offered: bool | str = False,
    evidence: Mapping[str, Any] | str | None = None,
    now: datetime | None = None,
) -> NewEvent:
    """Validate one event; raise InvalidEvent naming the field that is wrong."""
    now = now or datetime.now(UTC)
    if at is None or at == "":
        occurred = now
    elif type(at) is str and (quick := _utc_iso(at)) is not None:
        occurred = quick
    else:
        occurred = parse_timestamp(at, field="at")
    if occurred > now + FUTURE_TOLERANCE:
        raise InvalidEvent("timestamp is in the future", field="at", value=occurred.isoformat())
    return NewEvent(  # positional: an import makes one per row, and keywords cost more
        normalize_address(address),
        parse_event_type(event),
        occurred,
        _choice(channel, CHANNELS, "channel"),
        _slug(purpose, "purpose"),
        _slug(topic, "topic") if topic else None,
        _slug(source or "api", "source"),
        _country(country),
        _text(notice, "notice"),
        _text(product, "product"),
        parse_bool(refusal_offered, field="refusal_offered"),
        parse_evidence(evidence),
    )


def _utc_iso(text: str) -> datetime | None:
    """`parse_timestamp` of an ISO 8601 UTC time as files mostly give it, else None.

    What `parse_timestamp` returns for such text, without its epoch and zone
    steps: a text with '-' fifth is no Unix time, and an ISO time at UTC is
    returned as parsed. Anything else (None) takes `parse_timestamp`.
    """
    if text[4:5] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is UTC else None


def parse_event_type(value: EventType | str) -> EventType:
    if isinstance(value, str) and value in _EVENT_NAMES:
        return _EVENT_NAMES[value]  # the usual spelling, without the cost of an Enum lookup
    try:
        return EventType(str(value).strip().lower())
    except ValueError:
        names = ", ".join(e.value for e in EventType)
        raise InvalidEvent(
            f"unknown event type (one of {names})", field="event", value=value
        ) from None


def parse_timestamp(value: datetime | str | float, *, field: str = "at") -> datetime:
    """ISO 8601, Unix seconds or RFC 2822 dates; naive times are taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = _from_epoch(float(value), field)
    elif isinstance(value, str):
        parsed = _from_text(value.strip(), field)
    else:
        raise InvalidEvent("timestamp is not a date", field=field, value=value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_text(text: str, field: str) -> datetime:
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text), field)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise InvalidEvent("timestamp cannot be parsed", field=field, value=text) from None


def _from_epoch(seconds: float, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidEvent("timestamp out of range", field=field, value=seconds) from None


def parse_bool(value: bool | str | None, *, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower()
    if text in {"", "0", "false", "no", "n", "f"}:
        return False
    if text in {"1", "true", "yes", "y", "t"}:
        return True
    raise InvalidEvent("expected yes/no", field=field, value=value)


def parse_evidence(value: Mapping[str, Any] | str | None) -> Mapping[str, Any] | None:
    """Evidence is a JSON object (given as text or a mapping); anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InvalidEvent(f"evidence is not JSON: {exc.msg}", field="evidence") from None
    if not isinstance(value, Mapping):
        raise InvalidEvent("evidence must be a JSON object", field="evidence")
    try:
        canonical_json(value)
    except (TypeError, ValueError) as exc:
        raise InvalidEvent(f"evidence is not JSON-serialisable: {exc}", field="evidence") from None
    return dict(value)


def canonical_json(value: object) -> str:
    """The one JSON spelling hashes are computed over (`json.dumps` with these options)."""
    return _CANONICAL.encode(value)


def format_time(moment: datetime) -> str:
    """UTC with microseconds: the spelling of times inside hashes.

    The spelling is `strftime("%Y-%m-%dT%H:%M:%S.%fZ")`; `isoformat` gives the
    same text several times faster, except that it pads years before 1000,
    which strftime does not, so those keep the strftime path.
    """
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


@lru_cache(maxsize=1024)  # channels, purposes, topics and sources repeat across an import
def _choice(value: str, allowed: frozenset[str], field: str) -> str:
    text = (value or "").strip().lower()
    if text not in allowed:
        raise InvalidEvent(f"must be one of {', '.join(sorted(allowed))}", field=field, value=value)
    return text


@lru_cache(maxsize=1024)
def _slug(value: str | None, field: str) -> str:
    text = (value or "").strip().lower()
    if not _SLUG.match(text):
        raise InvalidEvent("must be a short lower-case name", field=field, value=value)
    return text


@lru_cache(maxsize=1024)
def _country(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip().upper()
    if not _COUNTRY.match(text):
        raise InvalidEvent("must be an ISO 3166 alpha-2 code", field="country", value=value)
    return text


def _text(value: str | None, field: str) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if len(text) > 200:
        raise InvalidEvent("longer than 200 characters", field=field)
    return text


__all__ = [
    "CHANNELS",
    "PRECEDENCE",
    "NewEvent",
    "StoredEvent",
    "canonical_json",
    "format_time",
    "new_event",
    "parse_bool",
    "parse_event_type",
    "parse_evidence",
    "parse_timestamp",
]
