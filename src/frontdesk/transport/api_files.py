"""Files in chat over HTTP: uploads (the console's and the messenger's), signed links, the
signed file URLs themselves, and the admin's file settings (docs/files.md)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from aiohttp import hdrs, web
from pydantic import BaseModel, ConfigDict, Field

from frontdesk.core.errors import (
    Forbidden,
    FrontdeskError,
    NotAuthenticated,
    NotFound,
    RateLimited,
    RequestTimeout,
    TooLarge,
    ValidationFailed,
)
from frontdesk.core.schemas import Closed
from frontdesk.features import files
from frontdesk.features.blocking import visitor_blocked_now
from frontdesk.features.conversations.events import MessageOut
from frontdesk.features.files.schemas import FileLinks, FileSettings, MessageFile
from frontdesk.features.orgs import org_by_site_key
from frontdesk.features.visitors import read_visitor_token
from frontdesk.transport.api import api
from frontdesk.transport.frame_limits import Rate
from frontdesk.transport.http import Ctx, client_ip, error_response, json_response, runtime_of
from frontdesk.transport.multipart_form import FormReader, MalformedForm, form_boundary
from frontdesk.transport.upload_lane import FairLane
from frontdesk.transport.upload_pace import UploadPace
from frontdesk.transport.ws_visitor import REGISTRY_KEY, origin_allowed

if TYPE_CHECKING:
    # The row org_by_site_key returns, named in signatures only (transport imports no ORM
    # model at run time; pyproject.toml, [tool.importlinter]).
    from frontdesk.features.orgs.models import Org

_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ID = re.compile(r"[0-9a-f]{32}")
# Room for the multipart framing and the client_id field around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
HOUR = 3600
MB = 1024 * 1024


class Uploaded(Closed):
    """The stored message that carries the file, and the file (also its `message.meta.file`)."""

    message: MessageOut
    file: MessageFile


class FileSettingsOut(Closed):
    settings: FileSettings
    # The server's own ceiling (FRONTDESK_FILE_MAX_MB): an admin's max_mb may not pass it.
    server_max_mb: int


class LinksQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Comma-separated file ids.
    ids: Annotated[str, Field(min_length=32, max_length=3400)]


class WidgetLinksQuery(LinksQuery):
    site: str
    vt: str


class WidgetUploadQuery(BaseModel):
    site: str
    vt: str


def _ids(text: str) -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids or not all(_ID.fullmatch(i) for i in ids):
        raise ValidationFailed("ids must be comma-separated 32-character file ids")
    return ids


def _uploaded(message: MessageOut) -> Uploaded:
    file = files.message_file(message.meta)
    assert file is not None
    return Uploaded(message=message, file=file)


@dataclass
class _Upload:
    client_id: str
    name: str | None
    file: files.IncomingFile


# An upload's work on the event loop (its checks before the body, each chunk of the body) is
# done one upload at a time, one step at a time: the upload lane. When 20 uploads arrive
# together from a fast network (or a proxy that buffered them) and all read at once, every turn
# of the loop carries 20 chunks, and a chat message, which needs a few turns, waited 100-700 ms;
# one at a time, 10-30 ms. The others' bytes wait in their sockets meanwhile (aiohttp stops
# reading a body nobody consumes). An upload waits for its next bytes outside the lane, so a
# slow sender holds up nobody.
UPLOAD_LANE = 1
# ... and paced: a step holds the lane for a while after it began, whether or not its work is
# done by then: a chunk of the body for as long as its bytes take at UPLOAD_BYTES_PER_SECOND
# (at the sustained rate, FRONTDESK_FILE_UPLOAD_READ_MB_PER_SECOND, once the burst allowance is
# spent: transport/upload_pace.py), each of the checks before the body UPLOAD_STEP_SECONDS.
# One step per turn, back to back, still kept the loop busy for as long as 20 uploads streamed
# in (100 MB at ~250 MB/s), and chat messages queued behind a step in each of their turns:
# chat p99 2.6-4.4x its value without uploads (6.5-8.2x with the image work taken out). Paced,
# the uploads of one process are read at up to 64 MB/s (bench/file_upload.py, 2026-12-06).
UPLOAD_STEP_SECONDS = 0.002
UPLOAD_BYTES_PER_SECOND = 64 * 1024 * 1024
# A sender that sends nothing for this long is cut off (a slow network still sends something
# every few seconds).
STALLED_SECONDS = 20.0


# Whose turn a step of this upload is in the lane: its org once known (transport/upload_lane.py
# goes round the orgs, so one org's flood of uploads cannot hold up another org's photo). The
# checks before a visitor's body, which find the org, queue under the site key it names.
LANE_KEY = web.RequestKey("files_lane_key", str)


def _upload_lane(request: web.Request) -> FairLane:
    runtime = runtime_of(request)
    lane = runtime.state.get("files.upload_lane")
    if not isinstance(lane, FairLane):
        lane = runtime.state["files.upload_lane"] = FairLane(UPLOAD_LANE)
    return lane


def _chunk_seconds(request: web.Request, size: int) -> float:
    """How long a chunk of `size` bytes of a body holds the upload lane (the process's pace)."""
    runtime = runtime_of(request)
    now = asyncio.get_running_loop().time()
    pace = runtime.state.get("files.upload_pace")
    if not isinstance(pace, UploadPace):
        settings = runtime.settings
        pace = runtime.state["files.upload_pace"] = UploadPace(
            peak=UPLOAD_BYTES_PER_SECOND,
            sustained=settings.file_upload_read_mb_per_second * MB,
            burst_bytes=settings.file_upload_read_burst_mb * MB,
            now=now,
        )
    return pace.seconds_for(size, now)


class _LaneStep:
    """A step in the upload lane; `seconds` is how long it holds the lane after it began."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


@contextlib.asynccontextmanager
async def _lane_step(
    request: web.Request, seconds: float = UPLOAD_STEP_SECONDS
) -> AsyncIterator[_LaneStep]:
    """One step of an upload in the upload lane. The lane is given back `seconds` (the step
    may change them) after the step began, at the next turn of the loop at the soonest, so a
    turn carries one upload step at most, and the steps of all uploads together leave the
    loop most of its time for chat."""
    lane = _upload_lane(request)
    await lane.acquire(request.get(LANE_KEY) or f"site:{request.query.get('site', '')}")
    loop = asyncio.get_running_loop()
    began = loop.time()
    step = _LaneStep(seconds)
    try:
        yield step
    finally:
        loop.call_at(max(began + step.seconds, loop.time()), lane.release)


async def _next_turn() -> None:
    """Ends this step of an upload here; it goes on at the next turn of the loop. An upload's
    work before its body (the checks, the counters, the multipart headers) was about 2 ms of
    the loop's CPU in one go, which a chat message arriving meanwhile waits out; in pieces,
    the upload steps of 1 ms or more during 20 concurrent uploads went from about 110 to 10
    per 15 s (bench/file_upload.py --loop-lag, 2026-12-06)."""
    await asyncio.sleep(0)


@contextlib.contextmanager
def _well_formed() -> Iterator[None]:
    """What the form reader finds wrong with a body reaches the sender as a 422."""
    try:
        yield
    except MalformedForm as error:
        raise ValidationFailed(f"the multipart/form-data body is malformed: {error}") from None


@contextlib.asynccontextmanager
async def _not_stalled() -> AsyncIterator[None]:
    """A wait for the sender's next bytes, cut off after STALLED_SECONDS."""
    try:
        async with asyncio.timeout(STALLED_SECONDS):
            yield
    except TimeoutError:
        raise RequestTimeout(
            f"the upload stalled (nothing arrived for {STALLED_SECONDS:.0f} s); send it again"
        ) from None


async def _take_chunk(request: web.Request) -> tuple[bytes, bool]:
    """The body's next chunk, for the form reader, in a step of the upload lane that holds it
    for as long as the chunk's bytes take at UPLOAD_BYTES_PER_SECOND (the reader looks
    through the chunk right after, in the same turn of the loop). What has arrived is taken
    in the lane; when nothing has, the bytes are waited for outside it (a slow sender holds
    up nobody), cut off when they stall, and their reading paced like the rest."""
    content = request.content
    async with _lane_step(request) as step:
        chunk = content.read_nowait()
        step.seconds = _chunk_seconds(request, len(chunk)) if chunk else 0.0
        if chunk or content.is_eof():
            return chunk, False
    async with _not_stalled():
        chunk, end_of_http_chunk = await content.readchunk()
    async with _lane_step(request) as step:
        step.seconds = _chunk_seconds(request, len(chunk))
        return chunk, end_of_http_chunk


def _form_reader(request: web.Request) -> FormReader:
    """The request's form, read chunk by chunk in the upload lane (_take_chunk)."""
    content_type = request.headers.get(hdrs.CONTENT_TYPE, "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise ValidationFailed(
            "send the file as multipart/form-data with fields client_id and file"
        )
    with _well_formed():
        boundary = form_boundary(content_type)
    return FormReader(partial(_take_chunk, request), boundary)


@contextlib.asynccontextmanager
async def _read_upload(
    request: web.Request,
    org_id: str,
    max_bytes: int,
    check_name: Callable[[str | None], object],
) -> AsyncIterator[_Upload]:
    """A multipart/form-data body with `client_id` (text) and `file` (the file, with its
    name), the file streamed to disk as it arrives (files.IncomingFile, deleted when the block
    ends). `check_name` refuses a name the org does not accept before the body is read; the file
    is counted while it arrives: past `max_bytes` the request is refused without reading the
    rest. Its steps in the upload lane take `org_id`'s turns."""
    request[LANE_KEY] = f"org:{org_id}"
    form = _form_reader(request)
    if (
        request.content_length is not None
        and request.content_length > max_bytes + MULTIPART_OVERHEAD
    ):
        raise TooLarge(f"files may be at most {max_bytes // (1024 * 1024)} MB")
    client_id: str | None = None
    upload: _Upload | None = None
    try:
        while True:
            with _well_formed():
                part = await form.next_part()
            if part is None:
                break
            if part.content_type.lower().startswith("multipart/"):
                raise ValidationFailed("nested multipart bodies are not accepted")
            if part.name == "client_id":
                if client_id is not None:  # so a body without a length cannot go on for ever
                    raise ValidationFailed(
                        "the multipart/form-data body is malformed: it has client_id twice"
                    )
                text = b""
                with _well_formed():
                    while piece := await form.read():
                        text += piece
                        if len(text) > 1024:  # a client id is at most 64 characters
                            raise ValidationFailed("client_id must be 1-64 letters, digits, - or _")
                client_id = text.decode("utf-8", "replace").strip()
            elif part.name == "file" and upload is None:
                await _next_turn()
                check_name(part.filename)
                incoming = await files.receive_file(runtime_of(request))
                upload = _Upload("", part.filename, incoming)
                while True:
                    with _well_formed():
                        piece = await form.read()
                    if not piece:
                        break
                    if incoming.size + len(piece) > max_bytes:
                        raise TooLarge(f"files may be at most {max_bytes // (1024 * 1024)} MB")
                    await incoming.write(piece)
                await incoming.finish()
            elif part.name == "file":
                raise ValidationFailed("send one file per request")
            else:
                raise ValidationFailed(f"unknown form field {part.name!r}: send client_id and file")
        if upload is None:
            raise ValidationFailed("no file in the request (form field `file`)")
        if not client_id or not _CLIENT_ID.fullmatch(client_id):
            raise ValidationFailed("client_id must be 1-64 letters, digits, - or _")
        upload.client_id = client_id
        yield upload
    finally:
        if upload is not None:
            await upload.file.discard()


# ---- the console ---------------------------------------------------------------------------


@api.route(
    "POST",
    "/api/conversations/{conversation_id}/files",
    response=Uploaded,
    summary="Send a file in a chat (multipart/form-data: client_id, file); it becomes a message "
    "whose meta.file describes it",
)
async def rep_upload(ctx: Ctx, _: None) -> Uploaded:
    conversation_id = ctx.path_param("conversation_id")
    settings = await files.settings_for_org(ctx.runtime, ctx.rep.org_id)
    async with _read_upload(
        ctx.request,
        ctx.rep.org_id,
        settings.max_mb * 1024 * 1024,
        partial(files.check_name_allowed, settings, visitor=False),
    ) as upload:
        message = await files.send_rep_file(
            ctx.runtime, ctx.rep, conversation_id, upload.client_id, upload.name, upload.file
        )
    return _uploaded(message)


@api.route(
    "GET",
    "/api/files/links",
    query=LinksQuery,
    response=FileLinks,
    summary="Signed short-lived URLs for files of chats I may see",
)
async def rep_links(ctx: Ctx, query: LinksQuery) -> FileLinks:
    return await files.links_for_rep(ctx.runtime, ctx.rep, _ids(query.ids))


@api.route(
    "GET",
    "/api/files/settings",
    response=FileSettingsOut,
    summary="My org's rules for files in chat",
)
async def get_file_settings(ctx: Ctx, _: None) -> FileSettingsOut:
    return FileSettingsOut(
        settings=await files.settings_for_org(ctx.runtime, ctx.rep.org_id),
        server_max_mb=ctx.runtime.settings.file_max_mb,
    )


@api.route(
    "PUT",
    "/api/files/settings",
    auth="admin",
    body=FileSettings,
    response=FileSettingsOut,
    summary="Set my org's rules for files in chat (admins)",
)
async def put_file_settings(ctx: Ctx, body: FileSettings) -> FileSettingsOut:
    return FileSettingsOut(
        settings=await files.update_file_settings(ctx.runtime, ctx.rep, body),
        server_max_mb=ctx.runtime.settings.file_max_mb,
    )


# ---- the messenger (CORS: the org's websites only) ---------------------------------------


def _cors(response: web.StreamResponse, origin: str | None) -> web.StreamResponse:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    return response


async def _visitor_of(request: web.Request) -> tuple[Org, str, str]:
    """The site's org, the visitor its token names, and the client address; refused for an
    unknown site, a foreign website, a bad token, or a blocked visitor or address. The org and
    its address blocks come from the visitor sockets' caches (visitor_registry.py: kept fresh
    by the org's change events on every process), so the only read is the visitor's block."""
    runtime = runtime_of(request)
    registry = request.app[REGISTRY_KEY]
    origin = request.headers.get("Origin")
    ip = client_ip(request, runtime) or "unknown"
    site_key = request.query.get("site", "")
    org = await registry.org_for_site_key(site_key) if site_key else None
    if org is None:
        raise NotFound("unknown site key")
    if not origin_allowed(org, origin):
        raise Forbidden("this website origin is not allowed for this site key")
    visitor_id = read_visitor_token(
        runtime.settings.secret_keys, org.id, request.query.get("vt", "")
    )
    if visitor_id is None:
        raise NotAuthenticated("unknown visitor: reload the page")
    if await registry.address_blocked(org.id, ip):
        raise Forbidden("you cannot send files here")
    # The read below goes on at the next turn: with the checks above in one step it held the
    # loop 1.0-1.4 ms, the longest step of an upload (bench/file_upload.py --loop-lag).
    await _next_turn()
    if await visitor_blocked_now(runtime, visitor_id):
        raise Forbidden("you cannot send files here")
    return org, visitor_id, ip


async def _count_upload(request: web.Request, org_id: str, visitor_id: str, ip: str) -> None:
    """Uploads per visitor and per address and site, counted across processes, before the
    body is read."""
    runtime = runtime_of(request)
    limiter = runtime.rate_limiter
    settings = runtime.settings
    per_visitor = Rate.parse(settings.file_uploads_per_visitor)
    if not await limiter.hit(f"file-visitor:{visitor_id}", per_visitor.amount, per_visitor.seconds):
        raise RateLimited(f"too many files sent (at most {per_visitor.text}); try again later")
    per_ip = Rate.parse(settings.file_uploads_per_ip)
    if not await limiter.hit(f"file-ip:{org_id}:{ip}", per_ip.amount, per_ip.seconds):
        raise RateLimited(f"too many files sent from your network (at most {per_ip.text})")


async def _spend_bytes(
    request: web.Request, org_id: str, visitor_id: str, ip: str, size: int
) -> None:
    """The bytes of an upload against the hourly budgets, per visitor and per address."""
    runtime = runtime_of(request)
    settings = runtime.settings
    kib = max(1, math.ceil(size / 1024))
    limiter = runtime.rate_limiter
    if not await limiter.spend(
        f"file-bytes-visitor:{visitor_id}", kib, settings.file_upload_mb_per_visitor * 1024, HOUR
    ):
        raise RateLimited(
            f"you sent more than {settings.file_upload_mb_per_visitor} MB of files this hour"
        )
    if not await limiter.spend(
        f"file-bytes-ip:{org_id}:{ip}", kib, settings.file_upload_mb_per_ip * 1024, HOUR
    ):
        raise RateLimited(
            f"more than {settings.file_upload_mb_per_ip} MB of files were sent from your "
            "network this hour"
        )


async def widget_upload(request: web.Request) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    try:
        # The checks before the body (a few reads, the counters) are a step in the upload
        # lane too: 20 uploads arriving together otherwise make them in the same loop turns,
        # and a chat message waiting behind those turns waited tens of milliseconds.
        async with _lane_step(request):
            org, visitor_id, ip = await _visitor_of(request)
            await _next_turn()
            settings = files.file_settings(org)
            if not settings.enabled or not settings.visitors_may_send:
                raise Forbidden("this team does not accept files in chat")
            await _count_upload(request, org.id, visitor_id, ip)
            await _next_turn()
        runtime = runtime_of(request)
        async with _read_upload(
            request,
            org.id,
            settings.max_mb * 1024 * 1024,
            partial(files.check_name_allowed, settings, visitor=True),
        ) as upload:
            await _spend_bytes(request, org.id, visitor_id, ip, upload.file.size)
            message = await files.send_visitor_file(
                runtime, org, visitor_id, upload.client_id, upload.name, upload.file
            )
        return _cors(json_response(_uploaded(message.for_visitor())), origin)
    except FrontdeskError as error:
        return _cors(error_response(error), origin)


async def widget_links(request: web.Request) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    try:
        org, visitor_id, _ = await _visitor_of(request)
        links = await files.links_for_visitor(
            runtime_of(request), org.id, visitor_id, _ids(request.query.get("ids", ""))
        )
        return _cors(json_response(links), origin)
    except FrontdeskError as error:
        return _cors(error_response(error), origin)


async def widget_preflight(request: web.Request) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    async with runtime_of(request).db.read() as session:
        org = await org_by_site_key(session, request.query.get("site", ""))
    if org is None or not origin_allowed(org, origin):
        return web.Response(status=403)
    response = web.Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST"
    response.headers["Access-Control-Max-Age"] = "600"
    return _cors(response, origin)


api.describe(
    "POST",
    "/widget/files",
    query=WidgetUploadQuery,
    response=Uploaded,
    summary="A visitor sends a file (multipart/form-data: client_id, file); rate and byte "
    "limited per visitor and per address (CORS: the org's websites only)",
)
api.describe(
    "GET",
    "/widget/files/links",
    query=WidgetLinksQuery,
    response=FileLinks,
    summary="Signed short-lived URLs for files of the visitor's own chats (CORS: the org's "
    "websites only)",
)


# ---- the signed file URLs ------------------------------------------------------------------

# Served files never run: no script, no plugin, no form, even if a browser were talked into
# rendering one.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _disposition(kind: str, name: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", name) or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


async def serve_file(request: web.Request) -> web.StreamResponse:
    """A signed file URL. Safe raster images (and thumbnails) may show inline; everything
    else is a download: application/octet-stream, Content-Disposition: attachment, nosniff."""
    runtime = runtime_of(request)
    try:
        served = await files.open_signed(
            runtime,
            request.match_info["file_id"],
            request.match_info["variant"],
            request.query.get("e", ""),
            request.query.get("s", ""),
        )
    except FrontdeskError as error:
        refused = error_response(error)
        refused.headers["Cache-Control"] = "no-store"
        return refused
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        # The URL expires within minutes; the browser may keep the bytes for as long.
        "Cache-Control": "private, max-age=600",
        # The messenger shows images on the customer's website.
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Referrer-Policy": "no-referrer",
    }
    if served.inline:
        headers["Content-Disposition"] = _disposition("inline", served.name)
        content_type = served.content_type
    else:
        headers["Content-Disposition"] = _disposition("attachment", served.name)
        content_type = "application/octet-stream"
    headers["Content-Type"] = content_type
    body = served.body
    if body.path is not None:
        # From disk as it is sent (ranges and conditional requests included), never whole
        # in memory.
        return web.FileResponse(body.path, headers=headers)
    assert body.chunks is not None
    response = web.StreamResponse(headers=headers)
    response.content_length = body.size
    await response.prepare(request)
    async for chunk in body.chunks():
        await response.write(chunk)
    await response.write_eof()
    return response


def mount_file_routes(app: web.Application) -> None:
    app.router.add_post("/widget/files", widget_upload)
    app.router.add_route("OPTIONS", "/widget/files", widget_preflight)
    app.router.add_get("/widget/files/links", widget_links)
    app.router.add_get("/files/{file_id:[0-9a-f]{32}}/{variant:file|thumb}", serve_file)
