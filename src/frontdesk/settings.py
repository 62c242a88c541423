"""One Settings object, read from FRONTDESK_* environment variables (docs/configuration.md)."""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from frontdesk.core.ids import new_secret

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "placeholder", "xxx", "dev"}
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message names the variable to fix."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    environment: Literal["development", "production", "test"] = "production"
    database_url: str = "sqlite+aiosqlite:///./var/frontdesk.db"
    bus_url: str = "memory://"
    redis_namespace: str = "frontdesk"
    secret_key: str = ""
    data_dir: Path = Path("./var")
    public_url: str | None = None
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    sweeper_interval: float = Field(default=1.0, gt=0)
    # Rate limits: login attempts per (IP, email) per minute; visitor messages per 10 seconds.
    login_attempts_per_minute: int = 10
    visitor_messages_per_10s: int = 20
    # Offline messages are emailed to reps through this SMTP server (smtp://, smtps://,
    # smtp+starttls://user:password@host:port). Unset: they stay in the console only.
    smtp_url: str | None = None
    mail_from: str = "Frontdesk <frontdesk@localhost>"
    # Optional external firmographics service: URL template with {ip} and {domain}.
    enrichment_url: str | None = None
    enrichment_token: str | None = None
    # An OpenAI-compatible chat-completions endpoint for AI text (auto pounce greetings).
    # Unset: built-in templates write them.
    ai_url: str | None = None
    ai_model: str = "gpt-4o-mini"
    ai_api_key: str | None = None
    ai_timeout: float = Field(default=2.5, gt=0, le=30)
    # Webhooks and the image proxy refuse loopback and private-network targets unless this
    # is set (for a CRM inside your own network, or for tests).
    allow_private_targets: bool = False
    # How long a rep socket buffers visitor-state changes before sending one batch.
    rep_batch_interval: float = 0.25

    # ---- HTTP and sign-in hardening (issue 12) ----
    login_failures_per_ip: str = Field(
        "10/minute; 100/hour",
        description="Wrong-password sign-ins one client IP may make across all emails before it "
        "gets 429 (password spraying), as limits rules: '10/minute; 100/hour'.",
    )
    http_header_timeout: float = Field(
        15.0,
        gt=0,
        le=3600,
        description="Seconds a connection may take to send a complete request head, and may "
        "stay idle between keep-alive requests, before it is closed.",
    )
    http_body_timeout: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="Seconds a client may take to send a request body before it gets 408.",
    )
    hsts_max_age: int = Field(
        31_536_000,
        ge=0,
        le=63_072_000,
        description="Strict-Transport-Security max-age sent on responses that arrived over "
        "HTTPS (directly or through a trusted proxy); 0 sends no HSTS header.",
    )

    @field_validator("login_failures_per_ip")
    @classmethod
    def _rate_rules(cls, value: str) -> str:
        from frontdesk.core.ratelimit import parse_rules

        parse_rules(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def validate_for_serving(self) -> None:
        if self.environment == "production":
            if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
                raise SettingsError(
                    "FRONTDESK_SECRET_KEY is unset or a placeholder; set it to a random value of "
                    f"at least {MIN_SECRET_LENGTH} characters (for example: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
                )
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"FRONTDESK_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters long"
                )


def normalise_database_url(url: str) -> str:
    """Accept the URLs operators type and pick the async driver for them."""
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return url
    raise ValueError(
        "FRONTDESK_DATABASE_URL must start with sqlite:// or postgresql:// "
        f"(got {url.split(':', 1)[0]!r})"
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build Settings from the environment; keyword overrides win (used by the CLI and tests)."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    mapping = {
        "FRONTDESK_ENV": "environment",
        "FRONTDESK_DATABASE_URL": "database_url",
        "FRONTDESK_BUS_URL": "bus_url",
        "FRONTDESK_REDIS_NAMESPACE": "redis_namespace",
        "FRONTDESK_SECRET_KEY": "secret_key",
        "FRONTDESK_DATA_DIR": "data_dir",
        "FRONTDESK_PUBLIC_URL": "public_url",
        "FRONTDESK_LOG_LEVEL": "log_level",
        "FRONTDESK_LOG_FORMAT": "log_format",
        "FRONTDESK_SWEEPER_INTERVAL": "sweeper_interval",
        "FRONTDESK_LOGIN_ATTEMPTS_PER_MINUTE": "login_attempts_per_minute",
        "FRONTDESK_VISITOR_MESSAGES_PER_10S": "visitor_messages_per_10s",
        "FRONTDESK_REP_BATCH_INTERVAL": "rep_batch_interval",
        "FRONTDESK_SMTP_URL": "smtp_url",
        "FRONTDESK_MAIL_FROM": "mail_from",
        "FRONTDESK_ENRICHMENT_URL": "enrichment_url",
        "FRONTDESK_ENRICHMENT_TOKEN": "enrichment_token",
        "FRONTDESK_ALLOW_PRIVATE_TARGETS": "allow_private_targets",
        "FRONTDESK_AI_URL": "ai_url",
        "FRONTDESK_AI_MODEL": "ai_model",
        "FRONTDESK_AI_API_KEY": "ai_api_key",
        "FRONTDESK_AI_TIMEOUT": "ai_timeout",
        "FRONTDESK_LOGIN_FAILURES_PER_IP": "login_failures_per_ip",
        "FRONTDESK_HTTP_HEADER_TIMEOUT": "http_header_timeout",
        "FRONTDESK_HTTP_BODY_TIMEOUT": "http_body_timeout",
        "FRONTDESK_HSTS_MAX_AGE": "hsts_max_age",
    }
    for var, field in mapping.items():
        if var in env:
            values[field] = env[var]
    if "FRONTDESK_TRUSTED_PROXIES" in env:
        values["trusted_proxies"] = tuple(
            ipaddress.ip_network(item, strict=False)
            for item in _split(env["FRONTDESK_TRUSTED_PROXIES"])
        )
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings.model_validate(values)
    if settings.log_level.upper() not in logging.getLevelNamesMapping():
        raise SettingsError(f"FRONTDESK_LOG_LEVEL {settings.log_level!r} is not a log level")
    return settings


def ensure_development_secret(settings: Settings) -> Settings:
    """The demo generates a secret once and keeps it under the data directory."""
    if settings.secret_key.strip().lower() not in PLACEHOLDER_SECRETS:
        return settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "secret_key"
    if path.exists():
        secret = path.read_text().strip()
    else:
        secret = new_secret(32)
        path.write_text(secret + "\n")
        path.chmod(0o600)
    return settings.model_copy(update={"secret_key": secret})
