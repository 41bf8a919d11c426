"""Event types on full articles: how many types a model gives an article, and how the
long-text floor of ``model.decoding`` (the share of its best type's probability a further
type must reach) changes that.

    python bench/articles.py                       # both settings, linear family
    python bench/articles.py --settings embedded --set linear.C=2.0

Two settings, both tested on the embedded corpus's 132 full articles (data/corpus), which
carry every event type and the multi-event articles users send:

- ``embedded``: what ``python train.py`` does, one region out at a time. For each article
  file (A1 Middle East and North Africa, A2 sub-Saharan Africa, A3 Asia and elsewhere),
  train on the rest of the embedded corpus (a random 10% of it as dev, as train.py's default
  split) and test on that file's articles.
- ``acled``: a model of ACLED notes, as users train with ``--data acled:...``: the split of
  bench/transformer.py (``--n-train`` notes of the training countries, and the embedded
  notes; dev = notes of other countries), tested on all 132 articles. Its dev has no
  article, so nothing there can tune the floor.

For each, event-type macro-F1, precision, recall and types per article at the floor the
model chose ("as trained") and at each floor of ``--floors``. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import load_family, quiet_datasets  # noqa: E402
from bench.transformer import ACLED, ROOT, datasets_for  # noqa: E402
from model.config import build_config  # noqa: E402
from model.corpora import load_corpus  # noqa: E402
from model.evaluation import task_metrics  # noqa: E402
from model.splits import SplitConfig, split_corpus  # noqa: E402

FILES = ("A1", "A2", "A3")


def embedded_folds(seed: int):
    """(name, train, dev, test) per article file: the rest of the embedded corpus trains,
    split at random into train and dev as train.py's default split does."""
    corpus = load_corpus(str(ROOT / "data" / "corpus"))
    split = SplitConfig(by="random", dev_fraction=0.1, test_fraction=0.0, seed=seed)
    for name in FILES:
        out = [rid.startswith(f"{name}-") for rid in corpus["id"]]
        held = [i for i, o in enumerate(out) if o]
        rest = corpus.select([i for i, o in enumerate(out) if not o])
        parts = split_corpus(rest, split)
        yield name, parts["train"].to_list(), parts["dev"].to_list(), corpus.select(held).to_list()


def acled_fold(args):
    data = datasets_for(args)
    yield "all", data["train"], data["dev"], data["articles"]


def measure(tagger, test: list[dict], floors: list[float]) -> dict:
    """Event-type figures on ``test`` at the model's own long-text floor and at ``floors``."""
    texts = [r["text"] for r in test]
    own = tagger.floors["event_types"]["long"]
    out = {}
    for floor in [None, *floors]:
        tagger.floors["event_types"]["long"] = own if floor is None else floor
        results = tagger.predict(texts)
        m = task_metrics(test, results)["event_types"]
        # Over the labels the articles carry, as macro_f1 is.
        present = [v for v in m["per_label"].values() if v["support"]]
        out["as trained" if floor is None else f"{floor:g}"] = {
            "macro_f1": m["macro_f1"],
            "precision": float(np.mean([v["precision"] for v in present])),
            "recall": float(np.mean([v["recall"] for v in present])),
            "types_per_article": float(np.mean([len(r["event_types"]) for r in results])),
        }
    tagger.floors["event_types"]["long"] = own
    out["own_floor"] = own
    out["gold_types_per_article"] = float(np.mean([len(r["event_types"]) for r in test]))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--settings", default="embedded,acled", help="embedded, acled or both")
    p.add_argument("--model", default="linear", help="model family (default linear)")
    p.add_argument("--floors", default="0,0.5,0.7,0.85", help="long-text floors to compare")
    p.add_argument("--acled", default=ACLED)
    p.add_argument("--n-train", type=int, default=8000, help="ACLED training notes (acled)")
    p.add_argument("--n-dev", type=int, default=1000)
    p.add_argument("--n-test", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", action="append", default=[], help="config override, e.g. linear.C=2")
    p.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-articles")
    args = p.parse_args(argv)
    quiet_datasets()
    floors = [float(x) for x in args.floors.split(",")]
    family, why = load_family(args.model)
    if family is None:
        raise SystemExit(f"model family {args.model!r} cannot be used: {why}")
    config = build_config(overrides=args.set, model=args.model, seed=args.seed)
    report: dict = {}
    for setting in args.settings.split(","):
        folds = embedded_folds(args.seed) if setting == "embedded" else acled_fold(args)
        for name, train, dev, test in folds:
            t0 = time.perf_counter()
            tagger = family.fit(train, dev, config, progress=False)
            seconds = time.perf_counter() - t0
            key = f"{setting}/{name}"
            report[key] = measure(tagger, test, floors)
            print(
                f"{key}: {len(train):,} train, {len(dev):,} dev, {len(test)} articles, "
                f"trained in {seconds:.0f} s, floor as trained {report[key]['own_floor']:g}"
            )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "articles.json").write_text(json.dumps(report, indent=2) + "\n")
    columns = ["as trained", *(f"{f:g}" for f in floors)]
    print("\nevent types on full articles: macro-F1 (precision / recall, types per article)")
    print(
        "| setting | gold types per article | " + " | ".join(f"floor {c}" for c in columns) + " |"
    )
    print("|---" * (len(columns) + 2) + "|")
    for key, r in report.items():
        cells = [
            f"{r[c]['macro_f1']:.3f} ({r[c]['precision']:.2f} / {r[c]['recall']:.2f}, "
            f"{r[c]['types_per_article']:.2f})"
            for c in columns
        ]
        print(f"| {key} | {r['gold_types_per_article']:.2f} | " + " | ".join(cells) + " |")
    embedded = [r for k, r in report.items() if k.startswith("embedded/")]
    if embedded:
        means = [np.mean([r[c]["macro_f1"] for r in embedded]) for c in columns]
        print("| embedded, mean of files | | " + " | ".join(f"{m:.3f}" for m in means) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
