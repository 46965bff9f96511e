"""The gate's SQL, written once for both engines (DuckDB and Spark SQL).

Each engine provides the same named relations and runs these texts:

    audience(row, address, country)     one row per usable audience row
    broken(row, value, reason)          CSV lines that could not be split
    off_form                            `off_form_sql`: rows off the common address form
    checked(row, addr, reason)          `check_address` of those `off_form` left open
    slow                                `SLOW_SQL`: every off-form row, decided
    valid(row, addr, country)           `valid_sql`: every usable row, its address normalised
    snapshot                            the ledger snapshot (`Ledger.export` columns)
    state                               `state_sql`: its rows that answer for the campaign
    keyed                               `keyed_sql`: its keyed-hash subjects, with facts
    recipients                          `recipients_sql`: one row per address, with facts
    combinations                        `combinations_sql`: each distinct one, counted
    outcomes                            `gate.outcomes.decide_combinations`, one per combination
    decided                             `decided_sql`: recipients joined to their outcome

The facts follow the recipe in `maysend.policy`'s docstring; the policy itself
is never restated here.
"""

from __future__ import annotations

from dataclasses import dataclass

from maysend.gate.addresses import common_form_sql, hmac_sql, normalized_common_sql
from maysend.gate.dialect import BLANK, Dialect
from maysend.gate.outcomes import KEY_COLUMNS, window_column
from maysend.gate.plan import GatePlan
from maysend.ledger import check_address
from maysend.policy import OPT_OUT_STATUS

COUNTRY_BITS = 24
"""At most 2^24 distinct audience countries are coded; a row number then has 39 bits."""


@dataclass(frozen=True, slots=True)
class CountryCodes:
    """A DuckDB ENUM type holding every audience country ('' for none), and the bits its
    codes take: `first_rows_sql` packs a row number and a country code into one integer."""

    type_name: str
    count: int

    @property
    def bits(self) -> int:
        return max(1, (self.count - 1).bit_length())


def state_sql(plan: GatePlan, dialect: Dialect) -> str:
    """The snapshot rows that answer for the campaign's channel, purpose and topic.

    For a topic, a subject's row for that topic answers (its fold already holds
    the purpose-wide events: a global opt-out overrides every topic); a subject
    without one is answered by its row for the purpose as a whole, as
    `Ledger.state` does."""
    lit = dialect.literal
    base = f"channel = {lit(plan.channel)} AND purpose = {lit(plan.purpose)}"
    if plan.topic is None:
        return f"SELECT * FROM snapshot WHERE {base} AND topic IS NULL"
    topic = lit(plan.topic)
    return f"""
        SELECT * FROM snapshot WHERE {base} AND topic = {topic}
        UNION ALL
        SELECT * FROM snapshot s WHERE {base} AND topic IS NULL AND NOT EXISTS (
            SELECT 1 FROM snapshot t WHERE t.subject = s.subject AND t.channel = s.channel
                AND t.purpose = s.purpose AND t.topic = {topic})"""


EMPTY = check_address("")[1]
NO_AT = check_address("example.com")[1]
SLOW_SQL = """
    SELECT o.row, o.address, o.country, c.addr, coalesce(o.reason, c.reason) AS reason
    FROM off_form o LEFT JOIN checked c ON c.row = o.row"""
REJECTED_SQL = """
    SELECT row, address AS value, reason FROM slow WHERE addr IS NULL
    UNION ALL SELECT row, value, reason FROM broken"""


def off_form_sql(dialect: Dialect) -> str:
    """Rows off the common address form; blank ones and those without '@' are rejected here at
    once, in the ledger's words, and only the rest (reason NULL) need `check_address`.

    Nothing is materialised for the common rows: `valid_sql` reads them again (they are the
    rows not here) and normalises them on the way, which costs less than writing and reading
    them back."""
    blank = dialect.full_match("address", BLANK)
    common = common_form_sql("address", dialect)
    return f"""
        SELECT row, address, country,
            CASE WHEN address IS NULL OR {blank} THEN {dialect.literal(EMPTY or "")}
                 WHEN NOT contains(address, '@') THEN {dialect.literal(NO_AT or "")} END AS reason
        FROM audience WHERE NOT coalesce({common}, false)"""


