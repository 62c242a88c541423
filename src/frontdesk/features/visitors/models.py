from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.storage.base import Base


class Contact(Base):
    """A person the customer's site vouched for with a valid identify() hash."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("org_id", "email"),)


class Visitor(Base):
    __tablename__ = "visitors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # anonymous | unverified | verified. Unverified claims never attach to a contact.
    identity_status: Mapped[str] = mapped_column(String(16), default="anonymous")
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
    blocked_at: Mapped[datetime | None]

    # Retention finds visitors not seen for N days (features/privacy/retention.py).
    __table_args__ = (Index("ix_visitors_org_last_seen", "org_id", "last_seen_at"),)


UTM_COLUMNS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Visits a landing URL's UTM parameters were kept for (Account 360's campaigns index).
HAS_UTM = " OR ".join(f"{column} IS NOT NULL" for column in UTM_COLUMNS)


class Visit(Base):
    """One stay on the site: starts when a visitor arrives after 30 minutes away."""

    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    # The browser's language, a short BCP-47 tag ("de", "pt-BR"; visitors.language_tag): what
    # the server writes into the visitor's chat is in it (features/orgs/visitor_texts.py).
    language: Mapped[str | None] = mapped_column(String(35))
    referrer: Mapped[str | None] = mapped_column(Text)
    landing_url: Mapped[str | None] = mapped_column(Text)
    utm_source: Mapped[str | None] = mapped_column(String(200))
    utm_medium: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200))
    utm_term: Mapped[str | None] = mapped_column(String(200))
    utm_content: Mapped[str | None] = mapped_column(String(200))
    page_view_count: Mapped[int] = mapped_column(Integer, default=0)
    # Where segmentation and routing placed this visit (see features/segments/placement.py).
    segment_id: Mapped[str | None] = mapped_column(String(32))
    routed_rep_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    routing_reason: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    # {"company": {"value", "source", "confidence"}, "country": {...}, ...}
    enrichment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_visits_visitor_started", "visitor_id", "started_at"),
        # Account 360 reads a company's visits (features/live_stream/account_360.py).
        Index("ix_visits_account_started", "account_id", "started_at"),
        # ...and its visitors with when each was last seen, from the index alone.
        Index(
            "ix_visits_org_account_visitor", "org_id", "account_id", "visitor_id", "last_seen_at"
        ),
        # ...and the campaigns that brought them (visits with a UTM parameter), likewise.
        Index(
            "ix_visits_account_campaigns",
            "org_id",
            "account_id",
            *UTM_COLUMNS,
            "visitor_id",
            "started_at",
            sqlite_where=text(HAS_UTM),
            postgresql_where=text(HAS_UTM),
        ),
        # Retention finds an org's visits whose last page is older than N days.
        Index("ix_visits_org_last_seen", "org_id", "last_seen_at"),
    )


class PageView(Base):
    __tablename__ = "page_views"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    referrer: Mapped[str | None] = mapped_column(Text)
    viewed_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_page_views_visit_viewed", "visit_id", "viewed_at"),
        # Retention deletes an org's oldest page views a batch at a time, each batch carrying
        # on after the last (viewed_at, id) deleted (features/privacy/retention.py).
        Index("ix_page_views_org_viewed_id", "org_id", "viewed_at", "id"),
    )
