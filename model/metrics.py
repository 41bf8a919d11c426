"""Metrics shared by train.py (dev scores saved with a model) and evaluate.py.

>>> m = label_metrics([["battles"], []], [["battles"], ["riots"]], ("battles", "riots"))
>>> m["micro_f1"], m["per_label"]["riots"]["precision"]
(0.6667, 0.0)
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_fscore_support


def _r(x: float) -> float:
    return round(float(x), 4)


def multi_hot(label_sets: list[list[str]], labels: tuple[str, ...]) -> np.ndarray:
    index = {label: j for j, label in enumerate(labels)}
    Y = np.zeros((len(label_sets), len(labels)), dtype=np.int8)
    for i, chosen in enumerate(label_sets):
        for label in chosen:
            Y[i, index[label]] = 1
    return Y


def label_metrics(
    gold: list[list[str]], predicted: list[list[str]], labels: tuple[str, ...]
) -> dict:
    """Per-label precision, recall, F1 and support; micro and macro F1 over labels that
    occur in gold (macro over absent labels would reward predicting nothing)."""
    Y, P = multi_hot(gold, labels), multi_hot(predicted, labels)
    p, r, f, s = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    present = s > 0
    _, _, micro, _ = precision_recall_fscore_support(Y, P, average="micro", zero_division=0)
    return {
        "n_texts": len(gold),
        "micro_f1": _r(micro),
        "macro_f1": _r(f[present].mean()) if present.any() else 0.0,
        "per_label": {
            label: {"precision": _r(p[j]), "recall": _r(r[j]), "f1": _r(f[j]), "support": int(s[j])}
            for j, label in enumerate(labels)
        },
    }


def binary_metrics(gold: list[bool], predicted: list[bool]) -> dict:
    """Precision, recall and F1 of the positive class."""
    p, r, f, s = precision_recall_fscore_support(
        np.array(gold, dtype=int),
        np.array(predicted, dtype=int),
        average="binary",
        zero_division=0,
    )
    return {
        "n_texts": len(gold),
        "precision": _r(p),
        "recall": _r(r),
        "f1": _r(f),
        "support": int(np.sum(gold)),
    }
