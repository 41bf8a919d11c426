"""Metrics, evaluation, reports and evaluate.py: numbers recomputable from the written
predictions, skipped tasks said out loud, plots written."""

import json

import pytest
from conftest import record, write_jsonl

import evaluate
from model.config import build_config
from model.evaluation import error_analysis, summary_rows, task_metrics
from model.linear.tagger import LinearTagger
from model.metrics import (
    binary_metrics,
    calibration_bins,
    confusion,
    count_metrics,
    label_metrics,
    set_metrics,
    text_set_scores,
)

ET = ("battles", "riots", "protests")


def result(
    event_types=(),
    scores=None,
    sub=(),
    cats=(),
    actors=(),
    casualties=False,
    score=0.0,
    killed=None,
    injured=None,
):
    return {
        "event_types": list(event_types),
        "event_type_scores": scores or {},
        "sub_event_types": list(sub),
        "actors": [{"name": n, "category": "rebel_group"} for n in actors],
        "actor_categories": list(cats),
        "casualties": casualties,
        "casualty_score": score,
        "killed": killed,
        "injured": injured,
        "evidence": [],
    }


# -- metrics ------------------------------------------------------------------------------


def test_label_metrics_micro_macro_and_support():
    gold = [["battles"], ["battles"], ["riots"], []]
    pred = [["battles"], [], ["riots", "battles"], ["protests"]]
    m = label_metrics(gold, pred, ET)
    # battles: tp 1, fp 1, fn 1 -> F1 0.5; riots: F1 1; protests has no support -> not in macro
    assert m["per_label"]["battles"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "support": 2,
        "n_predicted": 2,
    }
    assert m["macro_f1"] == 0.75
    assert m["micro_f1"] == round(2 * 2 / (2 * 2 + 2 + 1), 4)  # tp 2, fp 2, fn 1
    assert m["per_label"]["protests"]["n_predicted"] == 1


def test_confusion_columns_for_none_and_several():
    conf = confusion(["battles", "riots", "riots"], [["battles"], [], ["riots", "battles"]], ET)
    assert conf["gold"] == ["battles", "riots"]
    assert conf["predicted"] == ["battles", "riots", "(none)", "(several)"]
    assert conf["matrix"] == [[1, 0, 0, 0], [0, 0, 1, 1]]


def test_ece_by_hand():
    gold = [True, False, True, True]
    scores = [0.05, 0.05, 0.95, 1.0]
    calib = calibration_bins(gold, scores)
    # bin 0: mean 0.05, rate 0.5 -> 0.45 * 2/4; bin 9: mean 0.975, rate 1 -> 0.025 * 2/4
    assert calib["ece"] == round(0.45 * 0.5 + 0.025 * 0.5, 4)
    assert [b["count"] for b in calib["bins"]] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 2]


def test_binary_metrics_auc_needs_both_classes():
    m = binary_metrics([True, False, True], [True, True, False], [0.9, 0.8, 0.1])
    assert (m["precision"], m["recall"], m["roc_auc"]) == (0.5, 0.5, 0.5)
    assert binary_metrics([True, True], [True, True], [0.9, 0.8])["roc_auc"] is None


def test_set_scores_edge_cases():
    assert text_set_scores(set(), set()) == (1.0, 1.0, 1.0)
    assert text_set_scores({"A"}, set()) == (0.0, 0.0, 0.0)
    assert text_set_scores(set(), {"A"}) == (0.0, 0.0, 0.0)
    m = set_metrics([{"A", "B"}, set()], [{"A", "C"}, set()])
    assert m["f1"] == round((0.5 + 1.0) / 2, 4)
    assert (m["micro_precision"], m["micro_recall"]) == (0.5, 0.5)


def test_count_metrics_rules():
    m = count_metrics([10, 100, 5, None, None], [10, 95, None, 3, None])
    assert m["n_texts"] == 3
    assert m["exact_match"] == round(1 / 3, 4)
    assert m["within_10pct"] == round(2 / 3, 4)
    assert m["mean_absolute_error"] == round((0 + 5 + 5) / 3, 4)  # missing counts as 0
    assert (m["coverage"], m["n_no_number"], m["spurious_rate"]) == (round(2 / 3, 4), 2, 0.5)
    assert count_metrics([None], [3]) is None


# -- task_metrics and error analysis --------------------------------------------------------


def test_task_metrics_skips_unlabelled_tasks_and_says_why():
    records = [
        record(
            "a",
            event_types=["battles"],
            unlabelled=["sub_event_types", "injured"],
            sub_event_types=None,
            injured=None,
            casualties=True,
            killed=3,
        ),
        record(
            "b",
            event_types=["riots"],
            unlabelled=["sub_event_types", "injured"],
            sub_event_types=None,
            injured=None,
        ),
    ]
    results = [result(["battles"], casualties=True, score=0.9, killed=3), result([])]
    m = task_metrics(records, results)
    assert m["skipped"] == ["sub_event_types", "injured"]
    assert "not labelled" in m["skipped_why"]["injured"]
    assert m["event_types"]["confusion"]["matrix"] == [[1, 0, 0, 0], [0, 0, 1, 0]]
    assert m["killed"]["exact_match"] == 1.0
    assert ("casualties", "roc_auc", 1.0) in summary_rows(m)


