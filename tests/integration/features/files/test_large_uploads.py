"""Large files in chat, on both stores and both backends: a 5 MB photo and a 5 MB document are
streamed to disk as they arrive and handed to the store as files; what is stored is what was
sent (a document byte for byte, a photo cleaned and thumbnailed), and no upload, accepted or
refused, leaves anything behind in the server's incoming directory."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import itertools
import os
import random
import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import orjson
import pytest
from PIL import Image

from frontdesk.features import files
from frontdesk.transport import api_files
from tests.conftest import Backend
from tests.harness import OrgInfo, Server, running_server
from tests.integration.features.files.conftest import (
    fetch,
    rep_upload,
    stored_objects,
    visitor_links,
    visitor_upload,
)


@functools.cache
def big_photo() -> bytes:
    """A phone photo's size: 4032 x 3024, about 5 MB of JPEG (blurred noise compresses like a
    photo)."""
    small = Image.frombytes("RGB", (1344, 1008), random.Random(20).randbytes(1344 * 1008 * 3))
    out = io.BytesIO()
    small.resize((4032, 3024), Image.Resampling.BILINEAR).save(out, format="JPEG", quality=80)
    data = out.getvalue()
    assert len(data) > 4_500_000, len(data)
    return data


def incoming_dir(server: Server, tmp_path: Path) -> Path:
    """Where this server receives uploads. With S3 the default is the machine's temporary
    directory, shared with anything else running: this test's own directory instead."""
    store = files.file_store(server.runtime)
    if server.settings.files_s3_bucket:
        store.incoming = tmp_path / "incoming"
    return store.incoming


def left_in(incoming: Path) -> list[str]:
    return sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []


async def left_in_once_noticed(incoming: Path) -> list[str]:
    """What stays in the incoming directory once the server has noticed closed connections
    (it deletes their partial files when it does): waits up to 10 s for it to empty."""
    for _ in range(200):
        if not left_in(incoming):
            break
        await asyncio.sleep(0.05)
    return left_in(incoming)


async def test_a_5_mb_photo_and_a_5_mb_document_are_stored_as_sent_and_nothing_stays_behind(
    files_server: Server, tmp_path: Path
) -> None:
    server = files_server
    incoming = incoming_dir(server, tmp_path)
    org = await server.create_org()
    rep = await server.rep(org)
    photo = big_photo()
    document = os.urandom(5 * 1024 * 1024 + 17)
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        status, answer = await visitor_upload(server, org, token, "IMG_1001.jpg", photo)
        assert status == 200, answer
        sent_photo = answer["message"]["meta"]["file"]
        assert (sent_photo["width"], sent_photo["height"]) == (4032, 3024)
        conversation_id = answer["message"]["conversation_id"]
        status, answer = await rep_upload(rep, conversation_id, "scan.pdf", document)
        assert status == 200, answer
        sent_document = answer["message"]["meta"]["file"]
        assert sent_document["size"] == len(document)

        status, links = await visitor_links(
            server, org, token, [sent_photo["id"], sent_document["id"]]
        )
        assert status == 200
        by_id = {link["id"]: link for link in links["links"]}

    # The document comes back byte for byte (streamed: from disk, or from S3 a megabyte at a
    # time, never read whole into the server's memory).
    status, headers, body = await fetch(server, by_id[sent_document["id"]]["url"])
    assert status == 200 and headers["Content-Length"] == str(len(document))
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(document).hexdigest()
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment;")
    if not server.settings.files_s3_bucket:
        # A download cut off half-way resumes where it stopped.
        status, _, rest = await fetch(
            server, by_id[sent_document["id"]]["url"], {"Range": "bytes=1000000-"}
        )
        assert status == 206 and rest == document[1_000_000:]
    # The photo comes back cleaned (a JPEG of the same size, its size as the message says) and
    # with a thumbnail made on the server.
    status, _, stored = await fetch(server, by_id[sent_photo["id"]]["url"])
    assert status == 200 and len(stored) == sent_photo["size"]
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (4032, 3024)
    status, _, thumb = await fetch(server, by_id[sent_photo["id"]]["thumbnail_url"])
    with Image.open(io.BytesIO(thumb)) as small:
        assert status == 200 and small.size == (480, 360)

    prefix = "chat/" if server.settings.files_s3_bucket else ""
    p, d = sent_photo["id"], sent_document["id"]
    assert stored_objects(server, tmp_path) == sorted(
        [f"{prefix}{p[:2]}/{p}.bin", f"{prefix}{p[:2]}/{p}.thumb", f"{prefix}{d[:2]}/{d}.bin"]
    )
    assert left_in(incoming) == []


