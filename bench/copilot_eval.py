"""AI Copilot quality on the evaluation set (bench/copilot_evalset/), offline.

    PYTHONPATH=src python -m bench.copilot_eval [--calibrate] [--show-misses]

Builds the index exactly as the server does (the knowledge base imported as Markdown, passages
cut by the same code, vectors from the same MiniLM model) and asks every question, then
reports, for hybrid retrieval (BM25 + embeddings, fused by rank) and for BM25 alone in the
same run:

- top-1 / top-3: the answering section is the first / among the first three results;
- "No confident answer" on unanswerable questions (the bar: >= 80 %);
- false "No confident answer" on answerable ones.

--calibrate prints the threshold that best separates answerable (right top-1) from
unanswerable questions; retrieval.DENSE_THRESHOLD / LEXICAL_THRESHOLD hold the chosen ones.
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from frontdesk.features.copilot.embedding import embedding_status, load_embedder
from frontdesk.features.copilot.knowledge import parse_markdown
from frontdesk.features.copilot.retrieval import (
    DENSE_THRESHOLD,
    LEXICAL_THRESHOLD,
    Entry,
    Hit,
    OrgIndex,
)
from frontdesk.features.copilot.text import passages

EVALSET = Path(__file__).resolve().parent / "copilot_evalset"


@dataclass(frozen=True)
class Question:
    text: str
    expected: str | None  # the title of the answering section; None: unanswerable


def load_questions() -> list[Question]:
    with (EVALSET / "questions.csv").open() as f:
        return [Question(r["question"], r["expected"] or None) for r in csv.DictReader(f)]


def build_index(with_vectors: bool) -> tuple[OrgIndex, float]:
    """(index, seconds spent embedding)."""
    items = parse_markdown((EVALSET / "knowledge.md").read_text())
    entries: list[Entry] = []
    for n, (kind, title, question, body) in enumerate(items):
        texts = [f"{question}\n{body}"] if kind == "qa" else passages(title, body)
        for p, text in enumerate(texts):
            entries.append(Entry(f"p{n}-{p}", f"i{n}", kind, title, None, question, body, text))
    vectors: list[bytes | None] = [None] * len(entries)
    spent = 0.0
    if with_vectors:
        embedder = load_embedder()
        if embedder is None:
            raise SystemExit(f"embeddings unavailable: {embedding_status()}")
        started = time.perf_counter()
        matrix = embedder.embed([e.text for e in entries])
        spent = time.perf_counter() - started
        vectors = [np.asarray(v, dtype="<f4").tobytes() for v in matrix]
    return OrgIndex(1, entries, vectors), spent


@dataclass
class Report:
    name: str
    top1: float
    top3: float
    no_answer_unanswerable: float
    false_no_answer: float
    p50_ms: float

    def lines(self) -> list[str]:
        return [
            f"{self.name}:",
            f"  top-1 {self.top1:.1%}   top-3 {self.top3:.1%}   (answerable)",
            f'  "No confident answer" on unanswerable: {self.no_answer_unanswerable:.1%}',
            f'  false "No confident answer" on answerable: {self.false_no_answer:.1%}',
            f"  median search time {self.p50_ms:.1f} ms (query embedding included)",
        ]


def run(
    index: OrgIndex, questions: list[Question], dense: bool
) -> tuple[Report, list[tuple[Question, list[Hit]]]]:
    embedder = load_embedder() if dense else None
    results: list[tuple[Question, list[Hit]]] = []
    times: list[float] = []
    for q in questions:
        started = time.perf_counter()
        vector = embedder.embed([q.text])[0] if embedder is not None else None
        hits = index.search(q.text, vector, 3, use_dense=dense)
        times.append(time.perf_counter() - started)
        results.append((q, hits))
    answerable = [(q, h) for q, h in results if q.expected]
    unanswerable = [(q, h) for q, h in results if not q.expected]

    def confident(hits: list[Hit]) -> bool:
        return bool(hits) and hits[0].confidence >= 0.5

    top1 = sum(1 for q, h in answerable if h and h[0].entry.title == q.expected)
    top3 = sum(1 for q, h in answerable if any(x.entry.title == q.expected for x in h))
    refused = sum(1 for _, h in unanswerable if not confident(h))
    false_refused = sum(1 for _, h in answerable if not confident(h))
    report = Report(
        "hybrid (BM25 + MiniLM, RRF)" if dense else "BM25 alone (baseline)",
        top1 / len(answerable),
        top3 / len(answerable),
        refused / len(unanswerable),
        false_refused / len(answerable),
        float(np.median(times) * 1000),
    )
    return report, results


def calibrate(results: list[tuple[Question, list[Hit]]], dense: bool) -> None:
    """The threshold on the top hit's score (with vectors: cosine + margin and coverage
    terms; BM25 alone: coverage) that maximises right answers above it plus unanswerable
    questions below it, and what the bar on unanswerable questions would need."""
    values: list[tuple[float, bool]] = []
    for q, hits in results:
        if not hits:
            continue
        top = hits[0]
        value = top.score
        good = q.expected is not None and top.entry.title == q.expected
        values.append((value, good if q.expected else False))
    best = (0.0, 0.0)
    for threshold in sorted({round(v, 3) for v, _ in values}):
        score = sum(1 for v, good in values if (v >= threshold) == good) / len(values)
        if score > best[1]:
            best = (threshold, score)
    unanswerable = sorted(
        v for (v, _), (q, _) in zip(values, results, strict=False) if not q.expected
    )
    needed = unanswerable[int(0.8 * len(unanswerable)) - 1] if unanswerable else 0.0
    kind = "score" if dense else "coverage"
    print(
        f"  calibration: best {kind} threshold {best[0]:.3f} separates {best[1]:.1%}; "
        f"refusing 80 % of unanswerable needs a threshold above {needed:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    questions = load_questions()
    answerable = sum(1 for q in questions if q.expected)
    index, spent = build_index(with_vectors=True)
    print(
        f"evaluation set: {len(index.entries)} passages, {answerable} answerable and "
        f"{len(questions) - answerable} unanswerable questions; thresholds: cosine "
        f"{DENSE_THRESHOLD}, coverage {LEXICAL_THRESHOLD}; embedding {spent:.2f} s"
    )
    for dense in (True, False):
        report, results = run(index, questions, dense)
        print("\n".join(report.lines()))
        if args.calibrate:
            calibrate(results, dense)
        if args.show_misses:
            for q, hits in results:
                top = hits[0] if hits else None
                wrong = q.expected and (top is None or top.entry.title != q.expected)
                wrongly_sure = not q.expected and top is not None and top.confidence >= 0.5
                shy = q.expected and top is not None and top.confidence < 0.5
                if wrong or wrongly_sure or shy:
                    print(
                        f"    {'MISS' if wrong else 'SURE' if wrongly_sure else 'SHY '} "
                        f"{q.text!r} -> {top.entry.title if top else None!r} "
                        f"(conf {top.confidence if top else 0:.2f}, score "
                        f"{top.score if top else 0:.3f}, cos "
                        f"{top.dense if top and top.dense is not None else float('nan'):.3f}, "
                        f"cov {top.coverage if top else 0:.2f}; want {q.expected!r})"
                    )


if __name__ == "__main__":
    main()
