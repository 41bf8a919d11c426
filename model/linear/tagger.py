"""The linear tagger: TF-IDF features, one calibrated logistic head per label, and
passage-level scoring so that an event in an article's tenth paragraph counts as much as
one in its lead.

Training (``LinearTagger.fit``):
1. heads are fitted on whole documents (notes and articles);
2. multiple-instance rounds: each training article is cut into passages; for a label the
   article has, its best-scoring passage becomes a positive example; for a label it lacks,
   every passage becomes a negative. The heads are refitted on documents plus passages, so
   they learn to recognise an event in one paragraph of a long article;
3. Platt scaling and per-label thresholds are fitted on the dev split, on scores
   aggregated exactly as at prediction time.
At prediction, a text's score for a label is the maximum over its passages (and the whole
text); the best passages are returned as evidence.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from model.api import Scores, Tagger
from model.config import TrainConfig
from model.decoding import is_short
from model.errors import ModelLoadError
from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, SUB_EVENT_TYPES
from model.linear.features import Featurizer, mask_fatality_phrases
from model.linear.heads import LinearHead, country_weights, fit_binary
from model.passages import has_new_event, passage_spans
from model.saving import load_npz, read_json_file
from model.schema import is_labelled

HEADS = {
    "event_types": EVENT_TYPES,
    "sub_event_types": SUB_EVENT_TYPES,
    "actor_categories": ACTOR_CATEGORIES,
    "casualties": ("casualties",),
}
_TASK_OF_HEAD = {
    "event_types": "event_types",
    "sub_event_types": "sub_event_types",
    "actor_categories": "actors",
    "casualties": "casualties",
}


def targets(records: list[dict], head: str) -> tuple[np.ndarray, np.ndarray]:
    """(Y, mask), both (n_records, n_labels): 0/1 targets, and which rows carry them."""
    labels = HEADS[head]
    index = {label: j for j, label in enumerate(labels)}
    Y = np.zeros((len(records), len(labels)), dtype=np.int8)
    mask = np.zeros((len(records), len(labels)), dtype=bool)
    for i, rec in enumerate(records):
        if not is_labelled(rec, _TASK_OF_HEAD[head]):
            continue
        mask[i] = True
        if head == "actor_categories":
            chosen = {a["category"] for a in rec["actors"] or ()}
        elif head == "casualties":
            chosen = {"casualties"} if rec["casualties"] else set()
        else:
            chosen = set(rec[head] or ())
        for label in chosen:
            Y[i, index[label]] = 1
    return Y, mask


def _units(texts: list[str], max_words: int) -> tuple[list[str], list[int], list[tuple]]:
    """Scoring units: the whole text, plus its passages when it has more than one.
    Returns unit texts, the text index of each unit, and each unit's span (None = whole)."""
    unit_texts, owner, spans = [], [], []
    for i, text in enumerate(texts):
        unit_texts.append(text)
        owner.append(i)
        split = len(text) > 200 or has_new_event(text)
        passages = passage_spans(text, max_words) if split else []
        spans.append((0, len(text)) if len(passages) <= 1 else None)
        if len(passages) > 1:
            for s, e in passages:
                unit_texts.append(text[s:e])
                owner.append(i)
                spans.append((s, e))
    return unit_texts, owner, spans


