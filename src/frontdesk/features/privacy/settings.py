"""An org's privacy settings: how long what is kept (retention), what is stored of a visitor's
IP address, and whether Global Privacy Control / Do Not Track are honoured
(docs/operations.md, "Privacy settings").

Stored in `orgs.settings["privacy"]`; every reader goes through `privacy_settings()`, which
fills in the defaults (keep everything, store full addresses, signals not honoured: what
Frontdesk did before these settings existed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from frontdesk.core.schemas import Closed
from frontdesk.features.orgs.models import Org

IpStorage = Literal["full", "truncated", "none"]
# Ten years: longer is "keep forever", which is what leaving a field empty says.
MAX_RETENTION_DAYS = 3650
Days = Annotated[StrictInt, Field(ge=1, le=MAX_RETENTION_DAYS)]

# What each retention field deletes, in the words the console and the errors use.
RETENTION_KINDS: dict[str, str] = {
    "page_views_days": "page views",
    "visits_days": "visits (with their page views, IP addresses and user agents)",
    "transcripts_days": "chat transcripts (the messages of ended chats)",
    "conversations_days": "ended chats (with their transcripts, calls and offers)",
    "visitors_days": "visitors not seen for that long (with everything about them)",
}


class RetentionSettings(BaseModel):
    """Days each kind of data is kept; null keeps it until it is erased. An ended chat counts
    from when it ended, a visit from its last page, a visitor from when they were last seen."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    page_views_days: Days | None = None
    visits_days: Days | None = None
    transcripts_days: Days | None = None
    conversations_days: Days | None = None
    visitors_days: Days | None = None

    @model_validator(mode="after")
    def _coherent(self) -> RetentionSettings:
        # Data cannot outlive what it belongs to: a page view goes with its visit, a transcript
        # with its chat, everything with its visitor. A longer period would promise what the
        # purge then does not keep, so it is refused with the reason.
        pairs = (
            ("page_views_days", "visits_days", "page views go with their visit"),
            ("transcripts_days", "conversations_days", "a transcript goes with its chat"),
            ("page_views_days", "visitors_days", "page views go with their visitor"),
            ("visits_days", "visitors_days", "visits go with their visitor"),
            ("transcripts_days", "visitors_days", "transcripts go with their visitor"),
            ("conversations_days", "visitors_days", "chats go with their visitor"),
        )
        for child, parent, why in pairs:
            kept, limit = getattr(self, child), getattr(self, parent)
            if kept is not None and limit is not None and kept > limit:
                raise ValueError(
                    f"{child} ({kept}) may not be longer than {parent} ({limit}): {why}"
                )
        return self

    def configured(self) -> bool:
        return any(value is not None for value in self.model_dump().values())


class PrivacySettingsOut(Closed):
    retention: RetentionSettings
    # full: the whole address; truncated: IPv4 /24 and IPv6 /48 only (the last octet, or the
    # last 80 bits, zeroed); none: no address at all. Enrichment always sees the full address
    # first, in memory, while the visitor is connected.
    ip_addresses: IpStorage
    # A browser that sends Sec-GPC: 1 or DNT: 1 is not tracked (docs/widget.md).
    honour_gpc: bool


class PrivacySettingsPatch(BaseModel):
    """Only the fields given change; `retention`, when given, replaces the whole policy
    (a field left out or null keeps that data until it is erased)."""

    model_config = ConfigDict(extra="forbid")

    retention: RetentionSettings | None = None
    ip_addresses: IpStorage | None = None
    honour_gpc: StrictBool | None = None


def privacy_settings(org: Org) -> PrivacySettingsOut:
    stored: Mapping[str, Any] = (org.settings or {}).get("privacy") or {}
    return PrivacySettingsOut(
        retention=RetentionSettings.model_validate(stored.get("retention") or {}),
        ip_addresses=stored.get("ip_addresses", "full"),
        honour_gpc=bool(stored.get("honour_gpc", False)),
    )


def merged_privacy(before: Mapping[str, Any], patch: PrivacySettingsPatch) -> dict[str, Any]:
    """The org's stored privacy settings after the patch."""
    merged = dict(before)
    if patch.retention is not None:
        merged["retention"] = patch.retention.model_dump(exclude_none=True)
    if patch.ip_addresses is not None:
        merged["ip_addresses"] = patch.ip_addresses
    if patch.honour_gpc is not None:
        merged["honour_gpc"] = patch.honour_gpc
    return merged
