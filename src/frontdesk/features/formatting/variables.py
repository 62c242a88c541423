"""Filling variables into text (invitations, shortcuts) and mending what empty ones leave."""

from __future__ import annotations

import re


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
