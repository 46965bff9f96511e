"""Random campaigns for the gate's differential tests: a consent ledger, an audience, a moment.

Everything is drawn from one `random.Random`, so hypothesis can drive it
(`st.randoms()`) and the Spark comparison can replay a fixed seed.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from maysend.classify.verdict import (
    Category,
    Evidence,
    Kind,
    PrimaryPurpose,
    ServiceBasis,
    Verdict,
)
from maysend.gate import GateReport, GateRequest, run_gate
from maysend.ledger import Ledger
from maysend.settings import LedgerSettings, PolicySettings

DATA = Path(__file__).parent / "data"
CAMPAIGN = DATA / "campaign.eml"  # meets every jurisdiction's message requirements
BARE = DATA / "bare.eml"  # no unsubscribe, no postal address: blocked where those are required
SECRET = "gate-test-secret"
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)

MARKETING = Verdict(
    Kind.MARKETING,
    0.97,
    "en",
    PrimaryPurpose.COMMERCIAL,
    (Evidence("OFFER_DISCOUNT", Category.OFFER, "20% off", "body:0", 1.0),),
)
SERVICE = Verdict(
    Kind.SERVICE,
    0.04,
    "en",
    PrimaryPurpose.TRANSACTIONAL,
    (Evidence("ORDER_CONFIRMATION", Category.SERVICE, "your order", "body:0", -1.0),),
    service_basis=ServiceBasis.ORDER_CONFIRMATION,
)

POOL = (
    "ann@example.com",
    "Bob.Smith@example.org",
    "carl+news@mail.example.net",
    "zoë@example.com",
    "eve@bücher.example",
    "o'neil@example.co.uk",
    "frank@sub-domain.example",
    "gina@example.com",
)
INVALID = (
    "",
    "   ",
    "no-at-sign.example.com",
    "a@localhost",
    "x@-bad.example",
    "two@@example.com",
    "dots..x@example.com",
    "x@example.123",
    "space in@example.com",
)
LEDGER_COUNTRIES = ("GB", "DE", "US", "CA", "FR", None)
AUDIENCE_COUNTRIES = ("GB", "DE", "US", "CA", "FR", "ZZ", "gb", "UK", "", " ", "\t", "\u00a0", "")
EVENTS = ("consent", "confirm", "withdraw", "object", "complaint", "purchase", "inquiry", "erase")
PRODUCTS = ("broadband", "tv", "insurance", None)
DEFAULTS = ("UK", "strictest", "none", "US")
TOPICS = (None, None, "newsletter", "offers")
TOPICAL = {"consent", "confirm", "withdraw", "object", "complaint"}  # events a topic can carry


@dataclass(frozen=True)
class Event:
    address: str
    type: str
    at: datetime
    country: str | None = None
    product: str | None = None
    refusal_offered: bool = False
    topic: str | None = None


@dataclass
class Campaign:
    """One random campaign: ledger events, audience rows (address, country), when and what."""

    events: list[Event]
    rows: list[tuple[str, str]]
    at: datetime
    product: str | None
    default: str
    double_opt_in: bool
    hash_only: bool
    latin1: set[int] = field(default_factory=set)  # audience rows written in Windows-1252
    snapshot_days: int | None = None  # a snapshot taken this many days after `at`, else live
    topic: str | None = None  # the campaign's marketing topic, else marketing as a whole

    @property
    def ledger_settings(self) -> LedgerSettings:
        return LedgerSettings(
            database_url="sqlite://",
            hash_secret=SECRET if self.hash_only else None,
            require_double_opt_in=self.double_opt_in,
        )

    @property
    def policy(self) -> PolicySettings:
        return PolicySettings(default_jurisdiction=self.default)


def _variant(rnd: random.Random, address: str) -> str:
    """The same subject as it may appear in an audience: blanks, domain case."""
    local, _, domain = address.rpartition("@")
    domain = rnd.choice([domain, domain.upper(), domain.title()])
    pad = rnd.choice(["", "", " ", "\t", "  "])
    return f"{pad}{local}@{domain}{rnd.choice(['', ' '])}"


def _moment(rnd: random.Random, days: int = 1000) -> datetime:
    return EPOCH + timedelta(days=rnd.randint(0, days), seconds=rnd.randint(0, 86399))


def random_event(rnd: random.Random) -> Event:
    kind = rnd.choice(EVENTS)
    return Event(
        address=rnd.choice(POOL),
        type=kind,
        at=_moment(rnd),
        country=rnd.choice(LEDGER_COUNTRIES),
        product=rnd.choice(PRODUCTS) if kind == "purchase" else None,
        refusal_offered=kind == "purchase" and rnd.random() < 0.7,
        topic=rnd.choice(TOPICS) if kind in TOPICAL else None,
    )


def random_campaign(rnd: random.Random, *, events: int = 32, rows: int = 16) -> Campaign:
    audience: list[tuple[str, str]] = []
    for _ in range(rnd.randint(1, rows)):
        roll = rnd.random()
        if roll < 0.15:
            address = rnd.choice(INVALID)
        elif roll < 0.25 and audience:
            address = rnd.choice(audience)[0]  # an exact duplicate
        else:
            address = _variant(rnd, rnd.choice(POOL))
        audience.append((address, rnd.choice(AUDIENCE_COUNTRIES)))
    return Campaign(
        events=[random_event(rnd) for _ in range(rnd.randint(8, events))],
        rows=audience,
        at=_moment(rnd, 1100),
        product=rnd.choice(PRODUCTS),
        default=rnd.choice(DEFAULTS),
        double_opt_in=rnd.random() < 0.3,
        hash_only=rnd.random() < 0.3,
        latin1={i for i in range(len(audience)) if rnd.random() < 0.2},
        snapshot_days=rnd.choice([None, None, 0, 30, 400]),
        topic=rnd.choice([None, None, "newsletter"]),
    )


def build_ledger(campaign: Campaign, url: str) -> LedgerSettings:
    """Record the campaign's events in a new ledger at `url`; return its settings."""
    settings = campaign.ledger_settings.model_copy(update={"database_url": url})
    with Ledger.open(url, settings=settings) as ledger:
        for e in campaign.events:
            ledger.record(
                e.address,
                e.type,
                at=e.at,
                country=e.country,
                product=e.product,
                refusal_offered=e.refusal_offered,
                topic=e.topic,
            )
    return settings


