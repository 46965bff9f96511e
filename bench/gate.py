"""Benchmark the campaign gate against a bare DuckDB join of the same data, in the same run.

    .venv/bin/python bench/gate.py --recipients 1000000
    .venv/bin/python bench/gate.py --recipients 10000000 --keep bench/out/gate-10m
    .venv/bin/python bench/gate.py --recipients 100000 --engine spark

Generates, with DuckDB SQL, a ledger snapshot (the `Ledger.export` columns) of
N subjects with a realistic mix (consented ~40%, withdrawn ~15%, complained
~2%, objected ~1%, erased a few, purchases of different ages ~25% of the
rest, some inquiries; countries GB/DE/US/CA/FR) and an audience Parquet of N
addresses (~90% in the ledger, with domain case and blanks varied, ~10%
blank or invalid, ~2% duplicates; a country for ~60%). Then times, each in
its own process so each peak RSS is its own:

  gate  `duckdb_engine.run` (or the Spark engine) with a GatePlan built
        directly: a marketing verdict, a compliant message, UK default,
        declared product "broadband", memory_limit 4GB, 2 threads;
  bare  the same audience LEFT JOINed to the same snapshot on the trimmed,
        lower-cased address, writing the same two Parquet files (send and
        suppressed, same columns, in row order) with the same limits: the
        figure the ratio is taken against;
  dedup the bare join with the audience first de-duplicated on that address
        (first row kept, copies counted), as the gate must: shown beside it,
        so that the cost of the de-duplication and of the rest can be told
        apart.

Erased subjects are filed under their keyed hash (HMAC) as the ledger files
them; every other subject's `subject_key` is a stand-in digest, since the
gate joins clear subjects by address. Files go to bench/out/ (on disk).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from maysend.classify.verdict import Category, Evidence, Kind, PrimaryPurpose, Verdict
from maysend.gate.addresses import hmac_sql
from maysend.gate.outcomes import fact_model
from maysend.gate.plan import GatePlan
from maysend.message import parse_bytes
from maysend.policy import check_message, load_policy
from maysend.settings import PolicySettings

OUT = Path(__file__).parent / "out"
AT = datetime(2025, 6, 1, tzinfo=UTC)
SECRET = "bench-secret"
MEMORY = "4GB"
MESSAGE = b"""From: Example Shop <news@example.com>
To: customer@example.org
Subject: Advertisement: spring sale, 20% off broadband
List-Unsubscribe: <mailto:unsub@example.com>, <https://example.com/u/t0k3n>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p>Get 20% off faster broadband this spring.</p><footer>
<p>Advertisement from Example Shop.</p>
<p>You may object to this use of your address at any time.</p>
<p>Example Shop Inc., 100 Main Street, Springfield, IL 62701. Call 1-800-555-0199.</p>
<p><a href="https://example.com/u/t0k3n">Unsubscribe</a></p>
</footer></body></html>
"""
VERDICT = Verdict(
    Kind.MARKETING,
    0.97,
    "en",
    PrimaryPurpose.COMMERCIAL,
    (Evidence("OFFER_DISCOUNT", Category.OFFER, "20% off", "body:0", 1.0),),
)

# -- data -------------------------------------------------------------------------------------

PEOPLE = """
CREATE TABLE people AS
SELECT i, 'u' || i || '@' || ['example.com', 'example.org', 'mail.example.net',
                              'example.co.uk'][i % 4 + 1] AS address,
       (hash(i, 'status') % 10000)::BIGINT AS s, (hash(i, 'days') % 1500)::BIGINT AS days,
       (hash(i, 'extra') % 10000)::BIGINT AS x,
       ['GB', 'GB', 'GB', 'DE', 'DE', 'US', 'US', 'CA', 'FR', 'FR']
           [(hash(i, 'cc') % 10)::BIGINT + 1] AS cc
