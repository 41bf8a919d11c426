"""Check and describe the embedded corpus in data/corpus.

    python data/check_corpus.py            # validate, look for near-duplicates, print coverage
    python data/check_corpus.py --write    # also refresh the statistics in data/README.md

Exits non-zero when a record is invalid, two texts are near-duplicates, or a coverage target
of the corpus (issue 3) is missed. The statistics section of the datasheet is written by this
script, never by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.corpora import iter_records  # noqa: E402
from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, SUB_EVENT_TYPES  # noqa: E402

CORPUS = ROOT / "data" / "corpus"
DATASHEET = ROOT / "data" / "README.md"
AGREEMENT = ROOT / "data" / "agreement.json"
BEGIN, END = "<!-- stats:begin -->", "<!-- stats:end -->"
AGREE_BEGIN, AGREE_END = "<!-- agreement:begin -->", "<!-- agreement:end -->"

CONTINENT = {
    **dict.fromkeys(
        "Benin,Burkina Faso,Cameroon,Central African Republic,Chad,Democratic Republic of Congo,"
        "Egypt,Ethiopia,Kenya,Libya,Mali,Mozambique,Niger,Nigeria,Somalia,South Africa,"
        "South Sudan,Sudan,Tunisia".split(","),
        "Africa",
    ),
    **dict.fromkeys(
        "Afghanistan,Armenia,Azerbaijan,Bangladesh,Cambodia,Georgia,India,Indonesia,Iran,Iraq,"
        "Israel,Jordan,Lebanon,Myanmar,Nepal,Pakistan,Palestine,Philippines,Sri Lanka,Syria,"
        "Thailand,Turkey,Yemen".split(","),
        "Asia",
    ),
    **dict.fromkeys("France,Kosovo,Russia,Serbia,Ukraine,United Kingdom".split(","), "Europe"),
    **dict.fromkeys("Haiti,Mexico,United States".split(","), "North America"),
    **dict.fromkeys("Brazil,Chile,Colombia,Ecuador,Peru,Venezuela".split(","), "South America"),
    "Papua New Guinea": "Oceania",
}
NEAR_DUPLICATE = 0.5  # Jaccard similarity of word 5-gram sets


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def near_duplicates(records: list[dict]) -> list[tuple[str, str, float]]:
    """Pairs of records whose texts share most of their word 5-grams."""
    sets = [shingles(r["text"]) for r in records]
    index: dict[tuple, list[int]] = {}
    for i, s in enumerate(sets):
        for sh in s:
            index.setdefault(sh, []).append(i)
    shared: Counter = Counter()
    for ids in index.values():
        if len(ids) < 50:  # very common 5-grams say nothing about duplication
            shared.update(combinations(ids, 2))
    pairs = []
    for (i, j), n in shared.items():
        jaccard = n / len(sets[i] | sets[j])
        if jaccard >= NEAR_DUPLICATE:
            pairs.append((records[i]["id"], records[j]["id"], round(jaccard, 3)))
    return sorted(pairs)


def word_offset(text: str, char: int) -> int:
    return len(text[:char].split())


def describe(records: list[dict]) -> dict:
    """Coverage statistics of the corpus."""
    notes = [r for r in records if r["genre"] == "note"]
    articles = [r for r in records if r["genre"] == "article"]
    words = sorted(len(r["text"].split()) for r in articles)
    types = Counter(t for r in records for t in r["event_types"])
    subs = Counter(s for r in records for s in r["sub_event_types"])
    cats = Counter(c for r in records for c in {a["category"] for a in r["actors"]})
    countries = Counter(r["country"] for r in records)
    late = [
        r["id"]
        for r in articles
        if r["actors"] and min(word_offset(r["text"], a["start"]) for a in r["actors"]) > 400
    ]
    forms = {
        "killed given": sum(r["killed"] is not None and r["killed"] > 0 for r in records),
        "injured given": sum(r["injured"] is not None and r["injured"] > 0 for r in records),
        "injured only": sum((r["injured"] or 0) > 0 and not r["killed"] for r in records),
        "explicit zero": sum(r["killed"] == 0 or r["injured"] == 0 for r in records),
        "casualties without a number": sum(
            r["casualties"] and r["killed"] is None and r["injured"] is None for r in records
        ),
        "'at least' in text": sum("at least" in r["text"] for r in records),
        "number words in text": sum(
            bool(
                re.search(
                    r"\b(two|three|four|five|six|seven|eight|nine|ten|dozen)\b", r["text"], re.I
                )
            )
            for r in records
        ),
    }
    return {
        "records": len(records),
        "short reports": len(notes),
        "full articles": len(articles),
        "article words (min/median/max)": (
            f"{words[0]}/{words[len(words) // 2]}/{words[-1]}" if words else "-"
        ),
        "articles outside 250-800 words": sum(not 250 <= w <= 800 for w in words),
        "no-event records": sum(not r["event_types"] for r in records),
        "articles with 2+ event types": sum(len(r["event_types"]) > 1 for r in articles),
        "articles whose first actor comes after word 400": len(late),
        "event types": {t: types[t] for t in EVENT_TYPES},
        "sub-event types": {s: subs[s] for s in SUB_EVENT_TYPES},
        "actor categories (records)": {c: cats[c] for c in ACTOR_CATEGORIES},
        "countries": dict(countries.most_common()),
        "continents": dict(Counter(CONTINENT.get(c, "unknown") for c in countries).most_common()),
        "casualty forms": forms,
        "distinct actor names": len({a["name"] for r in records for a in r["actors"]}),
    }


def targets(stats: dict) -> list[tuple[str, bool, str]]:
    """(target, met, value) for each coverage target of issue 3."""
    n = stats["records"]
    subs = stats["sub-event types"]
    return [
        (">= 1,000 short reports", stats["short reports"] >= 1000, str(stats["short reports"])),
        (">= 120 full articles", stats["full articles"] >= 120, str(stats["full articles"])),
        (
            "articles of 250-800 words",
            stats["articles outside 250-800 words"] == 0,
            f"{stats['articles outside 250-800 words']} outside",
        ),
        (
            "every event type >= 80 records",
            min(stats["event types"].values()) >= 80,
            f"min {min(stats['event types'].values())}",
        ),
        (
            ">= 22 sub-event types with >= 12 records",
            sum(v >= 12 for v in subs.values()) >= 22,
            f"{sum(v >= 12 for v in subs.values())} of 25",
        ),
        (
            "all 8 actor categories",
            min(stats["actor categories (records)"].values()) > 0,
            f"min {min(stats['actor categories (records)'].values())}",
        ),
        (">= 20 countries", len(stats["countries"]) >= 20, str(len(stats["countries"]))),
        (">= 5 continents", len(stats["continents"]) >= 5, str(len(stats["continents"]))),
        (
            ">= 15% no-event records",
            stats["no-event records"] >= 0.15 * n,
            f"{stats['no-event records'] / n:.1%}",
        ),
        (
            ">= 30% of articles with 2+ event types",
            stats["articles with 2+ event types"] >= 0.3 * max(1, stats["full articles"]),
            f"{stats['articles with 2+ event types'] / max(1, stats['full articles']):.1%}",
        ),
        (
            "some articles with the event after word 400",
            stats["articles whose first actor comes after word 400"] > 0,
            str(stats["articles whose first actor comes after word 400"]),
        ),
    ]


def markdown(stats: dict) -> str:
    lines = [
        BEGIN,
        "",
        "_Generated by `python data/check_corpus.py --write`; do not edit._",
        "",
        "| target (issue 3) | met | value |",
        "|---|---|---|",
    ]
    lines += [f"| {t} | {'yes' if ok else 'NO'} | {v} |" for t, ok, v in targets(stats)]
    lines += ["", "| measure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in stats.items() if not isinstance(v, dict)]
    for key, table in stats.items():
        if isinstance(table, dict):
            lines += ["", f"**{key}**: " + ", ".join(f"{k} {v}" for k, v in table.items())]
    return "\n".join(lines + ["", END])


def agreement_markdown(agreement: dict) -> str:
    """The agreement table of the two independent labelling passes (data/agreement.json)."""
    before = agreement["before"]
    rows = [
        ("event types", "exact set match", before["event_types"]["exact_match"]),
        ("event types", "mean per-label Cohen's kappa", before["event_types"]["mean_kappa"]),
        ("event types", "micro-F1", before["event_types"]["micro_f1"]),
        ("sub-event types", "exact set match", before["sub_event_types"]["exact_match"]),
        (
            "sub-event types",
            "mean per-label Cohen's kappa",
            before["sub_event_types"]["mean_kappa"],
        ),
        ("sub-event types", "micro-F1", before["sub_event_types"]["micro_f1"]),
        ("actor categories", "set micro-F1", before["actor_categories"]["micro_f1"]),
        ("actor names", "set micro-F1", before["actor_names"]["micro_f1"]),
        ("casualties", "agreement", before["casualties"]["agreement"]),
        ("casualties", "Cohen's kappa", before["casualties"]["kappa"]),
        ("killed", "exact agreement", before["killed"]["exact_agreement"]),
        ("injured", "exact agreement", before["injured"]["exact_agreement"]),
    ]
    adj = agreement["adjudication"]
    lines = [
        AGREE_BEGIN,
        "",
        "_Generated from `agreement.json` by `python data/check_corpus.py --write`; do not edit._",
        "",
        f"Agreement of the two independent passes on {agreement['n']} records:",
        "",
        "| task | measure | agreement |",
        "|---|---|---|",
    ]
    lines += [f"| {t} | {m} | {v:.3f} |" for t, m, v in rows]
    lines += [
        "",
        f"Adjudication: {adj['rows']} field decisions, {adj['resolved_for_first']} for "
        f"the first pass, {adj['resolved_for_second']} for the second, "
        f"{adj['resolved_for_neither']} for neither; {adj['corpus_records_fixed']} corpus "
        "records fixed.",
        "",
        AGREE_END,
    ]
    return "\n".join(lines)


def fill(text: str, begin: str, end: str, section: str) -> str:
    if begin not in text or end not in text:
        raise SystemExit(f"{DATASHEET} has no {begin} ... {end} section to fill")
    head, rest = text.split(begin, 1)
    return head + section + rest.split(end, 1)[1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--write", action="store_true", help="refresh the stats in data/README.md")
    args = p.parse_args(argv)
    records = list(iter_records(str(CORPUS)))  # raises, naming file and line, on a bad record
    ids = Counter(r["id"] for r in records)
    problems = [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    problems += [
        f"near-duplicate texts {a} / {b} (Jaccard {j})" for a, b, j in near_duplicates(records)
    ]
    stats = describe(records)
    for target, ok, value in targets(stats):
        print(f"{'ok ' if ok else 'MISSED'} {target:<45} {value}")
        if not ok:
            problems.append(f"target missed: {target} ({value})")
    print(json.dumps({k: v for k, v in stats.items()}, indent=1)[:3000])
    if args.write:
        text = fill(DATASHEET.read_text(encoding="utf-8"), BEGIN, END, markdown(stats))
        if AGREEMENT.exists():
            agreement = json.loads(AGREEMENT.read_text(encoding="utf-8"))
            text = fill(text, AGREE_BEGIN, AGREE_END, agreement_markdown(agreement))
        DATASHEET.write_text(text, encoding="utf-8")
        print(f"wrote statistics into {DATASHEET}")
    for problem in problems:
        print("problem:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
