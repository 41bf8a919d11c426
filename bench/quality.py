"""Quality of each model family and of the peers a user would pick instead, on real corpora.

    python bench/quality.py                          # linear + peers, seeds 0 1 2
    python bench/quality.py --families linear,transformer --seeds 0 --peers none
    python bench/quality.py --holdout drawn --set linear.C=2.0 --out runs/bench

For each seed: train on ACLED notes with whole countries held out (bench/_common.py says
which and why), then evaluate on

- ACLED, held-out countries: every task;
- UCDP GED Syria 2017-2019 headlines (bench/_common.py ``ucdp_month_split``): actor names and
  categories on the held-out months (the other months' actor names train and tune the
  extractor's name model; ``--no-ucdp-actors`` leaves them out); casualties on all rows and
  on headlines with a casualty word (GED codes only deadly events, but "Regime forces advance
  near Hama" cannot show it); killed on all rows and on single headlines with a death word
  that state UCDP's own count (a SOHR headline often gives a daily toll that UCDP splits
  over several events, so other rows measure that mismatch more than the tagger);
- SATP reports: bombing -> explosions_remote_violence, kidnapping ->
  abduction_forced_disappearance (the only sound mappings; armed_assault and other are left);
- IndiaPoliceEvents full articles: casualty recall on articles where police killed someone
  (kill=0 does not mean nobody died, so precision is not measurable there).

Prints one table (mean ± sd over seeds) with training time and prediction speed, and writes
quality.json and quality.md into --out. A family that cannot be imported is skipped, with
the reason. Seeds are fixed; jobs run in --jobs processes (default 2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _common as common  # noqa: E402

# (key, corpus, what, target or None)
ROWS = [
    ("acled.event_types.macro_f1", "ACLED held-out", "event types macro-F1", 0.85),
    ("acled.event_types.micro_f1", "ACLED held-out", "event types micro-F1", None),
    ("acled.sub_event_types.macro_f1", "ACLED held-out", "sub-event types macro-F1", None),
    ("acled.actor_categories.macro_f1", "ACLED held-out", "actor categories macro-F1", None),
    ("acled.actor_names.f1", "ACLED held-out", "actor names set-F1", 0.75),
    (
        "acled.casualties.f1",
        "ACLED held-out",
        "casualties F1 (notes with injuries or casualties but no fatalities left out)",
        0.90,
    ),
    ("acled.casualties.roc_auc", "ACLED held-out", "casualties ROC-AUC", None),
    ("acled.casualties.ece", "ACLED held-out", "casualties ECE (lower is better)", None),
    ("acled_deaths.f1", "ACLED held-out", "deaths F1 (killed > 0 vs fatalities > 0)", None),
    ("acled.killed.exact_match", "ACLED held-out", "killed exact match", None),
    ("ucdp_months.actor_names.f1", "UCDP headlines", "actor names set-F1 (held-out months)", 0.70),
    (
        "ucdp_months.actor_categories.macro_f1",
        "UCDP headlines",
        "actor categories macro-F1 (held-out months)",
        None,
    ),
    ("ucdp.casualties.f1", "UCDP headlines", "casualties F1 (all rows)", None),
    (
        "ucdp_says.casualties.f1",
        "UCDP headlines",
        "casualties F1 (headline has a casualty word)",
        0.90,
    ),
    ("ucdp.killed.exact_match", "UCDP headlines", "killed exact match (all rows)", None),
    (
        "ucdp_states.killed.exact_match",
        "UCDP headlines",
        "killed exact match (headline states the count)",
        0.75,
    ),
    ("satp.explosions_remote_violence.f1", "SATP", "bombing -> explosions F1", None),
    ("satp.abduction_forced_disappearance.f1", "SATP", "kidnapping -> abduction F1", None),
    ("ipe.casualties.recall", "IndiaPoliceEvents", "casualty recall on police killings", None),
    (
        "ipe.casualties.rate_kill0",
        "IndiaPoliceEvents",
        "casualty rate, kill=0 articles (info)",
        None,
    ),
    ("cost.train_seconds", "cost", "training time (s)", None),
    ("cost.notes_per_second", "cost", "predictions/s, ACLED notes", None),
    ("cost.articles_per_second", "cost", "predictions/s, full articles (IPE)", None),
]
# Rows only a system with an extractor (actor names, counts) can score on.
EXTRACTED = {k for k, *_ in ROWS if ".actor_names." in k or ".killed." in k} | {"acled_deaths.f1"}
_DATA: dict = {}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--families", default="linear", help="comma-separated: linear,transformer")
    p.add_argument("--peers", default="tfidf-lr,spacy-textcat", help="comma-separated, or none")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--holdout", choices=("fixed", "drawn"), default="fixed")
    p.add_argument("--syria-cap", type=int, default=4000, help="Syria notes kept in training")
    p.add_argument(
        "--syria-battles",
        type=int,
        default=4000,
        help="more Syria notes that name no weapon of remote violence, for event types only",
    )
    p.add_argument(
        "--dev",
        choices=("countries", "random"),
        default="countries",
        help="dev split for calibration: whole countries (default) or 10%% random records",
    )
    p.add_argument(
        "--no-weak",
        dest="weak",
        action="store_false",
        help="leave out the weakly labelled sentences of the Syrian-war articles",
    )
    p.add_argument(
        "--no-ucdp-actors",
        dest="ucdp_actors",
        action="store_false",
        help="do not train on the actor names of UCDP's train and dev months",
    )
    p.add_argument("--max-train", type=int, help="cap the training notes (smoke runs)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="training setting for our families, as in train.py",
    )
    p.add_argument(
        "--save-models",
        action="store_true",
        help="also save each trained family under OUT/models/FAMILY-seedN (to re-measure later)",
    )
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--out", type=Path, default=Path("runs/bench"))
    return p.parse_args(argv)


def _get(metrics: dict, *keys):
    for key in keys:
        if not isinstance(metrics, dict) or key not in metrics:
            return None
        metrics = metrics[key]
    return metrics


def _binary(gold: list[bool], pred: list[bool]) -> dict:
    from model.metrics import binary_metrics

    return binary_metrics(gold, pred)


def evaluate_system(system, split: dict, seconds: float, detail: bool = False) -> dict:
    """Every row's value for one trained system (None where it does not apply); with
    ``detail`` also what model.report needs for an ACLED held-out report."""
    from model.evaluation import error_analysis, slices, task_metrics
    from model.schema import is_labelled

    def timed(texts):
        t0 = time.perf_counter()
        results = system.predict(texts)
        return results, len(texts) / max(time.perf_counter() - t0, 1e-9)

    test, ucdp, satp, ipe = split["test"], _DATA["ucdp"], _DATA["satp"], _DATA["ipe"]
    res, notes_per_s = timed([r["text"] for r in test])
    full = {"acled": task_metrics(test, res)}
    deaths = [(r, x) for r, x in zip(test, res, strict=True) if is_labelled(r, "killed")]
    full["acled_deaths"] = _binary(
        [r["killed"] is not None for r, _ in deaths], [(x["killed"] or 0) > 0 for _, x in deaths]
    )
    report = None
    if detail:
        report = {
            "metrics": {**full["acled"], "slices": slices(test, res, by=("country",))},
            "errors": error_analysis(test, res),
            "count_pairs": {
                "killed": [
                    (r["killed"], x["killed"])
                    for r, x in zip(test, res, strict=True)
                    if r["killed"]
                ]
            },
        }
    res_u, _ = timed([r["text"] for r in ucdp])
    full["ucdp"] = task_metrics(ucdp, res_u)
    for key, keep in (
        ("ucdp_months", lambda r: r["id"] in split["ucdp_test_ids"]),
        ("ucdp_says", lambda r: common.CASUALTY_WORDS.search(r["text"])),
        ("ucdp_states", common.states_count),
    ):
        rows = [i for i, r in enumerate(ucdp) if keep(r)]
        full[key] = task_metrics([ucdp[i] for i in rows], [res_u[i] for i in rows])
    res_s, _ = timed([r["text"] for r in satp])
    full["satp"] = {
        "explosions_remote_violence": _binary(
            [r["explosions_remote_violence"] for r in satp],
            ["explosions_remote_violence" in x["event_types"] for x in res_s],
        ),
        "abduction_forced_disappearance": _binary(
            [r["abduction_forced_disappearance"] for r in satp],
            ["abduction_forced_disappearance" in x["sub_event_types"] for x in res_s],
        ),
    }
    res_i, articles_per_s = timed([r["text"] for r in ipe])
    killed = [x["casualties"] for r, x in zip(ipe, res_i, strict=True) if r["kill"]]
    others = [x["casualties"] for r, x in zip(ipe, res_i, strict=True) if not r["kill"]]
    full["ipe"] = {
        "casualties": {
            "n_kill": len(killed),
            "recall": round(sum(killed) / max(len(killed), 1), 4),
            "rate_kill0": round(sum(others) / max(len(others), 1), 4),
        }
    }
    full["cost"] = {
        "train_seconds": round(seconds, 1),
        "notes_per_second": round(notes_per_s, 1),
        "articles_per_second": round(articles_per_s, 1),
    }
    extracts = getattr(system, "extractor", None) is not None
    values = {}
    for key, *_ in ROWS:
        corpus, *path = key.split(".")
        if not extracts and key in EXTRACTED:
            values[key] = None
        else:
            values[key] = _get(full[corpus], *path)
    return {"values": values, "metrics": full, "report": report}


def run_job(name: str, seed: int, args_dict: dict) -> dict:
    """Train ``name`` on the seed's split and evaluate it everywhere (in a worker process)."""
    split = common.acled_split(
        _DATA["acled"],
        seed,
        args_dict["holdout"],
        args_dict["syria_cap"],
        _DATA["embedded"],
        args_dict["dev"],
        _DATA["weak"] if args_dict["weak"] else None,
        args_dict["syria_battles"],
    )
    if args_dict["max_train"]:
        split["train"] = split["train"][: args_dict["max_train"]]
    common.join_ucdp_months(split, _DATA["ucdp"], seed, actors=args_dict["ucdp_actors"])
    try:
        system, seconds, note = common.train_system(name, split, seed, args_dict["set"])
    except ImportError as exc:
        return {"name": name, "seed": seed, "skipped": str(exc)}
    if system is None:
        return {"name": name, "seed": seed, "skipped": note}
    if args_dict["save_to"] and hasattr(system, "save"):
        from model.saving import fingerprint

        system.save(
            args_dict["save_to"] / f"{name}-seed{seed}",
            metrics={},
            card=f"# bench/quality.py {name}, seed {seed}\n",
            data_fingerprint=fingerprint(split["train"]),
        )
    out = evaluate_system(system, split, seconds, detail=seed == args_dict["report_seed"])
    out.update(
        name=name,
        seed=seed,
        note=note,
        countries=split["countries"],
        dev_countries=split.get("dev_countries"),
        n={k: len(split[k]) for k in ("train", "dev", "test")},
    )
    return out


