"""Offline writing: chat slang mapped, grammar and spelling fixed (Harper, `harper-py`), the
three tones as explicit rules, and Expand's deterministic sentence building.

Every rule here is deterministic, so each tone can be tested: Professional has no
contractions, fillers or emoji and ends every sentence with punctuation; Casual uses
contractions and a light greeting; Friendly opens and closes warmly and softens requests.
Numbers, links and capitalised names are never changed (Harper's spelling suggestions for a
capitalised word are skipped: "Okafor" is a name, not a typo for "Orator").
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Literal

Tone = Literal["professional", "casual", "friendly"]
TONES: tuple[Tone, ...] = ("professional", "casual", "friendly")

# chat slang -> words (whole words, any case); applied before grammar
SLANG: dict[str, str] = {
    "u": "you",
    "ya": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "pl": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "thanx": "thanks",
    "tks": "thanks",
    "ty": "thank you",
    "tysm": "thank you so much",
    "np": "no problem",
    "btw": "by the way",
    "asap": "as soon as possible",
    "idk": "I don't know",
    "imo": "in my opinion",
    "imho": "in my opinion",
    "fyi": "for your information",
    "b/c": "because",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "w/": "with",
    "w/o": "without",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "have to",
    "lemme": "let me",
    "gimme": "give me",
    "yep": "yes",
    "yup": "yes",
    "yeah": "yes",
    "k": "okay",
    "kk": "okay",
    "ok": "okay",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2day": "today",
    "b4": "before",
    "l8r": "later",
    "gr8": "great",
    "sry": "sorry",
    "wud": "would",
    "cud": "could",
    "shud": "should",
    "rn": "right now",
    "abt": "about",
    "msg": "message",
    "acct": "account",
    "appt": "appointment",
    "im": "I'm",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "arent": "aren't",
    "wasnt": "wasn't",
    "thats": "that's",
    "whats": "what's",
    "youre": "you're",
    "ive": "I've",
    "youll": "you'll",
    "i": "I",
}
_SLANG_RE = re.compile(
    r"(?<![\w/@.-])("
    + "|".join(re.escape(k) for k in sorted(SLANG, key=len, reverse=True))
    + r")(?![\w/@-])",
    re.IGNORECASE,
)

EXPANSIONS: dict[str, str] = {
    "can't": "cannot",
    "won't": "will not",
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "weren't": "were not",
    "haven't": "have not",
    "hasn't": "has not",
    "hadn't": "had not",
    "couldn't": "could not",
    "wouldn't": "would not",
    "shouldn't": "should not",
    "i'm": "I am",
    "you're": "you are",
    "we're": "we are",
    "they're": "they are",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "here's": "here is",
    "what's": "what is",
    "who's": "who is",
    "let's": "let us",
    "i've": "I have",
    "you've": "you have",
    "we've": "we have",
    "they've": "they have",
    "i'll": "I will",
    "you'll": "you will",
    "we'll": "we will",
    "they'll": "they will",
    "it'll": "it will",
    "i'd": "I would",
    "you'd": "you would",
    "we'd": "we would",
    "they'd": "they would",
    "he's": "he is",
    "she's": "she is",
}
CONTRACTIONS: dict[str, str] = {
    "do not": "don't",
    "does not": "doesn't",
    "did not": "didn't",
    "cannot": "can't",
    "can not": "can't",
    "will not": "won't",
    "is not": "isn't",
    "are not": "aren't",
    "I am": "I'm",
    "you are": "you're",
    "we are": "we're",
    "they are": "they're",
    "it is": "it's",
    "that is": "that's",
    "there is": "there's",
    "I will": "I'll",
    "we will": "we'll",
    "you will": "you'll",
    "let us": "let's",
}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
CONTRACTION_RE = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in EXPANSIONS) + r")\b", re.IGNORECASE
)
FILLERS = re.compile(
    r"\b(?:just|really|basically|actually|totally|literally|kinda|sorta|kind of|sort of|"
    r"you know|i mean|um+|uh+|lol|haha+|honestly|pretty much)\b,?\s*",
    re.IGNORECASE,
)
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3]+"
    r"|(?<!\w)(?:[:;=8][-']?[)(DPpOo3/\\|\]\[]|<3|\^_\^|xD)(?!\w)"
)
GREETING = re.compile(
    r"^\s*(?:hey there|hi there|hello there|hey|hi|hello|hiya|howdy|yo|greetings|"
    r"good (?:morning|afternoon|evening)|dear)\b"
    r"(?:\s+(?P<name>[A-Z][\w'-]*))?\s*[,!.:;-]*\s*",
    re.IGNORECASE,
)
CLOSING = re.compile(
    r"[\s,.;!-]*\b(?:thanks so much|thanks a lot|thanks again|many thanks|thank you so much|"
    r"thank you|thanks|cheers|best regards|kind regards|regards|have a (?:great|good|nice) "
    r"(?:day|one|week|weekend))\b[\s!.]*$",
    re.IGNORECASE,
)
URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+", re.IGNORECASE)
NUMBER = re.compile(r"[$€£]?\d[\d,.:/]*%?")
QUESTION_START = re.compile(
    r"^(?:who|what|when|where|why|how|which|can|could|would|will|do|does|did|is|are|was|were|"
    r"should|may|shall|have|has)\b",
    re.IGNORECASE,
)
REQUEST_VERBS = (
    "send",
    "tell",
    "give",
    "share",
    "check",
    "click",
    "go",
    "try",
    "email",
    "call",
    "reply",
    "confirm",
    "let",
    "upload",
    "open",
    "sign",
    "visit",
    "book",
    "fill",
)
LOWERABLE_START = frozenset(
    [
        "you",
        "your",
        "we",
        "our",
        "it",
        "its",
        "the",
        "there",
        "this",
        "that",
        "a",
        "an",
        "thanks",
        "here",
        "every",
        "each",
        "all",
        "if",
        "when",
        "yes",
        "no",
    ]
)


# words that may follow a greeting without being the visitor's name
NOT_NAMES = frozenset(
    [
        "there",
        "all",
        "everyone",
        "folks",
        "team",
        "i",
        "i'm",
        "we",
        "can",
        "could",
        "would",
        "will",
        "is",
        "are",
        "do",
        "does",
        "did",
        "how",
        "what",
        "when",
        "where",
        "why",
        "who",
        "which",
        "just",
        "thanks",
        "thank",
        "quick",
        "again",
        "so",
    ]
)


def map_slang(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        out = SLANG[word.lower()]
        if word[0].isupper() and out[0].islower():
            out = out[0].upper() + out[1:]
        return out

    return _SLANG_RE.sub(replace, text.translate(_APOSTROPHES))


# ---- grammar (Harper) ----------------------------------------------------------------------

_linter: Any = None
_linter_status = "not loaded yet"
_linter_lock = threading.Lock()


def _harper() -> Any:
    """The process's one Harper linter (about a second to build, so built once, lazily)."""
    global _linter, _linter_status
    if _linter is None and _linter_status == "not loaded yet":
        with _linter_lock:
            if _linter is None and _linter_status == "not loaded yet":
                try:
                    import harper

                    _linter = harper.Linter()
                    _linter_status = "ready"
                except ImportError:
                    _linter_status = "harper-py is not installed: rule-based fixes only"
    return _linter


