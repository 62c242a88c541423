"""Chat tools: shortcuts, transfer, block and report, classification, the image proxy."""

from __future__ import annotations

import ipaddress
import struct
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.conftest import Backend
from tests.harness import OrgInfo, RepClient, Server, running_server


async def _chat(server: Server, org: OrgInfo, rep: RepClient, visitor: object) -> str:
    await visitor.send({"type": "message", "client_id": "v", "body": "Hello!"})  # type: ignore[attr-defined]
    cid = (await visitor.expect("ack", client_id="v"))["message"]["conversation_id"]  # type: ignore[attr-defined]
    status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200
    return str(cid)


# ---- shortcuts -----------------------------------------------------------------------------


async def test_a_rep_cannot_create_or_edit_org_shortcuts_but_can_use_them(server: Server) -> None:
    org = await server.create_org()
    admin, rep = await server.rep(org, role="admin"), await server.rep(org, name="Dana Reyes")
    status, created = await admin.request(
        "POST",
        "/api/shortcuts",
        {
            "name": "welcome",
            "body": "Hi {visitor.first_name}, {rep.first_name} here from {company}!",
            "scope": "org",
        },
    )
    assert status == 200
    status, refused = await rep.request(
        "POST", "/api/shortcuts", {"name": "mine-too", "body": "x", "scope": "org"}
    )
    assert status == 403 and "admins" in refused["error"]["message"]
    status, _ = await rep.request("PATCH", f"/api/shortcuts/{created['id']}", {"body": "changed"})
    assert status == 403
    status, _ = await rep.request("DELETE", f"/api/shortcuts/{created['id']}")
    assert status == 403
    status, mine = await rep.request(
        "POST",
        "/api/shortcuts",
        {"name": "pricing", "body": "Our **pricing** page: https://acme.example/pricing"},
    )
    assert status == 200 and mine["scope"] == "mine"
    async with server.visitor(org) as visitor:
        await visitor.send(
            {"type": "identify", "email": "jane@initech.example", "name": "Jane Doe", "hash": None}
        )
        await visitor.expect("identified")
        cid = await _chat(server, org, rep, visitor)
        status, used = await rep.request(
            "POST", f"/api/shortcuts/{created['id']}/use", {"conversation_id": cid}
        )
    assert status == 200
    assert (
        used["text"] == "Hi Jane, Dana here!"
    )  # no company known: "from {company}" left out cleanly
    status, listing = await rep.request("GET", "/api/shortcuts")
    by_name = {s["name"]: s for s in listing["shortcuts"]}
    assert by_name["welcome"]["usage_count"] == 1 and by_name["welcome"]["scope"] == "org"
    assert "<strong>pricing</strong>" in by_name["pricing"]["html"]
    status, other = await admin.request("GET", "/api/shortcuts")
    assert "pricing" not in {s["name"] for s in other["shortcuts"]}  # My Shortcuts are private


