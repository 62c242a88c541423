"""Hybrid retrieval, offline: BM25 (`bm25s`) over the passages' words and cosine similarity
over their MiniLM vectors, fused by rank (reciprocal rank fusion), with a calibrated
confidence for the answer/no-answer decision.

Each process keeps one in-memory index per org, built on first use from the database and
rebuilt when the org's copilot version moved (one small query per Suggest checks it). Vectors
live in the database next to the model id that made them; the background `Indexer` embeds
passages that have none (or another model's), so edits are searchable by BM25 at once and by
meaning a moment later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import Counter
from dataclasses import dataclass, field

import bm25s
import numpy as np
from sqlalchemy import or_, select, update

from frontdesk.features.copilot.embedding import (
    DIM,
    Vector,
    embedding_available,
    from_bytes,
    installed_model_id,
    load_embedder,
    to_bytes,
)
from frontdesk.features.copilot.knowledge import bump_version, shortcuts_changed, sync_shortcuts
from frontdesk.features.copilot.models import CopilotOrg, KnowledgeItem, Passage
from frontdesk.features.copilot.text import words
from frontdesk.runtime import Runtime

log = logging.getLogger("frontdesk.copilot")

# Rank fusion: reciprocal rank fusion with a small k (the top ranks count most) and BM25
# weighted below meaning: on the evaluation set, BM25 at full weight pulled top-1 from 91 % (by
# meaning alone) down to 71 %, at 0.25 it breaks ties (bench/copilot_eval.py).
RRF_K = 10
W_DENSE = 1.0
W_LEXICAL = 0.25
CANDIDATES = 30
# The answer/no-answer decision. With vectors the score is the top item's cosine, plus half its
# margin over the next item (a question that matches one item clearly is answered; one that
# half-matches several is not), plus a tenth of its word coverage. Calibrated on the
# evaluation set (bench/copilot_eval.py --calibrate; docs/copilot.md); a hit's confidence is
# 0.5 exactly at the threshold.
MARGIN_WEIGHT = 0.5
COVERAGE_WEIGHT = 0.1
DENSE_THRESHOLD = 0.434
LEXICAL_THRESHOLD = 0.297
EMBED_BATCH = 32


@dataclass(frozen=True)
class Entry:
    passage_id: str
    item_id: str
    kind: str
    title: str
    url: str | None
    question: str | None
    body: str
    text: str


@dataclass(frozen=True)
class Hit:
    entry: Entry
    fused: float
    dense: float | None  # cosine similarity, when both sides have a vector
    coverage: float  # idf-weighted share of the question's words found in the passage
    margin: float | None  # cosine over the best other item's
    score: float  # what the threshold applies to
    confidence: float


def _squash(value: float, threshold: float, width: float) -> float:
    return 1.0 / (1.0 + math.exp(-(value - threshold) / width))


class OrgIndex:
    def __init__(self, version: int, entries: list[Entry], vectors: list[bytes | None]) -> None:
        self.version = version
        self.entries = entries
        self.tokens = [words(e.text) for e in entries]
        self.df: Counter[str] = Counter()
        for tokens in self.tokens:
            self.df.update(set(tokens))
        self.bm25: bm25s.BM25 | None = None
        if entries and any(self.tokens):
            self.bm25 = bm25s.BM25()
            self.bm25.index([t or [""] for t in self.tokens], show_progress=False)
        self.has_vector = np.array([v is not None for v in vectors], dtype=bool)
        matrix = np.zeros((len(entries), DIM), dtype=np.float32)
        for row, vector in enumerate(vectors):
            if vector is not None:
                matrix[row] = from_bytes(vector)
        self.matrix = matrix

    @property
    def dense_ready(self) -> bool:
        return bool(self.has_vector.any())

    def idf(self, term: str) -> float:
        n = len(self.entries)
        return math.log(1 + (n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def coverage(self, terms: list[str], row: int) -> float:
        if not terms:
            return 0.0
        present = set(self.tokens[row])
        unique = set(terms)
        total = sum(self.idf(t) for t in unique)
        found = sum(self.idf(t) for t in unique if t in present)
        return found / total if total else 0.0

    def search(
        self, query: str, query_vector: Vector | None, k: int = 3, *, use_dense: bool = True
    ) -> list[Hit]:
        """The best `k` items (one hit per item), best first."""
        if not self.entries:
            return []
        terms = words(query)
        fused: dict[int, float] = {}
        if self.bm25 is not None:
            known = [t for t in terms if t in self.bm25.vocab_dict]
            if known:
                scores = self.bm25.get_scores(known)
                top = np.argsort(-scores)[:CANDIDATES]
                for rank, row in enumerate(r for r in top if scores[r] > 0):
                    fused[int(row)] = fused.get(int(row), 0.0) + W_LEXICAL / (RRF_K + rank + 1)
        sims: Vector | None = None
        item_best: dict[str, float] = {}
        dense = use_dense and query_vector is not None and self.dense_ready
        if dense and query_vector is not None:
            sims = np.where(self.has_vector, self.matrix @ query_vector, -1.0)
            top = np.argsort(-sims)[:CANDIDATES]
            for rank, row in enumerate(top):
                if sims[row] > -1.0:
                    fused[int(row)] = fused.get(int(row), 0.0) + W_DENSE / (RRF_K + rank + 1)
            for row in top:
                item = self.entries[int(row)].item_id
                if sims[row] > -1.0 and item not in item_best:
                    item_best[item] = float(sims[row])
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        hits: list[Hit] = []
        seen: set[str] = set()
        for row, fused_score in ranked:
            entry = self.entries[row]
            if entry.item_id in seen:
                continue
            seen.add(entry.item_id)
            cover = self.coverage(terms, row)
            cosine = item_best.get(entry.item_id) if sims is not None else None
            margin: float | None = None
            if cosine is not None:
                others = [v for k, v in item_best.items() if k != entry.item_id]
                margin = cosine - max(others, default=0.0)
                score = cosine + MARGIN_WEIGHT * margin + COVERAGE_WEIGHT * cover
                confidence = _squash(score, DENSE_THRESHOLD, 0.04)
            else:
                score = cover
                confidence = _squash(cover, LEXICAL_THRESHOLD, 0.08)
            hits.append(Hit(entry, fused_score, cosine, cover, margin, score, round(confidence, 3)))
            if len(hits) >= k:
                break
        return hits


@dataclass
class IndexCache:
    """This process's indexes, one per org, each rebuilt when its org's version moves."""

    indexes: dict[str, OrgIndex] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def get(self, runtime: Runtime, org_id: str) -> OrgIndex:
        async with runtime.db.read() as session:
            fingerprint = await shortcuts_changed(session, org_id)
            version = await session.scalar(
                select(CopilotOrg.version).where(CopilotOrg.org_id == org_id)
            )
        if fingerprint is not None:
            async with runtime.db.transaction() as session:
                await sync_shortcuts(session, org_id, fingerprint, runtime.clock.now())
            async with runtime.db.read() as session:
                version = await session.scalar(
                    select(CopilotOrg.version).where(CopilotOrg.org_id == org_id)
                )
        version = version or 0
        current = self.indexes.get(org_id)
        if current is not None and current.version == version:
            return current
        lock = self.locks.setdefault(org_id, asyncio.Lock())
        async with lock:
            current = self.indexes.get(org_id)
            if current is not None and current.version == version:
                return current
            built = await self.build(runtime, org_id)
            self.indexes[org_id] = built
            return built

    async def build(self, runtime: Runtime, org_id: str) -> OrgIndex:
        model_id = current_model_id()
        async with runtime.db.read() as session:
            version = (
                await session.scalar(select(CopilotOrg.version).where(CopilotOrg.org_id == org_id))
                or 0
            )
            result = await session.execute(
                select(
                    Passage.id,
                    Passage.item_id,
                    Passage.text,
                    Passage.embedding,
                    Passage.model_id,
                    KnowledgeItem.kind,
                    KnowledgeItem.title,
                    KnowledgeItem.url,
                    KnowledgeItem.question,
                    KnowledgeItem.body,
                )
                .join(KnowledgeItem, KnowledgeItem.id == Passage.item_id)
                .where(Passage.org_id == org_id)
                .order_by(Passage.item_id, Passage.position)
            )
            rows = result.all()
        entries = [Entry(r[0], r[1], r[5], r[6], r[7], r[8], r[9], r[2]) for r in rows]
        vectors = [r[3] if model_id is not None and r[4] == model_id else None for r in rows]
        return await asyncio.to_thread(OrgIndex, version, entries, vectors)


def indexes_of(runtime: Runtime) -> IndexCache:
    """The process's copilot indexes, shared by Suggest and the bot (one copy in memory)."""
    cache = runtime.state.get("copilot.indexes")
    if not isinstance(cache, IndexCache):
        cache = IndexCache()
        runtime.state["copilot.indexes"] = cache
    return cache


