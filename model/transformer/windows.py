"""Sliding token windows with overlap over whole texts, each knowing its character span, so
that nothing past the first window is silently dropped and each label's evidence can point
back into the text.

>>> w = text_windows(tokenizer, ["a long article ..."], max_length=256, stride=32)  # doctest: +SKIP
>>> w["input_ids"][0]      # the windows of text 0, each a list of token ids     # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np


def text_windows(tokenizer, texts: list[str], *, max_length: int, stride: int) -> dict:
    """Per text: its windows' token ids and their (start, end) character spans.

    Consecutive windows share ``stride`` tokens. Returns ``{"input_ids": [[window, ...], ...],
    "spans": [[(start, end), ...], ...]}`` with one entry per text, in order.
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
    for k, owner in enumerate(enc["overflow_to_sample_mapping"]):
        offsets = [
            o
            for o, special in zip(
                enc["offset_mapping"][k], enc["special_tokens_mask"][k], strict=True
            )
            if not special
        ]
        ids[owner].append(enc["input_ids"][k])
        spans[owner].append((offsets[0][0], offsets[-1][1]) if offsets else (0, 0))
    return {"input_ids": ids, "spans": spans}


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


def run_windows(runner, windows: list[list[list[int]]], pad_id: int, batch_size: int):
    """Logits of every window of every text: ``(logits (n_windows, k), owner (n_windows,))``,
    windows in text order; ``runner`` maps padded (ids, mask) arrays to logits."""
    flat = [w for per_text in windows for w in per_text]
    owner = np.repeat(np.arange(len(windows)), [len(per_text) for per_text in windows])
    logits = None
    for idx in window_batches([len(w) for w in flat], batch_size):
        out = runner(*pad_windows([flat[k] for k in idx], pad_id))  # (len(idx), k)
        if logits is None:
            logits = np.empty((len(flat), out.shape[1]), dtype=np.float32)
        logits[idx] = out
    return logits, owner
