"""Weak labels for unlabelled articles (``weak:PATH``). Sentences written for these tests."""

import csv
import gzip
import json

import pytest

from model.corpora import load_corpus
from model.corpora.weak import label_article, mentions_remote_violence, remote_violence_sub_event
from model.errors import DataError, SpecError


@pytest.mark.parametrize(
    ("sentence", "sub"),
    [
        ("Warplanes struck a market in the north, killing nine people.", "air_drone_strike"),
        ("A drone strike hit a car near the border, killing two.", "air_drone_strike"),
        ("Helicopter gunships pounded hideouts in the valley.", "air_drone_strike"),
        ("Barrel bombs and rockets were dropped on the town, killing four.", "air_drone_strike"),
        (
            "Mortar shells fell on a school, wounding six pupils.",
            "shelling_artillery_missile_attack",
        ),
        (
            "Artillery fire destroyed three houses in the village.",
            "shelling_artillery_missile_attack",
        ),
        ("A shell exploded in the square and injured a boy.", "shelling_artillery_missile_attack"),
        ("A roadside bomb killed three soldiers on the highway.", "remote_explosive_landmine_ied"),
        ("A landmine explosion injured two shepherds.", "remote_explosive_landmine_ied"),
        ("A suicide bomber blew himself up at a checkpoint, killing five.", "suicide_bomb"),
    ],
)
def test_remote_violence_sentences_get_their_sub_event(sentence, sub):
    assert remote_violence_sub_event(sentence) == sub


@pytest.mark.parametrize(
    "sentence",
    [
        # ground fighting with shelling in it is a battle
        "Rebels clashed with troops under heavy shelling, and ten fighters were killed.",
        "Both sides exchanged fire and mortar rounds across the line; two died.",
        # not a report of something that happened
        "The ministry denied that its aircraft had struck the hospital.",
        "The governor warned that rockets could hit the city.",
        "Talks on a ceasefire after weeks of air strikes resumed on Monday.",
        # riot and policing language
        "Police fired tear gas shells at the crowd and injured several.",
        "Youths hurled crude bombs at a party office, damaging its gate.",
        "Protesters said the shelling had killed their relatives.",
        # no effect, no weapon
        "Aircraft flew over the capital.",
        "Gunmen killed a shopkeeper in the market.",
        "",
    ],
)
def test_other_sentences_are_left_unlabelled(sentence):
    assert remote_violence_sub_event(sentence) is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        # any weapon of remote violence, even as part of a clash or a denial
        ("Rebels clashed with troops under heavy shelling; ten fighters were killed.", True),
        ("The ministry denied that its aircraft had struck the hospital.", True),
        ("Militants threw a grenade at a police post.", True),
        ("Police arrested a man who had planted a mine on the road.", True),
        ("A drone was seen over the camp.", True),
        # none named
        ("Gunmen shot dead a soldier at a checkpoint in the north.", False),
        ("Government forces captured two villages from the rebels.", False),
        ("Militants stormed a police station and seized weapons.", False),
        ("", False),
    ],
)
def test_mentions_remote_violence(text, named):
    assert mentions_remote_violence(text) is named


def test_label_article_gives_sentence_spans():
    text = (
        "Fighting went on near the airport. Two children were killed in an air raid on the "
        "market. Officials met in the capital."
    )
    [(start, end, sub)] = label_article(text)
    assert text[start:end] == "Two children were killed in an air raid on the market."
    assert sub == "air_drone_strike"


def _write_csv(path, rows, gz=False):
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


ARTICLES = [
    {
        "doc": "a1",
        "body": "Shelling hit the old town and killed four. A new mayor was chosen.",
        "place": "Yemen",
    },
    # the same sentence again in another article: kept once
    {"doc": "a2", "body": "Shelling hit the old town and killed four.", "place": "Yemen"},
    {"doc": "a3", "body": "Nothing of the kind happened here.", "place": "Chad"},
]


