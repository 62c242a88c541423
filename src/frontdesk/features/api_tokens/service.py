"""Org API tokens: made by an admin, shown once, stored hashed, scoped, revocable at once.

A token acts for the admin who made it (the console and the audit log name them), within its
scopes: `read` allows GET requests, `write` the other requests a rep may make, `admin` the
requests only admins may make (each needs its own scope: a token with only `admin` cannot
read). It stops working when revoked, or when that admin is deactivated or is no longer an
admin (for `admin` requests). Every request looks the token up in the database, so a revoked
token is refused at once by every process; there is no cache to invalidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotAuthenticated, NotFound, RateLimited
from frontdesk.core.ids import new_id, new_secret
from frontdesk.core.ratelimit import parse_rules
from frontdesk.features.api_tokens.models import ApiToken
from frontdesk.features.api_tokens.schemas import ApiTokenOut, NewApiToken, Scope
from frontdesk.features.orgs import Authenticated, hash_token
from frontdesk.features.orgs.models import Rep
from frontdesk.runtime import Runtime

TOKEN_PREFIX = "fd_"  # noqa: S105 (a prefix, not a secret)
# last_used_at is written at most this often per token (not on every request).
LAST_USED_EVERY = timedelta(seconds=60)


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def token_out(token: ApiToken, created_by: str) -> ApiTokenOut:
    return ApiTokenOut(
        id=token.id,
        name=token.name,
        scopes=cast(list[Scope], list(token.scopes)),
        prefix=token.prefix,
        created_by=created_by,
        created_at=token.created_at.isoformat(),
        last_used_at=token.last_used_at.isoformat() if token.last_used_at else None,
        revoked_at=token.revoked_at.isoformat() if token.revoked_at else None,
    )


async def create_token(
    session: AsyncSession, runtime: Runtime, actor: Authenticated, name: str, scopes: Sequence[str]
) -> NewApiToken:
    secret = TOKEN_PREFIX + new_secret(32)
    token = ApiToken(
        id=new_id(),
        org_id=actor.org_id,
        name=name.strip(),
        scopes=sorted(set(scopes), key=["read", "write", "admin"].index),
        token_hash=hash_token(secret),
        prefix=secret[:7],
        created_by_rep_id=actor.rep.id,
        created_at=runtime.clock.now(),
        last_used_at=None,
        revoked_at=None,
    )
    session.add(token)
    await session.flush()
    return NewApiToken(**token_out(token, actor.rep.name).model_dump(), token=secret)


async def list_tokens(session: AsyncSession, org_id: str) -> list[ApiTokenOut]:
    rows = (
        await session.execute(
            select(ApiToken, Rep.name)
            .join(Rep, Rep.id == ApiToken.created_by_rep_id)
            .where(ApiToken.org_id == org_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id)
        )
    ).all()
    return [token_out(token, rep_name) for token, rep_name in rows]


async def revoke_token(
    session: AsyncSession, runtime: Runtime, org_id: str, token_id: str
) -> ApiTokenOut:
    row = (
        await session.execute(
            select(ApiToken, Rep.name)
            .join(Rep, Rep.id == ApiToken.created_by_rep_id)
            .where(ApiToken.id == token_id, ApiToken.org_id == org_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("no such API token")
    token, rep_name = row
    if token.revoked_at is None:
        token.revoked_at = runtime.clock.now()
        await session.flush()
    return token_out(token, rep_name)


@dataclass(frozen=True)
class TokenActor:
    actor: Authenticated
    token_id: str
    token_name: str
    scopes: frozenset[str]


async def authenticate_token(runtime: Runtime, secret: str) -> TokenActor:
    """The token's actor (its creator, acting through it), counted against the token's rate
    limit; NotAuthenticated for an unknown, revoked or orphaned token."""
    async with runtime.db.read() as session:
        row = (
            await session.execute(
                select(ApiToken, Rep)
                .join(Rep, Rep.id == ApiToken.created_by_rep_id)
                .where(ApiToken.token_hash == hash_token(secret))
            )
        ).one_or_none()
    if row is None:
        raise NotAuthenticated("unknown API token")
    token, rep = row
    if token.revoked_at is not None:
        raise NotAuthenticated("this API token was revoked")
    if not rep.active:
        raise NotAuthenticated("the admin who made this API token was deactivated")
    rules = parse_rules(runtime.settings.api_token_requests)
    if not await runtime.rate_limiter.hit_all(rules, f"api_token:{token.id}"):
        raise RateLimited(
            f"this API token made more than {runtime.settings.api_token_requests} requests; "
            "slow down"
        )
    now = runtime.clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        async with runtime.db.transaction() as session:
            await session.execute(
                update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
            )
    return TokenActor(
        Authenticated(rep, f"token:{token.id}", ""),
        token.id,
        token.name,
        frozenset(token.scopes),
    )
