"""AI Copilot: Suggest, Expand and Tune for reps, useful offline (hybrid retrieval over the
org's knowledge, rule-based writing, Harper grammar), better with a configured
OpenAI-compatible model whose texts are checked; and auto-pounce greetings
(docs/copilot.md)."""

from frontdesk.features.copilot.bot import (
    KIND_BOT_ANSWER,
    on_bot_answer,
    on_nobody_available,
    on_visitor_waiting,
)
from frontdesk.features.copilot.embedding import embedding_available, embedding_status
from frontdesk.features.copilot.greetings import (
    GreetingWriter,
    OpenAICompatibleModel,
    TextModel,
    VisitorContext,
)
from frontdesk.features.copilot.knowledge import (
    create_item,
    delete_item,
    import_items,
    item_out,
    list_items,
    on_conversation_closed,
    update_item,
)
from frontdesk.features.copilot.service import NO_CONFIDENT_ANSWER, Copilot
from frontdesk.features.copilot.website import (
    KIND_WEB_FETCH,
    create_source,
    delete_source,
    fetch_now,
    fetch_source,
    list_sources,
    on_web_fetch,
    source_out,
)

__all__ = [
    "KIND_BOT_ANSWER",
    "KIND_WEB_FETCH",
    "NO_CONFIDENT_ANSWER",
    "Copilot",
    "GreetingWriter",
    "OpenAICompatibleModel",
    "TextModel",
    "VisitorContext",
    "create_item",
    "create_source",
    "delete_item",
    "delete_source",
    "embedding_available",
    "embedding_status",
    "fetch_now",
    "fetch_source",
    "import_items",
    "item_out",
    "list_items",
    "list_sources",
    "on_bot_answer",
    "on_conversation_closed",
    "on_nobody_available",
    "on_visitor_waiting",
    "on_web_fetch",
    "source_out",
    "update_item",
]
