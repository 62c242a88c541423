"""The realtime protocol's catalogue: every frame of each WebSocket, in both directions.

- visitor_frames.py: the visitor socket (/ws/visitor), what the widget sends and receives;
- console_frames.py: the rep socket (/ws/rep), what the console sends and receives;
- common.py: frames both sockets send (pong, error, ack, messages).

Frames that a feature publishes on the bus are defined in that feature's events.py (they are
the bytes clients receive) and only gathered here. HTTP answers are defined in each feature's
schemas.py (and envelopes beside their routes in transport/api*.py). /openapi.json lists all
of them (openapi.py); docs/protocol.md says why the code is laid out this way.

This package's __init__ imports nothing, so features may import core parts without cycles.
"""
