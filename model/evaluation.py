"""Compare a tagger's results with gold records, task by task, skipping (and saying so) the
tasks a corpus has no labels for; and pick out the worst errors for a person to read.

>>> m = task_metrics(records, tagger.predict([r["text"] for r in records]))  # doctest: +SKIP
>>> m["event_types"]["macro_f1"], m["skipped"]                              # doctest: +SKIP
(0.91, ['injured'])
"""

from __future__ import annotations

from collections.abc import Callable

from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, SUB_EVENT_TYPES
from model.metrics import (
    binary_metrics,
    confusion,
    count_metrics,
    label_metrics,
    set_metrics,
    text_set_scores,
)
from model.schema import is_labelled

LABEL_TASKS = {
    "event_types": ("event_types", EVENT_TYPES),
    "sub_event_types": ("sub_event_types", SUB_EVENT_TYPES),
    "actor_categories": ("actors", ACTOR_CATEGORIES),
}
TASK_ORDER = (
    "event_types",
    "sub_event_types",
    "actor_categories",
    "actor_names",
    "casualties",
    "killed",
    "injured",
)


def exact_name(name: str) -> str:
    """The fallback canonical form of an actor name: the name with its spaces normalised."""
    return " ".join(str(name).split())


def name_canonicaliser() -> tuple[Callable[[str], str], str]:
    """(function, description) used on gold and predicted actor names alike:
    ``model.extract.canonical_actor_name`` when the extractor package is present, else
    exact strings."""
    try:
        from model.extract import canonical_actor_name
    except ImportError:
        return exact_name, "exact strings (model.extract not available)"
    return canonical_actor_name, "model.extract.canonical_actor_name"


def gold_labels(record: dict, task: str) -> list[str]:
    """The gold labels of ``record`` for a label task (actor categories from its actors)."""
    if task == "actor_categories":
        return sorted({a["category"] for a in record["actors"] or ()})
    return list(record[task] or ())


def name_sets(
    records: list[dict], results: list[dict], canonical: Callable[[str], str]
) -> tuple[list[set[str]], list[set[str]]]:
    """Canonical gold and predicted actor-name sets, text by text."""
    gold = [{canonical(a["name"]) for a in r["actors"] or ()} for r in records]
    pred = [{canonical(a["name"]) for a in res.get("actors") or ()} for res in results]
    return gold, pred


def task_metrics(
    records: list[dict],
    results: list[dict],
    canonical: Callable[[str], str] | None = None,
) -> dict:
    """Metrics per task over the records that carry its labels. ``skipped`` lists tasks the
    corpus has no labels for, and ``skipped_why`` says why."""
    if len(records) != len(results):
        raise ValueError(f"{len(records)} records but {len(results)} results; pass one per record")
    out: dict = {"n_texts": len(records), "skipped": [], "skipped_why": {}}

    def skip(task: str, why: str) -> None:
        out["skipped"].append(task)
        out["skipped_why"][task] = why

    for task, (field, labels) in LABEL_TASKS.items():
        rows = [i for i, r in enumerate(records) if is_labelled(r, field)]
        if not rows:
            skip(task, f"no text of the corpus is labelled for {field}")
            continue
        gold = [gold_labels(records[i], task) for i in rows]
        pred = [list(results[i][task]) for i in rows]
        out[task] = label_metrics(gold, pred, labels)
        if task != "actor_categories" and all(len(g) == 1 for g in gold):
            out[task]["confusion"] = confusion([g[0] for g in gold], pred, labels)
    rows = [i for i, r in enumerate(records) if is_labelled(r, "actors")]
    if rows:
        canonical = canonical or name_canonicaliser()[0]
        gold, pred = name_sets([records[i] for i in rows], [results[i] for i in rows], canonical)
        out["actor_names"] = set_metrics(gold, pred)
    else:
        skip("actor_names", "no text of the corpus is labelled for actors")
    rows = [i for i, r in enumerate(records) if is_labelled(r, "casualties")]
    if rows:
        out["casualties"] = binary_metrics(
            [bool(records[i]["casualties"]) for i in rows],
            [bool(results[i]["casualties"]) for i in rows],
            [float(results[i].get("casualty_score", results[i]["casualties"])) for i in rows],
        )
    else:
        skip("casualties", "no text of the corpus is labelled for casualties")
    for field in ("killed", "injured"):
        rows = [i for i, r in enumerate(records) if is_labelled(r, field)]
        found = count_metrics([records[i][field] for i in rows], [results[i][field] for i in rows])
        if found is None:
            why = "not labelled" if not rows else "no labelled text gives a number"
            skip(field, f"{why} in this corpus")
        else:
            out[field] = found
    return out


def slices(
    records: list[dict],
    results: list[dict],
    by: tuple[str, ...] = ("source", "genre", "country"),
    min_texts: int = 20,
    max_groups: int = 15,
) -> dict:
    """Headline metrics per group of a metadata field (the largest ``max_groups`` groups of
    at least ``min_texts`` texts), for fields with more than one such group: where the
    model is weak, by source, genre and country."""
    out = {}
    for field in by:
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            groups.setdefault(r.get(field) or "unknown", []).append(i)
        big = sorted(
            (g for g in groups.items() if len(g[1]) >= min_texts), key=lambda g: -len(g[1])
        )
        if len(big) < 2:
            continue
        out[field] = {}
        for name, rows in big[:max_groups]:
            m = task_metrics([records[i] for i in rows], [results[i] for i in rows], str)
            out[field][name] = {
                "n_texts": len(rows),
                "event_types_micro_f1": (m.get("event_types") or {}).get("micro_f1"),
                "event_types_macro_f1": (m.get("event_types") or {}).get("macro_f1"),
                "casualties_f1": (m.get("casualties") or {}).get("f1"),
            }
    return out