def grammar_status() -> str:
    _harper()
    return _linter_status


def _protected(text: str, start: int, end: int, keep: set[str]) -> bool:
    problem = text[start:end]
    if any(ch.isdigit() for ch in problem):
        return True
    for match in URL_OR_EMAIL.finditer(text):
        if match.start() < end and start < match.end():
            return True
    return problem.lower() in keep


def fix_grammar(text: str, keep: set[str] | None = None) -> str:
    """Apply Harper's first suggestion for each problem it finds, never touching numbers,
    links, e-mail addresses, the `keep` words, or (for spelling) a capitalised word."""
    keep_lower = {k.lower() for k in keep or set()}
    linter = _harper()
    if linter is None:
        return text
    with _linter_lock:  # a Linter is not thread-safe
        for _ in range(20):
            changed = False
            for lint in linter.lint(text, language="plaintext"):
                start, end = lint.span.start, lint.span.end
                problem = text[start:end]
                if not lint.suggestions or _protected(text, start, end, keep_lower):
                    continue
                if lint.lint_kind in ("Spelling", "Typo") and (
                    problem[:1].isupper() or problem.lower() in SLANG or "'" in problem
                ):
                    continue
                if lint.lint_kind == "Spelling" and problem.lower() in ("okay", "ok"):
                    continue
                fixed = linter.apply_suggestion(text, lint, lint.suggestions[0])
                if fixed != text:
                    text = fixed
                    changed = True
                    break  # spans moved: lint again
            if not changed:
                break
    return text