class LinearTagger(Tagger):
    """Fast CPU tagger; see the module docstring for how it is trained."""

    family = "linear"

    def __init__(self, config: TrainConfig, featurizer: Featurizer, heads: dict[str, LinearHead]):
        super().__init__()
        self.config, self.featurizer, self.heads = config, featurizer, heads
        self.thresholds = {task: head.thresholds for task, head in heads.items()}

    # -- training ---------------------------------------------------------------------------
    @classmethod
    def fit(
        cls, train: list[dict], dev: list[dict], config: TrainConfig, *, progress: bool = True
    ) -> LinearTagger:
        """Train on ``train`` records, calibrate on ``dev`` records."""
        cfg = config.linear
        texts = [
            mask_fatality_phrases(r["text"]) if cfg.mask_fatality_phrases else r["text"]
            for r in train
        ]
        t0 = time.perf_counter()
        featurizer = Featurizer(cfg).fit(texts)
        X = featurizer.transform(texts)
        if progress:
            print(
                f"features: {X.shape[1]:,} from {len(texts):,} texts "
                f"({time.perf_counter() - t0:.1f} s)"
            )
        heads = {h: LinearHead(h, labels, X.shape[1]) for h, labels in HEADS.items()}
        data = {h: targets(train, h) for h in HEADS}
        countries = [r.get("country") for r in train]
        weights = {h: country_weights(countries, *data[h], cfg.country_balance) for h in HEADS}
        cls._fit_heads(heads, data, weights, X, None, config, progress, "documents")
        # Multiple-instance rounds over the passages of long training texts.
        unit_texts, owner, _ = _units(texts, cfg.passage_words)
        passage_rows = [k for k in range(len(owner)) if _is_split(owner, k)]
        if passage_rows and cfg.mil_rounds:
            XP = featurizer.transform([unit_texts[k] for k in passage_rows])
            P_owner = np.array([owner[k] for k in passage_rows])
            for r in range(cfg.mil_rounds):
                extra = {h: _passage_targets(heads[h], XP, P_owner, *data[h]) for h in HEADS}
                stage = f"passages {r + 1}"
                passages = (XP, P_owner, extra)
                cls._fit_heads(heads, data, weights, X, passages, config, progress, stage)
        tagger = cls(config, featurizer, heads)
        if dev:
            tagger.calibrate(dev)
        return tagger

    @staticmethod
    def _fit_heads(heads, data, weights, X, passages, config, progress, stage):
        """Fit every label of every head, each row weighted as ``weights`` says (a passage
        as the text it comes from). With ``linear.n_jobs`` above 1, labels are fitted in
        worker processes: liblinear's random state is per process, so results do not depend
        on the number of workers."""
        import scipy.sparse as sp
        from joblib import Parallel, delayed

        def rows_of(h: str, j: int):
            Y, mask = data[h]
            rows = np.flatnonzero(mask[:, j])
            Xj, yj, wj = X[rows], Y[rows, j], weights[h][rows, j]
            if passages is not None:
                XP, P_owner, extra = passages
                prow, py = extra[h][j]
                if len(prow):
                    Xj = sp.vstack([Xj, XP[prow]], format="csr")
                    yj = np.concatenate([yj, py])
                    wj = np.concatenate([wj, weights[h][P_owner[prow], j]])
            return Xj, yj, wj

        jobs = [(h, j) for h in HEADS for j in range(len(HEADS[h])) if data[h][1][:, j].any()]
        bar = tqdm(total=len(jobs), desc=f"fit heads ({stage})", disable=not progress, leave=False)
        parallel = Parallel(n_jobs=config.linear.n_jobs, return_as="generator")

        def job(h: str, j: int):
            Xj, yj, wj = rows_of(h, j)
            return delayed(fit_binary)(Xj, yj, config.linear, config.seed, sample_weight=wj)

        fits = parallel(job(h, j) for h, j in jobs)
        for (h, j), fitted in zip(jobs, fits, strict=True):
            heads[h].set_label(j, fitted)
            bar.update()
        bar.close()

    def calibrate(self, dev: list[dict]) -> None:
        """Fit Platt scaling and thresholds of every head on dev records."""
        texts = [r["text"] for r in dev]
        raw = self._raw_scores(texts)[0]
        short = np.array([is_short(t) for t in texts])
        for h, head in self.heads.items():
            Y, mask = targets(dev, h)
            head.calibrate(raw[h], Y, mask)
            self.tune_label_sets(h, head.probs(raw[h]), head.thresholds, Y, mask, short)
        self.thresholds = {task: head.thresholds for task, head in self.heads.items()}

    # -- prediction -------------------------------------------------------------------------
    def head_probs(self, texts: list[str]) -> np.ndarray:  # (n_texts, n_outputs)
        """Every head's calibrated probabilities side by side, in ``HEADS`` order."""
        raw = self._raw_scores(texts)[0]
        return np.hstack([self.heads[h].probs(raw[h]) for h in HEADS])

    def _raw_scores(self, texts: list[str]):
        unit_texts, owner, spans = _units(texts, self.config.linear.passage_words)
        X = self.featurizer.transform(unit_texts)
        owner = np.array(owner, dtype=int)
        raw, unit_raw = {}, {}
        for h, head in self.heads.items():
            s = head.scores(X)  # (n_units, n_labels)
            agg = np.full((len(texts), s.shape[1]), -np.inf)
            np.maximum.at(agg, owner, s)
            raw[h], unit_raw[h] = agg, s
        return raw, unit_raw, owner, spans

    def score(self, texts: list[str]) -> Scores:
        raw, unit_raw, owner, spans = self._raw_scores(texts)
        probs = {h: self.heads[h].probs(raw[h]) for h in self.heads}
        evidence: list[dict] = [{} for _ in texts]
        for h in ("event_types", "sub_event_types"):
            unit_probs = self.heads[h].probs(unit_raw[h])
            for k, span in enumerate(spans):
                if span is None:
                    continue
                bucket = evidence[owner[k]]
                for j, label in enumerate(HEADS[h]):
                    bucket.setdefault(label, []).append((span[0], span[1], unit_probs[k, j]))
        for bucket in evidence:
            for items in bucket.values():
                items.sort(key=lambda x: -x[2])
                del items[2:]
        return Scores(
            event_types=probs["event_types"],
            sub_event_types=probs["sub_event_types"],
            actor_categories=probs["actor_categories"],
            casualties=probs["casualties"][:, 0],
            evidence=evidence,
        )

    # -- saving -----------------------------------------------------------------------------
    def save(self, out: str | Path, *, metrics: dict, card: str, data_fingerprint: str) -> Path:
        files = self.weight_files()
        labels = files.pop("labels.json")
        return self.save_dir(
            out, files, labels=labels, metrics=metrics, card=card, data_fingerprint=data_fingerprint
        )

    def weight_files(self) -> dict:
        """The files ``load`` rebuilds the featurizer and heads from (file name: content)."""
        vocab, arrays = self.featurizer.state()
        for head in self.heads.values():
            arrays.update(head.arrays())
        labels = {
            h: {
                "labels": list(HEADS[h]),
                "thresholds": [round(float(t), 4) for t in hd.thresholds],
            }
            for h, hd in self.heads.items()
        }
        return {"weights.npz": arrays, "vocab.json": vocab, "labels.json": labels}

    @classmethod
    def load(cls, path: Path, meta: dict) -> LinearTagger:
        try:
            config = TrainConfig.from_saved(read_json_file(path / "config.json"))
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelLoadError.incomplete(path, exc) from None
        tagger = cls.from_files(path, config)
        tagger.load_shared_state(path)
        return tagger

    @classmethod
    def from_files(cls, path: Path, config: TrainConfig) -> LinearTagger:
        """The featurizer and heads from the files of ``weight_files`` in ``path``."""
        try:
            labels = read_json_file(path / "labels.json")
            vocab = read_json_file(path / "vocab.json")
            arrays = load_npz(path / "weights.npz")
            featurizer = Featurizer.from_state(config.linear, vocab, arrays)
            heads = {}
            for h in HEADS:
                if labels[h]["labels"] != list(HEADS[h]):
                    raise ModelLoadError(
                        f"labels.json head {h!r} has labels {labels[h]['labels']}, but this "
                        f"package knows {list(HEADS[h])}; retrain the model with this version"
                    )
                heads[h] = LinearHead.from_arrays(h, labels[h]["labels"], arrays)
                if heads[h].coef.shape[1] != featurizer.n_features:
                    raise ValueError(
                        f"head {h!r} has {heads[h].coef.shape[1]} weights per label but the "
                        f"features number {featurizer.n_features}"
                    )
        except ModelLoadError:
            raise
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelLoadError.incomplete(path, exc) from None
        return cls(config, featurizer, heads)


def _is_split(owner: list[int], k: int) -> bool:
    # Passage units of a split text always follow its whole-text unit.
    return k > 0 and owner[k] == owner[k - 1]


def _passage_targets(head: LinearHead, XP, P_owner: np.ndarray, Y: np.ndarray, mask: np.ndarray):
    """Per label: passage rows and 0/1 targets for one multiple-instance round."""
    scores = head.scores(XP)  # (n_passages, n_labels)
    out = []
    for j in range(Y.shape[1]):
        rows, ys = [], []
        best: dict[int, int] = {}
        for k, doc in enumerate(P_owner):
            if not mask[doc, j]:
                continue
            if Y[doc, j]:
                if doc not in best or scores[k, j] > scores[best[doc], j]:
                    best[doc] = k
            else:
                rows.append(k)
                ys.append(0)
        rows += list(best.values())
        ys += [1] * len(best)
        out.append((np.array(rows, dtype=int), np.array(ys, dtype=np.int8)))
    return out
