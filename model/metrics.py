"""Metrics shared by train.py (dev scores saved with a model) and evaluate.py.

Every function takes plain gold and predicted values, so a reader can recompute any number
in a report from ``predictions.jsonl`` and the corpus; ``DEFINITIONS`` spells each one out.

>>> m = label_metrics([["battles"], []], [["battles"], ["riots"]], ("battles", "riots"))
>>> m["micro_f1"], m["per_label"]["riots"]["precision"]
(0.6667, 0.0)
>>> set_metrics([{"A", "B"}], [{"A"}])["f1"]
0.6667
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

NONE_PREDICTED = "(none)"
SEVERAL_PREDICTED = "(several)"

DEFINITIONS = {
    "label_metrics": (
        "per label: precision, recall, F1 and support (gold count) over the texts labelled for "
        "the task; micro_f1 pools true/false positives over all labels; macro_f1 averages the "
        "per-label F1 over labels with support > 0"
    ),
    "confusion": (
        "only when every labelled text has exactly one gold label: rows are gold labels, "
        f"columns the predicted label when exactly one is predicted, {NONE_PREDICTED!r} when "
        f"none is and {SEVERAL_PREDICTED!r} when more than one is"
    ),
    "binary": (
        "precision, recall and F1 of the positive class from the predicted booleans; roc_auc "
        "from the scores (null when gold has one class only)"
    ),
    "ece": (
        "expected calibration error: scores cut into 10 equal-width bins [0, 0.1), ..., "
        "[0.9, 1.0]; sum over bins of (bin count / n) * |positive rate - mean score|"
    ),
    "actor_names": (
        "names canonicalised on both sides, as sets per text. Per text: precision = "
        "|gold & predicted| / |predicted|, recall = |gold & predicted| / |gold|, F1 = "
        "2|gold & predicted| / (|gold| + |predicted|); both sets empty gives 1, one empty "
        "gives 0. precision/recall/f1 average these over texts; micro_* pool the counts"
    ),
    "counts": (
        "over texts labelled for the field whose gold is a number: exact_match = share with "
        "predicted == gold; within_10pct = share with |predicted - gold| <= 0.1 * gold; "
        "mean_absolute_error counts a missing prediction as 0; coverage = share with a "
        "predicted number; spurious_rate = share of texts whose gold has no number where a "
        "number was predicted"
    ),
}


def _r(x: float) -> float:
    return round(float(x), 4)


def multi_hot(label_sets: list[list[str]], labels: tuple[str, ...]) -> np.ndarray:
    """(n_texts, n_labels) 0/1 matrix; labels outside ``labels`` are ignored."""
    index = {label: j for j, label in enumerate(labels)}
    Y = np.zeros((len(label_sets), len(labels)), dtype=np.int8)
    for i, chosen in enumerate(label_sets):
        for label in chosen:
            if label in index:
                Y[i, index[label]] = 1
    return Y


def label_metrics(
    gold: list[list[str]], predicted: list[list[str]], labels: tuple[str, ...]
) -> dict:
    """Per-label precision, recall, F1 and support; micro and macro F1 over labels that
    occur in gold (macro over absent labels would reward predicting nothing)."""
    Y, P = multi_hot(gold, labels), multi_hot(predicted, labels)
    if not len(gold):
        return {"n_texts": 0, "micro_f1": 0.0, "macro_f1": 0.0, "per_label": {}}
    p, r, f, s = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    present = s > 0
    _, _, micro, _ = precision_recall_fscore_support(Y, P, average="micro", zero_division=0)
    return {
        "n_texts": len(gold),
        "micro_f1": _r(micro),
        "macro_f1": _r(f[present].mean()) if present.any() else 0.0,
        "per_label": {
            label: {
                "precision": _r(p[j]),
                "recall": _r(r[j]),
                "f1": _r(f[j]),
                "support": int(s[j]),
                "n_predicted": int(P[:, j].sum()),
            }
            for j, label in enumerate(labels)
        },
    }


def confusion(gold: list[str], predicted: list[list[str]], labels: tuple[str, ...]) -> dict:
    """Confusion matrix of single gold labels against predicted label sets (see
    ``DEFINITIONS["confusion"]``); rows and columns keep only labels that occur.

    >>> confusion(["a", "b"], [["a"], []], ("a", "b"))["matrix"]
    [[1, 0, 0, 0], [0, 0, 1, 0]]
    """
    cols = [x for x in labels if x in gold or any(x in p for p in predicted)]
    rows = [x for x in labels if x in gold]
    cols += [NONE_PREDICTED, SEVERAL_PREDICTED]
    col_index = {x: j for j, x in enumerate(cols)}
    row_index = {x: i for i, x in enumerate(rows)}
    M = np.zeros((len(rows), len(cols)), dtype=int)
    for g, p in zip(gold, predicted, strict=True):
        chosen = [x for x in p if x in col_index]
        col = chosen[0] if len(chosen) == 1 else NONE_PREDICTED if not chosen else SEVERAL_PREDICTED
        M[row_index[g], col_index[col]] += 1
    return {"gold": rows, "predicted": cols, "matrix": M.tolist()}


def calibration_bins(gold: list[bool], scores: list[float], n_bins: int = 10) -> dict:
    """Reliability bins and the expected calibration error (``DEFINITIONS["ece"]``)."""
    y = np.asarray(gold, dtype=float)
    s = np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    which = np.minimum((s * n_bins).astype(int), n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        inside = which == b
        n = int(inside.sum())
        row = {"low": _r(b / n_bins), "high": _r((b + 1) / n_bins), "count": n}
        if n:
            row["mean_score"], row["positive_rate"] = _r(s[inside].mean()), _r(y[inside].mean())
            ece += n / len(y) * abs(y[inside].mean() - s[inside].mean())
        bins.append(row)
    return {"ece": _r(ece) if len(y) else None, "bins": bins}


def binary_metrics(
    gold: list[bool], predicted: list[bool], scores: list[float] | None = None
) -> dict:
    """Precision, recall and F1 of the positive class; with ``scores`` also ROC-AUC, the
    expected calibration error and its reliability bins."""
    g = np.array(gold, dtype=int)
    p, r, f, _ = precision_recall_fscore_support(
        g, np.array(predicted, dtype=int), average="binary", zero_division=0
    )
    out = {
        "n_texts": len(gold),
        "precision": _r(p),
        "recall": _r(r),
        "f1": _r(f),
        "support": int(g.sum()),
        "n_predicted": int(np.sum(predicted)),
    }
    if scores is not None:
        both = 0 < g.sum() < len(g)
        out["roc_auc"] = _r(roc_auc_score(g, np.asarray(scores, dtype=float))) if both else None
        calib = calibration_bins(gold, scores)
        out["ece"], out["reliability"] = calib["ece"], calib["bins"]
    return out


def text_set_scores(gold: set[str], predicted: set[str]) -> tuple[float, float, float]:
    """Per-text (precision, recall, F1) of two name sets (``DEFINITIONS["actor_names"]``)."""
    if not gold and not predicted:
        return 1.0, 1.0, 1.0
    hit = len(gold & predicted)
    precision = hit / len(predicted) if predicted else 0.0
    recall = hit / len(gold) if gold else 0.0
    return precision, recall, 2 * hit / (len(gold) + len(predicted))


def set_metrics(gold: list[set[str]], predicted: list[set[str]]) -> dict:
    """Set precision, recall and F1 per text, averaged over texts, and pooled (micro)."""
    per_text = np.array(
        [text_set_scores(g, p) for g, p in zip(gold, predicted, strict=True)]
    ).reshape(-1, 3)
    hit = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    n_gold, n_pred = sum(map(len, gold)), sum(map(len, predicted))
    mean = per_text.mean(0) if len(per_text) else np.zeros(3)
    return {
        "n_texts": len(gold),
        "precision": _r(mean[0]),
        "recall": _r(mean[1]),
        "f1": _r(mean[2]),
        "micro_precision": _r(hit / n_pred) if n_pred else 0.0,
        "micro_recall": _r(hit / n_gold) if n_gold else 0.0,
        "micro_f1": _r(2 * hit / (n_gold + n_pred)) if n_gold + n_pred else 0.0,
        "n_gold_names": n_gold,
        "n_predicted_names": n_pred,
    }


def count_metrics(gold: list[int | None], predicted: list[int | None]) -> dict | None:
    """Exact-match and within-10% rates and mean absolute error on texts whose gold is a
    number; ``None`` when no gold is a number (``DEFINITIONS["counts"]``)."""
    pairs = [(g, p) for g, p in zip(gold, predicted, strict=True) if g is not None]
    blank = [p for g, p in zip(gold, predicted, strict=True) if g is None]
    if not pairs:
        return None
    n = len(pairs)
    return {
        "n_texts": n,
        "exact_match": _r(sum(p == g for g, p in pairs) / n),
        "within_10pct": _r(sum(p is not None and abs(p - g) <= 0.1 * g for g, p in pairs) / n),
        "mean_absolute_error": _r(sum(abs((p or 0) - g) for g, p in pairs) / n),
        "coverage": _r(sum(p is not None for _, p in pairs) / n),
        "n_no_number": len(blank),
        "spurious_rate": _r(sum(p is not None for p in blank) / len(blank)) if blank else None,
    }
