"""One error hierarchy for maysend.

Interfaces translate these at their boundary (CLI exit codes, API JSON errors,
SMTP replies) and only there. Base classes carry the context a user needs to
find the problem: the part of a message, the row of a file, the field.

    MaysendError
    ├── ConfigError                 settings or data files that cannot be used
    ├── MessageError                a message that cannot be read at all
    │   ├── MessageTooLarge         over the configured size limit
    │   └── UnreadableMessage       not MIME / not a template, or no usable text
    ├── ClassifierError             the classifier could not run (model missing, corrupt)
    ├── LedgerError                 the consent ledger
    │   ├── LedgerUnavailable       the store cannot be reached: callers fail closed
    │   ├── InvalidEvent            an event that may not be stored (names the field)
    │   │   └── InvalidAddress      an address that does not parse
    │   ├── SignatureError          a webhook whose signature does not verify
    │   └── ChainBroken             the tamper-evident hash chain does not verify
    ├── PolicyError                 a decision that cannot be made (unknown jurisdiction)
    └── InputError                  a batch input (audience, import file) that cannot be used
        └── RowError                one row of it (carries the row number)
"""

from __future__ import annotations


class MaysendError(Exception):
    """Base of every error maysend raises on purpose."""

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        if not self.context:
            return self.message
        where = ", ".join(f"{k}={v}" for k, v in self.context.items())
        return f"{self.message} ({where})"


class ConfigError(MaysendError):
    """Settings or a shipped/local data file cannot be used."""


class MessageError(MaysendError):
    """A message cannot be read at all (as opposed to a recoverable defect)."""


class MessageTooLarge(MessageError):
    """The raw message exceeds the configured size limit."""


class UnreadableMessage(MessageError):
    """The input is not a message maysend can read."""


class ClassifierError(MaysendError):
    """The classifier cannot run; callers treat the message as undecidable."""


class LedgerError(MaysendError):
    """Base of consent-ledger errors."""


class LedgerUnavailable(LedgerError):
    """The ledger store cannot be reached; no marketing may be sent."""


class InvalidEvent(LedgerError):
    """An event that may not be stored; `field` names what is wrong."""

    def __init__(self, message: str, *, field: str, **context: object) -> None:
        super().__init__(message, field=field, **context)
        self.field = field


class InvalidAddress(InvalidEvent):
    """An address that does not parse as an email address."""

    def __init__(self, message: str, *, field: str = "address", **context: object) -> None:
        super().__init__(message, field=field, **context)


class SignatureError(LedgerError):
    """A webhook payload whose signature does not verify."""


class ChainBroken(LedgerError):
    """The event hash chain does not verify."""


class PolicyError(MaysendError):
    """A decision cannot be made from the configuration given."""


class InputError(MaysendError):
    """A batch input file cannot be used at all."""


class RowError(InputError):
    """One row of a batch input; carries its 1-based row (line) number."""

    def __init__(self, message: str, *, row: int, **context: object) -> None:
        super().__init__(message, row=row, **context)
        self.row = row
