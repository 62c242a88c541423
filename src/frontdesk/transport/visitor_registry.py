"""Per-process registry of open visitor sockets, by org.

Lets one message reach every local visitor socket of an org (for example "segments changed:
re-read your placement", or "this IP range is blocked now: close the sockets from it"), with
one bus subscription per org per process instead of one per socket, and caches each org's
compiled segments and, briefly, its row (by site key). After the bus lost its connection it
makes every local visitor socket catch up (see _catch_up_after_bus_outage).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import orjson

from frontdesk.bus.base import RESYNC, RESYNC_TYPE, Subscription
from frontdesk.features.blocking import (
    Network,
    active_ip_blocks,
    active_ip_blocks_until,
    address_in,
)
from frontdesk.features.blocking.events import IpBlocked, IpUnblocked, VisitorBlocked
from frontdesk.features.experiences.events import ExperiencesChanged
from frontdesk.features.live_stream import OrgSegments, load_org_segments
from frontdesk.features.orgs import org_by_site_key, orgs_topic
from frontdesk.features.segments.events import PlacementsChanged
from frontdesk.runtime import Runtime, visitors_topic
from frontdesk.transport.sockets import SocketSender

if TYPE_CHECKING:
    # The org row org_by_site_key returns, cached here for the org's sockets: a type only
    # (transport imports no ORM model at run time; pyproject.toml, [tool.importlinter]).
    from frontdesk.features.orgs.models import Org

log = logging.getLogger("frontdesk.visitors")

# How long a hello may use an org row read by an earlier hello: a reconnect storm reads the org
# once instead of once per socket, and all sockets of an org share one object instead of keeping
# one each (issue 2, idle sockets). Changes to the row (settings, origins) do not wait for this:
# they are published on the bus (features/orgs/settings.py) and every process drops its copy at
# once; the lifetime only bounds how stale a copy gets if that message is lost (Redis is
# best-effort).
ORG_CACHE_SECONDS = 10.0
# Past this many cached site keys, expired entries are dropped (bounds a flood of orgs).
ORG_CACHE_PRUNE_AT = 1000


# What a visitor blocked while connected gets (as ws_visitor does for a blocked visitor id):
# the widget forgets itself and remembers the block; the socket then closes with 4403.
BLOCKED_FRAME = VisitorBlocked().to_bytes()
CLOSE_BLOCKED = 4403
# After a bus outage every visitor socket is told to resume, and each answers with a database
# read: a few at a time, so 10,000 sockets do not all query in the same instant.
RESYNC_BATCH = 100
RESYNC_PAUSE_SECONDS = 0.05


class RegistryMember(Protocol):
    """A visitor socket as the registry sees it. The registry keeps the member itself rather
    than a callback: a bound method per socket would be one more object per idle socket."""

    sender: SocketSender

    @property
    def ip(self) -> str | None: ...

    def placements_changed(self) -> None:
        """The org's segments, accounts or routing changed (`placements.changed`)."""

    def org_changed(self, org: Org) -> None:
        """The org's row changed: `org` is the fresh one, shared by all its sockets."""

    @property
    def org(self) -> Org: ...


V = TypeVar("V")


class SharedReads(Generic[V]):
    """Reads in flight by key, shared by the callers that miss a cache together (the hellos of
    a reconnect storm: thousands of one org before any of its sockets is registered): one
    read each instead of one per caller. `forget` drops a read in flight (a change was heard
    while it ran: callers from then on start a fresh one; its own waiters still get it)."""

    __slots__ = ("_reads",)

    def __init__(self) -> None:
        self._reads: dict[str, asyncio.Future[V]] = {}

    def __len__(self) -> int:
        return len(self._reads)

    async def get(
        self,
        key: str,
        read: Callable[[], Coroutine[Any, Any, V]],
        keep: Callable[[V], None] | None = None,
    ) -> V:
        """`read()`'s result, from the read in flight for `key` or a new one. `keep` is called
        with the result of a read that succeeded and was not forgotten meanwhile."""
        loading = self._reads.get(key)
        if loading is None:
            loading = asyncio.ensure_future(read())
            self._reads[key] = loading
            loading.add_done_callback(functools.partial(self._finished, key, keep))
        # Shielded: a caller that goes away (its socket closed) must not cancel the others'.
        return await asyncio.shield(loading)

    def _finished(
        self, key: str, keep: Callable[[V], None] | None, loading: asyncio.Future[V]
    ) -> None:
        current = self._reads.get(key) is loading
        if current:
            del self._reads[key]
        if loading.cancelled():
            return
        # Every waiter got an error already; this keeps asyncio from logging it again when
        # all of them had gone away.
        if loading.exception() is None and current and keep is not None:
            keep(loading.result())

    def forget(self, key: str | None = None) -> None:
        if key is None:
            self._reads.clear()
        else:
            self._reads.pop(key, None)


