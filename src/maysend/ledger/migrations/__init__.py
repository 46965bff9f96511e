"""Alembic migrations of the ledger schema, run by `maysend.ledger.migrate` (no alembic.ini)."""
