"""What one rep may send down the rep socket (issue 15): a rate per frame type, per rep.

Counted per rep (the rep's id: all of that rep's consoles on one server process together),
in the process that holds the sockets (frame_limits.WindowCounters, about 1 us a frame). A
rep with consoles on two processes may send twice the limit; a count in Redis would cost a
round trip on every frame, and a flood comes down one socket.

Over a frame type's rate the frame is refused with a `rate_limited` error and nothing of it
is done. A console that goes on far beyond (more than FRONTDESK_REP_FRAME_FLOOD_FACTOR times
the rate within one window: a runaway loop in a console, or a script with a rep's cookie) is
disconnected with close code 4429; it may reconnect, and is closed again at once while the
count of that window lasts. The console waits the longest backoff before it reconnects.
Frames the socket cannot use (bad JSON, an unknown type, failing validation, binary) count in
an `invalid` bucket per rep with the same rule (frame_limits.INVALID), so garbage floods too.

The defaults are several times what the console sends at its busiest (web/console), with a
rep working in several tabs; docs/configuration.md gives the reasoning.
"""

from __future__ import annotations

from frontdesk.core.clock import Clock
from frontdesk.protocol.console_frames import RepFrame
from frontdesk.runtime import Runtime
from frontdesk.settings import Settings
from frontdesk.transport.frame_limits import (
    INVALID,
    Rate,
    Refusal,
    WindowCounters,
    flood_refusal,
    frame_rates,
    frame_types,
)

# Close code for a console disconnected for flooding (the visitor socket's 4429 too).
CLOSE_FLOODING = 4429

# Per rep (all of the rep's consoles on one process together).
DEFAULT_REP_FRAME_RATES: dict[str, str] = {
    # The console pings every 20 s per tab: 60 a minute allows twenty tabs.
    "ping": "60/minute",
    # One per connection; the console reconnects with backoff from half a second up.
    "hello": "30/minute",
    # Faster than anyone types, with canned answers; a reconnect resends every unacknowledged
    # message at once (same client_id, stored once).
    "message": "30/10 seconds",
    # The composer sends at most one per 3 s while keys are pressed, and one 4 s after the
    # last key: about 40 a minute in one chat at full speed, 120 allows a rep in several.
    "typing": "120/minute",
    # One per gap in the sequence numbers, and one per open transcript after a reconnect.
    "resume": "120/minute",
    # Calls. A rep starts a call now and then; answering, picking up and joining again after a
    # reload are a frame each.
    "call_start": "10/minute",
    "call_accept": "20/minute",
    "call_pickup": "20/minute",
    # A queued call rings every routed rep: a busy queue may be declined often.
    "call_decline": "60/minute",
    "call_rejoin": "20/minute",
    # One per negotiation: each join, re-join and each page load of the visitor's.
    "call_offer": "60/minute",
    # Trickle ICE: 20 to 40 per negotiation (host, server-reflexive, relay; UDP and TCP).
    "call_candidate": "300/minute",
    # Mic, camera and screen switches.
    "call_media": "60/minute",
    "call_connected": "20/minute",
    # Every 5 s by the console holding a call (12 a minute), and one on each join.
    "call_keepalive": "30/minute",
    "call_hangup": "20/minute",
}


def rep_frame_types() -> tuple[str, ...]:
    """Every frame type the rep socket accepts, read from the frame union."""
    return frame_types(RepFrame)


class RepLimits:
    """The rep socket's rates in one process, read from the settings once."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.frame_rates: dict[str, Rate] = frame_rates(
            "FRONTDESK_REP_FRAME_LIMITS",
            rep_frame_types(),
            DEFAULT_REP_FRAME_RATES,
            settings.rep_frame_limits,
        )
        self.flood_factor = settings.rep_frame_flood_factor
        self.counters = WindowCounters(clock)

    def refuse_frame(self, frame_type: str, rep_id: str) -> Refusal | None:
        """Counts one frame of this rep's; why to refuse it when over its rate, else None."""
        rate = self.frame_rates[frame_type]
        count = self.counters.count(f"{frame_type}:{rep_id}", rate)
        message = f"too many {frame_type} frames (at most {rate.text}); wait and try again"
        return flood_refusal(count, rate, frame_type, self.flood_factor, message)

    def refuse_invalid(self, rep_id: str) -> Refusal | None:
        """Counts one frame of this rep's that could not be used (refused already with its
        own error): a refusal that closes the console when far over the `invalid` rate."""
        rate = self.frame_rates[INVALID]
        count = self.counters.count(f"{INVALID}:{rep_id}", rate)
        return flood_refusal(count, rate, INVALID, self.flood_factor, "")


_STATE_KEY = "transport.rep_limits"


def rep_limits(runtime: Runtime) -> RepLimits:
    """This process's rep limits (made on first use; create_app makes them at start, so a bad
    setting stops the server before it serves)."""
    limits = runtime.state.get(_STATE_KEY)
    if limits is None:
        limits = runtime.state[_STATE_KEY] = RepLimits(runtime.settings, runtime.clock)
    assert isinstance(limits, RepLimits)
    return limits
