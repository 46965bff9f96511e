"""Benchmark the consent ledger: bulk import, state look-ups, export.

    .venv/bin/python bench/ledger.py                     # 1,000,000 events, SQLite and PostgreSQL
    .venv/bin/python bench/ledger.py --events 10000000   # the full run
    .venv/bin/python bench/ledger.py --db sqlite --events 100000

For each database: `Ledger.import_file` of a CSV of N events (validation,
keyed subjects, hash chain, idempotency, current state) in events/s, against
the database's own bulk path for the same rows in the same run (executemany
on SQLite, binary COPY on PostgreSQL, into a table with the same keys and
indexes; text COPY is timed too), and the ratio of the two; single-subject
`Ledger.state` latency p50/p99; and `Ledger.export` for every subject now
(current-state table) and at a past time (the fold in SQL).

The import stores more than the events: each subject's row in `subjects` and
its rows in `current_state`, kept in the same transaction as the events. A
second comparison therefore bulk-loads every row the import leaves in those
three tables (into identical tables, the same way) and prints that ratio too;
the events-only ratio is the one the aim is stated against.

Beside each wall time it prints this process's CPU seconds (PostgreSQL's own
work is not in them; a large file's import prepares its batches in a process
of its own, whose CPU seconds are printed apart) and the load average: on a
shared machine the CPU figures move less than the wall times, and a high load
says the ratio is uncertain.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from maysend.ledger import Ledger
from maysend.ledger.bulk import postgres_types
from maysend.ledger.importers import BATCH_SIZE
from maysend.ledger.schema import current_state, events, subjects
from maysend.settings import LedgerSettings

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime(2023, 1, 1, tzinfo=UTC)
KINDS = ["consent", "confirm", "withdraw", "purchase", "inquiry", "complaint", "object"]
WEIGHTS = [40, 20, 15, 15, 5, 3, 2]
COLUMNS = [c.name for c in events.columns]


def write_csv(path: Path, count: int, subjects: int, seed: int = 7) -> None:
    """N events over `subjects` people, in time order (the usual shape of an export)."""
    rng = random.Random(seed)
    step = (datetime(2025, 1, 1, tzinfo=UTC) - START) / count
    with path.open("w", encoding="utf-8") as out:
        out.write("address,event,at,topic,country,source,product,refusal_offered\n")
        for i in range(count):
            kind = rng.choices(KINDS, WEIGHTS)[0]
            at = (START + step * i).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            topic = "news" if rng.random() < 0.1 else ""
            product = "books" if kind == "purchase" else ""
            refusal = "yes" if kind == "purchase" else ""
            person = rng.randrange(subjects)
            out.write(f"p{person}@example.com,{kind},{at},{topic},DE,form,{product},{refusal}\n")


def baseline_ddl(dialect: str) -> list[str]:
    ts = "TIMESTAMPTZ" if dialect == "postgresql" else "TIMESTAMP"
    return [
        "DROP TABLE IF EXISTS bench_events",
        f"""CREATE TABLE bench_events (
            id BIGINT PRIMARY KEY, subject VARCHAR(64) NOT NULL, channel VARCHAR(16) NOT NULL,
            purpose VARCHAR(64) NOT NULL, topic VARCHAR(64), type VARCHAR(16) NOT NULL,
            occurred_at {ts} NOT NULL, recorded_at {ts} NOT NULL, source VARCHAR(64) NOT NULL,
            country VARCHAR(2), notice_version VARCHAR(200), product VARCHAR(200),
            refusal_offered BOOLEAN NOT NULL, evidence_digest VARCHAR(64),
            idempotency_key VARCHAR(64) NOT NULL UNIQUE, prev_hash VARCHAR(64) NOT NULL,
            hash VARCHAR(64) NOT NULL)""",
        "CREATE INDEX bench_subject_occurred ON bench_events (subject, occurred_at)",
        "CREATE INDEX bench_occurred ON bench_events (occurred_at)",
    ]


def stored_rows(ledger: Ledger, chunk: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """The rows the import stored, read back in chunks (reading is not timed)."""
    last = 0
    while True:
        with ledger.engine.connect() as connection:
            rows = connection.execute(
                sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(chunk)
            ).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [tuple(r) for r in rows]


class Timing(NamedTuple):
    wall: float
    cpu: float  # this process's, every thread


def baseline_seconds(ledger: Ledger, *, binary: bool = True) -> Timing:
    """Time the database's own bulk insert of the same rows into an identical table.

    On PostgreSQL the bulk path is binary COPY (what the import itself uses), or
    text COPY with `binary=False`.
    """
    dialect = ledger.engine.dialect
    types = postgres_types(events, dialect)
    ddl = baseline_ddl(dialect.name)
    return bulk_load(ledger, ddl, "bench_events", COLUMNS, types, stored_rows(ledger), binary)


def bulk_load(
    ledger: Ledger,
    ddl: list[str],
    name: str,
    columns: list[str],
    types: list[str],
    chunks: Iterator[list[tuple[Any, ...]]],
    binary: bool = True,
) -> Timing:
    """Create table `name` by `ddl`, time loading `chunks` into it in bulk, then drop it.

    COPY on PostgreSQL (binary, with `types`, unless `binary` is false),
    executemany on SQLite; only the loading and its commits are timed.
    """
    raw = ledger.engine.raw_connection()
    dialect = ledger.engine.dialect.name
    try:
        cursor = raw.cursor()
        for statement in ddl:
            cursor.execute(statement)
        raw.commit()
        spent = cpu = 0.0
        marks = ", ".join("?" for _ in columns)
        for chunk in chunks:
            started, cpu_started = time.perf_counter(), time.process_time()
            if dialect == "postgresql":
                options = " (FORMAT BINARY)" if binary else ""
                copy_sql = f"COPY {name} ({', '.join(columns)}) FROM STDIN{options}"
                with cursor.copy(copy_sql) as copy:
                    if binary:
                        copy.set_types(types)
                    for row in chunk:
                        copy.write_row(row)
            else:
                cursor.execute("BEGIN")
                plain = [tuple(_sqlite_value(v) for v in row) for row in chunk]
                started, cpu_started = time.perf_counter(), time.process_time()
                cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", plain)
            raw.commit()
            spent += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
        cursor.execute(f"DROP TABLE {name}")
        raw.commit()
        return Timing(spent, cpu)
    finally:
        raw.close()


def clone_ddl(ledger: Ledger, table: sa.Table) -> list[str]:
    """DDL for `bench_<table>`: the same columns, keys and indexes, under names of its own."""
    name = f"bench_{table.name}"
    dialect = ledger.engine.dialect
    if dialect.name == "postgresql":
        return [
            f"DROP TABLE IF EXISTS {name}",
            f"CREATE TABLE {name} (LIKE {table.name} INCLUDING ALL)",
        ]
    created = str(sa.schema.CreateTable(table).compile(dialect=dialect))
    ddl = [
        f"DROP TABLE IF EXISTS {name}",
        created.replace(f"TABLE {table.name} ", f"TABLE {name} ", 1),
    ]
    for index in table.indexes:
        columns = ", ".join(c.name for c in index.columns)
        unique = "UNIQUE " if index.unique else ""
        ddl.append(f"CREATE {unique}INDEX bench_{index.name} ON {name} ({columns})")
    return ddl


def table_rows(
    ledger: Ledger, table: sa.Table, chunk: int = 50_000
) -> Iterator[list[tuple[Any, ...]]]:
    """Every stored row of `table`, in key order, in chunks (reading is not timed)."""
    keys = list(table.primary_key.columns)
    with ledger.engine.connect() as connection:
        result = connection.execution_options(yield_per=chunk).execute(
            sa.select(table).order_by(*keys)
        )
        for part in result.partitions(chunk):
            yield [tuple(r) for r in part]


def clone_seconds(ledger: Ledger, table: sa.Table) -> Timing:
    """Time the database's bulk path for every stored row of `table` into an identical table."""
    types = postgres_types(table, ledger.engine.dialect)
    columns = [c.name for c in table.columns]
    name = f"bench_{table.name}"
    return bulk_load(
        ledger, clone_ddl(ledger, table), name, columns, types, table_rows(ledger, table)
    )


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return value


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (an import's preparing process)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _load() -> str:
    """The 1-minute load average against the cores there are."""
    return f"{os.getloadavg()[0]:.1f}/{os.cpu_count()}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(name: str, url: str, csv_path: Path, args: argparse.Namespace, out_dir: Path) -> None:
    config = LedgerSettings(database_url=url, hash_secret=None, require_double_opt_in=False)
    ledger = Ledger.open(url, settings=config)
    started, cpu_started = time.perf_counter(), time.process_time()
    children_started = _children_cpu()
    report = ledger.import_file(csv_path, batch_size=args.batch)
    import_s = time.perf_counter() - started
    import_cpu = time.process_time() - cpu_started
    preparing_cpu = _children_cpu() - children_started
    rate = report.imported / import_s
    base_s, base_cpu = baseline_seconds(ledger)
    print(
        f"[{name}] import: {report.imported:,} events in {import_s:.1f} s = {rate:,.0f} events/s "
        f"(CPU here {import_cpu:.1f} s, in the preparing process {preparing_cpu:.1f} s; "
        f"load {_load()})"
    )
    print(
        f"[{name}] same rows via the database's bulk path: {base_s:.1f} s = "
        f"{report.imported / base_s:,.0f} rows/s (CPU here {base_cpu:.1f} s; load {_load()}); "
        f"ratio import/bulk = {import_s / base_s:.2f}x"
    )
    others = [clone_seconds(ledger, table) for table in (subjects, current_state)]
    all_s = base_s + sum(t.wall for t in others)
    with ledger.engine.connect() as connection:
        kept = {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in (subjects, current_state)
        }
    print(
        f"[{name}] every row the import leaves (events, {kept['subjects']:,} subjects, "
        f"{kept['current_state']:,} current-state rows) via the same bulk path: {all_s:.1f} s "
        f"(subjects {others[0].wall:.1f} s, current state {others[1].wall:.1f} s); "
        f"ratio import/bulk of all its rows = {import_s / all_s:.2f}x"
    )
    if ledger.engine.dialect.name == "postgresql":
        text_s, _ = baseline_seconds(ledger, binary=False)
        print(
            f"[{name}] (text COPY instead: {text_s:.1f} s = {report.imported / text_s:,.0f} "
            f"rows/s; ratio import/text COPY = {import_s / text_s:.2f}x)"
        )
    rng = random.Random(11)
    latencies = []
    for _ in range(args.lookups):
        address = f"p{rng.randrange(args.subjects)}@example.com"
        t0 = time.perf_counter()
        ledger.state(address)
        latencies.append((time.perf_counter() - t0) * 1000)
    print(
        f"[{name}] state look-up ({args.lookups} subjects): "
        f"p50 {percentile(latencies, 0.5):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms, "
        f"mean {statistics.fmean(latencies):.2f} ms"
    )
    for label, at in (("now", None), ("past T", datetime(2024, 1, 1, tzinfo=UTC))):
        target = out_dir / f"{name}-{label.replace(' ', '')}.parquet"
        t0 = time.perf_counter()
        rows = ledger.export(target, at=at)
        spent = time.perf_counter() - t0
        print(
            f"[{name}] export --at {label}: {rows:,} rows in {spent:.1f} s "
            f"= {rows / spent:,.0f} rows/s"
        )
    ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=0, help="default: events / 5")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--batch", type=int, default=BATCH_SIZE)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()
    args.subjects = args.subjects or max(1, args.events // 5)
    with tempfile.TemporaryDirectory(prefix="maysend-bench-") as tmp:
        out_dir = Path(tmp)
        csv_path = out_dir / "events.csv"
        t0 = time.perf_counter()
        write_csv(csv_path, args.events, args.subjects)
        print(
            f"{args.events:,} events over {args.subjects:,} subjects "
            f"(CSV {csv_path.stat().st_size / 1e6:.0f} MB, "
            f"written in {time.perf_counter() - t0:.1f} s)"
        )
        if args.db in ("sqlite", "both"):
            run("sqlite", f"sqlite:///{out_dir / 'bench.db'}", csv_path, args, out_dir)
        if args.db in ("postgres", "both"):
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(args.pg_url)
            with admin.begin() as connection:
                connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            try:
                url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
                run("postgres", url, csv_path, args, out_dir)
            finally:
                with admin.begin() as connection:
                    connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                admin.dispose()


if __name__ == "__main__":
    main()