def test_multi_label_corpus_has_no_confusion():
    records = [record("a", event_types=["battles", "riots"]), record("b", event_types=[])]
    m = task_metrics(records, [result(["battles"]), result([])])
    assert "confusion" not in m["event_types"]


def test_actor_names_use_the_canonicaliser_on_both_sides():
    records = [record("a", actors=[{"name": "ISIS", "category": "rebel_group"}])]
    results = [result(actors=["Islamic State"])]
    assert task_metrics(records, results, canonical=str)["actor_names"]["f1"] == 0.0
    same = lambda name: "Islamic State" if name in ("ISIS", "Islamic State") else name  # noqa: E731
    assert task_metrics(records, results, canonical=same)["actor_names"]["f1"] == 1.0


def test_errors_rank_most_confident_mistakes_first():
    records = [record(str(i), text=f"text number {i}", event_types=[]) for i in range(3)]
    results = [result(["battles"], scores={"battles": p}) for p in (0.6, 0.99, 0.7)]
    errors = error_analysis(records, results, n=2, canonical=str)
    fps = errors["event_types"]["false_positives"]
    assert [e["id"] for e in fps] == ["1", "2"]
    assert fps[0]["excerpt"] == "text number 1"


def test_errors_list_a_repeated_text_once():
    records = [record(str(i), text="same headline", event_types=[]) for i in range(3)]
    errors = error_analysis(records, [result(["riots"], scores={"riots": 0.9})] * 3, canonical=str)
    assert [e["id"] for e in errors["event_types"]["false_positives"]] == ["0"]


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match="one per record"):
        task_metrics([record()], [])


# -- evaluate.py ----------------------------------------------------------------------------

PHRASES = {
    "battles": "Rebels and army troops fought fierce gun battles near the river crossing.",
    "riots": "A mob torched cars and looted shops after the football match.",
    "protests": "Teachers marched peacefully to parliament demanding higher pay.",
}


@pytest.fixture(scope="module")
def model_and_data(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evaluate")
    records = [
        record(
            f"{etype}-{k}",
            f"{text} Report {k}.",
            event_types=[etype],
            sub_event_types=None,
            casualties=etype == "battles",
            killed=2 if etype == "battles" else None,
            actors=[{"name": "Rebels", "category": "rebel_group"}],
            unlabelled=["injured", "sub_event_types"],
        )
        for k in range(4)
        for etype, text in PHRASES.items()
    ]
    config = build_config(overrides=["linear.min_df=1", "linear.C=20"])
    tagger = LinearTagger.fit(records, records, config, progress=False)
    out = tmp / "tiny"
    tagger.save(out, metrics={}, card="# tiny", data_fingerprint="test")
    return out, write_jsonl(tmp / "gold.jsonl", records), records


def test_evaluate_writes_recomputable_report(model_and_data, tmp_path, capsys):
    model_dir, data, records = model_and_data
    report = tmp_path / "report"
    assert (
        evaluate.main(["--model", str(model_dir), "--data", str(data), "--report", str(report)])
        == 0
    )
    printed = capsys.readouterr().out
    assert "event_types" in printed and "skipped sub_event_types" in printed
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["format"] == evaluate.FORMAT and metrics["skipped"] == [
        "sub_event_types",
        "injured",
    ]
    predictions = [json.loads(x) for x in (report / "predictions.jsonl").read_text().splitlines()]
    gold = [json.loads(x) for x in (report / "gold.jsonl").read_text().splitlines()]
    assert [p["id"] for p in predictions] == [r["id"] for r in records] == [g["id"] for g in gold]
    recomputed = label_metrics(
        [g["event_types"] for g in gold], [p["event_types"] for p in predictions], ET
    )
    assert (
        recomputed["per_label"]["riots"]["f1"] == metrics["event_types"]["per_label"]["riots"]["f1"]
    )
    text = (report / "report.md").read_text()
    assert "## Event types" in text and "confusion_event_types_tiny.png" in text
    for png in (
        "per_label_event_types.png",
        "confusion_event_types_tiny.png",
        "reliability_casualties.png",
    ):
        assert (report / png).read_bytes()[:4] == b"\x89PNG"


def test_evaluate_compares_models_side_by_side(model_and_data, tmp_path, capsys):
    model_dir, data, _ = model_and_data
    report = tmp_path / "report"
    args = ["--model", str(model_dir), "--model", str(model_dir), "--data", str(data)]
    assert evaluate.main([*args, "--report", str(report), "--limit", "5"]) == 0
    header = capsys.readouterr().out.splitlines()[2]
    assert "tiny" in header and "tiny-2" in header
    combined = json.loads((report / "metrics.json").read_text())
    assert sorted(combined["models"]) == ["tiny", "tiny-2"]
    assert combined["models"]["tiny"]["n_texts"] == 5
    assert (report / "tiny-2" / "predictions.jsonl").exists()


def test_evaluate_missing_model_says_how_to_fix(model_and_data, tmp_path, capsys):
    _, data, _ = model_and_data
    assert evaluate.main(["--model", str(tmp_path / "nope"), "--data", str(data)]) == 2
    assert "no model at" in capsys.readouterr().err
