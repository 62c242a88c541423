"""Reports over HTTP: the figures as JSON, and the console's tables as CSV (docs/reports.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from frontdesk.features import reports
from frontdesk.features.reports.schemas import Channel, Report
from frontdesk.transport.api import api
from frontdesk.transport.http import Ctx


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Annotated[str, Field(max_length=10, description="First day, YYYY-MM-DD, in `zone`")]
    end: Annotated[str, Field(max_length=10, description="Last day (included), YYYY-MM-DD")]
    zone: Annotated[str, Field(max_length=64, description="IANA time zone, e.g. Europe/Paris")] = (
        "UTC"
    )
    rep_id: str | None = None
    team_id: str | None = None
    segment_id: str | None = None
    channel: Channel | None = None


class ReportCsvQuery(ReportQuery):
    table: Literal["days", "reps"] = "days"


def _request(query: ReportQuery) -> reports.ReportRequest:
    return reports.ReportRequest(
        start=reports.parse_day(query.start, "start"),
        end=reports.parse_day(query.end, "end"),
        zone=query.zone,
        rep_id=query.rep_id or None,
        team_id=query.team_id or None,
        segment_id=query.segment_id or None,
        channel=query.channel,
    )


async def _report(ctx: Ctx, query: ReportQuery) -> Report:
    request = _request(query)
    zone = reports.parse_zone(request.zone)
    # The offsets this report is read in get rolled up (in the background) for next time.
    await reports.rollups.register(
        ctx.runtime.db,
        ctx.rep.org_id,
        reports.rollups.zone_offsets(
            zone, request.start, min(request.end, request.start + timedelta(days=reports.MAX_DAYS))
        ),
    )
    async with ctx.runtime.db.read() as session:
        return await reports.build_report(session, ctx.rep, request)


@api.route(
    "GET",
    "/api/reports/summary",
    query=ReportQuery,
    response=Report,
    summary="Reports: figures per day (in `zone`), per rep and in total, with filters; reps get their own only",
)
async def report_summary(ctx: Ctx, query: ReportQuery) -> Report:
    return await _report(ctx, query)


@api.route(
    "GET",
    "/api/reports/summary.csv",
    query=ReportCsvQuery,
    response=Report,
    media_type="text/csv",
    summary="The console's table under the charts (days or reps) as CSV, with a Total row",
)
async def report_summary_csv(ctx: Ctx, query: ReportCsvQuery) -> web.Response:
    report = await _report(ctx, query)
    name = f"frontdesk-report-{query.table}-{report.start}-to-{report.end}.csv"
    return web.Response(
        body=reports.report_csv(report, query.table).encode(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
