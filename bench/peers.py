"""The taggers a user would otherwise pick, trained on the same split as ours:

- ``tfidf-lr``: a plain one-vs-rest TF-IDF (word 1-2-grams) + logistic regression, one
  classifier per label, scikit-learn defaults, threshold 0.5;
- ``spacy-textcat``: spaCy's ``textcat_multilabel`` on a blank English pipeline (no
  pretrained vectors), bag-of-words architecture (spaCy's "efficiency" choice: the CNN
  ensemble is about 4x slower to train, over the time budget on 2 cores), 3 epochs,
  threshold 0.5. Labels a record does not carry are passed as missing, not negative.

Both predict event types, sub-event types, actor categories and casualty presence, and
return results in the INTERFACE.md schema (no actor names, no counts), so the same
evaluation scores them.
"""

from __future__ import annotations

import random

import numpy as np

from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, SUB_EVENT_TYPES

TASKS = {
    "event_types": ("event_types", EVENT_TYPES),
    "sub_event_types": ("sub_event_types", SUB_EVENT_TYPES),
    "actor_categories": ("actors", ACTOR_CATEGORIES),
    "casualties": ("casualties", ("casualties",)),
}


def targets(records: list[dict], task: str) -> tuple[np.ndarray, np.ndarray]:
    """(Y, labelled): 0/1 targets (n, n_labels), the same as our linear heads train on, and
    which rows carry the task's labels."""
    from model.linear.tagger import targets as head_targets

    Y, mask = head_targets(records, task)
    return Y, mask[:, 0]


def results_from_probs(probs: dict[str, np.ndarray], threshold: float = 0.5) -> list[dict]:
    """INTERFACE.md results from per-task probabilities (n_texts, n_labels)."""
    out = []
    for i in range(len(probs["event_types"])):
        chosen = {
            task: [
                label
                for label, p in zip(TASKS[task][1], probs[task][i], strict=True)
                if p >= threshold
            ]
            for task in TASKS
        }
        score = float(probs["casualties"][i, 0])
        out.append(
            {
                "event_types": chosen["event_types"],
                "event_type_scores": {
                    label: round(float(p), 4)
                    for label, p in zip(EVENT_TYPES, probs["event_types"][i], strict=True)
                },
                "sub_event_types": chosen["sub_event_types"],
                "actors": [],
                "actor_categories": chosen["actor_categories"],
                "casualties": score >= threshold,
                "casualty_score": round(score, 4),
                "killed": None,
                "injured": None,
                "evidence": [],
            }
        )
    return out


class TfidfLogReg:
    """One-vs-rest TF-IDF + logistic regression (see the module docstring)."""

    family = "tfidf-lr"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.vectorizer = None
        self.heads: dict[str, list] = {}

    def fit(self, train: list[dict], dev: list[dict] | None = None) -> TfidfLogReg:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        X = self.vectorizer.fit_transform([r["text"] for r in train])
        for task in TASKS:
            Y, labelled = targets(train, task)
            heads = []
            for j in range(Y.shape[1]):
                y = Y[labelled, j]
                if y.min() == y.max():
                    heads.append(float(y.max()) if len(y) else 0.0)  # constant probability
                    continue
                clf = LogisticRegression(solver="liblinear", random_state=self.seed)
                heads.append(clf.fit(X[labelled], y))
            self.heads[task] = heads
        return self

    def predict(self, texts: list[str], batch_size: int = 256) -> list[dict]:
        X = self.vectorizer.transform(list(texts))
        probs = {
            task: np.column_stack(
                [
                    np.full(X.shape[0], h) if isinstance(h, float) else h.predict_proba(X)[:, 1]
                    for h in heads
                ]
            )
            for task, heads in self.heads.items()
        }
        return results_from_probs(probs)


class SpacyTextcat:
    """spaCy ``textcat_multilabel`` (see the module docstring); needs the ``bench`` extra."""

    family = "spacy-textcat"
    epochs = 3
    batch_size = 32

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.nlp = None

    @staticmethod
    def _key(task: str, label: str) -> str:
        return f"{task}:{label}"

    def fit(self, train: list[dict], dev: list[dict] | None = None) -> SpacyTextcat:
        try:
            import spacy
            from spacy.training import Example
            from spacy.util import minibatch
            from thinc.api import fix_random_seed
        except ImportError as exc:
            raise ImportError(
                f"spaCy is needed for the spacy-textcat peer ({exc}); install the bench extra: "
                "pip install -e '.[bench]'"
            ) from None
        fix_random_seed(self.seed)
        self.nlp = spacy.blank("en")
        textcat = self.nlp.add_pipe(
            "textcat_multilabel",
            config={
                "model": {
                    "@architectures": "spacy.TextCatBOW.v3",
                    "exclusive_classes": False,
                    "ngram_size": 2,
                    "no_output_layer": False,
                }
            },
        )
        for task, (_, labels) in TASKS.items():
            for label in labels:
                textcat.add_label(self._key(task, label))
        cats = [{} for _ in train]
        for task, (_, labels) in TASKS.items():
            Y, labelled = targets(train, task)
            for i in np.flatnonzero(labelled):
                for j, label in enumerate(labels):
                    cats[i][self._key(task, label)] = float(Y[i, j])
        examples = [
            Example.from_dict(self.nlp.make_doc(r["text"]), {"cats": c})
            for r, c in zip(train, cats, strict=True)
        ]
        optimizer = self.nlp.initialize(lambda: examples[:500])
        rng = random.Random(self.seed)
        for _ in range(self.epochs):
            rng.shuffle(examples)
            for batch in minibatch(examples, size=self.batch_size):
                self.nlp.update(batch, drop=0.2, sgd=optimizer)
        return self

    def predict(self, texts: list[str], batch_size: int = 256) -> list[dict]:
        docs = list(self.nlp.pipe(list(texts), batch_size=batch_size))
        probs = {
            task: np.array(
                [[d.cats[self._key(task, label)] for label in labels] for d in docs]
            ).reshape(len(docs), len(labels))
            for task, (_, labels) in TASKS.items()
        }
        return results_from_probs(probs)


PEERS = {"tfidf-lr": TfidfLogReg, "spacy-textcat": SpacyTextcat}
