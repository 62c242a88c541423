"""The org's own website as knowledge: pages listed by a sitemap (or a list of URLs), fetched
in the background by a durable deadline and again every `refresh_hours`, their text
extracted with selectolax (lexbor).

Only pages on the org's website origins are fetched (`Org.allowed_origins`, the origins
that embed the widget), every redirect hop included; every address must be public unless the
operator allows private targets (`frontdesk.outbound`: checked in the resolver, so DNS
rebinding cannot turn a page into a request to the internal network).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import aiohttp
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import NotFound, ValidationFailed
from frontdesk.core.ids import new_id
from frontdesk.deadlines import service as deadlines
from frontdesk.deadlines.service import DueDeadline
from frontdesk.features.copilot.knowledge import (
    add_item,
    bump_version,
    content_hash,
    replace_passages,
)
from frontdesk.features.copilot.models import KnowledgeItem, Passage, WebSource
from frontdesk.features.copilot.schemas import WebSourceOut
from frontdesk.features.orgs import Authenticated
from frontdesk.features.orgs.models import Org
from frontdesk.outbound import BlockedAddress, guarded_session, literal_address_refused
from frontdesk.runtime import Runtime

log = logging.getLogger("frontdesk.copilot")

KIND_WEB_FETCH = "copilot.web_fetch"
MAX_PAGES = 200
MAX_URLS = 200
MAX_PAGE_BYTES = 2 << 20
MAX_REDIRECTS = 3
FETCH_TIMEOUT = 15.0
DROP_TAGS = ["script", "style", "noscript", "svg", "template", "iframe", "form", "canvas"]
CHROME_TAGS = ["nav", "header", "footer", "aside"]
BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,dt,dd,td,th,blockquote,pre,figcaption"


def origin_of(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def allowed(url: str, origins: list[str]) -> bool:
    origin = origin_of(url)
    return origin is not None and origin in {o.rstrip("/").lower() for o in origins}


def check_url(url: str, origins: list[str], allow_private: bool) -> str:
    url = url.strip()
    origin = origin_of(url)
    if origin is None:
        raise ValidationFailed(f"{url[:200]!r} is not an http(s) URL")
    if not allowed(url, origins):
        raise ValidationFailed(
            f"{url[:200]} is not on your website ({', '.join(origins) or 'no origins set'}): "
            "the copilot only reads your own pages (Admin > Team & website sets the origins)"
        )
    host = urlsplit(url).hostname or ""
    if literal_address_refused(host, allow_private):
        raise ValidationFailed(f"{host} is a private or loopback address; it is not fetched")
    return url


def source_out(source: WebSource) -> WebSourceOut:
    return WebSourceOut(
        id=source.id,
        kind="sitemap" if source.kind == "sitemap" else "urls",
        urls=list(source.urls),
        refresh_hours=source.refresh_hours,
        status=source.status if source.status in ("pending", "ok", "error") else "pending",
        pages_fetched=source.pages_fetched,
        last_error=source.last_error,
        last_fetched_at=source.last_fetched_at.isoformat() if source.last_fetched_at else None,
    )


async def list_sources(session: AsyncSession, org_id: str) -> list[WebSource]:
    rows = await session.execute(
        select(WebSource).where(WebSource.org_id == org_id).order_by(WebSource.created_at)
    )
    return list(rows.scalars())


async def create_source(
    session: AsyncSession,
    actor: Authenticated,
    *,
    kind: str,
    urls: list[str],
    refresh_hours: int,
    allow_private: bool,
    now: datetime,
) -> WebSource:
    actor.require_admin()
    org = await session.get(Org, actor.org_id)
    origins = list(org.allowed_origins) if org else []
    urls = [u.strip() for u in urls if u.strip()]
    if not urls:
        raise ValidationFailed("give a sitemap URL or at least one page URL")
    if kind == "sitemap" and len(urls) != 1:
        raise ValidationFailed("a sitemap source has exactly one URL")
    if len(urls) > MAX_URLS:
        raise ValidationFailed(f"at most {MAX_URLS} URLs a source")
    if not 1 <= refresh_hours <= 24 * 30:
        raise ValidationFailed("refresh every 1 to 720 hours")
    checked = [check_url(u, origins, allow_private) for u in urls]
    source = WebSource(
        id=new_id(),
        org_id=actor.org_id,
        kind=kind,
        urls=checked,
        refresh_hours=refresh_hours,
        status="pending",
        pages_fetched=0,
        last_error=None,
        last_fetched_at=None,
        created_at=now,
    )
    session.add(source)
    await deadlines.schedule(
        session,
        kind=KIND_WEB_FETCH,
        subject_id=source.id,
        due_at=now,
        now=now,
        org_id=org.id if org else None,
    )
    return source


async def get_source(session: AsyncSession, actor: Authenticated, source_id: str) -> WebSource:
    source = await session.get(WebSource, source_id)
    if source is None or source.org_id != actor.org_id:
        raise NotFound("website source not found")
    return source


async def fetch_now(
    session: AsyncSession, actor: Authenticated, source_id: str, now: datetime
) -> WebSource:
    actor.require_admin()
    source = await get_source(session, actor, source_id)
    await deadlines.schedule(
        session,
        kind=KIND_WEB_FETCH,
        subject_id=source.id,
        due_at=now,
        now=now,
        org_id=source.org_id,
    )
    return source


async def delete_source(
    session: AsyncSession, actor: Authenticated, source_id: str, now: datetime
) -> None:
    actor.require_admin()
    source = await get_source(session, actor, source_id)
    items = select(KnowledgeItem.id).where(KnowledgeItem.source_id == source.id)
    await session.execute(delete(Passage).where(Passage.item_id.in_(items)))
    await session.execute(delete(KnowledgeItem).where(KnowledgeItem.source_id == source.id))
    await session.delete(source)
    await deadlines.cancel(session, kind=KIND_WEB_FETCH, subject_id=source.id, now=now)
    await bump_version(session, actor.org_id, now)


# ---- extraction ----------------------------------------------------------------------------


def extract(html: str) -> tuple[str, str]:
    """(title, text) of a page: the main content's blocks, one paragraph each, without
    scripts, styles, navigation, header and footer."""
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title") or tree.css_first("h1")
    title = " ".join((title_node.text() if title_node else "").split())
    tree.strip_tags(DROP_TAGS)
    root = tree.css_first("main") or tree.css_first("article") or tree.body
    if root is None:
        return title, ""
    if root is tree.body:
        for tag in CHROME_TAGS:
            for node in root.css(tag):
                node.decompose()
    blocks: list[str] = []
    for node in root.css(BLOCKS):
        if node.tag in ("li", "td", "dd", "blockquote") and node.css_first("p") is not None:
            continue
        text = " ".join(node.text(deep=True).split())
        if text and (not blocks or blocks[-1] != text):
            blocks.append(text)
    if not blocks:
        blocks = [" ".join(root.text(separator=" ").split())]
    return title, "\n\n".join(b for b in blocks if b)


def sitemap_urls(xml: str) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) listed by a sitemap or sitemap index."""
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 - no DTDs or entities are expanded by ElementTree
    except ElementTree.ParseError as exc:
        raise ValueError(f"the sitemap is not XML: {exc}") from None
    locs = [
        (el.text or "").strip()
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "loc" and (el.text or "").strip()
    ]
    if root.tag.rsplit("}", 1)[-1] == "sitemapindex":
        return [], locs
    return locs, []


