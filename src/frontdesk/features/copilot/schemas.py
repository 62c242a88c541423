"""What the copilot's API answers hold."""

from __future__ import annotations

from typing import Literal

from frontdesk.core.schemas import Closed, IsoTime

ItemKind = Literal["article", "qa", "page", "shortcut", "past_answer"]
ToneName = Literal["professional", "casual", "friendly"]


class SourceRef(Closed):
    """Where a suggestion came from."""

    item_id: str
    kind: ItemKind
    title: str
    url: str | None


class SuggestionOut(Closed):
    text: str
    # "knowledge": the passage's own words; "model": written by the configured model from
    # the passages it cites
    origin: Literal["knowledge", "model"]
    sources: list[SourceRef]
    # 0..1; 0.5 is the calibrated threshold (docs/copilot.md, "How quality is measured")
    confidence: float


class ClosestSource(Closed):
    source: SourceRef
    snippet: str
    confidence: float


class SuggestOut(Closed):
    question: str
    # "no_confident_answer": nothing in the knowledge answers it well enough; `closest` has
    # the nearest sources to read instead
    status: Literal["answer", "no_confident_answer"]
    suggestions: list[SuggestionOut]
    closest: list[ClosestSource]
    retrieval: Literal["hybrid", "bm25"]
    # why the configured model's answer was not used (null: no model, or it was used)
    fallback_reason: str | None


class WrittenOut(Closed):
    """Expand's message."""

    text: str
    tone: ToneName
    origin: Literal["rules", "model"]
    # numbers and names from the notes, all present in `text`
    kept: list[str]
    fallback_reason: str | None
    # "used": sentences of `sources` (a shortcut or knowledge item that fits the notes) are
    # in the text, as `quoted`; "no_match": nothing in the knowledge fits, the text is the
    # notes alone; "not_used": the configured model wrote it from the notes alone
    knowledge: Literal["used", "no_match", "not_used"]
    sources: list[SourceRef]
    # the sentences taken from `sources`, as they are there (before the tone is applied)
    quoted: list[str]


class DiffPart(Closed):
    op: Literal["equal", "insert", "delete"]
    text: str


class TunedOut(Closed):
    text: str
    original: str
    tone: ToneName
    origin: Literal["rules", "model"]
    diff: list[DiffPart]
    fallback_reason: str | None


class KnowledgeItemOut(Closed):
    id: str
    kind: ItemKind
    title: str
    question: str | None
    body: str
    url: str | None
    updated_at: IsoTime
    passages: int
    # passages with a vector of the current model (the rest are found by BM25 only)
    indexed: int


class KnowledgeList(Closed):
    items: list[KnowledgeItemOut]
    total: int


class ImportResult(Closed):
    created: int
    articles: int
    qa_pairs: int


class WebSourceOut(Closed):
    id: str
    kind: Literal["sitemap", "urls"]
    urls: list[str]
    refresh_hours: int
    status: Literal["pending", "ok", "error"]
    pages_fetched: int
    last_error: str | None
    last_fetched_at: IsoTime | None


class WebSourceList(Closed):
    sources: list[WebSourceOut]


class RepUsage(Closed):
    rep_id: str
    name: str
    suggest: int
    expand: int
    tune: int


class KindCount(Closed):
    kind: ItemKind
    items: int


class CopilotStatus(Closed):
    """What a rep's console needs to know."""

    enabled: bool
    retrieval: Literal["hybrid", "bm25"]
    # why retrieval is BM25 alone, or "ready"
    embeddings: str
    grammar: str
    # an OpenAI-compatible endpoint is configured (FRONTDESK_AI_URL, shared with auto pounce)
    endpoint: bool


class CopilotAdmin(Closed):
    status: CopilotStatus
    items: list[KindCount]
    passages: int
    passages_indexed: int
    sources: list[WebSourceOut]
    usage: list[RepUsage]