FROM range({n}) t(i)"""

LEDGER = """
COPY (
  SELECT CASE WHEN erased THEN {key} ELSE address END AS subject, 'email' AS channel,
    'marketing' AS purpose, NULL::VARCHAR AS topic, status,
    CASE WHEN status = 'consented' THEN t0 - to_days(days::INT) END AS consent_at,
    CASE WHEN status = 'consented' THEN i * 8 END::BIGINT AS consent_event_id,
    CASE WHEN status = 'consented' AND x % 2 = 0
         THEN t0 - to_days(days::INT) + INTERVAL 1 HOUR END AS confirmed_at,
    CASE WHEN opt_out IS NOT NULL THEN t0 - to_days((days % 700)::INT) END AS opt_out_at,
    opt_out AS opt_out_type,
    CASE WHEN opt_out IS NOT NULL THEN i * 8 + 1 END::BIGINT AS opt_out_event_id,
    CASE WHEN bought THEN t0 - to_days((x % 1500)::INT) END AS last_purchase_at,
    CASE WHEN bought THEN i * 8 + 2 END::BIGINT AS last_purchase_event_id,
    CASE WHEN bought THEN ['broadband', 'tv', 'insurance'][x % 3 + 1] END
        AS last_purchase_product,
    CASE WHEN bought THEN x % 5 <> 0 END AS last_purchase_refusal_offered,
    CASE WHEN asked THEN t0 - to_days((x % 400)::INT) END AS last_inquiry_at,
    CASE WHEN asked THEN i * 8 + 3 END::BIGINT AS last_inquiry_event_id,
    cc AS country,
    CASE WHEN erased THEN {key} ELSE sha256(address) END AS subject_key
  FROM (
    SELECT *, TIMESTAMPTZ '{at}' AS t0,
      CASE WHEN s < 4000 THEN 'consented' WHEN s < 5500 THEN 'withdrawn'
           WHEN s < 5700 THEN 'complained' WHEN s < 5800 THEN 'objected'
           WHEN s < 5810 THEN 'erased' ELSE 'none' END AS status,
      CASE WHEN s < 4000 THEN NULL WHEN s < 5500 THEN 'withdraw' WHEN s < 5700 THEN 'complaint'
           WHEN s < 5800 THEN 'object' WHEN s < 5810 THEN 'erase' END AS opt_out,
      s BETWEEN 5800 AND 5809 AS erased,
      (s >= 5810 AND s < 8310) OR (s < 4000 AND x < 1500) AS bought,
      s >= 8310 AND s < 8810 AS asked
    FROM people)
) TO '{path}' (FORMAT parquet)"""

AUDIENCE = """
COPY (
  SELECT CASE
      WHEN r < 300 THEN ['', '  ', NULL][j % 3 + 1]
      WHEN r < 600 THEN 'u' || j || '.example.com'
      WHEN r < 1000 THEN ['u' || j || '@example', 'u..' || j || '@example.com',
                          'u ' || j || '@example.com', 'u' || j || '@@example.com'][j % 4 + 1]
      ELSE CASE WHEN r % 50 = 0 THEN ' ' ELSE '' END
           || split_part(p.address, '@', 1) || '@'
           || CASE WHEN r % 10 = 0 THEN upper(split_part(p.address, '@', 2))
                   ELSE split_part(p.address, '@', 2) END
    END AS email,
    CASE WHEN (hash(j, 'ac') % 10)::BIGINT < 6
         THEN ['GB', 'DE', 'US', 'CA', 'FR', 'gb', 'UK'][(hash(j, 'ac') % 7)::BIGINT + 1]
    END AS country
  FROM (
    SELECT j, (hash(j, 'aud') % 10000)::BIGINT AS r,
      CASE WHEN (hash(j, 'aud') % 10000)::BIGINT < 1200 AND j > 1000
           THEN ((j - 1 - (hash(j, 'dup') % 1000)::BIGINT) * 7919 + 13) % {n}
           ELSE (j * 7919 + 13) % {n} END AS person
    FROM range({n}) t(j)) a
  JOIN people p ON p.i = a.person
  ORDER BY j
) TO '{path}' (FORMAT parquet)"""


def generate(work: Path, n: int) -> None:
    """ledger.parquet and audience.parquet for N subjects and N audience rows."""
    with duckdb.connect(config={"memory_limit": MEMORY, "threads": 2}) as con:
        con.execute(f"SET temp_directory = '{work / 'spill'}'")
        con.execute(PEOPLE.format(n=n))
        key = hmac_sql("address", SECRET)
        con.execute(LEDGER.format(key=key, at=AT.isoformat(), path=work / "ledger.parquet"))
        con.execute(AUDIENCE.format(n=n, path=work / "audience.parquet"))
    shutil.rmtree(work / "spill", ignore_errors=True)


# -- the two contenders (each in its own process) ---------------------------------------------


def time_gate(work: Path, engine: str) -> dict[str, Any]:
    from maysend.gate import duckdb_engine

    config = load_policy(PolicySettings(), product="broadband")
    staging = work / f"gate-{engine}"
    staging.mkdir(exist_ok=True)
    plan = GatePlan(
        audience=work / "audience.parquet",
        snapshot=work / "ledger.parquet",
        at=AT,
        verdict=VERDICT,
        checks=check_message(parse_bytes(MESSAGE), config),
        config=config,
        fact_model=fact_model(config),
        work_dir=staging,
        hash_secret=SECRET,
        memory_limit=MEMORY,
    )
    steps: list[tuple[str, float]] = []
    start, cpu = time.perf_counter(), cpu_seconds()

    def step(name: str) -> None:
        steps.append((name, time.perf_counter() - start))

    if engine == "spark":
        from maysend.gate import spark_engine

        spark_engine.spark_session()
        start, cpu = time.perf_counter(), cpu_seconds()
        counts = spark_engine.run(plan, staging, step)
    else:
        counts = duckdb_engine.run(plan, staging, step)
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": cpu_seconds() - cpu, "steps": steps, "counts": counts.to_dict()}


BARE = """
CREATE TABLE joined AS
SELECT a.file_row_number + 1 AS row, a.email AS address,
       coalesce(nullif(trim(a.country), ''), s.country) AS country, s.status
