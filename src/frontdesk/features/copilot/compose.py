"""Offline Expand with the org's knowledge: the rep's notes become a message that takes its
sentences from the best-matching shortcut or knowledge passage where one fits, and from the
notes themselves everywhere else.

What it may write is only the rep's own notes (made into sentences by writing.py's rules) and
whole sentences of the cited sources; it never writes a fact of its own. A source sentence
takes the place of a note only when it says everything the note says:

- every number and capitalised name of the note is in it (so "refund 14 days" is never
  replaced by a passage saying 30 days);
- every content word of the note is in it (after the same stemming BM25 uses);
- it is negated exactly when the note is ("no setup fee" is never replaced by "There is a
  setup fee of $500");

or when the note names the source's subject and nothing more (a note "refund policy" or
"pricing" whose words are all in the source's title or question, with no number, name or
negation): then the source's answer is used. A note no sentence fits stays the rep's own
sentence, so every fact of the notes survives; when nothing fits at all, the message is the
notes alone and Expand says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from frontdesk.features.copilot.text import words
from frontdesk.features.copilot.writing import (
    CLOSING,
    GREETING,
    keep_words,
    map_slang,
    note_items,
    sentence_from_note,
)

NEGATION = re.compile(
    r"\b(?:no|not|never|none|nothing|nobody|neither|nor|without|cannot|unable)\b"
    r"|n't\b|\b(?:cant|dont|doesnt|isnt|arent|wont|wasnt|werent|didnt|havent|hasnt)\b",
    re.IGNORECASE,
)
CLAUSE = re.compile(r"[,;:]\s|\s(?:but|although|though|however)\s", re.IGNORECASE)
# a shortcut's variable ({visitor.first_name}, #city#): a sentence holding one is not used
VARIABLE = re.compile(r"\{[a-z_.]+\}|#[a-z_]+#", re.IGNORECASE)
# a note naming a subject is short: "refund policy", "pricing", "SSO setup"
MAX_TOPIC_WORDS = 4


def negated(text: str) -> bool:
    return bool(NEGATION.search(text.replace("\u2019", "'")))


@dataclass(frozen=True)
class SourceText:
    """A shortcut or knowledge item Expand may quote, as retrieval found it."""

    key: str  # the item's id
    title: str
    question: str | None
    # every sentence of the item, in order
    sentences: tuple[str, ...]
    # the sentences that answer the notes best (a Q&A pair's or shortcut's whole answer; from
    # an article or page the sentences sharing most words with the notes)
    answer: tuple[str, ...]


@dataclass
class Composed:
    body: list[str]
    sources: list[SourceText] = field(default_factory=list)
    # the sentences taken from the sources, as they are there
    quoted: list[str] = field(default_factory=list)


def usable(sentence: str) -> bool:
    """A source sentence Expand may quote: no shortcut variable left in it, and more than a
    greeting or a closing."""
    if VARIABLE.search(sentence):
        return False
    rest = GREETING.sub("", sentence, count=1)
    rest = CLOSING.sub("", rest)
    return bool(words(rest))


def says_all_of(sentence: str, terms: set[str], keep: set[str], negative: bool) -> bool:
    """Whether `sentence` says everything a note with these words, numbers and names, and
    this negation, says."""
    if not terms and not keep:
        return False
    lowered = sentence.lower()
    if any(k.lower() not in lowered for k in keep):
        return False
    if not terms <= set(words(sentence)):
        return False
    return clause_negated(sentence, terms, keep) == negative


def clause_negated(sentence: str, terms: set[str], keep: set[str]) -> bool:
    """Whether the part of `sentence` that says the note's words is negated: the clauses
    (split at commas, semicolons, colons and "but") holding any of them. "If it is not right
    for you, we refund within 30 days" says "refund within 30 days" without a negation."""
    clauses = [c for c in CLAUSE.split(sentence) if c.strip()]
    holding = [
        c for c in clauses if set(words(c)) & terms or any(k.lower() in c.lower() for k in keep)
    ]
    return any(negated(c) for c in holding or clauses)


def compose(notes: str, sources: list[SourceText]) -> Composed:
    """The message's sentences, in the notes' order: each note as the source sentence that
    says all of it, or the source's answer when the note names its subject, or else the
    note's own sentence."""
    context = set(words(map_slang(notes)))
    out = Composed(body=[])

    def take(source: SourceText, chosen: list[str]) -> None:
        fresh = [s for s in chosen if s not in out.quoted]
        out.body.extend(fresh)
        out.quoted.extend(fresh)
        if fresh and source not in out.sources:
            out.sources.append(source)

    for note in note_items(notes):
        mapped = map_slang(note)
        terms = set(words(mapped))
        keep = keep_words(note)
        negative = negated(mapped)
        if any(says_all_of(s, terms, keep, negative) for s in out.quoted):
            continue  # an earlier quoted sentence already says it
        topic = next(
            (
                source
                for source in sources
                if terms
                and not keep
                and not negative
                and len(terms) <= MAX_TOPIC_WORDS
                and terms <= set(words(f"{source.title} {source.question or ''}"))
                and any(usable(s) for s in source.answer)
            ),
            None,
        )
        if topic is not None:
            take(topic, [s for s in topic.answer if usable(s)])
            continue
        best: tuple[tuple[int, int], SourceText, str] | None = None
        for source in sources:
            for sentence in source.sentences:
                if sentence in out.quoted or not usable(sentence):
                    continue
                if not says_all_of(sentence, terms, keep, negative):
                    continue
                rank = (len(set(words(sentence)) & context), -len(sentence))
                if best is None or rank > best[0]:
                    best = (rank, source, sentence)
        if best is not None:
            take(best[1], [best[2]])
        else:
            own = sentence_from_note(note)
            if own:
                out.body.append(own)
    return out