def multipart(name: str, data: bytes, client_id: str) -> tuple[str, bytes, bytes]:
    """The body a browser sends for a file: (its content type, the part before the file's
    bytes, the end)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n'
        f'{client_id}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    return f"multipart/form-data; boundary={boundary}", head, f"\r\n--{boundary}--\r\n".encode()


async def chunked_upload(
    server: Server, org: OrgInfo, token: str, name: str, data: bytes
) -> tuple[int, dict[str, object]]:
    """An upload whose size the server learns only as it arrives (chunked, no length)."""
    content_type, head, tail = multipart(name, data, uuid.uuid4().hex)

    async def body() -> AsyncIterator[bytes]:
        yield head
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]
        yield tail

    async with server.http().post(
        f"{server.url}/widget/files",
        params={"site": org.site_key, "vt": token},
        data=body(),
        headers={"Origin": org.origin, "Content-Type": content_type},
    ) as response:
        return response.status, orjson.loads(await response.read())


async def partial_upload(
    server: Server, org: OrgInfo, token: str, name: str, data: bytes, sent: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A messenger that announces the whole photo, sends its first `sent` bytes and nothing
    more yet, its connection still open."""
    content_type, head, _ = multipart(name, data, uuid.uuid4().hex)
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        (
            f"POST /widget/files?site={org.site_key}&vt={token} HTTP/1.1\r\n"
            f"Host: {host}\r\nOrigin: {org.origin}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(head) + len(data) + 100}\r\n\r\n"
        ).encode()
        + head
        + data[:sent]
    )
    await writer.drain()
    return reader, writer


