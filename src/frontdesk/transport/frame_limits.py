"""Per-frame-type rates shared by the visitor socket (visitor_limits.py) and the rep socket
(rep_limits.py): the rate notation, the in-process window counts, and the table of rates a
socket enforces (every frame type it accepts, or the server does not start).

Rates are written in the notation of the `limits` library ("60/minute") and parsed by it. The
counting is not `limits`' own in-memory storage: measured on this machine with 10,000 keys (one
per visitor and frame type, a quiet afternoon's worth), its asyncio storage cost 1.2 ms of CPU
per hit (it starts a task that scans every key on each hit) and its threaded storage 190 us (a
timer thread scans every key every 10 ms), against about 1 us here.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem
from limits import parse as parse_rate

from frontdesk.core.clock import Clock
from frontdesk.settings import SettingsError


@dataclass(frozen=True, slots=True)
class Rate:
    amount: int
    seconds: int
    text: str

    @classmethod
    def parse(cls, text: str) -> Rate:
        item: RateLimitItem = parse_rate(text)
        return cls(item.amount, item.get_expiry(), text)


class WindowCounters:
    """Fixed-window counts in this process, O(1) per hit.

    One dict per window length holds the counts of the current window; when the window moves
    on the dict is replaced, so memory is bounded by the keys active in one window and nothing
    ever scans the keys. Times come from the runtime clock (tests freeze it)."""

    __slots__ = ("_clock", "_windows")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[int, tuple[int, dict[str, int]]] = {}

    def count(self, key: str, rate: Rate) -> int:
        """Counts one event; how many the key has had in the rate's current window, this one
        included."""
        window = int(self._clock.now().timestamp()) // rate.seconds
        current = self._windows.get(rate.seconds)
        if current is None or current[0] != window:
            current = (window, {})
            self._windows[rate.seconds] = current
        counts = current[1]
        count = counts.get(key, 0) + 1
        counts[key] = count
        return count

    def hit(self, key: str, rate: Rate) -> bool:
        """Counts one event; True while the key is within the rate."""
        return self.count(key, rate) <= rate.amount


def frame_types(frame_union: Any) -> tuple[str, ...]:
    """Every frame type of a socket's client frame union (Annotated[A | B | ..., Field(
    discriminator="type")]), in the union's order."""
    union = typing.get_args(frame_union)[0]
    types: list[str] = []
    for model in typing.get_args(union):
        (name,) = typing.get_args(model.model_fields["type"].annotation)
        types.append(name)
    return tuple(types)


def frame_rates(
    setting: str, known: tuple[str, ...], defaults: Mapping[str, str], overrides: Mapping[str, str]
) -> dict[str, Rate]:
    """The rate of every frame type in known: the overrides (the setting named `setting`) over
    the defaults. A setting naming a frame type the socket does not accept, or a frame type
    without a rate (it would be unlimited), stops the server at start."""
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise SettingsError(
            f"{setting} names unknown frame types {unknown}; the frame types are {', '.join(known)}"
        )
    texts = {**defaults, **overrides}
    missing = [t for t in known if t not in texts]
    if missing:
        raise SettingsError(f"no rate limit for frame types {missing} ({setting})")
    return {t: Rate.parse(texts[t]) for t in known}
