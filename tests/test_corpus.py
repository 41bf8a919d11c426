"""The embedded corpus in data/corpus: valid, spans exact, no near-duplicates, targets met."""

import importlib.util
import json

import pytest
from conftest import ROOT

from model.corpora import default_corpus, iter_records

spec = importlib.util.spec_from_file_location("check_corpus", ROOT / "data" / "check_corpus.py")
check_corpus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_corpus)


@pytest.fixture(scope="module")
def records():
    return list(iter_records(default_corpus()))  # raises on the first invalid record


def test_every_record_is_fully_labelled(records):
    assert all(r["unlabelled"] == [] for r in records)
    assert all(r["genre"] in ("note", "article") for r in records)
    assert len({r["id"] for r in records}) == len(records)


def test_spans_point_at_their_mentions(records):
    n = 0
    for r in records:
        for a in r["actors"]:
            assert a["mention"] and r["text"][a["start"] : a["end"]] == a["mention"], r["id"]
            n += 1
    assert n > 1000


def test_no_near_duplicate_texts(records):
    assert check_corpus.near_duplicates(records) == []


def test_near_duplicate_detector_catches_a_copy(records):
    twin = dict(records[0], id="twin", text=records[0]["text"].replace(".", "!", 1))
    pairs = check_corpus.near_duplicates([records[0], twin])
    assert [(a, b) for a, b, _ in pairs] == [(records[0]["id"], "twin")]


def test_coverage_targets_are_met(records):
    missed = [(t, v) for t, ok, v in check_corpus.targets(check_corpus.describe(records)) if not ok]
    assert missed == []


def test_every_country_has_a_continent(records):
    assert {r["country"] for r in records} <= set(check_corpus.CONTINENT)


def test_datasheet_stats_are_current(records):
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split(check_corpus.BEGIN, 1)[1].split(check_corpus.END, 1)[0]
    expected = check_corpus.markdown(check_corpus.describe(records))
    assert check_corpus.BEGIN + section + check_corpus.END == expected, (
        "data/README.md statistics are stale: run python data/check_corpus.py --write"
    )


def test_fill_spans_fills_a_span_and_never_drops_a_line(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("fill_spans", ROOT / "data" / "fill_spans.py")
    fill_spans = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fill_spans)
    good = tmp_path / "good.jsonl"
    record = next(iter_records(default_corpus()))
    record.pop("unlabelled", None)  # the loader adds it; corpus files do not carry it
    actor = next(a for a in record["actors"] if a["mention"])
    actor["start"] = actor["end"] = None
    good.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert fill_spans.main([str(good)]) == 0
    filled = json.loads(good.read_text(encoding="utf-8"))
    a = next(x for x in filled["actors"] if x["name"] == actor["name"])
    assert filled["text"][a["start"] : a["end"]] == a["mention"]

    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(record) + "\n{not json\n", encoding="utf-8")
    before = broken.read_text(encoding="utf-8")
    assert fill_spans.main([str(broken)]) == 1
    assert broken.read_text(encoding="utf-8") == before
    assert "not rewritten" in capsys.readouterr().out
