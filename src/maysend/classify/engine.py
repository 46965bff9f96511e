"""The classifier: a message in, a Verdict that explains itself out.

Build one `Classifier` per process and call `classify` per message: the
indicators compile, the model and the language detector load, once.

On a gap (no trustworthy verdict: nothing readable, or an unsupported language
with no promotional evidence) the kind is marketing, so that a caller that
ignores `gap` still fails closed; `gap` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from maysend.classify import frequency
from maysend.classify.blockmodel import BlockModel, sigmoid
from maysend.classify.decision import (
    DecisionRules,
    load_decision_rules,
    primary_purpose,
    promotional_weight,
    red_flagged,
    service_basis,
)
from maysend.classify.indicators import Where, load_indicators
from maysend.classify.language import UNKNOWN, LanguageReader, language_reader
from maysend.classify.matching import Hit, Matcher
from maysend.classify.segments import Segment, Segments, segments_of
from maysend.classify.settings import ClassifierSettings
from maysend.classify.text import tokens
from maysend.classify.verdict import PROMOTIONAL, Category, Evidence, Kind, Verdict
from maysend.errors import ClassifierError
from maysend.message.model import Message

_SAMPLE_TOKENS = 120  # tokens whose function words may settle the language without lingua


def shipped_model_path() -> Path:
    return Path(str(resources.files("maysend.classify") / "model" / "model.joblib"))


@dataclass(frozen=True, slots=True)
class MessageReading:
    """What the rules found, and the blocks the model reads (training uses this too)."""

    segments: Segments
    tokens: tuple[list[str], ...]  # per segment
    hits: tuple[Hit, ...]
    units: tuple[int, ...]  # indexes of segments the model reads


class BlockScore(NamedTuple):
    """The model's reading of one block (a tuple: built once per block of every message)."""

    segment: Segment
    logit: float
    probability: float


def is_quoted(text: str) -> bool:
    """A block quoted from the message being answered ("> ..." lines in a reply).

    Those are the recipient's own words, not what the sender says, so the model does not
    read them; the indicators still do (a promotion hidden in a fake quote is still found).
    """
    return text.lstrip().startswith(">")


def _service_only(hits: tuple[Hit, ...]) -> frozenset[str]:
    """The blocks whose rule hits all name a service purpose (none promotes, none flags)."""
    service: set[str] = set()
    other: set[str] = set()
    for hit in hits:
        (service if hit.indicator.basis is not None else other).add(hit.segment.where)
    return frozenset(service - other)


def _neutralised(hits: tuple[Hit, ...]) -> frozenset[str]:
    """The blocks whose promotional hits all weigh 0: a `context` elsewhere in the message
    has lowered them (a survey request beside the marks of genuine research, GENUINE_SURVEY
    in rules/en/flags.yaml; a weight-0 indicator outside its context is dropped before).

    The model has learnt such words from marketing messages, where they are one more push;
    here the rules have read the block as neutral in its message, so the model's reading of
    the same words is not evidence either. A block that also promotes is not skipped."""
    lowered: set[str] = set()
    other: set[str] = set()
    for hit in hits:
        if hit.indicator.category in PROMOTIONAL:
            (lowered if hit.indicator.weight == 0 else other).add(hit.segment.where)
    return frozenset(lowered - other)


