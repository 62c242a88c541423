"""The `frontdesk` command: serve | demo | migrate | backup | restore | create-org | create-rep |
show-identity-secret | rotate-identity-secret."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# The imports below make about a million objects that live as long as the process; the
# collector walked them some 470 times while they were made (~0.35 s of CPU, an eighth of a
# restarted server's start-up, issue 21). It is off while they load; the server's start-up
# collects once and freezes what it finds (app.py), and other commands collect as usual.
_COLLECTING = gc.isenabled()
gc.disable()

from aiohttp import web  # noqa: E402

from frontdesk.app import build_runtime, create_app, make_runner  # noqa: E402
from frontdesk.core.clock import Clock  # noqa: E402
from frontdesk.core.errors import FrontdeskError  # noqa: E402
from frontdesk.core.ids import new_secret  # noqa: E402
from frontdesk.core.logging import configure_logging  # noqa: E402
from frontdesk.features.orgs.schemas import ROLES  # noqa: E402
from frontdesk.settings import (  # noqa: E402
    Settings,
    SettingsError,
    ensure_development_secret,
    load_settings,
)
from frontdesk.storage.backup import backup_sqlite, restore_sqlite, sqlite_file  # noqa: E402
from frontdesk.storage.migrate import (  # noqa: E402
    SchemaStatus,
    schema_status,
    schema_status_of,
    upgrade,
)

if _COLLECTING:
    gc.enable()

if TYPE_CHECKING:
    from frontdesk.launch import EarlyListener

DEMO_PASSWORD = "frontdesk-demo"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdesk", description="Frontdesk: live visitors and chat for sales teams"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (HTTP API, WebSockets, console, widget)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="run this many server processes on the port, restarted when one dies; more than "
        "one needs PostgreSQL and Redis (docs/operations.md)",
    )
    serve.add_argument(
        "--reuse-port",
        action="store_true",
        help="bind with SO_REUSEPORT, so several `frontdesk serve` processes share the port "
        "(what --workers does for you)",
    )
    # Set by the supervisor of --workers: a worker stops when its supervisor is gone.
    serve.add_argument("--supervisor-pid", type=int, default=None, help=argparse.SUPPRESS)
    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 and name the pending migrations when there are any, 0 when "
        "the schema is up to date, 2 when the database is at a revision this version does not "
        "know",
    )
    backup = sub.add_parser(
        "backup",
        help="copy the SQLite database to a new file while the server runs (PostgreSQL: pg_dump)",
        description="Copy the SQLite database (FRONTDESK_DATABASE_URL) to PATH: a consistent "
        "snapshot taken while the server keeps serving. PATH must not exist yet. On PostgreSQL "
        "use pg_dump (docs/operations.md, Backups).",
    )
    backup.add_argument("path", type=Path, help="the new backup file")
    restore = sub.add_parser(
        "restore",
        help="replace the SQLite database with a backup, after checking the backup",
        description="Check that PATH is an intact Frontdesk database at a schema revision this "
        "version knows, then copy it over the SQLite database (FRONTDESK_DATABASE_URL). Stop "
        "the server first: a database a running server has open is refused without --force.",
    )
    restore.add_argument("path", type=Path, help="a file made by `frontdesk backup`")
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore even though another process (a running server) has the database open; "
        "restart that server straight away afterwards",
    )
    org = sub.add_parser("create-org", help="create an org; prints its site key")
    org.add_argument("name")
    org.add_argument(
        "--origin",
        action="append",
        default=[],
        help="website origin allowed to embed the widget (repeatable)",
    )
    rep = sub.add_parser("create-rep", help="create a rep, team lead or admin in an org")
    rep.add_argument("--org", required=True, help="the org's site key")
    rep.add_argument("--email", required=True)
    rep.add_argument("--name", required=True)
    rep.add_argument(
        "--role",
        choices=list(ROLES),
        default="rep",
        help="rep; lead (a team lead: a rep who also reads every rep's reports); or admin",
    )
    password = rep.add_mutually_exclusive_group()
    password.add_argument(
        "--password", help="at least 8 characters; asked for on the terminal when omitted"
    )
    password.add_argument(
        "--generate-password",
        action="store_true",
        help="make a random password and print it on a second line after the rep's id",
    )
    for command, text in (
        ("show-identity-secret", "print the org's identity-verification secret"),
        (
            "rotate-identity-secret",
            "replace the org's identity-verification secret and print the new one; "
            "identify() hashes made with the old one are refused at once",
        ),
    ):
        secret = sub.add_parser(
            command, help=text, description=text + " (docs/widget.md: identifying users)"
        )
        secret.add_argument("--org", required=True, help="the org's site key")
    rollups = sub.add_parser(
        "report-rollups",
        help="build the reports' daily rollups now (the server also does it in the background)",
        description="Roll up every org's chats and proactive events per local day for the "
        "UTC offsets of the given time zones (and those reports were read in before), so "
        "reports over long ranges read a row per day (docs/reports.md, Speed). Safe to run "
        "while servers run, and again: days already built and unchanged are skipped.",
    )
    rollups.add_argument(
        "--zone",
        action="append",
        default=[],
        help="an IANA time zone reports are read in (repeatable; default UTC)",
    )
    demo = sub.add_parser(
        "demo", help="migrate, create a demo org and reps, serve the console and a demo website"
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument(
        "--site-port", type=int, default=None, help="demo website port (default: port + 1)"
    )
    demo.add_argument("--password", default=DEMO_PASSWORD)
    return parser


async def _migrate(settings: Settings) -> None:
    runtime = build_runtime(settings)
    try:
        await upgrade(runtime.db.engine)
    finally:
        await runtime.db.close()


async def _schema_status(settings: Settings) -> tuple[SchemaStatus, str]:
    """The database's schema status, and a note for the operator ("" or one sentence)."""
    from frontdesk.storage.db import create_engine

    if settings.is_sqlite and not sqlite_file(settings.database_url).exists():
        # Checking must not create the file (connecting to SQLite would).
        return schema_status_of(()), (
            f"There is no database at {sqlite_file(settings.database_url)} yet."
        )
    engine = create_engine(settings.database_url)
    try:
        return await schema_status(engine), ""
    finally:
        await engine.dispose()


