"""From calibrated probabilities to label sets.

A label is chosen when its probability reaches its threshold and, in addition, a share
``floor`` of the text's best probability for that head. Short event notes almost always
report one event, full articles often several, so the floor is tuned on dev separately for
short texts (at most ``SHORT_WORDS`` words, none of whose sentences opens a separate event)
and long ones: a note whose best type is near-certain does not also get a weak second type,
while an article, or a note that says "Separately, ...", keeps every event it reports.

>>> choose(np.array([0.9, 0.6, 0.1]), np.array([0.5, 0.5, 0.5]), floor=0.8)
array([ True, False, False])
"""

from __future__ import annotations

import numpy as np

from model.passages import has_new_event

SHORT_WORDS = 100
FLOORS = (0.0, 0.25, 0.5, 0.7, 0.85, 1.0)
FALLBACKS = (None, 0.5, 0.3, 0.2, 0.1, 0.05, 0.0)


def is_short(text: str) -> bool:
    """Whether ``text`` is decoded as a note of one event: at most ``SHORT_WORDS`` words and no
    sentence that opens a separate event ("Separately, police dispersed a sit-in")."""
    return len(text.split()) <= SHORT_WORDS and not has_new_event(text)


def choose(
    probs: np.ndarray, thresholds: np.ndarray, floor: float = 0.0, fallback: float | None = None
) -> np.ndarray:
    """Boolean mask of chosen labels; ``probs`` is (n_labels,) or (n_texts, n_labels).
    With ``fallback``, a text that gets no label keeps its best one if that reaches
    ``fallback``."""
    if not probs.size:
        return probs >= thresholds
    best = probs.max(axis=-1, keepdims=True)
    mask = (probs >= thresholds) & (probs >= floor * best)
    if fallback is not None:
        empty = ~mask.any(axis=-1, keepdims=True) & (best >= fallback)
        mask |= empty & (probs >= best)
    return mask


def best_f1_threshold(
    y: np.ndarray, p: np.ndarray, low=0.05, high=0.95, *, lowest_within: float = 0.0
) -> float:
    """The threshold in [low, high] on probabilities ``p`` that gives the best F1 for 0/1
    targets ``y``; ties go to the threshold nearest 0.5. With ``lowest_within``, the lowest
    threshold whose F1 is within that much of the best instead.

    >>> best_f1_threshold(np.array([0, 1, 1]), np.array([0.2, 0.6, 0.9]))
    0.6
    """
    # Candidates are the probabilities cut down to 3 decimals: rounded up, a row's own
    # candidate could fall above it and leave it out.
    grid = np.unique(np.clip(np.floor(p * 1000) / 1000, low, high))
    predicted = p[None, :] >= grid[:, None]  # (n_thresholds, n_rows)
    tp = (predicted & (y[None, :] == 1)).sum(1)
    f1 = 2 * tp / np.maximum(predicted.sum(1) + y.sum(), 1)
    if lowest_within > 0:
        return float(grid[np.flatnonzero(f1 >= f1.max() - lowest_within)].min())
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    return float(grid[best[np.argmin(np.abs(grid[best] - 0.5))]])


def _macro_f1(Y: np.ndarray, P: np.ndarray, mask: np.ndarray) -> float:
    scores = []
    for j in range(Y.shape[1]):
        rows = mask[:, j]
        y, p = Y[rows, j], P[rows, j]
        if y.sum() == 0:
            continue
        tp = int((y & p).sum())
        scores.append(2 * tp / max(int(y.sum() + p.sum()), 1))
    return float(np.mean(scores)) if scores else 0.0


# Dev macro-F1 differences smaller than this are noise on a dev split of a few thousand
# records; within it, the floor that fits what each kind of text usually reports is kept.
FLOOR_TOLERANCE = 0.005
# Fewer dev texts of a kind than this and its floor is not tuned: short texts get 0 (dev
# nearly always holds many), long ones ``tune_floors``'s ``long_default``.
MIN_TUNING_ROWS = {"short": 10, "long": 30}
# The long-text floor per head when dev cannot tune it. An article's score for a label is
# its best passage's, so background passages (last year's bombing, a group's record of
# abductions) put most types over their thresholds: with floor 0, a model of ACLED notes
# gave the embedded corpus's full articles 3.2 event types each against 1.5 in their
# labels. A further type must reach 0.7 of the article's main one (README, "Event types on
# full articles", bench/articles.py). Sub-event types keep 0: an article's several
# sub-events score well below its best one, and floors above 0 cost them there.
LONG_FLOOR_DEFAULT = {"event_types": 0.7, "sub_event_types": 0.0}


def tune_floors(
    probs: np.ndarray,
    thresholds: np.ndarray,
    Y: np.ndarray,
    mask: np.ndarray,
    short: np.ndarray,
    long_default: float = 0.0,
) -> dict[str, float]:
    """Floors for short and long texts from dev macro-F1.

    Among the floors within ``FLOOR_TOLERANCE`` of the best dev macro-F1, short texts take
    the highest (a note usually reports one event) and long texts the lowest (an article
    often reports several). A flat dev curve otherwise flips the choice on noise: on the
    bench split, seed 0's dev macro-F1 was 0.7887 at floor 0 and 0.7884 at 0.85, while on the
    held-out countries floor 0 cost 2.8 points.

    A dev split of notes holds few long texts or none (most users' dev data, and the
    benchmarks'): with fewer than ``MIN_TUNING_ROWS["long"]``, long texts take
    ``long_default``.

    ``probs``, ``Y`` and ``mask`` are (n_texts, n_labels); ``short`` is (n_texts,) bool.
    """
    floors = {}
    for name, rows in (("short", short), ("long", ~short)):
        if rows.sum() < MIN_TUNING_ROWS[name]:
            floors[name] = long_default if name == "long" else 0.0
            continue
        Yr, Mr = Y[rows].astype(bool), mask[rows]
        scores = [_macro_f1(Yr, choose(probs[rows], thresholds, f), Mr) for f in FLOORS]
        near = [
            f
            for f, score in zip(FLOORS, scores, strict=True)
            if score >= max(scores) - FLOOR_TOLERANCE
        ]
        floors[name] = max(near) if name == "short" else min(near)
    return floors


def tune_fallback(
    probs: np.ndarray, thresholds: np.ndarray, Y: np.ndarray, mask: np.ndarray, floor: float
) -> float | None:
    """The ``fallback`` of ``choose`` (from FALLBACKS) that gives the best dev macro-F1 on
    short texts; None (no fallback) unless one does better. Texts that report no event
    (rows with no positive label) make a low fallback cost precision."""
    if len(probs) < 10:
        return None
    Yb = Y.astype(bool)
    best, chosen = _macro_f1(Yb, choose(probs, thresholds, floor), mask), None
    for fallback in FALLBACKS[1:]:
        score = _macro_f1(Yb, choose(probs, thresholds, floor, fallback), mask)
        if score > best + 1e-9:
            best, chosen = score, fallback
    return chosen
