import pytest

from model.errors import ConfigError
from model.splits import SplitConfig, split_indices


def countries(n=200):
    names = ["Syria", "Kenya", "India", "Nepal", "Benin", "Chad", "Mali", "Peru"]
    return [names[i % len(names)] for i in range(n)]


def test_random_split_is_deterministic_and_partitions():
    a = split_indices([""] * 100, SplitConfig(seed=3))
    b = split_indices([""] * 100, SplitConfig(seed=3))
    c = split_indices([""] * 100, SplitConfig(seed=4))
    assert a == b and a != c
    assert sorted(a["train"] + a["dev"] + a["test"]) == list(range(100))
    assert (len(a["test"]), len(a["dev"])) == (10, 10)


def test_group_split_holds_out_whole_groups():
    groups = countries()
    parts = split_indices(groups, SplitConfig(by="country", seed=1, test_fraction=0.2))
    seen = {k: {groups[i] for i in v} for k, v in parts.items()}
    assert not seen["train"] & seen["test"] and not seen["train"] & seen["dev"]
    assert not seen["dev"] & seen["test"]
    assert sorted(sum(parts.values(), [])) == list(range(len(groups)))


def test_explicit_test_groups():
    groups = countries()
    parts = split_indices(groups, SplitConfig(by="country", test_groups=("Kenya", "Peru")))
    assert {groups[i] for i in parts["test"]} == {"Kenya", "Peru"}
    with pytest.raises(ConfigError, match=r"test_groups \['Atlantis'\] not found"):
        split_indices(groups, SplitConfig(by="country", test_groups=("Atlantis",)))


def test_one_group_cannot_be_split():
    with pytest.raises(ConfigError, match="left no rows to train on"):
        split_indices(["Syria"] * 10, SplitConfig(by="country"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"by": "planet"}, "split.by is 'planet'"),
        ({"dev_fraction": 1.5}, r"allowed: a number in \[0, 1\)"),
        ({"dev_fraction": 0.5, "test_fraction": 0.5}, "must leave rows to train on"),
        ({"test_groups": ("Kenya",)}, "needs split.by"),
        ({"by": "country", "test_groups": "Kenya"}, "not one string"),
        ({"seed": "x"}, "a whole number"),
    ],
)
def test_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        SplitConfig(**kwargs)
