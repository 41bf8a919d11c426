"""Speed and memory of each model family and of the peers, measured in one run.

    python bench/speed.py                                  # linear + peers
    python bench/speed.py --families linear,transformer --notes 1000 --articles 200

Each system runs alone in a fresh process (one after another, so they do not compete for
the cores): it trains on the seed-0 split of bench/quality.py, then predicts short
notes (ACLED notes of the held-out countries) and full articles (IndiaPoliceEvents, median
~1,900 characters). Peak memory is the process's peak resident set size during each phase
(reset between phases through /proc/self/clear_refs), beside the resident size before
training (interpreter, libraries and corpora). For our families, prediction is timed with the
actor/casualty extractor attached (what train.py builds) and without it (the classifier
alone). Ratios are against the first system. Prints a table; writes speed.json to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _common as common  # noqa: E402


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Reset the peak RSS counter (Linux >= 4.0); harmless where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    return round(_status_kb("VmHWM") / 1024, 1)


def rate(system, texts: list[str]) -> float:
    system.predict(texts[:8])  # warm-up: lazy imports and caches
    t0 = time.perf_counter()
    system.predict(texts)
    return round(len(texts) / (time.perf_counter() - t0), 1)


def child(name: str, n_notes: int, n_articles: int) -> dict:
    """Train and time one system in this process; returns the measurements."""
    common.quiet_datasets()
    split = common.acled_split(
        common.load_acled(), seed=0, embedded=common.load_embedded(), weak=common.load_weak()
    )
    common.join_ucdp_months(split, common.load_ucdp(), 0)  # as bench/quality.py trains
    notes = [r["text"] for r in split["test"][:n_notes]]
    articles = [r["text"] for r in common.load_ipe()[:n_articles]]
    out = {
        "name": name,
        "n_train": len(split["train"]),
        "rss_before_mb": round(_status_kb("VmRSS") / 1024, 1),
    }
    reset_peak()
    try:
        system, seconds, note = common.train_system(name, split, 0, [])
    except ImportError as exc:
        return {"name": name, "skipped": str(exc)}
    if system is None:
        return {"name": name, "skipped": note}
    out.update(train_seconds=round(seconds, 1), train_peak_mb=peak_mb())
    reset_peak()
    out["notes_per_second"] = rate(system, notes)
    out["articles_per_second"] = rate(system, articles)
    out["predict_peak_mb"] = peak_mb()
    if getattr(system, "extractor", None) is not None:
        system.extractor = None
        out["notes_per_second_classifier"] = rate(system, notes)
        out["articles_per_second_classifier"] = rate(system, articles)
    return out


COLUMNS = [
    ("train_seconds", "train s"),
    ("notes_per_second", "notes/s"),
    ("articles_per_second", "articles/s"),
    ("notes_per_second_classifier", "notes/s, no extractor"),
    ("articles_per_second_classifier", "articles/s, no extractor"),
    ("train_peak_mb", "train peak MB"),
    ("predict_peak_mb", "predict peak MB"),
    ("rss_before_mb", "RSS before MB"),
]


def table(rows: list[dict]) -> list[str]:
    """Markdown: one row per system, value and ratio to the first system."""
    header = ["system", *[title for _, title in COLUMNS]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    base = rows[0]
    for row in rows:
        cells = [row["name"]]
        for key, _ in COLUMNS:
            value = row.get(key)
            if value is None:
                cells.append("-")
                continue
            text = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
            if row is not base and base.get(key):
                text += f" ({value / base[key]:.2f}x)"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--families", default="linear")
    p.add_argument("--peers", default="tfidf-lr,spacy-textcat")
    p.add_argument("--notes", type=int, default=2000, help="short notes to time (2000)")
    p.add_argument("--articles", type=int, default=300, help="full articles to time (300)")
    p.add_argument("--out", type=Path, default=Path("runs/bench"))
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.notes, args.articles)))
        return 0
    common.check_data()
    systems = [f for f in args.families.split(",") if f]
    systems += [] if args.peers in ("", "none") else args.peers.split(",")
    rows, t0 = [], time.perf_counter()
    for name in systems:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            name,
            "--notes",
            str(args.notes),
            "--articles",
            str(args.articles),
        ]
        run = subprocess.run(
            cmd, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"}
        )
        if run.returncode != 0:
            print(f"{name} failed:\n{run.stderr[-2000:]}", file=sys.stderr)
            continue
        row = json.loads(run.stdout.strip().splitlines()[-1])
        if "skipped" in row:
            print(f"skipped {name}: {row['skipped']}", file=sys.stderr)
            continue
        rows.append(row)
        print(f"[{time.perf_counter() - t0:4.0f} s] {name}: {row}", file=sys.stderr)
    if not rows:
        print("no system could be measured", file=sys.stderr)
        return 1
    from model.saving import git_commit

    meta = {
        "commit": git_commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
        "notes": args.notes,
        "articles": args.articles,
        "wall_seconds": round(time.perf_counter() - t0),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    lines = table(rows)
    caption = (
        f"Measured at commit {meta['commit']} on {meta['date']}, {meta['cpus']} CPUs; "
        f"{args.notes} notes, {args.articles} articles; ratios against {rows[0]['name']}."
    )
    (args.out / "speed.md").write_text("\n".join([*lines, "", caption]) + "\n")
    print("\n".join(lines))
    print(f"\n{caption}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
