"""The predict API shared by every model family (INTERFACE.md).

    from model import load, predict
    tagger = load("runs/model")
    tags = tagger.predict(["text 1", "text 2"])
    tag = predict("one article text")

A family implements ``Tagger.score(texts)``, returning calibrated probabilities per head and
the passages behind them; everything that turns scores into the result schema lives here
and in ``model.combine`` (what the extractor adds), so every family returns the same fields
the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.combine import casualty_features, found_count, head_toll, with_implied_collectives
from model.decoding import (
    FLOOR_TOLERANCE,
    LONG_FLOOR_DEFAULT,
    best_f1_threshold,
    choose,
    is_short,
    tune_fallback,
    tune_floors,
)
from model.errors import ConfigError, InputError, ModelLoadError
from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, PARENT, SUB_EVENT_TYPES
from model.saving import (
    default_model_dir,
    load_npz,
    read_json_file,
    read_model_dir,
    save_model_dir,
)

MAX_CHARS = 2_000_000  # about 300,000 words: far past any news article


@dataclass
class Scores:
    """Calibrated probabilities for a batch of texts, and the passages behind them.

    ``evidence[i][label]`` lists (start, end, probability) of the passages of text ``i``
    that drove ``label`` (event type or sub-event type), best first. ``counts[i]``, from a
    model with a token-level count head, lists the numbers of text ``i`` it reads as death
    tolls (``{"start", "end", "value", "score"}``); None for models without one.
    """

    event_types: np.ndarray  # (n_texts, 6)
    sub_event_types: np.ndarray  # (n_texts, 25)
    actor_categories: np.ndarray  # (n_texts, 8)
    casualties: np.ndarray  # (n_texts,)
    evidence: list[dict[str, list[tuple[int, int, float]]]] = field(default_factory=list)
    counts: list[list[dict]] | None = None


def check_texts(texts: object) -> list[str]:
    """The texts as a list, or an ``InputError`` saying what is wrong and how to fix it."""
    if isinstance(texts, (str, bytes)):
        raise InputError(
            "predict() takes a list of texts, got a single string; wrap it in a list "
            "(tagger.predict([text])) or call model.predict(text) for one text"
        )
    if not isinstance(texts, Iterable):
        raise InputError(f"predict() takes a list of texts, got {type(texts).__name__}")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(
                f"text {i} is {type(text).__name__}, not str; pass strings only "
                "(decode bytes, replace None with '')"
            )
        if len(text) > MAX_CHARS:
            raise InputError(
                f"text {i} has {len(text):,} characters, over the limit of {MAX_CHARS:,}; "
                "split it into articles first"
            )
    return texts


class Tagger:
    """Base class of the model families. Subclasses set ``labels`` (task -> label tuple),
    ``thresholds`` (task -> array) and ``extractor``, and implement ``score``."""

    family = "base"

    def __init__(self) -> None:
        self.labels = {
            "event_types": EVENT_TYPES,
            "sub_event_types": SUB_EVENT_TYPES,
            "actor_categories": ACTOR_CATEGORIES,
            "casualties": ("casualties",),
        }
        self.thresholds = {task: np.full(len(v), 0.5) for task, v in self.labels.items()}
        # Per task, the share of the best probability a label must also reach, for short
        # and long texts (model/decoding.py); 0 keeps every label over its threshold.
        self.floors: dict[str, dict[str, float]] = {}
        # Per task: a short text that gets no label keeps its best one if that reaches this
        # probability (model/decoding.py); None or absent: no fallback.
        self.fallback: dict[str, float | None] = {}
        # How the casualty head's probability and the extractor's findings combine into the
        # casualty score: logistic weights fitted on dev (calibrate_with_extractor).
        self.casualty_combiner: dict | None = None
        self.extractor = None

    def score(self, texts: list[str]) -> Scores:  # pragma: no cover - abstract
        raise NotImplementedError

    def use_runtime(self, name: str) -> Tagger:
        """Which runtime runs the network: a transformer model takes ``auto``, ``torch``,
        ``onnx`` or ``onnx-int8`` (model/config.py, ``RUNTIMES``); other families run one
        way and take only ``auto``."""
        if name != "auto":
            raise ConfigError(
                f"runtime {name!r} applies to transformer models; this one is {self.family}, "
                "which takes only 'auto'"
            )
        return self

    def limit_threads(self, n: int) -> Tagger:
        """Run on at most ``n`` threads, so that several copies of a model share the cores.
        The linear family's threads are numpy's and scikit-learn's, which the caller limits
        with threadpoolctl; families with thread pools of their own override this."""
        return self

    def predict(
        self, texts: Sequence[str], *, ids: Sequence[object] | None = None, batch_size: int = 64
    ) -> list[dict]:
        """One result (INTERFACE.md schema) per text, in order.

        >>> tagger.predict(["Rebels shelled the town, killing two."])[0]["event_types"]  # doctest: +SKIP
        ['explosions_remote_violence']
        """
        texts = check_texts(texts)
        if ids is not None and len(ids) != len(texts):
            raise InputError(f"got {len(ids)} ids for {len(texts)} texts; give one id per text")
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, got {batch_size}")
        results = []
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            scores = self.score(batch)
            found = self.extractor.extract_many(batch) if self.extractor is not None else None
            for i, text in enumerate(batch):
                rid = None if ids is None else ids[start + i]
                results.append(self._result(text, scores, i, rid, found[i] if found else None))
        return results

    def predict_stream(
        self, texts: Iterable[str | dict], *, batch_size: int = 64, on_error: str = "raise"
    ) -> Iterator[dict]:
        """Results for an iterable of texts or rows (``{"text": ..., "id": ...}``), lazily,
        batch by batch, in order; a row's id is carried into its result.

        ``on_error="report"``: a row that cannot be tagged (no text, empty, not a string,
        too long) gives a result with an ``error`` field and empty labels, as in the output
        of ``python -m model predict``, instead of raising.

        >>> rows = ({"id": i, "text": t} for i, t in enumerate(texts))  # doctest: +SKIP
        >>> for result in tagger.predict_stream(rows, on_error="report"): ...  # doctest: +SKIP
        """
        from model.batch.rows import stream_results

        yield from stream_results(self, texts, batch_size=batch_size, on_error=on_error)

    def calibrate_with_extractor(self, dev: list[dict]) -> None:
        """Tune the extractor's learned actor names on dev (``Extractor.tune``), and fit, on
        dev records, the casualty score from the head's probability, what the extractor
        finds (a death or injury reported; a count) and the best event-type probability (no
        casualties without an event), with its own threshold.

        The threshold is the lowest whose dev F1 is within ``FLOOR_TOLERANCE`` of the best.
        Dev cannot tell those thresholds apart, and the lowest gives the extractor's reports
        the most weight; they carry over to text unlike dev's better than the head's
        probability does. (On the benchmark's UCDP headlines the best-F1 threshold swung from
        0.40 to 0.67 with the seed, and casualty F1 with it from 0.93 to 0.79.)
        """
        from sklearn.linear_model import LogisticRegression

        from model.schema import is_labelled

        if self.extractor is not None:
            self.extractor.tune(dev)
        rows = [r for r in dev if is_labelled(r, "casualties")]
        y = np.array([bool(r["casualties"]) for r in rows], dtype=int)
        if self.extractor is None or len(rows) < 20 or min(y.sum(), len(y) - y.sum()) < 5:
            return
        texts = [r["text"] for r in rows]
        scores = self.score(texts)
        X = np.array(
            [
                casualty_features(p, found, ev)
                for p, ev, found in zip(
                    scores.casualties,
                    scores.event_types,
                    self.extractor.extract_many(texts),
                    strict=True,
                )
            ]
        )
        fit = LogisticRegression(C=1.0).fit(X, y)
        combined = fit.predict_proba(X)[:, 1]
        self.casualty_combiner = {
            "coef": [round(float(w), 6) for w in fit.coef_[0]],
            "intercept": round(float(fit.intercept_[0]), 6),
            "threshold": best_f1_threshold(y, combined, lowest_within=FLOOR_TOLERANCE),
        }
        self.tune_counts(dev)

    def tune_counts(self, dev: list[dict]) -> None:
        """Tune, on dev, how a model's count head fills death tolls (none here)."""

    def decoding_state(self) -> dict:
        """What turns scores into labels, beyond per-label thresholds (saved with a model)."""
        return {
            "floors": self.floors,
            "fallback": self.fallback,
            "casualty_combiner": self.casualty_combiner,
        }

    def save_dir(
        self,
        out: str | Path,
        files: dict,
        *,
        labels: dict,
        metrics: dict,
        card: str,
        data_fingerprint: str,
    ) -> Path:
        """Write a model directory: the family's weight ``files`` plus what every tagger
        saves (``decoding.json``, and ``extractor.json`` when an extractor is attached)."""
        files = {**files, "decoding.json": self.decoding_state()}
        if self.extractor is not None:
            files["extractor.json"] = self.extractor.to_dict()
            if arrays := self.extractor.arrays():
                files["extractor_names.npz"] = arrays
        return save_model_dir(
            out,
            family=self.family,
            config=self.config.to_dict(),
            labels=labels,
            metrics=metrics,
            card=card,
            data_fingerprint=data_fingerprint,
            weight_files=files,
        )

    def load_shared_state(self, path: Path) -> None:
        """Read back what ``save_dir`` adds to every model (models saved before
        ``decoding.json`` existed have none)."""
        if (path / "decoding.json").exists():
            self.set_decoding_state(read_json_file(path / "decoding.json"))
        if (path / "extractor.json").exists():
            from model.extract import Extractor

            names = path / "extractor_names.npz"
            arrays = load_npz(names) if names.exists() else None
            self.extractor = Extractor.from_dict(read_json_file(path / "extractor.json"), arrays)

    def tune_label_sets(self, head, probs, thresholds, Y, mask, short) -> None:
        """The floors (and, for event types, the fallback) of ``model.decoding`` for
        ``head``, from dev probabilities, thresholds, targets, mask and which texts are
        short (sub-event types and event types only)."""
        if head not in ("event_types", "sub_event_types"):
            return
        self.floors[head] = tune_floors(
            probs, thresholds, Y, mask, short, long_default=LONG_FLOOR_DEFAULT[head]
        )
        if head == "event_types":
            floor = self.floors[head]["short"]
            self.fallback[head] = tune_fallback(
                probs[short], thresholds, Y[short], mask[short], floor
            )

    def set_decoding_state(self, state: dict) -> None:
        self.floors = state.get("floors") or {}
        self.fallback = state.get("fallback") or {}
        self.casualty_combiner = state.get("casualty_combiner")

    def _chosen(self, task: str, probs: np.ndarray, short: bool = True) -> list[str]:
        floor = self.floors.get(task, {}).get("short" if short else "long", 0.0)
        fallback = self.fallback.get(task) if short else None
        mask = choose(probs, self.thresholds[task], floor, fallback)
        return [label for label, chosen in zip(self.labels[task], mask, strict=True) if chosen]

    def _casualty_decision(self, scores: Scores, i: int, found: dict | None) -> tuple[float, bool]:
        """(casualty score, casualties) of text ``i``: the head's probability, or, with an
        extractor, the combiner's (or, without a combiner, the head or a count found)."""
        score = float(scores.casualties[i])
        if found is None:
            return score, score >= float(self.thresholds["casualties"][0])
        if self.casualty_combiner is None:
            return score, found_count(found) or score >= float(self.thresholds["casualties"][0])
        c = self.casualty_combiner
        # Models saved before the event-type feature have three weights.
        x = casualty_features(score, found, scores.event_types[i])[: len(c["coef"])]
        score = float(1 / (1 + np.exp(-(float(np.dot(c["coef"], x)) + c["intercept"]))))
        return score, score >= c["threshold"]

    def _result(self, text: str, scores: Scores, i: int, rid: object, found: dict | None) -> dict:
        """The result of text ``i`` of a scored batch; ``found``: what the extractor found
        in it (None without an extractor)."""
        event_probs = scores.event_types[i]
        short = is_short(text)
        casualty_score, casualties = self._casualty_decision(scores, i, found)
        event_types = self._chosen("event_types", event_probs, short)
        if casualties and short and not event_types:
            # The codebook counts the dead and injured of a reported event: a note with
            # casualties reports one, of its most likely type. Not so for an article, where
            # deaths with no event type in sight are more often a flood's or a crash's (on
            # bench/articles.py's embedded articles the rule cost 0.008 of macro-F1).
            event_types = [self.labels["event_types"][int(np.argmax(event_probs))]]
        # A sub-event type stands only under a predicted parent type.
        sub_event_types = [
            s
            for s in self._chosen("sub_event_types", scores.sub_event_types[i], short)
            if PARENT[s] in event_types
        ]
        categories = set(self._chosen("actor_categories", scores.actor_categories[i]))
        actors, killed, injured, count_evidence = [], None, None, []
        if found is not None:
            actors = found["actors"]
            killed, injured = found["killed"], found["injured"]
            count_evidence = found["casualty_evidence"]
            actors = with_implied_collectives(actors, event_types, event_probs)
            if event_types == ["protests"] and sub_event_types == ["peaceful_protest"]:
                # A peaceful protest is one nobody intervened in: the police or army it names
                # are what people protested against, not parties to the event.
                actors = [a for a in actors if a["category"] != "state_forces"]
            categories |= {a["category"] for a in actors}
        if not casualties:
            killed = injured = None
            count_evidence = []
        elif killed is None and scores.counts is not None and scores.counts[i]:
            # A toll the rules have no pattern for, read by the count head.
            killed, count_evidence = head_toll(text, scores.counts[i], count_evidence)
        evidence = []
        for label in event_types + sub_event_types:
            task = "event_types" if label in EVENT_TYPES else "sub_event_types"
            threshold = self.thresholds[task][self.labels[task].index(label)]
            passages = scores.evidence[i].get(label, [])[:2] if scores.evidence else []
            # The best passage, and the next only when it too reaches the label's threshold:
            # a passage the label scores near 0 is not evidence of it.
            for k, (start, end, p) in enumerate(passages):
                if k and p < threshold:
                    continue
                evidence.append(
                    {
                        "task": task,
                        "label": label,
                        "start": start,
                        "end": end,
                        "text": text[start:end],
                        "score": round(float(p), 4),
                    }
                )
        evidence.extend(count_evidence)
        result = {} if rid is None else {"id": rid}
        result.update(
            {
                "event_types": event_types,
                "event_type_scores": {
                    label: round(float(p), 4)
                    for label, p in zip(EVENT_TYPES, event_probs, strict=True)
                },
                "sub_event_types": sub_event_types,
                "actors": actors,
                "actor_categories": [c for c in ACTOR_CATEGORIES if c in categories],
                "casualties": bool(casualties),
                "casualty_score": round(casualty_score, 4),
                "killed": killed,
                "injured": injured,
                "evidence": evidence,
            }
        )
        return result


_DEFAULT: dict[str, Tagger] = {}


def load(path: str | Path | None = None) -> Tagger:
    """Load a saved model directory (default: ``runs/model``, or ``$CONFLICT_TAGGER_MODEL``)."""
    path = Path(path) if path is not None else default_model_dir()
    if path is None or not Path(path).exists():
        raise ModelLoadError(
            f"no model at {str(path)!r}; train the default one with `python train.py`, or "
            "pass the directory of a trained model to load()"
        )
    path, meta = read_model_dir(path)
    family = meta.get("family")
    if family == "linear":
        from model.linear.tagger import LinearTagger

        return LinearTagger.load(path, meta)
    if family == "transformer":
        from model.transformer.tagger import TransformerTagger

        return TransformerTagger.load(path, meta)
    raise ModelLoadError(
        f"model.json in {str(path)!r} names family {family!r}; known: linear, transformer"
    )


def predict(text: str) -> dict:
    """Tag one text with the default model (loaded once, then reused)."""
    if not isinstance(text, str):
        raise InputError(f"predict() takes one text (str), got {type(text).__name__}")
    if "tagger" not in _DEFAULT:
        _DEFAULT["tagger"] = load()
    return _DEFAULT["tagger"].predict([text])[0]