def _check_migrations(settings: Settings) -> int:
    # Alembic logs which database it talks to at INFO; the answer below is all a script needs.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    status, note = asyncio.run(_schema_status(settings))
    print(" ".join(filter(None, [note, status.describe()])))
    if status.unknown:
        return 2
    return 1 if status.pending else 0


def _backup(settings: Settings, target: Path) -> None:
    source = sqlite_file(settings.database_url)
    info = backup_sqlite(source, target)
    revision = ", ".join(info.schema.current) or "none"
    print(
        f"backed up {source} to {info.path} "
        f"({info.size_bytes / 1_000_000:.1f} MB, schema revision {revision})"
    )


def _restore(settings: Settings, backup: Path, *, force: bool) -> None:
    target = sqlite_file(settings.database_url)
    schema = restore_sqlite(backup, target, force=force)
    print(f"restored {target} from {backup} (schema revision {', '.join(schema.current)})")
    if schema.pending:
        print(f"Before starting the server: {schema.describe()}.")


async def _report_rollups(settings: Settings, zones: list[str]) -> int:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from frontdesk.features.orgs.models import Org
    from frontdesk.features.reports import (
        catch_up_rollups,
        parse_zone,
        register_rollup_zones,
        rollup_zone_offsets,
    )

    runtime = build_runtime(settings)
    try:
        now = datetime.now(UTC)
        offsets: set[int] = set()
        for name in zones or ["UTC"]:
            offsets |= rollup_zone_offsets(
                parse_zone(name), (now - timedelta(days=366)).date(), now.date()
            )
        async with runtime.db.read() as session:
            org_ids = list((await session.execute(select(Org.id))).scalars())
        for org_id in org_ids:
            await register_rollup_zones(runtime.db, org_id, offsets)
        return await catch_up_rollups(runtime.db, now)
    finally:
        await runtime.db.close()


async def _create_org(settings: Settings, name: str, origins: list[str]) -> str:
    from frontdesk.features.orgs import create_org

    runtime = build_runtime(settings)
    try:
        async with runtime.db.transaction() as session:
            org = await create_org(session, runtime, name, origins)
            return org.site_key
    finally:
        await runtime.db.close()


