"""An admin turns the AI Copilot off or on: every open console of the org learns it on its
socket at once (`copilot.changed` in the batch), with no reload, and no other org hears of it.
On SQLite + the in-process bus and PostgreSQL + Redis."""

from __future__ import annotations

import asyncio
import contextlib

from tests.harness import Server


async def test_every_console_of_the_org_learns_the_copilot_switch_live(server: Server) -> None:
    org, other = await server.create_org("Northwind"), await server.create_org("Other")
    admin, rep = await server.rep(org, role="admin"), await server.rep(org)
    outsider = await server.rep(other, role="admin")
    async with rep.socket() as console, outsider.socket() as elsewhere:
        status, state = await admin.request("PUT", "/api/copilot/settings", {"enabled": False})
        assert status == 200 and state["enabled"] is False
        assert await console.expect("copilot.changed", timeout=5) == {
            "type": "copilot.changed",
            "enabled": False,
        }
        # what the console shows now is what the server enforces
        status, body = await rep.request("POST", "/api/copilot/tune", {"text": "hi"})
        assert status == 403 and "turned off" in body["error"]["message"]
        status, state = await admin.request("PUT", "/api/copilot/settings", {"enabled": True})
        assert (await console.expect("copilot.changed", timeout=5))["enabled"] is True
        status, _ = await rep.request("POST", "/api/copilot/tune", {"text": "hi"})
        assert status == 200
        # the other org's console heard nothing (read all it got for two batch intervals)
        await asyncio.sleep(0.6)
        with contextlib.suppress(TimeoutError):
            while True:
                await elsewhere.next_frame(timeout=0.2)
        assert not any(
            e.get("type") == "copilot.changed"
            for f in elsewhere.received
            for e in f.get("events", [f])
        )