def csv_bytes(campaign: Campaign, *, newline: str = "\n") -> bytes:
    """The audience as CSV: UTF-8, except the rows the campaign writes in Windows-1252."""
    out = [b"email,country"]
    for index, row in enumerate(campaign.rows):
        text = io.StringIO()
        csv.writer(text, lineterminator="").writerow(row)
        encoding = "cp1252" if index in campaign.latin1 else "utf-8"
        out.append(text.getvalue().encode(encoding, errors="replace"))
    return newline.encode().join(out) + newline.encode()


def write_parquet_audience(campaign: Campaign, path: Path) -> None:
    emails = [address for address, _ in campaign.rows]
    countries = [country or None for _, country in campaign.rows]
    pq.write_table(pa.table({"Email": emails, "country": countries}), path, row_group_size=4)


def gate(
    campaign: Campaign,
    audience: Path,
    out_dir: Path,
    verdict: Verdict,
    *,
    db_url: str | None = None,
    snapshot: Path | None = None,
    ledger: LedgerSettings | None = None,
    engine: str = "duckdb",
    message: Path = CAMPAIGN,
) -> GateReport:
    request = GateRequest(
        message=message,
        audience=audience,
        out_dir=out_dir,
        at=campaign.at,
        product=campaign.product,
        topic=campaign.topic,
        db_url=db_url,
        snapshot=snapshot,
        engine=engine,
        policy=campaign.policy,
        ledger=ledger or campaign.ledger_settings,
    )
    return run_gate(request, classify=lambda _message: verdict)


def read_outputs(out_dir: Path) -> dict[str, object]:
    """Everything a run wrote, in comparable form (Parquet: column names, types and rows)."""
    found: dict[str, object] = {}
    for name in ("send", "suppressed"):
        table = pq.read_table(out_dir / f"{name}.parquet")
        found[name] = ([(f.name, str(f.type)) for f in table.schema], table.to_pylist())
    found["rejected"] = (out_dir / "rejected.csv").read_bytes()
    return found


def rejected_rows(out_dir: Path) -> list[dict[str, str]]:
    with (out_dir / "rejected.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
