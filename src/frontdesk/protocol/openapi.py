"""The whole machine-readable protocol: /openapi.json, with the WebSocket frames as components.

The HTTP routes come from the route registry (transport/http.Api: every route names its request
and answer models); the four frame unions below are added as components, since no HTTP route
names them. The console's and widget's TypeScript types are generated from this document
(web/generated/, `make types`; docs/protocol.md)."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from pydantic import RootModel

from frontdesk.protocol import console_frames, visitor_frames


class VisitorClientFrame(RootModel[visitor_frames.VisitorClientFrame]):
    """Any frame the widget sends on /ws/visitor (the first one is `hello`)."""

    client_sends: ClassVar[bool] = True


class VisitorServerFrame(RootModel[visitor_frames.VisitorServerFrame]):
    """Any frame the server sends on /ws/visitor."""


class RepClientFrame(RootModel[console_frames.RepClientFrame]):
    """Any frame the console sends on /ws/rep (the first one is `hello`)."""

    client_sends: ClassVar[bool] = True


class RepServerFrame(RootModel[console_frames.RepServerFrame]):
    """Any frame the server sends on /ws/rep."""


FRAME_COMPONENTS = (VisitorClientFrame, VisitorServerFrame, RepClientFrame, RepServerFrame)


@cache
def openapi_document() -> dict[str, Any]:
    # Imported here: the modules register their routes on import (app.py imports them too).
    from frontdesk.transport import (  # noqa: F401
        api_admin,
        api_files,
        api_reports,
        api_tools,
        widget_http,
    )
    from frontdesk.transport.api import api

    return api.openapi(FRAME_COMPONENTS)
