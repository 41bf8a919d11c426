"""The transformer tagger: a packaged pretrained encoder fine-tuned for every head at once,
scored over sliding windows that cover the whole text.

Training (``TransformerTagger.fit``): texts are cut into overlapping token windows
(``datasets.map``); a text's logit for a label is the maximum over its windows; the network
is fine-tuned with masked binary cross-entropy, evaluated on dev as it goes, stopped early,
and finally Platt-calibrated with a per-label threshold on dev (``model.transformer.training``).
With ``transformer.linear_blend`` above 0, a linear model (``model.linear``) is trained on the
same records, and each label's score is Platt scaling of a weighted sum of the two models'
calibrated log-odds, fitted on dev; thresholds, floors and fallback are then tuned on dev for
the blended scores. Evidence windows are ranked by the network's probabilities alone.
At prediction, the windows that drove each label come back as evidence. With ONNX Runtime
installed, a saved model runs on its exported ONNX graph (fp32, or int8 as an option); torch
is the reference and the training path.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path

import numpy as np

from model.api import Scores, Tagger
from model.config import RUNTIMES, TrainConfig
from model.decoding import is_short
from model.errors import ConfigError, ModelLoadError
from model.linear.features import fatality_phrase_spans, mask_fatality_phrases
from model.linear.heads import best_f1_threshold, country_weights, sigmoid
from model.linear.tagger import HEADS, LinearTagger, targets
from model.saving import read_json_file
from model.transformer import counts
from model.transformer.network import N_OUTPUTS, head_slices
from model.transformer.runtime import (
    ONNX_FP32,
    ONNX_INT8,
    OnnxRunner,
    TorchRunner,
    onnxruntime_available,
)
from model.transformer.windows import event_windows, max_by_owner, run_windows, text_windows

_EVIDENCE_HEADS = ("event_types", "sub_event_types")


class TransformerTagger(Tagger):
    """The accuracy model; see the module docstring for how it is trained and run."""

    family = "transformer"

    def __init__(
        self,
        config: TrainConfig,
        tokenizer,
        encoder_config: dict,
        *,
        net=None,
        path: Path | None = None,
    ) -> None:
        super().__init__()
        self.config, self.tokenizer, self.encoder_config = config, tokenizer, encoder_config
        self.net, self.path = net, path  # path: saved directory (weights, ONNX files)
        self.platt = np.tile(np.array([1.0, 0.0], dtype=np.float32), (N_OUTPUTS, 1))
        self.cutoffs = np.full(N_OUTPUTS, 0.5, dtype=np.float32)
        self.count_threshold = 0.5  # the count head's, on its probability (counts.py)
        # transformer.linear_blend: the linear model, and per output the Platt slope and
        # offset of the blended log-odds (``_blended_logits``).
        self.linear: LinearTagger | None = None
        self.blend_platt = np.tile(np.array([1.0, 0.0], dtype=np.float32), (N_OUTPUTS, 1))
        self.history: list[dict] = []
        self.runtime = config.transformer.runtime
        self.threads = 0  # ONNX Runtime's threads; 0: its default, one per core
        self._runner = None
        self._sync_thresholds()

    # -- training ---------------------------------------------------------------------------
    @classmethod
    def fit(cls, train: list[dict], dev: list[dict], config: TrainConfig, *, progress: bool = True):
        """Fine-tune on ``train`` records, evaluate and calibrate on ``dev`` records."""
        from transformers import AutoTokenizer

        from model.transformer.network import build_network, encoder_dir
        from model.transformer.training import fine_tune

        cfg = config.transformer
        path = encoder_dir(cfg.encoder)
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        if not getattr(tokenizer, "is_fast", False):
            raise ConfigError(
                f"the tokenizer in {str(path)!r} is not a fast (Rust) tokenizer, so it gives no "
                "character offsets for evidence; save the encoder with a tokenizer.json"
            )
        net = build_network(
            path,
            n_layers=cfg.n_layers,
            dropout=cfg.dropout,
            seed=config.seed,
            count_head=cfg.count_head,
        )
        encoder_config = json.loads(net.encoder.config.to_json_string())
        tagger = cls(config, tokenizer, encoder_config, net=net)
        train_ex = tagger.examples(
            train, mask_fatalities=cfg.mask_fatality_phrases, progress=progress
        )
        dev_ex = tagger.examples(dev, mask_fatalities=False, progress=progress) if dev else None
        if progress:
            n_windows = sum(len(w) for w in train_ex.windows)
            print(
                f"fine-tuning on {len(train):,} texts ({n_windows:,} windows of <= {cfg.max_length} tokens)"
            )
        tagger.history = fine_tune(
            net, train_ex, dev_ex, cfg, seed=config.seed, pad_id=tagger.pad_id, progress=progress
        )
        tagger._runner = None
        if cfg.linear_blend > 0:
            if progress:
                print(f"linear model to blend in (weight {cfg.linear_blend})")
            tagger.linear = LinearTagger.fit(train, dev, config, progress=progress)
        if dev_ex is not None:
            tagger.calibrate(dev_ex, texts=[r["text"] for r in dev])
        return tagger

    @property
    def pad_id(self) -> int:
        return int(self.tokenizer.pad_token_id or 0)

    def examples(self, records: list[dict], *, mask_fatalities: bool, progress: bool = False):
        """Records tokenised into windows (``datasets.map``) with their multi-hot targets
        and the count head's targets (``model.transformer.counts``)."""
        import datasets

        from model.transformer.training import Examples

        cfg = self.config.transformer
        texts = [
            mask_fatality_phrases(r["text"]) if mask_fatalities else r["text"] for r in records
        ]
        mentions, count_y = [], []
        for r, text in zip(records, texts, strict=True):
            # ACLED's "3 fatalities." is no count a news text would give (dev keeps it).
            skip = fatality_phrase_spans(text)
            found = [
                m
                for m in counts.number_mentions(text)
                if not any(a < m[1] and m[0] < b for a, b in skip)
            ]
            toll = counts.record_toll(r)
            y = counts.count_targets(found, toll) if toll is not None else None
            mentions.append([list(m) for m in found] if y else [])
            count_y.append(y or [])

        def tokenise(batch: dict) -> dict:
            windows = text_windows(
                self.tokenizer,
                batch["text"],
                max_length=cfg.max_length,
                stride=cfg.stride,
                offsets=True,
            )
            spots = []
            for offsets, stored in zip(windows["offsets"], batch["mentions"], strict=True):
                found = [tuple(m) for m in stored]  # datasets stores them as lists
                spots.append([counts.mention_positions(o, found) for o in offsets])
            return {"input_ids": windows["input_ids"], "count_spots": spots}

        with _progress_bars(progress):
            ds = datasets.Dataset.from_dict({"text": texts, "mentions": mentions}).map(
                tokenise,
                batched=True,
                remove_columns=["text", "mentions"],
                keep_in_memory=True,
                desc="windows",
            )
        pairs = [targets(records, h) for h in HEADS]
        Y = np.concatenate([y for y, _ in pairs], axis=1).astype(np.float32)  # (n, n_outputs)
        mask = np.concatenate([m for _, m in pairs], axis=1)
        countries = [r.get("country") for r in records]
        weights = np.concatenate(
            [country_weights(countries, y, m, cfg.country_balance) for y, m in pairs], axis=1
        ).astype(np.float32)
        data = ds.to_dict()
        per_text = [
            (y, [[tuple(p) for p in w] for w in spots])
            for y, spots in zip(count_y, data["count_spots"], strict=True)
        ]
        return Examples(data["input_ids"], Y, mask, per_text, weights)

    def calibrate(self, dev, texts: list[str] | None = None) -> None:
        """Platt scaling and F1-best thresholds per label from dev (records, or
        ``Examples`` with their ``texts``); then, with the texts, the linear blend's Platt
        scaling and thresholds, and the floors and fallback of ``model.decoding``."""
        if isinstance(dev, list):
            texts = [r["text"] for r in dev]
            dev = self.examples(dev, mask_fatalities=False)
        runner, size = self._torch(), self.config.transformer.infer_batch_size
        if runner.has_tokens and dev.counts is not None:
            logits, owner, token_logits = run_windows(
                runner, dev.windows, self.pad_id, size, tokens=True
            )
            self._calibrate_counts(dev, token_logits)
        else:
            logits, owner = run_windows(runner, dev.windows, self.pad_id, size)
        agg = max_by_owner(logits, owner, len(dev.windows))  # (n_texts, n_outputs)
        from sklearn.linear_model import LogisticRegression

        for j in range(N_OUTPUTS):
            rows = dev.mask[:, j]
            y, s = dev.Y[rows, j], agg[rows, j]
            if len(y) < 4 or min(y.sum(), len(y) - y.sum()) < 2:
                continue  # too few dev labels: keep the plain sigmoid and 0.5
            platt = LogisticRegression(C=1.0).fit(s[:, None], y)
            self.platt[j] = (platt.coef_[0, 0], platt.intercept_[0])
            self.cutoffs[j] = best_f1_threshold(y, self._probs(s, j))
        if texts is not None:
            probs = self._probs(agg)
            if self.linear is not None:
                probs = self._calibrate_blend(probs, self.linear.head_probs(texts), dev)
            short = np.array([is_short(t) for t in texts])
            for h, cols in head_slices().items():
                probs_h, Y, mask = probs[:, cols], dev.Y[:, cols], dev.mask[:, cols]
                self.tune_label_sets(h, probs_h, self.cutoffs[cols], Y, mask, short)
        self._sync_thresholds()

    def _calibrate_blend(self, probs, linear_probs, dev) -> np.ndarray:
        """Fit the blend's Platt scaling and thresholds on dev probabilities of the
        network and the linear model (n_texts, n_outputs); returns the blended ones."""
        from sklearn.linear_model import LogisticRegression

        z = self._blended_logits(probs, linear_probs)
        for j in range(N_OUTPUTS):
            rows = dev.mask[:, j]
            y = dev.Y[rows, j]
            if len(y) < 4 or min(y.sum(), len(y) - y.sum()) < 2:
                continue
            platt = LogisticRegression(C=1.0).fit(z[rows, j][:, None], y)
            self.blend_platt[j] = (platt.coef_[0, 0], platt.intercept_[0])
            a, b = self.blend_platt[j]  # as stored (float32), so as at prediction
            self.cutoffs[j] = best_f1_threshold(y, sigmoid(z[rows, j] * a + b))
        return self._blend_probs(z)

    def _blended_logits(self, probs: np.ndarray, linear_probs: np.ndarray) -> np.ndarray:
        w = self.config.transformer.linear_blend
        return (1 - w) * _logit(probs) + w * _logit(linear_probs)

    def _blend_probs(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z * self.blend_platt[:, 0] + self.blend_platt[:, 1])

    def _calibrate_counts(self, dev, token_logits: list[np.ndarray]) -> None:
        """The count head's threshold: the best F1 over dev's number mentions, each scored
        as the maximum over its windows (as at prediction)."""
        ys, scores, k = [], [], 0
        for (truth, spots), windows in zip(dev.counts, dev.windows, strict=True):
            best = counts.best_over_windows(len(truth), spots, token_logits[k : k + len(windows)])
            k += len(windows)
            seen = np.isfinite(best)
            ys.extend(np.asarray(truth)[seen])
            scores.extend(best[seen])
        y = np.asarray(ys, dtype=np.float32)
        if len(y) >= 4 and min(y.sum(), len(y) - y.sum()) >= 2:
            self.count_threshold = best_f1_threshold(y, sigmoid(np.asarray(scores)))

    def tune_counts(self, dev: list[dict]) -> None:
        """The count head's threshold, end to end: the one whose filled tolls give the best
        mean of dev's killed exact match and deaths F1, the rules and the casualty decision
        as at prediction (ties: the highest, filling least). The mention-level threshold of
        ``_calibrate_counts`` fills too often: on the quality bench (seed 0, 3 layers) it
        took 0.31, and deaths F1 on the held-out countries fell from 0.909 to 0.900; this
        took 0.6, and it rose to 0.922 (at e541ea5)."""
        rows = [r for r in dev if counts.record_toll(r) is not None]
        if not self.runner.has_tokens or len(rows) < 20:
            return
        from sklearn.metrics import f1_score

        texts, tolls = [r["text"] for r in rows], [counts.record_toll(r) for r in rows]
        kept, self.count_threshold = self.count_threshold, 0.0  # every mention, with its score
        scores = self.score(texts)
        self.count_threshold = kept
        found = self.extractor.extract_many(texts) if self.extractor is not None else None
        best = -1.0
        # 1.01: above every probability, so the head never fills a toll.
        for t in [*np.round(np.arange(0.1, 0.95, 0.05), 2), 1.01]:
            chosen = dataclasses.replace(
                scores, counts=[[c for c in cs if c["score"] >= t] for cs in scores.counts]
            )
            killed = [
                self._result(text, chosen, i, None, found[i] if found else None)["killed"]
                for i, text in enumerate(texts)
            ]
            exact = [k == toll for k, toll in zip(killed, tolls, strict=True) if toll]
            deaths = f1_score(
                [toll > 0 for toll in tolls], [bool(k) for k in killed], zero_division=0.0
            )
            score = (float(np.mean(exact)) if exact else 0.0) / 2 + deaths / 2
            if score >= best - 1e-9:
                best, self.count_threshold = score, float(t)

    def _sync_thresholds(self) -> None:
        self.thresholds = {h: self.cutoffs[cols] for h, cols in head_slices().items()}

    def _probs(self, logits: np.ndarray, cols=slice(None)) -> np.ndarray:
        return sigmoid(logits * self.platt[cols, 0] + self.platt[cols, 1])

    # -- runtimes ---------------------------------------------------------------------------
    def use_runtime(self, name: str) -> TransformerTagger:
        """Run on ``torch``, ``onnx`` (fp32), ``onnx-int8``, or ``auto`` (ONNX fp32 when the
        model is saved with it and onnxruntime is installed, torch otherwise)."""
        if name not in RUNTIMES:
            raise ConfigError(f"runtime {name!r} is unknown; allowed: {', '.join(RUNTIMES)}")
        self.runtime, self._runner = name, None
        return self

    def limit_threads(self, n: int) -> TransformerTagger:
        """Run ONNX Runtime on at most ``n`` threads (torch's are set with
        ``torch.set_num_threads``)."""
        self.threads, self._runner = n, None
        return self

    @property
    def runner(self):
        if self._runner is None:
            self._runner = self._make_runner()
        return self._runner

    def _make_runner(self):
        name = self.runtime
        if name == "auto":
            onnx_ready = self.path is not None and (self.path / ONNX_FP32).exists()
            name = "onnx" if onnx_ready and onnxruntime_available() else "torch"
        if name == "torch":
            return self._torch()
        file = self.path / (ONNX_INT8 if name == "onnx-int8" else ONNX_FP32) if self.path else None
        if file is None or not file.exists():
            raise ConfigError(
                f"runtime {name!r} needs {file.name if file else ONNX_FP32} from a saved model; "
                "save the model with transformer.onnx=true (and transformer.int8=true for int8), "
                "load it, or use runtime 'torch'"
            )
        if not onnxruntime_available():
            raise ConfigError(f"runtime {name!r} needs onnxruntime; pip install onnxruntime")
        return OnnxRunner(file, name, threads=self.threads)

    def _torch(self) -> TorchRunner:
        if self.net is None:
            self.net = self._load_network()
        from model.transformer.training import pick_device

        device = pick_device(self.config.transformer.device)
        return TorchRunner(self.net.to(device), device)

    # -- prediction -------------------------------------------------------------------------
    def score(self, texts: list[str]) -> Scores:
        cfg = self.config.transformer
        with_counts = bool(self.runner.has_tokens)
        windows = event_windows(
            self.tokenizer, texts, max_length=cfg.max_length, stride=cfg.stride, offsets=with_counts
        )
        size = self.runner.max_batch or cfg.infer_batch_size
        logits, owner, *token_logits = run_windows(
            self.runner, windows["input_ids"], self.pad_id, size, tokens=with_counts
        )  # (n_windows, n_outputs), (n_windows,)[, per window its tokens' count logits]
        probs = self._probs(max_by_owner(logits, owner, len(texts)))  # (n_texts, n_outputs)
        if self.linear is not None:
            probs = self._blend_probs(self._blended_logits(probs, self.linear.head_probs(texts)))
        window_probs = self._probs(logits)
        slices = head_slices()
        evidence: list[dict] = []
        found: list[list[dict]] | None = [] if with_counts else None
        starts = np.concatenate([[0], np.cumsum([len(s) for s in windows["spans"]])])
        for i, spans in enumerate(windows["spans"]):
            rows = window_probs[starts[i] : starts[i + 1]]  # (n_windows of text i, n_outputs)
            bucket = {}
            for h in _EVIDENCE_HEADS:
                for j, label in enumerate(HEADS[h], start=slices[h].start):
                    best = np.argsort(-rows[:, j], kind="stable")[:2]
                    bucket[label] = [(*spans[k], float(rows[k, j])) for k in best]
            evidence.append(bucket)
            if found is not None:
                mentions = counts.number_mentions(texts[i])
                best_logit = counts.mention_logits(
                    windows["offsets"][i], token_logits[0][starts[i] : starts[i + 1]], mentions
                )
                found.append(counts.counted(mentions, sigmoid(best_logit), self.count_threshold))
        return Scores(
            event_types=probs[:, slices["event_types"]],
            sub_event_types=probs[:, slices["sub_event_types"]],
            actor_categories=probs[:, slices["actor_categories"]],
            casualties=probs[:, slices["casualties"]][:, 0],
            evidence=evidence,
            counts=found,
        )

    # -- saving -----------------------------------------------------------------------------
    def save(self, out: str | Path, *, metrics: dict, card: str, data_fingerprint: str) -> Path:
        """Write the model directory: safetensors weights, encoder config, tokenizer files,
        calibration, and (``transformer.onnx``) the ONNX graphs of the fast CPU path."""
        from safetensors.torch import save_file

        from model.transformer.runtime import export_onnx

        cfg = self.config.transformer
        if self.linear is None and cfg.linear_blend > 0:
            # A network built without fit (bench/transformer.py's speed sweep) has no linear
            # model to blend: its config must say so, or loading would look for one.
            cfg = dataclasses.replace(cfg, linear_blend=0.0)
            self.config = dataclasses.replace(self.config, transformer=cfg)
        net = self.net if self.net is not None else self._load_network()
        state = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
        slices = head_slices()
        labels = {
            h: {
                "labels": list(HEADS[h]),
                "thresholds": [round(float(t), 4) for t in self.cutoffs[slices[h]]],
            }
            for h in HEADS
        }
        files = {
            "weights.safetensors": lambda p: save_file(state, str(p)),
            "encoder/config.json": self.encoder_config,
            # A folder: save_pretrained writes every file the tokenizer needs into it.
            "tokenizer": lambda p: self.tokenizer.save_pretrained(str(p)),
            "calibration.json": {
                "labels": [label for h in HEADS for label in HEADS[h]],
                "platt": self.platt.tolist(),
                "thresholds": self.cutoffs.tolist(),
                "count_threshold": float(self.count_threshold),
                "blend_platt": self.blend_platt.tolist(),
            },
            "training.json": {"dev_history": self.history},
        }
        if self.linear is not None:
            files.update({f"linear/{k}": v for k, v in self.linear.weight_files().items()})
        if cfg.onnx:
            files[ONNX_FP32] = lambda p: export_onnx(
                net, self.encoder_config, p.parent, int8=cfg.int8
            )
        return self.save_dir(
            out, files, labels=labels, metrics=metrics, card=card, data_fingerprint=data_fingerprint
        )

    @classmethod
    def load(cls, path: Path, meta: dict) -> TransformerTagger:
        """A saved model (see ``model.load``); the network itself loads on first torch use."""
        from transformers import AutoTokenizer

        path = Path(path)
        try:
            config = TrainConfig.from_saved(read_json_file(path / "config.json"))
            labels = read_json_file(path / "labels.json")
            for h in HEADS:
                if labels[h]["labels"] != list(HEADS[h]):
                    raise ModelLoadError(
                        f"labels.json head {h!r} has labels {labels[h]['labels']}, but this "
                        f"package knows {list(HEADS[h])}; retrain the model with this version"
                    )
            calibration = read_json_file(path / "calibration.json")
            platt = np.asarray(calibration["platt"], dtype=np.float32)
            cutoffs = np.asarray(calibration["thresholds"], dtype=np.float32)
            # Models saved before the linear blend have no blend_platt.
            identity = [[1.0, 0.0]] * N_OUTPUTS
            blend_platt = np.asarray(calibration.get("blend_platt", identity), dtype=np.float32)
            if (
                platt.shape != (N_OUTPUTS, 2)
                or blend_platt.shape != (N_OUTPUTS, 2)
                or cutoffs.shape != (N_OUTPUTS,)
            ):
                raise ValueError(f"calibration.json does not match the {N_OUTPUTS} outputs")
            encoder_config = read_json_file(path / "encoder" / "config.json")
            history = read_json_file(path / "training.json").get("dev_history", [])
            if not (path / "tokenizer" / "tokenizer_config.json").exists():
                raise ModelLoadError(f"{str(path)!r} has no tokenizer/; copy the whole directory")
            tokenizer = AutoTokenizer.from_pretrained(
                str(path / "tokenizer"), local_files_only=True
            )
        except ModelLoadError:
            raise
        except (KeyError, ValueError, TypeError, OSError) as exc:
            raise ModelLoadError.incomplete(path, exc) from None
        tagger = cls(config, tokenizer, encoder_config, path=path)
        tagger.platt, tagger.cutoffs, tagger.history = platt, cutoffs, history
        if config.transformer.linear_blend > 0:
            tagger.linear = LinearTagger.from_files(path / "linear", config)
            tagger.blend_platt = blend_platt
        tagger.count_threshold = float(calibration.get("count_threshold", 0.5))
        tagger._sync_thresholds()
        tagger.load_shared_state(path)
        return tagger

    def _load_network(self):
        from safetensors.torch import load_file

        from model.transformer.network import network_from_config

        if self.path is None:
            raise ModelLoadError(
                "this tagger has no network and no saved directory to load it from"
            )
        try:
            state = load_file(str(self.path / "weights.safetensors"))
            # Models saved before the count head have none.
            net = network_from_config(self.encoder_config, "count_head.weight" in state)
            net.load_state_dict(state, strict=True)
        except (OSError, RuntimeError) as exc:
            raise ModelLoadError(
                f"cannot load {str(self.path / 'weights.safetensors')!r}: {exc}; the weights do "
                "not match encoder/config.json. Retrain or restore the directory"
            ) from None
        return net.eval()


@contextlib.contextmanager
def _progress_bars(show: bool):
    """datasets' progress bars on or off for one block, restored afterwards."""
    import datasets

    was_disabled = datasets.is_progress_bar_enabled() is False
    if not show:
        datasets.disable_progress_bars()
    try:
        yield
    finally:
        if not show and not was_disabled:
            datasets.enable_progress_bars()


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p) - np.log1p(-p)
