"""A human report of an evaluation: ``report.md`` with tables, error analysis and PNG plots
(matplotlib, no display needed). One model, or several side by side.

>>> runs = [{"name": "linear", "metrics": metrics, "errors": errors}]   # doctest: +SKIP
>>> write_report("runs/report", runs, data=["acled:events.csv.gz"])      # doctest: +SKIP
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from model.evaluation import LABEL_TASKS, TASK_ORDER, summary_rows

TITLES = {
    "event_types": "Event types",
    "sub_event_types": "Sub-event types",
    "actor_categories": "Actor categories",
    "actor_names": "Actor names",
    "casualties": "Casualties (any killed or injured)",
    "killed": "Killed (count)",
    "injured": "Injured (count)",
}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return lines + [""]


def plot_per_label(runs: list[dict], task: str, path: Path) -> bool:
    """Horizontal bars of F1 per label (labels with gold support), one bar per model."""
    present = [r for r in runs if task in r["metrics"]]
    if not present:
        return False
    per_label = present[0]["metrics"][task]["per_label"]
    labels = [x for x, m in per_label.items() if m["support"] > 0]
    if not labels:
        return False
    plt = _plt()
    height = 0.8 / len(present)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(labels) * max(1, len(present) * 0.6)))
    for k, run in enumerate(present):
        f1 = [run["metrics"][task]["per_label"][x]["f1"] for x in labels]
        ys = [i + k * height for i in range(len(labels))]
        bars = ax.barh(ys, f1, height=height, label=run["name"])
        for bar, value in zip(bars, f1, strict=True):
            ax.text(value + 0.01, bar.get_y() + height / 2, f"{value:.2f}", va="center", fontsize=7)
    ax.set_yticks([i + height * (len(present) - 1) / 2 for i in range(len(labels))])
    ax.set_yticklabels([f"{x} (n={per_label[x]['support']})" for x in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    ax.set_xlabel("F1")
    macro = ", ".join(f"{r['name']} {r['metrics'][task]['macro_f1']:.3f}" for r in present)
    ax.set_title(f"{TITLES[task]}: F1 per label\nmacro-F1: {macro}", fontsize=10)
    if len(present) > 1:
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_confusion(conf: dict, title: str, path: Path) -> None:
    """Row-normalised confusion heatmap with the counts written in each cell."""
    import numpy as np

    plt = _plt()
    M = np.array(conf["matrix"], dtype=float)
    share = M / np.maximum(M.sum(1, keepdims=True), 1)
    n_rows, n_cols = M.shape
    fig, ax = plt.subplots(figsize=(3 + 0.8 * n_cols, max(3.2, 2 + 0.5 * n_rows)))
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            if M[i, j]:
                color = "white" if share[i, j] > 0.6 else "black"
                ax.text(j, i, int(M[i, j]), ha="center", va="center", fontsize=7, color=color)
    ax.set_xticks(range(n_cols))
    ax.set_xticklabels(conf["predicted"], rotation=40, ha="right", fontsize=7)
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels(conf["gold"], fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, label="share of the gold row")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_reliability(runs: list[dict], path: Path) -> bool:
    """Reliability diagram of the casualty score, with a count histogram below."""
    present = [r for r in runs if "reliability" in r["metrics"].get("casualties", {})]
    if not present:
        return False
    plt = _plt()
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(6, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    width = 0.1 / len(present)
    for k, run in enumerate(present):
        m = run["metrics"]["casualties"]
        bins = [b for b in m["reliability"] if b["count"]]
        top.plot(
            [b["mean_score"] for b in bins],
            [b["positive_rate"] for b in bins],
            marker="o",
            label=f"{run['name']} (ECE {m['ece']:.3f})",
        )
        bottom.bar(
            [b["low"] + (k + 0.5) * width for b in m["reliability"]],
            [b["count"] for b in m["reliability"]],
            width=width,
            label=run["name"],
        )
    top.set_ylabel("share of texts with casualties")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.legend(fontsize=8, loc="upper left")
    top.set_title("Casualties: reliability of casualty_score (10 bins)", fontsize=10)
    bottom.set_xlabel("casualty_score (predicted probability)")
    bottom.set_ylabel("texts")
    bottom.set_yscale("log")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_counts(pairs: list[tuple[int, int | None]], title: str, path: Path) -> None:
    """Predicted against gold counts (log scale); a missing prediction is drawn at 0."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    given = [(g, p) for g, p in pairs if p is not None]
    missing = [g for g, p in pairs if p is None]
    if given:
        ax.scatter([g for g, _ in given], [p for _, p in given], s=10, alpha=0.5, label="predicted")
    if missing:
        ax.scatter(
            missing,
            [0] * len(missing),
            s=10,
            marker="x",
            color="red",
            alpha=0.5,
            label="no number predicted (drawn at 0)",
        )
    top = max([g for g, _ in pairs] + [p or 0 for _, p in pairs] + [1])
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("symlog")
    ax.set_yscale("symlog")
    ax.set_xlabel("gold")
    ax.set_ylabel("predicted")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _summary(runs: list[dict]) -> list[str]:
    keys: list[tuple[str, str]] = []
    values: list[dict] = []
    for run in runs:
        rows = {(t, m): v for t, m, v in summary_rows(run["metrics"])}
        values.append(rows)
        keys += [k for k in rows if k not in keys]
    order = {t: i for i, t in enumerate(TASK_ORDER)}
    keys.sort(key=lambda k: order[k[0]])
    header = ["task", "metric", *[r["name"] for r in runs]]
    return _table(header, [[t, m, *[v.get((t, m)) for v in values]] for t, m in keys])


