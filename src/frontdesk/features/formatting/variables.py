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
