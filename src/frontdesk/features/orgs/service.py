"""Orgs, reps and sign-in: the only place that creates, authenticates or revokes them."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from frontdesk.core.events import Event
from frontdesk.core.ids import new_id, new_secret, new_site_key
from frontdesk.features.orgs.models import Org, Rep, RepSession
from frontdesk.features.orgs.settings import announce_org_changed
from frontdesk.runtime import Runtime, UnitOfWork, org_topic, rep_topic

SESSION_DAYS = 14
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
Role = Literal["admin", "rep"]

_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps login timing the same either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class RepDeactivated(Event):
    name = "rep.deactivated"
    rep_id: str


class RepChanged(Event):
    name = "rep.changed"
    rep_id: str
    availability: str
    auto_pounce_enabled: bool
    auto_pounce_off_reason: str | None
    voice_video_enabled: bool
    role: str
    active: bool


def normalise_origin(value: str) -> str:
    """'https://Example.com/path' -> 'https://example.com'; refuses anything but http(s)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(f"website origin {value!r} must look like https://www.example.com")
    host = parts.hostname.lower()
    default_port = 443 if parts.scheme == "https" else 80
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{host}{port}"


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise ValidationFailed(f"{value!r} is not an email address")
    return email


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_org(session: AsyncSession, runtime: Runtime, name: str, origins: list[str]) -> Org:
    name = name.strip()
    if not name:
        raise ValidationFailed("an org needs a name")
    org = Org(
        id=new_id(),
        name=name[:200],
        site_key=new_site_key(),
        allowed_origins=sorted({normalise_origin(o) for o in origins}),
        identity_secret=new_secret(32),
        idle_after_seconds=60,
        settings={},
        created_at=runtime.clock.now(),
    )
    session.add(org)
    await session.flush()
    return org


async def set_origins(work: UnitOfWork, org_id: str, origins: list[str]) -> Org:
    org = await work.session.get(Org, org_id)
    if org is None:
        raise NotFound("org not found")
    org.allowed_origins = sorted({normalise_origin(o) for o in origins})
    announce_org_changed(work, org)  # every process's cached row, at once
    return org


async def org_by_site_key(session: AsyncSession, site_key: str) -> Org | None:
    return (await session.execute(select(Org).where(Org.site_key == site_key))).scalar_one_or_none()


def validate_password(password: str) -> None:
    if len(password) < 8:
        raise ValidationFailed("a password needs at least 8 characters")
    if len(password) > 256:
        raise ValidationFailed("a password may have at most 256 characters")


async def create_rep(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: str,
    email: str,
    name: str,
    role: Role,
    password: str,
) -> Rep:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ValidationFailed("a rep needs a name")
    if role not in ("admin", "rep"):
        raise ValidationFailed("role must be admin or rep")
    validate_password(password)
    taken = await session.execute(select(func.count()).where(Rep.email == email))
    if taken.scalar_one():
        raise Conflict(f"a rep with email {email} already exists")
    rep = Rep(
        id=new_id(),
        org_id=org_id,
        email=email,
        name=name[:200],
        role=role,
        password_hash=_hasher.hash(password),
        availability="away",
        auto_pounce_enabled=False,
        voice_video_enabled=False,
        active=True,
        created_at=runtime.clock.now(),
    )
    session.add(rep)
    await session.flush()
    return rep


@dataclass(frozen=True)
class SignedIn:
    rep: Rep
    session_token: str
    csrf_token: str