def _label_section(runs: list[dict], task: str, out: Path) -> list[str]:
    present = [r for r in runs if task in r["metrics"]]
    lines = [f"## {TITLES[task]}", ""]
    header = ["label", "support"]
    for r in present:
        header += [f"{r['name']} P", f"{r['name']} R", f"{r['name']} F1"]
    per_label = present[0]["metrics"][task]["per_label"]
    rows = []
    for label, m in per_label.items():
        if m["support"] == 0 and not any(
            r["metrics"][task]["per_label"][label]["n_predicted"] for r in present
        ):
            continue
        row = [label, m["support"]]
        for r in present:
            lm = r["metrics"][task]["per_label"][label]
            row += [lm["precision"], lm["recall"], lm["f1"]]
        rows.append(row)
    lines += _table(header, rows)
    lines += [
        "Macro-F1 averages labels with support; labels with no support but some predictions "
        "are listed for their false positives.",
        "",
    ]
    if plot_per_label(runs, task, out / f"per_label_{task}.png"):
        lines += [f"![{TITLES[task]}: F1 per label](per_label_{task}.png)", ""]
    for r in present:
        conf = r["metrics"][task].get("confusion")
        if conf:
            name = f"confusion_{task}_{r['slug']}.png"
            plot_confusion(conf, f"{TITLES[task]}: confusion ({r['name']})", out / name)
            lines += [f"![{TITLES[task]}: confusion, {r['name']}]({name})", ""]
    return lines


def _casualty_section(runs: list[dict], out: Path) -> list[str]:
    present = [r for r in runs if "casualties" in r["metrics"]]
    if not present:
        return []
    lines = [f"## {TITLES['casualties']}", ""]
    cols = ("n_texts", "support", "precision", "recall", "f1", "roc_auc", "ece")
    lines += _table(
        ["model", *cols],
        [[r["name"], *[r["metrics"]["casualties"].get(c) for c in cols]] for r in present],
    )
    if plot_reliability(present, out / "reliability_casualties.png"):
        lines += ["![Casualties: reliability diagram](reliability_casualties.png)", ""]
    return lines


def _count_section(runs: list[dict], field: str, out: Path) -> list[str]:
    present = [r for r in runs if field in r["metrics"]]
    if not present:
        return []
    lines = [f"## {TITLES[field]}", "", "On texts whose gold gives a number.", ""]
    cols = (
        "n_texts",
        "exact_match",
        "within_10pct",
        "mean_absolute_error",
        "coverage",
        "spurious_rate",
    )
    lines += _table(
        ["model", *cols],
        [[r["name"], *[r["metrics"][field].get(c) for c in cols]] for r in present],
    )
    for r in present:
        pairs = r.get("count_pairs", {}).get(field)
        if pairs and any(p is not None for _, p in pairs):
            name = f"{field}_{r['slug']}.png"
            plot_counts(
                pairs,
                f"{TITLES[field]}: predicted vs gold ({r['name']}, n={len(pairs)})",
                out / name,
            )
            lines += [f"![{TITLES[field]}, {r['name']}]({name})", ""]
    return lines


