"""Auto-pounce greetings and nudges: from an OpenAI-compatible model when one is configured,
otherwise (and whenever the model is slow or answers badly) from built-in templates.

A pounce is never held up by the AI: the model gets a short timeout, and its text is checked
(length, no placeholders left, no links the org did not allow) before anyone sees it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

import aiohttp

log = logging.getLogger("frontdesk.copilot")

MAX_GREETING = 220
Kind = Literal["greeting", "nudge"]
PLACEHOLDER = re.compile(
    r"\[[^\]]*\]|\{[^}]*\}|#\w+#|<[^>]+>|\b(?:INSERT|PLACEHOLDER|TODO|XXX)\b|\bN/A\b", re.IGNORECASE
)
URL = re.compile(r"https?://[^\s)>\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class VisitorContext:
    company: str | None
    page_title: str | None
    page_url: str
    segment: str | None
    first_name: str | None
    rep_first_name: str


def page_type(url: str, title: str | None = None) -> str:
    path = urlsplit(url).path.lower()
    text = f"{path} {(title or '').lower()}"
    for kind, words in (
        ("pricing", ("pricing", "plans", "price")),
        ("careers", ("careers", "jobs", "hiring")),
        ("blog", ("blog", "article", "news")),
        ("docs", ("docs", "documentation", "guide", "api")),
        ("demo", ("demo", "contact", "talk-to-sales")),
        ("product", ("product", "features", "platform")),
    ):
        if any(word in text for word in words):
            return kind
    return "home" if path in ("", "/") else "other"


TEMPLATES: dict[str, tuple[str, str]] = {
    # page type -> (greeting with a known company, greeting without)
    "pricing": (
        "Hi {company} team! {rep} here. Comparing plans? Happy to help you find the right fit.",
        "Hi! {rep} here. Comparing plans? Happy to help you find the right fit.",
    ),
    "demo": (
        "Hi {company} team! {rep} here. Want a quick live walkthrough right now?",
        "Hi there! {rep} here. Want a quick live walkthrough right now?",
    ),
    "docs": (
        "Hi {company} team! {rep} here. Digging into the docs? Ask me anything technical.",
        "Hi! {rep} here. Digging into the docs? Ask me anything technical.",
    ),
    "blog": (
        "Hi {company} team! Enjoying the read? {rep} here if you want the short version.",
        "Hi! Enjoying the read? {rep} here if you want the short version.",
    ),
    "product": (
        "Hi {company} team! {rep} here. Curious how this would work for you?",
        "Hi! {rep} here. Curious how this would work for your team?",
    ),
    "careers": (
        "Hi {company} team! {rep} here. Questions about working with us?",
        "Hi! {rep} here. Questions about working with us?",
    ),
    "home": (
        "Hi {company} team! It's a real person here, {rep}. What brings you by today?",
        "Hi there! It's a real person here, {rep}. What brings you by today?",
    ),
    "other": (
        "Hi {company} team! {rep} here. Anything I can help you find?",
        "Hi there! {rep} here. Anything I can help you find?",
    ),
}
NUDGES = (
    "Still around, {company} team? Happy to answer a quick question.",
    "Still around? Happy to answer a quick question.",
)


def template_text(kind: Kind, context: VisitorContext) -> str:
    company = (context.company or "").strip()
    usable_company = company and "(demo" not in company and len(company) <= 40
    if kind == "nudge":
        text = NUDGES[0] if usable_company else NUDGES[1]
    else:
        with_company, without = TEMPLATES[page_type(context.page_url, context.page_title)]
        text = with_company if usable_company else without
    return text.replace("{company}", company).replace("{rep}", context.rep_first_name)


def check_text(text: str, allowed_link_domains: list[str]) -> str | None:
    """Why generated text may not be used, or None when it is fine."""
    text = text.strip()
    if not text:
        return "empty"
    if len(text) > MAX_GREETING:
        return f"too long ({len(text)} characters)"
    if PLACEHOLDER.search(text):
        return "a placeholder is left in"
    for url in URL.findall(text):
        host = (urlsplit(url).hostname or "").lower()
        if not any(host == d or host.endswith("." + d) for d in allowed_link_domains):
            return f"link to {host} is not allowed"
    return None


class TextModel(Protocol):
    async def complete(self, system: str, prompt: str) -> str: ...


class OpenAICompatibleModel:
    """POST {base_url}/chat/completions, as OpenAI, vLLM, Ollama and llama.cpp servers speak."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float = 2.5,
        *,
        max_tokens: int = 120,
        temperature: float = 0.7,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.max_tokens = max_tokens
        self.temperature = temperature

    async def complete(self, system: str, prompt: str) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": prompt},
            ],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }
        async with (
            aiohttp.ClientSession(timeout=self.timeout) as session,
            session.post(self.url, json=body, headers=headers) as response,
        ):
            if response.status != 200:
                raise ValueError(f"model answered HTTP {response.status}")
            data = await response.json(content_type=None)
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ValueError("model answer has no choices[0].message.content") from None
        if not isinstance(content, str):
            raise ValueError("model answer content is not text")
        return content.strip().strip('"').strip()


SYSTEM_PROMPT = (
    "You write the first chat message a B2B sales rep sends to a website visitor. One or two short, "
    "friendly sentences, at most 180 characters, no links, no placeholders, no emojis, signed as nobody. "
    "Mention the visitor's company when known and what they are looking at."
)


@dataclass(frozen=True)
class Written:
    text: str
    source: Literal["model", "template"]
    rejected: str | None = None  # why the model's text was not used


class GreetingWriter:
    def __init__(self, model: TextModel | None) -> None:
        self.model = model

    async def write(
        self, kind: Kind, context: VisitorContext, allowed_link_domains: list[str]
    ) -> Written:
        fallback = template_text(kind, context)
        if self.model is None:
            return Written(fallback, "template")
        prompt = (
            f"Kind: {'first greeting' if kind == 'greeting' else 'one short follow-up nudge after no reply'}\n"
            f"Company: {context.company or 'unknown'}\nPage: {context.page_title or ''} ({context.page_url})\n"
            f"Segment: {context.segment or 'unknown'}\nRep first name: {context.rep_first_name}"
        )
        try:
            text = await self.model.complete(SYSTEM_PROMPT, prompt)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.info(
                "greeting model failed; using a template",
                extra={"error": str(exc) or type(exc).__name__},
            )
            return Written(fallback, "template", rejected=str(exc) or type(exc).__name__)
        problem = check_text(text, allowed_link_domains)
        if problem:
            log.info("greeting model text rejected; using a template", extra={"problem": problem})
            return Written(fallback, "template", rejected=problem)
        return Written(text, "model")
