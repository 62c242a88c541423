"""Expand offline, through the API as the console calls it: the rep's bullets become a full
reply that quotes the best-matching shortcut or knowledge passage where it fits, keeps every
fact of the bullets, writes nothing that is not in the bullets or the cited source, shows the
source, and says plainly when nothing matched (then it is the rules' sentences alone)."""

from __future__ import annotations

import re

from frontdesk.features.copilot.text import words
from frontdesk.features.copilot.writing import NUMBER, expand, keep_words
from frontdesk.transport.api_copilot import COPILOT_KEY
from tests.harness import OrgInfo, RepClient, Server

KNOWLEDGE = """# Refund policy
If Northwind is not right for you, we refund the full amount of your first payment when you
ask within 30 days of it. Later payments are not refunded, but you can cancel at any time.
Write to billing@northwind.example to ask for a refund.

# Free trial
Every new workspace starts with a 14-day trial of the Growth plan. No credit card is needed to
start. When the trial ends, the workspace becomes read-only.

# Data residency
Customer data is stored in the region chosen at sign-up: Frankfurt (EU) or Virginia (US). A
workspace cannot move between regions later.
"""

# what the tone rules and the greeting may add (writing.apply_tone), and nothing else
TONE_WORDS = set(
    words(
        "Hi Hello Hey there Thanks so much Thank you Let me know if there's anything else "
        "I can help with Could you Please"
    )
)


async def _setup(server: Server) -> tuple[OrgInfo, RepClient]:
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, _ = await admin.request(
        "POST", "/api/copilot/knowledge/import", {"format": "markdown", "text": KNOWLEDGE}
    )
    assert status == 200
    await server.app[COPILOT_KEY].indexer.run_until_done()
    return org, admin


async def _conversation(org: OrgInfo, admin: RepClient, visitor: object, question: str) -> str:
    await visitor.send(  # type: ignore[attr-defined]
        {"type": "identify", "email": "ada@initech.example", "name": "Ada Lovelace", "hash": None}
    )
    await visitor.send({"type": "message", "client_id": "v1", "body": question})  # type: ignore[attr-defined]
    cid = (await visitor.expect("ack", client_id="v1"))["message"]["conversation_id"]  # type: ignore[attr-defined]
    status, _ = await admin.request("POST", f"/api/conversations/{cid}/accept")
    assert status == 200
    return str(cid)


def assert_nothing_invented(text: str, notes: str, source_body: str) -> None:
    """Every word and number of the message is the rep's, the cited source's, or the tone's
    greeting and closing."""
    allowed = set(words(notes)) | set(words(source_body)) | TONE_WORDS | {"ada", "you", "with"}
    invented = set(words(text)) - allowed
    assert not invented, f"not in the notes or the source: {invented} in {text!r}"
    numbers = set(NUMBER.findall(text)) - set(NUMBER.findall(notes + " " + source_body))
    assert not numbers, numbers


async def test_expand_quotes_the_passage_that_fits_and_shows_it_as_the_source(
    server: Server,
) -> None:
    org, admin = await _setup(server)
    async with server.visitor(org) as visitor:
        cid = await _conversation(org, admin, visitor, "Can I try it before I pay anything?")
        notes = "- yes\n- 14 day trial\n- no credit card"
        status, written = await admin.request(
            "POST",
            "/api/copilot/expand",
            {"notes": notes, "tone": "friendly", "conversation_id": cid},
        )
    assert status == 200, written
    assert written["text"] == (
        "Hi Ada! Yes. Every new workspace starts with a 14-day trial of the Growth plan. "
        "No credit card is needed to start. Let me know if there's anything else I can help "
        "with!"
    )
    assert written["origin"] == "rules" and written["knowledge"] == "used"
    assert [(s["title"], s["kind"]) for s in written["sources"]] == [("Free trial", "article")]
    assert written["quoted"] == [
        "Every new workspace starts with a 14-day trial of the Growth plan.",
        "No credit card is needed to start.",
    ]
    # every fact of the notes is kept (numbers, names, words), nothing is invented
    assert set(words(notes)) <= set(words(written["text"]))
    assert keep_words(notes) <= set(written["kept"])
    trial = KNOWLEDGE.split("# Free trial")[1].split("#")[0]
    assert_nothing_invented(written["text"], notes, trial)


async def test_a_note_naming_a_subject_brings_the_answer_in_the_conversations_tone(
    sqlite_server: Server,
) -> None:
    org, admin = await _setup(sqlite_server)
    status, written = await admin.request(
        "POST", "/api/copilot/expand", {"notes": "refund policy", "tone": "professional"}
    )
    assert status == 200 and written["knowledge"] == "used"
    assert written["sources"][0]["title"] == "Refund policy"
    text = written["text"]
    assert text.startswith("Hello,") and "within 30 days" in text
    assert "billing@northwind.example" in text
    assert "n't" not in text  # Professional: no contractions, even in quoted sentences
    refund = KNOWLEDGE.split("# Refund policy")[1].split("#")[0]
    assert_nothing_invented(text, "refund policy", refund)


async def test_an_org_shortcut_is_quoted_without_its_variables(sqlite_server: Server) -> None:
    org = await sqlite_server.create_org()
    admin = await sqlite_server.rep(org, role="admin")
    status, _ = await admin.request(
        "POST",
        "/api/shortcuts",
        {
            "name": "onboarding",
            "body": "Hi {visitor.first_name}! Every Enterprise plan includes a 60-minute "
            "onboarding session with Priya Raman. Thanks!",
            "scope": "org",
        },
    )
    assert status == 200
    status, written = await admin.request(
        "POST", "/api/copilot/expand", {"notes": "onboarding", "tone": "casual"}
    )
    assert status == 200, written
    assert written["text"] == (
        "Hey, every Enterprise plan includes a 60-minute onboarding session with Priya Raman."
    )
    assert [(s["title"], s["kind"]) for s in written["sources"]] == [("/onboarding", "shortcut")]
    assert "{" not in written["text"]


async def test_when_nothing_fits_it_says_so_and_writes_the_notes_alone(
    sqlite_server: Server,
) -> None:
    org, admin = await _setup(sqlite_server)
    notes = "call tomorrow at 3pm w/ Priya Raman"
    status, written = await admin.request(
        "POST", "/api/copilot/expand", {"notes": notes, "tone": "friendly"}
    )
    assert status == 200
    assert written["knowledge"] == "no_match" and written["sources"] == []
    assert written["quoted"] == []
    assert written["text"] == expand(notes, "friendly")
    # a passage that fits the subject but says another number is not used either: the
    # rep's 14 days stays, the knowledge's 30 days does not come in
    status, written = await admin.request(
        "POST", "/api/copilot/expand", {"notes": "refund within 14 days", "tone": "casual"}
    )
    assert written["knowledge"] == "no_match"
    assert "14 days" in written["text"] and "30" not in written["text"]
    # nor one that says the opposite of the note
    status, written = await admin.request(
        "POST", "/api/copilot/expand", {"notes": "later payments refunded", "tone": "casual"}
    )
    assert written["knowledge"] == "no_match" and "not" not in written["text"]


async def test_expand_never_quotes_another_orgs_knowledge(sqlite_server: Server) -> None:
    await _setup(sqlite_server)
    other = await sqlite_server.create_org("Other")
    admin = await sqlite_server.rep(other, role="admin")
    status, written = await admin.request(
        "POST", "/api/copilot/expand", {"notes": "refund policy", "tone": "casual"}
    )
    assert status == 200 and written["knowledge"] == "no_match"
    assert not re.search(r"30 days|Northwind", written["text"])
