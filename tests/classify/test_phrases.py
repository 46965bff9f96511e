"""The phrase language: what each piece of syntax matches, and that matching never fails."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.classify.matching import load_morphology
from maysend.classify.phrases import PhraseIndex, compile_phrase
from maysend.classify.text import span_of, token_bounds, tokens
from maysend.errors import ConfigError

CASES = [
    ("discount*", "Discounted prices", True),
    ("discount*", "a disco", False),
    ("*rabatt", "Sommerrabatt für alle", True),
    ("*rabatt", "Rabattaktion", False),
    ("*angebot*", "Sonderangebote", True),
    ("download [our|the] app", "Download the app", True),
    ("download [our|the] app", "download app", True),
    ("download [our|the] app", "download my app", False),
    ("download ~2 app", "download our new app", True),
    ("download ~2 app", "download our shiny new app", False),
    ("# % off", "Get 20 % off", True),
    ("# % off", "Get 20% off", True),
    ("0 % finance", "0% finance", True),
    ("0 % finance", "19% finance", False),
    ("(check out|browse) our range", "Check out our range", True),
    ("(check out|browse) our range", "browse our range", True),
    ("pre-order now", "Pre-order now", True),
    ("grüße", "Viele Grüsse", True),
    ("don't miss", "Don’t miss", True),
    ("★ ★ ★", "★★★★★", True),
    # `#` inside a group's option of several words is a number too
    ("(ab # €|gratis)", "ab 50 € im Warenkorb", True),
    ("(ab # €|gratis)", "ab € 50", False),
    ("(for # days|today)", "for 14 days only", True),
    ("(for # days|today)", "for days", False),
]


@pytest.mark.parametrize(
    ("phrase", "text", "expected"), CASES, ids=[c[0] + "|" + c[1] for c in CASES]
)
def test_phrase_syntax(phrase: str, text: str, expected: bool) -> None:
    index = PhraseIndex(list(compile_phrase(phrase)))
    assert bool(index.find(tokens(text))) is expected


@pytest.mark.parametrize(
    "bad",
    [
        "~ app",
        "app ~",
        "~99 app",
        "(open group",
        "[]",
        "...",
        "(*# days|today)",
        "(save #*|x)",
        "costs? less",
        "(a|b)? c",
        "(you|your ~2) better",
    ],
)
def test_malformed_phrases_say_so(bad: str) -> None:
    with pytest.raises(ConfigError):
        compile_phrase(bad)


def test_span_quotes_the_exact_text() -> None:
    text = "Hello — get 20% OFF today!"
    index = PhraseIndex(list(compile_phrase("# % off")))
    [(_, first, last)] = index.find(tokens(text))
    assert span_of(text, first, last) == "20% OFF"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.integers(0, 40), st.integers(0, 40))
def test_spans_from_bounds_found_once_quote_the_same_tokens(text: str, a: int, b: int) -> None:
    first, last = min(a, b), max(a, b)
    bounds = token_bounds(text)
    quoted = span_of(text, first, last, bounds)
    assert quoted == span_of(text, first, last)
    if last < len(bounds):
        assert tokens(quoted) == tokens(text)[first : last + 1]
    else:
        assert quoted == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_matching_any_text_never_fails(text: str) -> None:
    index = PhraseIndex([p for s in ("get ~3 off", "*rabatt*", "# %") for p in compile_phrase(s)])
    for pid, first, last in index.find(tokens(text)):
        assert 0 <= first <= last < len(tokens(text))
        assert pid in range(len(index.phrases))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([c for c in CASES if c[2]]))
def test_matching_ignores_case(case: tuple[str, str, bool]) -> None:
    phrase, text, _ = case
    index = PhraseIndex(list(compile_phrase(phrase)))
    assert index.find(tokens(text.upper()))


GERMAN = [
    ("sonderpreis", "Fliegen Sie zu Sonderpreisen", True),
    ("exklusiv ~1 angebot", "exklusiven Angeboten", True),
    ("rabatt", "alle Rabatte", True),
    ("sale", "Flugsale: Europa ab CHF 59", True),
    ("bonus ~3 einlösen", "Reparaturbonus in der Filiale einlösen", True),
    ("aktion", "Ihre Transaktion wurde ausgeführt", False),
    ("aktion", "Ihre Transaktionen", False),
    ("gutschein", "Erstattungsgutschein", False),
    ("ab", "aber", False),  # short words stay exact
    ("sonderpreis", "Sonderpreisliste", False),  # an ending, not any continuation
]


@pytest.mark.parametrize(
    ("phrase", "text", "expected"), GERMAN, ids=[c[0] + "|" + c[1] for c in GERMAN]
)
def test_german_inflection_and_compounds(phrase: str, text: str, expected: bool) -> None:
    german = load_morphology()["de"]
    index = PhraseIndex(list(compile_phrase(phrase, german)), german)
    assert bool(index.find(tokens(text))) is expected


def test_morphology_applies_only_to_the_language_that_declares_it() -> None:
    german = load_morphology()["de"]
    index = PhraseIndex(list(compile_phrase("offer")), german)
    assert not index.find(tokens("offers"))


def test_determiners_keep_the_form_they_are_written_in() -> None:
    german = load_morphology()["de"]
    index = PhraseIndex(list(compile_phrase("unsere angebote", german)), german)
    assert index.find(tokens("unsere Angeboten"))
    assert not index.find(tokens("die Eckdaten unseres Angebots"))


_ORDER_PHRASES = [
    "your ~2 order ~3 (discount|offer)",
    "(your|our) new ~1 app",
    "download [our|the] ~2 app",
    "get # % off your ~1 order",
    "order ~4 sale*",
    "*rabatt ~2 (your|ihre) bestellung",
    "your order",
    "sale",
]
_ORDER_WORDS = [
    "your", "order", "our", "new", "app", "download", "the", "get", "5", "%", "off",
    "discount", "offer", "sales", "sommerrabatt", "ihre", "bestellung", "x",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_ORDER_WORDS), max_size=30),
    st.dictionaries(st.sampled_from(_ORDER_WORDS), st.integers(0, 10_000), max_size=12),
)
def test_word_frequencies_change_the_order_of_work_not_the_matches(
    words: list[str], frequency: dict[str, int]
) -> None:
    """Anchoring phrases on their rarest word (from the corpus's word frequencies) must
    find exactly what anchoring on the longest word finds."""
    phrases = [p for source in _ORDER_PHRASES for p in compile_phrase(source)]
    plain, ranked = PhraseIndex(phrases), PhraseIndex(phrases, None, frequency)
    assert sorted(ranked.find(words)) == sorted(plain.find(words))


def test_the_shipped_word_frequencies_load() -> None:
    from maysend.classify import frequency
    from maysend.classify.engine import shipped_model_path

    words = frequency.load(frequency.beside(shipped_model_path()))
    assert len(words) > 1000
    assert words["your"] > words.get("sommerrabatt", 0)
    assert words["#"] >= words["your"]  # every number is the word "#", and most mail has one
