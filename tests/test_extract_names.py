"""The learned actor-name model: names a coder gives an event without the text naming them."""

import numpy as np
import pytest

from model.errors import ModelLoadError
from model.extract import Extractor
from model.extract.names import NameModel

PLACES = ["Arlen", "Bostow", "Cardell", "Dunmere", "Elsby", "Farrow", "Glenrick", "Harwell"]
VERBS = ["attacked", "raided", "stormed", "hit", "struck"]


ACTORS_ONLY = ["event_types", "sub_event_types", "casualties", "killed", "injured"]


def convention_records(n: int = 40, offset: int = 0) -> list[dict]:
    """Headlines in which 'the organization' is, by the coder's convention, the Islamic
    State fighting the Syrian Democratic Forces, and protests that name their protesters;
    labelled for actors only."""
    records = []
    for i in range(offset, offset + n):
        place, verb = PLACES[i % len(PLACES)], VERBS[i % len(VERBS)]
        records.append(
            {
                "id": f"org-{i}",
                "text": f"The organization {verb} positions near {place} on day {i}.",
                "actors": [{"name": "Islamic State"}, {"name": "Syrian Democratic Forces"}],
                "country": "Syria",
                "unlabelled": ACTORS_ONLY,
            }
        )
        records.append(
            {
                "id": f"pro-{i}",
                "text": f"Protesters marched through {place} demanding water on day {i}.",
                "actors": [{"name": "Protesters"}],
                "country": "Syria",
                "unlabelled": ACTORS_ONLY,
            }
        )
    return records


def name_sets(records):
    return [{a["name"] for a in r["actors"]} for r in records]


def test_fit_learns_only_names_with_enough_records():
    records = convention_records()
    texts = [r["text"] for r in records]
    model = NameModel.fit(texts, name_sets(records), min_records=30)
    assert set(model.names) == {"Islamic State", "Syrian Democratic Forces", "Protesters"}
    assert NameModel.fit(texts, name_sets(records), min_records=41) is None
    p = model.probs(["The organization raided positions near Elsby overnight."])[0]
    assert p[model.index["Islamic State"]] > 0.5 > p[model.index["Protesters"]]


def test_tune_adds_unmentioned_names_only_when_dev_gains():
    records = convention_records()
    model = NameModel.fit([r["text"] for r in records], name_sets(records))
    dev = convention_records(12, offset=100)
    gold = name_sets(dev)
    # The matcher finds the protesters but not the organization's conventional names.
    found = [{"Protesters"} if "Protesters" in g else set() for g in gold]
    scores = model.tune([r["text"] for r in dev], gold, found)
    assert model.active and model.add is not None
    assert scores["dev_set_f1_with"] > scores["dev_set_f1_without"]
    # When the matcher already finds every name, the model is left off.
    scores = model.tune([r["text"] for r in dev], gold, gold)
    assert not model.active
    assert scores["dev_set_f1_with"] == scores["dev_set_f1_without"] == 1.0


def test_veto_drops_a_matched_name_the_model_finds_unlikely():
    records = convention_records()
    model = NameModel.fit([r["text"] for r in records], name_sets(records))
    model.add, model.vetoes = None, {"Islamic State": 0.3, "Protesters": 0.3}
    p = model.probs(["Protesters marched through Arlen demanding bread."])[0]
    drop, add = model.decide({"Protesters", "Islamic State", "Some Unknown Group"}, p)
    assert drop == {"Islamic State"}  # vetoed and unlikely; likely or unknown names stay
    assert add == {}


def test_tune_learns_a_veto_only_for_the_name_the_matcher_gets_wrong():
    records = convention_records()
    model = NameModel.fit([r["text"] for r in records], name_sets(records))
    dev = convention_records(12, offset=100)
    gold = name_sets(dev)
    # The matcher wrongly finds protesters in the organization's headlines too.
    found = [g | {"Protesters"} for g in gold]
    scores = model.tune([r["text"] for r in dev], gold, found)
    assert set(model.vetoes) == {"Protesters"}
    assert scores["dev_set_f1_with"] == 1.0 > scores["dev_set_f1_without"]
    with pytest.raises(ValueError, match="vetoes for names the model lacks"):
        NameModel.from_state({"vetoes": {"Nobody": 0.1}}, model.arrays())


