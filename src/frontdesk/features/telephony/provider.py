"""What Frontdesk needs from a telephony provider, whatever the provider: start a call to a
number, hang it up, and read its status callbacks (verified, so nobody else can move a leg)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from frontdesk.core.errors import FrontdeskError

# A leg's state, in the provider's neutral words. `requested` is Frontdesk's own (the row is
# written, the provider not asked yet).
LegStatus = Literal[
    "requested",
    "queued",
    "ringing",
    "in_progress",
    "completed",
    "busy",
    "no_answer",
    "failed",
    "canceled",
]
ENDED: frozenset[str] = frozenset({"completed", "busy", "no_answer", "failed", "canceled"})
# How far along each state is: a callback never moves a leg back (providers may deliver
# callbacks out of order), and an ended leg stays ended.
RANK: dict[str, int] = {
    "requested": 0,
    "queued": 1,
    "ringing": 2,
    "in_progress": 3,
    **dict.fromkeys(ENDED, 4),
}


@dataclass(frozen=True, slots=True)
class StartedCall:
    provider_call_id: str
    status: LegStatus


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """One verified status callback."""

    provider_call_id: str
    status: LegStatus
    duration_seconds: int | None = None
    # Why a call failed, in the provider's words, when it says.
    reason: str | None = None


class ProviderError(FrontdeskError):
    """The provider refused or could not be reached; the message is safe to show a visitor."""

    status = 502
    code = "phone_provider_error"


class CallbackRefused(FrontdeskError):
    """A callback without a valid signature: not from the provider."""

    status = 403
    code = "forbidden"


class TelephonyProvider(Protocol):
    """One provider account (an org's credentials)."""

    name: str

    async def check_credentials(self) -> None:
        """Ask the provider whether these credentials work (ProviderError if not)."""
        ...

    async def start_call(
        self, *, to: str, from_: str, answer_url: str, status_callback: str, timeout_seconds: int
    ) -> StartedCall:
        """Dial `to` from `from_`; when answered, fetch what to do from `answer_url` (signed
        like a callback). Status changes are POSTed to `status_callback`."""
        ...

    async def hang_up(self, provider_call_id: str, *, answered: bool) -> None:
        """End the call: cancel it while it rings, complete it once answered."""
        ...

    def read_callback(
        self, url: str, params: Sequence[tuple[str, str]], headers: Mapping[str, str]
    ) -> StatusUpdate:
        """A status callback (or the answer URL's request) received at `url` (exactly as the
        provider requested it), its form `params`, its headers: the update, or
        CallbackRefused when it is not signed by this account."""
        ...
