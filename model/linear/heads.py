"""Multi-label linear heads: one logistic regression per label, Platt-calibrated on dev
scores, with a decision threshold per label chosen on dev for the best F1."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from model.config import LinearConfig

_NEVER = -30.0  # intercept of a label never seen positive: probability ~1e-13


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def best_f1_threshold(y: np.ndarray, p: np.ndarray, low=0.05, high=0.95) -> float:
    """The threshold in [low, high] on probabilities ``p`` that gives the best F1 for 0/1
    targets ``y``; ties go to the threshold nearest 0.5."""
    grid = np.unique(np.clip(np.round(p, 3), low, high))
    predicted = p[None, :] >= grid[:, None]  # (n_thresholds, n_rows)
    tp = (predicted & (y[None, :] == 1)).sum(1)
    f1 = 2 * tp / np.maximum(predicted.sum(1) + y.sum(), 1)
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    return float(grid[best[np.argmin(np.abs(grid[best] - 0.5))]])


class LinearHead:
    """``labels`` in order; ``coef`` (n_labels, n_features); ``platt`` (n_labels, 2) holds
    slope and offset applied to the raw score; ``thresholds`` (n_labels,)."""

    def __init__(self, task: str, labels: tuple[str, ...], n_features: int) -> None:
        self.task, self.labels = task, tuple(labels)
        n = len(self.labels)
        self.coef = np.zeros((n, n_features), dtype=np.float32)
        self.intercept = np.full(n, _NEVER, dtype=np.float32)
        self.platt = np.tile(np.array([1.0, 0.0], dtype=np.float32), (n, 1))
        self.thresholds = np.full(n, 0.5, dtype=np.float32)

    def fit_label(
        self, j: int, X: sp.csr_matrix, y: np.ndarray, config: LinearConfig, seed: int
    ) -> None:
        """Fit label ``j`` on rows ``X`` with 0/1 targets ``y``."""
        if y.min() == y.max():
            self.coef[j] = 0.0
            self.intercept[j] = _NEVER if y.max() == 0 else -_NEVER
            return
        clf = LogisticRegression(
            C=config.C,
            class_weight=config.class_weight,
            solver="liblinear",
            dual=True,  # faster when features outnumber rows, as they do here
            max_iter=config.max_iter,
            random_state=seed,
        )
        clf.fit(X, y)
        self.coef[j] = clf.coef_[0]
        self.intercept[j] = clf.intercept_[0]

    def scores(self, X: sp.csr_matrix) -> np.ndarray:  # (n_rows, n_labels)
        return np.asarray(X @ self.coef.T) + self.intercept

    def probs(self, scores: np.ndarray) -> np.ndarray:  # (n_rows, n_labels)
        return sigmoid(scores * self.platt[:, 0] + self.platt[:, 1])

    def calibrate(self, scores: np.ndarray, Y: np.ndarray, mask: np.ndarray) -> None:
        """Platt scaling and F1-best thresholds from dev ``scores`` (n, L), targets ``Y``
        (n, L) and ``mask`` (n, L) of rows that carry each label."""
        for j in range(len(self.labels)):
            rows = mask[:, j]
            y, s = Y[rows, j], scores[rows, j]
            if len(y) < 4 or y.min() == y.max() or min(y.sum(), len(y) - y.sum()) < 2:
                continue  # too few dev labels: keep the plain sigmoid and 0.5
            platt = LogisticRegression(C=1.0, solver="lbfgs").fit(s[:, None], y)
            self.platt[j] = (platt.coef_[0, 0], platt.intercept_[0])
            self.thresholds[j] = best_f1_threshold(y, self.probs(scores[rows])[:, j])

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            f"{self.task}.coef": self.coef,
            f"{self.task}.intercept": self.intercept,
            f"{self.task}.platt": self.platt,
            f"{self.task}.thresholds": self.thresholds,
        }

    @classmethod
    def from_arrays(cls, task: str, labels: list[str], arrays: dict[str, np.ndarray]):
        coef = arrays[f"{task}.coef"]
        head = cls(task, tuple(labels), coef.shape[1])
        head.coef = coef.astype(np.float32)
        head.intercept = arrays[f"{task}.intercept"]
        head.platt = arrays[f"{task}.platt"]
        head.thresholds = arrays[f"{task}.thresholds"]
        if not (
            len(head.intercept)
            == len(head.platt)
            == len(head.thresholds)
            == len(labels)
            == coef.shape[0]
        ):
            raise ValueError(f"head {task!r}: arrays do not match its {len(labels)} labels")
        return head
