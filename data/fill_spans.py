"""Fill and check actor spans in corpus JSONL files, in place.

Usage: python data/fill_spans.py data/corpus/notes_1.jsonl [...]

For each actor with a ``mention`` but no ``start``, sets ``start``/``end`` to the first
occurrence of the mention at or after ``search_from`` (default 0); checks that every span
equals the text it points at. Exits non-zero, naming file, line and id, on any problem.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from model.labels import ACTOR_CATEGORIES as CATEGORIES  # noqa: E402
from model.labels import EVENT_TYPES as EVENT  # noqa: E402
from model.labels import PARENT  # noqa: E402
from model.schema import FIELDS  # noqa: E402

# Every field of the schema; our corpus labels every task, so it never needs "unlabelled".
KEYS = set(FIELDS) - {"unlabelled"}


def fix(rec: dict) -> list[str]:
    problems = []
    unknown = set(rec) - KEYS
    if unknown:
        problems.append(f"unknown keys {sorted(unknown)}")
    text = rec.get("text", "")
    for e in rec.get("event_types", []):
        if e not in EVENT:
            problems.append(f"unknown event type {e!r}")
    for s in rec.get("sub_event_types", []):
        if s not in PARENT:
            problems.append(f"unknown sub-event type {s!r}")
        elif PARENT[s] not in rec.get("event_types", []):
            problems.append(f"sub-event {s!r} without parent {PARENT[s]!r} in event_types")
    for a in rec.get("actors", []):
        if a.get("category") not in CATEGORIES:
            problems.append(f"actor {a.get('name')!r}: unknown category {a.get('category')!r}")
        m = a.get("mention")
        if m is None:
            continue
        if "start" not in a or a["start"] is None:
            i = text.find(m, a.pop("search_from", 0))
            if i < 0:
                problems.append(f"mention {m!r} not found in text")
                continue
            a["start"], a["end"] = i, i + len(m)
        a.pop("search_from", None)
        if text[a["start"] : a["end"]] != m:
            problems.append(
                f"span {a['start']}:{a['end']} is {text[a['start'] : a['end']]!r}, not {m!r}"
            )
    if rec.get("casualties") and rec.get("killed") is None and rec.get("injured") is None:
        pass  # allowed: casualties reported with no number
    if not rec.get("casualties") and (rec.get("killed") or rec.get("injured")):
        problems.append("killed/injured > 0 but casualties is false")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="FILE", help="corpus JSONL file")
    paths = parser.parse_args(argv).paths
    bad = 0
    for path in paths:
        out, unreadable = [], False
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    print(f"{path}:{n}: not JSON: {exc}")
                    bad += 1
                    unreadable = True
                    continue
                for p in fix(rec):
                    print(f"{path}:{n}: id={rec.get('id')}: {p}")
                    bad += 1
                out.append(rec)
        if unreadable:
            print(f"{path}: not rewritten, so no line is lost; fix the lines above first")
            continue
        with open(path, "w", encoding="utf-8") as fh:
            for rec in out:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
