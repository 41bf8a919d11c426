import doctest
import json

import pytest

import model.config
from model.config import LinearConfig, TrainConfig, build_config, read_config_file
from model.errors import ConfigError


def test_doctest():
    assert doctest.testmod(model.config).failed == 0


def test_file_then_overrides_then_flags(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text(
        '[train]\nseed = 5\n[linear]\nC = 3.0\nword_ngrams = [1, 3]\n[data.split]\nby = "country"\n'
    )
    cfg = build_config(toml, ["linear.C=7"], model="linear", specs=["a.jsonl"])
    assert (cfg.seed, cfg.linear.C, cfg.linear.word_ngrams) == (5, 7, (1, 3))
    assert cfg.data.split.by == "country" and cfg.data.specs == ("a.jsonl",)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    js = tmp_path / "c.json"
    js.write_text(json.dumps({"train": {"seed": 2}}))
    assert build_config(js).seed == 2


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["linear.colour=red"], r"unknown setting\(s\) \['colour'\] in linear; known:"),
        (["linear.C=-1"], "linear.C is -1; allowed: >= 1e-06"),
        (["linear.C=abc"], "linear.C is 'abc'; allowed: a number"),
        (["linear.word_ngrams=[3, 1]"], "linear.word_ngrams is"),
        (["linear.class_weight=heavy"], "linear.class_weight is 'heavy'"),
        (["linear.n_jobs=0"], "linear.n_jobs is 0"),
        (["linear.country_balance=-0.5"], "linear.country_balance is -0.5; allowed: >= 0 and <= 2"),
        (["train.model=forest"], "train.model is 'forest'; allowed: linear, transformer"),
        (["train.seed=1.5"], "train.seed is 1.5"),
        (["data.on_error=ignore"], "data.on_error is 'ignore'"),
        (["data.split.by=planet"], "split.by is 'planet'"),
        (["C=2"], "must look like section.key=value"),
        (["nosuch.key=1"], r"unknown setting\(s\) \['nosuch'\] in config"),
    ],
)
def test_bad_settings(overrides, message):
    with pytest.raises(ConfigError, match=message):
        build_config(overrides=overrides)


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        read_config_file(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[train\n")
    with pytest.raises(ConfigError, match="cannot parse config file"):
        read_config_file(bad)
    other = tmp_path / "c.yaml"
    other.write_text("a: 1")
    with pytest.raises(ConfigError, match="must end in .json or .toml"):
        read_config_file(other)
    with pytest.raises(ConfigError, match="data.specs must be a list"):
        model.config.DataConfig(specs="a.jsonl")
    assert LinearConfig(word_ngrams=[1, 2]).word_ngrams == (1, 2)
