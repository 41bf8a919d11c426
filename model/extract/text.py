"""Text helpers shared by actor and casualty extraction: normalisation, tokens, sentences.

Matching works on normalised tokens so that spelling variants meet: accents dropped, case
folded, apostrophes and possessive ``'s`` removed, and the Arabic article in its
transliterations (``al``, ``el``, ``ash``, ``ad`` ...) folded to ``al``.

>>> norm_key("Ahrar ash-Sham")
'ahrar al sham'
>>> [t.text for t in tokenize("Da'esh fighters (ISIS)")]
["Da'esh", 'fighters', 'ISIS']
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_APOS = "'’‘`ʼʿ"
TOKEN_RE = re.compile(rf"[^\W_]+(?:[{_APOS}][^\W_]+)*")
_POSSESSIVE_RE = re.compile(rf"[{_APOS}]s$", re.IGNORECASE)
_APOS_RE = re.compile(rf"[{_APOS}]")
# Transliterations of the Arabic article, folded so that al-Sham, ash-Sham and as-Sham meet.
_ARTICLES = frozenset("al el ad ash as ar an at az adh ath ud ul ed es ez er".split())


class Token(NamedTuple):
    """One word of a text: surface form, normalised key and character span."""

    text: str
    key: str
    start: int
    end: int


def strip_accents(text: str) -> str:
    """Drop combining marks: ``"Mocímboa"`` -> ``"Mocimboa"``."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def norm_token(word: str) -> str:
    """Normalised form of one token (lower case, no accents or apostrophes)."""
    word = strip_accents(word).lower()
    if len(word) > 3:
        word = _POSSESSIVE_RE.sub("", word)
    word = _APOS_RE.sub("", word)
    return "al" if word in _ARTICLES else word


def tokenize(text: str) -> list[Token]:
    """Word tokens with their normalised keys and character offsets into ``text``."""
    return [
        Token(m.group(), norm_token(m.group()), m.start(), m.end()) for m in TOKEN_RE.finditer(text)
    ]


def norm_key(phrase: str) -> str:
    """The lookup key of a phrase: its normalised tokens joined by single spaces."""
    return " ".join(norm_token(m.group()) for m in TOKEN_RE.finditer(phrase))


_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj capt sgt cpl pvt brig adm cmdr gov sen rep st no nos vs "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx est dist govt dept inc ltd co "
    "corp jr sr prof rev hon mt ft fig al etc ca e g i u s a m p k v".split()
)
_SENT_END_RE = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|[;\n]+\s*|\s*(?:\.\.\.|…)\s*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, by punctuation, semicolons and newlines.

    A regular-expression splitter: no model is needed and it is fast. A full stop after a
    common abbreviation or an initial (``Gen.``, ``U.S.``) does not end a sentence, nor does
    one followed by a lower-case word or a digit.

    >>> t = "Gen. Ali said 3 died. Police fled;Two more were hurt"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Gen. Ali said 3 died.', 'Police fled;', 'Two more were hurt']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _SENT_END_RE.finditer(text):
        end = m.end()
        if end >= n:
            break
        punct = m.group()
        if "." in punct and ";" not in punct and "\n" not in punct:
            word = re.search(r"([^\W_]+)\W*$", text[start : m.start() + 1])
            if word and word.group(1).lower() in _ABBREVIATIONS:
                continue
            nxt = text[end]
            if nxt.islower() or nxt.isdigit():
                continue
        piece_end = m.start() + len(punct.rstrip())
        if text[start:piece_end].strip():
            spans.append((start, piece_end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


_VOWELS_RE = re.compile(r"[aeiouy]+")


def skeleton(key: str) -> str:
    """A loose spelling key of one normalised token for transliteration variants.

    Keeps the first letter, drops later vowels, folds ``q``/``c`` to ``k`` and ``ph`` to ``f``,
    collapses doubled letters and drops a final ``h``: Waleed/Walid, Zinki/Zenki,
    Sharqiya/Sharqiyyah, Idleb/Idlib meet.

    >>> skeleton("sharqiyyah") == skeleton("sharqiya"), skeleton("waleed") == skeleton("walid")
    (True, True)
    """
    if not key or key.isdigit():
        return key
    key = key.replace("ph", "f").replace("q", "k").replace("c", "k")
    out = key[0] + _VOWELS_RE.sub("", key[1:])
    out = re.sub(r"(.)\1+", r"\1", out)
    if len(out) > 2 and out.endswith("h"):
        out = out[:-1]
    return out
