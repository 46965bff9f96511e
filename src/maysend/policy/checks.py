"""Message checks: what a marketing message carries, whoever receives it.

Computed once per message (the gate: once per campaign) into a hashable set
of passed check names; the jurisdictions' requirements name these checks.
The text patterns live in patterns.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from maysend.errors import ConfigError
from maysend.message.model import LinkKind, Message

if TYPE_CHECKING:
    from maysend.policy.config import PolicyConfig

LIST_UNSUBSCRIBE_SCHEMES = ("mailto:", "https://", "http://")
ONE_CLICK = "list-unsubscribe=one-click"


@dataclass(frozen=True, slots=True)
class MessageChecks:
    """The checks a message passes; `readable` is False when there is no message."""

    passed: frozenset[str]
    readable: bool = True


UNREADABLE = MessageChecks(frozenset(), readable=False)


@lru_cache(maxsize=64)
def compiled(regexes: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(r, re.IGNORECASE | re.MULTILINE) for r in regexes)
    except re.error as error:
        raise ConfigError(f"invalid pattern in patterns.yaml: {error}") from error


def matches(config: PolicyConfig, group: str, text: str) -> bool:
    return any(p.search(text) for p in compiled(config.pattern_group(group)))


def list_unsubscribe_uris(value: str) -> tuple[str, ...] | None:
    """RFC 2369: one or more <URI>, comma separated; None when malformed."""
    uris = tuple(u.strip() for u in re.findall(r"<([^<>]*)>", value))
    rest = re.sub(r"<[^<>]*>", "", value).replace(",", "").strip()
    if not uris or rest or not all(u.lower().startswith(LIST_UNSUBSCRIBE_SCHEMES) for u in uris):
        return None
    return uris


def texts(message: Message) -> Iterable[str]:
    """Visible text, block by block, then link texts (where footers keep their links)."""
    yield from (b.text for b in message.blocks)
    yield from (f"{link.text} {link.href}" for link in message.links)


def sender_identified(message: Message, config: PolicyConfig) -> bool:
    sender = message.headers.from_
    if sender is None or not sender.display_name.strip():
        return False
    domains = config.organisation_domains
    return not domains or any(
        sender.domain == d or sender.domain.endswith("." + d) for d in domains
    )


def visible_unsubscribe(message: Message, config: PolicyConfig) -> bool:
    if any(link.kind is LinkKind.UNSUBSCRIBE for link in message.links):
        return True
    if any(matches(config, "unsubscribe", f"{link.text} {link.href}") for link in message.links):
        return True
    return any(
        matches(config, "unsubscribe", b.text) and matches(config, "contact_point", b.text)
        for b in message.blocks
    )


def any_text(message: Message, config: PolicyConfig, group: str) -> bool:
    return any(matches(config, group, text) for text in texts(message))


def contact_information(message: Message, config: PolicyConfig) -> bool:
    """CASL regs s.2: a mailing address and a phone number, email or web address."""
    if not any_text(message, config, "postal_address"):
        return False
    return any_text(message, config, "phone") or any_text(message, config, "contact_point")


def header_checks(message: Message) -> set[str]:
    headers = message.headers
    uris = list_unsubscribe_uris(headers.list_unsubscribe)
    passed: set[str] = set()
    if uris:
        passed.add("list_unsubscribe")
        if any(u.lower().startswith("https://") for u in uris):
            passed.add("list_unsubscribe_https")
            if headers.list_unsubscribe_post.strip().lower() == ONE_CLICK:
                passed.add("one_click")
    return passed


CheckFunction = Callable[[Message, "PolicyConfig"], bool]

BODY_CHECKS: dict[str, CheckFunction] = {
    "sender_identity": sender_identified,
    "visible_unsubscribe": visible_unsubscribe,
    "postal_address": lambda m, c: any_text(m, c, "postal_address"),
    "contact_information": contact_information,
    "objection_notice": lambda m, c: any_text(m, c, "objection_notice"),
    "ad_identification": lambda m, c: (
        matches(c, "ad_identification", m.subject) or any_text(m, c, "ad_identification")
    ),
    "honest_subject": lambda m, c: not matches(c, "deceptive_subject", m.subject),
}

PATTERN_GROUPS = frozenset(
    {
        "unsubscribe",
        "contact_point",
        "phone",
        "postal_address",
        "refusal_notice",
        "objection_notice",
        "ad_identification",
        "deceptive_subject",
    }
)
CHECKS = frozenset(
    {*BODY_CHECKS, "list_unsubscribe", "list_unsubscribe_https", "one_click"}
    | {"opt_out_address", "refusal_notice"}
)


@lru_cache(maxsize=4)  # a few messages at a time; large ones are not kept many at once
def check_message(message: Message | None, config: PolicyConfig) -> MessageChecks:
    """Run every check once; the policy later picks the ones a jurisdiction requires.

    Cached: deciding one message for many recipients checks it once.
    """
    if message is None:
        return UNREADABLE
    passed = header_checks(message)
    passed |= {name for name, check in BODY_CHECKS.items() if check(message, config)}
    if "list_unsubscribe" in passed or "visible_unsubscribe" in passed:
        passed.add("opt_out_address")  # PECR reg 23(b), UWG §7(2) Nr. 3: any valid address
    if "visible_unsubscribe" in passed or any_text(message, config, "refusal_notice"):
        passed.add("refusal_notice")
    return MessageChecks(frozenset(passed))


__all__ = ["CHECKS", "UNREADABLE", "MessageChecks", "check_message"]
