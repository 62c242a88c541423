"""Who sees what (features/audience/visibility.py), stated as the product states it."""

from __future__ import annotations

from frontdesk.features import audience
from frontdesk.features.audience import EVERYONE, Visibility
from frontdesk.features.orgs.models import Rep
from frontdesk.features.orgs.service import Authenticated

DANA, SAM, CARL = "rep-dana", "rep-sam", "rep-carl"


def _signed_in(rep_id: str, role: str = "rep") -> Authenticated:
    return Authenticated(Rep(id=rep_id, org_id="org", role=role), "session", "csrf")


def test_an_admin_sees_every_visitor_and_every_chat() -> None:
    routed_elsewhere = audience.of_visitor([DANA], SAM)
    assert routed_elsewhere.admits("rep-admin", is_admin=True)
    assert audience.rep_sees(_signed_in("rep-admin", "admin"), routed_elsewhere)


def test_a_rep_sees_a_visitor_routed_to_them() -> None:
    assert audience.of_visitor([DANA, SAM], None).admits(SAM, is_admin=False)


def test_a_rep_sees_the_visitor_whose_chat_they_have_though_routed_to_someone_else() -> None:
    # The case the old console snapshot got wrong: it looked at routing only.
    assert audience.of_visitor([DANA], SAM).admits(SAM, is_admin=False)


def test_a_rep_does_not_see_a_visitor_routed_to_others_and_chatting_with_someone_else() -> None:
    visibility = audience.of_visitor([DANA], SAM)
    assert not visibility.admits(CARL, is_admin=False)
    assert not audience.rep_sees(_signed_in(CARL), visibility)


def test_every_rep_sees_a_visitor_routed_to_nobody() -> None:
    unrouted = audience.of_visitor([], None)
    assert unrouted.everyone
    assert all(unrouted.admits(rep, is_admin=False) for rep in (DANA, SAM, CARL))
    # Whoever has their chat, nobody else loses sight of an unrouted visitor.
    assert audience.of_visitor([], SAM).admits(CARL, is_admin=False)


def test_unrouted_unowned_visitors_share_one_visibility() -> None:
    # Idle sockets are counted in bytes: most visitors keep the same object, not a copy each.
    assert audience.of_visitor([], None) is EVERYONE
    assert audience.visibility(None, None) is EVERYONE
    assert audience.of_visitor([DANA], None) is not EVERYONE


class _Chat:
    def __init__(self, routed_rep_ids: list[str] | None, owner_rep_id: str | None) -> None:
        self.routed_rep_ids = routed_rep_ids
        self.owner_rep_id = owner_rep_id


def test_a_chat_is_seen_by_its_routed_reps_its_owner_and_admins() -> None:
    chat = _Chat([DANA], SAM)
    assert audience.of_conversation(chat) == Visibility(routed_rep_ids=[DANA], owner_rep_id=SAM)
    assert audience.rep_sees_conversation(_signed_in(DANA), chat)
    assert audience.rep_sees_conversation(_signed_in(SAM), chat)
    assert audience.rep_sees_conversation(_signed_in("rep-admin", "admin"), chat)
    assert not audience.rep_sees_conversation(_signed_in(CARL), chat)
    assert audience.rep_sees_conversation(_signed_in(CARL), _Chat(None, None))


def test_an_invitation_is_seen_by_the_rep_who_sent_it_and_admins_only() -> None:
    mine = audience.only(SAM)
    assert mine.admits(SAM, is_admin=False) and mine.admits(DANA, is_admin=True)
    assert not mine.admits(DANA, is_admin=False)


def test_an_event_without_a_visibility_is_for_every_console() -> None:
    # A rep's status, a stream resync: the rep hub reads these back from the bus.
    assert audience.from_event(None) is EVERYONE
    read = audience.from_event({"routed_rep_ids": [DANA], "owner_rep_id": SAM})
    assert read == audience.of_visitor([DANA], SAM)
