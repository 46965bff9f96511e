"""The classifier's settings (env MAYSEND_CLASSIFY_*); command-line options override them."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClassifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAYSEND_CLASSIFY_", protected_namespaces=())

    model_path: Path | None = Field(None, description="Trained model artifact; default: shipped")
    config_dir: Path | None = Field(
        None, description="Directory with local.d/ and override.d/ to add or re-weight indicators"
    )


__all__ = ["ClassifierSettings"]
