"""One Settings object, read from FRONTDESK_* environment variables (docs/configuration.md)."""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from limits import parse as parse_rate_limit
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
    # Visitor socket limits: every visitor frame type, offline messages, new visitors and open
    # unauthenticated sockets per IP (transport/visitor_limits.py; docs/configuration.md says
    # why the defaults are what they are). Rates are in the `limits` notation: "60/minute".
    visitor_frame_limits: dict[str, str] = Field(
        default_factory=dict,
        description="Per-visitor limits by visitor frame type, overriding the built-in ones "
        '(for example {"page_view": "120/minute"}).',
    )
    offline_messages_per_ip: str = Field(
        "20/hour",
        description="Offline-form messages (each one emailed to reps) per client IP and site.",
    )
    new_visitors_per_ip: str = Field(
        "300/10 minutes",
        description="Hellos without a valid visitor token (each one a new visitor and a card "
        "in the live stream) per client IP and site.",
    )
    unauthenticated_sockets_per_ip: int = Field(
        500,
        ge=0,
        description="Open visitor sockets, plus rep sockets whose session is being checked, "
        "per client IP in each process; 0 turns the cap off.",
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("offline_messages_per_ip", "new_visitors_per_ip")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        return _check_rate(value)

    @field_validator("visitor_frame_limits")
    @classmethod
    def _rates_by_frame_type(cls, value: dict[str, str]) -> dict[str, str]:
        return {frame_type: _check_rate(rate) for frame_type, rate in value.items()}

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


def _check_rate(value: str) -> str:
    try:
        item = parse_rate_limit(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a rate: write it like 60/minute or 300 per 10 minutes"
        ) from None
    if item.amount < 1:
        raise ValueError(f"{value!r} allows nothing: the amount must be at least 1")
    return value


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
        "FRONTDESK_OFFLINE_MESSAGES_PER_IP": "offline_messages_per_ip",
        "FRONTDESK_NEW_VISITORS_PER_IP": "new_visitors_per_ip",
        "FRONTDESK_UNAUTHENTICATED_SOCKETS_PER_IP": "unauthenticated_sockets_per_ip",
        "FRONTDESK_SMTP_URL": "smtp_url",
        "FRONTDESK_MAIL_FROM": "mail_from",
        "FRONTDESK_ENRICHMENT_URL": "enrichment_url",
        "FRONTDESK_ENRICHMENT_TOKEN": "enrichment_token",
        "FRONTDESK_ALLOW_PRIVATE_TARGETS": "allow_private_targets",
        "FRONTDESK_AI_URL": "ai_url",
        "FRONTDESK_AI_MODEL": "ai_model",
        "FRONTDESK_AI_API_KEY": "ai_api_key",
        "FRONTDESK_AI_TIMEOUT": "ai_timeout",
    }
    for var, field in mapping.items():
        if var in env:
            values[field] = env[var]
    if "FRONTDESK_TRUSTED_PROXIES" in env:
        values["trusted_proxies"] = tuple(
            ipaddress.ip_network(item, strict=False)
            for item in _split(env["FRONTDESK_TRUSTED_PROXIES"])
        )
    if "FRONTDESK_VISITOR_FRAME_LIMITS" in env:
        # "page_view=120/minute, identify=20/minute"
        frame_limits: dict[str, str] = {}
        for item in _split(env["FRONTDESK_VISITOR_FRAME_LIMITS"]):
            frame_type, equals, rate = item.partition("=")
            if not equals:
                raise SettingsError(
                    f"FRONTDESK_VISITOR_FRAME_LIMITS: {item!r} is not frame_type=rate "
                    "(for example page_view=120/minute)"
                )
            frame_limits[frame_type.strip()] = rate.strip()
        values["visitor_frame_limits"] = frame_limits
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
