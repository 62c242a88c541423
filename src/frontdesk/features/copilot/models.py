"""The copilot's tables: what each org's copilot knows (items and their passages, with the
vectors stored next to the model id that made them), its website sources, its on/off switch
and version, and how often each rep used it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class CopilotOrg(Base):
    """One row per org that has touched the copilot: on/off, and a version that every change
    to the org's knowledge bumps, so each process knows when its in-memory index is stale."""

    __tablename__ = "copilot_orgs"

    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # count:max(updated_at) of the org's Org Shortcuts when they were last copied in
    shortcuts_seen: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime]


class WebSource(Base):
    """A sitemap or a list of page URLs on the org's own website, fetched on a schedule."""

    __tablename__ = "copilot_web_sources"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # sitemap | urls
    urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    refresh_hours: Mapped[int] = mapped_column(Integer, default=24)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|ok|error
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_fetched_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class KnowledgeItem(Base):
    """One thing the copilot may answer from, with where it came from: an article or a Q&A
    pair (admins), a website page, an Org Shortcut, or a past rep answer."""

    __tablename__ = "copilot_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # article | qa | page | shortcut | past_answer
    title: Mapped[str] = mapped_column(String(300))
    question: Mapped[str | None] = mapped_column(Text)  # qa, past_answer
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)  # page
    source_id: Mapped[str | None] = mapped_column(
        ForeignKey("copilot_web_sources.id", ondelete="CASCADE"), index=True
    )
    # the shortcut or the conversation an item was taken from
    ref_id: Mapped[str | None] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_copilot_items_org_kind", "org_id", "kind"),)


class Passage(Base):
    """A piece of an item small enough to embed, with its vector (float32, normalised) and
    the id of the model that made it; a vector of another model counts as missing."""

    __tablename__ = "copilot_passages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(
        ForeignKey("copilot_items.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    model_id: Mapped[str | None] = mapped_column(String(64))


class CopilotUsage(Base):
    """How often a rep used Suggest, Expand and Tune (admins see it per rep)."""

    __tablename__ = "copilot_usage"

    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_used_at: Mapped[datetime]
