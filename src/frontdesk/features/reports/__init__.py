"""Reports: conversations, missed chats, response times, proactive engagement and
classification per day, rep, team, segment and channel (docs/reports.md)."""

from frontdesk.features.reports import rollups
from frontdesk.features.reports.service import (
    CHANNELS,
    COLUMNS,
    MAX_DAYS,
    ReportRequest,
    build_report,
    day_ranges,
    local_day,
    local_days,
    parse_day,
    parse_zone,
    report_csv,
)

__all__ = [
    "CHANNELS",
    "COLUMNS",
    "MAX_DAYS",
    "ReportRequest",
    "build_report",
    "day_ranges",
    "local_day",
    "local_days",
    "parse_day",
    "parse_zone",
    "report_csv",
    "rollups",
]
