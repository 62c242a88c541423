"""What the privacy API sends."""

from __future__ import annotations

from typing import Any

from frontdesk.core.schemas import Closed, IsoTime


class VisitorExport(Closed):
    """Everything stored about one visitor, table by table, each row with all its columns."""

    visitor_id: str
    exported_at: IsoTime
    tables: dict[str, list[dict[str, Any]]]


class VisitorErasure(Closed):
    visitor_id: str
    # Rows deleted, by table.
    deleted: dict[str, int]
