"""Identity verification in the console's Team & website screen (issue 13 item 4), in Debian's
Chromium: an admin reveals the identity secret, reads the recipe, and rotates the secret; the
screen then shows the new secret and a widget identify() with the old hash is refused. A rep
has no such screen. Screenshots: the revealed secret with the recipe, and after rotation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select
from tests.e2e.console_env import BROWSER_MARKS, ConsoleEnv, expect, open_admin

from frontdesk.features.orgs.models import Org
from frontdesk.features.visitors.tokens import identity_hash

pytest.importorskip("playwright.async_api")
pytestmark = BROWSER_MARKS


async def stored_secret(env: ConsoleEnv) -> str:
    async with env.server.runtime.db.read() as session:
        secret = await session.scalar(select(Org.identity_secret).where(Org.id == env.org.id))
    assert secret is not None
    return secret


async def test_an_admin_reveals_and_rotates_the_identity_secret(
    env: ConsoleEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await env.console(env.admin)
    await open_admin(admin, "Team & website")
    panel = admin.get_by_role("region", name="Team & website").locator(
        "section", has=admin.get_by_role("heading", name="Identity verification")
    )
    secret = panel.get_by_label("Identity secret", exact=True)

    # Hidden until asked for; revealed, it is the org's secret.
    await expect(secret).to_have_text("•" * 32)
    await panel.get_by_role("button", name="Reveal").click()
    await expect(secret).to_have_text(env.org.identity_secret)
    await expect(panel.get_by_role("button", name="Copy identity secret")).to_be_visible()

    # The recipe, in the language of the customer's server.
    await expect(panel).to_contain_text("lower-cased and trimmed")
    await panel.get_by_role("radio", name="Python").click()
    recipe = panel.get_by_label("Python recipe")
    await expect(recipe).to_contain_text("hmac.new(")
    await expect(recipe).to_contain_text(".strip().lower()")
    # The Python recipe, run as written on a customer's server, computes the hash the server
    # accepts (exec: running the very text the admin is shown is the point).
    monkeypatch.setenv("IDENTITY_SECRET", "s3cret")
    scope: dict[str, object] = {"user": SimpleNamespace(email="  Ada@Customer.Example ")}
    exec(await recipe.inner_text(), scope)  # noqa: S102
    assert scope["hash"] == identity_hash("s3cret", "ada@customer.example")
    await env.shot(admin, "admin-identity-secret-revealed", full_page=True)

    # Rotation asks first, then shows the new secret, which is now the stored one.
    await panel.get_by_role("button", name="Rotate secret").click()
    confirm = panel.get_by_role("group", name="Confirm rotation")
    await expect(confirm).to_contain_text("stop working at once")
    await confirm.get_by_role("button", name="Rotate now").click()
    await expect(secret).not_to_have_text(env.org.identity_secret)
    await expect(secret).not_to_have_text("•" * 32)
    new_secret = await stored_secret(env)
    assert new_secret != env.org.identity_secret
    await expect(secret).to_have_text(new_secret)
    await env.shot(admin, "admin-identity-secret-rotated", full_page=True)

    # On the website, the old hash no longer identifies anyone; the new one does.
    visitor = await env.visitor_page("/")
    await visitor.evaluate("new Promise(r => window.Frontdesk.on('ready', r))")
    identify = """([email, hash]) => new Promise(r => {
        window.Frontdesk.on('identify', r);
        window.Frontdesk.identify({email, name: 'Ada Lovelace', hash});
    })"""
    email = "ada@customer.example"
    old = await visitor.evaluate(identify, [email, identity_hash(env.org.identity_secret, email)])
    assert old["status"] == "rejected"
    new = await visitor.evaluate(identify, [email, identity_hash(new_secret, email)])
    assert new == {"status": "verified"}


async def test_a_rep_cannot_see_the_identity_secret(env: ConsoleEnv) -> None:
    rep = await env.console(env.reps[0])
    await rep.goto(env.server.url + "/app/admin/team")
    await expect(
        rep.get_by_text("Only admins can change team and website settings")
    ).to_be_visible()
    await expect(rep.get_by_label("Identity secret", exact=True)).to_have_count(0)
    client = await env.api(env.reps[0])
    status, body = await client.request("GET", "/api/org/identity-secret")
    assert status == 403 and body["error"]["code"] == "forbidden"
