"""Reports: conversations, missed chats, response times, proactive engagement and
classification per day, rep, team, segment and channel (docs/reports.md)."""

from frontdesk.features.reports import rollups
from frontdesk.features.reports.rollups import RollupWorker
from frontdesk.features.reports.rollups import catch_up as catch_up_rollups
from frontdesk.features.reports.rollups import register as register_rollup_zones
from frontdesk.features.reports.rollups import touch as touch_rollups
from frontdesk.features.reports.rollups import zone_offsets as rollup_zone_offsets
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
from frontdesk.features.reports.summary_email import (
    KIND_DAILY_SUMMARY,
    UNSUBSCRIBE_PATH,
    on_daily_summary,
    schedule_daily_summary,
    subscribed_address,
    unsubscribe,
)

__all__ = [
    "CHANNELS",
    "COLUMNS",
    "KIND_DAILY_SUMMARY",
    "MAX_DAYS",
    "UNSUBSCRIBE_PATH",
    "ReportRequest",
    "RollupWorker",
    "build_report",
    "catch_up_rollups",
    "day_ranges",
    "local_day",
    "local_days",
    "on_daily_summary",
    "parse_day",
    "parse_zone",
    "register_rollup_zones",
    "report_csv",
    "rollup_zone_offsets",
    "rollups",
    "schedule_daily_summary",
    "subscribed_address",
    "touch_rollups",
    "unsubscribe",
]
