"""HTTP plumbing: JSON errors, typed request bodies, auth, CSRF, client IPs, OpenAPI."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import orjson
import redis.exceptions
import sqlalchemy.exc
from aiohttp import web
from pydantic import BaseModel, ConfigDict, RootModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from frontdesk.core import tracing
from frontdesk.core.errors import (
    Forbidden,
    FrontdeskError,
    NotAuthenticated,
    RequestTimeout,
    UnsupportedMediaType,
    ValidationFailed,
)
from frontdesk.core.logging import request_id as request_id_var
from frontdesk.core.metrics import count_error
from frontdesk.core.schemas import Closed
from frontdesk.features import audit
from frontdesk.features.api_tokens import TokenActor, authenticate_token, looks_like_token
from frontdesk.features.orgs import Authenticated, authenticate
from frontdesk.runtime import Runtime
from frontdesk.transport.errors import describe_validation_error

log = logging.getLogger("frontdesk.http")

SESSION_COOKIE = "fd_session"
MAX_JSON_BYTES = 1 << 20
RUNTIME_KEY = web.AppKey("runtime", Runtime)

Auth = Literal["none", "rep", "admin"]
M = TypeVar("M", bound=BaseModel)


def runtime_of(request: web.Request) -> Runtime:
    return request.app[RUNTIME_KEY]


def json_response(data: Any, status: int = 200) -> web.Response:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """An error answer's body; it names the request's id (also in X-Request-Id and in the
    log lines the request wrote), so a user's report leads to the log."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    current = request_id_var.get()
    if current is not None:
        error["request_id"] = current
    return {"error": error}


def error_response(error: FrontdeskError) -> web.Response:
    return json_response(error_body(error.code, error.message, error.details), status=error.status)


REQUEST_ID_KEY = web.RequestKey("request_id", str)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(request: web.Request, runtime: Runtime) -> str:
    """The trusted proxy's X-Request-Id when it sent a sane one (so its log and ours share
    the id), else a new one. A client's own header counts for nothing."""
    return request_id_from(request.remote, request.headers, runtime)


def request_id_from(remote: str | None, headers: Mapping[str, str], runtime: Runtime) -> str:
    """request_id_of for a request that is not aiohttp's (transport/visitor_lean.py)."""
    given = headers.get("X-Request-Id", "")
    if given and _REQUEST_ID.fullmatch(given) and _trusted_peer(remote, runtime):
        return given
    return uuid.uuid4().hex


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(value: str) -> IpAddress | None:
    """An address as proxies write it: '198.51.100.7', '198.51.100.7:4711', '[2001:db8::1]:443'
    or '::ffff:198.51.100.7' (IPv4-mapped, as a dual-stack socket reports IPv4 peers), with
    IPv4-mapped addresses turned into IPv4 so they match IPv4 blocks; None if it is not one."""
    value = value.strip().strip('"')
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return None
        value = value[1:end]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _peer_is_trusted_proxy(request: web.Request, runtime: Runtime) -> bool:
    return _trusted_peer(request.remote, runtime)


def _trusted_peer(remote: str | None, runtime: Runtime) -> bool:
    proxies = runtime.settings.trusted_proxies
    peer = parse_ip(remote or "")
    return bool(proxies) and peer is not None and any(peer in network for network in proxies)


def client_ip(request: web.Request, runtime: Runtime) -> str | None:
    """The socket peer, or X-Forwarded-For only when the peer is a configured trusted proxy."""
    return client_ip_from(request.remote, request.headers, runtime)


