"""Settings: safe defaults for the demo, a clear refusal of unsafe production settings."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from frontdesk.settings import (
    Settings,
    SettingsError,
    ensure_development_secret,
    env_var,
    load_settings,
)


def test_defaults_suit_one_process_with_sqlite_and_the_in_process_bus() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///var/frontdesk.db"
    assert settings.bus_url == "memory://"


def test_the_default_database_lives_in_the_data_directory(tmp_path: Path) -> None:
    # Issue 13: two demos with different FRONTDESK_DATA_DIR both wrote ./var/frontdesk.db.
    first = load_settings({"FRONTDESK_DATA_DIR": str(tmp_path / "one")})
    second = load_settings({"FRONTDESK_DATA_DIR": str(tmp_path / "two")})
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path}/one/frontdesk.db"
    assert second.database_url == f"sqlite+aiosqlite:///{tmp_path}/two/frontdesk.db"
    # The CLI and tests pass the data directory as an override: same rule.
    assert (
        load_settings({}, data_dir=tmp_path / "three").database_url
        == f"sqlite+aiosqlite:///{tmp_path}/three/frontdesk.db"
    )


def test_an_explicit_database_url_wins_over_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(
        {"FRONTDESK_DATA_DIR": str(tmp_path), "FRONTDESK_DATABASE_URL": "postgresql://u@db/fd"}
    )
    assert settings.database_url == "postgresql+asyncpg://u@db/fd"


def test_operators_can_type_plain_database_urls() -> None:
    assert (
        load_settings({"FRONTDESK_DATABASE_URL": "postgresql://u@db/fd"}).database_url
        == "postgresql+asyncpg://u@db/fd"
    )
    assert (
        load_settings({"FRONTDESK_DATABASE_URL": "sqlite:///x.db"}).database_url
        == "sqlite+aiosqlite:///x.db"
    )
    with pytest.raises(
        SettingsError, match="FRONTDESK_DATABASE_URL: must start with sqlite:// or postgresql://"
    ):
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


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FRONTDESK_SWEEPER_INTERVAL", "soon"),
        ("FRONTDESK_TRUSTED_PROXIES", "not-an-address"),
        ("FRONTDESK_ENV", "prod"),
        ("FRONTDESK_AI_TIMEOUT", "600"),
        ("FRONTDESK_METRICS_TOKEN", "short"),
        ("FRONTDESK_API_TOKEN_REQUESTS", "lots"),
    ],
)
def test_an_unreadable_value_is_refused_with_the_variables_name(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings({variable: value})


def test_every_setting_is_read_from_its_environment_variable() -> None:
    # Reading is driven by the model, so a new field cannot be forgotten by the loader.
    for name, field in Settings.model_fields.items():
        if field.annotation in (str, str | None):
            value = {
                "database_url": "postgresql://u@db/x",
                "log_level": "DEBUG",
                "offline_messages_per_ip": "7/hour",
                "new_visitors_per_ip": "9 per 10 minutes",
                "login_failures_per_ip": "3/minute",
                "api_token_requests": "100/minute",
                "metrics_token": "metrics-token-from-the-environment-0123456789",
                "phone_calls_per_ip": "4/hour",
                "twilio_api_url": "https://twilio.test.example",
                "meeting_card_views_per_ip": "30/hour",
                "meeting_bookings_per_ip": "5/hour",
                "file_uploads_per_visitor": "5/hour",
                "file_uploads_per_ip": "6/hour",
            }.get(name, "from-the-environment")
            settings = load_settings({env_var(name): value})
            assert value.split("://")[-1] in str(getattr(settings, name)), name
    assert load_settings({"FRONTDESK_ENV": "test"}).environment == "test"
    assert load_settings({"FRONTDESK_IP_DATA_DIR": "/srv/ip"}).ip_data_dir == Path("/srv/ip")
    assert load_settings({"FRONTDESK_ALLOW_PRIVATE_TARGETS": "true"}).allow_private_targets
    assert load_settings({"FRONTDESK_AI_TIMEOUT": "5"}).ai_timeout == 5.0
    # An empty value unsets an optional setting.
    assert load_settings({"FRONTDESK_SMTP_URL": "", "FRONTDESK_IP_DATA_DIR": ""}).smtp_url is None
    assert load_settings({"FRONTDESK_IP_DATA_DIR": ""}).ip_data_dir is None


async def test_the_ip_data_directory_setting_reaches_the_ip_lookups(tmp_path: Path) -> None:
    from frontdesk.app import build_runtime

    (tmp_path / "ip").mkdir()
    runtime = build_runtime(
        load_settings({"FRONTDESK_IP_DATA_DIR": str(tmp_path / "ip")}, data_dir=tmp_path)
    )
    try:
        assert runtime.ip_directory is not None
        assert runtime.ip_directory.data_dir == tmp_path / "ip"
    finally:
        await runtime.db.close()


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
    with pytest.raises(ValueError, match="FRONTDESK_HTTP_HEADER_TIMEOUT"):
        load_settings({"FRONTDESK_HTTP_HEADER_TIMEOUT": "0"})


def test_previous_secret_keys_are_read_comma_separated_after_the_current_one() -> None:
    current, first, second = ("c" * 40, "p;1" + "x" * 40, "p2" + "y" * 40)
    settings = load_settings(
        {
            "FRONTDESK_SECRET_KEY": current,
            "FRONTDESK_SECRET_KEY_PREVIOUS": f" {first}, {second} ,",
        }
    )
    assert settings.secret_key_previous == (first, second)  # a ; inside a key is kept
    assert settings.secret_keys == (current, first, second)
    assert load_settings({"FRONTDESK_SECRET_KEY": current}).secret_keys == (current,)


@pytest.mark.parametrize("previous", ["change-me", "too-short-to-be-a-real-key"])
def test_a_guessable_previous_key_is_refused(previous: str) -> None:
    with pytest.raises(SettingsError, match="FRONTDESK_SECRET_KEY_PREVIOUS: each previous key"):
        load_settings({"FRONTDESK_SECRET_KEY_PREVIOUS": "k" * 40 + "," + previous})


def test_settings_are_read_from_the_process_environment_by_pydantic_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Settings itself reads FRONTDESK_* (pydantic-settings), under the documented names.
    monkeypatch.setenv("FRONTDESK_ENV", "test")
    monkeypatch.setenv("FRONTDESK_BUS_URL", "redis://bus:6379/0")
    monkeypatch.setenv("FRONTDESK_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    monkeypatch.setenv("FRONTDESK_VISITOR_FRAME_LIMITS", "page_view=300/minute")
    monkeypatch.setenv("FRONTDESK_SMTP_URL", "")
    # FRONTDESK_ENV is the environment's only name; the field name is not a second one.
    monkeypatch.setenv("FRONTDESK_ENVIRONMENT", "development")
    for settings in (Settings(), load_settings()):
        assert settings.environment == "test"
        assert settings.bus_url == "redis://bus:6379/0"
        assert settings.trusted_proxies == (
            ipaddress.ip_network("10.0.0.0/8"),
            ipaddress.ip_network("::1"),
        )
        assert settings.visitor_frame_limits == {"page_view": "300/minute"}
        assert settings.smtp_url is None
    # Keyword overrides win over the environment, and a given environment replaces it whole.
    assert load_settings(environment="development").environment == "development"
    assert load_settings({}).bus_url == "memory://"
    assert load_settings({}).environment == "production"


def test_a_bad_value_stops_the_command_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from frontdesk.cli import main

    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FRONTDESK_SWEEPER_INTERVAL", "every second")
    assert main(["migrate"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("frontdesk: FRONTDESK_SWEEPER_INTERVAL: ")
    assert "valid number" in error
    assert not (tmp_path / "frontdesk.db").exists()


def test_an_unknown_setting_passed_in_code_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"^sweeper_intervall: Extra inputs"):
        load_settings({}, sweeper_intervall=2)