async def _create_rep(settings: Settings, args: argparse.Namespace) -> str:
    from frontdesk.core.errors import NotFound
    from frontdesk.features.orgs import create_rep, org_by_site_key

    password = args.password
    if args.generate_password:
        password = new_secret(12)
    elif password is None:
        password = _ask_password()
    runtime = build_runtime(settings)
    try:
        async with runtime.db.transaction() as session:
            org = await org_by_site_key(session, args.org)
            if org is None:
                raise NotFound(f"no org has site key {args.org!r}")
            rep = await create_rep(
                session,
                runtime,
                org_id=org.id,
                email=args.email,
                name=args.name,
                role=args.role,
                password=password,
            )
            return rep.id if not args.generate_password else f"{rep.id}\n{password}"
    finally:
        await runtime.db.close()


def _ask_password() -> str:
    """The new rep's password, typed twice on the terminal. Without a terminal (a script, a
    pipe, a container without -t) there is no one to ask: say what to pass instead."""
    if not sys.stdin.isatty():
        raise SettingsError(
            "create-rep needs a password and there is no terminal to ask for one: pass "
            "--password PASSWORD, or --generate-password to have one made and printed"
        )
    import getpass

    try:
        password = getpass.getpass("Password for the new rep: ")
        again = getpass.getpass("Same password again: ")
    except EOFError:
        raise SettingsError("no password was typed; the rep was not created") from None
    if password != again:
        raise SettingsError("the two passwords differ; the rep was not created")
    return password


async def _identity_secret(settings: Settings, site_key: str, *, rotate: bool) -> str:
    from frontdesk.core.errors import NotFound
    from frontdesk.features.orgs import org_by_site_key, rotate_identity_secret

    runtime = build_runtime(settings)
    try:
        async with runtime.db.transaction() as session:
            org = await org_by_site_key(session, site_key)
            if org is None:
                raise NotFound(f"no org has site key {site_key!r}")
            if rotate:
                org = await rotate_identity_secret(session, org.id)
            return org.identity_secret
    finally:
        await runtime.db.close()


