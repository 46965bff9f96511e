"""Build verdicts, consent states and messages directly, so policy tests do not
depend on the classifier's or the ledger's implementation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from maysend.classify.verdict import (
    Category,
    Evidence,
    Kind,
    PrimaryPurpose,
    ServiceBasis,
    Verdict,
)
from maysend.ledger.state import ConsentState, EventRef, EventType, Relationship, Status
from maysend.message.model import (
    Address,
    Block,
    BlockKind,
    Headers,
    Link,
    LinkKind,
    Message,
    Region,
)
from maysend.policy import PolicyConfig, load_policy
from maysend.settings import PolicySettings

DATA = Path(__file__).parent / "data"
AT = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)  # a Monday
SHOP = ("Example Shop", "news@example.com")


def ago(days: float) -> datetime:
    return AT - timedelta(days=days)


def config(
    default: str = "UK", product: str | None = "broadband", *, bulk: bool = True, **extra: object
) -> PolicyConfig:
    fields: dict[str, object] = {"organisation_domains": ["example.com"], **extra}
    settings = PolicySettings(
        default_jurisdiction=default,
        bulk_sender=bulk,
        **fields,  # type: ignore[arg-type]
    )
    return load_policy(settings, product=product)


def marketing(
    *categories: Category, purpose: PrimaryPurpose = PrimaryPurpose.COMMERCIAL
) -> Verdict:
    return placed(*((c, "body:0") for c in categories), purpose=purpose)


def placed(
    *hits: tuple[Category, str], purpose: PrimaryPurpose = PrimaryPurpose.COMMERCIAL
) -> Verdict:
    """A marketing verdict whose evidence sits in named places (`body:2`, `subject`)."""
    evidence = tuple(Evidence(c.name, c, c.value, where, 1.0) for c, where in hits)
    return Verdict(Kind.MARKETING, 0.97, "en", purpose, evidence)


def service(
    basis: ServiceBasis = ServiceBasis.ACCOUNT_SECURITY,
    *categories: Category,
    kind: Kind = Kind.SERVICE,
) -> Verdict:
    evidence: tuple[Evidence, ...] = (
        Evidence("SERVICE", Category.SERVICE, "notice", "body:0", -1.0),
    )
    evidence += tuple(Evidence(c.name, c, c.value, "body:1", 0.4) for c in categories)
    return Verdict(kind, 0.05, "en", PrimaryPurpose.TRANSACTIONAL, evidence, service_basis=basis)


def gap() -> Verdict:
    return Verdict(
        Kind.MARKETING, 0.5, "unknown", PrimaryPurpose.COMMERCIAL, gap="language unsupported"
    )


def ref(event_id: int, kind: EventType, days_ago: float) -> EventRef:
    return EventRef(event_id, kind, ago(days_ago), source="test")


def state(
    status: Status = Status.NONE,
    *,
    consent: float | None = None,
    confirmed: float | None = None,
    opt_out: tuple[EventType, float] | None = None,
    purchase: float | None = None,
    product: str | None = "broadband",
    refusal_offered: bool = True,
    inquiry: float | None = None,
    country: str | None = None,
) -> ConsentState:
    """A state as the ledger would answer it at AT; times are days before AT."""
    return ConsentState(
        subject="someone@example.org",
        channel="email",
        purpose="marketing",
        topic=None,
        status=status,
        as_of=AT,
        consent=ref(1, EventType.CONSENT, consent) if consent is not None else None,
        confirmed=ref(2, EventType.CONFIRM, confirmed) if confirmed is not None else None,
        opt_out=ref(3, opt_out[0], opt_out[1]) if opt_out else None,
        last_purchase=Relationship(ref(4, EventType.PURCHASE, purchase), product, refusal_offered)
        if purchase is not None
        else None,
        last_inquiry=ref(5, EventType.INQUIRY, inquiry) if inquiry is not None else None,
        country=country,
    )


FOOTER = (
    "Advertisement from Example Shop.",
    "You may object to this use of your address at any time. "
    "Sie können der Verwendung jederzeit widersprechen.",
    "Example Shop Inc., 100 Main Street, Springfield, IL 62701. Call 1-800-555-0199.",
)


def message(
    *,
    sender: tuple[str, str] | None = SHOP,
    subject: str = "Spring sale: 20% off broadband",
    list_unsubscribe: str = "<mailto:unsub@example.com>, <https://example.com/u/t0k3n>",
    one_click: bool = True,
    unsubscribe_link: bool = True,
    footer: tuple[str, ...] = FOOTER,
) -> Message:
    """A marketing message that meets every jurisdiction's requirements unless told otherwise."""
    headers = Headers(
        from_=Address(sender[1], sender[0]) if sender else None,
        subject=subject,
        list_unsubscribe=list_unsubscribe,
        list_unsubscribe_post="List-Unsubscribe=One-Click" if one_click else "",
    )
    blocks = [Block(0, BlockKind.PARAGRAPH, "Get 20% off faster broadband this spring.")]
    blocks += [Block(i + 1, BlockKind.TEXT, t, Region.FOOTER) for i, t in enumerate(footer)]
    links = (
        Link("https://example.com/u/t0k3n", "Unsubscribe", "example.com", LinkKind.UNSUBSCRIBE),
    )
    return Message(headers, tuple(blocks), links if unsubscribe_link else ())
