"""Settings, one pydantic-settings class per area, read from MAYSEND_* variables.

Command-line options override these; nothing else reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MessageSettings(BaseSettings):
    """Limits that keep the parser from being made to crash or hang."""

    model_config = SettingsConfigDict(env_prefix="MAYSEND_MESSAGE_")

    max_size: int = Field(25 * 1024 * 1024, description="Largest raw message accepted, bytes")
    max_html_nodes: int = Field(200_000, description="HTML nodes walked before truncating")
    max_html_depth: int = Field(256, description="Nesting depth past which HTML is flattened")
    max_text_chars: int = Field(2_000_000, description="Visible text kept per message")
    max_decode_size: int = Field(
        5 * 1024 * 1024, description="Attachments larger than this are sized, not decoded"
    )


class LedgerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAYSEND_")

    database_url: str = Field("sqlite:///maysend.db", description="The consent ledger's store")
    hash_secret: str | None = Field(
        None, description="HMAC key for storing subjects as keyed hashes (MAYSEND_HASH_SECRET)"
    )
    require_double_opt_in: bool = Field(
        False, description="Consent counts only once confirmed (double opt-in)"
    )


class PolicySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAYSEND_POLICY_")

    default_jurisdiction: str = Field("UK", description="UK, DE, US, CA, or 'strictest'")
    organisation_domains: list[str] = Field(default_factory=list)
    bulk_sender: bool = Field(True, description="Apply the mailbox-provider bulk-sender profile")
    config_dir: Path | None = Field(None, description="local.d / override.d for jurisdictions")


__all__ = ["LedgerSettings", "MessageSettings", "PolicySettings"]