# ---- structure: greeting, body sentences, closing -------------------------------------------


@dataclass
class Parts:
    greeting: bool
    name: str | None
    body: list[str]
    closing: bool


def _sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in pieces if p.strip()]


def split_parts(text: str) -> Parts:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    greeting = False
    name = None
    match = GREETING.match(text)
    if match:
        greeting = True
        candidate = match.group("name")
        if (
            candidate
            and candidate[0].isupper()
            and candidate.lower() not in LOWERABLE_START | NOT_NAMES
        ):
            name = candidate
        elif candidate:
            # "hey you can..." : the word after the greeting belongs to the sentence
            text = text[match.start("name") :]
            match = None
        text = text[match.end() :] if match else text
    closing = False
    closing_match = CLOSING.search(text)
    if closing_match and (
        closing_match.start() == 0
        or not text[: closing_match.start()].rstrip().endswith(("for", "to"))
    ):
        closing = True
        text = text[: closing_match.start()]
    return Parts(greeting, name, _sentences(text), closing)


def finish_sentence(sentence: str, *, exclaim: bool) -> str:
    sentence = sentence.strip().strip(",;:- ")
    if not sentence:
        return ""
    if not URL_OR_EMAIL.match(sentence):
        sentence = sentence[0].upper() + sentence[1:]
    if sentence[-1] in ".!?":
        if not exclaim and sentence.endswith("!"):
            sentence = sentence.rstrip("!") + "."
        return sentence
    return sentence + ("?" if QUESTION_START.match(sentence) else ".")