def test_weak_csv_corpus_labels_sentences_and_leaves_the_rest_unlabelled(tmp_path):
    path = _write_csv(tmp_path / "news.csv.gz", ARTICLES, gz=True)
    [rec] = load_corpus(f"weak:{path}#text=body,id=doc,country=place").to_list()
    assert rec["text"] == "Shelling hit the old town and killed four."
    assert rec["id"] == "a1@0"
    assert rec["event_types"] == ["explosions_remote_violence"]
    assert rec["sub_event_types"] == ["shelling_artillery_missile_attack"]
    # the extractor counts four killed: casualties true; actors and counts stay unlabelled
    assert rec["casualties"] is True
    assert set(rec["unlabelled"]) == {"actors", "killed", "injured"}
    assert rec["country"] == "Yemen" and rec["genre"] == "sentence"


def test_weak_casualties_unlabelled_without_a_count(tmp_path):
    rows = [{"doc": "b1", "body": "Warplanes struck the bridge and destroyed it.", "place": ""}]
    path = _write_csv(tmp_path / "news.csv", rows)
    [rec] = load_corpus(f"weak:{path}#text=body,id=doc,country=place").to_list()
    assert rec["casualties"] is None and "casualties" in rec["unlabelled"]


def test_weak_jsonl_corpus_and_bad_lines(tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [
        json.dumps({"text": "A car bomb killed six people near the mosque."}),
        "{not json",
        json.dumps({"text": 5}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid JSON"):
        load_corpus(f"weak:{path}")
    problems = []
    with pytest.warns(Warning, match="skipped 2 bad row"):
        records = load_corpus(f"weak:{path}", on_error="skip", problems=problems).to_list()
    assert [r["sub_event_types"] for r in records] == [["remote_explosive_landmine_ied"]]
    assert len(problems) == 2


def test_weak_corpus_errors(tmp_path):
    path = _write_csv(tmp_path / "news.csv", ARTICLES)
    with pytest.raises(DataError, match="missing column"):
        load_corpus(f"weak:{path}")  # no "text" column without a mapping
    with pytest.raises(SpecError, match="unknown field"):
        load_corpus(f"weak:{path}#text=body,actors=x")
    other = tmp_path / "news.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(SpecError, match="must be a .csv"):
        load_corpus(f"weak:{other}")


def _train_main():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "train.py"
    spec = importlib.util.spec_from_file_location("train_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_train_py_puts_weak_records_in_training_only(tmp_path, capsys):
    from conftest import write_jsonl
    from test_linear import tiny_corpus

    corpus = write_jsonl(tmp_path / "notes.jsonl", tiny_corpus(6))
    weak = _write_csv(tmp_path / "news.csv", ARTICLES)
    main = _train_main()
    common = ["--set", "linear.min_df=1", "--set", "data.split.by=random", "--out"]
    args = ["--data", str(corpus), "--data", f"weak:{weak}#text=body,id=doc", *common]
    assert main([*args, str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "(1 weakly labelled)" in out
    # dev and test come from the labelled corpus alone: 42 records in all
    loaded = out.split("loaded ", 1)[1].split("\n", 1)[0]
    n_train = int(loaded.split(": ", 1)[1].split(" train")[0])
    n_dev = int(loaded.split(", ")[-2].split(" dev")[0])
    n_test = int(loaded.split(", ")[-1].split(" test")[0])
    assert n_train - 1 + n_dev + n_test == 42
    card = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    assert "| actors and casualties | score |" in card and "| casualties F1 |" in card
    assert "`linear.country_balance=0.5`" in card  # the default, said where users look
    assert "`linear.role_weight=0.5`" in card
    # no dev text is over 100 words: the long-text floor is the default, and the card says so
    assert "reaches 0.7 of their best type's (the default: dev held 0 such texts" in card
    # weak labels alone cannot train a model that needs dev thresholds and test metrics
    assert main(["--data", f"weak:{weak}#text=body", *common, str(tmp_path / "w")]) == 2
    assert "train only" in capsys.readouterr().err


def test_model_card_says_how_the_long_text_floor_was_set():
    from model.config import TrainConfig

    card = _train_main().__globals__["model_card"]
    n = {"train": 1, "dev": 1, "test": 1}
    tuned = card(TrainConfig(), n, {}, [], long_floor=0.0, n_long_dev=40)
    assert "every event type whose probability reaches its threshold" in tuned
    assert "(tuned on the 40 such texts in dev)" in tuned
    default = card(TrainConfig(), n, {}, [], long_floor=0.7, n_long_dev=3)
    assert "reaches 0.7 of their best type's (the default: dev held 3 such texts" in default
    assert "Texts over" not in card(TrainConfig(), n, {}, [])
