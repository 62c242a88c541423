"""Filling variables into text (invitations, shortcuts): one source of values for both, and
mending what empty ones leave."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.features.visitors import latest_visit
from frontdesk.features.visitors.models import Visitor
from frontdesk.live import LiveState


def tidy_filled_text(text: str) -> str:
    """Mend what empty variables leave behind: double spaces, space before punctuation,
    empty brackets, a dangling comma. Shared by invitations and shortcuts."""
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,.!?;:])", "", text)
    text = re.sub(r"(^|[\n])[ \t]*[,;:]+[ \t]*", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"[ \t]+\n", "\n", text).strip()


# A variable with the little word before it: "from #city#" or "from {company}". When the value
# is empty the word goes too, so the visitor never reads "Hi, welcome from!".
_LEAD = r"((?:\s+(?:from|at|in|of|with|for)\b)?\s*)"
HASH_VARIABLE = re.compile(_LEAD + r"#([a-z_]+)#", re.IGNORECASE)
BRACE_VARIABLE = re.compile(_LEAD + r"\{([a-z_.]+)\}", re.IGNORECASE)


def fill_template(template: str, values: dict[str, str | None], pattern: re.Pattern[str]) -> str:
    """Replace variables; unknown or empty ones are left out cleanly."""

    def fill(match: re.Match[str]) -> str:
        # Values come from visitors too (their name, company, page title). "![" is escaped so
        # a value cannot become an image in the rendered text: that image would be signed for
        # the image proxy as if the rep had written it (formatting/image_proxy.py).
        value = (values.get(match.group(2)) or "").strip().replace("![", "!\\[")
        return f"{match.group(1)}{value}" if value else ""

    return tidy_filled_text(pattern.sub(fill, template))


def _first_word(text: str | None) -> str | None:
    return text.split()[0] if text and text.strip() else None


def browser_name(user_agent: str | None) -> str | None:
    ua = user_agent or ""
    for marker, name in (
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ):
        if marker in ua:
            return name
    return None


@dataclass(frozen=True)
class VariableSource:
    """Everything a variable can say about a visitor and the rep writing, read once.

    Shortcuts (`{page.title}`) and invitations (`#page_title#`) are filled from this one
    source, whether the text goes into a conversation or opens one (the Pounce dialog), so the
    same shortcut says the same thing everywhere. The company is the visit's one company
    (docs/segments-and-routing.md, Enrichment)."""

    rep_name: str
    visitor_name: str | None = None
    visitor_email: str | None = None
    company: str | None = None
    page_title: str | None = None
    page_url: str | None = None
    city: str | None = None
    country: str | None = None
    browser: str | None = None

    def shortcut_values(self) -> dict[str, str | None]:
        return {
            "visitor.first_name": _first_word(self.visitor_name),
            "visitor.name": self.visitor_name,
            "visitor.email": self.visitor_email,
            "company": self.company,
            "page.title": self.page_title,
            "page.url": self.page_url,
            "rep.first_name": _first_word(self.rep_name) or self.rep_name,
            "rep.name": self.rep_name,
        }

    def invitation_values(self) -> dict[str, str | None]:
        return {
            "company": self.company,
            "first_name": _first_word(self.visitor_name),
            "name": self.visitor_name,
            "email": self.visitor_email,
            "page_title": self.page_title,
            "url": self.page_url,
            "browser": self.browser,
            "city": self.city,
            "country": self.country,
            "rep_name": self.rep_name,
            "rep_first_name": _first_word(self.rep_name) or self.rep_name,
        }


async def variable_source(
    session: AsyncSession, live: LiveState, visitor: Visitor | None, rep_name: str
) -> VariableSource:
    """The visitor's latest visit (company, location, browser) and live page (title, URL)."""
    if visitor is None:
        return VariableSource(rep_name=rep_name)
    visit = await latest_visit(session, visitor.id)
    state = await live.get(visitor.org_id, visitor.id)
    enrichment = (visit.enrichment or {}) if visit else {}

    def enriched(key: str) -> str | None:
        value = (enrichment.get(key) or {}).get("value")
        return str(value) if value not in (None, "") else None

    return VariableSource(
        rep_name=rep_name,
        visitor_name=visitor.name or None,
        visitor_email=visitor.email,
        company=enriched("company"),
        page_title=state.title if state else None,
        page_url=state.url if state else None,
        city=enriched("city"),
        country=enriched("country"),
        browser=browser_name(visit.user_agent if visit else None),
    )