def _expand_contractions(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        out = EXPANSIONS[word.lower()]
        if word[0].isupper():
            out = out[0].upper() + out[1:]
        return out

    return CONTRACTION_RE.sub(replace, text)


def _contract(text: str) -> str:
    for full, short in CONTRACTIONS.items():
        pattern = re.compile(r"\b" + re.escape(full) + r"\b", re.IGNORECASE)

        def replace(match: re.Match[str], short: str = short) -> str:
            out = short
            if match.group(0)[0].isupper() and out[0].islower():
                out = out[0].upper() + out[1:]
            return out

        text = pattern.sub(replace, text)
    return text


def _lower_first(sentence: str) -> str:
    first = sentence.split(" ", 1)[0]
    if first.lower() in LOWERABLE_START:
        return sentence[0].lower() + sentence[1:]
    return sentence


def _request_softened(sentence: str, tone: Tone) -> str:
    first = sentence.split(" ", 1)[0].lower()
    if first not in REQUEST_VERBS or sentence.endswith("?"):
        return sentence
    rest = sentence[0].lower() + sentence[1:]
    if tone == "friendly":
        return "Could you " + rest.rstrip(".!") + "?"
    if tone == "professional":
        return "Please " + rest
    return sentence


def apply_tone(text: str, tone: Tone, name: str | None = None) -> str:
    """Rewrite `text` in `tone`. `name`: the visitor's first name, for the greeting."""
    text = map_slang(text)
    if tone == "professional":
        text = EMOJI.sub("", text)
        text = FILLERS.sub("", text)
        text = re.sub(r"\bsuper\b", "very", text, flags=re.IGNORECASE)
        text = re.sub(r"\bawesome\b", "great", text, flags=re.IGNORECASE)
        text = re.sub(r"\bnope\b", "no", text, flags=re.IGNORECASE)
        text = _expand_contractions(text)
    elif tone == "casual":
        text = _contract(text)
    parts = split_parts(text)
    name = name or parts.name
    body = [finish_sentence(s, exclaim=tone != "professional") for s in parts.body]
    body = [_request_softened(s, tone) for s in body if s]
    if tone == "professional":
        body = [re.sub(r"[!]+", ".", s) for s in body]
        body = [re.sub(r"\?+[.!]*", "?", s) for s in body]
    greeting = ""
    if tone == "professional":
        if parts.greeting or name:
            greeting = f"Hello {name}," if name else "Hello,"
    elif tone == "casual":
        if parts.greeting or name:
            greeting = f"Hey {name}," if name else "Hey,"
    else:
        greeting = f"Hi {name}!" if name else "Hi there!"
    closing = ""
    if tone == "professional":
        closing = "Thank you." if parts.closing else ""
    elif tone == "casual":
        closing = "Thanks!" if parts.closing else ""
    else:
        closing = (
            "Thanks so much!"
            if parts.closing
            else "Let me know if there's anything else I can help with!"
        )
    if greeting.endswith(",") and body:
        out = f"{greeting} {_lower_first(body[0])}"
        rest = body[1:]
    elif greeting.endswith(",") and not body:
        out = greeting.rstrip(",") + ("." if tone == "professional" else "!")
        rest = []
    else:
        out = greeting
        rest = body
    for sentence in rest:
        out = f"{out} {sentence}".strip()
    if closing:
        out = f"{out} {closing}".strip()
    out = re.sub(r"\s+([,.!?])", r"\1", out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return out


def keep_words(text: str) -> set[str]:
    """Numbers and capitalised names in `text` (what Expand and Tune must keep)."""
    found = set(NUMBER.findall(text))
    for sentence in _sentences(text):
        tokens = re.findall(r"[A-Za-z][\w'-]*", sentence)
        for token in tokens[1:]:
            if token[0].isupper() and token.lower() not in ("i",) and "'" not in token:
                found.add(token)
    for match in re.finditer(r"(?:^|\n|[-*•]\s*)([A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)", text):
        found.update(match.group(1).split())
    return {f.rstrip(".,:/") for f in found if f.rstrip(".,:/")}


def tune(text: str, tone: Tone, name: str | None = None) -> str:
    """Slang mapped, tone applied, grammar fixed; numbers and names kept."""
    keep = keep_words(text) | ({name} if name else set())
    toned = apply_tone(text, tone, name)
    fixed = fix_grammar(toned, keep)
    if tone == "professional":
        # grammar suggestions may bring a contraction back ("dont" -> "don't")
        fixed = _expand_contractions(fixed)
    return fixed


BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")


def note_items(notes: str) -> list[str]:
    lines = [BULLET.sub("", line).strip() for line in notes.splitlines()]
    items = [line for line in lines if line]
    if len(items) == 1:
        items = [p.strip() for p in re.split(r"\s*;\s*|\s+-\s+|\s*\+\s*", items[0]) if p.strip()]
    return items


def sentence_from_note(note: str) -> str:
    note = map_slang(note).strip().rstrip(".;,")
    key_value = re.match(r"^([A-Za-z][\w ]{0,30}?)\s*[:=](?!\d)\s*(.+)$", note)
    if key_value and not URL_OR_EMAIL.match(note):
        key, value = key_value.group(1).strip(), key_value.group(2).strip()
        article = "" if key.lower().startswith(("the ", "our ", "your ")) else "the "
        return finish_sentence(f"{article}{key} is {value}", exclaim=True)
    return finish_sentence(note, exclaim=True)


def expand(notes: str, tone: Tone, name: str | None = None) -> str:
    """Bullets or keywords -> one message: each note a sentence, in the tone, greeting the
    visitor by name when known; numbers and names from the notes are kept (checked)."""
    return write_message([sentence_from_note(n) for n in note_items(notes)], tone, name)


def write_message(sentences: list[str], tone: Tone, name: str | None = None) -> str:
    """Sentences -> one message in the tone, greeting the visitor by name when known, with
    grammar fixed (numbers and names untouched)."""
    body = " ".join(s for s in sentences if s)
    return tune(f"Hi {name}, {body}" if name else f"Hi, {body}", tone, name)


def missing(required: set[str], text: str) -> list[str]:
    """Which of the `required` numbers and names `text` lost."""
    lowered = text.lower()
    return sorted(w for w in required if w.lower() not in lowered)