def test_extractor_adds_learned_names_and_survives_save_and_load(tmp_path):
    ex = Extractor()
    ex.fit(convention_records())
    assert ex.names is not None
    tuning = ex.tune(convention_records(12, offset=100))
    assert tuning["dev_set_f1_with"] > tuning["dev_set_f1_without"]
    text = "The organization stormed positions near Farrow before dawn."
    out = ex.extract(text)
    learned = {a["name"]: a for a in out["actors"] if a.get("rule") == "learned names"}
    assert {"Islamic State", "Syrian Democratic Forces"} <= set(learned)
    assert all(a["mention"] is None and a["start"] is None for a in learned.values())
    assert all(0 < a["score"] <= 1 for a in learned.values())
    assert learned["Islamic State"]["category"] == "rebel_group"

    state, arrays = ex.to_dict(), ex.arrays()
    np.savez_compressed(tmp_path / "names.npz", **arrays)
    with np.load(tmp_path / "names.npz", allow_pickle=False) as data:
        loaded = Extractor.from_dict(state, {k: data[k] for k in data.files})
    assert loaded.extract(text) == out
    texts = [text, "Protesters marched through Arlen.", "", "The organization hit Elsby."]
    assert loaded.extract_many(texts) == [loaded.extract(t) for t in texts]
    assert loaded.name_tuning == tuning


def test_broken_name_arrays_are_a_clear_error():
    ex = Extractor()
    ex.fit(convention_records())
    state, arrays = ex.to_dict(), ex.arrays()
    with pytest.raises(ModelLoadError, match="arrays are missing"):
        Extractor.from_dict(state)
    arrays["coef"] = arrays["coef"][:, :-1]
    with pytest.raises(ModelLoadError, match="actor-name model"):
        Extractor.from_dict(state, arrays)


def test_without_learn_names_nothing_is_learned():
    ex = Extractor(learn_names=False)
    ex.fit(convention_records())
    assert ex.names is None and ex.arrays() == {}
    assert ex.tune(convention_records(4, offset=100)) is None
    assert Extractor.from_dict(ex.to_dict()).names is None


def test_learned_names_do_not_add_another_countrys_police():
    # Coded in Kenya, "the police" is Police Forces of Kenya; the name model learns it from
    # the words alone, so it must not add it to a text from Benin.
    records = []
    for i in range(40):
        place, verb = PLACES[i % len(PLACES)], VERBS[i % len(VERBS)]
        records.append(
            {
                "id": f"pol-{i}",
                "text": f"The police {verb} a hideout near {place} on day {i}.",
                "actors": [{"name": "Police Forces of Kenya"}],
                "country": "Kenya",
                "unlabelled": ACTORS_ONLY,
            }
        )
    records += [r for r in convention_records() if r["id"].startswith("pro-")]
    ex = Extractor()
    ex.fit(records)
    ex.tune(records[::3])
    text = "The police raided a hideout near Arlen."

    def names(country):
        return {a["name"]: a.get("rule") for a in ex.extract(text, country)["actors"]}

    assert names("Kenya") == {"Police Forces of Kenya": None}
    assert names(None)["Police Forces of Kenya"] == "learned names"
    assert names("Benin") == {"Police Forces of Benin": None}
    # Coded once in Benin (a cross-border raid), Kenya's police are still not what "police"
    # means there: the countries of its local words decide.
    kenya = ex.catalogue.actors["Police Forces of Kenya"]
    kenya.countries = [*kenya.countries, "Benin"]
    assert kenya.local_countries == ["Kenya"]
    assert names("Benin") == {"Police Forces of Benin": None}
