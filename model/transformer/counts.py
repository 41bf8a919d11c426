"""The token-level count head: which numbers in a text count the people killed.

The extractor's rules (``model.extract.casualties``) read most death tolls, but miss the
phrasings they have no pattern for (on the benchmark's held-out ACLED countries they give no
figure for one note in seven that reports deaths). The count head learns from labelled death
tolls which numbers are such counts. Its training labels are distant: in a record whose
``killed`` is labelled, a number mention (digits, number words, "a farmer" as one, from
``model.extract.numbers``) is a positive when its value is the toll, or one of two or three
mentions that add up to it; every mention of a record with no deaths is a negative, and a
record whose toll no mention gives is left out. Each mention is scored at its first token,
as the maximum over the windows that hold it.

At prediction the head fills ``killed`` where the rules find no figure and the text is
judged to report casualties: the sum of the distinct values of the mentions at or above the
head's dev-tuned threshold.

>>> number_mentions("Gunmen killed three soldiers and wounded 7 others.")
[(14, 19, 3), (41, 42, 7)]
>>> count_targets([(0, 1, 3), (5, 6, 7)], 10), count_targets([(0, 1, 3)], 5)
([1.0, 1.0], None)
"""

from __future__ import annotations

import bisect
import itertools

import numpy as np

from model.extract.numbers import find_numbers, tokens_of

Mention = tuple[int, int, int]  # (start, end, value)


def number_mentions(text: str) -> list[Mention]:
    """Numbers that may count people, as character spans with their values."""
    toks = tokens_of(text)
    return [(toks[n.i].start, toks[n.j - 1].end, n.value) for n in find_numbers(toks)]


def record_toll(record: dict) -> int | None:
    """How many people a labelled record says were killed, 0 for nobody; None where that is
    not known (``killed`` unlabelled, or casualties with no figure). ACLED's zero
    fatalities (``killed`` None, labelled) is nobody."""
    if "killed" in record.get("unlabelled", []):
        return None
    if record.get("killed") is not None:
        return int(record["killed"])
    if record.get("casualties") is False or record.get("source") == "acled":
        return 0
    return None


def count_targets(mentions: list[Mention], killed: int | None) -> list[float] | None:
    """Per mention, 1.0 where it counts the ``killed`` (None: nobody was killed), else 0.0;
    None when no mention, nor two or three of them together, give the toll."""
    values = [v for _, _, v in mentions]
    if not killed:
        return [0.0] * len(values)
    if killed in values:
        return [float(v == killed) for v in values]
    for size in (2, 3):
        for chosen in itertools.combinations(range(len(values)), size):
            if sum(values[k] for k in chosen) == killed:
                return [float(k in chosen) for k in range(len(values))]
    return None


def mention_positions(
    offsets: list[tuple[int, int]], mentions: list[Mention]
) -> list[tuple[int, int]]:
    """``(mention index, token position)`` of each mention that starts in a window whose
    token character spans are ``offsets`` (``(0, 0)`` for special tokens): the first token
    that ends after the mention starts, if it begins before the mention ends."""
    real = [k for k, (a, b) in enumerate(offsets) if b > a]  # in text order
    ends = [offsets[k][1] for k in real]
    out = []
    for m, (start, end, _) in enumerate(mentions):
        j = bisect.bisect_right(ends, start)
        if j < len(real) and offsets[real[j]][0] < end:
            out.append((m, real[j]))
    return out


def mention_logits(
    window_offsets: list[list[tuple[int, int]]],
    window_logits: list[np.ndarray],
    mentions: list[Mention],
) -> np.ndarray:
    """Each mention's count-head logit: the maximum over the windows that hold it
    (``-inf`` for a mention no window holds)."""
    spots = [mention_positions(offsets, mentions) for offsets in window_offsets]
    return best_over_windows(len(mentions), spots, window_logits)


def best_over_windows(
    n: int, spots: list[list[tuple[int, int]]], window_logits: list[np.ndarray]
) -> np.ndarray:
    """The logits of ``n`` mentions, each the maximum over the windows that hold it;
    ``spots[w]`` lists the ``(mention, token position)`` pairs of window ``w``."""
    best = np.full(n, -np.inf, dtype=np.float32)
    for window, logits in zip(spots, window_logits, strict=True):
        for m, k in window:
            best[m] = max(best[m], float(logits[k]))
    return best


def counted(mentions: list[Mention], probs: np.ndarray, threshold: float) -> list[dict]:
    """The mentions the head takes as death tolls: ``{"start", "end", "value", "score"}``."""
    return [
        {"start": s, "end": e, "value": v, "score": round(float(p), 4)}
        for (s, e, v), p in zip(mentions, probs, strict=True)
        if p >= threshold
    ]


def killed_total(chosen: list[dict]) -> int | None:
    """The toll of the chosen mentions: their distinct values summed (a figure restated is
    counted once); None when there are none."""
    values = sorted({c["value"] for c in chosen})
    return sum(values) if values else None
