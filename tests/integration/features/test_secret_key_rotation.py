"""Rotating FRONTDESK_SECRET_KEY with the old key in FRONTDESK_SECRET_KEY_PREVIOUS: a returning
visitor's token (the widget's `fd_vt_` cookie) and stored image-proxy URLs keep working, new
ones are signed with the new key, and once the old key is removed its signatures fail."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from frontdesk.features.formatting import image_proxy
from frontdesk.features.visitors.tokens import read_visitor_token
from tests.conftest import Backend
from tests.harness import running_server

OLD = "old-secret-" + "o" * 32
NEW = "new-secret-" + "n" * 32


async def test_a_visitor_signed_with_the_old_key_is_recognised_until_it_is_removed(
    sqlite_memory_backend: Backend,
) -> None:
    url = sqlite_memory_backend.database_url
    async with running_server(url, "memory://", "unused", secret_key=OLD) as before:
        org = await before.create_org()
        async with before.visitor(org) as visitor:
            assert visitor.welcome is not None
            old_token, visitor_id = visitor.welcome["token"], visitor.welcome["visitor_id"]
        image = image_proxy.proxied("https://cdn.example/logo.png")  # as stored in a message

    async with running_server(
        url, "memory://", "unused", secret_key=NEW, secret_key_previous=(OLD,)
    ) as rotated:
        async with rotated.visitor(org, token=old_token) as visitor:
            assert visitor.welcome is not None
            assert visitor.welcome["visitor_id"] == visitor_id  # the same visitor, not a new one
            new_token = visitor.welcome["token"]  # the widget stores this one from now on
        assert read_visitor_token(NEW, org.id, new_token) == visitor_id
        assert read_visitor_token(OLD, org.id, new_token) is None
        assert image_proxy.verify(*_signed(image))

    async with running_server(url, "memory://", "unused", secret_key=NEW) as after:
        async with after.visitor(org, token=new_token) as visitor:
            assert visitor.welcome is not None
            assert visitor.welcome["visitor_id"] == visitor_id
        async with after.visitor(org, token=old_token) as visitor:
            assert visitor.welcome is not None
            assert visitor.welcome["visitor_id"] != visitor_id  # the old key is gone
        assert not image_proxy.verify(*_signed(image))


def _signed(proxy_url: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(proxy_url).query)
    return query["u"][0], query["s"][0]
