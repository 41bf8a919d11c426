"""Agreement between the first labelling pass (the corpus) and the independent second pass.

Usage: python data/agreement.py [--no-write]

Reads ``data/second_pass.jsonl`` (the second annotator's labels for a random 10% of the
records, written from the texts alone) and ``data/corpus/*.jsonl``. Where
``data/adjudication.jsonl`` exists, the corpus already carries the adjudicated labels, so the
first pass as it was is rebuilt from the corpus by putting back each adjudicated field's
``first`` value. Writes ``data/agreement.json`` and prints a table:

- ``before``: the two independent passes (first pass before adjudication vs second pass);
  these are the agreement numbers to report.
- ``after``: the corpus as it is now vs the second pass (not independent: shows what is left
  after adjudication).
- ``disagreements``: ids and fields where the independent passes differ.
- ``adjudication``: how many disagreements were resolved for the first pass, for the second,
  or for neither, by field, and whether the corpus now holds every adjudicated value.

Tasks: event types and sub-event types (exact set match, per-label Cohen's kappa averaged
over the labels either pass used, micro-F1 of one pass against the other), actor categories
and actor names (micro set F1 over records; names compared case-insensitively), casualties
(agreement rate and Cohen's kappa), killed and injured (exact agreement, null = null).

Adjudication rows: {"id", "field", "first", "second", "decision", "reason"[, "final"]} where
field is one of event_types, sub_event_types, actors, casualties, killed, injured; decision
is "first", "second" or "neither" (then "final" holds the adjudicated value).

Standard library only.
"""

import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SECOND = os.path.join(HERE, "second_pass.jsonl")
ADJ = os.path.join(HERE, "adjudication.jsonl")
OUT = os.path.join(HERE, "agreement.json")
CORPUS = os.path.join(HERE, "corpus", "*.jsonl")

sys.path.insert(0, os.path.dirname(HERE))
from model.labels import ACTOR_CATEGORIES as CATEGORIES  # noqa: E402
from model.labels import EVENT_TYPES as EVENT  # noqa: E402
from model.labels import SUB_EVENT_TYPES as SUBS  # noqa: E402

FIELDS = ["event_types", "sub_event_types", "actors", "casualties", "killed", "injured"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def slim(rec):
    """The labels of a record, actors reduced to name and category."""
    return {
        "id": rec["id"],
        "event_types": sorted(rec.get("event_types", [])),
        "sub_event_types": sorted(rec.get("sub_event_types", [])),
        "actors": [{"name": a["name"], "category": a["category"]} for a in rec.get("actors", [])],
        "casualties": bool(rec.get("casualties")),
        "killed": rec.get("killed"),
        "injured": rec.get("injured"),
    }


def names(rec):
    return {a["name"].strip().lower() for a in rec["actors"]}


def cats(rec):
    return {a["category"] for a in rec["actors"]}


def same(field, x, y):
    if field in ("event_types", "sub_event_types"):
        return set(x) == set(y)
    if field == "actors":
        return {(a["name"].lower(), a["category"]) for a in x} == {
            (a["name"].lower(), a["category"]) for a in y
        }
    return x == y


def kappa(a, b):
    """Cohen's kappa of two equal-length lists of labels; None when undefined (pe = 1)."""
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b, strict=False)) / n
    labels = set(a) | set(b)
    pe = sum((a.count(v) / n) * (b.count(v) / n) for v in labels)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def set_scores(first, second, get, labels=None):
    """Exact match, micro-F1 (P and R of the second pass against the first) and, given a
    label list, per-label kappa averaged over the labels either pass used."""
    n = len(first)
    exact = sum(get(f) == get(s) for f, s in zip(first, second, strict=False)) / n
    tp = sum(len(get(f) & get(s)) for f, s in zip(first, second, strict=False))
    nf = sum(len(get(f)) for f in first)
    ns = sum(len(get(s)) for s in second)
    out = {
        "exact_match": exact,
        "micro_precision": tp / ns if ns else None,
        "micro_recall": tp / nf if nf else None,
        "micro_f1": 2 * tp / (nf + ns) if nf + ns else None,
    }
    if labels is not None:
        per = {}
        for lab in labels:
            a = [lab in get(f) for f in first]
            b = [lab in get(s) for s in second]
            if not any(a) and not any(b):
                continue
            per[lab] = kappa(a, b)
        defined = [k for k in per.values() if k is not None]
        out["mean_kappa"] = sum(defined) / len(defined) if defined else None
        out["kappa_labels"] = len(defined)
        out["per_label_kappa"] = per
    return out


def metrics(first, second):
    n = len(first)
    m = {"n": n}
    m["event_types"] = set_scores(first, second, lambda r: set(r["event_types"]), list(EVENT))
    m["sub_event_types"] = set_scores(first, second, lambda r: set(r["sub_event_types"]), SUBS)
    m["actor_categories"] = set_scores(first, second, cats, CATEGORIES)
    m["actor_names"] = set_scores(first, second, names)
    a = [r["casualties"] for r in first]
    b = [r["casualties"] for r in second]
    m["casualties"] = {
        "agreement": sum(x == y for x, y in zip(a, b, strict=False)) / n,
        "kappa": kappa(a, b),
    }
    for f in ("killed", "injured"):
        m[f] = {
            "exact_agreement": sum(x[f] == y[f] for x, y in zip(first, second, strict=False)) / n
        }
    return m


