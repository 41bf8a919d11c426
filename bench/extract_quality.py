"""Quality of actor and casualty extraction on the real corpora in ../shared/data.

    python bench/extract_quality.py [--data ../shared/data] [--no-fit] [--errors 10]

What it measures (and the choices behind each figure):

- ACLED actor set-F1 on notes from held-out countries (whole countries, never Syria; the fit
  step sees only the other countries' rows). Gold = actor1, actor2 and the associated actors,
  each through ``canonical_actor_name``; prediction = the names ``extract`` returns. Per-text
  F1 averaged over texts (1.0 when both sets are empty), plus micro P/R/F1.
- UCDP GED Syria 2017-2019 actor set-F1: gold = every group of side_a and side_b, mapped
  through ``data/ucdp_crosswalk.jsonl`` and then ``canonical_actor_name``.
- killed exact-match on UCDP headlines that state a number: (A) every single headline with a
  number and a death word; (B) those of (A) whose numbers include UCDP's ``best`` (the
  headline states UCDP's count). UCDP's ``best`` is the count of one GED event; a SOHR
  headline often gives a daily or campaign toll that UCDP splits over many events, so (A)
  mostly measures that mismatch, and (B) the extractor.
- casualty presence F1. ACLED: gold ``fatalities > 0``, predicted ``killed_reported`` (ACLED
  codes deaths only). UCDP: every GED row has deaths by rule, but many headlines do not say
  so ("Regime forces advance near Hama"); presence is judged on the rows whose headline has a
  casualty word (killed, dead, died, casualties, wounded, martyr, toll, ...), gold
  ``best > 0``, predicted ``casualties``. Both F1s are also given over all rows.
- speed: texts per second on one core, for ACLED notes and for full articles.

Benchmarks print figures; they assert nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.extract import Extractor  # noqa: E402
from model.extract.text import norm_key  # noqa: E402
from model.labels import INTER_CODE_TO_CATEGORY  # noqa: E402

HELD_OUT = (
    "Pakistan", "Nepal", "Afghanistan", "Myanmar", "Thailand", "Libya", "Nigeria", "Somalia",
    "Sri Lanka", "Democratic Republic of Congo", "Sudan", "South Sudan", "Ethiopia", "Mali",
    "Burkina Faso", "Cameroon", "Egypt", "Tunisia", "Mozambique",
)  # fmt: skip
DEATH_WORDS = re.compile(r"kill|dead|death|died|dies|martyr|toll|slain|lives|bodies|execut", re.I)
CASUALTY_WORDS = re.compile(
    r"kill|dead|death|died|dies|casualt|wound|injur|martyr|toll|bodies|slain|lives|massacre|"
    r"execut|fatalit|perish|losses",
    re.I,
)
NUMBER_WORDS = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|dozens?|tens|several|few)\b",
    re.I,
)
_WORD_VALUES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}  # fmt: skip
_WORD_VALUES.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50})


def set_f1(gold: set[str], pred: set[str]) -> float:
    if not gold and not pred:
        return 1.0
    tp = len(gold & pred)
    if tp == 0:
        return 0.0
    p, r = tp / len(pred), tp / len(gold)
    return 2 * p * r / (p + r)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def acled_gold(row: pd.Series, canon) -> set[str]:
    names = set()
    for col in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
        value = row.get(col)
        if isinstance(value, str):
            names |= {canon(p.strip()) for p in value.split(";") if p.strip()}
    return names


def acled_records(df: pd.DataFrame):
    """ACLED rows as records of the corpus schema (names as ACLED writes them)."""
    for row in df.itertuples(index=False):
        actors = []
        for col, inter in (("actor1", "inter1"), ("actor2", "inter2")):
            name = getattr(row, col)
            if isinstance(name, str) and name.strip():
                code = getattr(row, inter)
                category = INTER_CODE_TO_CATEGORY.get(int(code)) if pd.notna(code) else None
                actors.append({"name": name, "category": category})
        for col in ("assoc_actor_1", "assoc_actor_2"):
            value = getattr(row, col)
            if isinstance(value, str):
                actors += [{"name": p.strip()} for p in value.split(";") if p.strip()]
        yield {"text": row.text, "actors": actors, "country": row.country}


def evaluate_actors(ex: Extractor, texts, golds, countries=None, errors: int = 0, label: str = ""):
    f1s, tp, fp, fn = [], 0, 0, 0
    shown = 0
    outs = []
    for k, (text, gold) in enumerate(zip(texts, golds, strict=True)):
        out = ex.extract(text, country=countries[k] if countries else None)
        outs.append(out)
        pred = {a["name"] for a in out["actors"]}
        f1s.append(set_f1(gold, pred))
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        if shown < errors and gold != pred:
            shown += 1
            print(
                f"[{label}] {text[:300]!r}\n   gold-only={sorted(gold - pred)} pred-only={sorted(pred - gold)}"
            )
    return sum(f1s) / max(len(f1s), 1), prf(tp, fp, fn), outs


def load_crosswalk(path: Path) -> dict[str, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            table[row["ucdp"]] = row["name"]
    return table


def numbers_in(text: str) -> set[int]:
    out = {int(x) for x in re.findall(r"\b\d+\b", text)}
    out |= {
        _WORD_VALUES[w.lower()] for w in re.findall(r"[A-Za-z]+", text) if w.lower() in _WORD_VALUES
    }
    return out


def speed(ex: Extractor, texts: list[str]) -> float:
    start = time.perf_counter()
    for t in texts:
        ex.extract(t)
    return len(texts) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--no-fit", action="store_true", help="catalogue only, no learning from ACLED")
    ap.add_argument(
        "--no-new-names", action="store_true", help="do not propose names the catalogue lacks"
    )
    ap.add_argument(
        "--country-hint", action="store_true", help="pass each row's country to extract()"
    )
    ap.add_argument(
        "--errors", type=int, default=0, help="print this many disagreements per corpus"
    )
    ap.add_argument(
        "--limit", type=int, default=0, help="evaluate at most this many rows per corpus"
    )
    args = ap.parse_args(argv)
    data = Path(args.data)

    acled = pd.read_csv(data / "acled" / "acled_events.csv.gz", low_memory=False)
    acled = acled[acled["text"].notna()]
    held = acled[acled["country"].isin(HELD_OUT)]
    train = acled[~acled["country"].isin(HELD_OUT)]
    ex = Extractor(new_names=not args.no_new_names)
    fit_s = 0.0
    if not args.no_fit:
        start = time.perf_counter()
        ex.fit(acled_records(train))
        fit_s = time.perf_counter() - start
    if args.limit:
        held = held.sample(min(args.limit, len(held)), random_state=0)

    canon = ex.canonical_actor_name
    golds = [acled_gold(r, canon) for _, r in held.iterrows()]
    hints = list(held["country"]) if args.country_hint else None
    a_f1, (a_p, a_r, a_mf1), outs = evaluate_actors(
        ex, list(held["text"]), golds, hints, args.errors, "ACLED"
    )
    gold_dead = [f > 0 for f in held["fatalities"].fillna(0)]
    pred_dead = [o["killed_reported"] for o in outs]
    ac_pres = prf(*_confusion(gold_dead, pred_dead))
    killed_match = sum(
        (o["killed"] or 0) == f for o, f in zip(outs, held["fatalities"].fillna(0), strict=True)
    ) / len(outs)

    ucdp = pd.read_csv(data / "ucdp_ged_syria" / "ged_syria_2017_2019.csv.gz", low_memory=False)
    ucdp = ucdp[ucdp["text"].notna()]
    if args.limit:
        ucdp = ucdp.sample(min(args.limit, len(ucdp)), random_state=0)
    walk = load_crosswalk(ROOT / "data" / "ucdp_crosswalk.jsonl")
    unmapped = set()

    def ucdp_names(row) -> set[str]:
        names = set()
        for side in (row["side_a"], row["side_b"]):
            for group in str(side).split(", "):
                group = group.strip()
                if group not in walk:
                    unmapped.add(group)
                names.add(canon(walk.get(group, group)))
        return names

    u_golds = [ucdp_names(r) for _, r in ucdp.iterrows()]
    u_hints = ["Syria"] * len(ucdp) if args.country_hint else None
    u_f1, (u_p, u_r, u_mf1), u_outs = evaluate_actors(
        ex, list(ucdp["text"]), u_golds, u_hints, args.errors, "UCDP"
    )

    texts = list(ucdp["text"])
    single = [";" not in t for t in texts]
    states = [bool(DEATH_WORDS.search(t)) and bool(NUMBER_WORDS.search(t)) for t in texts]
    sub_a = [k for k in range(len(texts)) if single[k] and states[k]]
    best = list(ucdp["best"].fillna(0).astype(int))
    sub_b = [k for k in sub_a if best[k] in numbers_in(texts[k])]
    match_a = sum(u_outs[k]["killed"] == best[k] for k in sub_a) / max(len(sub_a), 1)
    match_b = sum(u_outs[k]["killed"] == best[k] for k in sub_b) / max(len(sub_b), 1)
    sub_c = [
        k
        for k in sub_b
        if not re.search(rf"including (?:about |more than |at least )?{best[k]}\b", texts[k])
    ]
    match_c = sum(u_outs[k]["killed"] == best[k] for k in sub_c) / max(len(sub_c), 1)
    bound = mention_upper_bound(ex, texts, u_golds)
    says = [k for k in range(len(texts)) if CASUALTY_WORDS.search(texts[k])]
    u_pres = prf(*_confusion([best[k] > 0 for k in says], [u_outs[k]["casualties"] for k in says]))
    u_pres_all = prf(*_confusion([b > 0 for b in best], [o["casualties"] for o in u_outs]))

    notes = list(held["text"])[:2000]
    articles = _articles(data)
    note_speed = speed(ex, notes)
    art_speed = speed(ex, articles) if articles else float("nan")
    art_chars = sum(map(len, articles)) / max(len(articles), 1)

    rows = [
        ("ACLED held-out countries: actor set-F1 (per text)", a_f1, 0.75, len(held)),
        (
            "ACLED held-out: actor micro P / R / F1",
            f"{a_p:.3f} / {a_r:.3f} / {a_mf1:.3f}",
            None,
            None,
        ),
        ("ACLED held-out: casualty presence F1 (deaths)", ac_pres[2], 0.90, len(held)),
        ("ACLED held-out: killed exact-match (all rows, info)", killed_match, None, len(held)),
        ("UCDP 2017-2019: actor set-F1 via crosswalk (per text)", u_f1, 0.70, len(ucdp)),
        ("UCDP: actor micro P / R / F1", f"{u_p:.3f} / {u_r:.3f} / {u_mf1:.3f}", None, None),
        ("UCDP: killed exact-match (A) number + death word", match_a, 0.75, len(sub_a)),
        ("UCDP: killed exact-match (B) headline states best", match_b, 0.75, len(sub_b)),
        ("UCDP: (B) less rows where best is an 'including N' subset", match_c, None, len(sub_c)),
        ("UCDP: actor set-F1 upper bound, gold names the headline names", bound, None, len(ucdp)),
        ("UCDP: casualty presence F1 (headline has casualty word)", u_pres[2], 0.90, len(says)),
        ("UCDP: casualty presence F1 (all rows, info)", u_pres_all[2], None, len(ucdp)),
        ("speed: ACLED notes per second (1 core)", note_speed, 500, len(notes)),
        (
            f"speed: full articles per second ({art_chars:.0f} chars avg)",
            art_speed,
            50,
            len(articles),
        ),
        ("fit seconds on training countries' ACLED rows", fit_s, 15, len(train)),
    ]
    rows += corpus_rows(ROOT / "data" / "corpus")
    print(f"\n{'metric':58s} {'value':>22s} {'target':>7s} {'n':>7s}")
    for name, value, target, n in rows:
        v = f"{value:.3f}" if isinstance(value, float) else str(value)
        t = "" if target is None else f"{target:g}"
        print(f"{name:58s} {v:>22s} {t:>7s} {'' if n is None else n:>7}")
    print(f"\nheld-out countries: {', '.join(HELD_OUT)}")
    print(
        f"country hint given: {args.country_hint}; fitted: {not args.no_fit}; new names: {not args.no_new_names}"
    )
    if unmapped:
        print(
            f"UCDP groups without a crosswalk line ({len(unmapped)}): {', '.join(sorted(unmapped))}"
        )
    return 0


def mention_upper_bound(ex: Extractor, texts: list[str], golds: list[set[str]]) -> float:
    """Set-F1 of an oracle that returns exactly the gold actors the headline names.

    A gold actor counts as named when one of its catalogue aliases (local ones included) or,
    for state forces and collectives, one of their generic words appears in the text. No text
    extractor can beat this without inferring parties the text does not name.
    """
    cat = ex.catalogue
    words: dict[str, set[str]] = {}
    for actor in cat.actors.values():
        words[actor.name] = {
            norm_key(a) for a in [actor.name, *actor.aliases, *actor.local_aliases]
        }
    for tpl in cat.templates.values():
        generic = {norm_key(a) for a in tpl.aliases}
        for name, actor in cat.actors.items():
            if actor.kind == "state" and name.startswith(tpl.name.split("{")[0]):
                words[name] |= generic
    f1s = []
    for text, gold in zip(texts, golds, strict=True):
        padded = f" {norm_key(text)} "
        named = {g for g in gold if any(f" {w} " in padded for w in words.get(g, ()) if w)}
        f1s.append(set_f1(gold, named))
    return sum(f1s) / max(len(f1s), 1)


def corpus_rows(folder: Path) -> list[tuple]:
    """The embedded corpus (our own texts): fit on notes, test on articles, and back."""
    records = [
        json.loads(line)
        for f in sorted(folder.glob("*.jsonl"))
        for line in f.open(encoding="utf-8")
    ]
    articles = [r for r in records if r.get("genre") == "article"]
    notes = [r for r in records if r.get("genre") != "article"]
    rows = []
    for label, train, test in (
        ("notes -> articles", notes, articles),
        ("articles -> notes", articles, notes),
    ):
        if not train or not test:
            continue
        ex = Extractor().fit(train)
        canon = ex.canonical_actor_name
        outs = [ex.extract(r["text"]) for r in test]
        f1 = sum(
            set_f1({canon(a["name"]) for a in r["actors"]}, {a["name"] for a in o["actors"]})
            for r, o in zip(test, outs, strict=True)
        ) / len(test)
        killed = sum(o["killed"] == r.get("killed") for r, o in zip(test, outs, strict=True)) / len(
            test
        )
        pres = prf(
            *_confusion([bool(r.get("casualties")) for r in test], [o["casualties"] for o in outs])
        )
        rows += [
            (f"embedded corpus {label}: actor set-F1", f1, None, len(test)),
            (f"embedded corpus {label}: killed exact-match", killed, None, len(test)),
            (f"embedded corpus {label}: casualty presence F1", pres[2], None, len(test)),
        ]
    return rows


def _confusion(gold: list[bool], pred: list[bool]) -> tuple[int, int, int]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    return tp, fp, fn


def _articles(data: Path) -> list[str]:
    path = data / "fakes_syria" / "fakes_articles.csv.gz"
    if not path.exists():
        return []
    df = pd.read_csv(path, low_memory=False)
    return [t for t in df["text"].dropna().astype(str)][:300]


if __name__ == "__main__":
    raise SystemExit(main())