def excerpt(text: str, span: tuple[int, int] | None = None, width: int = 240) -> str:
    """A one-line excerpt: the span when given (an evidence passage), else the start."""
    start, end = span if span else (0, len(text))
    piece = " ".join(text[start:end].split())
    prefix = "... " if start > 0 else ""
    return prefix + (piece if len(piece) <= width else piece[: width - 4].rstrip() + " ...")


def _evidence_span(result: dict, label: str) -> tuple[int, int] | None:
    for ev in result.get("evidence") or ():
        if ev.get("label") == label:
            return ev["start"], ev["end"]
    return None


def _label_errors(records, results, task, field, n) -> dict:
    fps, fns = [], []
    for rec, res in zip(records, results, strict=True):
        if not is_labelled(rec, field):
            continue
        gold, pred = set(gold_labels(rec, task)), set(res[task])
        scores = res.get("event_type_scores", {}) if task == "event_types" else {}
        for label in pred - gold:
            span = _evidence_span(res, label)
            fps.append((-(scores.get(label, 1.0)), rec, label, scores.get(label), span, gold))
        for label in gold - pred:
            fns.append((scores.get(label, 0.0), rec, label, scores.get(label), None, gold))
    return {
        "false_positives": _rows(fps, n),
        "false_negatives": _rows(fns, n),
    }


def _rows(items: list[tuple], n: int) -> list[dict]:
    """The first ``n`` items by rank, one per (label, excerpt): corpora repeat texts."""
    rows, seen = [], set()
    for _, rec, label, score, span, gold in sorted(items, key=lambda x: x[0]):
        text = excerpt(rec["text"], span)
        if (label, text) in seen:
            continue
        seen.add((label, text))
        rows.append(
            {"id": rec["id"], "label": label, "score": score, "gold": sorted(gold), "excerpt": text}
        )
        if len(rows) == n:
            break
    return rows


def error_analysis(
    records: list[dict],
    results: list[dict],
    n: int = 8,
    canonical: Callable[[str], str] | None = None,
) -> dict:
    """The ``n`` worst false positives and false negatives per task, with text excerpts:
    ranked by the model's score where it gives one (most confident mistakes first)."""
    out = {}
    for task, (field, _) in LABEL_TASKS.items():
        if any(is_labelled(r, field) for r in records):
            out[task] = _label_errors(records, results, task, field, n)
    pairs = [(r, s) for r, s in zip(records, results, strict=True) if is_labelled(r, "casualties")]
    if pairs:
        fps = [
            (-s.get("casualty_score", 1.0), r, "casualties", s.get("casualty_score"), None, [])
            for r, s in pairs
            if s["casualties"] and not r["casualties"]
        ]
        fns = [
            (
                s.get("casualty_score", 0.0),
                r,
                "casualties",
                s.get("casualty_score"),
                None,
                ["casualties"],
            )
            for r, s in pairs
            if r["casualties"] and not s["casualties"]
        ]
        out["casualties"] = {
            "false_positives": _rows(fps, n),
            "false_negatives": _rows(fns, n),
        }
    pairs = [(r, s) for r, s in zip(records, results, strict=True) if is_labelled(r, "actors")]
    if pairs:
        canonical = canonical or name_canonicaliser()[0]
        gold, pred = name_sets([r for r, _ in pairs], [s for _, s in pairs], canonical)
        worst = sorted(range(len(pairs)), key=lambda i: (text_set_scores(gold[i], pred[i])[2], i))
        shown: dict[str, dict] = {}
        for i in worst:
            text = excerpt(pairs[i][0]["text"])
            if gold[i] == pred[i] or len(shown) == n or text in shown:
                continue
            missed, spurious = sorted(gold[i] - pred[i]), sorted(pred[i] - gold[i])
            shown[text] = {
                "id": pairs[i][0]["id"],
                "missed": missed,
                "spurious": spurious,
                "excerpt": text,
            }
        out["actor_names"] = list(shown.values())
    for field in ("killed", "injured"):
        pairs = [
            (r, s)
            for r, s in zip(records, results, strict=True)
            if is_labelled(r, field) and r[field] is not None and s[field] != r[field]
        ]
        pairs.sort(key=lambda x: -abs((x[1][field] or 0) - x[0][field]))
        if pairs:
            out[field] = [
                {
                    "id": r["id"],
                    "gold": r[field],
                    "predicted": s[field],
                    "excerpt": excerpt(r["text"]),
                }
                for r, s in pairs[:n]
            ]
    return out


def summary_rows(metrics: dict) -> list[tuple[str, str, float]]:
    """(task, metric, value) rows for a terminal table; metrics without a value are left out."""
    wanted = {
        "event_types": ("micro_f1", "macro_f1"),
        "sub_event_types": ("micro_f1", "macro_f1"),
        "actor_categories": ("micro_f1", "macro_f1"),
        "actor_names": ("f1", "micro_f1"),
        "casualties": ("f1", "roc_auc", "ece"),
        "killed": ("exact_match", "within_10pct", "mean_absolute_error"),
        "injured": ("exact_match", "within_10pct", "mean_absolute_error"),
    }
    rows = []
    for task in TASK_ORDER:
        for metric in wanted[task] if task in metrics else ():
            value = metrics[task].get(metric)
            if value is not None:
                rows.append((task, metric, value))
    return rows
