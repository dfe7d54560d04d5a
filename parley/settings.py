"""One typed settings object: defaults from `config/parley.yaml`, overrides from `PARLEY_*`.

Secrets (IMAP and SMTP passwords, the Twilio auth token) are read only from the environment;
a secret found in the YAML file is refused so it can never be committed by accident.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = REPO_ROOT / "config" / "parley.yaml"
SECRET_FIELDS = frozenset({"imap_password", "smtp_password", "twilio_auth_token", "llm_api_key"})


class SettingsError(Exception):
    """The configuration cannot be used; the message says which value to fix and where."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""

    imap_host: str = ""
    imap_port: int = 993
    imap_user: str = ""
    imap_password: str = ""
    imap_ssl: bool = True
    imap_folder: str = "INBOX"
    imap_processed_folder: str = ""
    imap_poll_interval: float = 30.0
    imap_idle_timeout: float = 600.0

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_tls: bool = False
    from_address: str = "collections@parley.invalid"
    reply_to: str = ""

    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_api_base: str = ""

    public_url: str = "http://127.0.0.1:8080"
    http_host: str = "127.0.0.1"
    http_port: int = 8080

    outbox_max_attempts: int = 8
    outbox_backoff_seconds: list[float] = Field(default_factory=lambda: [1.0, 5.0, 30.0, 120.0])
    worker_poll_interval: float = 0.2

    kb_enabled: bool = True
    """False: no knowledge base, so information requests go to a person."""
    kb_dir: Path = REPO_ROOT / "knowledge_base"

    llm_base_url: str = ""
    """An OpenAI-compatible server; empty means no LLM (templates are sent as written)."""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 20.0

    guard: dict[str, Any] = Field(default_factory=dict)
    policy: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'parley.db').resolve()}"

    @property
    def email_enabled(self) -> bool:
        return bool(self.imap_host)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def sms_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the YAML defaults, then let `PARLEY_*` variables and explicit overrides win."""
    path = config_file or DEFAULT_CONFIG_FILE
    file_values: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(loaded, dict):
            raise SettingsError(f"{path}: expected a mapping of settings at the top level")
        file_values = loaded
    leaked = SECRET_FIELDS & {key for key, value in file_values.items() if value}
    if leaked:
        names = ", ".join(f"PARLEY_{name.upper()}" for name in sorted(leaked))
        raise SettingsError(
            f"{path}: secrets must not be stored in configuration files; "
            f"remove them and set {names} in the environment instead"
        )
    try:
        from_env = Settings(**overrides)
        explicit = from_env.model_fields_set
        merged = {**file_values, **{name: getattr(from_env, name) for name in explicit}}
        return Settings.model_validate({**merged, **overrides}) if merged else from_env
    except ValidationError as exc:
        raise SettingsError(f"invalid configuration: {exc}") from exc
