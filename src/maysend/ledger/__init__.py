"""The consent ledger: who agreed to what, when, and the proof.

Public surface (the policy, the gate and the interfaces use only these):

    Ledger.open(url=None, *, settings=None) -> Ledger
    Ledger.record(address, event, **fields) -> StoredEvent
    Ledger.state(address, *, at=None, channel="email", purpose="marketing", topic=None)
        -> ConsentState
    Ledger.history(address) / .proof(address) / .export(path, at=..., fmt=...) / .verify()
    normalize_address(raw) -> str         subject_key(address, secret) -> str
    check_address(raw) -> (address, None) or (None, reason), raising nothing
    check_addresses(values) -> (addresses, reasons), for a batch
    fold_state(events, *, at, channel, purpose, topic=None, require_double_opt_in=False)
    EXPORT_COLUMNS / EXPORT_SCHEMA        the columns of `Ledger.export`

Importers live in `maysend.ledger.importers`, webhook and report parsers in
`maysend.ledger.webhooks`.
"""

from maysend.ledger.address import check_address, check_addresses, normalize_address, subject_key
from maysend.ledger.chain import Verification
from maysend.ledger.events import NewEvent, StoredEvent, new_event
from maysend.ledger.export import EXPORT_COLUMNS, EXPORT_SCHEMA
from maysend.ledger.fold import fold_state
from maysend.ledger.ledger import Ledger
from maysend.ledger.proof import ProofRecord
from maysend.ledger.state import (
    OPT_OUTS,
    OPTED_OUT,
    ConsentState,
    EventRef,
    EventType,
    Relationship,
    Status,
)

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_SCHEMA",
    "OPTED_OUT",
    "OPT_OUTS",
    "ConsentState",
    "EventRef",
    "EventType",
    "Ledger",
    "NewEvent",
    "ProofRecord",
    "Relationship",
    "Status",
    "StoredEvent",
    "Verification",
    "check_address",
    "check_addresses",
    "fold_state",
    "new_event",
    "normalize_address",
    "subject_key",
]
