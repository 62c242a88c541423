"""The configured model's texts, checked before anyone sees them.

Suggest asks for an answer written only from numbered passages, citing them as [1], [2]; or
exactly "I'll check and get back to you." when they do not answer. Expand may only use the
notes' facts; Tune may only rewrite. Each text is refused (and the offline result used, with
the reason logged) when it has a placeholder, a link to a site that is neither the org's nor
in the passages, a number or a name that is not in what it was given, no citation (Suggest),
or lost a number or a name (Expand, Tune); a model that fails or times out is refused too.
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import urlsplit

from frontdesk.features.copilot.writing import NUMBER, URL_OR_EMAIL

CHECK_BACK = "I'll check and get back to you."
CITATION = re.compile(r"\[(\d{1,2})\]")
PLACEHOLDER = re.compile(
    r"\[(?!\d{1,2}\])[^\]\n]{1,40}\]|\{[^}\n]{1,40}\}|<[A-Za-z_ ]{2,30}>|#\w+#|"
    r"\b(?:INSERT|PLACEHOLDER|TODO|TBD|XXX|lorem ipsum)\b",
    re.IGNORECASE,
)
URL = re.compile(r"https?://[^\s)>\]\"']+", re.IGNORECASE)
COMMON_CAPITALISED = frozenset(
    [
        "I",
        "I'm",
        "I'll",
        "I've",
        "I'd",
        "A",
        "An",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "If",
        "In",
        "On",
        "At",
        "For",
        "From",
        "To",
        "Of",
        "And",
        "Or",
        "But",
        "So",
        "Yes",
        "No",
        "Not",
        "We",
        "Our",
        "You",
        "Your",
        "They",
        "Their",
        "There",
        "Here",
        "Hi",
        "Hello",
        "Hey",
        "Thanks",
        "Thank",
        "Please",
        "Sure",
        "Of",
        "Absolutely",
        "Great",
        "Happy",
        "Good",
        "Unfortunately",
        "However",
        "Also",
        "Just",
        "Let",
        "Feel",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "OK",
        "Okay",
        "As",
        "With",
        "By",
        "When",
        "What",
        "Where",
        "Which",
        "Who",
        "Why",
        "How",
        "Can",
        "Could",
        "Would",
        "Will",
        "Should",
        "Do",
        "Does",
        "Did",
        "Is",
        "Are",
        "Was",
        "Were",
        "Be",
        "Once",
        "After",
        "Before",
        "Then",
        "Currently",
        "Each",
        "Every",
        "All",
        "Any",
        "Some",
        "Most",
        "More",
        "Note",
        "Dear",
        "Best",
        "Regards",
        "Kind",
    ]
)


class ChatModel(Protocol):
    async def complete(self, system: str, prompt: str) -> str: ...


def numbers(text: str) -> set[str]:
    return {n.strip(".,:/").lstrip("$€£") for n in NUMBER.findall(text) if n.strip(".,:/")}


def names(text: str) -> set[str]:
    """Capitalised words not at a sentence start: the names (people, products, places) a
    text states."""
    found: set[str] = set()
    for sentence in re.split(r"(?<=[.!?:])\s+|\n+", text):
        tokens = re.findall(r"[A-Za-z][\w'\u2019-]*", sentence)
        for token in tokens[1:]:
            clean = token[:-2] if token.endswith(("'s", "\u2019s")) else token
            if clean[:1].isupper() and clean not in COMMON_CAPITALISED and len(clean) > 1:
                found.add(clean)
    return found


def link_problem(text: str, allowed_text: str, origins: list[str]) -> str | None:
    hosts = {(urlsplit(o).hostname or "").lower() for o in origins}
    for url in URL.findall(text):
        host = (urlsplit(url).hostname or "").lower()
        if url.rstrip(".,") in allowed_text or host in hosts:
            continue
        return f"a link to {host} that is not in the sources"
    return None


def unsupported(text: str, sources: str) -> str | None:
    """A number or a name in `text` that `sources` do not have."""
    source_numbers = numbers(sources)
    for number in sorted(numbers(text)):
        if number not in source_numbers:
            return f"the number {number} is not in the sources"
    lowered = sources.lower()
    for name in sorted(names(text)):
        if name.lower() not in lowered:
            return f"the name {name!r} is not in the sources"
    return None


def check_answer(answer: str, passages: list[str], question: str, origins: list[str]) -> str | None:
    """Why a model's Suggest answer may not be shown, or None."""
    answer = answer.strip()
    if not answer:
        return "the model answered nothing"
    if len(answer) > 1500:
        return "the answer is too long"
    if PLACEHOLDER.search(answer):
        return "a placeholder is left in"
    sources = "\n".join(passages) + "\n" + question
    problem = link_problem(answer, sources, origins)
    if problem:
        return problem
    if answer.rstrip(".! ").lower() == CHECK_BACK.rstrip(".").lower():
        return None
    cited = {int(n) for n in CITATION.findall(answer)}
    if not cited:
        return "the answer cites no source"
    if any(n < 1 or n > len(passages) for n in cited):
        return "the answer cites a source it was not given"
    without_citations = CITATION.sub("", answer)
    return unsupported(without_citations, sources)


