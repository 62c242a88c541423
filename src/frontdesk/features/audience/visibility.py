"""Who sees what: the one place that decides which consoles and tabs an event reaches.

The rules, as the product states them (docs/segments-and-routing.md, "Routing"):

- An admin sees every visitor and every chat of the org.
- A rep sees a visitor or a chat routed to them.
- A rep sees the visitor whose chat they have, and that chat, routed to them or not (a
  transfer hands a chat to a rep outside its routing; a rep who started a chat keeps it).
- A visitor or a chat routed to nobody is seen by every rep of the org.
- A visitor's own tabs get every frame published for them (their chat's messages and state,
  a rep typing, invitations; see core/visitor_feed.py), except that the tab which sent a message
  skips its echo: it has the message in its ack already.

Whatever the subject, its audience travels as a `Visibility`: the reps it is routed to and
the rep who owns it. Every event published on an org topic carries one; the rep hub
(transport/rep_hub.py) filters live events with `Visibility.admits`, and the console snapshot,
the inbox lists and every read of one chat use the same method. What "routed" and "owner"
mean depends on the subject:

- a chat (`of_conversation`): its own routed reps (copied from the visit's when it opened;
  a transfer adds the new owner) and its owner;
- a visitor in the live stream (`of_visitor`): the reps their current visit is placed with
  (segment routing, features/segments/placement.py) and the owner of their chat. A visitor's
  socket keeps the owner it last heard of after the chat ends, so the rep who closed the
  chat still sees the visitor leave the site; a fresh snapshot counts open chats only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import ConfigDict

from frontdesk.core.schemas import Closed

if TYPE_CHECKING:
    from frontdesk.features.orgs import Authenticated


class Visibility(Closed):
    """Which reps may see the subject of an event (admins always; see the module's rules).
    Travels in the event, so consoles get it too."""

    model_config = ConfigDict(frozen=True)

    routed_rep_ids: list[str]
    owner_rep_id: str | None = None

    @property
    def everyone(self) -> bool:
        """Routed to nobody: every rep of the org sees it."""
        return not self.routed_rep_ids

    def admits(self, rep_id: str, *, is_admin: bool) -> bool:
        return (
            is_admin
            or not self.routed_rep_ids
            or rep_id in self.routed_rep_ids
            or self.owner_rep_id == rep_id
        )


# Routed to nobody and owned by nobody: most visitors. Shared (a frozen model, never changed)
# so that idle visitor sockets do not each keep their own copy (issue 2, bytes per socket).
EVERYONE = Visibility(routed_rep_ids=[])


class Routed(Protocol):
    """A subject with routing and an owner: a conversation row or the group writer's view."""

    @property
    def routed_rep_ids(self) -> Sequence[str] | None: ...

    @property
    def owner_rep_id(self) -> str | None: ...


def visibility(routed_rep_ids: Sequence[str] | None, owner_rep_id: str | None) -> Visibility:
    if not routed_rep_ids and owner_rep_id is None:
        return EVERYONE
    return Visibility(routed_rep_ids=list(routed_rep_ids or []), owner_rep_id=owner_rep_id)


def of_conversation(conversation: Routed) -> Visibility:
    return visibility(conversation.routed_rep_ids, conversation.owner_rep_id)


def of_visitor(
    visit_routed_rep_ids: Sequence[str] | None, chat_owner_rep_id: str | None
) -> Visibility:
    """A visitor in the live stream: their visit's routing and the owner of their chat."""
    return visibility(visit_routed_rep_ids, chat_owner_rep_id)


def only(rep_id: str) -> Visibility:
    """Something of one rep's own (an invitation they sent): that rep and admins."""
    return Visibility(routed_rep_ids=[rep_id], owner_rep_id=rep_id)


def from_event(value: dict[str, Any] | None) -> Visibility:
    """The `visibility` of an event read back from the bus; events without one (a rep's
    status, a stream resync) are for every console of the org."""
    if not value:
        return EVERYONE
    return Visibility.model_validate(value)


def rep_sees(actor: Authenticated, visibility: Visibility) -> bool:
    return visibility.admits(actor.rep.id, is_admin=actor.is_admin)


def rep_sees_conversation(actor: Authenticated, conversation: Routed) -> bool:
    return rep_sees(actor, of_conversation(conversation))
