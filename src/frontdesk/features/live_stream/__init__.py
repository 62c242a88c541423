"""The live stream: visitors arriving, browsing, typing and leaving, as rep consoles see them.

- `visitor_tab.py`: one open tab of a visitor (one visitor socket): its arrival and welcome,
  page views, activity, identification, typing and leaving become rows and live-stream events.
- `placement.py`: placing a visitor for the stream (segment, routing, company) with the org's
  placement data cached per process, and the cards that announce it.
- `cards.py`, `events.py`: the visitor card and the `visitor.joined` / `visitor.updated` /
  `visitor.left` / `typing` events.
- `snapshot.py`: what a console gets on connecting and after a resync.
- `visitor_360.py`: everything known about one visitor.
- `audience.py`: who sees each event (used by every publisher and by the rep hub).
- `visitor_feed.py`: the typed header of frames published for a visitor's tabs.

Nothing is imported here on purpose: conversations, proactive and blocking import `audience`,
`events` and `visitor_feed` (which import no other feature), while the services here import
those features; importing the package itself must not pull the services in.
"""
