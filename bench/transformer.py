"""Benchmark of the transformer family against the linear one: quality on ACLED countries
held out of training and on full articles, agreement of the ONNX paths with torch, CPU
throughput on full articles, what fine-tuning took, and killed exact match with and
without the transformer's token-level count head (both families carry the extractor).

    python bench/transformer.py --n-train 8000 --out runs/bench-transformer
    python bench/transformer.py --out runs/bench-transformer --skip-train   # re-measure only

Training data: ACLED notes from the countries of the training split (``--n-train`` of them,
drawn at random) plus the embedded notes; the embedded full articles are never trained on.
Dev: notes of other countries. Test: notes of held-out countries, and the embedded articles.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import DATA, attach_extractor  # noqa: E402
from model.config import build_config  # noqa: E402
from model.corpora import load_corpus  # noqa: E402
from model.evaluation import task_metrics  # noqa: E402
from model.saving import fingerprint  # noqa: E402
from model.splits import SplitConfig, split_corpus  # noqa: E402

ACLED = f"acled:{DATA / 'acled' / 'acled_events.csv.gz'}"  # CONFLICT_BENCH_DATA moves it
ROOT = Path(__file__).resolve().parents[1]


def sample(records: list[dict], n: int, seed: int, cap: float = 0.35) -> list[dict]:
    """``n`` records at random, no country more than ``cap`` of them (ACLED is half Syria)."""
    if n <= 0 or n >= len(records):
        return records
    rng = np.random.default_rng(seed)
    taken: dict[str, int] = {}
    keep = []
    for i in rng.permutation(len(records)):
        country = records[i].get("country") or ""
        if taken.get(country, 0) < cap * n:
            taken[country] = taken.get(country, 0) + 1
            keep.append(i)
            if len(keep) == n:
                break
    return [records[i] for i in sorted(keep)]


def datasets_for(args) -> dict[str, list[dict]]:
    parts = split_corpus(load_corpus(args.acled), SplitConfig(by="country", seed=args.seed))
    train, dev, test = (parts[k].to_list() for k in ("train", "dev", "test"))
    embedded = load_corpus(str(ROOT / "data" / "corpus")).to_list()
    notes = [r for r in embedded if r.get("genre") != "article"]
    articles = [r for r in embedded if r.get("genre") == "article"]
    return {
        "train": sample(train, args.n_train, args.seed) + notes,
        "dev": sample(dev, args.n_dev, args.seed),
        "test_countries": sample(test, args.n_test, args.seed, cap=1.0),
        "articles": articles,
        "_test_country_names": sorted({r["country"] for r in test}),
    }


def train_both(data: dict, args) -> dict:
    from model.linear.tagger import LinearTagger
    from model.transformer.tagger import TransformerTagger

    timings = {}
    for family, cls in (("linear", LinearTagger), ("transformer", TransformerTagger)):
        config = build_config(overrides=args.set, model=family, seed=args.seed)
        t0 = time.perf_counter()
        tagger = cls.fit(data["train"], data["dev"], config, progress=True)
        timings[family] = round(time.perf_counter() - t0, 1)
        attach_extractor(tagger, data["train"], data["dev"])  # actors and counts, as train.py
        print(f"{family}: trained on {len(data['train']):,} texts in {timings[family]:.0f} s")
        tagger.save(
            args.out / family,
            metrics={},
            card=f"# bench {family}\n",
            data_fingerprint=fingerprint(data["train"]),
        )
    return timings


def macro(records, results, task="event_types") -> float:
    return task_metrics(records, results).get(task, {}).get("macro_f1", float("nan"))


def killed_exact(records, results) -> float | None:
    return task_metrics(records, results).get("killed", {}).get("exact_match")


def throughput(tagger, texts: list[str], batch_size: int) -> float:
    tagger.score(texts[:batch_size])  # warm-up
    t0 = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        tagger.score(texts[start : start + batch_size])
    return len(texts) / (time.perf_counter() - t0)


def measure(data: dict, args) -> dict:
    from model.api import load

    report: dict = {"load_average": os.getloadavg()[0]}
    linear = load(args.out / "linear")
    sets = {k: data[k] for k in ("test_countries", "articles")}
    for name, records in sets.items():
        results = linear.predict([r["text"] for r in records])
        report[f"linear/{name}/event_macro_f1"] = macro(records, results)
        report[f"linear/{name}/killed_exact_match"] = killed_exact(records, results)
    tx = load(args.out / "transformer")
    scores = {}
    for runtime in ("torch", "onnx", "onnx-int8"):
        tx.use_runtime(runtime)
        for name, records in sets.items():
            texts = [r["text"] for r in records]
            results = tx.predict(texts)
            scores[runtime, name] = tx.score(texts[:300])  # enough for the agreement check
            for task in ("event_types", "sub_event_types", "actor_categories"):
                report[f"{runtime}/{name}/{task}_macro_f1"] = macro(records, results, task)
            report[f"{runtime}/{name}/casualties_f1"] = (
                task_metrics(records, results).get("casualties", {}).get("f1")
            )
            report[f"{runtime}/{name}/killed_exact_match"] = killed_exact(records, results)
    # The count head's part: the same network with the head's figures never taken.
    threshold, tx.count_threshold = tx.count_threshold, float("inf")
    for name, records in sets.items():
        results = tx.predict([r["text"] for r in records])
        report[f"onnx-int8/{name}/killed_exact_match_without_count_head"] = killed_exact(
            records, results
        )
    tx.count_threshold = threshold
    for runtime in ("onnx", "onnx-int8"):
        for name in sets:
            a, b = scores["torch", name], scores[runtime, name]
            diff = max(
                np.abs(getattr(a, f) - getattr(b, f)).max()
                for f in ("event_types", "sub_event_types", "actor_categories", "casualties")
            )
            report[f"{runtime}/{name}/max_prob_diff_vs_torch"] = float(diff)
    articles = [r["text"] for r in data["articles"]]
    report["articles_mean_words"] = float(np.mean([len(t.split()) for t in articles]))
    for runtime in ("torch", "onnx", "onnx-int8"):
        tx.use_runtime(runtime)
        report[f"{runtime}/articles_per_s"] = round(throughput(tx, articles, 16), 2)
    report["linear/articles_per_s"] = round(throughput(linear, articles, 16), 2)
    return report


def speed_sweep(articles: list[str], grid: list[str], out: Path) -> dict:
    """Articles per second of untrained networks (speed does not depend on the weights) for
    ``n_layers:max_length`` settings, on each ONNX path."""
    import json as _json

    from transformers import AutoTokenizer

    from model.api import load
    from model.config import TrainConfig
    from model.transformer.network import build_network, packaged_encoder_dir
    from model.transformer.tagger import TransformerTagger

    report = {}
    for item in grid:
        n_layers, max_length = (int(x) for x in item.split(":"))
        config = TrainConfig(
            model="transformer",
            transformer={"n_layers": n_layers, "max_length": max_length, "stride": 32},
        )
        net = build_network(packaged_encoder_dir(), n_layers=n_layers)
        tokenizer = AutoTokenizer.from_pretrained(str(packaged_encoder_dir()))
        encoder_config = _json.loads(net.encoder.config.to_json_string())
        tagger = TransformerTagger(config, tokenizer, encoder_config, net=net)
        tagger.save(out / f"sweep-{item}", metrics={}, card="", data_fingerprint="")
        loaded = load(out / f"sweep-{item}")
        if item == grid[0]:
            # MACHINE-NOTES' setting (32 windows of 128 tokens, int8): compares machines and load.
            ids = np.random.default_rng(0).integers(1000, 5000, (32, 128))
            runner = loaded.use_runtime("onnx-int8").runner
            runner(ids, np.ones_like(ids))
            t0 = time.perf_counter()
            runner(ids, np.ones_like(ids))
            rate = round(32 / (time.perf_counter() - t0), 1)
            report[f"sweep/layers={n_layers}/reference_int8_128_tokens_windows_per_s"] = rate
        for runtime in ("onnx", "onnx-int8"):
            loaded.use_runtime(runtime)
            rate = round(throughput(loaded, articles, 16), 2)
            report[f"sweep/layers={n_layers}/max_length={max_length}/{runtime}/articles_per_s"] = (
                rate
            )
            print(f"layers {n_layers} max_length {max_length} {runtime}: {rate} articles/s")
    return report


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--acled", default=ACLED)
    p.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-transformer")
    p.add_argument("--n-train", type=int, default=8000, help="ACLED training notes (0: all)")
    p.add_argument("--n-dev", type=int, default=1000)
    p.add_argument("--n-test", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--set", action="append", default=[], help="config override, e.g. transformer.n_layers=4"
    )
    p.add_argument("--skip-train", action="store_true", help="measure models already in --out")
    p.add_argument(
        "--sweep",
        nargs="*",
        default=[],
        metavar="LAYERS:MAX_LENGTH",
        help="also time untrained networks, e.g. --sweep 6:256 4:256 3:128",
    )
    p.add_argument("--only-sweep", action="store_true", help="time the --sweep settings only")
    p.add_argument("--threads", type=int, default=2, help="torch threads (the target is 2 cores)")
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    if args.only_sweep:
        embedded = load_corpus(str(ROOT / "data" / "corpus")).to_list()
        articles = [r["text"] for r in embedded if r.get("genre") == "article"]
        print(json.dumps(speed_sweep(articles, args.sweep, args.out), indent=2))
        return 0
    data = datasets_for(args)
    print(
        json.dumps({k: len(v) for k, v in data.items()}),
        "held-out countries:",
        ", ".join(data["_test_country_names"]),
    )
    report = {"n": {k: len(v) for k, v in data.items() if not k.startswith("_")}}
    if not args.skip_train:
        report["fit_seconds"] = train_both(data, args)
    report.update(measure(data, args))
    if args.sweep:
        articles = [r["text"] for r in data["articles"]]
        report.update(speed_sweep(articles, args.sweep, args.out))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    for key, value in report.items():
        print(f"{key:<58} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