def client_ip_from(remote: str | None, headers: Mapping[str, str], runtime: Runtime) -> str | None:
    """client_ip for a request that is not aiohttp's (transport/visitor_lean.py)."""
    if remote is None:
        return None
    peer = parse_ip(remote)
    if peer is None:
        return remote
    if not _trusted_peer(remote, runtime):
        return str(peer)
    proxies = runtime.settings.trusted_proxies
    forwarded = [part for part in headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    # Walk from the right: the first address not belonging to our proxies is the client.
    for entry in reversed(forwarded):
        address = parse_ip(entry)
        if address is None:
            return str(peer)  # a garbled entry: trust nothing to its left
        if not any(address in network for network in proxies):
            return str(address)
    return str(peer)


def request_scheme(request: web.Request, runtime: Runtime) -> str:
    """'https' if the request reached us over TLS, or a trusted proxy says its client used
    HTTPS (X-Forwarded-Proto); an untrusted peer's header counts for nothing."""
    if request.secure:
        return "https"
    if _peer_is_trusted_proxy(request, runtime):
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if forwarded in ("http", "https"):
            return forwarded
    return request.scheme


def cookies_must_be_secure(request: web.Request, runtime: Runtime) -> bool:
    """Secure cookies when the console is served over HTTPS: its public URL says so, or this
    request came over HTTPS."""
    public = runtime.settings.public_url or ""
    return public.lower().startswith("https://") or request_scheme(request, runtime) == "https"


def request_origin(request: web.Request, runtime: Runtime) -> str:
    """The console's own origin: FRONTDESK_PUBLIC_URL, else the scheme and host of the request."""
    if runtime.settings.public_url:
        return runtime.settings.public_url.rstrip("/")
    return f"{request_scheme(request, runtime)}://{request.host}"


async def rep_from_request(request: web.Request) -> Authenticated:
    return await authenticate(runtime_of(request), request.cookies.get(SESSION_COOKIE))


def check_origin(request: web.Request) -> None:
    """A browser names the page that sent a write (Origin, Sec-Fetch-Site); refuse another
    site's. Clients that are not browsers send neither and are judged by their credentials."""
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request_origin(request, runtime_of(request)):
        raise Forbidden("cross-site request refused")
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        raise Forbidden("cross-site request refused")


def check_csrf(request: web.Request, actor: Authenticated) -> None:
    """Cookie-authenticated writes need the session's CSRF token and, when sent, our Origin."""
    token = request.headers.get("X-CSRF-Token", "")
    if not token or token != actor.csrf_token:
        raise Forbidden("missing or wrong X-CSRF-Token header")
    check_origin(request)


async def read_body(request: web.Request) -> bytes:
    """The request body, within FRONTDESK_HTTP_BODY_TIMEOUT: a client trickling a body must
    not hold a handler (and its memory) forever."""
    try:
        async with asyncio.timeout(runtime_of(request).settings.http_body_timeout):
            return await request.read()
    except TimeoutError:
        raise RequestTimeout("the request body took too long to arrive") from None


async def read_json(request: web.Request) -> Any:
    """The JSON body of a request. Required: an empty body is refused, and so is one not sent
    as application/json (a cross-site form can post text/plain without asking; JSON cannot)."""
    if request.content_type != "application/json":
        raise UnsupportedMediaType("send the request body as JSON (Content-Type: application/json)")
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise ValidationFailed("request body is too large")
    raw = await read_body(request)
    if len(raw) > MAX_JSON_BYTES:
        raise ValidationFailed("request body is too large")
    if not raw.strip():
        raise ValidationFailed("this operation needs a JSON body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(f"request body is not valid JSON: {exc.msg}") from None


def parse_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            describe_validation_error(exc), details=_error_details(exc)
        ) from None


def _error_details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
        for e in exc.errors()[:10]
    ]


@dataclass
class Ctx:
    request: web.Request
    runtime: Runtime
    actor: Authenticated | None

    @property
    def rep(self) -> Authenticated:
        if self.actor is None:
            raise NotAuthenticated("sign in first")
        return self.actor

    def path_param(self, name: str) -> str:
        value = self.request.match_info[name]
        if not re.fullmatch(r"[0-9a-f]{32}", value):
            raise ValidationFailed(f"{name} must be a 32-character id")
        return value


Handler = Callable[[Ctx, Any], Awaitable[Any]]


class Ok(Closed):
    """The answer of an operation that has nothing else to say."""

    ok: bool = True


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    # Present only when there is more to say (the fields a validation error names, the orgs
    # a `choose_org` answer offers, ...).
    details: Any = None
    # The request's id, as in its X-Request-Id header and its log lines.
    request_id: str | None = None


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the API."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


