"""Shared pieces of bench/quality.py and bench/speed.py: the real corpora in ../shared/data,
the ACLED split with whole countries held out, and training one family or peer.

The ACLED split (documented in README "Benchmarks"):

- test: whole countries, one from each of five regions. ``--holdout fixed`` (the default)
  always takes the first of each pool: Pakistan, Myanmar, Benin, Somalia and Libya (about
  4,200 notes covering all six event types). ``--holdout drawn`` draws one country per pool
  with the seed, so seeds also vary the held-out countries.
- train: every other country, with Syria capped at a random ``syria_cap`` notes so that
  training fits the time budget. Syria's notes come almost all (23,348 of 23,593) from one
  extract that kept only Battles. Where such a note names a weapon of remote violence (air
  strikes, shelling, bombs: a third of them, all parts of clashes), a sample selected by its
  label would teach that these weapons mean battles, so its event type is treated as
  unlabelled; the others teach what ACLED codes as battles and other countries' notes rarely
  show (gunmen killing a soldier, a village captured), so they keep it. Sub-event types are
  unlabelled throughout; actors and fatalities still train. ``syria_battles`` more Syrian
  notes that name no such weapon train the event-type heads only (README "Benchmarks" has
  what they change).
  Our embedded corpus (data/corpus) is added, less its records from the held-out countries,
  and so are the weakly labelled sentences of the unlabelled Syrian-war articles
  (``weak:fakes_syria/fakes_articles.csv.gz``, ``model/corpora/weak.py``): air strikes,
  shelling and bombings, which the ACLED extract nearly lacks. They train only, never dev.
- dev (calibration and thresholds): whole countries, as the test is (``dev="countries"``, the
  default: smaller ACLED countries drawn with the seed until dev holds 10% of the records,
  with their embedded-corpus records), so that thresholds are tuned on probabilities from
  countries the heads have not seen; or a random 10% of the training records
  (``dev="random"``).
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("CONFLICT_BENCH_DATA", ROOT.parent / "shared" / "data"))
HOLDOUT_POOLS: dict[str, tuple[str, ...]] = {
    "South Asia": ("Pakistan", "Nepal", "Afghanistan", "Sri Lanka"),
    "Southeast Asia": ("Myanmar", "Thailand", "Cambodia"),
    "West Africa": ("Benin", "Nigeria", "Mali", "Burkina Faso"),
    "East Africa": ("Somalia", "South Sudan", "Sudan", "Ethiopia"),
    "North Africa": ("Libya", "Egypt", "Tunisia", "Algeria"),
}
# UCDP subsets where a headline can show what UCDP coded (GED codes events, and a SOHR
# headline often gives a daily toll that UCDP splits over several events).
DEATH_WORDS = re.compile(r"kill|dead|death|died|dies|martyr|toll|slain|lives|bodies|execut", re.I)
CASUALTY_WORDS = re.compile(
    r"kill|dead|death|died|dies|casualt|wound|injur|martyr|toll|bodies|slain|lives|massacre|"
    r"execut|fatalit|perish|losses",
    re.I,
)
_SMALL = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
_SMALL += " fifteen sixteen seventeen eighteen nineteen"
NUMBER_WORDS = {w: i for i, w in enumerate(_SMALL.split())} | {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}


def numbers_in(text: str) -> set[int]:
    """Whole numbers a text states, in digits or as words up to fifty."""
    found = {int(x) for x in re.findall(r"\b\d+\b", text.replace(",", ""))}
    return found | {
        NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS
    }


def states_count(record: dict) -> bool:
    """A single UCDP headline with a death word that states UCDP's own count."""
    text, killed = record["text"], record["killed"]
    return bool(
        killed and ";" not in text and DEATH_WORDS.search(text) and killed in numbers_in(text)
    )


def quiet_datasets() -> None:
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()


def check_data(data: Path = DATA) -> None:
    """Fail early, saying where the corpora are expected and how to point elsewhere."""
    if not (data / "acled" / "acled_events.csv.gz").exists():
        raise SystemExit(
            f"no ACLED export at {data / 'acled' / 'acled_events.csv.gz'}; the benchmarks read "
            "the corpora of ../shared/data. Set CONFLICT_BENCH_DATA=/path/to/data to use others."
        )


def held_out_countries(seed: int, mode: str = "fixed") -> list[str]:
    """The ACLED countries held out as test: the first of each regional pool, or one drawn
    per pool with ``seed``."""
    if mode == "fixed":
        return [pool[0] for pool in HOLDOUT_POOLS.values()]
    if mode == "drawn":
        rng = random.Random(seed)
        return [rng.choice(pool) for pool in HOLDOUT_POOLS.values()]
    raise SystemExit(f"--holdout is {mode!r}; allowed: fixed, drawn")