async def test_a_shortcut_in_the_pounce_dialog_fills_the_same_variables_as_in_the_chat(
    server: Server,
) -> None:
    org = await server.create_org()
    admin, dana = await server.rep(org, role="admin"), await server.rep(org, name="Dana Reyes")
    status, _ = await admin.request(
        "POST", "/api/accounts", {"name": "Initech", "domain": "initech.example"}
    )
    assert status == 200
    status, shortcut = await admin.request(
        "POST",
        "/api/shortcuts",
        {
            "name": "hello",
            "body": "Hi {visitor.first_name} from {company}, enjoying {page.title}? {rep.first_name}",
            "scope": "org",
        },
    )
    assert status == 200
    use = f"/api/shortcuts/{shortcut['id']}/use"
    async with (
        admin.socket() as console,
        server.visitor(org, url=org.origin + "/pricing", title="Pricing") as visitor,
    ):
        vid = visitor.welcome["visitor_id"]  # type: ignore[index]
        await visitor.send(
            {"type": "identify", "email": "pat@initech.example", "name": "Pat Lee", "hash": None}
        )
        await console.expect("visitor.joined", visitor__company="Initech")
        expected = "Hi Pat from Initech, enjoying Pricing? Dana"

        # The Pounce dialog: no conversation yet, so the visitor names whose values to use.
        status, before_chat = await dana.request("POST", use, {"visitor_id": vid, "count": False})
        assert status == 200, before_chat
        assert before_chat["text"] == expected
        status, started = await dana.request(
            "POST",
            f"/api/visitors/{vid}/conversations",
            {"body": before_chat["text"], "client_id": "p1"},
        )
        assert status == 200, started
        cid = started["message"]["conversation_id"]
        status, in_chat = await dana.request("POST", use, {"conversation_id": cid})
        assert status == 200 and in_chat["text"] == expected

        status, refused = await dana.request(
            "POST", use, {"conversation_id": cid, "visitor_id": "x" * 32}
        )
        assert status == 422 and "visitor_id" in refused["error"]["message"]
    other_org = await server.create_org("Other")
    async with server.visitor(other_org) as stranger:
        status, refused = await dana.request(
            "POST",
            use,
            {"visitor_id": stranger.welcome["visitor_id"]},  # type: ignore[index]
        )
        assert status == 404  # one org never fills in another org's visitor


# ---- transfer ------------------------------------------------------------------------------


async def test_a_transfer_moves_the_chat_with_its_transcript_and_alerts_the_new_owner(
    server: Server,
) -> None:
    org = await server.create_org()
    dana, sam = await server.rep(org, name="Dana Reyes"), await server.rep(org, name="Sam Okafor")
    away = await server.rep(org, name="Away Ann", available=False)
    async with sam.socket() as sam_console, server.visitor(org) as visitor:
        cid = await _chat(server, org, dana, visitor)
        status, refused = await dana.request(
            "POST", f"/api/conversations/{cid}/transfer", {"to_rep_id": away.rep_id}
        )
        assert status == 409 and "not available" in refused["error"]["message"]
        status, _ = await sam.request(
            "POST", f"/api/conversations/{cid}/transfer", {"to_rep_id": sam.rep_id}
        )
        assert status == 403
        status, moved = await dana.request(
            "POST",
            f"/api/conversations/{cid}/transfer",
            {"to_rep_id": sam.rep_id, "note": "Wants SSO pricing"},
        )
        assert status == 200 and moved["owner_rep_id"] == sam.rep_id
        alert = await sam_console.expect(
            "conversation.updated", conversation__id=cid, conversation__owner_rep_id=sam.rep_id
        )
        assert alert["conversation"]["meta"]["transfer"]["waiting"] is True
        assert alert["conversation"]["meta"]["transfer"]["note"] == "Wants SSO pricing"
        line = await visitor.expect(
            "message",
            message__author_kind="system",
            message__body="You're now chatting with Sam Okafor.",
        )
        assert line["message"]["internal"] is False
        await visitor.send({"type": "ping"})
        await visitor.expect("pong")
        assert "Wants SSO pricing" not in str(visitor.received)  # the note is for reps only
    status, body = await sam.request("GET", f"/api/conversations/{cid}")
    assert body["messages"][0]["body"] == "Hello!"
    assert any(m["internal"] and "Wants SSO pricing" in m["body"] for m in body["messages"])
    status, active = await dana.request("GET", "/api/conversations?box=active")
    assert cid not in [c["id"] for c in active["conversations"]]
    status, active = await sam.request("GET", "/api/conversations?box=active")
    assert cid in [c["id"] for c in active["conversations"]]


# ---- blocking ------------------------------------------------------------------------------


async def _boot(
    server: Server, org: OrgInfo, token: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, object]:
    http = server.http()
    query = f"site={org.site_key}" + (f"&vt={token}" if token else "")
    async with http.get(
        f"{server.url}/widget/boot?{query}", headers={"Origin": org.origin, **(headers or {})}
    ) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == org.origin
        return await response.json()  # type: ignore[no-any-return]