async def abandoned_upload(server: Server, org: OrgInfo, token: str, data: bytes) -> None:
    """A messenger whose visitor closes the page half-way through sending a photo."""
    _, writer = await partial_upload(server, org, token, "IMG_1002.jpg", data, len(data) // 2)
    writer.close()
    await writer.wait_closed()


async def test_refused_and_abandoned_uploads_leave_nothing_in_the_incoming_directory(
    files_server: Server, tmp_path: Path
) -> None:
    server = files_server
    incoming = incoming_dir(server, tmp_path)
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    status, _ = await admin.request("PUT", "/api/files/settings", {"max_mb": 4})
    assert status == 200
    photo = big_photo()
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        # Over the org's 4 MB, sent without a length: refused part-way through the body.
        status, answer = await chunked_upload(server, org, token, "IMG_1001.jpg", photo)
        assert status == 413, answer
        # A page that only pretends to be a photo: received whole, refused by the image work.
        status, answer = await visitor_upload(
            server, org, token, "cat.png", b"<html><script>alert(1)</script></html>" * 1000
        )
        assert status == 415, answer
        # A name the org does not take: refused from the part's headers.
        status, answer = await visitor_upload(server, org, token, "setup.exe", b"MZ" * 1000)
        assert status == 415, answer
        # Two files in one request: one file per message.
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("client_id", "two")
        form.add_field("file", io.BytesIO(b"a" * 10), filename="a.txt")
        form.add_field("file", io.BytesIO(b"b" * 10), filename="b.txt")
        async with server.http().post(
            f"{server.url}/widget/files",
            params={"site": org.site_key, "vt": token},
            data=form,
            headers={"Origin": org.origin},
        ) as response:
            assert response.status == 422, await response.text()
            assert "one file" in orjson.loads(await response.read())["error"]["message"]
        # A client id of 2 MB: refused (the server reads at most 1 KB of it).
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("client_id", io.BytesIO(b"x" * 2_000_000))
        form.add_field("file", io.BytesIO(b"a" * 10), filename="a.txt")
        async with server.http().post(
            f"{server.url}/widget/files",
            params={"site": org.site_key, "vt": token},
            data=form,
            headers={"Origin": org.origin},
        ) as response:
            assert response.status == 422, await response.text()
            assert "client_id" in orjson.loads(await response.read())["error"]["message"]
        # A visitor who leaves half-way through a photo.
        await abandoned_upload(server, org, token, photo[: 3 * 1024 * 1024])
        # A document sent twice (a retry with the same client id): stored once.
        for _ in range(2):
            status, answer = await visitor_upload(
                server, org, token, "notes.txt", b"call back at 5" * 10, client_id="same"
            )
            assert status == 200, answer

    # The abandoned upload ends when the server notices the closed connection: wait for that.
    assert await left_in_once_noticed(incoming) == []
    assert len(stored_objects(server, tmp_path)) == 1  # the notes, once


async def test_a_malformed_multipart_body_gets_a_clear_422_from_the_messenger_and_the_console(
    files_server: Server,
) -> None:
    server = files_server
    org = await server.create_org()
    rep = await server.rep(org)
    long = "b" * 71  # RFC 2046: at most 70 characters
    bodies = [
        ("multipart/form-data", b"--x\r\n"),  # no boundary named
        (f"multipart/form-data; boundary={long}", f"--{long}\r\n".encode()),
        ("multipart/form-data; boundary=abc", b"this is not where the boundary is\r\n"),
        (
            "multipart/form-data; boundary=abc",
            b'--abc\r\nContent-Disposition: form-data; name="client_id"\r\n\r\nc1\r\n--wrong\r\n',
        ),
        (
            "multipart/form-data; boundary=abc",
            b'--abc\r\nContent-Disposition: form-data; name="client_id"\r\n\r\nc1\r\n'
            b'--abc\r\nContent-Disposition: form-data; name="client_id"\r\n\r\nc2\r\n--abc--',
        ),
    ]
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        await tab.send({"type": "message", "client_id": "c1", "body": "Can I get the price list?"})
        conversation_id = (await tab.expect("ack"))["message"]["conversation_id"]
        for content_type, body in bodies:
            async with server.http().post(
                f"{server.url}/widget/files",
                params={"site": org.site_key, "vt": token},
                data=body,
                headers={"Origin": org.origin, "Content-Type": content_type},
            ) as response:
                answer = orjson.loads(await response.read())
                assert response.status == 422, answer
                assert "malformed" in answer["error"]["message"]
            async with rep.http.post(
                f"{server.url}/api/conversations/{conversation_id}/files",
                data=body,
                headers={"Content-Type": content_type, "X-CSRF-Token": rep.csrf},
            ) as response:
                answer = orjson.loads(await response.read())
                assert response.status == 422, answer
                assert "malformed" in answer["error"]["message"]


async def test_stalled_uploads_are_cut_off(
    files_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_files, "STALLED_SECONDS", 1.0)
    server = files_server
    incoming = incoming_dir(server, tmp_path)
    org = await server.create_org()
    photo = big_photo()
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        # One stops in the middle of the photo, one right after the file's first bytes.
        stalled = [
            await partial_upload(server, org, token, "IMG_1003.jpg", photo, sent)
            for sent in (100_000, 10)
        ]
        for reader, writer in stalled:
            head = await asyncio.wait_for(reader.read(4096), 10)
            assert head.startswith(b"HTTP/1.1 408"), head[:200]
            assert b"the upload stalled" in head
            writer.close()
    assert left_in(incoming) == []


async def test_a_slow_sender_holds_up_no_other_upload(
    files_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Uploads read their bytes one at a time (api_files.UPLOAD_LANE), but wait for them
    # outside that turn: senders on slow networks, however many, keep no one else waiting.
    monkeypatch.setattr(api_files, "STALLED_SECONDS", 120.0)
    server = files_server
    incoming = incoming_dir(server, tmp_path)
    org = await server.create_org()
    photo = big_photo()
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        slow = [
            await partial_upload(server, org, token, f"IMG_20{i}.jpg", photo, sent)
            for i, sent in enumerate((10, 200, 100_000, 1_000_000, 3_000_000))
        ]
        status, answer = await asyncio.wait_for(
            visitor_upload(server, org, token, "IMG_1004.jpg", photo), 60
        )
        assert status == 200, answer
        assert answer["message"]["meta"]["file"]["width"] == 4032
        for reader, _ in slow:  # still sending: nobody answered them
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(reader.read(1), 0.05)
        for _, writer in slow:
            writer.close()
    assert await left_in_once_noticed(incoming) == []


LaneSteps = list[tuple[float, float, float]]  # began, ended, how long it held the lane


@pytest.fixture
def lane_steps(monkeypatch: pytest.MonkeyPatch) -> LaneSteps:
    """Every step of an upload in the upload lane, as it happens."""
    steps: LaneSteps = []
    original = api_files._lane_step

    @contextlib.asynccontextmanager
    async def recorded(
        request: aiohttp.web.Request, seconds: float = api_files.UPLOAD_STEP_SECONDS
    ) -> AsyncIterator[api_files._LaneStep]:
        async with original(request, seconds) as step:
            began = asyncio.get_running_loop().time()
            yield step
            steps.append((began, asyncio.get_running_loop().time(), step.seconds))

    monkeypatch.setattr(api_files, "_lane_step", recorded)
    return steps


async def _four_visitors_upload_1_mb_each(server: Server) -> None:
    org = await server.create_org()
    documents = [os.urandom(1024 * 1024 + i) for i in range(4)]
    async with contextlib.AsyncExitStack() as stack:
        tabs = [await stack.enter_async_context(server.visitor(org)) for _ in documents]
        answers = await asyncio.gather(
            *(
                visitor_upload(server, org, tab.welcome["token"], f"notes-{i}.pdf", data)  # type: ignore[index]
                for i, (tab, data) in enumerate(zip(tabs, documents, strict=True))
            )
        )
    assert [status for status, _ in answers] == [200] * 4, answers
    assert sorted(a["file"]["size"] for _, a in answers) == sorted(map(len, documents))


def _held_for_bytes(steps: LaneSteps) -> float:
    """How long the four uploads' bytes held the lane (their checks held it a step each)."""
    return sum(hold for *_, hold in steps) - 4 * api_files.UPLOAD_STEP_SECONDS


async def test_uploads_arriving_together_take_turns_paced_so_chat_keeps_most_of_the_loop(
    files_server: Server, lane_steps: LaneSteps
) -> None:
    # Every step of an upload on the event loop (its checks, each chunk of its body) runs in
    # the upload lane: one at a time, and the next no sooner than the last one's hold after it
    # began (UPLOAD_STEP_SECONDS for the checks, a chunk's bytes at UPLOAD_BYTES_PER_SECOND).
    # Without the pacing, 20 uploads from a fast network kept the loop busy back to back and
    # chat messages waited behind them (bench/file_upload.py).
    await _four_visitors_upload_1_mb_each(files_server)
    # Four uploads of 1 MB, within the burst allowance: their checks, and their bytes in
    # chunks, held for as long as 4 MB take at the lane's peak pace.
    assert len(lane_steps) >= 4 * 3
    held = _held_for_bytes(lane_steps)
    assert held >= 0.99 * 4 * 1024 * 1024 / api_files.UPLOAD_BYTES_PER_SECOND
    lane_steps.sort()
    for (began, ended, hold), (next_began, *_) in itertools.pairwise(lane_steps):
        assert next_began >= ended, "two upload steps ran at once"
        assert next_began - began >= hold * 0.99


def paced_server(
    backend: Backend, tmp_path: Path, *, burst_mb: float, mb_per_second: float
) -> contextlib.AbstractAsyncContextManager[Server]:
    """A server whose upload lane reads `burst_mb` at full speed, then `mb_per_second`."""
    return running_server(
        backend.database_url,
        "memory://",
        "unused",
        files_dir=tmp_path / "files",
        file_upload_read_burst_mb=burst_mb,
        file_upload_read_mb_per_second=mb_per_second,
    )


async def test_uploads_past_the_burst_allowance_are_read_at_the_sustained_rate(
    sqlite_memory_backend: Backend, tmp_path: Path, lane_steps: LaneSteps
) -> None:
    # A process reads a burst of uploads at up to 64 MB/s, then at
    # FRONTDESK_FILE_UPLOAD_READ_MB_PER_SECOND (transport/upload_pace.py): uploads that never
    # stop otherwise kept both cores busy and the chats beside them slow. Here 1 MB of
    # allowance, then 2 MB/s: 4 MB of uploads take at least (4 - 1) / 2 s of the lane.
    async with paced_server(sqlite_memory_backend, tmp_path, burst_mb=1, mb_per_second=2) as server:
        await _four_visitors_upload_1_mb_each(server)
    assert _held_for_bytes(lane_steps) >= 0.99 * (4 - 1) / 2
    lane_steps.sort()
    # ... in time, not only in the sum of holds: from the first step to the lane's release
    # after the last (the answer to the last upload goes out before that release)
    first_began, (last_began, _, last_hold) = lane_steps[0][0], lane_steps[-1]
    assert last_began + last_hold - first_began >= 0.99 * (4 - 1) / 2
    for (began_step, _, hold), (next_began, *_) in itertools.pairwise(lane_steps):
        assert next_began - began_step >= hold * 0.99


async def test_one_orgs_flood_of_uploads_does_not_hold_up_another_orgs_file(
    sqlite_memory_backend: Backend, tmp_path: Path
) -> None:
    # The upload lane goes round the orgs (transport/upload_lane.py): while four visitors of
    # one org upload together, another org's visitor, starting later with a file as large,
    # gets every other turn and is answered first. With a plain queue each upload had a fifth
    # of the turns and the late one finished last. Paced at 8 MB/s, so that each 3 MB file
    # takes several turns (a turn reads what has arrived: about 640 KB here).
    async with paced_server(sqlite_memory_backend, tmp_path, burst_mb=0, mb_per_second=8) as server:
        busy, other = await server.create_org(), await server.create_org()
        answered: list[str] = []

        async def upload(org: OrgInfo, token: str, name: str) -> None:
            status, answer = await visitor_upload(
                server, org, token, name, os.urandom(3 * 1024 * 1024)
            )
            assert status == 200, answer
            answered.append(name)

        async with contextlib.AsyncExitStack() as stack:
            flood = [await stack.enter_async_context(server.visitor(busy)) for _ in range(4)]
            lone = await stack.enter_async_context(server.visitor(other))
            flooding = [
                asyncio.create_task(upload(busy, tab.welcome["token"], f"flood-{i}.pdf"))  # type: ignore[index]
                for i, tab in enumerate(flood)
            ]
            await asyncio.sleep(0.3)  # the flood has the lane to itself for a while
            await asyncio.wait_for(
                upload(other, lone.welcome["token"], "quote.pdf"),  # type: ignore[index]
                30,
            )
            assert answered == ["quote.pdf"], answered  # before any of the flood's
            await asyncio.wait_for(asyncio.gather(*flooding), 30)
    assert sorted(answered) == [*(f"flood-{i}.pdf" for i in range(4)), "quote.pdf"]


async def test_a_file_on_local_disk_is_flushed_to_it_before_its_message_is_stored(
    files_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The message says the file is there, so the file must outlive a power cut the moment
    # the message exists: its data and the directory entry naming it are synced when the
    # store takes it, which is before the message is written (files/service.py).
    server = files_server
    if server.settings.files_s3_bucket:
        pytest.skip("an S3 store has the object durably once its PUT returns")
    synced: list[tuple[int, bool]] = []  # (inode, is a directory), in the order synced
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        real_fsync(fd)
        info = os.fstat(fd)
        synced.append((info.st_ino, stat.S_ISDIR(info.st_mode)))

    monkeypatch.setattr(os, "fsync", recording_fsync)
    org = await server.create_org()
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        document = os.urandom(300_000)
        status, answer = await visitor_upload(server, org, token, "contract.pdf", document)
        assert status == 200, answer
        status, photo = await visitor_upload(server, org, token, "IMG_2001.jpg", big_photo())
        assert status == 200, photo
    root = files.file_store(server.runtime).root  # type: ignore[attr-defined]
    for sent in (answer, photo):
        key = sent["file"]["id"]
        stored = root / key[:2] / f"{key}.bin"
        assert (stored.stat().st_ino, False) in synced, "the file's data was not synced"
        assert (stored.parent.stat().st_ino, True) in synced, "its directory was not synced"
    thumb = root / photo["file"]["id"][:2] / f"{photo['file']['id']}.thumb"
    assert (thumb.stat().st_ino, False) in synced
