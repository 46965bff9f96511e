"""Run every indicator over a message's segments in one pass per segment.

All phrases of all languages sit in one `PhraseIndex`: German mail quotes
English sales words ("Sale", "Shop now") and mixed-language mail is common, so
every indicator reads every segment. An `unless` phrase in the same segment
cancels its indicator there (e.g. "confirm your subscription" is not a
newsletter push); indicators that share an id across languages are one
concept, so an `unless` of either language cancels both; an `unless_anywhere`
phrase cancels its indicator in every segment of the message. An indicator with
`requires` fires only where one of those phrases occurs in the same segment
("your next order" counts only beside a discount or a code). An indicator with a
`context` takes its `context_weight` when one of those indicators fired anywhere in
the message.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import yaml

from maysend.classify.indicators import Indicator, Role, Where
from maysend.classify.phrases import BARRIER, Morphology, PhraseIndex, compile_phrase
from maysend.classify.segments import Segment
from maysend.classify.text import is_web_address, normalise, span_of, token_bounds, tokens
from maysend.classify.verdict import PROMOTIONAL, Evidence
from maysend.errors import ConfigError

_SHOWS, _UNLESS, _REQUIRES = "phrases", "unless", "requires"
_ANYWHERE = "unless_anywhere"


def load_morphology() -> dict[str, Morphology]:
    """rules/morphology.yaml: per language, the endings and compound heads phrases cover."""
    path = resources.files("maysend.classify") / "rules" / "morphology.yaml"
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {
            str(lang): Morphology(
                endings=tuple(str(e) for e in entry.get("endings", ())),
                min_stem=int(entry.get("min_stem", 4)),
                heads=frozenset(normalise(str(h)) for h in entry.get("heads", ())),
                not_compounds=tuple(normalise(str(w)) for w in entry.get("not_compounds", ())),
                exact=frozenset(normalise(str(w)) for w in entry.get("exact", ())),
            )
            for lang, entry in data.items()
        }
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as error:
        raise ConfigError(f"cannot read morphology.yaml: {error}", file=str(path)) from error


def _merged(morphologies: dict[str, Morphology]) -> Morphology | None:
    """One token-side morphology for the shared index (text is read in every language)."""
    if not morphologies:
        return None
    every = list(morphologies.values())
    return Morphology(
        endings=tuple(sorted({e for m in every for e in m.endings})),
        min_stem=min(m.min_stem for m in every),
        heads=frozenset().union(*(m.heads for m in every)),
        not_compounds=tuple(sorted({w for m in every for w in m.not_compounds})),
    )


@dataclass(frozen=True, slots=True)
class Hit:
    """An indicator that fired in a segment, before weighting."""

    indicator: Indicator
    segment: Segment
    text: str
    position: int  # token index in the segment

    def evidence(self) -> Evidence:
        i = self.indicator
        return Evidence(i.id, i.category, self.text, self.segment.where, i.weight)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the indicators found in one message."""

    hits: tuple[Hit, ...]
    boilerplate: frozenset[str]  # `where` of segments that are legal/unsubscribe text


