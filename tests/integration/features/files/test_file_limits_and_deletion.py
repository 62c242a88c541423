"""What keeps uploads in check and what removes them: visitor upload rates and byte budgets per
visitor and per address, signed links through a key rotation, and files deleted with their
conversation (visitor erase, and the service call retention jobs use)."""

from __future__ import annotations

from pathlib import Path

from frontdesk.features import files
from tests.conftest import Backend
from tests.harness import running_server
from tests.integration.features.files.conftest import PDF, fetch, png, visitor_upload

SECRET = "files-test-secret-" + "k" * 32
NEW_SECRET = "files-test-secret-" + "n" * 32


async def test_visitor_uploads_are_counted_per_visitor_and_per_address(
    backend: Backend, tmp_path: Path
) -> None:
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        files_dir=tmp_path,
        file_uploads_per_visitor="2/hour",
        file_uploads_per_ip="3/hour",
    ) as server:
        org = await server.create_org()
        async with server.visitor(org) as first, server.visitor(org) as second:
            one, two = first.welcome["token"], second.welcome["token"]  # type: ignore[index]
            for _ in range(2):
                assert (await visitor_upload(server, org, one, "a.png", png()))[0] == 200
            status, answer = await visitor_upload(server, org, one, "a.png", png())
            assert status == 429 and "at most 2/hour" in answer["error"]["message"]
            # Another visitor on the same address: one more, then the address is used up.
            assert (await visitor_upload(server, org, two, "a.png", png()))[0] == 200
            status, answer = await visitor_upload(server, org, two, "a.png", png())
            assert status == 429 and "from your network" in answer["error"]["message"]


async def test_visitor_uploads_have_a_byte_budget_per_visitor_and_per_address(
    backend: Backend, tmp_path: Path
) -> None:
    big = b"%PDF" + b"1" * 700_000
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        files_dir=tmp_path,
        file_upload_mb_per_visitor=1,
        file_upload_mb_per_ip=2,
    ) as server:
        org = await server.create_org()
        async with server.visitor(org) as a, server.visitor(org) as b, server.visitor(org) as c:
            ta, tb, tc = (s.welcome["token"] for s in (a, b, c))  # type: ignore[index]
            assert (await visitor_upload(server, org, ta, "a.pdf", big))[0] == 200
            status, answer = await visitor_upload(server, org, ta, "b.pdf", big)
            assert status == 429 and "1 MB of files this hour" in answer["error"]["message"]
            # Other visitors on the same address: 0.7 + 0.7 MB fit in its 2 MB, 0.7 more not.
            assert (await visitor_upload(server, org, tb, "c.pdf", big))[0] == 200
            status, answer = await visitor_upload(server, org, tc, "d.pdf", big)
            assert status == 429 and "from your network" in answer["error"]["message"]


async def test_a_blocked_visitor_or_address_cannot_send_files(
    backend: Backend, tmp_path: Path
) -> None:
    # The upload's checks use the visitor sockets' cached org and address blocks; a block
    # made while those caches are warm (sockets of the org open here) still refuses at once.
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, files_dir=tmp_path
    ) as server:
        org = await server.create_org()
        rep = await server.rep(org)
        admin = await server.rep(org, role="admin")
        async with server.visitor(org) as bystander, server.visitor(org) as spammer:
            theirs, mine = (s.welcome["token"] for s in (spammer, bystander))  # type: ignore[index]
            assert (await visitor_upload(server, org, theirs, "a.png", png()))[0] == 200
            status, _ = await rep.request(
                "POST", f"/api/visitors/{spammer.welcome['visitor_id']}/block", {}
            )  # type: ignore[index]
            assert status == 200
            await spammer.expect("blocked")
            status, answer = await visitor_upload(server, org, theirs, "b.png", png())
            assert status == 403 and "cannot send files" in answer["error"]["message"]
            assert (await visitor_upload(server, org, mine, "c.png", png()))[0] == 200

            status, _ = await admin.request("POST", "/api/ip-blocks", {"cidr": "127.0.0.1/32"})
            assert status == 200
            await bystander.expect("blocked")
            status, answer = await visitor_upload(server, org, mine, "d.png", png())
            assert status == 403 and "cannot send files" in answer["error"]["message"]


async def test_file_links_signed_with_the_previous_key_still_work_during_a_rotation(
    backend: Backend, tmp_path: Path
) -> None:
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        files_dir=tmp_path,
        secret_key=SECRET,
    ) as old:
        org = await old.create_org()
        async with old.visitor(org) as tab:
            token = tab.welcome["token"]  # type: ignore[index]
            status, answer = await visitor_upload(old, org, token, "a.pdf", PDF)
            file_id = answer["message"]["meta"]["file"]["id"]
            rep = await old.rep(org)
            status, links = await rep.request("GET", f"/api/files/links?ids={file_id}")
            url = links["links"][0]["url"]
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        files_dir=tmp_path,
        secret_key=NEW_SECRET,
        secret_key_previous=(SECRET,),
    ) as rotated:
        assert (await fetch(rotated, url))[0] == 200
    async with running_server(
        backend.database_url,
        backend.bus_url,
        backend.namespace,
        files_dir=tmp_path,
        secret_key=NEW_SECRET,
    ) as later:
        assert (await fetch(later, url))[0] == 403  # the old key is gone


async def test_erasing_a_visitor_deletes_their_files_from_the_store(
    backend: Backend, tmp_path: Path
) -> None:
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, files_dir=tmp_path
    ) as server:
        org = await server.create_org()
        admin = await server.rep(org, "admin")
        async with server.visitor(org) as tab:
            token = tab.welcome["token"]  # type: ignore[index]
            visitor_id = tab.welcome["visitor_id"]  # type: ignore[index]
            status, answer = await visitor_upload(server, org, token, "me.png", png())
            file_id = answer["message"]["meta"]["file"]["id"]
            status, links = await admin.request("GET", f"/api/files/links?ids={file_id}")
            url = links["links"][0]["url"]
        assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 2
        status, erased = await admin.request("POST", f"/api/visitors/{visitor_id}/erase")
        assert status == 200 and erased["deleted"]["chat_files"] == 1
        assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
        assert (await fetch(server, url))[0] == 404


async def test_delete_files_for_conversations_removes_rows_and_bytes(
    backend: Backend, tmp_path: Path
) -> None:
    """The call a retention job makes (docs/files.md)."""
    async with running_server(
        backend.database_url, backend.bus_url, backend.namespace, files_dir=tmp_path
    ) as server:
        org = await server.create_org()
        admin = await server.rep(org, "admin")
        async with server.visitor(org) as tab, server.visitor(org) as other:
            token = tab.welcome["token"]  # type: ignore[index]
            _, first = await visitor_upload(server, org, token, "a.png", png())
            _, second = await visitor_upload(server, org, token, "b.pdf", PDF)
            _, kept = await visitor_upload(server, org, other.welcome["token"], "c.pdf", PDF)  # type: ignore[index]
        conversation_id = first["message"]["conversation_id"]
        assert second["message"]["conversation_id"] == conversation_id
        deleted = await files.delete_files_for_conversations(server.runtime, [conversation_id])
        assert deleted == 2
        remaining = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert [p.name for p in remaining] == [kept["message"]["meta"]["file"]["id"] + ".bin"]
        for answer, status in ((first, 404), (kept, 200)):
            file_id = answer["message"]["meta"]["file"]["id"]
            got, _ = await admin.request("GET", f"/api/files/links?ids={file_id}")
            assert got == status
        assert await files.delete_files_for_conversations(server.runtime, []) == 0