def _cell(values: list[float], key: str) -> str:
    if not values:
        return "-"
    mean = statistics.fmean(values)
    if key.startswith("cost."):
        fmt = (lambda x: f"{x:,.0f}") if abs(mean) >= 100 else (lambda x: f"{x:.1f}")
    else:
        fmt = lambda x: f"{x:.3f}"  # noqa: E731
    if len(values) == 1:
        return fmt(mean)
    return f"{fmt(mean)} ± {fmt(statistics.stdev(values))}"


def table(jobs: list[dict], systems: list[str]) -> list[str]:
    """Markdown table rows: one per metric, one column per system, plus the target."""
    header = ["corpus", "metric", *systems, "target"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, corpus, what, target in ROWS:
        cells = []
        for s in systems:
            vals = [
                j["values"][key] for j in jobs if j["name"] == s and j["values"][key] is not None
            ]
            cells.append(_cell(vals, key))
        t = "-" if target is None else (f"≤ {target}" if "ece" in key else f"≥ {target}")
        lines.append("| " + " | ".join([corpus, what, *cells, t]) + " |")
    return lines


def held_out_text(by_seed: dict) -> str:
    """ "A, B, C" when every seed held out the same countries, else per seed."""
    distinct = {tuple(c) for c in by_seed.values()}
    if len(distinct) == 1:
        return ", ".join(distinct.pop())
    return "; ".join(f"seed {s}: {', '.join(c)}" for s, c in by_seed.items())


def write_acled_report(out: Path, jobs: list[dict]) -> None:
    """report.md and plots of every system on the first seed's ACLED held-out countries."""
    from model.report import write_report

    runs = [
        {"name": j["name"], "slug": j["name"], "path": f"seed {j['seed']}", **j.pop("report")}
        for j in jobs
        if j.get("report")
    ]
    if runs:
        countries = ", ".join(jobs[0]["countries"])
        note = "systems without an extractor predict no actor names or counts (shown as 0)"
        write_report(out, runs, data=[f"ACLED notes of {countries}"], notes=[note])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.check_data()
    common.quiet_datasets()
    families = [f for f in args.families.split(",") if f]
    peers = [] if args.peers in ("", "none") else args.peers.split(",")
    systems = []
    for name in families:
        family, why = common.load_family(name)
        if family is None:
            print(f"skipping family {name}: {why}", file=sys.stderr)
        else:
            systems.append(name)
    systems += peers
    t0 = time.perf_counter()
    _DATA.update(
        acled=common.load_acled(),
        embedded=common.load_embedded(),
        weak=common.load_weak(),
        ucdp=common.load_ucdp(),
        satp=common.load_satp(),
        ipe=common.load_ipe(),
    )
    print(
        f"loaded corpora in {time.perf_counter() - t0:.0f} s; {len(systems)} systems x "
        f"{len(args.seeds)} seeds on {args.jobs} processes",
        file=sys.stderr,
    )
    args_dict = {
        "holdout": args.holdout,
        "syria_cap": args.syria_cap,
        "syria_battles": args.syria_battles,
        "dev": args.dev,
        "weak": args.weak,
        "ucdp_actors": args.ucdp_actors,
        "set": args.set,
        "max_train": args.max_train,
        "report_seed": args.seeds[0],
        "save_to": args.out / "models" if args.save_models else None,
    }
    jobs, skipped = [], {}
    threads = str(max(1, (os.cpu_count() or 1) // max(args.jobs, 1)))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, threads)
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("fork")) as pool:
        futures = [pool.submit(run_job, s, seed, args_dict) for s in systems for seed in args.seeds]
        for future in as_completed(futures):
            job = future.result()
            if "skipped" in job:
                skipped[job["name"]] = job["skipped"]
                print(f"skipped {job['name']}: {job['skipped']}", file=sys.stderr)
                continue
            jobs.append(job)
            v = job["values"]
            print(
                f"[{time.perf_counter() - t0:5.0f} s] {job['name']} seed {job['seed']}: "
                f"trained in {v['cost.train_seconds']:.0f} s, event macro-F1 "
                f"{v['acled.event_types.macro_f1']}",
                file=sys.stderr,
            )
    systems = [s for s in systems if s not in skipped]
    jobs.sort(key=lambda j: (systems.index(j["name"]), j["seed"]))
    from model.saving import git_commit

    meta = {
        "commit": git_commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "seeds": args.seeds,
        "holdout": args.holdout,
        "held_out_countries": {j["seed"]: j["countries"] for j in jobs},
        "syria_cap": args.syria_cap,
        "syria_battles": args.syria_battles,
        "dev": args.dev,
        "dev_countries": {j["seed"]: j.get("dev_countries") for j in jobs},
        "settings": args.set,
        "cpus": os.cpu_count(),
        "wall_seconds": round(time.perf_counter() - t0),
        "skipped": skipped,
    }
    lines = table(jobs, systems)
    write_acled_report(args.out / "acled_heldout_report", jobs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quality.json").write_text(
        json.dumps({"meta": meta, "jobs": jobs}, indent=1) + "\n"
    )
    caption = (
        f"Measured at commit {meta['commit']} on {meta['date']}, seeds {args.seeds}, "
        f"held-out countries ({args.holdout}): {held_out_text(meta['held_out_countries'])}; "
        f"dev split: {args.dev}; weak labels: {'yes' if args.weak else 'no'}; "
        f"{meta['cpus']} CPUs, {meta['wall_seconds']} s wall."
    )
    (args.out / "quality.md").write_text("\n".join([*lines, "", caption]) + "\n")
    print("\n".join(lines))
    print(f"\n{caption}")
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