class Matcher:
    """Indicators compiled once; `read(segments)` per message. `frequency`: the training
    corpus's word frequencies, which order the work and not its result (`PhraseIndex`)."""

    def __init__(
        self, indicators: tuple[Indicator, ...], frequency: Mapping[str, int] | None = None
    ) -> None:
        self.indicators = indicators
        phrases = []
        self._owner: list[tuple[int, str]] = []  # phrase id -> (indicator, role)
        morphologies = load_morphology()
        for n, indicator in enumerate(indicators):
            morphology = morphologies.get(indicator.lang)
            for role in (_SHOWS, _UNLESS, _ANYWHERE, _REQUIRES):
                for source in getattr(indicator, role):
                    for phrase in compile_phrase(source, morphology):
                        phrases.append(phrase)
                        self._owner.append((n, role))
        self._index = PhraseIndex(phrases, _merged(morphologies), frequency)
        self._by_link = [
            (n, i) for n, i in enumerate(indicators) if i.links and Where.LINK in i.where
        ]

    def read(
        self,
        segments: tuple[Segment, ...],
        raw_tokens: list[list[str]] | None = None,
        *,
        include_boilerplate: bool = False,
    ) -> Reading:
        """Hits in `segments`; `raw_tokens[i]` are segment i's tokens if already cut."""
        cut = raw_tokens if raw_tokens is not None else [tokens(s.text) for s in segments]
        joined: list[str] = []
        starts: list[int] = []
        for n, words in enumerate(cut):
            starts.append(len(joined))
            joined.extend(words)
            if not _is_label(segments, cut, n):
                joined.append(BARRIER)
        per_segment: list[list[tuple[int, int, int]]] = [[] for _ in segments]
        for pid, first, last in self._index.find(joined):
            n = bisect_right(starts, first) - 1
            per_segment[n].append((pid, first - starts[n], last - starts[n]))
            if self._owner[pid][1] == _UNLESS:
                # An `unless` that spans a table row also belongs where it ends, so a row
                # label ("Rate", "Händler:") can show that the value after it is neutral.
                end = bisect_right(starts, last) - 1
                if end != n:
                    per_segment[end].append((pid, first - starts[end], last - starts[end]))
        hits: list[Hit] = []
        boilerplate: set[str] = set()
        # ids an earlier `unless` covers (`unless_carries`), from the start those an
        # `unless_anywhere` cancels in the whole message
        carried: set[str] = {
            self.indicators[self._owner[pid][0]].id
            for found_here in per_segment
            for pid, _, _ in found_here
            if self._owner[pid][1] == _ANYWHERE
        }
        for segment, found_here in zip(segments, per_segment, strict=True):
            if not found_here and segment.link_kind is None:
                continue
            for hit in self._judge(segment, found_here, carried):
                if hit.indicator.role is Role.BOILERPLATE:
                    boilerplate.add(segment.where)
                if hit.indicator.role is Role.EVIDENCE or include_boilerplate:
                    hits.append(hit)
        return Reading(_in_context(hits), frozenset(boilerplate))

    def _is_boilerplate(self, owner: int) -> bool:
        return self.indicators[owner].role is Role.BOILERPLATE

    def _judge(
        self, segment: Segment, found: list[tuple[int, int, int]], carried: set[str]
    ) -> list[Hit]:
        """The hits of one segment from its phrase matches (`unless`, `requires`, where);
        adds to `carried` the ids whose `unless` here covers the segments after it."""
        first: dict[int, tuple[int, int]] = {}
        cancelled: set[str] = set(carried)
        supported: set[int] = set()
        for pid, start, end in found:
            owner, role = self._owner[pid]
            if role == _UNLESS:
                cancelled.add(self.indicators[owner].id)
                if self.indicators[owner].unless_carries:
                    carried.add(self.indicators[owner].id)
            elif role == _REQUIRES:
                supported.add(owner)
            elif role == _ANYWHERE:
                continue  # already in `carried`: it covers every segment
            elif owner not in first or start < first[owner][0]:
                first[owner] = (start, end)
        promotes = any(
            self.indicators[o].category in PROMOTIONAL and Where.FOOTER in self.indicators[o].where
            for o in first
            if self.indicators[o].id not in cancelled
        )
        boilerplate = any(self._is_boilerplate(o) for o in first)
        part = _effective_part(segment, boilerplate and not promotes)
        out = []
        bounds: list[tuple[int, int]] | None = None
        for owner, (start, end) in first.items():
            indicator = self.indicators[owner]
            if indicator.id in cancelled or not _placed(part, segment, indicator.where):
                continue
            if indicator.requires and owner not in supported:
                continue
            bounds = bounds if bounds is not None else token_bounds(segment.text)
            out.append(Hit(indicator, segment, span_of(segment.text, start, end, bounds), start))
        if segment.link_kind is not None:
            for owner, indicator in self._by_link:
                if (
                    segment.link_kind in indicator.links
                    and owner not in first
                    and indicator.id not in cancelled
                ):
                    text = segment.text or segment.href
                    out.append(Hit(indicator, segment, text, 0))
        return out


_LABEL_TOKENS = 3
_SENTENCE_END = (".", "!", "?")


def _is_label(segments: tuple[Segment, ...], cut: list[list[str]], n: int) -> bool:
    """A table row read as one: a few words without a number or a sentence end followed by
    another body block ("Rate" | "Flash Sale, non-refundable"). A line followed by a block
    that is only an amount ("Free gift: votive" | "$0.00") is one segment already
    (`segments.segments_of`)."""
    if n + 1 >= len(segments) or not cut[n] or not cut[n + 1]:
        return False
    here, after = segments[n], segments[n + 1]
    if here.part is not Where.BODY or after.part is not Where.BODY:
        return False
    if len(cut[n]) > _LABEL_TOKENS or not all(
        word[0].isalpha() and not is_web_address(word) for word in cut[n]
    ):
        return False
    return not here.text.rstrip().endswith(_SENTENCE_END)


def _in_context(hits: list[Hit]) -> tuple[Hit, ...]:
    """Hits whose indicator's `context` fired elsewhere in the message, re-weighted (up
    or down); an indicator of weight 0 with a context fires only there."""
    if not any(h.indicator.context for h in hits):
        return tuple(hits)
    fired = {h.indicator.id for h in hits}
    out = []
    for hit in hits:
        i = hit.indicator
        if i.context_weight is not None:
            if not i.context.isdisjoint(fired):
                hit = replace(hit, indicator=replace(i, weight=i.context_weight))
            elif i.weight == 0:
                continue
        out.append(hit)
    return tuple(out)


def _placed(part: Where, segment: Segment, where: frozenset[Where]) -> bool:
    """Whether an indicator counting in `where` counts in `segment`, read as `part`: a body
    block that is a link's whole anchor counts as a link too (`Segment.is_link`)."""
    return part in where or (segment.is_link and Where.LINK in where)


def _effective_part(segment: Segment, plain_footer: bool) -> Where:
    """The parser's footer is a best guess: a "footer" block is read as a footer only
    when it holds legal or unsubscribe wording and nothing else promotes in it;
    otherwise it is read as body, so promotion cannot hide there."""
    if segment.part is Where.FOOTER and not plain_footer:
        return Where.BODY
    return segment.part


def text_hits(matcher: Matcher, text: str, part: Where = Where.BODY) -> list[Hit]:
    """Indicators (boilerplate included) that fire on one piece of text, as `part`."""
    where = part.value if part in {Where.SUBJECT, Where.PREHEADER} else f"{part.value}:0"
    return list(matcher.read((Segment(where, part, text, 0),), include_boilerplate=True).hits)


__all__ = ["Hit", "Matcher", "Reading", "load_morphology", "text_hits"]