@dataclass
class Route:
    method: str
    path: str
    # None: served by a handler of its own (mounted elsewhere), listed here for /openapi.json.
    handler: Handler | None
    auth: Auth
    body: type[BaseModel] | None
    response: type[BaseModel]
    summary: str
    query: type[BaseModel] | None = None
    # Written to the audit log when it succeeds, even a read (every admin-only write is,
    # regardless).
    audit: bool = False

    # What a 200 answer is: JSON of `response`, or a file (text/csv) whose rows follow it.
    media_type: str = "application/json"

    @property
    def audited(self) -> bool:
        return self.audit or (self.method not in SAFE_METHODS and self.auth == "admin")


@dataclass
class Api:
    """A tiny route registry: typed bodies in, typed answers out (each route names its answer's
    model, and the answer is checked against it), and an OpenAPI document for free."""

    routes: list[Route] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        response: type[BaseModel],
        auth: Auth = "rep",
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        summary: str = "",
        audit: bool = False,
        media_type: str = "application/json",
    ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.routes.append(
                Route(
                    method,
                    path,
                    handler,
                    auth,
                    body,
                    response,
                    summary or (handler.__doc__ or "").strip(),
                    query,
                    audit,
                    media_type,
                )
            )
            return handler

        return decorate

    def describe(
        self,
        method: str,
        path: str,
        *,
        response: type[BaseModel],
        summary: str,
        query: type[BaseModel] | None = None,
    ) -> None:
        """List a route served by its own aiohttp handler (no session, custom headers) in
        /openapi.json; `mount` leaves it alone."""
        self.routes.append(Route(method, path, None, "none", None, response, summary, query))

    def mount(self, app: web.Application) -> None:
        for route in self.routes:
            if route.handler is not None:
                app.router.add_route(route.method, route.path, _wrap(route))

    def openapi(self, components: Sequence[type[RootModel[Any]]] = ()) -> dict[str, Any]:
        """The OpenAPI document: every route with its request and answer schemas, and these
        extra components (the WebSocket frame unions, which no HTTP route names)."""
        wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "validation")]
        for route in self.routes:
            wanted.append((route.response, "serialization"))
            if route.body is not None:
                wanted.append((route.body, "validation"))
        for component in components:
            # Frames a server sends are answers; what clients send is validated.
            wanted.append((component, _component_mode(component)))
        refs, definitions = models_json_schema(
            list(dict.fromkeys(wanted)),
            ref_template="#/components/schemas/{model}",
            schema_generator=_Untitled,
        )
        schemas: dict[str, Any] = definitions.get("$defs", {})
        for (model, _mode), ref in refs.items():
            if "$ref" not in ref:  # a model pydantic inlined: give it its own component
                schemas[model.__name__] = ref

        def ref_of(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
            found = refs[(model, mode)]
            return found if "$ref" in found else {"$ref": f"#/components/schemas/{model.__name__}"}

        paths: dict[str, Any] = {}
        for route in self.routes:
            operation: dict[str, Any] = {"summary": route.summary, "responses": {}}
            params = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"{(\w+)}", route.path)
            ]
            if route.query is not None:
                for name, info in route.query.model_json_schema().get("properties", {}).items():
                    params.append({"name": name, "in": "query", "required": False, "schema": info})
            if params:
                operation["parameters"] = params
            if route.body is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": ref_of(route.body, "validation")}},
                }
            schema = ref_of(route.response, "serialization")
            operation["responses"]["200"] = {
                "description": "OK",
                "content": {
                    route.media_type: (
                        {"schema": schema}
                        if route.media_type == "application/json"
                        else {"schema": {"type": "string"}, "x-rows": schema}
                    )
                },
            }
            operation["responses"]["4XX"] = {
                "description": "Error",
                "content": {"application/json": {"schema": ref_of(ErrorBody, "validation")}},
            }
            if route.auth != "none":
                operation["security"] = [{"session": []}, {"api_token": []}]
            paths.setdefault(route.path, {})[route.method.lower()] = operation
        return {
            "openapi": "3.1.0",
            "info": {"title": "Frontdesk API", "version": "1"},
            # Sorted: routes register on import, and import order differs between processes
            # (the checked-in schema must not depend on which module a test imported first).
            "paths": dict(sorted(paths.items())),
            "components": {
                "schemas": dict(sorted(schemas.items())),
                "securitySchemes": {
                    "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
                    "api_token": {"type": "http", "scheme": "bearer"},
                },
            },
        }