FROM read_parquet('{audience}', file_row_number = true) a
LEFT JOIN read_parquet('{ledger}') s ON s.subject = lower(trim(a.email))"""


DEDUP = """
CREATE TABLE joined AS
WITH a AS (
    SELECT lower(trim(email)) AS addr, min(file_row_number) + 1 AS row, any_value(email) AS email,
           min_by(country, file_row_number) AS country, count(*) AS copies
    FROM read_parquet('{audience}', file_row_number = true) GROUP BY lower(trim(email)))
SELECT a.row, a.email AS address, coalesce(nullif(trim(a.country), ''), s.country) AS country,
       s.status
FROM a LEFT JOIN read_parquet('{ledger}') s ON s.subject = a.addr"""


def time_bare(work: Path, *, dedup: bool = False) -> dict[str, Any]:
    start, cpu = time.perf_counter(), cpu_seconds()
    with duckdb.connect(config={"memory_limit": MEMORY, "threads": 2}) as con:
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET temp_directory = '{work / 'spill-bare'}'")
        sql = DEDUP if dedup else BARE
        con.execute(sql.format(audience=work / "audience.parquet", ledger=work / "ledger.parquet"))
        base = "address, row, country, country AS jurisdiction"
        con.execute(
            f"COPY (SELECT {base}, status AS reason_code FROM joined "
            f"WHERE status = 'consented' ORDER BY row) TO '{work / 'bare-send.parquet'}'"
        )
        con.execute(
            f"COPY (SELECT {base}, 'suppress' AS action, coalesce(status, 'none') AS reason_code,"
            f" '' AS citation FROM joined WHERE status IS DISTINCT FROM 'consented' ORDER BY row)"
            f" TO '{work / 'bare-suppressed.parquet'}'"
        )
    return {"wall": time.perf_counter() - start, "cpu": cpu_seconds() - cpu}


def cpu_seconds() -> float:
    """CPU time (user + system, all threads) of this process and its children (a Spark JVM)."""
    ticks = 0
    for pid in {os.getpid(), *_descendants(os.getpid())}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM) plus its children's (a Spark JVM)."""
    total = 0
    for pid in {os.getpid(), *_descendants(os.getpid())}:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")]
        total += sum(peaks)  # none for a process that has already exited
    return total / 1024


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def worker(kind: str, work: Path, engine: str) -> None:
    gate = kind == "gate"
    result = time_gate(work, engine) if gate else time_bare(work, dedup=kind == "dedup")
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def measure(kind: str, work: Path, engine: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", kind, "--keep", str(work), "--engine", engine]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- report -----------------------------------------------------------------------------------


def report(n: int, label: str, result: dict[str, Any]) -> None:
    wall = result["wall"]
    print(
        f"{label:<14} N={n:>11,}  wall {wall:8.2f} s  {n / wall:>12,.0f} rows/s  "
        f"CPU {result['cpu']:8.2f} s  peak RSS {result['peak_rss_mb']:8.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: removed)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data already in the --keep folder"
    )
    parser.add_argument("--worker", choices=["gate", "bare", "dedup"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.keep, args.engine)
        return
    work = args.keep or OUT / f"gate-{args.recipients}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        if args.reuse and (work / "audience.parquet").is_file():
            print(f"reusing the data in {work}")
        else:
            generate(work, args.recipients)
            took = time.perf_counter() - start
            print(f"generated N={args.recipients:,} in {took:.1f} s ({work})")
        gate = measure("gate", work, args.engine)
        bare = measure("bare", work, args.engine)
        dedup = measure("dedup", work, args.engine)
        report(args.recipients, f"gate ({args.engine})", gate)
        report(args.recipients, "bare join", bare)
        report(args.recipients, "dedup + join", dedup)
        print(
            f"ratio gate/bare {gate['wall'] / bare['wall']:.2f}x wall, "
            f"{gate['cpu'] / bare['cpu']:.2f}x CPU (CPU time of each process: the load of other "
            "processes on the machine moves wall time more)"
        )
        print(
            f"(against the de-duplicated join: {gate['wall'] / dedup['wall']:.2f}x wall, "
            f"{gate['cpu'] / dedup['cpu']:.2f}x CPU)"
        )
        for name, at in gate["steps"]:
            print(f"  step at {at:7.2f} s: {name}")
        counts = gate["counts"]
        print(
            f"  rejected {counts['rejected']:,}, duplicates {counts['duplicates_removed']:,}, "
            f"recipients {counts['recipients']:,}, by action {counts['by_action']}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
