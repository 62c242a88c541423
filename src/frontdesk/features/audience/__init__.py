"""Who sees what: which consoles an event reaches (docs/architecture.md, "Who sees what").

`visibility.py` holds the rules and `Visibility`, the audience every org-topic event carries;
every publisher and the rep hub use them. What a visitor's own tabs receive (all frames
published for them but the echo of their own message) travels in the visitor feed's header,
`frontdesk/core/visitor_feed.py`.

This package sits below every feature that publishes (conversations, proactive, blocking, the
live stream): it imports no other feature but for a type, so they can all import it.
"""

from frontdesk.features.audience.visibility import (
    EVERYONE,
    Routed,
    Visibility,
    from_event,
    of_conversation,
    of_visitor,
    only,
    rep_sees,
    rep_sees_conversation,
    visibility,
)

__all__ = [
    "EVERYONE",
    "Routed",
    "Visibility",
    "from_event",
    "of_conversation",
    "of_visitor",
    "only",
    "rep_sees",
    "rep_sees_conversation",
    "visibility",
]