class FetchRefused(Exception):
    pass


async def _get(
    http: aiohttp.ClientSession, url: str, origins: list[str], allow_private: bool
) -> tuple[str, str]:
    """(final URL, text) of one GET, following at most 3 redirects, each checked."""
    for _ in range(MAX_REDIRECTS + 1):
        if not allowed(url, origins):
            raise FetchRefused(f"{url} is not on the org's website")
        host = urlsplit(url).hostname or ""
        if literal_address_refused(host, allow_private):
            raise FetchRefused(f"{host} is a private or loopback address")
        async with http.get(url, allow_redirects=False) as response:
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            if response.status != 200:
                raise FetchRefused(f"{url} answered HTTP {response.status}")
            data = bytearray()
            async for chunk in response.content.iter_chunked(65536):
                data.extend(chunk)
                if len(data) > MAX_PAGE_BYTES:
                    raise FetchRefused(f"{url} is larger than 2 MB")
            charset = response.charset or "utf-8"
            return url, data.decode(charset, errors="replace")
    raise FetchRefused(f"{url}: too many redirects")


async def fetch_source(runtime: Runtime, source_id: str) -> None:
    """Fetch a source's pages now; store what changed; note the status; schedule the next."""
    async with runtime.db.read() as session:
        source = await session.get(WebSource, source_id)
        if source is None:
            return
        org = await session.get(Org, source.org_id)
        origins = list(org.allowed_origins) if org else []
        kind, urls, refresh_hours = source.kind, list(source.urls), source.refresh_hours
        stored = {
            i.url: i
            for i in (
                await session.execute(
                    select(KnowledgeItem).where(KnowledgeItem.source_id == source_id)
                )
            ).scalars()
        }
    allow_private = runtime.settings.allow_private_targets
    errors: list[str] = []
    pages: dict[str, tuple[str, str]] = {}
    listed: list[str] = []
    try:
        async with guarded_session(
            allow_private=allow_private,
            timeout=FETCH_TIMEOUT,
            headers={"User-Agent": "Frontdesk-Copilot/1 (knowledge fetcher)"},
        ) as http:
            if kind == "sitemap":
                pending = list(urls)
                seen_maps: set[str] = set()
                while pending and len(seen_maps) < 10:
                    map_url = pending.pop(0)
                    if map_url in seen_maps:
                        continue
                    seen_maps.add(map_url)
                    _, xml = await _get(http, map_url, origins, allow_private)
                    found, nested = sitemap_urls(xml)
                    listed.extend(found)
                    pending.extend(nested)
            else:
                listed = urls
            for url in dict.fromkeys(listed):
                if len(pages) >= MAX_PAGES:
                    errors.append(f"only the first {MAX_PAGES} pages are read")
                    break
                try:
                    final_url, html = await _get(http, url, origins, allow_private)
                except (FetchRefused, BlockedAddress) as exc:
                    errors.append(str(exc))
                    continue
                except (aiohttp.ClientError, TimeoutError, OSError, UnicodeError) as exc:
                    errors.append(f"{url}: {type(exc).__name__}: {exc}"[:300])
                    continue
                title, text = extract(html)
                if text.strip():
                    pages[url] = (title or final_url, text)
    except (FetchRefused, BlockedAddress, ValueError) as exc:
        errors.insert(0, str(exc))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        errors.insert(0, f"{type(exc).__name__}: {exc}"[:300])
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        source = await session.get(WebSource, source_id)
        if source is None:
            return
        changed = False
        if pages or not errors:
            for url, (title, text) in pages.items():
                item = stored.pop(url, None)
                digest = content_hash(title, None, text)
                if item is None:
                    await add_item(
                        session,
                        source.org_id,
                        kind="page",
                        title=title,
                        body=text,
                        url=url,
                        source_id=source.id,
                        now=now,
                    )
                    changed = True
                    continue
                if item.content_hash == digest:
                    continue
                live = await session.get(KnowledgeItem, item.id)
                if live is None:
                    continue
                live.title, live.body, live.content_hash, live.updated_at = (
                    title[:300],
                    text,
                    digest,
                    now,
                )
                await session.execute(delete(Passage).where(Passage.item_id == live.id))
                replace_passages(session, live)
                changed = True
            # pages no longer listed (or no longer answering) are forgotten
            for item in stored.values():
                if item.url in pages:
                    continue
                await session.execute(delete(Passage).where(Passage.item_id == item.id))
                await session.execute(delete(KnowledgeItem).where(KnowledgeItem.id == item.id))
                changed = True
        source.pages_fetched = len(pages)
        source.status = "error" if errors and not pages else "ok"
        source.last_error = (
            f"{errors[0]}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
            if errors
            else None
        )
        source.last_fetched_at = now
        if changed:
            await bump_version(session, source.org_id, now)
        await deadlines.schedule(
            session,
            kind=KIND_WEB_FETCH,
            subject_id=source.id,
            due_at=now + timedelta(hours=refresh_hours),
            now=now,
            org_id=source.org_id,
        )
    if errors:
        log.info(
            "copilot website fetch had problems",
            extra={"source_id": source_id, "error": errors[0], "errors": len(errors)},
        )


async def on_web_fetch(runtime: Runtime, deadline: DueDeadline) -> None:
    await fetch_source(runtime, deadline.subject_id)