def valid_sql(dialect: Dialect) -> str:
    """Every usable row and its normalised address: the common form normalised in SQL, the
    rest as `check_address` decided it.

    The common rows are the audience rows `off_form` does not hold: found by row number,
    which costs a fraction of testing each address against the pattern a second time."""
    return f"""
        SELECT row, {normalized_common_sql("address", dialect)} AS addr, country
        FROM audience a WHERE NOT EXISTS (SELECT 1 FROM off_form o WHERE o.row = a.row)
        UNION ALL SELECT row, addr, country FROM slow WHERE addr IS NOT NULL"""


def status_sql(plan: GatePlan, dialect: Dialect) -> str:
    """The status as it stood at `at` (a snapshot may be newer): `effective_status`."""
    at = dialect.timestamp(plan.at)
    lit = dialect.literal
    pairs = OPT_OUT_STATUS.items()
    opt_out = " ".join(f"WHEN {lit(e.value)} THEN {lit(s.value)}" for e, s in pairs)
    return f"""CASE WHEN status IS NULL THEN 'none'
            WHEN status NOT IN ('consented', 'pending') THEN status
            WHEN consent_at IS NULL OR consent_at > {at}
                THEN CASE opt_out_type {opt_out} ELSE 'none' END
            WHEN confirmed_at > {at} THEN 'pending'
            ELSE status END"""


def ledger_facts(plan: GatePlan, dialect: Dialect) -> dict[str, str]:
    """The facts a snapshot row gives at `at`, by column: computed before the join, so the
    join carries a status and one integer of yes/no facts instead of times and products.

    Bit i of `flags` is `plan.fact_model.flags[i]` (`FactModel.unpack` reads them back); a
    condition that is NULL (no such event) leaves its bit 0, i.e. false."""
    at = dialect.timestamp(plan.at)
    similar = ", ".join(dialect.literal(p) for p in sorted(plan.similar_products)) or "NULL"
    purchased = f"last_purchase_at <= {at}"
    conditions = {
        "confirmed": f"confirmed_at <= {at}",
        "purchase": purchased,
        "product_similar": f"{purchased} AND lower(trim(last_purchase_product)) IN ({similar})",
        "refusal_offered": f"{purchased} AND last_purchase_refusal_offered",
        "inquiry": f"last_inquiry_at <= {at}",
    }
    for name, window in sorted(plan.fact_model.windows.items()):
        moment = f"last_{window.event.value}_at"
        conditions[window_column(name)] = (
            f"{moment} BETWEEN {at} - INTERVAL {window.days} DAY AND {at}"
        )
    bits = [
        f"CASE WHEN {conditions[name]} THEN {1 << i} ELSE 0 END"
        for i, name in enumerate(plan.fact_model.flags)
    ]
    return {"status": status_sql(plan, dialect), "flags": f"CAST({' + '.join(bits)} AS BIGINT)"}


def facts_select(plan: GatePlan, dialect: Dialect) -> str:
    """`ledger_facts` as a select list."""
    return ", ".join(f"{e} AS {name}" for name, e in ledger_facts(plan, dialect).items())


def keyed_sql(plan: GatePlan, dialect: Dialect) -> str:
    """The subjects `state` holds only as keyed hashes, with their facts (`ledger_facts`).

    Only the columns the facts need are read: the scan decodes them for every snapshot row."""
    return (  # a key never holds an "@", an address always does: the cheap test first
        f"SELECT subject_key, {facts_select(plan, dialect)}, country AS ledger_country FROM state "
        "WHERE NOT contains(subject, '@') AND subject = subject_key"
    )