async def sign_in(
    runtime: Runtime, email: str, password: str, *, ip: str | None, user_agent: str | None
) -> SignedIn:
    email = email.strip().lower()
    async with runtime.db.transaction() as session:
        rep = (await session.execute(select(Rep).where(Rep.email == email))).scalar_one_or_none()
        try:
            _hasher.verify(rep.password_hash if rep else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            rep = None
        if rep is None or not rep.active:
            raise NotAuthenticated("wrong email or password")
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = runtime.clock.now()
        session.add(
            RepSession(
                id=new_id(),
                org_id=rep.org_id,
                rep_id=rep.id,
                token_hash=hash_token(token),
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(days=SESSION_DAYS),
                revoked_at=None,
                ip=ip,
                user_agent=(user_agent or "")[:512] or None,
            )
        )
    return SignedIn(rep, token, csrf)


@dataclass(frozen=True)
class Authenticated:
    rep: Rep
    session_id: str
    csrf_token: str

    @property
    def org_id(self) -> str:
        return self.rep.org_id

    @property
    def is_admin(self) -> bool:
        return self.rep.role == "admin"

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("only admins may do this")


async def authenticate(runtime: Runtime, token: str | None) -> Authenticated:
    if not token:
        raise NotAuthenticated("sign in first")
    async with runtime.db.read() as session:
        row = (
            await session.execute(
                select(RepSession, Rep)
                .join(Rep, Rep.id == RepSession.rep_id)
                .where(RepSession.token_hash == hash_token(token))
            )
        ).one_or_none()
    if row is None:
        raise NotAuthenticated("sign in first")
    rep_session, rep = row
    if rep_session.revoked_at is not None or not rep.active:
        raise NotAuthenticated("this session has ended; sign in again")
    if rep_session.expires_at <= runtime.clock.now():
        raise NotAuthenticated("this session has expired; sign in again")
    return Authenticated(rep, rep_session.id, rep_session.csrf_token)


async def sign_out(runtime: Runtime, session_id: str) -> None:
    async with runtime.db.transaction() as session:
        await session.execute(
            update(RepSession)
            .where(RepSession.id == session_id)
            .values(revoked_at=runtime.clock.now())
        )


async def get_rep(session: AsyncSession, org_id: str, rep_id: str) -> Rep:
    rep = await session.get(Rep, rep_id)
    if rep is None or rep.org_id != org_id:
        raise NotFound("rep not found")
    return rep


def rep_changed(rep: Rep) -> RepChanged:
    return RepChanged(
        rep_id=rep.id,
        availability=rep.availability,
        auto_pounce_enabled=rep.auto_pounce_enabled,
        auto_pounce_off_reason=rep.auto_pounce_off_reason,
        voice_video_enabled=rep.voice_video_enabled,
        role=rep.role,
        active=rep.active,
    )


async def update_rep(
    work: UnitOfWork,
    actor: Authenticated,
    rep_id: str,
    *,
    role: Role | None = None,
    active: bool | None = None,
    name: str | None = None,
) -> Rep:
    actor.require_admin()
    rep = await get_rep(work.session, actor.org_id, rep_id)
    if rep.id == actor.rep.id and (active is False or role == "rep"):
        raise ValidationFailed("you cannot deactivate or demote yourself")
    if role is not None:
        rep.role = role
    if name is not None:
        if not name.strip():
            raise ValidationFailed("a rep needs a name")
        rep.name = name.strip()[:200]
    if active is not None and active != rep.active:
        rep.active = active
        if not active:
            rep.availability = "away"
            # Deactivation ends every session at once, and open sockets close on the event.
            await work.session.execute(
                update(RepSession)
                .where(RepSession.rep_id == rep.id, RepSession.revoked_at.is_(None))
                .values(revoked_at=work.now_clock.now())
            )
            work.emit([rep_topic(rep.id)], RepDeactivated(rep_id=rep.id))
    work.emit([org_topic(rep.org_id)], rep_changed(rep))
    return rep


async def set_my_status(
    work: UnitOfWork,
    actor: Authenticated,
    *,
    availability: Literal["available", "away"] | None = None,
    auto_pounce_enabled: bool | None = None,
    voice_video_enabled: bool | None = None,
) -> Rep:
    rep = await get_rep(work.session, actor.org_id, actor.rep.id)
    if availability is not None and availability != rep.availability:
        rep.availability = availability
        if availability == "available":
            # Going Available turns both on by default, as reps expect; they can turn them off.
            rep.auto_pounce_enabled = True
            rep.voice_video_enabled = True
    if auto_pounce_enabled is not None:
        rep.auto_pounce_enabled = auto_pounce_enabled
    if rep.auto_pounce_enabled:
        rep.auto_pounce_off_reason = None
    if voice_video_enabled is not None:
        rep.voice_video_enabled = voice_video_enabled
    work.emit([org_topic(rep.org_id)], rep_changed(rep))
    return rep


async def list_reps(session: AsyncSession, org_id: str) -> list[Rep]:
    rows = await session.execute(select(Rep).where(Rep.org_id == org_id).order_by(Rep.name))
    return list(rows.scalars())
