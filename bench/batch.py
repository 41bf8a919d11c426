"""Benchmark of batch inference: rows per second and peak memory of
`python -m model predict` with 1 and 2 worker processes and on Ray.

    python bench/batch.py                      # 200,000 rows, linear model
    python bench/batch.py --rows 20000 --runs local1 ray --model runs/model

The input is built by repeating the texts of the shared corpora (/work/shared/data: ACLED
and UCDP notes, SATP reports, full Times of India, InSight Crime and Syrian-war articles),
shuffled once, so every stretch of the file has the same mix. It is written outside the
project (--work, default /tmp/batch-bench) and never committed.

Memory is the peak of the summed RSS of the command's whole process tree (workers, and
Ray's own processes and object store, whose shared pages are counted once per process
that maps them, so the Ray figure is an upper bound), sampled every 0.2 s. A smaller run
of the same command (--small rows) shows whether the peak grows with the input.
Every run's output is compared with the first one's: the engines must agree byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CORPORA = [
    "acled/acled_events.csv.gz",
    "ucdp_ged_syria/ged_syria_2017_2019.csv.gz",
    "satp/satp.csv.gz",
    "india_police_events/docs.csv.gz",
    "insightcrime/insightcrime.csv.gz",
    "fakes_syria/fakes_articles.csv.gz",
]
RUNS = {
    "local1": ["--workers", "1"],
    "local2": ["--workers", "2"],
    "ray": ["--engine", "ray", "--workers", "2"],
}


def shared_texts() -> list[str]:
    csv.field_size_limit(2**31 - 1)
    texts = []
    for name in CORPORA:
        with gzip.open(SHARED / name, "rt", encoding="utf-8", newline="") as fh:
            texts += [row["text"] for row in csv.DictReader(fh) if row.get("text", "").strip()]
    return texts


def build_input(path: Path, n_rows: int) -> dict:
    """``n_rows`` rows repeating the shared texts; returns how the input looks."""
    texts = shared_texts()
    random.Random(0).shuffle(texts)  # the same mix of notes and articles all along
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n_rows):
            fh.write(json.dumps({"id": f"r{i}", "text": texts[i % len(texts)]}) + "\n")
    lengths = sorted(len(t) for t in texts)
    return {
        "distinct_texts": len(texts),
        "median_chars": lengths[len(lengths) // 2],
        "mb": round(path.stat().st_size / 1e6, 1),
    }


def tree_usage(pid: int, cpu: dict[int, float]) -> int:
    """Summed RSS (bytes) of ``pid`` and all its descendants; records each one's CPU
    seconds so far in ``cpu`` (by pid)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack, tick = 0, [pid], os.sysconf("SC_CLK_TCK")
    while stack:
        p = stack.pop()
        stack += children.get(p, [])
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            cpu[p] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed_run(args: list[str]) -> dict:
    """Run a command; wall seconds, peak tree RSS, and RSS over time (for flatness)."""
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    t0 = time.perf_counter()
    job = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    cpu: dict[int, float] = {}

    def sample():
        while job.poll() is None:
            samples.append((time.perf_counter() - t0, tree_usage(job.pid, cpu)))
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = job.communicate()
    thread.join()
    seconds = time.perf_counter() - t0
    if job.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err}")
    peak = max((rss for _, rss in samples), default=0)
    # RSS at each tenth of the run: flat memory means these stop growing after start-up.
    deciles = [
        max((rss for t, rss in samples if t <= seconds * k / 10), default=0) for k in (2, 5, 8, 10)
    ]
    return {
        "seconds": seconds,
        # CPU of every process of the tree, as last sampled: with other jobs on the
        # machine, rows per CPU-second says more about an engine than rows per second.
        "cpu_seconds": sum(cpu.values()),
        "peak_mb": peak / 2**20,
        "rss_mb_at": [d / 2**20 for d in deciles],
    }


def model_dir(arg: Path | None, work: Path) -> Path:
    from model.saving import default_model_dir

    for candidate in (arg, default_model_dir()):
        if candidate is not None and (Path(candidate) / "model.json").exists():
            return Path(candidate)
    out = work / "model"
    if not (out / "model.json").exists():
        print(f"training a linear model on the embedded corpus into {out} ...", flush=True)
        subprocess.run(
            [sys.executable, "train.py", "--out", str(out), "--quiet"], cwd=ROOT, check=True
        )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--small", type=int, default=20_000, help="rows of the flatness check")
    p.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS))
    p.add_argument("--model", type=Path, help="model directory (default: the default model)")
    p.add_argument("--work", type=Path, default=Path("/tmp/batch-bench"))
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    model = model_dir(args.model, args.work)
    print(f"model: {model}  cores: {os.cpu_count()}  load average: {os.getloadavg()}", flush=True)
    inputs = {}
    for n in sorted({args.small, args.rows}):
        path = args.work / f"in-{n}.jsonl"
        info = build_input(path, n)
        inputs[n] = path
        print(f"input: {n:,} rows, {info}", flush=True)
    results, first_output = [], None
    for name in args.runs:
        for n in ([args.small] if args.small != args.rows else []) + [args.rows]:
            out = args.work / f"out-{name}-{n}.jsonl"
            command = [sys.executable, "-m", "model", "predict", "--model", str(model)]
            command += [str(inputs[n]), str(out), "--quiet", "--overwrite"]
            command += ["--batch-size", str(args.batch_size), *RUNS[name]]
            figures = timed_run(command)
            if n == args.rows:
                first_output = first_output or out
                same = out.read_bytes() == first_output.read_bytes()
            else:
                same = None
            results.append({"run": name, "rows": n, **figures, "same_output": same})
            r = results[-1]
            print(
                f"{name:<7} {n:>8,} rows  {r['seconds']:7.1f} s  {n / r['seconds']:8,.0f} rows/s  "
                f"CPU {r['cpu_seconds']:7.1f} s ({n / max(r['cpu_seconds'], 1e-9):,.0f} rows/CPU-s)  "
                f"peak {r['peak_mb']:7,.0f} MB  RSS at 20/50/80/100% of the run "
                f"{' / '.join(f'{m:,.0f}' for m in r['rss_mb_at'])} MB"
                + ("" if same is None else f"  same output as {args.runs[0]}: {same}"),
                flush=True,
            )
    print(f"load average at the end: {os.getloadavg()}")
    (args.work / "results.json").write_text(json.dumps(results, indent=1))
    print(f"results: {args.work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