def current_model_id() -> str | None:
    embedder = load_embedder()
    return embedder.model_id if embedder is not None else None


class Indexer:
    """Embeds, in the background, every passage that has no vector of the current model;
    after each batch the org's version moves so every process reloads its index."""

    def __init__(self, runtime: Runtime, interval: float = 10.0) -> None:
        self.runtime = runtime
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None and embedding_available():
            self._task = asyncio.create_task(self._loop(), name="copilot-indexer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                while await self.run_once():
                    pass
            except Exception:
                log.exception("copilot indexing failed; retrying later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def run_once(self, batch: int = 256) -> int:
        """Embed up to `batch` passages lacking a vector; how many were embedded. The model
        (~190 MiB) is loaded only when there is something to embed, not when the process
        starts."""
        model_id = installed_model_id()
        if model_id is None:
            return 0
        async with self.runtime.db.read() as session:
            rows = (
                await session.execute(
                    select(Passage.id, Passage.org_id, Passage.text)
                    .where(or_(Passage.model_id.is_(None), Passage.model_id != model_id))
                    .limit(batch)
                )
            ).all()
        if not rows:
            return 0
        embedder = await asyncio.to_thread(load_embedder)
        if embedder is None:
            return 0
        vectors: list[Vector] = []
        for start in range(0, len(rows), EMBED_BATCH):
            texts = [r[2] for r in rows[start : start + EMBED_BATCH]]
            vectors.extend(await asyncio.to_thread(embedder.embed, texts))
        now = self.runtime.clock.now()
        async with self.runtime.db.transaction() as session:
            for (passage_id, _, _), vector in zip(rows, vectors, strict=True):
                await session.execute(
                    update(Passage)
                    .where(Passage.id == passage_id)
                    .values(embedding=to_bytes(vector), model_id=embedder.model_id)
                )
            for org_id in {r[1] for r in rows}:
                await bump_version(session, org_id, now)
        return len(rows)

    async def run_until_done(self) -> int:
        total = 0
        while count := await self.run_once():
            total += count
        return total