async def _run_until_stopped(
    runners: list[web.AppRunner], supervisor_pid: int | None = None
) -> None:
    """Serve until SIGTERM or SIGINT (or, in a worker, until its supervisor is gone), then
    shut down gracefully: stop accepting, close every socket with 1001 so clients reconnect
    elsewhere, let handlers finish for up to SHUTDOWN_TIMEOUT, then flush pending writes and
    close the database (app.py's cleanup)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    watch = None
    if supervisor_pid is not None:
        watch = asyncio.ensure_future(_stop_when_orphaned(supervisor_pid, stop))
    try:
        await stop.wait()
    finally:
        if watch is not None:
            watch.cancel()
        for runner in runners:
            await runner.cleanup()


async def _stop_when_orphaned(supervisor_pid: int, stop: asyncio.Event) -> None:
    from frontdesk.supervisor import supervisor_gone

    while not supervisor_gone(supervisor_pid):  # noqa: ASYNC110 (polls another process)
        await asyncio.sleep(1)
    logging.getLogger("frontdesk.cli").warning("the supervisor is gone; stopping this worker")
    stop.set()


# How long handlers get to finish after the sockets were told 1001 (a message being written
# is acknowledged or fails; the client retries it elsewhere either way, stored once).
SHUTDOWN_TIMEOUT = 5.0


async def _serve(
    settings: Settings,
    host: str,
    port: int,
    clock: Clock | None,
    *,
    reuse_port: bool = False,
    supervisor_pid: int | None = None,
    listening: EarlyListener | None = None,
) -> None:
    app = create_app(settings, clock)
    # The visitor sockets on aiohttp or on the lean protocol (transport/visitor_lean.py),
    # on this same port either way.
    runner = make_runner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    if listening is not None:  # bound before the modules loaded (launch.py)
        held = listening.hand_over()
        await web.SockSite(runner, listening.socket, backlog=4096).start()
        loop = asyncio.get_running_loop()
        for connection in held:  # the connections made while the server loaded
            await loop.connect_accepted_socket(runner.server, connection)  # type: ignore[arg-type]
    else:
        await web.TCPSite(runner, host, port, backlog=4096, reuse_port=reuse_port or None).start()
    print(f"Frontdesk is serving on http://{host}:{port} (pid {os.getpid()})", flush=True)
    await _run_until_stopped([runner], supervisor_pid)


async def _demo(settings: Settings, args: argparse.Namespace) -> None:
    from frontdesk.demo import demo_site_app, ensure_demo_org

    await _migrate(settings)
    site_port = args.site_port or args.port + 1
    server_url = f"http://{args.host}:{args.port}"
    site_origins = [
        f"http://{args.host}:{site_port}",
        f"http://localhost:{site_port}",
        f"http://127.0.0.1:{site_port}",
    ]
    app = create_app(settings)
    from frontdesk.transport.http import RUNTIME_KEY

    runtime = app[RUNTIME_KEY]
    org, reps = await ensure_demo_org(runtime, site_origins, args.password)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port, backlog=4096).start()
    site_runner = web.AppRunner(demo_site_app(server_url, org.site_key), access_log=None)
    await site_runner.setup()
    await web.TCPSite(site_runner, args.host, site_port).start()
    lines = [
        "",
        "Frontdesk demo is running.",
        f"  Rep console:   {server_url}/",
        f"  Demo website:  http://{args.host}:{site_port}/   (open it in another window to appear in the live stream)",
        f"  Site key:      {org.site_key}",
        "  Logins (password for all: " + args.password + "):",
        *[f"    {rep.role:5}  {rep.email}  ({rep.name})" for rep in reps],
        "",
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(lines), flush=True)
    await _run_until_stopped([site_runner, runner])


def _signs_things(args: argparse.Namespace) -> bool:
    """Whether the command may use the secret key; the others get no development secret
    written into the data directory (a backup or a check should leave no files behind)."""
    return args.command not in ("backup", "restore") and not (
        args.command == "migrate" and args.check
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    clock: Clock | None = None,
    listening: EarlyListener | None = None,
) -> int:
    """`clock`: the time `serve` runs on (the system's when None). Only tests pass one:
    tests/support/serve_with_clock.py serves on a clock they move forward. `listening`:
    `serve`'s socket, already bound by the entry point (launch.py)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            settings = ensure_development_secret(
                load_settings(environment="development", log_format="text")
            )
        else:
            settings = load_settings()
            if args.command == "serve":
                settings.validate_for_serving()
            elif _signs_things(args) and (
                settings.environment != "production" or not settings.secret_key
            ):
                settings = ensure_development_secret(settings)
        configure_logging(settings.log_level, settings.log_format)
        if args.command == "serve" and args.workers > 1:
            from frontdesk.supervisor import Supervisor, check_can_run_workers

            check_can_run_workers(settings, args.workers)
            return Supervisor(args.host, args.port, args.workers).run()
        elif args.command == "serve":
            asyncio.run(
                _serve(
                    settings,
                    args.host,
                    args.port,
                    clock,
                    reuse_port=args.reuse_port,
                    supervisor_pid=args.supervisor_pid,
                    listening=listening,
                )
            )
        elif args.command == "migrate" and args.check:
            return _check_migrations(settings)
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("database is up to date")
        elif args.command == "backup":
            _backup(settings, args.path)
        elif args.command == "restore":
            _restore(settings, args.path, force=args.force)
        elif args.command == "report-rollups":
            built = asyncio.run(_report_rollups(settings, args.zone))
            print(f"report rollups: built {built} days")
        elif args.command == "create-org":
            print(asyncio.run(_create_org(settings, args.name, args.origin)))
        elif args.command == "create-rep":
            print(asyncio.run(_create_rep(settings, args)))
        elif args.command in ("show-identity-secret", "rotate-identity-secret"):
            rotate = args.command == "rotate-identity-secret"
            print(asyncio.run(_identity_secret(settings, args.org, rotate=rotate)))
            if rotate:
                print(
                    "The old secret no longer verifies identify() calls: give your server "
                    "the new one now.",
                    file=sys.stderr,
                )
        elif args.command == "demo":
            asyncio.run(_demo(settings, args))
    except (SettingsError, FrontdeskError) as exc:
        print(f"frontdesk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
