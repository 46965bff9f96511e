"""Importing consent history: CSV / JSON Lines in the ledger's own columns, and ESP exports.

import_file(ledger, path, *, format="native", mapping=None, batch_size=BATCH_SIZE, on_read=None,
    apart=None) -> ImportReport   (apart: prepare batches in a process of their own; None: for
    files of APART_MIN_BYTES and more)
import_rows(ledger, rows, *, format="native", mapping=None, batch_size=BATCH_SIZE) -> ImportReport
formats() -> {name: FormatSpec}   (native, ses, sendgrid-unsubscribes,
    sendgrid-spam-reports, mailchimp, mailgun-unsubscribes, mailgun-complaints)
"""

from maysend.ledger.importers.formats import FormatSpec, formats
from maysend.ledger.importers.run import (
    APART_MIN_BYTES,
    BATCH_SIZE,
    ImportReport,
    import_file,
    import_rows,
)
from maysend.ledger.importers.tabular import parse_mapping, read_rows

__all__ = [
    "APART_MIN_BYTES",
    "BATCH_SIZE",
    "FormatSpec",
    "ImportReport",
    "formats",
    "import_file",
    "import_rows",
    "parse_mapping",
    "read_rows",
]
