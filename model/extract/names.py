"""Record-level actor names learned from labelled records: the names a coder gives an event
beyond the ones its text mentions.

Coders name the parties to an event by convention as much as by mention. UCDP's GED names
each event's dyad: the Government of Syria when Russian aircraft strike, "Syrian insurgents"
for whichever faction fought, the Islamic State when a headline says "the organization", and
no one for the civilians a clash killed. Matching mentions cannot recover that; a logistic
regression per frequent name over the text's words and word pairs can. The extractor adds a
name this model is confident of (no mention, the model's probability as score) and drops a
name it matched when the model, which has learned that name, finds it unlikely. Both cut-offs
are tuned on dev records (:meth:`NameModel.tune`); where the model does not help on dev, the
cut-offs switch it off.
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
VETO_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3)
# Dev mean set-F1 gains smaller than this are noise; the model is then left off.
MIN_GAIN = 0.002


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
    (None: never); ``veto``: a matched name the model knows is dropped below this (0: never).
    """

    def __init__(
        self,
        names: list[str],
        vectorizer: TfidfVectorizer,
        coef: np.ndarray,
        intercept: np.ndarray,
        add: float | None = None,
        veto: float = 0.0,
    ) -> None:
        self.names = list(names)
        self.index = {n: j for j, n in enumerate(self.names)}
        self.vectorizer = vectorizer
        self.coef = np.asarray(coef, dtype=np.float32)  # (n_names, n_features)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.add, self.veto = add, veto

    @property
    def active(self) -> bool:
        return self.add is not None or self.veto > 0

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
        drop = {n for n in found if n in self.index and probs[self.index[n]] < self.veto}
        add = {}
        if self.add is not None:
            for j in np.flatnonzero(probs >= self.add):
                if self.names[j] not in found:
                    add[self.names[j]] = float(probs[j])
        return drop, add

    def tune(self, texts: list[str], gold: list[set[str]], found: list[set[str]]) -> dict:
        """Choose ``add`` and ``veto`` for the best mean set-F1 of dev texts, given the names
        the matcher found (``found``); returns the dev scores before and after."""
        P = self.probs(texts)

        def score(add: float | None, veto: float) -> float:
            self.add, self.veto = add, veto
            total = 0.0
            for g, f, p in zip(gold, found, P, strict=True):
                drop, extra = self.decide(f, p)
                total += text_set_scores(g, (f - drop) | set(extra))[2]
            return total / max(len(gold), 1)

        before = score(None, 0.0)
        best = (before, None, 0.0)
        for add in (None, *ADD_GRID):
            for veto in VETO_GRID:
                s = score(add, veto)
                if s > best[0] + 1e-12:
                    best = (s, add, veto)
        if best[0] < before + MIN_GAIN:
            best = (before, None, 0.0)
        self.add, self.veto = best[1], best[2]
        return {
            "dev_set_f1_without": round(before, 4),
            "dev_set_f1_with": round(best[0], 4),
            "add": self.add,
            "veto": self.veto,
        }

    # -- state -------------------------------------------------------------------------
    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-ready settings, arrays) that :meth:`from_state` rebuilds the model from."""
        vocab = self.vectorizer.vocabulary_
        terms = sorted(vocab, key=vocab.get)
        arrays = {
            "names": np.array(self.names, dtype=str),
            "terms": np.array(terms, dtype=str),
            "idf": self.vectorizer.idf_.astype(np.float32),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept,
        }
        return {"add": self.add, "veto": self.veto}, arrays

    @classmethod
    def from_state(cls, settings: dict, arrays: dict[str, np.ndarray]) -> NameModel:
        terms, idf, coef = arrays["terms"], arrays["idf"], arrays["coef"]
        names = [str(n) for n in arrays["names"]]
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
            add=settings.get("add"), veto=float(settings.get("veto", 0.0)),
        )  # fmt: skip