def disagreements(first, second):
    out = []
    for f, s in zip(first, second, strict=False):
        diff = {}
        for field in FIELDS:
            if field == "actors":
                if names(f) != names(s):
                    diff["actor_names"] = {"first": sorted(names(f)), "second": sorted(names(s))}
                if cats(f) != cats(s):
                    diff["actor_categories"] = {"first": sorted(cats(f)), "second": sorted(cats(s))}
                if names(f) == names(s) and not same("actors", f["actors"], s["actors"]):
                    diff["actor_name_category"] = {"first": f["actors"], "second": s["actors"]}
            elif not same(field, f[field], s[field]):
                diff[field] = {"first": f[field], "second": s[field]}
        if diff:
            out.append({"id": f["id"], "fields": diff})
    return out


def fmt(x):
    if x is None:
        return "  n/a"
    return f"{x:5.3f}"


def table(before, after):
    rows = [
        ("event types", "exact set match", "event_types", "exact_match"),
        ("", "mean per-label kappa", "event_types", "mean_kappa"),
        ("", "micro-F1", "event_types", "micro_f1"),
        ("sub-event types", "exact set match", "sub_event_types", "exact_match"),
        ("", "mean per-label kappa", "sub_event_types", "mean_kappa"),
        ("", "micro-F1", "sub_event_types", "micro_f1"),
        ("actor categories", "set micro-F1", "actor_categories", "micro_f1"),
        ("", "exact set match", "actor_categories", "exact_match"),
        ("actor names", "set micro-F1", "actor_names", "micro_f1"),
        ("", "exact set match", "actor_names", "exact_match"),
        ("casualties", "agreement", "casualties", "agreement"),
        ("", "Cohen's kappa", "casualties", "kappa"),
        ("killed", "exact agreement", "killed", "exact_agreement"),
        ("injured", "exact agreement", "injured", "exact_agreement"),
    ]
    lines = [f"{'task':<18}{'measure':<22}{'before':>8}{'after':>8}", "-" * 56]
    for task, measure, key, sub in rows:
        lines.append(f"{task:<18}{measure:<22}{fmt(before[key][sub]):>8}{fmt(after[key][sub]):>8}")
    return "\n".join(lines)


def main(argv):
    second = {r["id"]: slim(r) for r in read_jsonl(SECOND)}
    corpus = {}
    for path in sorted(glob.glob(CORPUS)):
        for r in read_jsonl(path):
            corpus[r["id"]] = slim(r)
    missing = sorted(set(second) - set(corpus))
    if missing:
        print(f"ids in the second pass but not in the corpus: {missing}")
        return 1
    ids = sorted(second)
    adj = read_jsonl(ADJ) if os.path.exists(ADJ) else []

    # Rebuild the first pass: the corpus now, with each adjudicated field's first value put back.
    first_before = {i: json.loads(json.dumps(corpus[i])) for i in ids}
    decided = {"first": 0, "second": 0, "neither": 0}
    by_field = {}
    not_applied = []
    for row in adj:
        i, field, dec = row["id"], row["field"], row["decision"]
        if i not in first_before or field not in FIELDS or dec not in decided:
            not_applied.append({"id": i, "field": field, "problem": "bad id, field or decision"})
            continue
        decided[dec] += 1
        by_field.setdefault(field, {"first": 0, "second": 0, "neither": 0})[dec] += 1
        final = {"first": row["first"], "second": row["second"]}.get(dec, row.get("final"))
        if not same(field, corpus[i][field], final):
            not_applied.append(
                {"id": i, "field": field, "problem": "corpus does not hold the decision"}
            )
        first_before[i][field] = row["first"]
        if field in ("event_types", "sub_event_types"):
            first_before[i][field] = sorted(row["first"])

    first_b = [first_before[i] for i in ids]
    first_a = [corpus[i] for i in ids]
    sec = [second[i] for i in ids]
    before = metrics(first_b, sec)
    after = metrics(first_a, sec)
    dis = disagreements(first_b, sec)
    fixed_records = sorted({r["id"] for r in adj if r.get("decision") != "first"})
    result = {
        "n": len(ids),
        "about": "before = first pass (corpus before adjudication) vs independent second pass; "
        "after = corpus after adjudication vs second pass (not independent)",
        "before": before,
        "after": after,
        "disagreements": dis,
        "adjudication": {
            "rows": len(adj),
            "resolved_for_first": decided["first"],
            "resolved_for_second": decided["second"],
            "resolved_for_neither": decided["neither"],
            "by_field": by_field,
            "corpus_records_fixed": len(fixed_records),
            "corpus_records_fixed_ids": fixed_records,
            "not_applied": not_applied,
        },
    }
    print(
        f"n = {len(ids)} records; {len(dis)} with at least one disagreement (before adjudication)\n"
    )
    print(table(before, after))
    print(
        f"\nadjudication: {len(adj)} decisions: first pass {decided['first']}, "
        f"second pass {decided['second']}, neither {decided['neither']}; "
        f"{len(fixed_records)} corpus records fixed"
    )
    if not_applied:
        print(
            f"WARNING: {len(not_applied)} adjudication row(s) not reflected in the corpus: {not_applied}"
        )
    if "--no-write" not in argv:
        with open(OUT, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
    return 1 if not_applied else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
