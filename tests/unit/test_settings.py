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


def test_visitor_limits_are_read_in_the_limits_notation_and_checked() -> None:
    settings = load_settings(
        {
            "FRONTDESK_VISITOR_FRAME_LIMITS": "page_view=300/minute; identify = 5 per 10 minutes",
            "FRONTDESK_NEW_VISITORS_PER_IP": "50/hour",
            "FRONTDESK_OFFLINE_MESSAGES_PER_IP": "10 per day",
            "FRONTDESK_UNAUTHENTICATED_SOCKETS_PER_IP": "0",
        }
    )
    assert settings.visitor_frame_limits == {
        "page_view": "300/minute",
        "identify": "5 per 10 minutes",
    }
    assert settings.new_visitors_per_ip == "50/hour"
    assert settings.offline_messages_per_ip == "10 per day"
    assert settings.unauthenticated_sockets_per_ip == 0
    with pytest.raises(ValueError, match="not a rate"):
        load_settings({"FRONTDESK_NEW_VISITORS_PER_IP": "lots"})
    with pytest.raises(ValueError, match="not a rate"):
        load_settings({"FRONTDESK_VISITOR_FRAME_LIMITS": "ping=often"})
    with pytest.raises(SettingsError, match="frame_type=rate"):
        load_settings({"FRONTDESK_VISITOR_FRAME_LIMITS": "ping"})
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        load_settings({"FRONTDESK_UNAUTHENTICATED_SOCKETS_PER_IP": "-1"})
