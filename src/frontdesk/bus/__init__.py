"""The bus: best-effort publish/subscribe of serialised events, in-process or over Redis.

Picked by URL (FRONTDESK_BUS_URL): ``memory://`` for one process, ``redis://host:port/db`` for
several. Delivery is best-effort on both: clients recover anything missed from the database by
sequence number, so the bus never has to be durable.
"""

from __future__ import annotations

from frontdesk.bus.base import Bus, Handler, Subscription
from frontdesk.bus.memory import MemoryBus


def create_bus(url: str, namespace: str = "frontdesk") -> Bus:
    if url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from frontdesk.bus.redis import RedisBus

        return RedisBus(url, namespace=namespace)
    raise ValueError(f"FRONTDESK_BUS_URL must be memory:// or redis://..., got {url!r}")


__all__ = ["Bus", "Handler", "MemoryBus", "Subscription", "create_bus"]
