"""Compare a tagger's results with gold records, task by task, skipping (and saying so) the
tasks a corpus has no labels for."""

from __future__ import annotations

from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, SUB_EVENT_TYPES
from model.metrics import binary_metrics, label_metrics
from model.schema import is_labelled

LABEL_TASKS = {
    "event_types": ("event_types", EVENT_TYPES),
    "sub_event_types": ("sub_event_types", SUB_EVENT_TYPES),
    "actor_categories": ("actors", ACTOR_CATEGORIES),
}


def gold_labels(record: dict, task: str) -> list[str]:
    if task == "actor_categories":
        return sorted({a["category"] for a in record["actors"] or ()})
    return list(record[task] or ())


def task_metrics(records: list[dict], results: list[dict]) -> dict:
    """Metrics per task over the records that carry its labels; ``skipped`` lists tasks with
    no labelled record."""
    out: dict = {"n_texts": len(records), "skipped": []}
    for task, (field, labels) in LABEL_TASKS.items():
        rows = [i for i, r in enumerate(records) if is_labelled(r, field)]
        if not rows:
            out["skipped"].append(task)
            continue
        out[task] = label_metrics(
            [gold_labels(records[i], task) for i in rows], [results[i][task] for i in rows], labels
        )
    rows = [i for i, r in enumerate(records) if is_labelled(r, "casualties")]
    if rows:
        out["casualties"] = binary_metrics(
            [bool(records[i]["casualties"]) for i in rows], [results[i]["casualties"] for i in rows]
        )
    else:
        out["skipped"].append("casualties")
    for field in ("killed", "injured"):
        rows = [i for i, r in enumerate(records) if is_labelled(r, field) and r[field] is not None]
        if not rows:
            out["skipped"].append(field)
            continue
        gold = [records[i][field] for i in rows]
        pred = [results[i][field] for i in rows]
        exact = sum(p == g for p, g in zip(pred, gold, strict=True))
        within = sum(
            p is not None and abs(p - g) <= 0.1 * g for p, g in zip(pred, gold, strict=True)
        )
        errors = [abs((p or 0) - g) for p, g in zip(pred, gold, strict=True)]
        out[field] = {
            "n_texts": len(rows),
            "exact_match": round(exact / len(rows), 4),
            "within_10pct": round(within / len(rows), 4),
            "mean_absolute_error": round(sum(errors) / len(rows), 4),
        }
    return out


def summary_rows(metrics: dict) -> list[tuple[str, str, float]]:
    """(task, metric, value) rows for a terminal table."""
    rows = []
    for task in ("event_types", "sub_event_types", "actor_categories"):
        if task in metrics:
            rows += [
                (task, "micro_f1", metrics[task]["micro_f1"]),
                (task, "macro_f1", metrics[task]["macro_f1"]),
            ]
    if "casualties" in metrics:
        rows.append(("casualties", "f1", metrics["casualties"]["f1"]))
    for field in ("killed", "injured"):
        if field in metrics:
            rows.append((field, "exact_match", metrics[field]["exact_match"]))
    return rows