def check_rewrite(
    text: str, original: str, origins: list[str], *, must_keep: set[str], extra_allowed: str = ""
) -> str | None:
    """Why a model's Expand or Tune text may not be shown, or None."""
    text = text.strip()
    if not text:
        return "the model answered nothing"
    if len(text) > max(4 * len(original), 600):
        return "the text is far longer than the notes"
    if PLACEHOLDER.search(text):
        return "a placeholder is left in"
    problem = link_problem(text, original, origins)
    if problem:
        return problem
    for url in URL_OR_EMAIL.findall(text):
        if url.rstrip(".,") not in original:
            return f"a link that was not in the text ({url[:60]})"
    lost = sorted(w for w in must_keep if w.lower() not in text.lower())
    if lost:
        return f"it lost {', '.join(lost[:3])}"
    return unsupported(text, original + "\n" + extra_allowed)


SUGGEST_SYSTEM = (
    "You help a sales rep answer a website visitor in a live chat. Answer the visitor's "
    "question using ONLY the numbered passages. Cite every fact with the passage number in "
    "square brackets, like [1]. Two or three short sentences, plain text, no greeting, no "
    "placeholders, no links that are not in the passages. If the passages do not answer the "
    f'question, reply exactly: "{CHECK_BACK}"'
)
EXPAND_SYSTEM = (
    "You turn a sales rep's short notes into one chat message to a website visitor. Use ONLY "
    "the facts in the notes: keep every number and name exactly, add no new facts, prices, "
    "dates or links. No placeholders such as [Name]. Tone: {tone}. {name_rule} Reply with the "
    "message only.\n\n"
    # few-shot: what a good message does with notes (no name and a friendly tone here; the
    # tone and name rule above win)
    "Example notes:\n- yes\n- 14 day trial\n- no card needed\n"
    "Example message: Yes, you can try it first: there is a 14-day trial, and no card is "
    "needed to start.\n\n"
    "Example notes:\n- Growth $99/mo\n- Maria Chen to call thu 3pm\n"
    "Example message: The Growth plan is $99/mo. Maria Chen will call you on Thursday at "
    "3pm.\n\n"
    "Example notes:\n- not on Starter\n- upgrade in Settings\n"
    "Example message: That is not included in Starter; you can upgrade in Settings."
)
TUNE_SYSTEM = (
    "Rewrite the rep's chat message with correct grammar and spelling in a {tone} tone. Do "
    "not answer it, do not add facts, numbers, names or links; keep every number and name "
    "exactly. Reply with the rewritten message only."
)
TONE_WORDS = {
    "professional": "professional (formal, no contractions, no emoji, full punctuation)",
    "casual": "casual (relaxed, contractions, light greeting)",
    "friendly": "friendly (warm opener and closer, polite softeners)",
}


def suggest_prompt(question: str, passages: list[str]) -> str:
    numbered = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))
    return f"Passages:\n{numbered}\n\nVisitor's question: {question}"
