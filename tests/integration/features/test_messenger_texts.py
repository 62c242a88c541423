"""Admin -> Messenger -> Texts: an org's own wording of the messenger's texts, per language,
reaches its visitors' messenger in the welcome; mistakes are refused with the field named;
only admins change it, and another org's visitors never get it."""

from __future__ import annotations

import pytest

from frontdesk.features.orgs.messenger_texts import MAX_TEXT
from tests.harness import Server

pytestmark = pytest.mark.asyncio


async def test_an_admin_rewords_texts_and_the_org_s_visitors_get_them(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    other = await server.create_org()
    texts = {
        "de": {"intro": "Fragen Sie Frau Weber alles.", "placeholder": "Ihre Frage…"},
        "ar": {"hello": "أهلًا بك في {org}!"},
    }
    status, body = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"texts": texts}}
    )
    assert status == 200 and body["messenger"]["texts"] == texts
    async with server.visitor(org) as visitor:
        assert visitor.welcome is not None
        assert visitor.welcome["config"]["messenger"]["texts"] == texts
    async with server.visitor(other) as stranger:
        assert stranger.welcome is not None
        assert "texts" not in stranger.welcome["config"]["messenger"]

    # The map is replaced as a whole; blank texts fall back to the defaults.
    status, body = await admin.request(
        "PATCH",
        "/api/org/settings",
        {"messenger": {"texts": {"de": {"intro": "  Hallo!  ", "send": " "}}}},
    )
    assert status == 200 and body["messenger"]["texts"] == {"de": {"intro": "Hallo!"}}
    # Other messenger settings are left alone.
    status, body = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"language": "de"}}
    )
    assert status == 200 and body["messenger"]["texts"] == {"de": {"intro": "Hallo!"}}


@pytest.mark.parametrize(
    ("texts", "field", "problem"),
    [
        ({"de": {"title": "x"}}, "messenger.texts.de.title", "not a text of the messenger"),
        (
            {"fr": {"intro": "x" * (MAX_TEXT + 1)}},
            "messenger.texts.fr.intro",
            f"write at most {MAX_TEXT} characters",
        ),
        (
            {"en": {"typing": "{who} is typing"}},
            "messenger.texts.en.typing",
            "unknown placeholder {who} (this text may use: {name})",
        ),
    ],
)
async def test_mistakes_are_refused_with_the_field_named(
    server: Server, texts: dict[str, dict[str, str]], field: str, problem: str
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, body = await admin.request(
        "PATCH", "/api/org/settings", {"messenger": {"texts": texts}}
    )
    assert status == 422, body
    assert {"field": field, "problem": problem} in body["error"]["details"]
    status, body = await admin.request("GET", "/api/org")
    assert "texts" not in body["messenger"]


async def test_unknown_languages_huge_maps_and_non_admins_are_refused(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    rep = await server.rep(org, role="rep")
    for texts in ({"xx": {"intro": "x"}}, {"de": {"intro": 5}}, {"de": "Hallo"}):
        status, _ = await admin.request(
            "PATCH", "/api/org/settings", {"messenger": {"texts": texts}}
        )
        assert status in (400, 422), texts
    status, _ = await admin.request(
        "PATCH",
        "/api/org/settings",
        {"messenger": {"texts": {"de": {f"k{i}": "x" for i in range(201)}}}},
    )
    assert status in (400, 413, 422)
    status, _ = await rep.request(
        "PATCH", "/api/org/settings", {"messenger": {"texts": {"de": {"intro": "x"}}}}
    )
    assert status == 403
