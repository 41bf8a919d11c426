"""Deterministic train/dev/test splits from a seed: random, or group-aware by country,
source or year, so that whole groups are held out.

>>> cfg = SplitConfig(by="country", seed=1)
>>> parts = split_corpus(load_corpus("data/corpus"), cfg)   # doctest: +SKIP
>>> sorted(parts)                                           # doctest: +SKIP
['dev', 'test', 'train']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.errors import ConfigError

if TYPE_CHECKING:  # datasets is imported where it is used: loading a model does not need it
    import datasets

SPLIT_BY = ("random", "country", "source", "year")


@dataclass(frozen=True)
class SplitConfig:
    """How to split: ``by`` one of ``SPLIT_BY``; fractions of rows (random) or of groups
    (group-aware) for dev and test; ``test_groups`` names groups to hold out as test."""

    by: str = "random"
    dev_fraction: float = 0.1
    test_fraction: float = 0.1
    seed: int = 0
    test_groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.by not in SPLIT_BY:
            raise ConfigError(f"split.by is {self.by!r}; allowed: {', '.join(SPLIT_BY)}")
        for name in ("dev_fraction", "test_fraction"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise ConfigError(f"split.{name} is {value!r}; allowed: a number in [0, 1)")
        if self.dev_fraction + self.test_fraction >= 1:
            raise ConfigError(
                f"split.dev_fraction + split.test_fraction is "
                f"{self.dev_fraction + self.test_fraction}; they must leave rows to train on (< 1)"
            )
        if isinstance(self.test_groups, str):
            raise ConfigError("split.test_groups must be a list of group names, not one string")
        object.__setattr__(self, "test_groups", tuple(self.test_groups))
        if self.test_groups and self.by == "random":
            raise ConfigError("split.test_groups needs split.by set to country, source or year")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ConfigError(f"split.seed is {self.seed!r}; allowed: a whole number")


def group_of(record: dict, by: str) -> str:
    """The group a record belongs to under ``by`` ("unknown" where the field is empty)."""
    if by == "year":
        return (record.get("date") or "")[:4] or "unknown"
    return record.get(by) or "unknown"


def _take(order: np.ndarray, sizes: np.ndarray, fraction: float, total: int) -> int:
    # Number of leading entries of `order` whose rows first reach `fraction` of the total.
    if fraction <= 0:
        return 0
    reached = np.cumsum(sizes[order]) >= fraction * total
    return int(np.argmax(reached)) + 1 if reached.any() else len(order)


def split_indices(groups: list[str], config: SplitConfig) -> dict[str, list[int]]:
    """Row indices of train, dev and test for rows with the given group names."""
    n = len(groups)
    rng = np.random.default_rng(config.seed)
    if config.by == "random":
        perm = rng.permutation(n)
        n_test, n_dev = round(n * config.test_fraction), round(n * config.dev_fraction)
        return {
            "test": sorted(perm[:n_test].tolist()),
            "dev": sorted(perm[n_test : n_test + n_dev].tolist()),
            "train": sorted(perm[n_test + n_dev :].tolist()),
        }
    names = sorted(set(groups))
    missing = [g for g in config.test_groups if g not in names]
    if missing:
        raise ConfigError(
            f"split.test_groups {missing} not found among the {config.by} values: "
            f"{', '.join(names[:30])}{' ...' if len(names) > 30 else ''}"
        )
    index = {g: i for i, g in enumerate(names)}
    codes = np.array([index[g] for g in groups])
    sizes = np.bincount(codes, minlength=len(names))
    order = rng.permutation(len(names))
    if config.test_groups:
        fixed = {index[g] for g in config.test_groups}
        test = sorted(fixed)
        rest = np.array([g for g in order if g not in fixed], dtype=int)
    else:
        k = _take(order, sizes, config.test_fraction, n)
        test, rest = sorted(order[:k].tolist()), order[k:]
    k = _take(rest, sizes, config.dev_fraction, n)
    dev = set(rest[:k].tolist())
    test_set = set(test)
    split = {"train": [], "dev": [], "test": []}
    for i, code in enumerate(codes.tolist()):
        split["test" if code in test_set else "dev" if code in dev else "train"].append(i)
    if not split["train"]:
        raise ConfigError(
            f"splitting by {config.by} left no rows to train on ({len(names)} group(s)); "
            "lower the fractions or split another way"
        )
    return split


def split_corpus(dataset: datasets.Dataset, config: SplitConfig) -> datasets.DatasetDict:
    """Split a corpus into ``train``/``dev``/``test`` ``datasets.Dataset``s."""
    import datasets

    column = "date" if config.by == "year" else config.by
    if config.by == "random":
        groups = [""] * len(dataset)
    else:
        groups = [group_of({column: v}, config.by) for v in dataset[column]]
    parts = split_indices(groups, config)
    return datasets.DatasetDict({k: dataset.select(v) for k, v in parts.items()})
