"""Policy data layering (local.d merges, override.d replaces) and clear errors for bad data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import maysend.policy
from maysend.classify.verdict import Category
from maysend.errors import ConfigError
from maysend.policy import Recipient, decide, reason_codes, required_windows

from .factory import AT, config, marketing, message, state


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root


FRANCE = """
code: FR
name: France (CPCE L.34-5)
countries: [FR]
strictness: 3
marketing: {test: kind, code: FR_PROSPECTION, rule: prospection directe, citation: CPCE L.34-5}
service: {code: SERVICE_MESSAGE, rule: service message, citation: CPCE L.34-5}
opted_out: {code: OPTED_OUT, rule: opposition, citation: CPCE L.34-5}
no_basis: {code: FR_NO_CONSENT, rule: no consent, citation: CPCE L.34-5}
routes:
  - {type: consent, code: FR_CONSENT, rule: prior consent, citation: CPCE L.34-5}
"""


def test_local_d_adds_a_jurisdiction(tmp_path: Path) -> None:
    policy = config(config_dir=write(tmp_path, "local.d/jurisdictions/fr.yaml", FRANCE))
    recipient = Recipient("a@example.fr", "FR", state())
    decision = decide(message(), marketing(Category.OFFER), recipient, AT, config=policy)
    assert (decision.jurisdiction, decision.code) == ("FR", "FR_NO_CONSENT")
    assert "FR_CONSENT" in reason_codes(policy)


def test_local_d_changes_a_window(tmp_path: Path) -> None:
    layer = "windows:\n  casl_purchase:\n    days: 365\n"
    policy = config(config_dir=write(tmp_path, "local.d/jurisdictions/ca.yaml", layer))
    assert required_windows(policy)["casl_purchase"].days == 365
    assert required_windows(config())["casl_purchase"].days == 730


def test_override_d_replaces_the_file(tmp_path: Path) -> None:
    root = write(tmp_path, "override.d/jurisdictions/uk.yaml", FRANCE.replace("FR", "UK"))
    policy = config(config_dir=root)
    assert policy.jurisdiction("UK").name == "France (CPCE L.34-5)"
    assert policy.version != config().version


BAD = [
    ("unknown key (a typo) in a rule", "jurisdictions/uk.yaml", "no_bassis: {}\n", "no_bassis"),
    (
        "unknown check",
        "jurisdictions/us.yaml",
        "requirements:\n  - {check: nonsense, code: X, citation: Y, severity: block,"
        " description: Z}\n",
        "unknown check",
    ),
    (
        "route naming an undeclared window",
        "jurisdictions/ca.yaml",
        "routes:\n  - {code: CASL_IMPLIED_INQUIRY, window: nowhere}\n",
        "unknown window",
    ),
    (
        "invalid regular expression",
        "patterns.yaml",
        "phone:\n  patterns: ['(']\n",
        "invalid pattern",
    ),
    ("malformed YAML", "products.yaml", "similar: [\n", "cannot read"),
]


@pytest.mark.parametrize(
    ("relative", "text", "message_part"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_data_is_a_config_error(
    tmp_path: Path, relative: str, text: str, message_part: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message_part)):
        config(config_dir=write(tmp_path, f"local.d/{relative}", text))


def test_unknown_default_jurisdiction_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="default jurisdiction"):
        config("FR")


def test_codes_named_in_the_docs_exist() -> None:
    """The package docstring promises these codes to the gate's author."""
    doc = maysend.policy.__doc__ or ""
    named = set(re.findall(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b", doc))
    named -= set(maysend.policy.__all__)  # constants of the public surface, not codes
    assert named
    assert named <= reason_codes(config())


def test_public_surface_exists() -> None:
    assert all(hasattr(maysend.policy, name) for name in maysend.policy.__all__)
