"""Offline Suggest on the evaluation set (bench/copilot_evalset/): reworded questions find
their passage at the bar, and questions the knowledge does not answer get "No confident
answer". Through the API, as a rep would ask. The bars hold on the held-out half of the
questions: the threshold was chosen on the other half (bench/copilot_eval.py --calibrate)."""

from __future__ import annotations

import csv
from pathlib import Path

from frontdesk.transport.api_copilot import COPILOT_KEY
from tests.harness import Server

EVALSET = Path(__file__).resolve().parents[4] / "bench" / "copilot_evalset"


async def test_the_evaluation_set_meets_the_bars_offline(sqlite_server: Server) -> None:
    server = sqlite_server
    org = await server.create_org()
    admin = await server.rep(org, role="admin")
    status, result = await admin.request(
        "POST",
        "/api/copilot/knowledge/import",
        {"format": "markdown", "text": (EVALSET / "knowledge.md").read_text()},
    )
    assert status == 200 and result["created"] == 43
    await server.app[COPILOT_KEY].indexer.run_until_done()
    with (EVALSET / "questions.csv").open() as f:
        questions = list(csv.DictReader(f))
    assert sum(1 for q in questions if q["expected"]) >= 60
    assert sum(1 for q in questions if not q["expected"]) >= 20
    assert {q["split"] for q in questions} == {"tune", "held_out"}
    held_out = [q for q in questions if q["split"] == "held_out"]
    answerable = [q for q in held_out if q["expected"]]
    unanswerable = [q for q in held_out if not q["expected"]]
    assert (len(answerable), len(unanswerable)) == (35, 12)
    top1 = refused = 0
    for q in held_out:
        status, answer = await admin.request(
            "POST", "/api/copilot/suggest", {"question": q["question"]}
        )
        assert status == 200 and answer["retrieval"] == "hybrid"
        first = answer["closest"][0]["source"]["title"] if answer["closest"] else None
        if q["expected"]:
            top1 += first == q["expected"]
        else:
            refused += answer["status"] == "no_confident_answer"
    assert top1 / len(answerable) >= 0.75, f"top-1 {top1}/{len(answerable)}"
    assert refused / len(unanswerable) >= 0.80, f"refused {refused}/{len(unanswerable)}"
