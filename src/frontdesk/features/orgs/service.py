"""Orgs, reps and sign-in: the only place that creates, authenticates or revokes them."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from weakref import WeakValueDictionary

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from frontdesk.core.events import Event
from frontdesk.core.ids import new_id, new_secret, new_site_key
from frontdesk.core.ratelimit import parse_rules
from frontdesk.features.orgs.models import Org, Rep, RepSession
from frontdesk.features.orgs.schemas import ROLES, Availability, RepOut, Role
from frontdesk.features.orgs.settings import announce_org_changed
from frontdesk.runtime import Runtime, UnitOfWork, org_topic, rep_topic

SESSION_DAYS = 14
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verifying against this when the email is unknown keeps login timing the same either
    way. Made on first use, not at import: every `frontdesk` command imports this module, and
    an Argon2 hash costs 0.1-0.5 s."""
    return hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """What a rep row stores for a password (argon2id, salted)."""
    return _hasher.hash(password)


class RepDeactivated(Event):
    type: Literal["rep.deactivated"] = "rep.deactivated"
    rep_id: str


class SessionsRevoked(Event):
    """These sessions of the rep ended (sign-out, sign-out everywhere, a password change):
    every open console of them, on every process, closes with 4401 at once."""

    type: Literal["rep.sessions_revoked"] = "rep.sessions_revoked"
    rep_id: str
    session_ids: list[str]


class RepChanged(Event):
    """A rep's availability, toggles, role or activation changed (in every console's batch)."""

    type: Literal["rep.changed"] = "rep.changed"
    rep_id: str
    availability: Availability
    auto_pounce_enabled: bool
    auto_pounce_off_reason: str | None
    voice_video_enabled: bool
    role: Role
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


def canonical_email(value: str) -> str:
    """The one spelling of an email used to store it, look it up and count sign-in attempts:
    NFKC (full-width and compatibility characters fold to their plain forms), surrounding
    whitespace removed, case folded."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def normalise_email(value: str) -> str:
    email = canonical_email(value)
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


async def rotate_identity_secret(session: AsyncSession, org_id: str) -> Org:
    """A new identity-verification secret for the org. identify() reads the secret from the
    database on every call, so hashes made with the old one are refused at once, in every
    process (visitors already verified stay verified)."""
    org = await session.get(Org, org_id)
    if org is None:
        raise NotFound("org not found")
    org.identity_secret = new_secret(32)
    return org


async def org_by_site_key(session: AsyncSession, site_key: str) -> Org | None:
    return (await session.execute(select(Org).where(Org.site_key == site_key))).scalar_one_or_none()


COMMON_PASSWORDS = Path(__file__).parent / "common-passwords.txt"


@cache
def _common_passwords() -> frozenset[str]:
    """The 11,611 passwords of 8+ characters among the 30,000 commonest in zxcvbn 4.5.0's
    frequency list (MIT, common-passwords-LICENSE), lower-cased."""
    return frozenset(COMMON_PASSWORDS.read_text(encoding="utf-8").split())


def validate_password(password: str, *, email: str | None = None) -> None:
    """Length, not one of the commonest passwords, not the email (case ignored)."""
    if len(password) < 8:
        raise ValidationFailed("a password needs at least 8 characters")
    if len(password) > 256:
        raise ValidationFailed("a password may have at most 256 characters")
    folded = password.casefold()
    if folded in _common_passwords():
        raise ValidationFailed("this password is one of the most common ones; choose another")
    if len(set(folded)) < 3:
        raise ValidationFailed("a password needs at least 3 different characters")
    if email is not None:
        address = canonical_email(email)
        if folded in (address, address.split("@")[0]):
            raise ValidationFailed("a password must not be the email address")


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
    if role not in ROLES:
        raise ValidationFailed("role must be one of rep, lead (team lead) or admin")
    validate_password(password, email=email)
    # Only this org's reps count: whether another org has the address is not this admin's
    # business (emails are unique per org; sign-in tells same-email reps apart).
    taken = await session.execute(
        select(func.count()).where(Rep.org_id == org_id, Rep.email == email)
    )
    if taken.scalar_one():
        raise Conflict(f"a rep with email {email} already exists in this org")
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


_TOO_MANY = "too many sign-in attempts; wait a minute and try again"


async def sign_in(
    runtime: Runtime,
    email: str,
    password: str,
    *,
    ip: str | None,
    user_agent: str | None,
    org_id: str | None = None,
) -> SignedIn:
    """Check the password, limited per (IP, email) and, for wrong passwords, per IP across
    all emails (password spraying). Both limits key on the canonical email, the one the
    lookup uses, so ' bf@x' and 'BF@X' share bf@x's attempts."""
    email = canonical_email(email)
    client = ip or "unknown"
    limiter = runtime.rate_limiter
    failures_per_ip = parse_rules(runtime.settings.login_failures_per_ip)
    failures_key = f"login-failures:{client}"
    # One attempt at a time per IP in this process, so a burst of parallel guesses cannot all
    # pass the failure check before the first of them is counted (with several processes the
    # limit can be overshot by at most one guess per process).
    async with _ip_lock(runtime, client):
        if not await limiter.within(failures_per_ip, failures_key):
            raise RateLimited(_TOO_MANY)
        per_email = runtime.settings.login_attempts_per_minute
        if not await limiter.hit(f"login:{client}:{email}", per_email, 60):
            raise RateLimited(_TOO_MANY)
        try:
            return await _check_password_and_open_session(
                runtime, email, password, org_id=org_id, ip=ip, user_agent=user_agent
            )
        except NotAuthenticated:
            await limiter.hit_all(failures_per_ip, failures_key)
            raise


