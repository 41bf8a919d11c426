"""Sentences and passages with character offsets, so that a long article is scored passage by
passage and nothing past the lead is silently dropped.

>>> [text[s:e] for s, e in sentence_spans(text := "Shelling hit Idlib. Two died.")]
['Shelling hit Idlib.', 'Two died.']
"""

from __future__ import annotations

import re

import syntok.segmenter as segmenter

# How a sentence opens when it reports an event apart from the one before it ("Separately,
# police dispersed a sit-in", the codebook's worked example). Such a sentence starts a passage
# of its own however short the text, so that each event is scored apart: scored together,
# the second event's words are outweighed by the first's.
NEW_EVENT = (
    r"(?:separately|elsewhere|meanwhile|in a second (?:incident|attack)|in (?:a|another) "
    r"(?:separate |related |similar )?(?:incident|attack|event|development|case|clash))\b"
)
_OPENS_EVENT = re.compile(NEW_EVENT, re.IGNORECASE)
_LATER_EVENT = re.compile(r"[.!?]\s+" + NEW_EVENT, re.IGNORECASE)


def opens_new_event(sentence: str) -> bool:
    """Whether ``sentence`` opens by marking a separate event ("Separately, ...",
    "In another incident, ...", "Meanwhile, ...")."""
    return _OPENS_EVENT.match(sentence.lstrip()) is not None


def has_new_event(text: str) -> bool:
    """Whether a sentence of ``text`` other than its first opens a separate event: a text
    that :func:`passage_spans` splits however short it is."""
    return _LATER_EVENT.search(text) is not None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of ``text``, in order."""
    spans = []
    try:
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                if sentence:
                    last = sentence[-1]
                    spans.append((sentence[0].offset, last.offset + len(last.value)))
    except (ValueError, IndexError):  # syntok fails on a few odd inputs; fall back to lines
        spans = []
    if not spans and text.strip():
        start = len(text) - len(text.lstrip())
        spans = [(start, len(text.rstrip()))]
    return spans


def passage_spans(text: str, max_words: int = 60) -> list[tuple[int, int]]:
    """Consecutive sentences grouped into passages of at most about ``max_words`` words.

    A paragraph break always ends a passage, and a sentence that opens a separate event
    (:func:`opens_new_event`) always starts one; a single sentence longer than the limit is
    a passage of its own. Otherwise a short text is one passage.
    """
    passages: list[tuple[int, int]] = []
    start = end = None
    words = 0
    for s, e in sentence_spans(text):
        n = len(text[s:e].split())
        breaks = start is not None and (
            "\n\n" in text[end:s] or words + n > max_words or opens_new_event(text[s:e])
        )
        if breaks:
            passages.append((start, end))
            start, words = None, 0
        if start is None:
            start = s
        end, words = e, words + n
    if start is not None:
        passages.append((start, end))
    return passages
