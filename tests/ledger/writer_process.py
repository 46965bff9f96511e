"""Child process for durability and concurrency tests (run as a script, not collected)."""

from __future__ import annotations

import sys
import time

from maysend.ledger import Ledger
from maysend.settings import LedgerSettings


def main() -> None:
    mode, url = sys.argv[1], sys.argv[2]
    config = LedgerSettings(database_url=url, hash_secret=None, require_double_opt_in=False)
    ledger = Ledger.open(url, settings=config)
    if mode == "record-then-wait":
        stored = ledger.record("durable@example.com", "consent", at="2024-01-01T00:00:00Z")
        print(f"ok {stored.id}", flush=True)
        time.sleep(60)
    elif mode == "import-slowly":
        original = ledger.record_prepared

        def announce(batch):  # type: ignore[no-untyped-def]
            stored = original(batch)
            print(f"batch {len(stored)}", flush=True)
            time.sleep(0.05)  # leave the parent time to kill us mid-import
            return stored

        ledger.record_prepared = announce  # type: ignore[method-assign]
        apart = len(sys.argv) > 5 and sys.argv[5] == "apart"
        ledger.import_file(sys.argv[3], batch_size=int(sys.argv[4]), apart=apart)
        print("done", flush=True)
    elif mode == "write-many":
        tag, count = sys.argv[3], int(sys.argv[4])
        for i in range(count):
            ledger.record(f"{tag}-{i}@example.com", "consent", at="2024-01-01T00:00:00Z")
        print("done", flush=True)


if __name__ == "__main__":
    main()