def _password_matches(rep: Rep | None, password: str) -> bool:
    """Verifies against a dummy hash when there is no rep, so an unknown email takes as long."""
    try:
        known = rep.password_hash if rep else _dummy_hash(_hasher)
        return _hasher.verify(known, password) and bool(rep)
    except (VerificationError, InvalidHashError):
        return False


def _ip_lock(runtime: Runtime, ip: str) -> asyncio.Lock:
    locks = runtime.state.setdefault("orgs.sign_in_locks", WeakValueDictionary())
    assert isinstance(locks, WeakValueDictionary)
    lock: asyncio.Lock | None = locks.get(ip)
    if lock is None:
        lock = locks[ip] = asyncio.Lock()
    return lock


class ChooseOrg(Conflict):
    """The email and password are right for reps of several orgs: the client must say which
    (`org_id`). Only orgs whose password matched are named, so this tells nobody anything
    they could not sign in to anyway."""

    code = "choose_org"


async def _check_password_and_open_session(
    runtime: Runtime,
    email: str,
    password: str,
    *,
    org_id: str | None,
    ip: str | None,
    user_agent: str | None,
) -> SignedIn:
    async with runtime.db.transaction() as session:
        candidates = list(
            (
                await session.execute(
                    select(Rep).where(Rep.email == email).order_by(Rep.created_at).limit(20)
                )
            ).scalars()
        )
        if not candidates:
            _password_matches(None, password)  # an unknown email takes as long as a known one
        # Every candidate is verified (not just until the first match) so the time taken does
        # not depend on which org's rep the password belongs to.
        verified = [rep for rep in candidates if _password_matches(rep, password)]
        matches = [rep for rep in verified if rep.active]
        if org_id is not None:
            matches = [rep for rep in matches if rep.org_id == org_id]
        if not matches:
            raise NotAuthenticated("wrong email or password")
        if len(matches) > 1:
            names = {
                org.id: org.name
                for org in (
                    await session.execute(
                        select(Org).where(Org.id.in_([r.org_id for r in matches]))
                    )
                ).scalars()
            }
            raise ChooseOrg(
                "this email signs in to several orgs; choose one",
                details={"orgs": [{"id": r.org_id, "name": names.get(r.org_id)} for r in matches]},
            )
        rep = matches[0]
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

    @property
    def is_lead(self) -> bool:
        return self.rep.role == "lead"

    @property
    def sees_every_rep(self) -> bool:
        """Reads every rep's reports (any rep or team filter, the CSV exports) and Account 360
        across the org: admins and team leads. Nothing an admin configures follows from it."""
        return self.rep.role in ("admin", "lead")

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


async def _revoke_sessions(
    work: UnitOfWork, rep_id: str, *, keep: str | None = None, announce: bool = True
) -> None:
    """Ends the rep's live sessions (all of them, or all but `keep`) in this transaction; once
    it commits, their open sockets are told to close (unless the caller announces it its own
    way: a deactivation closes every socket of the rep with the reason "deactivated")."""
    statement = (
        update(RepSession)
        .where(RepSession.rep_id == rep_id, RepSession.revoked_at.is_(None))
        .values(revoked_at=work.now_clock.now())
        .returning(RepSession.id)
    )
    if keep is not None:
        statement = statement.where(RepSession.id != keep)
    revoked = list((await work.session.execute(statement)).scalars())
    if revoked and announce:
        work.emit([rep_topic(rep_id)], SessionsRevoked(rep_id=rep_id, session_ids=revoked))


async def sign_out(runtime: Runtime, actor: Authenticated) -> None:
    """Ends this browser's session; its open consoles close with 4401."""
    async with runtime.uow() as work:
        await work.session.execute(
            update(RepSession)
            .where(RepSession.id == actor.session_id)
            .values(revoked_at=work.now_clock.now())
        )
        work.emit(
            [rep_topic(actor.rep.id)],
            SessionsRevoked(rep_id=actor.rep.id, session_ids=[actor.session_id]),
        )


async def sign_out_everywhere(runtime: Runtime, actor: Authenticated) -> None:
    """Ends every session of the rep, this one included (a lost laptop, a shared computer)."""
    async with runtime.uow() as work:
        await _revoke_sessions(work, actor.rep.id)


