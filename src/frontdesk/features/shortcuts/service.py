"""My Shortcuts and Org Shortcuts: create, edit, list, and fill in for a conversation."""

from __future__ import annotations

import re
from typing import Any, Literal

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.formatting import (
    BRACE_VARIABLE,
    fill_template,
    render_markdown,
    variable_source,
)
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Rep
from frontdesk.features.shortcuts.models import Shortcut
from frontdesk.features.shortcuts.schemas import FilledShortcut, ShortcutOut
from frontdesk.features.visitors.models import Visitor
from frontdesk.live import LiveState

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
VARIABLES = (
    "visitor.first_name",
    "visitor.name",
    "visitor.email",
    "company",
    "page.title",
    "page.url",
    "rep.first_name",
    "rep.name",
)
Scope = Literal["mine", "org"]


def shortcut_out(shortcut: Shortcut) -> ShortcutOut:
    return ShortcutOut(
        id=shortcut.id,
        name=shortcut.name,
        body=shortcut.body,
        html=render_markdown(shortcut.body),
        scope="org" if shortcut.scope == "org" else "mine",
        usage_count=shortcut.usage_count,
    )


def _check(name: str, body: str) -> None:
    if not NAME_RE.match(name):
        raise ValidationFailed(
            "a shortcut name is 1 to 40 letters, digits, '-' or '_' (used as /name)"
        )
    if not body.strip() or len(body) > 10_000:
        raise ValidationFailed("a shortcut needs text of 1 to 10,000 characters")


def _may_edit(actor: Authenticated, shortcut: Shortcut) -> None:
    if shortcut.scope == "org" and not actor.is_admin:
        raise Forbidden("only admins create or edit Org Shortcuts")
    if shortcut.scope not in ("org", actor.rep.id):
        raise NotFound("shortcut not found")


async def list_shortcuts(session: AsyncSession, actor: Authenticated) -> list[Shortcut]:
    rows = await session.execute(
        select(Shortcut)
        .where(
            Shortcut.org_id == actor.org_id,
            or_(Shortcut.scope == "org", Shortcut.scope == actor.rep.id),
        )
        .order_by(Shortcut.usage_count.desc(), Shortcut.name)
    )
    return list(rows.scalars())


async def create_shortcut(
    session: AsyncSession, actor: Authenticated, scope: Scope, name: str, body: str, now: Any
) -> Shortcut:
    _check(name, body)
    if scope == "org" and not actor.is_admin:
        raise Forbidden("only admins create or edit Org Shortcuts")
    shortcut = Shortcut(
        id=new_id(),
        org_id=actor.org_id,
        scope="org" if scope == "org" else actor.rep.id,
        name=name,
        body=body,
        usage_count=0,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(shortcut)
    except IntegrityError:
        raise Conflict(f"a shortcut named /{name} already exists there") from None
    return shortcut


async def get_shortcut(session: AsyncSession, actor: Authenticated, shortcut_id: str) -> Shortcut:
    shortcut = await session.get(Shortcut, shortcut_id)
    if (
        shortcut is None
        or shortcut.org_id != actor.org_id
        or shortcut.scope not in ("org", actor.rep.id)
    ):
        raise NotFound("shortcut not found")
    return shortcut


async def update_shortcut(
    session: AsyncSession,
    actor: Authenticated,
    shortcut_id: str,
    name: str | None,
    body: str | None,
    now: Any,
) -> Shortcut:
    shortcut = await get_shortcut(session, actor, shortcut_id)
    _may_edit(actor, shortcut)
    _check(name or shortcut.name, body or shortcut.body)
    shortcut.name = name or shortcut.name
    shortcut.body = body or shortcut.body
    shortcut.updated_at = now
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"a shortcut named /{name} already exists there") from None
    return shortcut


async def delete_shortcut(session: AsyncSession, actor: Authenticated, shortcut_id: str) -> None:
    shortcut = await get_shortcut(session, actor, shortcut_id)
    _may_edit(actor, shortcut)
    await session.delete(shortcut)


async def use_shortcut(
    session: AsyncSession,
    live: LiveState,
    actor: Authenticated,
    shortcut_id: str,
    conversation_id: str | None,
    *,
    visitor_id: str | None = None,
    count: bool = True,
) -> FilledShortcut:
    """Fill in the variables for the visitor of this conversation (or, before there is one,
    as in the Pounce dialog, for this visitor) and count the use. Both fill from the same
    source as invitations. The rep edits the text before sending; unknown or empty variables
    are left out."""
    shortcut = await get_shortcut(session, actor, shortcut_id)
    rep = await session.get(Rep, actor.rep.id)
    assert rep is not None
    if conversation_id:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or conversation.org_id != actor.org_id:
            raise NotFound("conversation not found")
        if visitor_id is not None and visitor_id != conversation.visitor_id:
            raise ValidationFailed("visitor_id is not this conversation's visitor")
        visitor_id = conversation.visitor_id
    visitor = None
    if visitor_id:
        visitor = await session.get(Visitor, visitor_id)
        if visitor is None or visitor.org_id != actor.org_id:
            raise NotFound("visitor not found")
    source = await variable_source(session, live, visitor, rep.name)
    text = fill_template(shortcut.body, source.shortcut_values(), BRACE_VARIABLE)
    if count:
        await session.execute(
            update(Shortcut)
            .where(Shortcut.id == shortcut.id)
            .values(usage_count=Shortcut.usage_count + 1)
        )
    return FilledShortcut(
        text=text,
        html=render_markdown(text, preview=True) if text else "",
        shortcut=shortcut_out(shortcut),
    )
