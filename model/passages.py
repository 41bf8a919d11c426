"""Sentences and passages with character offsets, so that a long article is scored passage by
passage and nothing past the lead is silently dropped.

>>> [text[s:e] for s, e in sentence_spans(text := "Shelling hit Idlib. Two died.")]
['Shelling hit Idlib.', 'Two died.']
"""

from __future__ import annotations

import syntok.segmenter as segmenter


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

    A paragraph break always ends a passage; a single sentence longer than the limit is a
    passage of its own. A short text is one passage.
    """
    passages: list[tuple[int, int]] = []
    start = end = None
    words = 0
    for s, e in sentence_spans(text):
        n = len(text[s:e].split())
        breaks = start is not None and ("\n\n" in text[end:s] or words + n > max_words)
        if breaks:
            passages.append((start, end))
            start, words = None, 0
        if start is None:
            start = s
        end, words = e, words + n
    if start is not None:
        passages.append((start, end))
    return passages