def load_acled(data: Path = DATA) -> list[dict]:
    from model.corpora import load_corpus

    return load_corpus(f"acled:{data / 'acled' / 'acled_events.csv.gz'}").to_list()


def load_embedded() -> list[dict]:
    """The corpus the project ships (data/corpus)."""
    from model.corpora import default_corpus, load_corpus

    return load_corpus(default_corpus()).to_list()


def load_weak(data: Path = DATA) -> list[dict]:
    """Weakly labelled sentences of the unlabelled Syrian-war articles (FA-KES)."""
    from model.corpora import load_corpus

    path = data / "fakes_syria" / "fakes_articles.csv.gz"
    return [{**r, "country": "Syria"} for r in load_corpus(f"weak:{path}").to_list()]


def _syria_note(record: dict) -> dict:
    """A note of the battles-only Syria extract: its sub-event types are unlabelled, and so
    are its event types when it names a weapon of remote violence (as part of a clash)."""
    from model.corpora.weak import mentions_remote_violence

    unlabelled = {*(record["unlabelled"] or ()), "sub_event_types"}
    if mentions_remote_violence(record["text"]):
        unlabelled.add("event_types")
    return {**record, "unlabelled": sorted(unlabelled)}


def acled_split(
    records: list[dict],
    seed: int,
    mode: str = "fixed",
    syria_cap: int = 4000,
    embedded: list[dict] | None = None,
    dev: str = "countries",
    weak: list[dict] | None = None,
    syria_battles: int = 4000,
) -> dict[str, list[dict]]:
    """train / dev / test records, and the held-out countries under ``countries``.
    ``embedded`` records (our corpus) join training unless their country is held out;
    ``weak`` records (weak labels) and ``syria_battles`` more Syrian notes (event types only,
    see the module docstring) join training only.
    ``dev``: ``"countries"`` (whole countries, listed under ``dev_countries``) or
    ``"random"`` (a random 10% of the training records)."""
    from model.corpora.weak import mentions_remote_violence
    from model.schema import TASKS

    countries = held_out_countries(seed, mode)
    test = [r for r in records if r["country"] in countries]
    rest = [r for r in records if r["country"] not in countries]
    rng = random.Random(seed)
    syria = [r for r in rest if r["country"] == "Syria"]
    sampled = rng.sample(syria, min(syria_cap, len(syria)))
    pool = [r for r in rest if r["country"] != "Syria"] + [_syria_note(r) for r in sampled]
    pool += [r for r in embedded or () if r.get("country") not in countries]
    rng.shuffle(pool)
    n_dev = len(pool) // 10
    # Training only, never dev: the weakly labelled sentences, and more of Syria's battles
    # for the event-type heads (drawn with their own generator, so dev stays as it was).
    taken = {r["id"] for r in sampled}
    more = [r for r in syria if r["id"] not in taken and not mentions_remote_violence(r["text"])]
    more = random.Random(seed).sample(more, max(0, min(syria_battles, len(more))))
    train_only = [r for r in weak or () if r.get("country") not in countries] + [
        {**r, "unlabelled": sorted(set(TASKS) - {"event_types"})} for r in more
    ]
    if dev == "random":
        train = pool[n_dev:] + train_only
        return {"train": train, "dev": pool[:n_dev], "test": test, "countries": countries}
    if dev != "countries":
        raise SystemExit(f"--dev is {dev!r}; allowed: countries, random")
    # Whole countries, as in the test: thresholds tuned on countries the heads never saw are
    # set for the probabilities that unseen countries get. Drawn among the smaller ACLED
    # countries (under 1,000 notes) until dev holds 10% of the records.
    sizes = Counter(r["country"] for r in pool if r["source"] == "acled")
    candidates = sorted(c for c, n in sizes.items() if n < 1000)
    rng.shuffle(candidates)
    chosen: set[str] = set()
    n_of = Counter(r["country"] for r in pool)
    for country in candidates:
        if sum(n_of[c] for c in chosen) >= n_dev:
            break
        chosen.add(country)
    return {
        "train": [r for r in pool if r["country"] not in chosen] + train_only,
        "dev": [r for r in pool if r["country"] in chosen],
        "test": test,
        "countries": countries,
        "dev_countries": sorted(chosen),
    }


def load_ucdp(data: Path = DATA) -> list[dict]:
    """UCDP GED Syria 2017-2019 headlines (actors, casualties, killed)."""
    from model.corpora import load_corpus

    path = data / "ucdp_ged_syria" / "ged_syria_2017_2019.csv.gz"
    return load_corpus(f"ucdp:{path}").to_list()


