"""Settings: safe defaults for the demo, a clear refusal of unsafe production settings."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from frontdesk.settings import SettingsError, ensure_development_secret, load_settings


def test_defaults_suit_one_process_with_sqlite_and_the_in_process_bus() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///./var/frontdesk.db"
    assert settings.bus_url == "memory://"


def test_operators_can_type_plain_database_urls() -> None:
    assert (
        load_settings({"FRONTDESK_DATABASE_URL": "postgresql://u@db/fd"}).database_url
        == "postgresql+asyncpg://u@db/fd"
    )
    assert (
        load_settings({"FRONTDESK_DATABASE_URL": "sqlite:///x.db"}).database_url
        == "sqlite+aiosqlite:///x.db"
    )
    with pytest.raises(ValueError, match="must start with sqlite:// or postgresql://"):
        load_settings({"FRONTDESK_DATABASE_URL": "mysql://x"})


@pytest.mark.parametrize("secret", ["", "change-me", "secret", "short-but-not-placeholder"])
def test_a_missing_placeholder_or_short_secret_is_refused_outside_development(secret: str) -> None:
    with pytest.raises(SettingsError, match="FRONTDESK_SECRET_KEY"):
        load_settings({"FRONTDESK_SECRET_KEY": secret}).validate_for_serving()


def test_a_real_secret_is_accepted() -> None:
    load_settings({"FRONTDESK_SECRET_KEY": "k" * 40}).validate_for_serving()


def test_the_demo_generates_a_secret_once_and_keeps_it(tmp_path: Path) -> None:
    first = ensure_development_secret(
        load_settings({}, data_dir=tmp_path, environment="development")
    )
    second = ensure_development_secret(
        load_settings({}, data_dir=tmp_path, environment="development")
    )
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key


def test_trusted_proxies_and_log_level_are_read_and_checked() -> None:
    settings = load_settings({"FRONTDESK_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5"})
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.5/32"),
    )
    with pytest.raises(SettingsError, match="LOG_LEVEL"):
        load_settings({"FRONTDESK_LOG_LEVEL": "LOUD"})


def test_http_hardening_settings_are_read_and_a_bad_sign_in_limit_is_refused() -> None:
    settings = load_settings(
        {
            "FRONTDESK_LOGIN_FAILURES_PER_IP": "5/minute; 50/day",
            "FRONTDESK_HTTP_HEADER_TIMEOUT": "7.5",
            "FRONTDESK_HTTP_BODY_TIMEOUT": "20",
            "FRONTDESK_HSTS_MAX_AGE": "0",
        }
    )
    assert settings.login_failures_per_ip == "5/minute; 50/day"
    assert (settings.http_header_timeout, settings.http_body_timeout) == (7.5, 20.0)
    assert settings.hsts_max_age == 0
    with pytest.raises(ValueError, match="'lots' is not a rate limit"):
        load_settings({"FRONTDESK_LOGIN_FAILURES_PER_IP": "lots"})
    with pytest.raises(ValueError, match="http_header_timeout"):
        load_settings({"FRONTDESK_HTTP_HEADER_TIMEOUT": "0"})