class _Untitled(GenerateJsonSchema):
    """No "title" on every field (pydantic's default: the field name, title-cased): noise in
    the document and in the generated TypeScript."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _component_mode(component: type[BaseModel]) -> JsonSchemaMode:
    return "validation" if getattr(component, "client_sends", False) else "serialization"


def answer_json(route: Route, result: Any) -> web.Response:
    """The handler's answer as the route's model says: a dict is checked against it (and a
    field it lacks, or one it does not know, is a server error, not a silent change)."""
    if result is None:
        result = Ok()
    if not isinstance(result, route.response):
        result = route.response.model_validate(result)
    return json_response(result)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Operations an API token may not perform: signing in and out, passwords, and making or
# revoking tokens (a leaked token must not be able to mint more). Sign in to the console.
TOKEN_REFUSED_PREFIXES = ("/api/auth/", "/api/me/password", "/api/api-tokens")


def bearer_token(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def required_scope(route: Route) -> str:
    if route.auth == "admin":
        return "admin"
    return "read" if route.method in SAFE_METHODS else "write"


async def token_actor(request: web.Request, route: Route, secret: str) -> TokenActor:
    if request.path.startswith(TOKEN_REFUSED_PREFIXES):
        raise Forbidden("API tokens cannot do this; sign in to the console")
    if not looks_like_token(secret):
        raise NotAuthenticated("unknown API token")
    found = await authenticate_token(runtime_of(request), secret)
    needed = required_scope(route)
    if needed not in found.scopes:
        raise Forbidden(f"this API token does not have the {needed!r} scope")
    return found


async def _audit(
    request: web.Request,
    route: Route,
    actor: Authenticated,
    token: TokenActor | None,
    payload: Any,
) -> None:
    runtime = runtime_of(request)
    try:
        await audit.record(
            runtime,
            org_id=actor.org_id,
            actor_rep_id=actor.rep.id,
            actor_name=actor.rep.name
            if token is None
            else f"{actor.rep.name} (API token {token.token_name})",
            actor_kind="session" if token is None else "api_token",
            api_token_id=token.token_id if token is not None else None,
            action=f"{route.method} {route.path}",
            summary=route.summary,
            target=dict(request.match_info),
            details=payload.model_dump(mode="json", exclude_unset=True)
            if isinstance(payload, BaseModel)
            else {},
            ip=client_ip(request, runtime),
            request_id=request.get(REQUEST_ID_KEY),
        )
    except Exception:
        log.exception("audit entry not written", extra={"action": route.path})


def _wrap(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        runtime = runtime_of(request)
        actor = None
        token: TokenActor | None = None
        if route.auth != "none":
            secret = bearer_token(request)
            if secret is not None:
                # A script or CRM: no cookie, so no CSRF to guard against.
                token = await token_actor(request, route, secret)
                actor = token.actor
            else:
                actor = await rep_from_request(request)
            if route.auth == "admin":
                actor.require_admin()
            if token is None and request.method not in SAFE_METHODS:
                check_csrf(request, actor)
        elif request.method not in SAFE_METHODS:
            check_origin(request)  # sign-in: a foreign page must not sign a browser in
        payload: Any = None
        if route.body is not None:
            payload = parse_model(route.body, await read_json(request))
        elif route.query is not None:
            payload = parse_model(route.query, dict(request.query))
        assert route.handler is not None
        result = await route.handler(Ctx(request, runtime, actor), payload)
        if actor is not None and route.audited:
            await _audit(request, route, actor, token, payload)
        if isinstance(result, web.StreamResponse):
            return result
        return answer_json(route, result)

    return handle


# Errors that mean Redis or the database cannot be reached right now, not that the request is
# wrong: connection refused or reset, a dead pooled connection after the retries, a timeout.
BACKING_SERVICE_DOWN: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    # The connection pool stayed exhausted for its whole timeout (a starved machine, a burst of
    # arrivals on SQLite's single writer): busy, not broken, and worth retrying like an outage.
    sqlalchemy.exc.TimeoutError,
    ConnectionError,
)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    rid = request_id_of(request, runtime_of(request))
    request[REQUEST_ID_KEY] = rid
    request_id_var.set(rid)  # this handler's task only: its log lines carry the id
    if tracing.enabled() and request.headers.get("Upgrade", "").lower() != "websocket":
        # A WebSocket's life is not one span: each chat frame is a trace of its own.
        info = request.match_info.route.resource
        route = info.canonical if info is not None else "unmatched"
        with tracing.span(
            f"HTTP {request.method} {route}",
            {"http.request.method": request.method, "http.route": route, "frontdesk.rid": rid},
            kind="server",
        ) as current:
            response = await _answer(request, handler)
            tracing.set_attribute(current, "http.response.status_code", response.status)
            return response
    return await _answer(request, handler)


async def _answer(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except FrontdeskError as exc:
        count_error("http_" + exc.code)
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status >= 500:
            count_error("http_internal")
        if request.path.startswith("/api/") and exc.status >= 400:
            code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
                exc.status, "bad_request"
            )
            return json_response(error_body(code, exc.reason), status=exc.status)
        raise
    except BACKING_SERVICE_DOWN as exc:
        count_error("http_unavailable")
        # Redis or the database is unreachable (an outage, a restart): the request may well
        # work in a few seconds, so say so instead of "something went wrong" (docs/operations.md).
        log.warning(
            "backing service unavailable",
            extra={"path": request.path, "method": request.method, "error": repr(exc)},
        )
        response = json_response(
            error_body(
                "unavailable", "the service is briefly unavailable; try again in a few seconds"
            ),
            status=503,
        )
        response.headers["Retry-After"] = "5"
        return response
    except Exception:
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        count_error("http_internal")
        return json_response(error_body("internal", "something went wrong on our side"), status=500)


# Pages of the rep console: everything they load is our own, except thumbnails and favicons
# of visitors' pages and avatars (any http(s) image), and Twilio's Voice SDK's connections
# when a visitor's phone joins the rep's browser call (docs/telephony.md): its signalling
# (wss://voice-js.*.twilio.com), call-quality events (eventgw) and ring sounds (sdk).
# No inline script or style (the page is a module script and a stylesheet; the app styles
# elements through the DOM, which CSP allows).
TWILIO_CONNECT = "wss://*.twilio.com https://eventgw.twilio.com https://sdk.twilio.com"
CONSOLE_PATHS = ("/", "/login", "/app")
API_PREFIXES = ("/api/", "/openapi.json", "/healthz", "/widget/config", "/widget/boot")


def console_csp(request: web.Request, runtime: Runtime) -> str:
    origin = request_origin(request, runtime)
    socket_origin = "wss" + origin[5:] if origin.startswith("https") else "ws" + origin[4:]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https: http:",
            f"connect-src 'self' {socket_origin} {TWILIO_CONNECT}",
            "media-src 'self' https://sdk.twilio.com",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every response: nosniff, and HSTS when it went out over HTTPS. Console pages and API
    answers also: a CSP, no framing, no referrer leaks. The widget scripts and static files
    keep their cross-origin use (a CSP header on a script served to a customer's page would
    not apply to it anyway; it is left off to keep them plain)."""
    runtime = runtime_of(request)
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    rid = request.get(REQUEST_ID_KEY)
    if rid is not None:
        headers["X-Request-Id"] = rid
    if runtime.settings.hsts_max_age and request_scheme(request, runtime) == "https":
        headers["Strict-Transport-Security"] = f"max-age={runtime.settings.hsts_max_age}"
    path = request.path
    if path in CONSOLE_PATHS or path.startswith("/app/"):
        headers["Content-Security-Policy"] = console_csp(request, runtime)
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
    elif path.startswith(API_PREFIXES):
        headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        headers["Referrer-Policy"] = "no-referrer"
