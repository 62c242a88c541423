"""Files in chat, both ways, through HTTP and the sockets, on SQLite + memory and PostgreSQL +
Redis: images inline with a server-made thumbnail and no EXIF, other files as downloads, signed
short-lived links only for the chat's visitor and the org's reps, the admin's rules."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from frontdesk.core.clock import FrozenClock
from tests.harness import Server
from tests.integration.features.files.conftest import (
    PDF,
    fetch,
    jpeg_with_gps,
    png,
    rep_upload,
    stored_objects,
    visitor_links,
    visitor_upload,
)


async def test_a_visitors_photo_reaches_the_rep_as_an_image_without_its_gps_position(
    files_server: Server,
) -> None:
    server = files_server
    org = await server.create_org()
    rep = await server.rep(org)
    async with rep.socket() as console, server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        status, answer = await visitor_upload(server, org, token, "IMG_0042.JPG", jpeg_with_gps())
        assert status == 200, answer
        message = answer["message"]
        sent = message["meta"]["file"]
        assert sent["kind"] == "image" and sent["name"] == "IMG_0042.JPG"
        assert (sent["width"], sent["height"], sent["content_type"]) == (1600, 1200, "image/jpeg")
        assert message["body"] == "File: IMG_0042.JPG"

        # The rep's console hears it as a message of the chat, like any other.
        seen = await console.expect("message", message__id=message["id"])
        assert seen["message"]["meta"]["file"] == sent

        # The rep asks for links, gets the thumbnail (made on the server) and the photo.
        status, links = await rep.request("GET", f"/api/files/links?ids={sent['id']}")
        assert status == 200
        link = links["links"][0]
        status, headers, thumb = await fetch(server, link["thumbnail_url"])
        assert status == 200 and headers["Content-Type"] == "image/webp"
        with Image.open(io.BytesIO(thumb)) as small:
            assert small.format == "WEBP" and max(small.size) <= 480
            assert small.size == (480, 360)
        status, headers, photo = await fetch(server, link["url"])
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        assert headers["Content-Disposition"].startswith("inline;")
        assert headers["X-Content-Type-Options"] == "nosniff"
        with Image.open(io.BytesIO(photo)) as stored:
            assert stored.size == (1600, 1200)
            assert len(stored.getexif()) == 0
            assert not stored.getexif().get_ifd(0x8825)
        assert b"Exif" not in photo and b"FrontdeskPhone" not in photo

    # It is a message of the conversation: a reconnecting tab gets it in its welcome.
    async with server.visitor(org, token=token, last_seq=0) as again:
        replayed = [m for m in again.welcome["messages"] if m["id"] == message["id"]]  # type: ignore[index]
        assert replayed and replayed[0]["meta"]["file"] == sent


async def test_a_reps_pdf_reaches_the_visitor_as_a_download(files_server: Server) -> None:
    server = files_server
    org = await server.create_org()
    rep = await server.rep(org)
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        await tab.send({"type": "message", "client_id": "c1", "body": "Can I get the price list?"})
        ack = await tab.expect("ack")
        conversation_id = ack["message"]["conversation_id"]
        status, answer = await rep_upload(rep, conversation_id, "Price list 2027.pdf", PDF)
        assert status == 200, answer
        sent = answer["message"]["meta"]["file"]
        assert sent["kind"] == "file" and sent["size"] == len(PDF)
        assert sent["content_type"] == "application/octet-stream"
        got = await tab.expect("message", message__id=answer["message"]["id"])
        assert got["message"]["meta"]["file"] == sent
        assert got["message"]["author_kind"] == "rep"

        status, links = await visitor_links(server, org, token, [sent["id"]])
        assert status == 200
        link = links["links"][0]
        assert link["thumbnail_url"] is None
        status, headers, body = await fetch(server, link["url"])
        assert status == 200 and body == PDF
        assert headers["Content-Type"] == "application/octet-stream"
        assert headers["Content-Disposition"] == (
            "attachment; filename=\"Price list 2027.pdf\"; filename*=UTF-8''Price%20list%202027.pdf"
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in headers["Content-Security-Policy"]


async def test_svg_and_html_are_never_shown_inline_and_html_named_png_is_refused(
    files_server: Server,
) -> None:
    server = files_server
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    status, answer = await admin.request(
        "PUT",
        "/api/files/settings",
        {"extensions": ["png", "svg", "html", "pdf"], "max_mb": 5},
    )
    assert status == 200, answer
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
    html = b"<!doctype html><script>alert(document.cookie)</script>"
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        # HTML dressed as a PNG: not an image, so refused outright.
        status, answer = await visitor_upload(server, org, token, "cute-cat.png", html)
        assert status == 415, answer
        assert "not a valid JPEG, PNG, GIF or WebP image" in answer["error"]["message"]

        ids = []
        for name, data in (("logo.svg", svg), ("page.html", html)):
            status, answer = await visitor_upload(server, org, token, name, data)
            assert status == 200, answer
            assert answer["message"]["meta"]["file"]["kind"] == "file"
            ids.append(answer["message"]["meta"]["file"]["id"])
        status, links = await visitor_links(server, org, token, ids)
        for link in links["links"]:
            assert link["thumbnail_url"] is None
            status, headers, _ = await fetch(server, link["url"])
            assert status == 200
            assert headers["Content-Type"] == "application/octet-stream"
            assert headers["Content-Disposition"].startswith("attachment;")
            assert headers["X-Content-Type-Options"] == "nosniff"
        # a thumbnail is asked for a file that has none
        status, _, _ = await fetch(server, links["links"][0]["url"].replace("/file?", "/thumb?"))
        assert status == 403  # the signature covers the variant


async def test_another_orgs_rep_or_another_visitor_cannot_get_the_file(
    files_server: Server,
) -> None:
    server = files_server
    org, other_org = await server.create_org(), await server.create_org("Globex")
    rep = await server.rep(org)
    stranger = await server.rep(other_org, "admin")
    async with server.visitor(org) as tab, server.visitor(org) as someone_else:
        token = tab.welcome["token"]  # type: ignore[index]
        status, answer = await visitor_upload(server, org, token, "contract.pdf", PDF)
        assert status == 200
        file_id = answer["message"]["meta"]["file"]["id"]

        status, _ = await stranger.request("GET", f"/api/files/links?ids={file_id}")
        assert status == 404
        other_token = someone_else.welcome["token"]  # type: ignore[index]
        status, _ = await visitor_links(server, org, other_token, [file_id])
        assert status == 404
        # a visitor token of this org used on another org's site key
        status, _ = await visitor_links(server, other_org, token, [file_id])
        assert status == 401
        # from a website that is not the org's
        status, _ = await visitor_links(
            server, org, token, [file_id], origin="https://evil.example"
        )
        assert status == 403

        status, links = await rep.request("GET", f"/api/files/links?ids={file_id}")
        assert status == 200
        url = links["links"][0]["url"]
        assert (await fetch(server, url))[0] == 200
        # A forged or altered URL is refused.
        forged = url[: url.index("s=") + 2] + "A" * 24
        assert (await fetch(server, forged))[0] == 403
        other_file = "f" * 32
        assert (await fetch(server, url.replace(file_id, other_file)))[0] == 403
        later = url.replace("e=", "e=9")
        assert (await fetch(server, later))[0] == 403
        # Links are short-lived: 16 minutes on, the same URL no longer works.
        assert isinstance(server.clock, FrozenClock)
        server.clock.advance(16 * 60)
        status, _, body = await fetch(server, url)
        assert status == 403 and b"expired" in body


async def test_the_admin_sets_the_rules_and_uploads_are_held_to_them(
    files_server: Server,
) -> None:
    server = files_server
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    rep = await server.rep(org)
    status, answer = await admin.request("GET", "/api/files/settings")
    assert status == 200 and answer["settings"]["max_mb"] == 10
    assert answer["server_max_mb"] == 25 and "pdf" in answer["settings"]["extensions"]
    # Validated: over the server's ceiling, a made-up extension, an unknown field, a rep.
    for body, field in (
        ({"max_mb": 26}, "max_mb"),
        ({"extensions": ["pdf", "../x"]}, "extensions"),
        ({"max_mb": 0}, "max_mb"),
        ({"maximum": 3}, "maximum"),
    ):
        status, answer = await admin.request("PUT", "/api/files/settings", body)
        assert status == 422, (body, answer)
        assert field in str(answer["error"]), answer
    status, _ = await rep.request("PUT", "/api/files/settings", {"max_mb": 2})
    assert status == 403

    status, answer = await admin.request(
        "PUT", "/api/files/settings", {"max_mb": 1, "extensions": [".PNG", "pdf", "pdf"]}
    )
    assert status == 200 and answer["settings"]["extensions"] == ["png", "pdf"]
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        status, answer = await visitor_upload(
            server, org, token, "big.pdf", b"%PDF" + b"0" * (1 << 20)
        )
        assert status == 413 and answer["error"]["code"] == "too_large"
        status, answer = await visitor_upload(server, org, token, "tool.exe", b"MZ" + b"\0" * 100)
        assert status == 415 and "accepted: png, pdf" in answer["error"]["message"]
        status, answer = await visitor_upload(server, org, token, "empty.pdf", b"")
        assert status == 422
        # Visitors may be kept from sending files; reps still may.
        await admin.request("PUT", "/api/files/settings", {"visitors_may_send": False})
        status, answer = await visitor_upload(server, org, token, "a.png", png())
        assert status == 403
        await tab.send({"type": "message", "client_id": "c1", "body": "hi"})
        conversation_id = (await tab.expect("ack"))["message"]["conversation_id"]
        status, answer = await rep_upload(rep, conversation_id, "a.png", png())
        assert status == 200, answer
        # Files off altogether: nobody sends any.
        await admin.request("PUT", "/api/files/settings", {"enabled": False})
        status, answer = await rep_upload(rep, conversation_id, "b.png", png())
        assert status == 403


async def test_a_retried_upload_is_stored_once_and_erase_removes_it_from_the_store(
    files_server: Server, tmp_path: Path
) -> None:
    server = files_server
    org = await server.create_org()
    admin = await server.rep(org, "admin")
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        visitor_id = tab.welcome["visitor_id"]  # type: ignore[index]
        first = await visitor_upload(server, org, token, "a.png", png(), client_id="same-id")
        again = await visitor_upload(server, org, token, "a.png", png(), client_id="same-id")
        assert first[0] == again[0] == 200
        assert first[1]["message"]["id"] == again[1]["message"]["id"]
    file_id = first[1]["message"]["meta"]["file"]["id"]
    prefix = "chat/" if server.settings.files_s3_bucket else ""
    # one image and its thumbnail
    assert stored_objects(server, tmp_path) == [
        f"{prefix}{file_id[:2]}/{file_id}.bin",
        f"{prefix}{file_id[:2]}/{file_id}.thumb",
    ]
    status, erased = await admin.request("POST", f"/api/visitors/{visitor_id}/erase")
    assert status == 200 and erased["deleted"]["chat_files"] == 1
    assert stored_objects(server, tmp_path) == []


async def test_a_decompression_bomb_is_refused_without_decoding_it(files_server: Server) -> None:
    server = files_server
    org = await server.create_org()
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")  # 400 megapixels, ~50 KB
    async with server.visitor(org) as tab:
        token = tab.welcome["token"]  # type: ignore[index]
        status, answer = await visitor_upload(server, org, token, "bomb.png", out.getvalue())
    assert status == 415
    assert "pixels" in answer["error"]["message"]
