"""Record-level actor names learned from labelled records: the names a coder gives an event
beyond the ones its text mentions.

Coders name the parties to an event by convention as much as by mention. UCDP's GED names
each event's dyad: the Government of Syria when Russian aircraft strike, "Syrian insurgents"
for whichever faction fought, the Islamic State when a headline says "the organization", and
no one for the civilians a clash killed. Matching mentions cannot recover that; a logistic
regression per frequent name over the text's words and word pairs can. The extractor adds a
name this model is confident of (no mention, the model's probability as score) and drops a
name it matched when the model finds it unlikely, for the names where dropping helped on dev.
Both cut-offs are tuned on dev records (:meth:`NameModel.tune`); where the model does not
help on dev, it stays off.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from model.metrics import text_set_scores

MIN_RECORDS = 30  # a name needs this many training records to get a classifier
MAX_NAMES = 128  # the most frequent names only: weights grow with names x features
MAX_FEATURES = 1 << 15
ADD_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
VETO_GRID = (0.02, 0.05, 0.1, 0.2, 0.3)
# Dev mean set-F1 gains smaller than this are noise; the model is then left off.
MIN_GAIN = 0.002
# A name gets a veto only when dropping it gains dev texts at least this much set-F1 in sum
# (two texts' worth): one global veto cut ACLED held-out set-F1 by 2 points to gain UCDP's.
MIN_VETO_GAIN = 2.0


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=2,
        max_features=MAX_FEATURES,
        sublinear_tf=True,
        dtype=np.float32,
    )


class NameModel:
    """One logistic regression per frequent actor name over word (1-2)-gram TF-IDF.

    ``add``: a name the text does not mention is added when its probability reaches this
    (None: never); ``vetoes``: a matched name listed there is dropped when its probability
    is below its value.
    """

    def __init__(
        self,
        names: list[str],
        vectorizer: TfidfVectorizer,
        coef: np.ndarray,
        intercept: np.ndarray,
        add: float | None = None,
        vetoes: dict[str, float] | None = None,
    ) -> None:
        self.names = list(names)
        self.index = {n: j for j, n in enumerate(self.names)}
        self.vectorizer = vectorizer
        self.coef = np.asarray(coef, dtype=np.float32)  # (n_names, n_features)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.add, self.vetoes = add, dict(vetoes or {})

    @property
    def active(self) -> bool:
        return self.add is not None or bool(self.vetoes)

    @classmethod
    def fit(
        cls,
        texts: list[str],
        name_sets: list[set[str]],
        *,
        min_records: int = MIN_RECORDS,
        max_names: int = MAX_NAMES,
        C: float = 4.0,
        seed: int = 0,
    ) -> NameModel | None:
        """Fit on texts and their canonical name sets; None when no name has
        ``min_records`` records (or every record has it)."""
        counts: dict[str, int] = {}
        for names in name_sets:
            for n in names:
                counts[n] = counts.get(n, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        names = [n for n, k in ranked if min_records <= k < len(texts)][:max_names]
        if not names:
            return None
        vectorizer = _vectorizer()
        X = vectorizer.fit_transform(texts)
        coef = np.zeros((len(names), X.shape[1]), dtype=np.float32)
        intercept = np.zeros(len(names), dtype=np.float32)
        for j, name in enumerate(names):
            y = np.array([name in s for s in name_sets], dtype=int)
            clf = LogisticRegression(C=C, solver="liblinear", dual=True, random_state=seed)
            clf.fit(X, y)
            coef[j], intercept[j] = clf.coef_[0], clf.intercept_[0]
        return cls(names, vectorizer, coef, intercept)

    def probs(self, texts: list[str]) -> np.ndarray:  # (n_texts, n_names)
        X: sp.csr_matrix = self.vectorizer.transform(texts)
        z = np.asarray(X @ self.coef.T) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def decide(self, found: set[str], probs: np.ndarray) -> tuple[set[str], dict[str, float]]:
        """(matched names to drop, names to add with their probability) for one text."""
        drop = {n for n in found if n in self.vetoes and probs[self.index[n]] < self.vetoes[n]}
        add = {}
        if self.add is not None:
            for j in np.flatnonzero(probs >= self.add):
                if self.names[j] not in found:
                    add[self.names[j]] = float(probs[j])
        return drop, add

    def tune(self, texts: list[str], gold: list[set[str]], found: list[set[str]]) -> dict:
        """Choose ``add`` and ``vetoes`` for the best mean set-F1 of dev texts, given the
        names the matcher found (``found``); returns the dev scores before and after.

        For each ``add`` of the grid, each name gets the veto (if any) that gains dev texts
        most set-F1 in sum, counting only texts where the name was matched, and kept when
        that gain reaches ``MIN_VETO_GAIN``; the ``add`` with the best dev mean wins."""
        P = self.probs(texts)

        def mean_f1() -> float:
            total = 0.0
            for g, f, p in zip(gold, found, P, strict=True):
                drop, extra = self.decide(f, p)
                total += text_set_scores(g, (f - drop) | set(extra))[2]
            return total / max(len(gold), 1)

        self.add, self.vetoes = None, {}
        before = mean_f1()
        best: tuple[float, float | None, dict] = (before, None, {})
        for add in (None, *ADD_GRID):
            self.add, self.vetoes = add, {}
            predicted = [(f | set(self.decide(f, p)[1])) for f, p in zip(found, P, strict=True)]
            self.vetoes = self._tune_vetoes(gold, found, predicted, P)
            score = mean_f1()
            if score > best[0] + 1e-12:
                best = (score, add, self.vetoes)
        if best[0] < before + MIN_GAIN:
            best = (before, None, {})
        self.add, self.vetoes = best[1], best[2]
        return {
            "dev_set_f1_without": round(before, 4),
            "dev_set_f1_with": round(best[0], 4),
            "add": self.add,
            "vetoes": dict(self.vetoes),
        }

    def _tune_vetoes(self, gold, found, predicted, P) -> dict[str, float]:
        vetoes = {}
        for name, j in self.index.items():
            rows = [i for i, f in enumerate(found) if name in f]
            gains = []
            for veto in VETO_GRID:
                gain = sum(
                    text_set_scores(gold[i], predicted[i] - {name})[2]
                    - text_set_scores(gold[i], predicted[i])[2]
                    for i in rows
                    if P[i, j] < veto
                )
                gains.append((gain, veto))
            gain, veto = max(gains, default=(0.0, 0.0))
            if gain >= MIN_VETO_GAIN:
                vetoes[name] = veto
        return vetoes

    # -- state -------------------------------------------------------------------------
    def settings(self) -> dict:
        """JSON-ready cut-offs; with :meth:`arrays`, what :meth:`from_state` rebuilds from."""
        return {"add": self.add, "vetoes": dict(self.vetoes)}

    def arrays(self) -> dict[str, np.ndarray]:
        """Names, vocabulary and weights, for an ``.npz`` file."""
        vocab = self.vectorizer.vocabulary_
        return {
            "names": np.array(self.names, dtype=str),
            "terms": np.array(sorted(vocab, key=vocab.get), dtype=str),
            "idf": self.vectorizer.idf_.astype(np.float32),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept,
        }

    @classmethod
    def from_state(cls, settings: dict, arrays: dict[str, np.ndarray]) -> NameModel:
        terms, idf, coef = arrays["terms"], arrays["idf"], arrays["coef"]
        names = [str(n) for n in arrays["names"]]
        vetoes = settings.get("vetoes") or {}
        if set(vetoes) - set(names):
            raise ValueError(
                f"vetoes for names the model lacks: {sorted(set(vetoes) - set(names))}"
            )
        if coef.shape != (len(names), len(terms)) or len(idf) != len(terms):
            raise ValueError(
                f"actor-name weights have shape {coef.shape} for {len(names)} names and "
                f"{len(terms)} terms ({len(idf)} idf weights)"
            )
        vectorizer = _vectorizer()
        vectorizer.vocabulary_ = {str(t): i for i, t in enumerate(terms)}
        vectorizer.idf_ = idf
        return cls(
            names, vectorizer, coef.astype(np.float32), arrays["intercept"],
            add=settings.get("add"), vetoes=vetoes,
        )  # fmt: skip