async def test_a_blocked_visitor_loses_the_messenger_at_once_and_gets_none_after_reloading(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as visitor:
        token = visitor.welcome["token"]  # type: ignore[index]
        cid = await _chat(server, org, rep, visitor)
        status, result = await rep.request(
            "POST",
            f"/api/visitors/{visitor.welcome['visitor_id']}/block",
            {"report": True, "reason": "abusive"},
        )  # type: ignore[index]
        assert status == 200 and result["report_id"]
        await visitor.expect("blocked")
        assert await visitor.closed_code() == 4403
    status, body = await rep.request("GET", f"/api/conversations/{cid}")
    assert body["conversation"]["ended_reason"] == "blocked"
    assert (await _boot(server, org, token)) == {"blocked": True}
    http = server.http()
    ws = await http.ws_connect(f"{server.ws_url}/ws/visitor?site={org.site_key}", origin=org.origin)
    await ws.send_json(
        {"type": "hello", "token": token, "page": {"url": org.origin + "/"}, "tab_id": "t"}
    )
    await ws.receive(timeout=5)
    assert ws.close_code == 4403
    admin = await server.rep(org, role="admin")
    status, overview = await admin.request("GET", "/api/blocks")
    assert (
        overview["reports"][0]["reason"] == "abusive"
        and overview["reports"][0]["ip"] == "127.0.0.1"
    )
    status, _ = await rep.request("GET", "/api/blocks")
    assert status == 403


@pytest.fixture
async def proxied(sqlite_memory_backend: Backend) -> AsyncIterator[Server]:
    async with running_server(
        sqlite_memory_backend.database_url,
        "memory://",
        "unused",
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
    ) as server:
        yield server


async def test_an_ip_block_refuses_new_cookies_from_that_ip_until_it_expires(
    proxied: Server,
) -> None:
    server = proxied
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    expires = (server.clock.now() + timedelta(hours=1)).isoformat()
    status, block = await admin.request(
        "POST",
        "/api/ip-blocks",
        {"cidr": "203.0.113.0/24", "expires_at": expires, "reason": "spam wave"},
    )
    assert status == 200
    assert (await _boot(server, org, headers={"X-Forwarded-For": "203.0.113.77"})) == {
        "blocked": True
    }
    assert (await _boot(server, org, headers={"X-Forwarded-For": "198.51.100.1"}))[
        "blocked"
    ] is False
    import aiohttp

    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await server.http().ws_connect(
            f"{server.ws_url}/ws/visitor?site={org.site_key}",
            origin=org.origin,
            headers={"X-Forwarded-For": "203.0.113.77"},
        )
    assert refused.value.status == 403
    server.clock.advance(3601)
    assert (await _boot(server, org, headers={"X-Forwarded-For": "203.0.113.77"}))[
        "blocked"
    ] is False
    async with server.visitor(org, headers={"X-Forwarded-For": "203.0.113.77"}) as visitor:
        assert visitor.welcome is not None
    status, _ = await admin.request("DELETE", f"/api/ip-blocks/{block['id']}")
    assert status == 200


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_dodge_an_ip_block(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": "127.0.0.1/32"})
    assert status == 200
    assert (await _boot(server, org, headers={"X-Forwarded-For": "198.51.100.1"})) == {
        "blocked": True
    }


async def test_blocking_is_per_org(server: Server) -> None:
    acme, globex = await server.create_org("Acme"), await server.create_org("Globex")
    admin = await server.rep(acme, role="admin")
    status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": "127.0.0.1/32"})
    assert status == 200
    assert (await _boot(server, acme))["blocked"] is True
    assert (await _boot(server, globex))["blocked"] is False


# ---- classification ------------------------------------------------------------------------


async def test_a_chat_is_classified_and_recent_can_be_filtered_and_searched_by_it(
    server: Server,
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    ids = []
    for n, (qualified, tags, notes) in enumerate(
        [
            (True, ["enterprise", "SSO"], "Budget approved for Q3"),
            (False, ["student"], "Homework question"),
        ]
    ):
        async with server.visitor(org) as visitor:
            cid = await _chat(server, org, rep, visitor)
            status, result = await rep.request(
                "PATCH",
                f"/api/conversations/{cid}/classification",
                {
                    "qualified": qualified,
                    "tags": tags,
                    "deal_value": 1000.0 * (n + 1),
                    "notes": notes,
                },
            )
            assert status == 200 and result["tags"] == [t.lower() for t in tags]
            await rep.request("POST", f"/api/conversations/{cid}/end")
            ids.append(cid)
    status, body = await rep.request(
        "PATCH", f"/api/conversations/{ids[1]}/classification", {"deal_value": -5}
    )
    assert status == 422
    status, qualified = await rep.request("GET", "/api/conversations?box=recent&qualified=true")
    assert [c["id"] for c in qualified["conversations"]] == [ids[0]]
    assert qualified["conversations"][0]["classification"]["deal_value"] == 1000.0
    status, tagged = await rep.request("GET", "/api/conversations?box=recent&tag=student")
    assert [c["id"] for c in tagged["conversations"]] == [ids[1]]
    status, searched = await rep.request("GET", "/api/conversations?box=recent&q=budget")
    assert [c["id"] for c in searched["conversations"]] == [ids[0]]


# ---- image proxy ---------------------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def image_host() -> AsyncIterator[str]:
    async def ok(_: web.Request) -> web.Response:
        return web.Response(body=_png(), content_type="image/png")

    async def page(_: web.Request) -> web.Response:
        return web.Response(text="<script>x</script>", content_type="text/html")

    async def huge(_: web.Request) -> web.Response:
        return web.Response(body=b"\x00" * (6 * 1024 * 1024), content_type="image/png")

    async def bounce(_: web.Request) -> web.Response:
        raise web.HTTPFound("/ok.png")

    app = web.Application()
    app.router.add_get("/ok.png", ok)
    app.router.add_get("/page.html", page)
    app.router.add_get("/huge.png", huge)
    app.router.add_get("/bounce", bounce)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


async def _proxied_src(server: Server, rep: RepClient, url: str) -> str:
    status, body = await rep.request("POST", "/api/markdown/preview", {"body": f"![pic]({url})"})
    assert status == 200
    src = body["html"].split('src="', 1)[1].split('"', 1)[0]
    return src.replace("&amp;", "&")


async def test_the_image_proxy_serves_images_and_refuses_other_types_sizes_and_forgeries(
    sqlite_memory_backend: Backend, image_host: str
) -> None:
    async with running_server(
        sqlite_memory_backend.database_url, "memory://", "unused", allow_private_targets=True
    ) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        http = server.http()
        for path, status, content_type in [
            ("/ok.png", 200, "image/png"),
            ("/bounce", 200, "image/png"),
            ("/page.html", 415, None),
            ("/huge.png", 413, None),
        ]:
            src = await _proxied_src(server, rep, image_host + path)
            assert src.startswith("/img?u=")
            async with http.get(server.url + src) as response:
                assert response.status == status, path
                if content_type:
                    assert response.headers["Content-Type"] == content_type
                    assert await response.read() == _png()
        async with http.get(server.url + "/img?u=" + image_host + "/ok.png&s=forged") as response:
            assert response.status == 403


async def test_the_image_proxy_refuses_private_addresses_unless_the_operator_allows_them(
    server: Server, image_host: str
) -> None:
    org = await server.create_org()
    rep = await server.rep(org)
    http = server.http()
    for url in (image_host + "/ok.png", image_host.replace("127.0.0.1", "localhost") + "/ok.png"):
        src = await _proxied_src(server, rep, url)
        async with http.get(server.url + src) as response:
            assert response.status == 403