class Classifier:
    """Indicators, decision rules, language detector and model, loaded once."""

    def __init__(
        self,
        settings: ClassifierSettings | None = None,
        *,
        model: BlockModel | None = None,
        rules_only: bool = False,
    ) -> None:
        self.settings = settings or ClassifierSettings()
        config_dir = self.settings.config_dir
        self.indicators = load_indicators(config_dir)
        model_path = self.settings.model_path or shipped_model_path()
        self.matcher = Matcher(self.indicators, frequency.load(frequency.beside(model_path)))
        self.rules: DecisionRules = load_decision_rules(config_dir)
        self.model = model if model is not None or rules_only else self._load_model()
        self.scorer = self.model.scorer() if self.model else None
        self.languages: LanguageReader = language_reader()
        self.version = self.model.version if self.model else "rules-only"

    def _load_model(self) -> BlockModel:
        path = self.settings.model_path or shipped_model_path()
        if not path.is_file():
            raise ClassifierError("no trained model; run `maysend train`", path=str(path))
        return BlockModel.load(path)

    def read(self, message: Message) -> MessageReading:
        segments = segments_of(message, self.rules.budget_chars)
        cut = tuple(tokens(s.text) if s.text else [] for s in segments.items)
        reading = self.matcher.read(segments.items, list(cut))
        units = tuple(
            i
            for i, s in enumerate(segments.items)
            if cut[i]
            and s.part is not Where.FOOTER
            and s.where not in reading.boilerplate
            and not is_quoted(s.text)
        )
        return MessageReading(segments, cut, reading.hits, units)

    def block_scores(self, reading: MessageReading) -> list[BlockScore]:
        if self.scorer is None:
            return []
        scores = []
        for i in reading.units:
            logit = self.scorer.logit(reading.tokens[i])
            if logit is not None:
                scores.append(BlockScore(reading.segments.items[i], logit, sigmoid(logit)))
        return scores

    def classify(self, message: Message) -> Verdict:
        if self.model is None:
            raise ClassifierError("this classifier was built without a model (rules only)")
        reading = self.read(message)
        scores = self.block_scores(reading)
        language, flags = self._language(message, reading)
        neutral = _neutralised(reading.hits)
        if neutral:
            scores = [s for s in scores if s.segment.where not in neutral]
        evidence = self._evidence(
            reading.hits, scores, self._threshold(reading, scores), _service_only(reading.hits)
        )
        return self._verdict(message, reading, scores, evidence, language, flags)

    def _language(self, message: Message, reading: MessageReading) -> tuple[str, list[str]]:
        flags: list[str] = []
        items = reading.segments.items
        readable = [
            i for i, s in enumerate(items) if s.part in {Where.SUBJECT, Where.PREHEADER, Where.BODY}
        ]
        sample_tokens = [t for i in readable[:12] for t in reading.tokens[i]][:_SAMPLE_TOKENS]
        language = self.languages.detect([items[i].text for i in readable], sample_tokens)
        if language == UNKNOWN and not any(s.part is Where.BODY for s in items):
            language = self.languages.detect([s.text for s in items])
        body = [reading.tokens[i] for i in readable if items[i].part is Where.BODY]
        if language not in {UNKNOWN, *self.languages.setup.supported}:
            flags.append("LANGUAGE_UNSUPPORTED")
        if self.languages.is_mixed(body):
            flags.append("MIXED_LANGUAGE")
        if reading.segments.truncated or any("truncat" in d.lower() for d in message.defects):
            flags.append("TRUNCATED")
        return language, flags

    def _evidence(
        self,
        hits: tuple[Hit, ...],
        scores: list[BlockScore],
        threshold: float,
        service_only: frozenset[str],
    ) -> list[Evidence]:
        """Rule hits and model-scored blocks as evidence. A block whose own rule hits all
        name a service purpose ("Ihr Paket ist auf dem Weg") needs the model's full
        threshold: the lowered ones (beside weak evidence, a red flag or a second block)
        stand for hints that the message sells, not for this block's service wording."""
        best: dict[tuple[str, str], tuple[int, int, Evidence]] = {}
        for hit in hits:
            key = (hit.indicator.id, hit.segment.where)
            if key not in best or best[key][2].weight < hit.indicator.weight:
                best[key] = (hit.segment.order, hit.position, hit.evidence())
        quote = self.rules.quote_chars
        full = self.model.threshold if self.model is not None else 1.0
        for score in scores:
            needed = max(threshold, full) if score.segment.where in service_only else threshold
            if score.probability >= needed:
                text = score.segment.text
                text = text if len(text) <= quote else text[: quote - 1].rstrip() + "…"
                ev = Evidence(
                    self.rules.model_id,
                    Category.MODEL,
                    text,
                    score.segment.where,
                    round(score.probability, 3),
                )
                best[(ev.indicator, ev.where)] = (score.segment.order, 10**6, ev)
        return [e for _, _, e in sorted(best.values(), key=lambda t: (t[0], t[1]))]

    def _threshold(self, reading: MessageReading, scores: list[BlockScore]) -> float:
        """The block probability at which the model's evidence counts: lower where weak
        promotional evidence or a red flag is already present (see rules/decision.yaml),
        and lower where two blocks reach the pair threshold (a message that promotes
        throughout, though no one block does so enough alone)."""
        if self.model is None:
            return 1.0
        threshold = self.model.threshold
        supported = promotional_weight(reading.hits) >= self.rules.supported_weight
        if supported or red_flagged(reading.hits, self.rules):
            threshold = min(self.model.support_threshold, threshold)
        # distinct texts: a subject repeated as the first line is one piece of evidence
        distinct = {s.segment.text: s.probability for s in scores}
        ranked = sorted(distinct.values(), reverse=True)
        if len(ranked) >= 2 and ranked[1] >= self.model.pair_threshold:
            threshold = min(self.model.pair_threshold, threshold)
        return threshold

    def _verdict(
        self,
        message: Message,
        reading: MessageReading,
        scores: list[BlockScore],
        evidence: list[Evidence],
        language: str,
        flags: list[str],
    ) -> Verdict:
        assert self.model is not None
        rule_weight = promotional_weight(reading.hits)
        model_fired = any(e.category is Category.MODEL for e in evidence)
        flagged = red_flagged(reading.hits, self.rules)
        needed = self.rules.flagged_threshold if flagged else self.rules.marketing_threshold
        is_marketing = model_fired or rule_weight >= needed
        basis = service_basis(reading.hits)
        top_logit = max((s.logit for s in scores), default=self.model.bias)
        score = self.model.calibration.probability(rule_weight, top_logit, basis is not None)
        raised = dict.fromkeys(e.indicator for e in evidence if e.category is Category.FLAG)
        flags[:0] = list(raised)  # red flags such as SERVICE_SELF_LABEL come first
        gap = self._gap(message, reading, flags, is_marketing)
        order = {s.where: s.order for s in reading.segments.items}
        promotional = [(e.where, order[e.where]) for e in evidence if e.category in PROMOTIONAL]
        service = [h.segment.order for h in reading.hits if h.indicator.basis is not None]
        return Verdict(
            kind=Kind.MARKETING if is_marketing or gap else Kind.SERVICE,
            score=score,
            language=language,
            primary_purpose=primary_purpose(promotional, service, is_marketing or gap is not None),
            evidence=tuple(evidence),
            service_basis=basis,
            flags=tuple(flags),
            gap=gap,
            model_version=self.version,
        )

    def _gap(
        self, message: Message, reading: MessageReading, flags: list[str], is_marketing: bool
    ) -> str | None:
        """Why no trustworthy verdict can be given, if so (and the flag that says it)."""
        items = reading.segments.items
        if not any(reading.tokens):
            flags.append("IMAGE_ONLY" if message.images else "NO_TEXT")
            return "no readable text: nothing in the message can be judged"
        has_body = any(
            s.part in {Where.BODY, Where.PREHEADER} and reading.tokens[i]
            for i, s in enumerate(items)
        )
        if not has_body:
            flags.append("IMAGE_ONLY" if message.images else "EMPTY_BODY")
        if is_marketing:
            return None
        if not has_body:
            return "no readable body: the subject and image alt texts cannot show it is service"
        if "LANGUAGE_UNSUPPORTED" in flags:
            return "unsupported language and no promotional indicator: the text could not be read"
        return None


__all__ = ["BlockScore", "Classifier", "MessageReading", "shipped_model_path"]
