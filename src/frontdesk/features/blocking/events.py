"""Blocking on the bus: the `blocked` frame to a visitor's tabs, and IP blocks to every process."""

from __future__ import annotations

from typing import Literal

from frontdesk.core import visitor_feed
from frontdesk.core.events import Event


class VisitorBlocked(Event):
    """To the visitor's tabs: forget the messenger and do not reconnect (then close 4403)."""

    type: Literal["blocked"] = "blocked"


# What a rep's block publishes on the visitor's topic (core/visitor_feed.py), packed once:
# every tab forgets the visitor and its socket closes.
BLOCKED_FEED = visitor_feed.pack(VisitorBlocked())


class IpBlocked(Event):
    """To every process's visitor registry (not a client frame): close the org's open visitor
    sockets from this address or range."""

    type: Literal["ip.blocked"] = "ip.blocked"
    cidr: str


class IpUnblocked(Event):
    """To every process's visitor registry (not a client frame): an IP block was lifted, so
    the org's cached blocks are read again before the next handshake."""

    type: Literal["ip.unblocked"] = "ip.unblocked"
    cidr: str
