"""Sliding token windows with overlap over whole texts, each knowing its character span, so
that nothing past the first window is silently dropped and each label's evidence can point
back into the text.

>>> w = text_windows(tokenizer, ["a long article ..."], max_length=256, stride=32)  # doctest: +SKIP
>>> w["input_ids"][0]      # the windows of text 0, each a list of token ids     # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from model.decoding import SHORT_WORDS
from model.passages import has_new_event, passage_spans


def text_windows(
    tokenizer, texts: list[str], *, max_length: int, stride: int, offsets: bool = False
) -> dict:
    """Per text: its windows' token ids and their (start, end) character spans.

    Consecutive windows share ``stride`` tokens. Returns ``{"input_ids": [[window, ...], ...],
    "spans": [[(start, end), ...], ...]}`` with one entry per text, in order; with
    ``offsets``, also ``"offsets"``: each window's token character spans, ``(0, 0)`` for
    special tokens.
    """
    enc = tokenizer(
        texts,
        max_length=max_length,
        stride=stride,
        truncation=True,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
    )
    ids: list[list[list[int]]] = [[] for _ in texts]
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    token_spans: list[list[list[tuple[int, int]]]] = [[] for _ in texts]
    for k, owner in enumerate(enc["overflow_to_sample_mapping"]):
        if offsets:
            token_spans[owner].append(
                [
                    (0, 0) if special else (int(o[0]), int(o[1]))
                    for o, special in zip(
                        enc["offset_mapping"][k], enc["special_tokens_mask"][k], strict=True
                    )
                ]
            )
        inside = [
            o
            for o, special in zip(
                enc["offset_mapping"][k], enc["special_tokens_mask"][k], strict=True
            )
            if not special
        ]
        ids[owner].append(enc["input_ids"][k])
        spans[owner].append((inside[0][0], inside[-1][1]) if inside else (0, 0))
    out = {"input_ids": ids, "spans": spans}
    if offsets:
        out["offsets"] = token_spans
    return out


def event_windows(
    tokenizer, texts: list[str], *, max_length: int, stride: int, offsets: bool = False
) -> dict:
    """:func:`text_windows`, plus, for a short text with a sentence that opens a separate
    event ("Separately, police dispersed a sit-in"; ``model.passages.has_new_event``), the
    windows of each of its passages on their own, with spans into the whole text. Scored in
    one window, a second event's words are outweighed by the first's; the linear family
    scores such passages apart too."""
    out = text_windows(tokenizer, texts, max_length=max_length, stride=stride, offsets=offsets)
    parts = []
    for i, text in enumerate(texts):
        if len(text.split()) <= SHORT_WORDS and has_new_event(text):
            passages = passage_spans(text)
            if len(passages) > 1:  # one passage is the whole text, already windowed
                parts += [(i, start, end) for start, end in passages]
    if not parts:
        return out
    extra = text_windows(
        tokenizer,
        [texts[i][start:end] for i, start, end in parts],
        max_length=max_length,
        stride=stride,
        offsets=offsets,
    )
    for k, (i, start, _) in enumerate(parts):
        out["input_ids"][i].extend(extra["input_ids"][k])
        out["spans"][i].extend((a + start, b + start) for a, b in extra["spans"][k])
        if offsets:
            out["offsets"][i].extend(
                [(0, 0) if (a, b) == (0, 0) else (a + start, b + start) for a, b in window]
                for window in extra["offsets"][k]
            )
    return out


def pad_windows(windows: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask), both int64 (n_windows, longest window), right-padded."""
    longest = max(len(w) for w in windows)
    ids = np.full((len(windows), longest), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), longest), dtype=np.int64)
    for i, w in enumerate(windows):
        ids[i, : len(w)] = w
        mask[i, : len(w)] = 1
    return ids, mask


def window_batches(lengths: list[int], max_windows: int) -> list[np.ndarray]:
    """Indices of windows in batches of at most ``max_windows``, windows of similar length
    together so that little padding is computed."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i : i + max_windows] for i in range(0, len(order), max_windows)]


def max_by_owner(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Row-wise maximum of ``values`` (n_windows, k) over the windows of each of ``n`` texts."""
    out = np.full((n, values.shape[1]), -np.inf, dtype=values.dtype)
    np.maximum.at(out, owner, values)
    return out


def run_windows(
    runner, windows: list[list[list[int]]], pad_id: int, batch_size: int, *, tokens: bool = False
):
    """Logits of every window of every text: ``(logits (n_windows, k), owner (n_windows,))``,
    windows in text order; ``runner`` maps padded (ids, mask) arrays to logits. With
    ``tokens``, a third item: each window's token logits of the count head, one array of the
    window's length per window (``runner.with_tokens``)."""
    flat = [w for per_text in windows for w in per_text]
    owner = np.repeat(np.arange(len(windows)), [len(per_text) for per_text in windows])
    logits = None
    token_logits: list = [None] * len(flat)
    for idx in window_batches([len(w) for w in flat], batch_size):
        arrays = pad_windows([flat[k] for k in idx], pad_id)
        if tokens:
            out, per_token = runner.with_tokens(*arrays)  # (len(idx), k), (len(idx), n_tokens)
            for row, k in enumerate(idx):
                token_logits[k] = per_token[row, : len(flat[k])]
        else:
            out = runner(*arrays)  # (len(idx), k)
        if logits is None:
            logits = np.empty((len(flat), out.shape[1]), dtype=np.float32)
        logits[idx] = out
    return (logits, owner, token_logits) if tokens else (logits, owner)
