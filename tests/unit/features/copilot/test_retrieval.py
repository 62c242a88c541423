"""The in-memory index: BM25 and vectors fused by rank; BM25 alone when there are no vectors."""

from __future__ import annotations

from frontdesk.features.copilot.embedding import load_embedder
from frontdesk.features.copilot.retrieval import Entry, OrgIndex

TEXTS = [
    ("Refund policy", "We refund your first payment in full when you ask within 30 days."),
    ("Payment methods", "We accept Visa, Mastercard and SEPA direct debit."),
    ("Data residency", "Customer data stays in Frankfurt or Virginia."),
]


def _entries() -> list[Entry]:
    return [
        Entry(f"p{i}", f"i{i}", "article", title, None, None, body, f"{title}\n{body}")
        for i, (title, body) in enumerate(TEXTS)
    ]


def test_without_vectors_bm25_alone_finds_the_passage_with_a_word_confidence() -> None:
    index = OrgIndex(1, _entries(), [None, None, None])
    assert not index.dense_ready
    hits = index.search("Which payment methods do you accept?", None, 3)
    assert hits[0].entry.title == "Payment methods"
    assert hits[0].dense is None and hits[0].confidence >= 0.5
    assert index.search("Is there a Tokyo office?", None, 3) == []  # no shared word at all
    unrelated = index.search("Do you accept phone calls?", None, 3)
    assert unrelated and unrelated[0].confidence < 0.5


def test_with_vectors_a_reworded_question_finds_its_passage_by_meaning() -> None:
    embedder = load_embedder()
    assert embedder is not None
    entries = _entries()
    vectors = embedder.embed([e.text for e in entries])
    index = OrgIndex(1, entries, [v.astype("<f4").tobytes() for v in vectors])
    question = "How do I get my money back?"  # no word in common with the refund passage
    hits = index.search(question, embedder.embed([question])[0], 3)
    assert hits[0].entry.title == "Refund policy" and hits[0].dense is not None
    assert len({h.entry.item_id for h in hits}) == len(hits)  # one hit per item
