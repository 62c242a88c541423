"""AI Copilot quality on the evaluation set (bench/copilot_evalset/), offline.

    PYTHONPATH=src python -m bench.copilot_eval [--calibrate] [--show-misses]

Builds the index exactly as the server does (the knowledge base imported as Markdown, passages
cut by the same code, vectors from the same MiniLM model) and asks every question, then
reports, for hybrid retrieval (BM25 + embeddings, fused by rank) and for BM25 alone in the
same run, on the held-out half of the questions (the figure to quote), the tuning half and
all of them:

- top-1 / top-3: the answering section is the first / among the first three results;
- "No confident answer" on unanswerable questions (the bar: >= 80 %);
- false "No confident answer" on answerable ones.

The split is fixed in questions.csv (`split`: "tune" or "held_out"; every other answerable
question and every other unanswerable one, so each half asks about nearly every section).
--calibrate chooses the answer/no-answer threshold on the tuning half only and prints it;
retrieval.DENSE_THRESHOLD / LEXICAL_THRESHOLD hold the chosen ones. The held-out half is never
looked at to choose anything.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import itertools
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
    split: str  # "tune" (thresholds are chosen on these) or "held_out" (reported)


SPLITS = ("held_out", "tune", "all")


def load_questions() -> list[Question]:
    with (EVALSET / "questions.csv").open() as f:
        return [
            Question(r["question"], r["expected"] or None, r["split"]) for r in csv.DictReader(f)
        ]


def in_split(question: Question, split: str) -> bool:
    return split == "all" or question.split == split


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
    split: str
    answerable: int
    unanswerable: int
    top1: int
    top3: int
    refused: int  # unanswerable questions answered "No confident answer"
    false_refused: int  # answerable ones answered "No confident answer"

    def line(self) -> str:
        a, u = self.answerable, self.unanswerable
        return (
            f"  {self.split:<8} top-1 {self.top1 / a:6.1%} ({self.top1}/{a})  "
            f"top-3 {self.top3 / a:6.1%}  "
            f'"No confident answer" on unanswerable {self.refused / u:6.1%} '
            f"({self.refused}/{u})  false on answerable {self.false_refused / a:6.1%} "
            f"({self.false_refused}/{a})"
        )


def confident(hits: list[Hit]) -> bool:
    return bool(hits) and hits[0].confidence >= 0.5


def report(results: list[tuple[Question, list[Hit]]], split: str) -> Report:
    chosen = [(q, h) for q, h in results if in_split(q, split)]
    answerable = [(q, h) for q, h in chosen if q.expected]
    unanswerable = [(q, h) for q, h in chosen if not q.expected]
    return Report(
        split,
        len(answerable),
        len(unanswerable),
        sum(1 for q, h in answerable if h and h[0].entry.title == q.expected),
        sum(1 for q, h in answerable if any(x.entry.title == q.expected for x in h)),
        sum(1 for _, h in unanswerable if not confident(h)),
        sum(1 for _, h in answerable if not confident(h)),
    )


def run(
    index: OrgIndex, questions: list[Question], dense: bool
) -> tuple[float, list[tuple[Question, list[Hit]]]]:
    """(median search time in ms, each question with its hits)."""
    embedder = load_embedder() if dense else None
    results: list[tuple[Question, list[Hit]]] = []
    times: list[float] = []
    for q in questions:
        started = time.perf_counter()
        vector = embedder.embed([q.text])[0] if embedder is not None else None
        hits = index.search(q.text, vector, 3, use_dense=dense)
        times.append(time.perf_counter() - started)
        results.append((q, hits))
    return float(np.median(times) * 1000), results


def calibrate(results: list[tuple[Question, list[Hit]]], dense: bool) -> float:
    """The threshold on the top hit's score (with vectors: cosine + margin and coverage
    terms; BM25 alone: coverage), chosen on the tuning half only: the one that maximises the
    balanced accuracy, the mean of (answerable questions answered, rightly, above it) and
    (unanswerable questions below it), halfway between two questions' scores; the lowest such
    threshold on a tie, so fewer right answers are held back. A question that is answered wrongly counts as a miss either way."""
    tuning = [(q, hits[0]) for q, hits in results if q.split == "tune" and hits]
    good = [top.score for q, top in tuning if q.expected and top.entry.title == q.expected]
    answerable = sum(1 for q, _ in tuning if q.expected)
    unanswerable = [top.score for q, top in tuning if not q.expected]
    scores = sorted({top.score for _, top in tuning})
    # candidates halfway between neighbouring scores, so no question sits on the threshold
    candidates = [round((a + b) / 2, 3) for a, b in itertools.pairwise(scores)]
    best = (0.0, -1.0)
    for threshold in candidates:
        answered = sum(1 for v in good if v >= threshold) / answerable
        refused = sum(1 for v in unanswerable if v < threshold) / len(unanswerable)
        balanced = (answered + refused) / 2
        if balanced > best[1] + 1e-9:
            best = (threshold, balanced)
    kind = "score" if dense else "coverage"
    print(
        f"  calibration on the tuning half: {kind} threshold {best[0]:.3f} "
        f"(balanced accuracy {best[1]:.1%})"
    )
    return best[0]


def tune_weights(index: OrgIndex, questions: list[Question]) -> None:
    """The fusion and confidence weights, chosen again on the tuning half only: for each
    combination, top-1 on the tuning half's answerable questions and the balanced accuracy at
    the best threshold for it; the held-out half is not asked."""
    from frontdesk.features.copilot import retrieval

    embedder = load_embedder()
    assert embedder is not None
    tuning = [q for q in questions if q.split == "tune"]
    vectors = embedder.embed([q.text for q in tuning])
    saved = (retrieval.W_LEXICAL, retrieval.MARGIN_WEIGHT, retrieval.COVERAGE_WEIGHT)
    rows: list[tuple[float, float, float, float, float, float]] = []
    try:
        for lexical in (0.0, 0.1, 0.25, 0.5, 1.0):
            for margin in (0.0, 0.25, 0.5, 1.0):
                for coverage in (0.0, 0.1, 0.2):
                    retrieval.W_LEXICAL = lexical
                    retrieval.MARGIN_WEIGHT = margin
                    retrieval.COVERAGE_WEIGHT = coverage
                    results = [
                        (q, index.search(q.text, v, 3))
                        for q, v in zip(tuning, vectors, strict=True)
                    ]
                    top1 = report(results, "tune").top1 / sum(1 for q in tuning if q.expected)
                    with contextlib.redirect_stdout(io.StringIO()):
                        threshold = calibrate(results, True)
                    tops = [(q, h[0]) for q, h in results if h]
                    good = [
                        t.score >= threshold
                        for q, t in tops
                        if q.expected and t.entry.title == q.expected
                    ]
                    refused = [t.score < threshold for q, t in tops if not q.expected]
                    balanced = (
                        sum(good) / sum(1 for q in tuning if q.expected)
                        + sum(refused) / len(refused)
                    ) / 2
                    rows.append((top1 + balanced, top1, balanced, lexical, margin, coverage))
    finally:
        retrieval.W_LEXICAL, retrieval.MARGIN_WEIGHT, retrieval.COVERAGE_WEIGHT = saved
    rows.sort(reverse=True)
    print("fusion and confidence weights on the tuning half (best 8 of top-1 + balanced):")
    for _total, top1, balanced, lexical, margin, coverage in rows[:8]:
        print(
            f"  W_LEXICAL {lexical:<4} MARGIN_WEIGHT {margin:<4} COVERAGE_WEIGHT {coverage:<4} "
            f"top-1 {top1:.1%}  balanced {balanced:.1%}"
        )
    current = next(r for r in rows if r[3:] == saved)
    print(f"  the shipped weights {saved}: top-1 {current[1]:.1%}  balanced {current[2]:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--tune-weights", action="store_true", help="choose the weights on the tuning half"
    )
    parser.add_argument("--weights", help="W_LEXICAL,MARGIN_WEIGHT,COVERAGE_WEIGHT to try")
    parser.add_argument("--threshold", type=float, help="DENSE_THRESHOLD to try with --weights")
    args = parser.parse_args()
    questions = load_questions()
    answerable = sum(1 for q in questions if q.expected)
    index, spent = build_index(with_vectors=True)
    print(
        f"evaluation set: {len(index.entries)} passages, {answerable} answerable and "
        f"{len(questions) - answerable} unanswerable questions; thresholds: cosine "
        f"{DENSE_THRESHOLD}, coverage {LEXICAL_THRESHOLD}; embedding {spent:.2f} s"
    )
    if args.tune_weights:
        tune_weights(index, questions)
        return
    if args.weights:
        from frontdesk.features.copilot import retrieval

        lexical, margin, coverage = (float(x) for x in args.weights.split(","))
        retrieval.W_LEXICAL, retrieval.MARGIN_WEIGHT = lexical, margin
        retrieval.COVERAGE_WEIGHT = coverage
        if args.threshold is not None:
            retrieval.DENSE_THRESHOLD = args.threshold
        print(f"weights {args.weights}, threshold {retrieval.DENSE_THRESHOLD} (not the shipped)")
    halves = {s: sum(1 for q in questions if q.split == s) for s in ("tune", "held_out")}
    print(f"split: {halves['tune']} questions to tune on, {halves['held_out']} held out")
    for dense in (True, False):
        p50, results = run(index, questions, dense)
        print(
            f"{'hybrid (BM25 + MiniLM, RRF)' if dense else 'BM25 alone (baseline)'} "
            f"(median search {p50:.1f} ms, query embedding included):"
        )
        for split in SPLITS:
            print(report(results, split).line())
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
