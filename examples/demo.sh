#!/usr/bin/env bash
# The main job on bundled data: a campaign its sender calls "service", what maysend
# makes of it, who it may and may not reach, and why. Uses the embedded default (SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
MAYSEND=.venv/bin/maysend
OUT=demo-out
rm -rf "$OUT" && mkdir -p "$OUT"
export MAYSEND_DATABASE_URL="sqlite:///$OUT/ledger.db"
export MAYSEND_POLICY_ORGANISATION_DOMAINS='["northwind-card.example", "gartenhaus-lindner.example"]'
AT=2026-11-05T09:00:00Z

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. The message, parsed (headers, blocks, links)"
$MAYSEND parse examples/messages/card-benefits.eml

say "2. Marketing or service? The bundled messages, with their evidence"
$MAYSEND classify examples/messages/

say "3. The consent ledger: import the bundled history, verify its hash chain"
$MAYSEND consent import examples/ledger.csv
$MAYSEND consent verify
$MAYSEND consent show ben@example.com --at "$AT"

say "4. One message, a few recipients: may it go to each of them?"
$MAYSEND check examples/messages/card-benefits.eml --to ada@example.com --to ben@example.com \
  --to ivy@example.net --at "$AT"
$MAYSEND check examples/messages/password-reset.eml --to ben@example.com --at "$AT"

say "5. The campaign gate: the whole audience of the 'service' campaign"
$MAYSEND gate --message examples/messages/card-benefits.eml --audience examples/audience.csv \
  --out "$OUT/gate" --declared service --at "$AT"

say "Done. Outputs are in $OUT/ (ledger.db, gate/send.parquet, gate/suppressed.parquet, gate/rejected.csv, gate/summary.json)"
