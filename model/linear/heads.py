"""Multi-label linear heads: one logistic regression per label, Platt-calibrated on dev
scores, with a decision threshold per label chosen on dev for the best F1."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from model.config import LinearConfig
from model.decoding import best_f1_threshold

_NEVER = -30.0  # intercept of a label never seen positive: probability ~1e-13
# Country balancing: countries with fewer labelled rows than this keep weight 1, and no row
# is weighted outside these bounds.
BALANCE_MIN_ROWS = 50
BALANCE_BOUNDS = (0.2, 5.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def country_weights(
    countries: list[str | None], Y: np.ndarray, mask: np.ndarray, power: float
) -> np.ndarray:
    """(n_rows, n_labels) training weights that move each country's label mix towards the
    whole corpus's.

    ACLED's countries code the same words differently often enough (a Bangladeshi party
    clash is a riot, a Benin farmer-herder clash a battle) that a head learns "this
    country's wording means riots". For label j, a country c whose share of positives is
    p_c, against p overall, has its positives weighted (p / p_c) ** power and its negatives
    ((1 - p) / (1 - p_c)) ** power, within ``BALANCE_BOUNDS``. With power 1 every country
    shows the corpus's mix; rows of unknown or small countries keep weight 1.
    ``Y`` and ``mask`` are (n_rows, n_labels) targets and which rows carry them."""
    weights = np.ones(Y.shape, dtype=np.float64)
    if power == 0:
        return weights
    names, code = np.unique([c or "" for c in countries], return_inverse=True)
    for j in range(Y.shape[1]):
        rows = np.flatnonzero(mask[:, j])
        if not len(rows):
            continue
        y, group = Y[rows, j] == 1, code[rows]
        n = np.bincount(group, minlength=len(names))
        share = np.bincount(group, weights=y, minlength=len(names)) / np.maximum(n, 1)
        overall = y.mean()
        known = (n >= BALANCE_MIN_ROWS) & (names != "")
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(known & (share > 0), (overall / share) ** power, 1.0)
            down = np.where(known & (share < 1), ((1 - overall) / (1 - share)) ** power, 1.0)
        weights[rows, j] = np.where(y, up[group], down[group])
    return np.clip(weights, *BALANCE_BOUNDS)


def fit_binary(
    X: sp.csr_matrix,
    y: np.ndarray,
    config: LinearConfig,
    seed: int,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """(coef, intercept) of a logistic regression of 0/1 targets ``y`` on rows ``X``
    (weighted by ``sample_weight``); a label seen only negative (or only positive) gets a
    constant, near-certain score."""
    if y.min() == y.max():
        return np.zeros(X.shape[1], dtype=np.float32), (_NEVER if y.max() == 0 else -_NEVER)
    clf = LogisticRegression(
        C=config.C,
        class_weight=config.class_weight,
        solver="liblinear",
        dual=True,  # far faster than the primal solver when features outnumber rows
        max_iter=config.max_iter,
        random_state=seed,
    )
    clf.fit(X, y, sample_weight=sample_weight)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


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

    def set_label(self, j: int, fitted: tuple[np.ndarray, float]) -> None:
        """Store label ``j``'s weights as returned by ``fit_binary``."""
        self.coef[j], self.intercept[j] = fitted

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
