"""End to end over the real corpora in ../shared/data, where that folder exists (as in CI)."""

import re

import pytest
from conftest import SHARED_DATA

from model.corpora import iter_records
from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, SUB_EVENT_TYPES

pytestmark = pytest.mark.skipif(not SHARED_DATA.exists(), reason="../shared/data is not here")

SPECS = {
    "acled/acled_events.csv.gz": "acled:{}",
    "ucdp_ged_syria/ged_syria_2017_2019.csv.gz": "ucdp:{}",
    "ucdp_aec_sample/sample.jsonl.gz": "ucdp:{}",
    "satp/satp.csv.gz": "csv:{}",
    "india_police_events/docs.csv.gz": "csv:{}",
    "india_police_events/sents.csv.gz": "csv:{}#id=sent_id",
    "insightcrime/insightcrime.csv.gz": "csv:{}",
    "fakes_syria/fakes_articles.csv.gz": "csv:{}",
}


def stated_rows(name: str) -> int:
    """Row count of a file as README-stats.txt states it."""
    stats = (SHARED_DATA / "README-stats.txt").read_text()
    match = re.search(rf"^{re.escape(name)} rows=(\d+)", stats, re.M)
    assert match, f"README-stats.txt has no row count for {name}"
    return int(match.group(1))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_corpus_loads_whole_and_valid(name):
    spec = SPECS[name].format(SHARED_DATA / name)
    n = 0
    for rec in iter_records(spec):  # raises on the first invalid record
        n += 1
        assert set(rec["event_types"] or ()) <= set(EVENT_TYPES)
        assert set(rec["sub_event_types"] or ()) <= set(SUB_EVENT_TYPES)
        assert {a["category"] for a in rec["actors"] or ()} <= set(ACTOR_CATEGORIES)
    assert n == stated_rows(name)


def test_acled_labels_cover_codebook():
    spec = f"acled:{SHARED_DATA / 'acled/acled_events.csv.gz'}"
    types, subs, cats = set(), set(), set()
    for rec in iter_records(spec):
        types.update(rec["event_types"] or ())
        subs.update(rec["sub_event_types"] or ())
        cats.update(a["category"] for a in rec["actors"])
    assert types == set(EVENT_TYPES)
    assert len(subs) == 24 and "chemical_weapon" not in subs  # none in this extract
    assert cats == set(ACTOR_CATEGORIES)