def ledger_join(plan: GatePlan, dialect: Dialect) -> tuple[list[str], str]:
    """(ledger fact columns, FROM clause) joining each distinct address `d` to its facts.

    Clear subjects join by address. Subjects the snapshot holds only as keyed
    hashes (erased, or a hash-only ledger) join by HMAC, computed only for the
    addresses no clear subject matched: a subject is one or the other, never both.
    """
    names = [*ledger_facts(plan, dialect), "ledger_country"]
    source = (  # a key never equals an address
        f"d LEFT JOIN (SELECT subject, {facts_select(plan, dialect)}, country AS ledger_country "
        "FROM state) s "
        "ON s.subject = d.addr"
    )
    if not plan.keyed_subjects:
        return [f"s.{n}" for n in names], source
    key = hmac_sql("d.addr", plan.hash_secret or "", dialect)
    source += f" LEFT JOIN keyed k ON k.subject_key = CASE WHEN s.subject IS NULL THEN {key} END"
    return [f"coalesce(s.{n}, k.{n}) AS {n}" for n in names], source


def first_rows_sql(countries: CountryCodes | None = None) -> tuple[str, str, str]:
    """(query, row, country): one row per distinct address of `valid` with its copies, and the
    expressions that give its first row and that row's country from the query's columns.

    With `countries` (DuckDB), the first row and its country come out of one `min` over
    `row * 2^bits + the country's code` (column `first`), taken apart only after the ledger
    join: an integer minimum costs a fraction of `min_by`, and the join carries one integer
    instead of a number and a text.
    """
    if countries is None:  # coalesce, as DuckDB's min_by skips NULLs and Spark's not
        query = """SELECT addr, min(row) AS row, count(*) AS copies,
                   min_by(coalesce(country, ''), row) AS country
            FROM valid GROUP BY addr"""
        return query, "row", "country"
    bits, enum = countries.bits, countries.type_name
    code = f"enum_code(coalesce(country, '')::{enum})"
    query = f"""SELECT addr, min(row * {1 << bits} + {code}) AS first, count(*) AS copies
            FROM valid GROUP BY addr"""
    return query, f"first >> {bits}", f"enum_range(NULL::{enum})[(first % {1 << bits}) + 1]"


def recipients_sql(plan: GatePlan, dialect: Dialect, countries: CountryCodes | None = None) -> str:
    """One row per distinct address (its first row, the copies folded in) with its facts.

    An address the ledger has no row for has status 'none' and every flag false.
    `country` is the first row's as given ('' when none) and `ledger_country` the
    ledger's: which one answers is decided once per combination, in Python
    (`gate.outcomes`), not once per row.
    """
    ledger, source = ledger_join(plan, dialect)
    facts = ["coalesce(status, 'none') AS status", "coalesce(flags, 0) AS flags"]
    first_rows, row, country = first_rows_sql(countries)
    return f"""
        WITH d AS (
            {first_rows}
        ), j AS (
            SELECT d.*, {", ".join(ledger)} FROM {source}
        )
        SELECT {row} AS row, addr, copies, {country} AS country, ledger_country,
            {", ".join(facts)}
        FROM j"""


def combinations_sql() -> str:
    """Each distinct combination of facts, with its recipients and their extra copies."""
    names = ", ".join(KEY_COLUMNS)
    return (
        f"SELECT {names}, count(*) AS recipients, sum(copies - 1) AS copies "
        f"FROM recipients GROUP BY {names}"
    )


def decided_sql() -> str:
    """Recipients joined back to the outcome of their combination of facts."""
    on = " AND ".join(f"r.{c} IS NOT DISTINCT FROM o.{c}" for c in KEY_COLUMNS)
    return f"""
        SELECT /*+ BROADCAST(o) */ r.row, r.addr AS address, r.copies,
               o.country_code AS country, o.jurisdiction, o.action, o.reason_code,
               o.citation, o.kind
        FROM recipients r JOIN outcomes o ON {on}"""


def list_sql(columns: tuple[str, ...], *, send: bool) -> str:
    """The send list or the suppression list, in audience order."""
    where = "action = 'send'" if send else "action <> 'send'"
    return f"SELECT {', '.join(columns)} FROM decided WHERE {where} ORDER BY row"


__all__ = [
    "COUNTRY_BITS",
    "REJECTED_SQL",
    "SLOW_SQL",
    "CountryCodes",
    "combinations_sql",
    "decided_sql",
    "facts_select",
    "first_rows_sql",
    "keyed_sql",
    "ledger_facts",
    "list_sql",
    "off_form_sql",
    "recipients_sql",
    "state_sql",
    "status_sql",
    "valid_sql",
]