def ucdp_month_split(records: list[dict], seed: int) -> dict[str, list[dict]]:
    """UCDP GED rows split by whole months, since a month's headlines share stories and
    daily tolls: every third month (offset by the seed) is test; of the other months every
    fourth is dev and the rest train. Train and dev rows carry only their actor names.

    UCDP names each event's dyad by convention: the Government of Syria when Russian
    aircraft strike, "Syrian insurgents" for whichever faction fought, nobody for the
    civilians a clash killed. The extractor's name model (``model.extract.names``) learns
    that from the train rows, and dev tunes when it adds or drops a name; their casualty
    and count labels are not trained on, so casualties and counts are still measured on
    every row."""
    from model.schema import TASKS

    months = sorted({r["date"][:7] for r in records if r.get("date")})
    test_months = {m for i, m in enumerate(months) if i % 3 == seed % 3}
    rest = [m for m in months if m not in test_months]
    dev_months = {m for i, m in enumerate(rest) if i % 4 == 0}
    unlabelled = sorted(set(TASKS) - {"actors"})
    out: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    for r in records:
        month = (r.get("date") or "")[:7]
        if not month or month in test_months:
            out["test"].append(r)
        else:
            part = "dev" if month in dev_months else "train"
            out[part].append({**r, "unlabelled": unlabelled})
    return out


def join_ucdp_months(split: dict, ucdp: list[dict], seed: int, *, actors: bool = True) -> None:
    """Add the UCDP rows of ``ucdp_month_split`` to ``split``: the train and dev months'
    actor names to its train and dev (unless ``actors`` is false), and the held-out months'
    ids under ``ucdp_test_ids``."""
    months = ucdp_month_split(ucdp, seed)
    split["ucdp_test_ids"] = {r["id"] for r in months["test"]}
    if actors:
        split["train"] += months["train"]
        split["dev"] += months["dev"]


def _csv_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 ("donâ€™t" -> "don't"); other text is returned as is."""
    if "â" not in text and "Ã" not in text:
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def load_satp(data: Path = DATA) -> list[dict]:
    """SATP incident reports with the two labels that map soundly onto the codebook:
    ``bombing`` -> event type explosions_remote_violence, ``kidnapping`` -> sub-event type
    abduction_forced_disappearance. ``armed_assault`` (clashes and attacks on civilians alike)
    and ``other`` are left unmapped."""
    return [
        {
            "id": row["id"],
            "text": row["text"],
            "explosions_remote_violence": row["bombing"] == "1",
            "abduction_forced_disappearance": row["kidnapping"] == "1",
        }
        for row in _csv_rows(data / "satp" / "satp.csv.gz")
    ]


def load_ipe(data: Path = DATA) -> list[dict]:
    """IndiaPoliceEvents full articles; ``kill`` (police killed someone) = a reported death,
    so a casualty. ``kill=0`` says nothing about other deaths, so only recall is sound."""
    return [
        {"id": row["id"], "text": fix_mojibake(row["text"]), "kill": row["kill"] == "1"}
        for row in _csv_rows(data / "india_police_events" / "docs.csv.gz")
    ]


def load_family(name: str):
    """The tagger class of a model family, or the reason it cannot be imported."""
    try:
        if name == "linear":
            from model.linear.tagger import LinearTagger

            return LinearTagger, None
        if name == "transformer":
            from model.transformer.tagger import TransformerTagger

            return TransformerTagger, None
    except ImportError as exc:
        return None, f"cannot import the {name} family ({exc})"
    return None, f"unknown family {name!r}"


def attach_extractor(tagger, train: list[dict], dev: list[dict]) -> bool:
    """Attach and fit ``model.extract.Extractor``, and fit the casualty combiner on dev, as
    train.py does; False when the extractor is absent."""
    try:
        from model.extract import Extractor
    except ImportError:
        return False
    tagger.extractor = Extractor()
    tagger.extractor.fit(train)
    tagger.calibrate_with_extractor(dev)
    return True


def train_system(name: str, split: dict, seed: int, overrides: list[str]):
    """Train a family or a peer on the split; returns (predictor, seconds, note)."""
    from bench.peers import PEERS

    t0 = time.perf_counter()
    if name in PEERS:
        system = PEERS[name](seed=seed).fit(split["train"], split["dev"])
        return system, time.perf_counter() - t0, None
    from model.config import build_config

    family, why = load_family(name)
    if family is None:
        return None, 0.0, why
    config = build_config(None, overrides, model=name, seed=seed)
    tagger = family.fit(split["train"], split["dev"], config, progress=False)
    note = (
        None
        if attach_extractor(tagger, split["train"], split["dev"])
        else "model.extract not available"
    )
    return tagger, time.perf_counter() - t0, note
