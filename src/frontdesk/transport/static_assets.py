"""The widget, messenger and console files: served from memory, precompressed by the build.

web/build.mjs writes every file with .br and .gz siblings, and gives every file but the loader
(`/widget.js`, a fixed URL in customers' pages) and the console page a content hash in its
name; `manifest.json` maps logical names ("messenger.js") to hashed files. Here:

- the encoding is chosen per request from Accept-Encoding (brotli, then gzip, then identity),
  and every answer says `Vary: Accept-Encoding`, so caches keep the variants apart;
- hashed files are cached for a year, `immutable`; everything else carries a strong ETag (a hash
  of the bytes, one per encoding) and is revalidated: 304 on a matching If-None-Match;
- each file is read into memory once, when first asked for, and again only after a build has
  rewritten the manifest: the loader is fetched on every page view of every customer's site,
  and costs no disk read and no thread hop. Requests can only name files a scan of the folder
  found, so no path from a request ever reaches the file system.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import mimetypes
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

MANIFEST = "manifest.json"
IMMUTABLE = "public, max-age=31536000, immutable"
# Customers embed /widget.js: fixes must reach them within minutes, then a 304 is enough.
LOADER_CACHE = "public, max-age=300"
REVALIDATE = "no-cache"
# Content codings we ship, most preferred first on a tie, with the file suffix the build writes.
CODINGS = (("br", ".br"), ("gzip", ".gz"))
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".map": "application/json",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
# A hashed name from another build: "messenger.2QX7LM4A.js" (esbuild's [hash]).
OTHER_BUILD = re.compile(r"^(?P<stem>.+)\.[A-Z0-9]{8}(?P<ext>\.(?:js|css))$")
RESCAN_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class Variant:
    body: bytes
    etag: str  # unquoted
    coding: str  # "br", "gzip" or "identity"


@dataclass(frozen=True, slots=True)
class Asset:
    content_type: str
    variants: dict[str, Variant]  # by coding; "identity" is always there
    cache_control: str
    cross_origin: bool  # scripts and styles may be used from customers' sites


@functools.lru_cache(maxsize=256)
def chosen_coding(accept_encoding: str, offered: frozenset[str]) -> str:
    """The content coding to send: the offered one the client accepts with the highest q
    (brotli before gzip on a tie), else identity. `br;q=0` and unknown codings are refused."""
    weights: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        if not coding:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding] = weight
    best, best_weight = "identity", 0.0
    for coding, _ in CODINGS:
        weight = weights.get(coding, weights.get("*", 0.0))
        if coding in offered and weight > best_weight:
            best, best_weight = coding, weight
    return best


class StaticAssets:
    """The files of one static folder: listed by a scan, each read into memory when it is first
    asked for (a start-up or a rebuild reads no more than it serves: the console's source map
    alone is 1.4 MB with its compressed copies)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, Path] = {}  # every servable file, by its name under the folder
        self.loaded: dict[str, Asset] = {}
        self.manifest: dict[str, str] = {}
        self._scanned_manifest: tuple[int, int] | None = None
        self._checked_at = float("-inf")

    def _manifest_stamp(self) -> tuple[int, int] | None:
        try:
            stat = (self.directory / MANIFEST).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def refresh(self) -> None:
        """Rescan when a build has written a new manifest (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked_at < RESCAN_INTERVAL:
            return
        self._checked_at = now
        stamp = self._manifest_stamp()
        if stamp != self._scanned_manifest or not self.files:
            self._scan()
            self._scanned_manifest = stamp

    def _scan(self) -> None:
        manifest: dict[str, str] = {}
        # (none: built before hashing, or not built; whatever is there is served unhashed)
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads((self.directory / MANIFEST).read_text())
        found: dict[str, Path] = {}
        if self.directory.is_dir():
            for root, _, files in os.walk(self.directory):
                for file in files:
                    path = Path(root) / file
                    name = path.relative_to(self.directory).as_posix()
                    if name == MANIFEST or path.suffix in (".br", ".gz") or path.is_symlink():
                        continue
                    found[name] = path
        self.files, self.loaded, self.manifest = found, {}, manifest

    def _asset(self, name: str) -> Asset | None:
        asset = self.loaded.get(name)
        if asset is None and name in self.files:
            try:
                asset = self._load(self.files[name], name, immutable=name in self.manifest.values())
            except OSError:
                return None  # deleted by a build in progress: the next scan will know
            self.loaded[name] = asset
        return asset

    @staticmethod
    def _load(path: Path, name: str, *, immutable: bool) -> Asset:
        body = path.read_bytes()
        # Any change of the bytes changes the tag; it need not resist forgery (blake2b: fast).
        tag = hashlib.blake2b(body, digest_size=12).hexdigest()
        variants = {"identity": Variant(body, tag, "identity")}
        for coding, suffix in CODINGS:
            packed = path.with_name(path.name + suffix)
            if packed.is_file() and not packed.is_symlink():
                variants[coding] = Variant(packed.read_bytes(), f"{tag}-{coding}", coding)
        content_type = (
            CONTENT_TYPES.get(path.suffix)
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream"
        )
        if immutable:
            cache = IMMUTABLE
        elif name == "widget.js":
            cache = LOADER_CACHE
        else:
            cache = REVALIDATE
        return Asset(content_type, variants, cache, cross_origin=not name.endswith(".html"))

    def find(self, name: str) -> Asset | None:
        """The file called `name`. A hashed name from another build (a loader cached before a
        deploy asks for the messenger it knew), or the unhashed name of a hashed file (a page
        from before hashing), gets the current file, revalidated, never cached under that name."""
        self.refresh()
        asset = self._asset(name)
        if asset is not None:
            return asset
        older = OTHER_BUILD.match(name)
        current = self.manifest.get(older["stem"] + older["ext"] if older else name)
        asset = self._asset(current) if current else None
        if asset is None:
            return None
        return Asset(asset.content_type, asset.variants, REVALIDATE, asset.cross_origin)

    def logical(self, name: str) -> str:
        """The file that holds logical `name` ("messenger.js") in this build."""
        self.refresh()
        return self.manifest.get(name, name)


def respond(request: web.Request, asset: Asset, cache_control: str | None = None) -> web.Response:
    offered = frozenset(asset.variants)
    coding = chosen_coding(request.headers.get("Accept-Encoding", ""), offered)
    variant = asset.variants[coding]
    headers = {
        "Cache-Control": cache_control or asset.cache_control,
        "ETag": f'"{variant.etag}"',
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }
    if asset.cross_origin:
        headers["Access-Control-Allow-Origin"] = "*"
    # Weak comparison (RFC 9110 13.1.2): a proxy that weakened our tag still gets its 304.
    if_none_match = request.if_none_match
    if if_none_match and any(tag.value in (variant.etag, "*") for tag in if_none_match):
        return web.Response(status=304, headers=headers)
    if coding != "identity":
        headers["Content-Encoding"] = coding
    headers["Content-Type"] = asset.content_type
    return web.Response(body=variant.body, headers=headers)


def mount_static(app: web.Application, directory: Path) -> StaticAssets:
    """The loader at /widget.js, the console page at / and /app/..., everything at /static/."""
    assets = StaticAssets(directory)

    def not_built(name: str) -> web.HTTPNotFound:
        return web.HTTPNotFound(text=f"{name} is not built; run `make build`")

    async def loader(request: web.Request) -> web.Response:
        asset = assets.find("widget.js")
        if asset is None:
            raise not_built("widget.js")
        return respond(request, asset)

    async def unhashed_messenger(request: web.Request) -> web.Response:
        # Loaders from before content hashing ask for /messenger.js (cached up to 5 minutes).
        asset = assets.find(assets.logical("messenger.js"))
        if asset is None:
            raise not_built("messenger.js")
        return respond(request, asset, LOADER_CACHE)

    async def console_page(request: web.Request) -> web.Response:
        asset = assets.find("console/index.html")
        if asset is None:
            raise not_built("the console")
        return respond(request, asset)

    async def static_file(request: web.Request) -> web.Response:
        asset = assets.find(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound(text="no such file")
        return respond(request, asset)

    app.router.add_get("/widget.js", loader)
    app.router.add_get("/messenger.js", unhashed_messenger)
    for path in ("/", "/login", "/app", "/app/{tail:.*}"):
        app.router.add_get(path, console_page)
    app.router.add_get("/static/{name:.+}", static_file)
    return assets
