"""The live stream: visitors arriving, browsing, typing and leaving, as rep consoles see them.

- `visitor_tab.py`: one open tab of a visitor (one visitor socket): its arrival and welcome,
  page views, activity, identification, typing and leaving become rows and live-stream events.
- `placement.py`: placing a visitor for the stream (segment, routing, company) with the org's
  placement data cached per process, and the cards that announce it.
- `cards.py`, `events.py`: the visitor card and the `visitor.joined` / `visitor.updated` /
  `visitor.left` / `typing` events.
- `arrivals.py`: the hellos of many sockets written together (one statement per table for a
  group), placed before they are stored; `page_views.py`: their page views likewise, placed
  again in the same transaction; `grouped.py`: the group commit both use.
- `snapshot.py`: what a console gets on connecting and after a resync.
- `visitor_360.py`: everything known about one visitor; `account_360.py`: about one company.
Who sees each event is not decided here but in `features/audience` (used by every publisher,
this package included, and by the rep hub), and a visitor's topic carries frames behind the
header of `core/visitor_feed.py`: both sit below conversations and proactive, which this
package calls, so neither can live here (docs/architecture.md, "Layout").
"""

from frontdesk.features.live_stream.account_360 import account_360, click_ids
from frontdesk.features.live_stream.arrivals import finish_pending_arrivals
from frontdesk.features.live_stream.page_views import finish_pending_page_views
from frontdesk.features.live_stream.placement import (
    OrgPlacementData,
    OrgSegments,
    load_org_segments,
)
from frontdesk.features.live_stream.rep_typing import rep_typing
from frontdesk.features.live_stream.snapshot import build_snapshot
from frontdesk.features.live_stream.visitor_360 import visitor_360
from frontdesk.features.live_stream.visitor_tab import VisitorTab

__all__ = [
    "OrgPlacementData",
    "OrgSegments",
    "VisitorTab",
    "account_360",
    "build_snapshot",
    "click_ids",
    "finish_pending_arrivals",
    "finish_pending_page_views",
    "load_org_segments",
    "rep_typing",
    "visitor_360",
]
