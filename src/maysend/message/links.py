"""What a link is for: opt-out, app store, social profile, tracking redirect, mailto, web.

The lists live in links.yaml. Classification runs on every link of every message,
so it uses string operations and one precompiled pattern per question instead of
a URL parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from maysend.message.lexicon import any_of, load_data, string_list
from maysend.message.model import Link, LinkKind

_FILE = "links.yaml"


_DESTINATIONS = frozenset({LinkKind.APP_STORE, LinkKind.SOCIAL})
_CACHED_LENGTH = 1024  # longer addresses are not kept in the cache
_NETLOC = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//([^/?#]*)")
_HOST_END = re.compile(r"%2f|%3f|%23|%3a|[/?#&:]")


@dataclass(frozen=True, slots=True)
class LinkLexicon:
    """The compiled lists; everything is matched against lower-cased text."""

    unsubscribe: re.Pattern[str]
    unsubscribe_mailto: re.Pattern[str]
    hosts: dict[str, LinkKind]  # domain -> APP_STORE, SOCIAL or TRACKING (subdomains too)
    tracking_labels: frozenset[str]
    tracking_paths: re.Pattern[str]


@cache
def link_lexicon() -> LinkLexicon:
    data = load_data(_FILE)
    hosts = dict.fromkeys(string_list(data, "tracking_domains", _FILE), LinkKind.TRACKING)
    hosts.update(dict.fromkeys(string_list(data, "social_domains", _FILE), LinkKind.SOCIAL))
    hosts.update(dict.fromkeys(string_list(data, "app_store_domains", _FILE), LinkKind.APP_STORE))
    return LinkLexicon(
        unsubscribe=_literals(string_list(data, "unsubscribe_terms", _FILE)),
        unsubscribe_mailto=_literals(string_list(data, "unsubscribe_mailto_terms", _FILE)),
        hosts=hosts,
        tracking_labels=frozenset(string_list(data, "tracking_host_labels", _FILE)),
        tracking_paths=any_of(string_list(data, "tracking_paths", _FILE), _FILE, flags=0),
    )


def _literals(words: list[str]) -> re.Pattern[str]:
    """One pattern for lower-case literal words (matched against lower-cased text)."""
    return re.compile("|".join(re.escape(word) for word in words))


def split_href(low: str) -> tuple[str, str]:
    """(host, rest) of a lower-cased absolute or scheme-relative URL; ("", low) otherwise."""
    found = _NETLOC.match(low)
    if found is None:
        return "", low
    netloc = found.group(1).rpartition("@")[2]
    host = netloc[1 : netloc.find("]")] if netloc.startswith("[") else netloc.partition(":")[0]
    return host.strip("."), low[found.end() :]


def _host_kind(host: str, hosts: dict[str, LinkKind]) -> LinkKind | None:
    """The kind of the host or of the nearest listed domain it is a subdomain of."""
    while host:
        kind = hosts.get(host)
        if kind is not None:
            return kind
        host = host.partition(".")[2]
    return None


def _forwarded_host(rest: str) -> str:
    """The host a redirect forwards to, when its query carries a full address."""
    start = rest.find("%2f%2f")
    start = start + 6 if start >= 0 else rest.find("//") + 2
    if start < 2:
        return ""
    end = _HOST_END.search(rest, start)
    return rest[start : end.start() if end else len(rest)]


def _mailto_kind(low: str, lexicon: LinkLexicon) -> tuple[str, LinkKind]:
    """A mailto: is an opt-out when its address, subject or body says so."""
    domain = low[7:].partition("?")[0].rpartition("@")[2].strip()
    opt_out = lexicon.unsubscribe_mailto.search(low, 7) is not None
    return domain, LinkKind.UNSUBSCRIBE if opt_out else LinkKind.MAILTO


def _web_kind(host: str, rest: str, lexicon: LinkLexicon) -> LinkKind:
    kind = _host_kind(host, lexicon.hosts)
    if kind is None:
        tracking = host.partition(".")[0] in lexicon.tracking_labels
        if not tracking and lexicon.tracking_paths.search(rest) is None:
            return LinkKind.WEB
    elif kind is not LinkKind.TRACKING:
        return kind
    # A redirect to an app store or a social profile is read as what it leads to.
    target = _host_kind(_forwarded_host(rest), lexicon.hosts)
    return target if target in _DESTINATIONS else LinkKind.TRACKING


def _address_facts(href: str) -> tuple[str, LinkKind]:
    """(domain, kind) from the address alone."""
    lexicon = link_lexicon()
    low = href.lower()
    if low.startswith("mailto:"):
        return _mailto_kind(low, lexicon)
    host, rest = split_href(low)
    if lexicon.unsubscribe.search(low):
        return host, LinkKind.UNSUBSCRIBE
    return host, _web_kind(host, rest, lexicon)


# Newsletters repeat addresses (image, title and button of one item; footer links in
# every issue), so the answer for an address is remembered.
_cached_facts = lru_cache(maxsize=4096)(_address_facts)


def classify_link(href: str, text: str) -> Link:
    """A Link with its domain and kind; an opt-out (by address or anchor text) wins."""
    href = href.strip()
    domain, kind = _cached_facts(href) if len(href) <= _CACHED_LENGTH else _address_facts(href)
    if kind is not LinkKind.UNSUBSCRIBE and link_lexicon().unsubscribe.search(text.lower()):
        kind = LinkKind.UNSUBSCRIBE
    return Link(href=href, text=text, domain=domain, kind=kind)


__all__ = ["LinkLexicon", "classify_link", "link_lexicon", "split_href"]
