"""What one visitor, or one IP address, may ask of the server (issue 12).

Every frame type a visitor socket accepts has a rate (per visitor) and a size (bytes,
frames.VISITOR_FRAME_MAX_BYTES); offline messages, which email the reps, are also limited per
IP; so are new visitors (each a row and a card in every rep's live stream) and open
unauthenticated sockets (visitor sockets, and rep sockets while their session is checked).

Where each count lives, and why:
- Frame rates are counted in the process that holds the socket (WindowCounters), as the chat
  message limit always was: a flood comes down one socket, and a count in Redis would cost a
  round trip on every frame. A visitor with tabs on two processes may send twice the limit.
- Offline messages and new visitors are counted across processes (runtime.rate_limiter,
  Redis when there are several processes): both are rare, both already cost database work,
  and an offline message sends email, so N processes must not mean N times the email.
- Open sockets per IP are counted per process: the count must go down when a socket closes,
  and a count in Redis would be left too high by a crashed process. With N processes behind a
  load balancer one address may hold up to N times the cap.

Over a frame type's rate a frame is refused with a `rate_limited` error. A visitor that goes
on far beyond it (more than FRONTDESK_VISITOR_FRAME_FLOOD_FACTOR times the rate within one
window: a script, or a widget stuck in a loop) is closed with 4429 and a reason that says which
rate, as the rep socket does; frames the socket cannot use (bad JSON, unknown type, invalid,
too large, binary) count in an `invalid` bucket of their own with the same rule, so a stream
of garbage is closed too. The widget waits 30 s more than its usual backoff before it reconnects after a 4429.

Rates, their counts and the flood rule are shared with the rep socket (frame_limits.py).
"""

from __future__ import annotations

from aiohttp import web

from frontdesk.core.clock import Clock
from frontdesk.runtime import Runtime
from frontdesk.settings import Settings
from frontdesk.transport import frames as f
from frontdesk.transport.frame_limits import (
    INVALID,
    Rate,
    Refusal,
    WindowCounters,
    flood_refusal,
    frame_rates,
    frame_types,
)

__all__ = [
    "CLOSE_FLOODING",
    "CLOSE_RATE_LIMITED",
    "DEFAULT_FRAME_RATES",
    "Rate",
    "Refusal",
    "VisitorLimits",
    "WindowCounters",
    "visitor_frame_types",
    "visitor_limits",
]

# Close code for a visitor refused at hello because its address made too many new visitors.
CLOSE_RATE_LIMITED = 4429
# Close code for a visitor socket closed for flooding (the rep socket's too).
CLOSE_FLOODING = 4429

# Per visitor (all its tabs on one process together), sized so that a real visitor with many
# tabs open never meets them; docs/configuration.md gives the reasoning for each.
DEFAULT_FRAME_RATES: dict[str, str] = {
    # The widget pings every 25 s per tab (hidden tabs about once a minute).
    "ping": "60/minute",
    # Sent on every focus, blur and idle change of every tab.
    "activity": "120/minute",
    # Single-page-app navigation; each one is two writes.
    "page_view": "120/minute",
    # FRONTDESK_VISITOR_MESSAGES_PER_10S gives the default (see VisitorLimits).
    "message": "20/10 seconds",
    # The messenger sends at most one every 3 s while keys are pressed, per tab.
    "typing": "60/minute",
    # Asked when the sequence numbers have a gap, at most once a second, again while it lasts:
    # each answer is at most 256 KB of messages (conversations/queries.py, ANSWER_BYTES).
    "resume": "60/minute",
    # The site's identify() call, repeated on every page load and reconnect.
    "identify": "20/minute",
    "open": "30/minute",
    "invitation_shown": "20/minute",
    # Each one is emailed to the routed reps; also limited per IP (offline_messages_per_ip).
    "offline_message": "5/hour",
    # Sneak peek: the messenger sends the draft at most once a second while keys are pressed.
    "draft": "90/minute",
    # One rating per chat is stored; a few more cover a retry after a dropped socket.
    "rate": "10/hour",
    # Each call costs the org money: also limited per visitor, per org and per IP across
    # processes (Admin -> Phone, FRONTDESK_PHONE_CALLS_PER_IP); this only stops a flood.
    "phone_join": "10/minute",
    "phone_hang_up": "20/minute",
    # Calls. A visitor asks for a call now and then; a call's set-up is a handful of frames,
    # and a re-join after each page load repeats it.
    "call_request": "5/minute",
    # "Call us": each one rings every rep routed to the visitor, so fewer than call_request.
    "call_queue": "3/minute",
    "call_ringing": "20/minute",
    "call_accept": "10/minute",
    "call_decline": "10/minute",
    "call_rejoin": "20/minute",
    # One answer per offer (the rep offers again on each re-join).
    "call_answer": "20/minute",
    # Trickle ICE: a dozen or two per negotiation (host, server-reflexive, relay; UDP and TCP).
    "call_candidate": "300/minute",
    # Mic, camera and screen switches.
    "call_media": "60/minute",
    "call_connected": "20/minute",
    # Every 5 s per tab holding a call.
    "call_keepalive": "30/minute",
    "call_hangup": "20/minute",
}