class VisitorRegistry:
    def __init__(self, runtime: Runtime, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.runtime = runtime
        # Insertion-ordered (a dict used as a set): members hear events in the order they came.
        self._orgs: dict[str, dict[RegistryMember, None]] = {}
        self._subs: dict[str, Subscription] = {}
        self._segments: dict[str, OrgSegments] = {}
        # A read of an org's placement data in flight, shared by the hellos that miss together.
        self._segment_loads: SharedReads[OrgSegments] = SharedReads()
        # Each org's active IP blocks, read at most ORG_CACHE_SECONDS ago, kept while the org
        # has sockets here (so this process hears `ip.blocked` / `ip.unblocked` for it).
        # (monotonic deadline, the blocks, when the first of them expires by its own time).
        self._blocks: dict[str, tuple[float, list[Network], datetime | None]] = {}
        # Bumped whenever cached blocks are dropped: a read that began before is not cached.
        self._blocks_generation = 0
        # A read of an org's blocks in flight, shared by the hellos that miss together.
        self._block_loads: SharedReads[tuple[list[Network], datetime | None]] = SharedReads()
        self._org_rows: dict[str, tuple[float, Org]] = {}
        self._org_loads: SharedReads[Org | None] = SharedReads()
        # Bumped on every org change heard: a read that began before it is not cached.
        self._org_generation = 0
        self._org_changes: Subscription | None = None
        self._org_changes_lock = asyncio.Lock()
        self._org_refreshes: set[asyncio.Future[None]] = set()
        self._clock = clock
        self._lock = asyncio.Lock()
        # How many visitor hellos do their database work at once (see ws_visitor._welcome).
        # 32 left a restarted server's event loop idle half the time in a reconnect storm
        # (the hellos' reads and group writes wait on each other, not on the CPU); 128 brought
        # 10,000 tabs back in 13-15 s instead of 15-18 (bench/RESULTS.md, 2026-12-06).
        self.welcome_slots = asyncio.Semaphore(128)
        self._tasks: set[asyncio.Future[None]] = set()
        runtime.bus.on_reconnect(self._on_bus_reconnect)

    async def org_for_site_key(self, site_key: str) -> Org | None:
        """The org of a site key, read at most ORG_CACHE_SECONDS ago (None: unknown key).

        The Org returned is detached (its session is closed) and shared by every socket of the
        org: callers only read its columns, which are all loaded (Org has no relationships or
        deferred columns, so nothing lazy-loads), and must never change it or add it to a
        session. Unknown keys are not cached, so a new org works at once."""
        cached = self._org_rows.get(site_key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        # Hellos arrive in bursts (a page of visitors, a reconnect storm): the ones that miss
        # together share one read, and so one Org object, instead of one each.
        return await self._org_loads.get(site_key, functools.partial(self._load_org, site_key))

    async def _load_org(self, site_key: str) -> Org | None:
        await self._hear_org_changes()  # before the read, so no change falls in between
        generation = self._org_generation
        async with self.runtime.db.read() as session:
            org = await org_by_site_key(session, site_key)
        if org is None:
            self._org_rows.pop(site_key, None)
            return None
        if generation != self._org_generation:
            return org  # an org changed while this read ran: use it once, cache nothing
        now = self._clock()
        if len(self._org_rows) >= ORG_CACHE_PRUNE_AT:
            self._org_rows = {k: v for k, v in self._org_rows.items() if v[0] > now}
        self._org_rows[site_key] = (now + ORG_CACHE_SECONDS, org)
        return org

    async def _hear_org_changes(self) -> None:
        """One subscription per process to org changes, taken with the first org read."""
        if self._org_changes is not None:
            return
        async with self._org_changes_lock:
            if self._org_changes is None:
                self._org_changes = await self.runtime.bus.subscribe(
                    orgs_topic(), self._on_org_changed
                )

    def _on_org_changed(self, _topic: str, data: bytes) -> None:
        """Another process (or this one) changed an org's row: drop the cached copy and any
        read in flight; the org's open sockets here get the fresh row (one read for all)."""
        event = orjson.loads(data)
        self.org_changed(event.get("org_id"), event.get("site_key"))

    def org_changed(self, org_id: str, site_key: str) -> None:
        """The same, called directly by the process that made the change once it committed:
        its own next hello must not depend on the bus delivering the news back to it first."""
        self._org_generation += 1
        self._org_rows.pop(site_key, None)
        self._org_loads.forget(site_key)
        if self._orgs.get(org_id):
            task = asyncio.ensure_future(self._hand_out_org(org_id, site_key))
            self._org_refreshes.add(task)
            task.add_done_callback(self._org_refreshes.discard)

    async def _hand_out_org(self, org_id: str, site_key: str) -> None:
        try:
            org = await self.org_for_site_key(site_key)
        except Exception:
            log.exception("reading a changed org failed")
            return
        if org is None:
            return
        for member in list(self._orgs.get(org_id, ())):
            try:
                member.org_changed(org)
            except Exception:
                log.exception("visitor registry callback failed")

    async def add(self, org_id: str, member: RegistryMember) -> None:
        async with self._lock:
            if org_id not in self._subs:
                self._subs[org_id] = await self.runtime.bus.subscribe(
                    visitors_topic(org_id), self._on_event
                )
            self._orgs.setdefault(org_id, {})[member] = None
        # A socket that read the org before a change and registers after it was handed out
        # (the welcome is in between) takes the fresh row now: same settings everywhere, and
        # one shared row per org (bytes per idle socket).
        cached = self._org_rows.get(member.org.site_key)
        if cached is not None and cached[1] is not member.org:
            member.org_changed(cached[1])

    async def remove(self, org_id: str, member: RegistryMember) -> None:
        async with self._lock:
            members = self._orgs.get(org_id)
            if members is None:
                return
            members.pop(member, None)
            if not members:
                del self._orgs[org_id]
                self._forget_segments(org_id)
                self._forget_blocks(org_id)
                sub = self._subs.pop(org_id, None)
                if sub is not None:
                    await sub.cancel()

    async def address_blocked(self, org_id: str, ip: str | None) -> bool:
        """Whether a new socket from this address is refused (an IP block of the org covers
        it). The org's blocks are cached while it has sockets in this process: a reconnect
        storm reads them once, not once per socket. A new block or a lifted one is heard on
        the org's visitors topic by every process and drops the copy at once; a block that
        expires by its time is dropped at that time."""
        if not ip:
            return False
        return address_in(ip, await self.ip_blocks(org_id))

    async def ip_blocks(self, org_id: str) -> list[Network]:
        cached = self._blocks.get(org_id)
        if (
            cached is not None
            and cached[0] > self._clock()
            and (cached[2] is None or cached[2] > self.runtime.clock.now())
        ):
            return cached[1]
        # A reconnect storm brings thousands of hellos of one org before any of its sockets
        # is registered (so before the copy may be kept): the ones that miss together share
        # one read instead of one each (a fifth of a storm's event loop, 2026-12-06).
        networks, _ = await self._block_loads.get(
            org_id, functools.partial(self._load_blocks, org_id)
        )
        return networks

    async def _load_blocks(self, org_id: str) -> tuple[list[Network], datetime | None]:
        generation = self._blocks_generation
        # Cached only when this process already hears the org's events (it has sockets of the
        # org): a block published before the subscription would otherwise go unnoticed.
        hearing = org_id in self._subs
        async with self.runtime.db.read() as session:
            networks, first_expiry = await active_ip_blocks_until(
                session, org_id, self.runtime.clock.now()
            )
        if hearing and org_id in self._subs and generation == self._blocks_generation:
            self._blocks[org_id] = (self._clock() + ORG_CACHE_SECONDS, networks, first_expiry)
        return networks, first_expiry

    def _forget_blocks(self, org_id: str | None = None) -> None:
        self._blocks_generation += 1
        # A read in flight may predate the change: hellos from now on start a fresh one.
        if org_id is None:
            self._blocks.clear()
            self._block_loads.forget()
        else:
            self._blocks.pop(org_id, None)
            self._block_loads.forget(org_id)

    async def segments(self, org_id: str) -> OrgSegments:
        """What placing the org's visitors needs (live_stream/placement.py), kept while the
        org has sockets here and dropped on every `placements.changed`. Like the blocks, the
        hellos of a reconnect storm that miss together share one read."""
        cached = self._segments.get(org_id)
        if cached is not None:
            return cached
        return await self._segment_loads.get(
            org_id,
            functools.partial(load_org_segments, self.runtime, org_id),
            functools.partial(self._keep_segments, org_id),
        )

    def _keep_segments(self, org_id: str, segments: OrgSegments) -> None:
        if org_id in self._orgs:  # only while the org has sockets here (it hears changes)
            self._segments[org_id] = segments

    def _forget_segments(self, org_id: str) -> None:
        self._segments.pop(org_id, None)
        self._segment_loads.forget(org_id)

    def _on_event(self, topic: str, data: bytes) -> None:
        org_id = topic.split(".", 1)[1]
        event = orjson.loads(data)
        kind = event.get("type")
        if kind == IpBlocked.name:
            self._forget_blocks(org_id)
            blocked = IpBlocked.model_validate(event)
            self._close_blocked(org_id, [ipaddress.ip_network(blocked.cidr)])
            return
        if kind == IpUnblocked.name:
            self._forget_blocks(org_id)
            return
        if kind == RESYNC_TYPE:
            # An event for this org's visitor sockets was lost somewhere (a failed publish):
            # re-read what it could have said.
            self._forget_segments(org_id)
            self._forget_blocks(org_id)
            self._spawn(self._recheck_ip_blocks(org_id))
            return
        if kind == ExperiencesChanged.name:
            # Only the names cards show changed: read them again with the next placement.
            self._forget_segments(org_id)
            return
        if kind != PlacementsChanged.name:
            return  # nothing else is published on the visitors topic
        self._forget_segments(org_id)
        for member in list(self._orgs.get(org_id, ())):
            try:
                member.placements_changed()
            except Exception:
                log.exception("visitor registry callback failed")

    # ---- blocks and bus outages ---------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _close_blocked(self, org_id: str, networks: list[Network]) -> None:
        for member in list(self._orgs.get(org_id, ())):
            if address_in(member.ip, networks):
                member.sender.send_bytes(BLOCKED_FRAME)
                member.sender.request_close(CLOSE_BLOCKED, b"blocked")

    async def _recheck_ip_blocks(self, org_id: str) -> None:
        """Closes the org's sockets from blocked addresses: for when an `ip.blocked` event may
        have been lost (one query per org, not per socket)."""
        try:
            async with self.runtime.db.read() as session:
                networks = await active_ip_blocks(session, org_id, self.runtime.clock.now())
        except Exception:
            log.exception("could not re-check IP blocks", extra={"org_id": org_id})
            return
        if networks:
            self._close_blocked(org_id, networks)

    def _on_bus_reconnect(self) -> None:
        self._spawn(self._catch_up_after_bus_outage())

    async def _catch_up_after_bus_outage(self) -> None:
        """While the bus was away, events for this process's visitor sockets were lost: chat
        messages, conversation changes, invitations, placement changes, blocks. Placement and
        blocks are re-read here; every socket gets a `resync` frame, and the widget answers
        it with `resume` from the last seq it saw (docs/protocol.md)."""
        self._forget_blocks()
        for org_id in list(self._orgs):
            self._forget_segments(org_id)
            await self._recheck_ip_blocks(org_id)
        members = [member for members in list(self._orgs.values()) for member in members]
        for index, member in enumerate(members):
            member.sender.send_bytes(RESYNC)
            if index % RESYNC_BATCH == RESYNC_BATCH - 1:
                await asyncio.sleep(RESYNC_PAUSE_SECONDS)
        if members:
            log.info("asked %d visitor socket(s) to resync after a bus outage", len(members))
