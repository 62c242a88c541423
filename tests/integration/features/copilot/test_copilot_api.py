"""AI Copilot through the API, offline: knowledge per org, Suggest with sources, Expand, Tune,
on/off, usage per rep, past answers and shortcuts as knowledge; on SQLite and PostgreSQL."""

from __future__ import annotations

from frontdesk.features.copilot.retrieval import Indexer
from frontdesk.transport.api_copilot import COPILOT_KEY
from tests.harness import OrgInfo, RepClient, Server


def indexer(server: Server) -> Indexer:
    return server.app[COPILOT_KEY].indexer


async def _chat(server: Server, org: OrgInfo, rep: RepClient, visitor: object, text: str) -> str:
    await visitor.send({"type": "message", "client_id": "v1", "body": text})  # type: ignore[attr-defined]
    cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]  # type: ignore[attr-defined]
    status, _ = await rep.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200
    return str(cid)


KNOWLEDGE = """# Refund policy
We refund the full amount of your first payment when you ask within 30 days of it.

# Can I pay by bank transfer?
Enterprise customers can pay by bank transfer against an invoice with 30-day terms.

# Data residency
Customer data stays in the region chosen at sign-up: Frankfurt or Virginia.
"""


async def test_suggest_answers_the_visitors_latest_question_with_its_source(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, result = await admin.request(
        "POST", "/api/copilot/knowledge/import", {"format": "markdown", "text": KNOWLEDGE}
    )
    assert status == 200 and result == {"created": 3, "articles": 2, "qa_pairs": 1}
    # searchable by words at once; by meaning once the background indexer has run (it embeds
    # every org's waiting passages: other tests' orgs share this database)
    assert await indexer(server).run_until_done() >= 3
    status, overview = await admin.request("GET", "/api/copilot/admin")
    assert (overview["passages"], overview["passages_indexed"]) == (3, 3)
    async with server.visitor(org) as visitor:
        cid = await _chat(server, org, admin, visitor, "hi there")
        await visitor.send(
            {"type": "message", "client_id": "v2", "body": "Is it possible to get my money back?"}
        )
        await visitor.expect("ack", client_id="v2")
        status, answer = await admin.request(
            "POST", "/api/copilot/suggest", {"conversation_id": cid}
        )
    assert status == 200, answer
    assert answer["question"] == "hi there Is it possible to get my money back?"
    assert answer["status"] == "answer" and answer["retrieval"] == "hybrid"
    top = answer["suggestions"][0]
    assert top["origin"] == "knowledge" and "30 days" in top["text"]
    assert top["sources"][0]["title"] == "Refund policy" and top["sources"][0]["kind"] == "article"
    assert 0.5 <= top["confidence"] <= 1


async def test_a_question_the_knowledge_does_not_answer_gets_no_confident_answer(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await admin.request(
        "POST", "/api/copilot/knowledge/import", {"format": "markdown", "text": KNOWLEDGE}
    )
    await indexer(server).run_until_done()
    status, answer = await admin.request(
        "POST", "/api/copilot/suggest", {"question": "Do you have an office in Tokyo?"}
    )
    assert status == 200
    assert answer["status"] == "no_confident_answer" and answer["suggestions"] == []
    assert answer["closest"] and all(c["confidence"] < 0.5 for c in answer["closest"])


async def test_one_org_never_sees_another_orgs_knowledge(server: Server) -> None:
    org_a, org_b = await server.create_org("A"), await server.create_org("B")
    admin_a, admin_b = await server.rep(org_a, role="admin"), await server.rep(org_b, role="admin")
    status, item = await admin_a.request(
        "POST",
        "/api/copilot/knowledge",
        {"kind": "qa", "question": "Do you ship to Mars?", "body": "Yes, every Tuesday by rocket."},
    )
    assert status == 200
    await indexer(server).run_until_done()
    status, answer = await admin_b.request(
        "POST", "/api/copilot/suggest", {"question": "Do you ship to Mars?"}
    )
    assert answer["suggestions"] == [] and answer["closest"] == []
    status, listed = await admin_b.request("GET", "/api/copilot/knowledge")
    assert listed["total"] == 0
    status, _ = await admin_b.request("DELETE", f"/api/copilot/knowledge/{item['id']}")
    assert status == 404
    status, answer = await admin_a.request(
        "POST", "/api/copilot/suggest", {"question": "Can you deliver to Mars?"}
    )
    assert answer["suggestions"][0]["text"] == "Yes, every Tuesday by rocket."


async def test_knowledge_is_validated_and_only_admins_change_it(server: Server) -> None:
    org = await server.create_org()
    admin, rep = await server.rep(org, role="admin"), await server.rep(org)
    status, body = await rep.request(
        "POST", "/api/copilot/knowledge", {"kind": "article", "title": "T", "body": "B"}
    )
    assert status == 403
    status, body = await admin.request(
        "POST", "/api/copilot/knowledge", {"kind": "article", "title": " ", "body": "B"}
    )
    assert status == 422 and "title" in body["error"]["message"]
    status, body = await admin.request(
        "POST",
        "/api/copilot/knowledge/import",
        {"format": "csv", "text": "question,answer\nDo you do SSO?,Yes\nAnd SCIM?,\n"},
    )
    assert status == 422 and "line 3" in body["error"]["message"]
    status, listed = await admin.request("GET", "/api/copilot/knowledge")
    assert listed["total"] == 0  # all or nothing
    status, created = await admin.request(
        "POST", "/api/copilot/knowledge", {"kind": "article", "title": "Hours", "body": "9 to 5."}
    )
    status, edited = await admin.request(
        "PATCH", f"/api/copilot/knowledge/{created['id']}", {"body": "8 to 8, Monday to Friday."}
    )
    assert status == 200 and edited["body"] == "8 to 8, Monday to Friday."
    status, answer = await rep.request(
        "POST", "/api/copilot/suggest", {"question": "What are your opening hours?"}
    )
    assert status == 200 and answer["closest"][0]["snippet"] == "8 to 8, Monday to Friday."


async def test_an_admin_turns_the_copilot_off_and_usage_is_counted_per_rep(server: Server) -> None:
    org = await server.create_org()
    admin, rep = await server.rep(org, role="admin"), await server.rep(org, name="Sam Okafor")
    status, tuned = await rep.request(
        "POST", "/api/copilot/tune", {"text": "hey u can get a refund thx", "tone": "professional"}
    )
    assert status == 200 and tuned["text"] == "Hello, you can get a refund. Thank you."
    assert {"op": "insert", "text": "Hello,"} in tuned["diff"]
    status, expanded = await rep.request(
        "POST",
        "/api/copilot/expand",
        {"notes": "- $99/month\n- call w/ Priya Raman", "tone": "casual"},
    )
    assert status == 200 and "$99/month" in expanded["text"] and "Priya Raman" in expanded["text"]
    status, overview = await admin.request("GET", "/api/copilot/admin")
    assert [(u["name"], u["tune"], u["expand"], u["suggest"]) for u in overview["usage"]] == [
        ("Sam Okafor", 1, 1, 0)
    ]
    status, _ = await rep.request("PUT", "/api/copilot/settings", {"enabled": False})
    assert status == 403
    status, state = await admin.request("PUT", "/api/copilot/settings", {"enabled": False})
    assert status == 200 and state["enabled"] is False
    status, body = await rep.request("POST", "/api/copilot/tune", {"text": "hi", "tone": "casual"})
    assert status == 403 and "turned off" in body["error"]["message"]


async def test_expand_greets_the_visitor_by_name_and_org_shortcuts_are_knowledge(
    server: Server,
) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    await admin.request(
        "POST",
        "/api/shortcuts",
        {
            "name": "sso",
            "body": "Single sign-on with SAML comes with the Enterprise plan.",
            "scope": "org",
        },
    )
    await admin.request(
        "POST",
        "/api/shortcuts",
        {"name": "mine", "body": "My private note about single sign-on.", "scope": "mine"},
    )
    async with server.visitor(org) as visitor:
        await visitor.send(
            {"type": "identify", "email": "jane@initech.example", "name": "Jane Doe", "hash": None}
        )
        cid = await _chat(server, org, admin, visitor, "Can we log in with SAML single sign-on?")
        status, expanded = await admin.request(
            "POST",
            "/api/copilot/expand",
            {
                "notes": "sso on enterprise\nkickoff call 3 June",
                "tone": "friendly",
                "conversation_id": cid,
            },
        )
        assert status == 200 and expanded["text"].startswith("Hi Jane!")
        status, answer = await admin.request(
            "POST", "/api/copilot/suggest", {"conversation_id": cid}
        )
    texts = [s["text"] for s in answer["suggestions"]] + [c["snippet"] for c in answer["closest"]]
    assert "Single sign-on with SAML comes with the Enterprise plan." in texts
    assert not any("private note" in t for t in texts)  # a rep's own shortcuts stay theirs
    assert answer["closest"][0]["source"]["kind"] == "shortcut"


async def test_an_ended_chat_teaches_the_copilot_the_reps_answer(server: Server) -> None:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    async with server.visitor(org) as visitor:
        cid = await _chat(
            server, org, admin, visitor, "Do you have an integration with Pipedrive CRM?"
        )
        await admin.request(
            "POST",
            f"/api/conversations/{cid}/messages",
            {
                "client_id": "r1",
                "body": "Yes, Pipedrive syncs deals and contacts every 15 minutes.",
            },
        )
        status, _ = await admin.request("POST", f"/api/conversations/{cid}/end")
        assert status == 200
    status, listed = await admin.request("GET", "/api/copilot/knowledge?kind=past_answer")
    assert [i["body"] for i in listed["items"]] == [
        "Yes, Pipedrive syncs deals and contacts every 15 minutes."
    ]
    await indexer(server).run_until_done()
    status, answer = await admin.request(
        "POST", "/api/copilot/suggest", {"question": "does pipedrive integration exist?"}
    )
    assert answer["suggestions"][0]["sources"][0]["kind"] == "past_answer"


async def test_a_shortcut_suggested_has_its_variables_filled_for_the_visitor(
    sqlite_server: Server,
) -> None:
    server = sqlite_server
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, _ = await admin.request(
        "POST",
        "/api/shortcuts",
        {
            "name": "invoice",
            "body": "Hi {visitor.first_name}, invoices are under Settings > Billing > Invoices.",
            "scope": "org",
        },
    )
    assert status == 200
    async with server.visitor(org) as visitor:
        await visitor.send(
            {"type": "identify", "email": "jane@initech.example", "name": "Jane Doe", "hash": None}
        )
        cid = await _chat(server, org, admin, visitor, "Where do I find my invoices?")
        status, answer = await admin.request(
            "POST", "/api/copilot/suggest", {"conversation_id": cid}
        )
    # (whether it is confident enough to be a suggestion or only the closest source, the
    # shortcut's text is filled the same way)
    assert status == 200 and answer["closest"][0]["source"]["kind"] == "shortcut"
    assert answer["closest"][0]["snippet"] == (
        "Hi Jane, invoices are under Settings > Billing > Invoices."
    )
    # with no conversation there is no visitor: the variable is left out, never shown raw
    status, answer = await admin.request(
        "POST", "/api/copilot/suggest", {"question": "Where do I find my invoices?"}
    )
    assert answer["closest"][0]["snippet"] == (
        "Hi, invoices are under Settings > Billing > Invoices."
    )
