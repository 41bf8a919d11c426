"""Evaluate one or more saved taggers on a labelled corpus.

    python evaluate.py --model runs/model --data acled:events.csv.gz --report runs/report
    python evaluate.py --model runs/linear --model runs/transformer --data test.jsonl --report R

Prints a metrics table. With --report DIR it also writes, for a person and for a program:

- report.md with per-label tables, confusion matrices, a reliability diagram, count plots and
  the worst errors per task, and the plots as PNG files beside it;
- metrics.json: one key per task, each with its metrics (definitions inside the file);
- predictions.jsonl: the model's result for every text, in corpus order, with its id;
- gold.jsonl: the gold labels the metrics were computed against (no text).
With several --model arguments, each model's metrics.json and predictions.jsonl go into
DIR/<name>/, and DIR/metrics.json holds them all under "models".

Tasks the corpus has no labels for are skipped, and the table says so.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from model.errors import TaggerError
from model.evaluation import (
    error_analysis,
    name_canonicaliser,
    slices,
    summary_rows,
    task_metrics,
)
from model.metrics import DEFINITIONS
from model.schema import TASKS, is_labelled

FORMAT = "conflict-tagger-evaluation/1"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--model",
        action="append",
        required=True,
        metavar="DIR",
        help="saved model directory (repeat to compare models side by side)",
    )
    p.add_argument(
        "--data",
        action="append",
        required=True,
        metavar="SPEC",
        help="labelled corpus SPEC (repeat to concatenate corpora)",
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="write report.md, plots, metrics.json and predictions.jsonl here",
    )
    p.add_argument("--limit", type=int, metavar="N", help="evaluate on the first N texts only")
    p.add_argument("--batch-size", type=int, default=64, help="texts per predict batch (64)")
    p.add_argument(
        "--errors",
        type=int,
        default=8,
        metavar="N",
        help="worst false positives / negatives listed per task (8)",
    )
    p.add_argument(
        "--on-error",
        choices=("raise", "skip"),
        default="raise",
        help="what to do with invalid corpus rows (default: raise)",
    )
    return p.parse_args(argv)


def model_names(paths: list[str]) -> list[str]:
    """Short unique names for model directories (their base names, numbered on clashes)."""
    names = []
    for path in paths:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(path).resolve().name) or "model"
        name, k = base, 2
        while name in names:
            name, k = f"{base}-{k}", k + 1
        names.append(name)
    return names


def gold_row(record: dict) -> dict:
    """The labels of a record as written to gold.jsonl (unlabelled tasks as null)."""
    row = {"id": record["id"]}
    for task in TASKS:
        row[task] = record[task] if is_labelled(record, task) else None
    return row


def evaluate_model(path: str, name: str, records: list[dict], args, canonical) -> dict:
    """Predict with one model and score it: the run dict that ``model.report`` reads."""
    from model import load

    tagger = load(path)
    t0 = time.perf_counter()
    results = tagger.predict(
        [r["text"] for r in records], ids=[r["id"] for r in records], batch_size=args.batch_size
    )
    seconds = time.perf_counter() - t0
    metrics = task_metrics(records, results, canonical)
    metrics["slices"] = slices(records, results)
    notes = []
    if getattr(tagger, "extractor", None) is None:
        notes.append(
            f"{name}: has no extractor, so it predicts no actor names, killed or injured counts"
        )
    info = {
        "path": str(path),
        "family": getattr(tagger, "family", None),
        "seconds": round(seconds, 2),
        "texts_per_second": round(len(records) / seconds, 1) if seconds else None,
        "notes": notes,
    }
    pairs = {
        field: [
            (r[field], res[field])
            for r, res in zip(records, results, strict=True)
            if is_labelled(r, field) and r[field] is not None
        ]
        for field in ("killed", "injured")
    }
    return {
        "name": name,
        "slug": name,
        "path": str(path),
        "info": info,
        "results": results,
        "metrics": metrics,
        "errors": error_analysis(records, results, args.errors, canonical),
        "count_pairs": pairs,
    }


def metrics_document(run: dict, data: list[str], canonical_name: str) -> dict:
    """metrics.json of one model: meta keys, then one key per task."""
    return {
        "format": FORMAT,
        "model": run["info"],
        "data": data,
        "actor_name_canonicaliser": canonical_name,
        "definitions": DEFINITIONS,
        **run["metrics"],
    }


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_outputs(
    out: Path, runs: list[dict], records: list[dict], data: list[str], canonical_name: str
) -> Path:
    from model.report import write_report

    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "gold.jsonl", [gold_row(r) for r in records])
    docs = {}
    for run in runs:
        where = out if len(runs) == 1 else out / run["slug"]
        where.mkdir(parents=True, exist_ok=True)
        docs[run["slug"]] = metrics_document(run, data, canonical_name)
        write_jsonl(where / "predictions.jsonl", run["results"])
        (where / "metrics.json").write_text(json.dumps(docs[run["slug"]], indent=2) + "\n")
    if len(runs) > 1:
        combined = {
            "format": FORMAT,
            "data": data,
            "definitions": DEFINITIONS,
            "actor_name_canonicaliser": canonical_name,
            "models": docs,
        }
        (out / "metrics.json").write_text(json.dumps(combined, indent=2) + "\n")
    notes = [f"actor names compared as {canonical_name}"]
    notes += [n for run in runs for n in run["info"]["notes"]]
    notes += [f"{r['name']}: {r['info']['texts_per_second']} texts/s" for r in runs]
    return write_report(out, runs, data=data, notes=notes)


def print_table(runs: list[dict]) -> None:
    values = [{(t, m): v for t, m, v in summary_rows(r["metrics"])} for r in runs]
    keys = []
    for v in values:
        keys += [k for k in v if k not in keys]
    width = max([12] + [len(r["name"]) for r in runs])
    print(f"{'task':<18} {'metric':<20} " + " ".join(f"{r['name']:>{width}}" for r in runs))
    for key in keys:
        cells = [f"{v[key]:>{width}.3f}" if key in v else f"{'-':>{width}}" for v in values]
        print(f"{key[0]:<18} {key[1]:<20} " + " ".join(cells))
    first = runs[0]["metrics"]
    for task, why in first["skipped_why"].items():
        print(f"skipped {task}: {why}")
    for run in runs:
        for note in run["info"]["notes"]:
            print(f"note: {note}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import datasets

        from model.corpora import load_corpus

        datasets.disable_progress_bars()
        records = load_corpus(args.data, on_error=args.on_error).to_list()
        if args.limit is not None:
            records = records[: max(args.limit, 0)]
        if not records:
            print(f"error: no records to evaluate in {', '.join(args.data)}", file=sys.stderr)
            return 2
        canonical, canonical_name = name_canonicaliser()
        names = model_names(args.model)
        runs = [
            evaluate_model(path, name, records, args, canonical)
            for path, name in zip(args.model, names, strict=True)
        ]
    except TaggerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"evaluated on {len(records):,} texts from {', '.join(args.data)}\n")
    print_table(runs)
    if args.report:
        path = write_outputs(args.report, runs, records, args.data, canonical_name)
        print(f"\nreport: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
