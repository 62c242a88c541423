"""One Settings object, read from FRONTDESK_* environment variables by pydantic-settings
(docs/configuration.md). Nothing else in the package reads the environment."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from limits import parse as parse_rate_limit
from pydantic import (
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as UnreadableEnvironment

from frontdesk.core.ids import new_secret

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "placeholder", "xxx", "dev"}
MIN_SECRET_LENGTH = 32
DEFAULT_DATA_DIR = Path("./var")
DEFAULT_SQLITE_FILE = "frontdesk.db"


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message names the variable to fix."""


ENV_PREFIX = "FRONTDESK_"


def _docs_default(shown: str) -> dict[str, JsonValue]:
    """Field metadata: the default as docs/configuration.md shows it, where the value itself
    would not say what it means."""
    return {"docs_default": shown}


class Settings(BaseSettings):
    """Every setting, one field each. The environment variable is FRONTDESK_ + the field name in
    capitals unless the field names another one (`validation_alias`); the table in
    docs/configuration.md is generated from these fields and their descriptions
    (python -m frontdesk.settings_docs). Build it with load_settings(), which names the
    variable in every error."""

    model_config = SettingsConfigDict(
        frozen=True,
        env_prefix=ENV_PREFIX,
        # A field with its own variable (FRONTDESK_ENV) is read from that one only, not also
        # from FRONTDESK_ + its name; load_settings() maps keyword overrides onto it.
        validate_by_name=False,
        validate_by_alias=True,
        # Settings(unknown=...) is a mistake, not something to ignore. (Unknown FRONTDESK_*
        # variables are not read at all: only fields are looked up.)
        extra="forbid",
    )

    # ---- core: environment, storage, bus -------------------------------------------------
    environment: Literal["development", "production", "test"] = Field(
        "production",
        description="`production` refuses a missing or placeholder secret key; "
        "`frontdesk demo` always runs as `development`",
        validation_alias="FRONTDESK_ENV",
    )
    data_dir: Path = Field(
        DEFAULT_DATA_DIR,
        description="where Frontdesk keeps its files: the default SQLite database, the "
        "generated development secret (`secret_key`) and the demo's state (`demo.json`). "
        "Two demos with different data directories share nothing",
        json_schema_extra=_docs_default("`./var`"),
    )
    database_url: str = Field(
        "",
        description="`sqlite:///path/to/file.db` or "
        "`postgresql://user:password@host:5432/dbname`. SQLite suits one process; several "
        "processes need PostgreSQL",
        json_schema_extra=_docs_default("`sqlite:///` + the data directory + `/frontdesk.db`"),
    )
    bus_url: str = Field(
        "memory://",
        description="`memory://` for one process; `redis://host:6379/0` for several processes "
        "(events and live visitor state are shared through Redis)",
    )
    redis_namespace: str = Field(
        "frontdesk",
        description="prefix for every Redis key and channel, so several deployments can share "
        "one Redis",
    )
    secret_key: str = Field(
        "",
        description="signs visitor tokens and image-proxy URLs. At least 32 random characters. "
        "Outside production (and for `frontdesk demo`) one is generated and kept in "
        "`secret_key` in the data directory. Changing it makes returning visitors look new, "
        "unless the old key stays in `FRONTDESK_SECRET_KEY_PREVIOUS` for a while",
    )
    secret_key_previous: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="earlier secret keys, comma-separated, while you rotate "
        "`FRONTDESK_SECRET_KEY`: visitor tokens and image-proxy URLs signed with one of them "
        "still verify, and everything new is signed with the current key. Each at least 32 "
        "characters. Remove a key when its tokens may stop working (docs/operations.md, "
        "Rotating the secret key)",
    )
    public_url: str | None = Field(
        None,
        description="the console's public URL (for example `https://frontdesk.acme.com`); the rep "
        "WebSocket and cookie-authenticated writes (and sign-in) only accept this Origin, and"
        " the embed snippet uses it. An `https://` URL also makes the session cookie "
        "`Secure`. Unset: the request's own host",
    )
    # NoDecode: read as the comma-separated text operators write, not as JSON.
    trusted_proxies: Annotated[
        tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], NoDecode
    ] = Field(
        (),
        description="comma-separated addresses or CIDR ranges of your load balancers. Only when the "
        "connecting peer is one of them are `X-Forwarded-For` and `X-Forwarded-Proto` "
        "believed; otherwise the peer address is the client's IP and the connection's own "
        "scheme counts, whatever the headers say. Addresses in either place may carry a port "
        "(`198.51.100.7:4711`, `[2001:db8::1]:443`) or be IPv4-mapped (`::ffff:10.0.0.5` "
        "matches `10.0.0.0/8`). `X-Forwarded-Proto: https` from a trusted proxy makes the "
        "session cookie `Secure` and turns on HSTS",
    )
    log_level: str = Field("INFO", description="`DEBUG`, `INFO`, `WARNING`, `ERROR`")
    log_format: Literal["json", "text"] = Field(
        "json",
        description="`json` (one object per line, for log shippers) or `text`",
    )
    sweeper_interval: float = Field(
        1.0,
        gt=0,
        description="seconds between checks for due deadlines (rep windows, timeouts) in each "
        "process",
    )
    retention_interval: float = Field(
        3600.0,
        gt=0,
        description="seconds between two purges of an org's data older than its retention "
        "policy (Admin -> Privacy; docs/operations.md, Retention); a purge that is not "
        "finished goes on a second later",
    )
    retention_batch: int = Field(
        100,
        ge=10,
        le=10_000,
        description="rows a retention purge deletes per batch (one transaction, off the "
        "server's event loop; the purge pauses three times as long as each batch took): "
        "smaller batches hold the database's write lock for less time at a slower purge "
        "(docs/operations.md, Retention; bench/RESULTS.md)",
    )
    # ---- rate limits ---------------------------------------------------------------------
    login_attempts_per_minute: int = Field(
        10,
        description="sign-in attempts allowed per IP address and email per minute (counted "
        "across all processes, in Redis when `FRONTDESK_BUS_URL` is Redis)",
    )
    visitor_messages_per_10s: int = Field(
        20,
        description="chat messages a visitor may send per 10 seconds (counted in each server "
        "process: a visitor with tabs on two processes may send up to twice this)",
    )
    # ---- email ---------------------------------------------------------------------------
    smtp_url: str | None = Field(
        None,
        description="SMTP server for emailing offline messages and missed chats to reps and meeting invitations: "
        "`smtp://`, `smtps://` or `smtp+starttls://user:password@host:port`. Unset: offline "
        "messages stay in the console only, and booked meetings send no invitations",
    )
    mail_from: str = Field(
        "Frontdesk <frontdesk@localhost>",
        description="the From address of those emails",
    )
    # ---- enrichment ----------------------------------------------------------------------
    enrichment_url: str | None = Field(
        None,
        description="an optional external firmographics service: a URL template with `{ip}` "
        "and `{domain}`. Unset: only the built-in IP data and your accounts are used",
    )
    enrichment_token: str | None = Field(
        None,
        description="sent to that service as `Authorization: Bearer TOKEN`",
    )
    ip_data_dir: Path | None = Field(
        None,
        description="directory holding the IP-to-organisation and IP-to-country CSV files "
        "(`asn-ipv4-num.csv`, `geo-whois-asn-country-ipv4-num.csv` and their IPv6 twins). "
        "Unset: `frontdesk/data/` inside the package, where the front-end build copies them",
    )
    # ---- AI text -------------------------------------------------------------------------
    ai_url: str | None = Field(
        None,
        description="an OpenAI-compatible chat-completions endpoint for AI text (auto pounce "
        "greetings; the AI Copilot's Suggest, Expand and Tune, whose texts are checked first). "
        "Unset: built-in templates and the copilot's offline rules write them",
    )
    ai_model: str = Field("gpt-4o-mini", description="the model asked for at `FRONTDESK_AI_URL`")
    ai_api_key: str | None = Field(
        None, description="sent to `FRONTDESK_AI_URL` as `Authorization: Bearer KEY`"
    )
    ai_timeout: float = Field(
        2.5,
        gt=0,
        le=30,
        description="seconds to wait for the AI endpoint before falling back to a template "
        "(or to the copilot's offline result)",
    )
    # ---- outbound requests ---------------------------------------------------------------
    allow_private_targets: bool = Field(
        False,
        description="let webhooks, the image proxy and reps' calendars (CalDAV, iCal feeds) "
        "reach loopback and private-network addresses (for a CRM or calendar server inside "
        "your own network, or for tests). Off: they are refused",
    )
    # ---- phone join (docs/telephony.md) ---------------------------------------------------
    twilio_api_url: str = Field(
        "https://api.twilio.com",
        description="base URL of Twilio's REST API, for phone join (each org's account SID and "
        "auth token are set in Admin -> Phone). Change it only to point at a test double",
    )
    telephony_timeout: float = Field(
        10.0,
        gt=0,
        le=60,
        description="seconds to wait for the telephony provider's API before telling the "
        "visitor the call could not be placed",
    )
    phone_calls_per_ip: str = Field(
        "5/hour",
        description="phone-join calls per client IP address and site, counted across processes "
        "(each one costs the org money; per-visitor and per-org limits are set per org in "
        "Admin -> Phone)",
    )
    meeting_card_views_per_ip: str = Field(
        "120/10 minutes",
        description="meeting booking cards the messenger may load per client IP address and "
        "site, counted across processes (each load computes free times over the members' "
        "calendars)",
    )
    meeting_bookings_per_ip: str = Field(
        "10/hour",
        description="meeting bookings per client IP address and site, counted across "
        "processes (each one writes calendar events and sends emails); one booking card can "
        "also be booked at most 5 times an hour",
    )
    # ---- rep console ---------------------------------------------------------------------
    # 0.2 s: five updates a second look live, and fan-out to 50 consoles cost the same CPU as
    # at 0.25 s (0.24 cores, bench/fanout.py) with its p95 at 203 ms instead of 251 (issue 21's
    # bar is 250 ms, batching included).
    rep_batch_interval: float = Field(
        0.2,
        gt=0,
        le=5,
        description="seconds a rep console's live-stream updates are gathered into one batch",
    )
    # ---- HTTP and sign-in hardening ---------------------------------------------------------
    login_failures_per_ip: str = Field(
        "10/minute; 100/hour",
        description="wrong-password sign-ins one IP address may make across all emails (password "
        "spraying) before every sign-in from it gets 429 until the window moves on. "
        "Successful sign-ins do not count, so a team behind one office address is not "
        "limited. Written as `limits` rules (`10/minute; 100/hour`); shared across processes "
        "like the limit above",
    )
    http_header_timeout: float = Field(
        15.0,
        gt=0,
        le=3600,
        description="seconds a connection may take to send a complete request head (a WebSocket handshake"
        " included), and may sit idle between keep-alive requests, before the server closes "
        "it: slow or half-open handshakes do not hold sockets",
    )
    http_body_timeout: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="seconds a client may take to send a request body before it gets 408",
    )
    hsts_max_age: int = Field(
        31_536_000,
        ge=0,
        le=63_072_000,
        description="`Strict-Transport-Security: max-age=...` sent on responses that went out over HTTPS "
        "(TLS on the server, or `X-Forwarded-Proto: https` from a trusted proxy); `0` sends "
        "none",
    )
    # ---- operations ------------------------------------------------------------------------
    otlp_endpoint: str | None = Field(
        None,
        description="base URL of an OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger, "
        "Tempo: `http://collector:4318`) to send traces of each chat message's path and of "
        "HTTP requests to; unset: the standard `OTEL_EXPORTER_OTLP_ENDPOINT`, and without "
        "either no tracing at all. Needs the `tracing` extra (docs/operations.md, Traces)",
    )
    metrics_token: str | None = Field(
        None,
        description="bearer token that `GET /metrics` (Prometheus) requires: the scraper sends "
        "`Authorization: Bearer TOKEN`. At least 32 characters. Unset: `/metrics` answers 404 "
        "(docs/operations.md, Metrics)",
    )
    api_token_requests: str = Field(
        "600/minute",
        description="requests one org API token may make (`Authorization: Bearer fd_...`), "
        "counted across all processes; over it the API answers 429",
    )
    # ---- visitor socket limits -------------------------------------------------------------
    # Every visitor frame type, offline messages, new visitors and open unauthenticated sockets
    # per IP (transport/visitor_limits.py; docs/configuration.md says why the defaults are what
    # they are). Rates are in the `limits` notation: "60/minute".
    visitor_frame_limits: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="per-visitor rates by visitor frame type, overriding the built-in ones: "
        "`page_view=300/minute, identify=5 per 10 minutes`. The frame types and default rates "
        "are in docs/protocol.md (Limits), and `invalid` is the rate of frames the socket cannot use "
        "(30/minute); an unknown frame type stops the server at start",
        json_schema_extra=_docs_default("built-in per type"),
    )
    visitor_frame_flood_factor: int = Field(
        10,
        ge=2,
        description="a visitor socket that sends more than this many times a frame type's rate "
        "within one window (`FRONTDESK_VISITOR_FRAME_LIMITS`), or of frames it cannot use (bad "
        "JSON, unknown type, invalid, too large: the `invalid` rate), is closed with close code "
        "4429; below that, each frame over the rate gets a `rate_limited` error",
    )
    offline_messages_per_ip: str = Field(
        "20/hour",
        description="offline-form messages (each emailed to the routed reps) per client IP "
        "address and site, counted across processes; each visitor may also send 5 an hour "
        "(`offline_message` in `FRONTDESK_VISITOR_FRAME_LIMITS`)",
    )
    new_visitors_per_ip: str = Field(
        "300/10 minutes",
        description="hellos without a valid visitor token (each one a new visitor and a card "
        "in the live stream) per client IP and site, counted across processes",
    )
    unauthenticated_sockets_per_ip: int = Field(
        500,
        ge=0,
        description="open visitor sockets, plus rep sockets whose session is being checked, "
        "per client IP address in each process (HTTP 429 over it). `0` turns the cap off",
    )
    visitor_socket_server: Literal["aiohttp", "lean"] = Field(
        "lean",
        description="what serves the visitor sockets (`/ws/visitor`) on the same port as "
        "everything else: `lean`, a small WebSocket protocol of our own on `wsproto` (about "
        "a third of the memory per idle socket: bench/RESULTS.md, issue 21; "
        "transport/visitor_lean.py), or `aiohttp` (the visitor socket as it was before). Both "
        "check and answer alike; anything but a valid visitor socket handshake is served by "
        "aiohttp either way",
    )
    # ---- rep socket limits -------------------------------------------------------------------
    # Every rep frame type has a rate per rep (transport/rep_limits.py; docs/configuration.md
    # says why the defaults are what they are).
    rep_frame_limits: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="per-rep rates by rep socket frame type (all of a rep's consoles on one "
        "process together), overriding the built-in ones: `call_candidate=600/minute, "
        "typing=200/minute`. The frame types and default rates are in docs/protocol.md (Rep "
        "socket, Limits), and `invalid` is the rate of frames the socket cannot use (30/minute); an "
        "unknown frame type stops the server at start",
        json_schema_extra=_docs_default("built-in per type"),
    )
    rep_frame_flood_factor: int = Field(
        10,
        ge=2,
        description="a console that sends more than this many times a frame type's rate within "
        "one window (`FRONTDESK_REP_FRAME_LIMITS`), or of frames it cannot use (the `invalid` "
        "rate), is disconnected with close code 4429; below that, each frame over the rate gets "
        "a `rate_limited` error",
    )
    # ---- files and images in chat (features/files; docs/files.md) ----------------------------
    files_dir: Path | None = Field(
        None,
        description="where chat files and their thumbnails are kept when no S3 bucket is set "
        "(`FRONTDESK_FILES_S3_BUCKET`). Several processes must share it (one machine, or a "
        "network mount)",
        json_schema_extra=_docs_default("the data directory + `/files`"),
    )
    files_s3_bucket: str | None = Field(
        None,
        description="keep chat files in this bucket of an S3-compatible store (AWS S3, MinIO, "
        "Ceph, R2, ...) instead of `FRONTDESK_FILES_DIR`. The bucket must exist",
    )
    files_s3_endpoint_url: str | None = Field(
        None,
        description="the store's URL for anything but AWS (`https://minio.internal:9000`). "
        "Unset: AWS S3",
    )
    files_s3_region: str = Field("us-east-1", description="the bucket's region")
    files_s3_access_key_id: str | None = Field(
        None,
        description="the store's access key; unset: boto3's usual chain (`AWS_*` variables, "
        "instance profile)",
    )
    files_s3_secret_access_key: str | None = Field(
        None, description="the secret that goes with `FRONTDESK_FILES_S3_ACCESS_KEY_ID`"
    )
    files_s3_prefix: str = Field(
        "frontdesk/", description="prefix of every object key Frontdesk writes in the bucket"
    )
    file_max_mb: int = Field(
        25,
        ge=1,
        le=100,
        description="the largest file anyone may send in a chat, in MB; each org's admin sets "
        "its own limit up to this",
    )
    file_uploads_per_visitor: str = Field(
        "20/hour",
        description="files one visitor may send, counted across processes (429 over it)",
    )
    file_uploads_per_ip: str = Field(
        "60/hour",
        description="files visitors may send from one client IP address and site, counted "
        "across processes",
    )
    file_upload_mb_per_visitor: int = Field(
        100,
        ge=1,
        description="MB of files one visitor may send per hour, counted across processes",
    )
    file_upload_mb_per_ip: int = Field(
        300,
        ge=1,
        description="MB of files visitors may send per hour from one client IP address and "
        "site, counted across processes",
    )
    file_upload_read_mb_per_second: float = Field(
        16,
        gt=0,
        le=10_000,
        description="how fast one server process reads the files sent to it, all uploads "
        "together, once FRONTDESK_FILE_UPLOAD_READ_BURST_MB have come in quick succession "
        "(before that, up to 64 MB/s): uploads that keep pouring in then leave chats on the "
        'same cores their speed (docs/files.md, "Uploads and chat speed")',
    )
    file_upload_read_burst_mb: float = Field(
        32,
        ge=0,
        le=10_000,
        description="MB of uploads one server process reads at full speed before "
        "FRONTDESK_FILE_UPLOAD_READ_MB_PER_SECOND applies; refills at that rate",
    )
    file_image_workers: int = Field(
        1,
        ge=0,
        le=16,
        description="processes per server process that check, clean and thumbnail images sent "
        "in chat (at low CPU priority, so chats on the server keep their share of the CPU). 0: "
        "a thread of the server process instead (its image work then competes with the event "
        "loop for the interpreter lock)",
    )
    file_image_queue_mb: int = Field(
        160,
        ge=5,
        le=2000,
        description="MB of images a server process may hold waiting for or in image work; an "
        "image beyond it is refused with 503 (try again in a moment), so a burst of uploads "
        "does not wait for minutes (they wait on disk, not in memory)",
    )
    # ---- voice and video calls (docs/calls.md; coturn: docs/operations.md) -------------------
    stun_urls: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="comma-separated STUN URLs browsers use to find their public address for "
        "calls (`stun:turn.acme.com:3478`). Unset: none, which is enough when both browsers "
        "can reach each other directly (one network, or no NAT in between)",
    )
    turn_urls: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="comma-separated TURN URLs that relay a call's media when no direct path "
        "exists (`turn:turn.acme.com:3478?transport=udp, turns:turn.acme.com:5349`). Needs "
        "`FRONTDESK_TURN_SECRET`: every call gets its own credentials, never a static password",
    )
    turn_secret: str | None = Field(
        None,
        description="the TURN server's shared secret (coturn's `static-auth-secret` with "
        "`use-auth-secret`): Frontdesk mints each call's TURN username "
        "(`<expiry>:<call id>`) and password (base64 HMAC-SHA1 of it) with it",
    )
    turn_credential_ttl: int = Field(
        3600,
        ge=60,
        le=86_400,
        description="seconds a call's TURN credentials stay valid. A relayed call lasting "
        "longer may lose its relay when the browser renews it; re-joining gets fresh ones",
    )
    ice_transport_policy: Literal["all", "relay"] = Field(
        "all",
        description="`relay` makes every call go through TURN (neither side learns the "
        "other's address; needs `FRONTDESK_TURN_URLS`)",
    )
    call_grace_seconds: float = Field(
        15.0,
        ge=5,
        le=300,
        description="a call ends as failed when one side has not been heard of for this long "
        "(its tab closed, its server process died, its network went away); a visitor "
        "moving to another page re-joins well within it",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Keyword arguments, then the environment; no .env file and no secrets directory.
        environment = _environment.get(None)
        if environment is None:
            return init_settings, env_settings
        return init_settings, _EnvironmentSource(settings_cls, environment)

    @model_validator(mode="before")
    @classmethod
    def _empty_unsets_optional(cls, values: object) -> object:
        # FRONTDESK_SMTP_URL= means no SMTP: an empty value unsets a setting whose default is
        # none. (Elsewhere an empty value is read as given, and refused where it is invalid.)
        if isinstance(values, dict):
            optional = {n for n, f in cls.model_fields.items() if f.default is None}
            values = {k: v for k, v in values.items() if not (k in optional and v == "")}
        return values

    @model_validator(mode="before")
    @classmethod
    def _database_in_data_dir(cls, values: object) -> object:
        # Unset, the database is a SQLite file in the data directory, so FRONTDESK_DATA_DIR
        # alone moves everything (issue 13: two demos with different data dirs shared ./var).
        if isinstance(values, dict) and not values.get("database_url"):
            data_dir = Path(values.get("data_dir") or DEFAULT_DATA_DIR)
            values = {**values, "database_url": f"sqlite:///{data_dir / DEFAULT_SQLITE_FILE}"}
        return values

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in logging.getLevelNamesMapping():
            raise ValueError(f"{value!r} is not a log level")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return tuple(ipaddress.ip_network(item, strict=False) for item in _split(value))
            except ValueError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("stun_urls", "turn_urls", mode="before")
    @classmethod
    def _url_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(_split(value))
        return value

    @field_validator("stun_urls")
    @classmethod
    def _stun_scheme(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if not url.startswith(("stun:", "stuns:")):
                raise ValueError(f"{url!r} is not a stun: or stuns: URL")
        return value

    @field_validator("turn_urls")
    @classmethod
    def _turn_scheme(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if not url.startswith(("turn:", "turns:")):
                raise ValueError(f"{url!r} is not a turn: or turns: URL")
        return value

    @model_validator(mode="after")
    def _turn_needs_secret(self) -> Settings:
        if self.turn_urls and not self.turn_secret:
            raise ValueError(
                "FRONTDESK_TURN_URLS needs FRONTDESK_TURN_SECRET (the TURN server's "
                "static-auth-secret): Frontdesk never hands browsers a static TURN password"
            )
        if self.ice_transport_policy == "relay" and not self.turn_urls:
            raise ValueError("FRONTDESK_ICE_TRANSPORT_POLICY=relay needs FRONTDESK_TURN_URLS")
        return self

    @field_validator("secret_key_previous", mode="before")
    @classmethod
    def _comma_separated_keys(cls, value: object) -> object:
        # Commas only (not _split's semicolons): a key may contain anything else.
        if isinstance(value, str):
            return tuple(key.strip() for key in value.split(",") if key.strip())
        return value

    @field_validator("secret_key_previous")
    @classmethod
    def _real_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # While a key is listed, anything signed with it verifies: a guessable one would let
        # anyone forge visitor tokens.
        for key in value:
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"each previous key must be a real secret of at least {MIN_SECRET_LENGTH} "
                    "characters"
                )
        return value

    @field_validator("metrics_token")
    @classmethod
    def _real_metrics_token(cls, value: str | None) -> str | None:
        if value is not None and (
            value.lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH
        ):
            raise ValueError(f"must be a real secret of at least {MIN_SECRET_LENGTH} characters")
        return value

    @field_validator("login_failures_per_ip")
    @classmethod
    def _rate_rules(cls, value: str) -> str:
        from frontdesk.core.ratelimit import parse_rules

        parse_rules(value)
        return value

    @field_validator("twilio_api_url")
    @classmethod
    def _an_http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator(
        "offline_messages_per_ip",
        "new_visitors_per_ip",
        "api_token_requests",
        "phone_calls_per_ip",
        "meeting_card_views_per_ip",
        "meeting_bookings_per_ip",
        "file_uploads_per_visitor",
        "file_uploads_per_ip",
    )
    @classmethod
    def _a_rate(cls, value: str) -> str:
        return _check_rate(value)

    @field_validator("visitor_frame_limits", "rep_frame_limits", mode="before")
    @classmethod
    def _frame_limits_from_text(cls, value: object) -> object:
        # From the environment: "page_view=120/minute, identify=20/minute".
        if not isinstance(value, str):
            return value
        frame_limits: dict[str, str] = {}
        for item in _split(value):
            frame_type, equals, rate = item.partition("=")
            if not equals:
                raise ValueError(
                    f"{item!r} is not frame_type=rate (for example page_view=120/minute)"
                )
            frame_limits[frame_type.strip()] = rate.strip()
        return frame_limits

    @field_validator("visitor_frame_limits", "rep_frame_limits")
    @classmethod
    def _rates_by_frame_type(cls, value: dict[str, str]) -> dict[str, str]:
        return {frame_type: _check_rate(rate) for frame_type, rate in value.items()}

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The keys a signature may have been made with: the current one first."""
        return (self.secret_key, *self.secret_key_previous)

    @property
    def chat_files_dir(self) -> Path:
        """Where local chat files live: FRONTDESK_FILES_DIR, else the data directory's files/."""
        return self.files_dir or self.data_dir / "files"

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
    raise ValueError(f"must start with sqlite:// or postgresql:// (got {url.split(':', 1)[0]!r})")


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


def env_var(field_name: str) -> str:
    """The environment variable a Settings field is read from."""
    alias = Settings.model_fields[field_name].validation_alias
    return alias if isinstance(alias, str) else f"{ENV_PREFIX}{field_name.upper()}"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class _EnvironmentSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of os.environ, so
    tests can hand in an exact environment (load_settings(env))."""

    def __init__(self, settings_cls: type[BaseSettings], environment: Mapping[str, str]) -> None:
        self._environment = environment
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {
            (name if self.case_sensitive else name.lower()): value
            for name, value in self._environment.items()
        }


# The environment the next Settings() reads: os.environ unless load_settings was given one.
_environment: ContextVar[Mapping[str, str] | None] = ContextVar("frontdesk_settings_environment")


def _input_key(field_name: str) -> str:
    """The key a value for this field is passed under (its variable, when it has its own)."""
    field = Settings.model_fields.get(field_name)
    alias = field.validation_alias if field is not None else None
    return alias if isinstance(alias, str) else field_name


def _variable_of(key: object) -> str:
    """The environment variable to name for an error at this key (a field name or a variable)."""
    if isinstance(key, str) and key in Settings.model_fields:
        return env_var(key)
    return key if isinstance(key, str) else "settings"


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build Settings from the environment (os.environ, or `env` when given); keyword overrides
    by field name win, None ones are skipped (used by the CLI and tests). Every problem is one
    SettingsError naming the variable to fix."""
    given = {_input_key(name): value for name, value in overrides.items() if value is not None}
    token = _environment.set(env)
    try:
        return Settings(**given)
    except UnreadableEnvironment as exc:
        raise SettingsError(str(exc)) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{_variable_of(error['loc'][0] if error['loc'] else None)}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise SettingsError(problems) from None
    finally:
        _environment.reset(token)


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