def _slice_section(run: dict) -> list[str]:
    found = run["metrics"].get("slices") or {}
    if not found:
        return []
    lines = [f"## By source, genre and country: {run['name']}", ""]
    cols = ("n_texts", "event_types_micro_f1", "event_types_macro_f1", "casualties_f1")
    for field, groups in found.items():
        lines += [f"By {field} (groups of at least 20 texts):", ""]
        lines += _table([field, *cols], [[g, *[m[c] for c in cols]] for g, m in groups.items()])
    return lines


def _error_section(run: dict) -> list[str]:
    errors = run.get("errors") or {}
    if not errors:
        return []
    lines = [f"## Error analysis: {run['name']}", ""]
    for task in TASK_ORDER:
        found = errors.get(task)
        if not found:
            continue
        lines += [f"### {TITLES[task]}", ""]
        if isinstance(found, dict):
            for kind in ("false_positives", "false_negatives"):
                lines += [
                    f"Worst {kind.replace('_', ' ')} (most confident first where scored):",
                    "",
                ]
                rows = [
                    [
                        e["id"],
                        e["label"],
                        e["score"],
                        ", ".join(e["gold"]) or "(none)",
                        e["excerpt"].replace("|", "/"),
                    ]
                    for e in found[kind]
                ]
                header = ["id", "label", "score", "gold", "excerpt"]
                lines += _table(header, rows) if rows else ["None.", ""]
        elif task == "actor_names":
            rows = [
                [
                    e["id"],
                    "; ".join(e["missed"]),
                    "; ".join(e["spurious"]),
                    e["excerpt"].replace("|", "/"),
                ]
                for e in found
            ]
            lines += _table(["id", "missed", "spurious", "excerpt"], rows)
        else:
            rows = [
                [e["id"], e["gold"], e["predicted"], e["excerpt"].replace("|", "/")] for e in found
            ]
            lines += _table(["id", "gold", "predicted", "excerpt"], rows)
    return lines


def write_report(
    out: str | Path, runs: list[dict], *, data: list[str], notes: list[str] = ()
) -> Path:
    """Write ``report.md`` and its PNG plots into ``out``; returns the report's path.

    Each run is a dict with ``name``, ``slug`` (for file names), ``metrics`` (from
    ``task_metrics``), optionally ``errors`` (from ``error_analysis``) and ``count_pairs``
    (field -> list of (gold, predicted) for the count plots)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    first = runs[0]["metrics"]
    lines = [
        "# Evaluation report",
        "",
        f"- data: {', '.join(f'`{d}`' for d in data)} ({first['n_texts']:,} texts)",
        "- models: " + ", ".join(f"`{r['name']}` ({r.get('path', '')})" for r in runs),
        f"- written: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        *[f"- {note}" for note in notes],
    ]
    for task, why in first.get("skipped_why", {}).items():
        lines.append(f"- skipped {task}: {why}")
    lines += ["", "## Summary", "", *_summary(runs)]
    for task in LABEL_TASKS:
        if any(task in r["metrics"] for r in runs):
            lines += _label_section(runs, task, out)
    names = [r for r in runs if "actor_names" in r["metrics"]]
    if names:
        cols = (
            "n_texts",
            "precision",
            "recall",
            "f1",
            "micro_precision",
            "micro_recall",
            "micro_f1",
        )
        lines += [
            f"## {TITLES['actor_names']}",
            "",
            "Set precision/recall/F1 per text on canonical names, averaged over texts; micro pools the counts.",
            "",
        ]
        lines += _table(
            ["model", *cols],
            [[r["name"], *[r["metrics"]["actor_names"][c] for c in cols]] for r in names],
        )
    lines += _casualty_section(runs, out)
    for field in ("killed", "injured"):
        lines += _count_section(runs, field, out)
    for run in runs:
        lines += _slice_section(run)
    for run in runs:
        lines += _error_section(run)
    path = out / "report.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
