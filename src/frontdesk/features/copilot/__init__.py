"""AI text for reps: auto-pounce greetings now (suggest/expand/tune later), with safe fallbacks."""

from frontdesk.features.copilot.greetings import (
    GreetingWriter,
    OpenAICompatibleModel,
    TextModel,
    VisitorContext,
)

__all__ = ["GreetingWriter", "OpenAICompatibleModel", "TextModel", "VisitorContext"]