async def change_password(
    runtime: Runtime, actor: Authenticated, current_password: str, new_password: str
) -> None:
    """A rep changes their own password. Every other session ends (whoever else knew the old
    password is out); this browser stays signed in."""
    validate_password(new_password, email=actor.rep.email)
    async with runtime.uow() as work:
        rep = await work.session.get(Rep, actor.rep.id)
        if rep is None or not rep.active:
            raise NotAuthenticated("this session has ended; sign in again")
        try:
            _hasher.verify(rep.password_hash, current_password)
        except (VerificationError, InvalidHashError):
            raise Forbidden("the current password is wrong") from None
        rep.password_hash = _hasher.hash(new_password)
        await _revoke_sessions(work, rep.id, keep=actor.session_id)


async def session_is_live(runtime: Runtime, actor: Authenticated) -> bool:
    """False once the actor's session was revoked or expired, or the rep deactivated: for
    long-lived sockets that must not outlive their session even if a revocation event was
    lost on the bus."""
    async with runtime.db.read() as session:
        row = (
            await session.execute(
                select(RepSession.revoked_at, RepSession.expires_at, Rep.active)
                .join(Rep, Rep.id == RepSession.rep_id)
                .where(RepSession.id == actor.session_id)
            )
        ).one_or_none()
    if row is None:
        return False
    revoked_at, expires_at, active = row
    return revoked_at is None and active and expires_at > runtime.clock.now()


async def authenticate_again(runtime: Runtime, actor: Authenticated) -> Authenticated:
    """Writes re-check the session and the rep, as an HTTP request would: a sign-out or a
    deactivation ends everything at once, even if its bus event never reached this process."""
    async with runtime.db.read() as session:
        row = (
            await session.execute(
                select(RepSession, Rep)
                .join(Rep, Rep.id == RepSession.rep_id)
                .where(RepSession.id == actor.session_id)
            )
        ).one_or_none()
    if row is None:
        raise NotAuthenticated("this session has ended; sign in again")
    rep_session, rep = row
    if not rep.active:
        raise NotAuthenticated("this rep has been deactivated")
    if rep_session.revoked_at is not None or rep_session.expires_at <= runtime.clock.now():
        raise NotAuthenticated("this session has ended; sign in again")
    return Authenticated(rep, actor.session_id, actor.csrf_token)


async def get_org(session: AsyncSession, org_id: str) -> Org | None:
    return await session.get(Org, org_id)


async def identity_secret(session: AsyncSession, org_id: str) -> str:
    """The secret the org's server signs identify() calls with."""
    org = await session.get(Org, org_id)
    if org is None:
        raise NotFound("org not found")
    return org.identity_secret


async def get_rep(session: AsyncSession, org_id: str, rep_id: str) -> Rep:
    rep = await session.get(Rep, rep_id)
    if rep is None or rep.org_id != org_id:
        raise NotFound("rep not found")
    return rep


def rep_out(rep: Rep) -> RepOut:
    return RepOut(
        id=rep.id,
        email=rep.email,
        name=rep.name,
        role=rep.role,
        availability=rep.availability,
        auto_pounce_enabled=rep.auto_pounce_enabled,
        auto_pounce_off_reason=rep.auto_pounce_off_reason,
        voice_video_enabled=rep.voice_video_enabled,
        active=rep.active,
    )


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
    if rep.id == actor.rep.id and (active is False or role not in (None, "admin")):
        raise ValidationFailed("you cannot deactivate or demote yourself")
    if role is not None:
        if role not in ROLES:
            raise ValidationFailed("role must be one of rep, lead (team lead) or admin")
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
            await _revoke_sessions(work, rep.id, announce=False)
            work.emit([rep_topic(rep.id)], RepDeactivated(rep_id=rep.id))
    work.emit([org_topic(rep.org_id)], rep_changed(rep))
    return rep


REP_STATUS_CHANGED_HOOK = "rep.status_changed"


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
    # Features react (a rep back to Available may take a queued chat).
    await work.run_hooks(REP_STATUS_CHANGED_HOOK, rep)
    return rep


async def list_reps(session: AsyncSession, org_id: str) -> list[Rep]:
    rows = await session.execute(select(Rep).where(Rep.org_id == org_id).order_by(Rep.name))
    return list(rows.scalars())


async def set_email_preferences(
    work: UnitOfWork,
    actor: Authenticated,
    *,
    missed_chat_emails: bool | None = None,
    daily_summary_email: bool | None = None,
) -> Rep:
    """A rep's own email preferences; only admins may get the daily summary."""
    rep = await get_rep(work.session, actor.org_id, actor.rep.id)
    if missed_chat_emails is not None:
        rep.missed_chat_emails = missed_chat_emails
    if daily_summary_email is not None:
        if daily_summary_email and rep.role != "admin":
            raise Forbidden("the daily summary email is for admins")
        rep.daily_summary_email = daily_summary_email
    return rep
