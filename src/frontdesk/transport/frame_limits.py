"""Per-frame-type rates shared by the visitor socket (visitor_limits.py) and the rep socket
(rep_limits.py): the rate notation, the in-process window counts, and the table of rates a
socket enforces (every frame type it accepts, or the server does not start).

Both sockets also count the frames they cannot use (not JSON, an unknown type, failing
validation, over their type's size, binary) in one bucket per sender, `invalid`, with a rate of
its own: a stream of garbage is answered with errors and, far over that rate, closed as any
flood is (flood_refusal).

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


# The bucket of frames a socket could not use (not JSON, unknown type, invalid, too large,
# binary), per sender, on both sockets. A client that works sends none: 30 a minute leaves
# room for a client one release behind the server (an unknown frame type on every ping).
INVALID = "invalid"
DEFAULT_INVALID_RATE = "30/minute"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A frame over its rate: `message` for the error frame; `close_reason` (at most 123
    bytes) when the socket is to be closed for flooding (close code 4429) as well."""

    message: str
    close_reason: bytes | None


def flood_refusal(
    count: int, rate: Rate, frame_type: str, flood_factor: int, message: str
) -> Refusal | None:
    """The verdict on the count-th frame of a type in its window: None within the rate; a
    refusal (`message`) over it; and more than flood_factor times over it, a refusal that
    closes the socket too, with a reason that says which rate."""
    if count <= rate.amount:
        return None
    if count <= rate.amount * flood_factor:
        return Refusal(message, None)
    reason = f"flooding: over {flood_factor} times {rate.text} {frame_type} frames"
    return Refusal(message, reason.encode()[:123])


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
    """The rate of every frame type in known, and of the `invalid` bucket: the overrides (the
    setting named `setting`) over the defaults. A setting naming a frame type the socket does
    not accept, or a frame type without a rate (it would be unlimited), stops the server at
    start."""
    known = (*known, INVALID)
    defaults = {INVALID: DEFAULT_INVALID_RATE, **defaults}
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