def visitor_frame_types() -> tuple[str, ...]:
    """Every frame type the visitor socket accepts after hello, read from the frame union."""
    return frame_types(f.VisitorFrame)


class VisitorLimits:
    """The limits of one process, read from the settings once (unknown frame types refused)."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        # A frame type without a rate would be unlimited: frame_rates refuses to start instead.
        self.frame_rates: dict[str, Rate] = frame_rates(
            "FRONTDESK_VISITOR_FRAME_LIMITS",
            visitor_frame_types(),
            {
                **DEFAULT_FRAME_RATES,
                "message": f"{settings.visitor_messages_per_10s}/10 seconds",
            },
            settings.visitor_frame_limits,
        )
        self.flood_factor = settings.visitor_frame_flood_factor
        self.offline_per_ip = Rate.parse(settings.offline_messages_per_ip)
        self.new_visitors_per_ip = Rate.parse(settings.new_visitors_per_ip)
        self.sockets_per_ip = settings.unauthenticated_sockets_per_ip
        self.counters = WindowCounters(clock)
        self._open_sockets: dict[str, int] = {}

    # ---- frames -------------------------------------------------------------------------------

    async def refuse_frame(
        self, runtime: Runtime, frame_type: str, org_id: str, visitor_id: str, ip: str | None
    ) -> Refusal | None:
        """Counts one frame; why to refuse it when over a limit (and whether to close the
        socket for flooding), else None."""
        rate = self.frame_rates[frame_type]
        count = self.counters.count(f"{frame_type}:{visitor_id}", rate)
        if frame_type == "message":
            message = "too many messages; wait a few seconds"
        elif frame_type == "offline_message":
            message = f"too many offline messages (at most {rate.text}); try again later"
        else:
            message = f"too many {frame_type} frames (at most {rate.text}); wait and try again"
        refusal = flood_refusal(count, rate, frame_type, self.flood_factor, message)
        if frame_type != "offline_message" or refusal is not None:
            return refusal
        # Rare and emailed: counted across processes too, per visitor and per address.
        if not await runtime.rate_limiter.hit(f"offline:{visitor_id}", rate.amount, rate.seconds):
            return Refusal(
                f"too many offline messages (at most {rate.text}); try again later", None
            )
        per_ip = self.offline_per_ip
        if ip is not None and not await runtime.rate_limiter.hit(
            f"offline-ip:{org_id}:{ip}", per_ip.amount, per_ip.seconds
        ):
            return Refusal("too many offline messages from your network; try again later", None)
        return None

    def refuse_invalid(self, visitor_id: str) -> Refusal | None:
        """Counts one frame this visitor sent that could not be used (answered already with
        its own error); a refusal that closes the socket when far over the `invalid` rate."""
        rate = self.frame_rates[INVALID]
        count = self.counters.count(f"{INVALID}:{visitor_id}", rate)
        return flood_refusal(count, rate, INVALID, self.flood_factor, "")

    async def allow_new_visitor(self, runtime: Runtime, org_id: str, ip: str | None) -> bool:
        if ip is None:
            return True
        rate = self.new_visitors_per_ip
        return await runtime.rate_limiter.hit(
            f"new-visitor:{org_id}:{ip}", rate.amount, rate.seconds
        )

    # ---- open sockets per IP ----------------------------------------------------------------

    def open_socket(self, ip: str | None) -> None:
        """Counts an unauthenticated socket of this address; HTTP 429 over the cap. Every
        successful call is matched by one close_socket()."""
        if ip is None or not self.sockets_per_ip:
            return
        open_now = self._open_sockets.get(ip, 0)
        if open_now >= self.sockets_per_ip:
            raise web.HTTPTooManyRequests(
                text=f"too many open connections from your address (at most "
                f"{self.sockets_per_ip}); close some tabs or try again later"
            )
        self._open_sockets[ip] = open_now + 1

    def close_socket(self, ip: str | None) -> None:
        if ip is None or not self.sockets_per_ip:
            return
        left = self._open_sockets.get(ip, 0) - 1
        if left > 0:
            self._open_sockets[ip] = left
        else:
            self._open_sockets.pop(ip, None)

    def open_sockets(self, ip: str) -> int:
        return self._open_sockets.get(ip, 0)


_STATE_KEY = "transport.visitor_limits"


def visitor_limits(runtime: Runtime) -> VisitorLimits:
    """This process's limits (made on first use; create_app makes them at start, so a bad
    setting stops the server before it serves)."""
    limits = runtime.state.get(_STATE_KEY)
    if limits is None:
        limits = runtime.state[_STATE_KEY] = VisitorLimits(runtime.settings, runtime.clock)
    assert isinstance(limits, VisitorLimits)
    return limits
