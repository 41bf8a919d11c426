"""The linear tagger: overfit, save/load round trip, batching, errors (STYLE.md)."""

import doctest
import json

import numpy as np
import pytest
from conftest import match_checksum, record, saved_copy

from model import load
from model.api import MAX_CHARS
from model.config import TrainConfig, build_config
from model.errors import InputError, ModelLoadError
from model.labels import EVENT_TYPES
from model.linear import features
from model.linear.features import mask_fatality_phrases, normalise, role_words
from model.linear.tagger import LinearTagger

PHRASES = {
    "battles": "Rebels and army troops fought fierce gun battles near the river crossing.",
    "explosions_remote_violence": "Artillery shells and an air strike hit the market district.",
    "violence_against_civilians": "Gunmen abducted villagers and executed farmers in their homes.",
    "protests": "Teachers marched peacefully to parliament demanding higher pay.",
    "riots": "A mob torched cars and looted shops after the football match.",
    "strategic_developments": "Police arrested the militia commander and seized his weapons.",
}
SUB = {
    "battles": "armed_clash",
    "explosions_remote_violence": "shelling_artillery_missile_attack",
    "violence_against_civilians": "abduction_forced_disappearance",
    "protests": "peaceful_protest",
    "riots": "mob_violence",
    "strategic_developments": "arrests",
}
CATEGORY = {
    "battles": "rebel_group",
    "explosions_remote_violence": "state_forces",
    "violence_against_civilians": "civilians",
    "protests": "protesters",
    "riots": "rioters",
    "strategic_developments": "political_militia",
}
NEGATIVE = "The central bank kept interest rates unchanged and the currency rose slightly."


def tiny_corpus(n_copies=4):
    records = []
    for k in range(n_copies):
        for j, (etype, text) in enumerate(PHRASES.items()):
            records.append(
                record(
                    f"{etype}-{k}",
                    f"{text} Report {k}.",
                    event_types=[etype],
                    sub_event_types=[SUB[etype]],
                    actors=[{"name": "X", "category": CATEGORY[etype]}],
                    casualties=j < 3,
                    killed=None,
                )
            )
        records.append(record(f"neg-{k}", f"{NEGATIVE} Report {k}."))
    return records


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    config = build_config(overrides=["linear.min_df=1", "linear.C=20"])
    records = tiny_corpus()
    tagger = LinearTagger.fit(records, records, config, progress=False)
    out = tmp_path_factory.mktemp("models") / "linear"
    tagger.save(out, metrics={"dev": {}}, card="# tiny", data_fingerprint="test")
    return tagger, out


def test_overfits_tiny_corpus(trained):
    tagger, _ = trained
    results = tagger.predict([r["text"] for r in tiny_corpus(1)])
    for etype, result in zip(PHRASES, results, strict=False):
        assert result["event_types"] == [etype]
        assert result["sub_event_types"] == [SUB[etype]]
        assert CATEGORY[etype] in result["actor_categories"]
    assert results[-1]["event_types"] == [] and results[-1]["casualties"] is False
    assert [r["casualties"] for r in results[:6]] == [True] * 3 + [False] * 3


def test_result_schema(trained):
    tagger, _ = trained
    result = tagger.predict([PHRASES["battles"]], ids=["a1"])[0]
    assert list(result) == [
        "id",
        "event_types",
        "event_type_scores",
        "sub_event_types",
        "actors",
        "actor_categories",
        "casualties",
        "casualty_score",
        "killed",
        "injured",
        "evidence",
    ]
    assert set(result["event_type_scores"]) == set(PHRASES)
    assert all(0 <= p <= 1 for p in result["event_type_scores"].values())
    json.dumps(result)  # JSON-ready


def test_round_trip_gives_identical_scores(trained):
    tagger, out = trained
    texts = [r["text"] for r in tiny_corpus(1)] + ["", "x" * 5000]
    loaded = load(out)
    a, b = tagger.score(texts), loaded.score(texts)
    for field in ("event_types", "sub_event_types", "actor_categories", "casualties"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert tagger.predict(texts) == loaded.predict(texts)


def test_batched_equals_one_by_one(trained):
    tagger, _ = trained
    texts = [r["text"] for r in tiny_corpus(2)]
    batched = tagger.predict(texts, batch_size=5)
    assert batched == [tagger.predict([t])[0] for t in texts]
    assert list(tagger.predict_stream(iter(texts), batch_size=3)) == batched


def test_long_article_event_late_is_found(trained):
    tagger, _ = trained
    filler = " ".join(f"{NEGATIVE}" for _ in range(40))
    article = f"{filler}\n\n{PHRASES['explosions_remote_violence']}"
    result = tagger.predict([article])[0]
    assert "explosions_remote_violence" in result["event_types"]
    evidence = [e for e in result["evidence"] if e["label"] == "explosions_remote_violence"]
    assert evidence and evidence[0]["start"] > len(filler) - 5
    assert evidence[0]["text"] == article[evidence[0]["start"] : evidence[0]["end"]]


def test_separate_event_in_a_short_text_is_scored_on_its_own(trained):
    tagger, _ = trained
    battle, protest = PHRASES["battles"], PHRASES["protests"]
    text = f"{battle} Separately, {protest[0].lower()}{protest[1:]}"
    result = tagger.predict([text])[0]
    assert set(result["event_types"]) == {"battles", "protests"}
    evidence = {e["label"]: e for e in result["evidence"] if e["task"] == "event_types"}
    assert evidence["battles"]["text"] == battle
    assert evidence["protests"]["start"] == len(battle) + 1
    # Each label's evidence is its own sentence: the other scores below the threshold.
    assert len([e for e in result["evidence"] if e.get("label") == "battles"]) == 1


def test_a_text_with_casualties_gets_its_most_likely_event_type(trained):
    tagger, _ = trained
    saved = tagger.thresholds["event_types"].copy()
    try:
        tagger.thresholds["event_types"][:] = 1.0  # no type reaches its threshold
        hit = f"{PHRASES['battles']} Two soldiers were killed."
        article = hit + "\n\n" + " ".join([NEGATIVE] * 10)  # over 100 words
        hit, calm, article = tagger.predict([hit, NEGATIVE, article])
    finally:
        tagger.thresholds["event_types"][:] = saved
    assert hit["casualties"] and hit["event_types"] == ["battles"]
    assert not calm["casualties"] and calm["event_types"] == []
    # An article keeps no type: its deaths may be a flood's.
    assert article["casualties"] and article["event_types"] == []


def test_same_seed_same_model(trained, tmp_path):
    tagger, out = trained
    config = build_config(overrides=["linear.min_df=1", "linear.C=20"])
    again = LinearTagger.fit(tiny_corpus(), tiny_corpus(), config, progress=False)
    again.save(tmp_path / "m", metrics={"dev": {}}, card="# tiny", data_fingerprint="test")
    assert (tmp_path / "m" / "weights.npz").read_bytes() == (out / "weights.npz").read_bytes()


def test_option_changes_output(trained):
    tagger, _ = trained
    config = build_config(overrides=["linear.min_df=1", "linear.C=0.01"])
    weak = LinearTagger.fit(tiny_corpus(), tiny_corpus(), config, progress=False)
    text = [PHRASES["riots"]]
    assert weak.score(text).event_types.tolist() != tagger.score(text).event_types.tolist()


@pytest.mark.parametrize(
    "texts, message",
    [
        ("one string", "got a single string"),
        ([1, "x"], "text 0 is int, not str"),
        (["ok", None], "text 1 is NoneType"),
        (["x" * (MAX_CHARS + 1)], "over the limit"),
        (42, "takes a list of texts, got int"),
    ],
)
def test_bad_input(trained, texts, message):
    tagger, _ = trained
    with pytest.raises(InputError, match=message):
        tagger.predict(texts)


def test_empty_inputs(trained):
    tagger, _ = trained
    assert tagger.predict([]) == []
    result = tagger.predict([""])[0]
    assert result["event_types"] == [] and result["evidence"] == []


def test_load_errors(trained, tmp_path):
    _, out = trained
    with pytest.raises(ModelLoadError, match="no model at"):
        load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="has no model.json"):
        load(tmp_path / "empty")
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in out.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    weights = bytearray((copy / "weights.npz").read_bytes())
    weights[len(weights) // 2] ^= 0xFF
    (copy / "weights.npz").write_bytes(bytes(weights))
    with pytest.raises(ModelLoadError, match="does not match the checksum"):
        load(copy)
    (copy / "weights.npz").write_bytes((out / "weights.npz").read_bytes())
    meta = json.loads((copy / "model.json").read_text())
    meta["format_version"] = "9.0"
    (copy / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="format version '9.0'.*not supported"):
        load(copy)
    meta["format_version"], meta["family"] = "1.0", "forest"
    (copy / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="names family 'forest'"):
        load(copy)
    (copy / "model.json").write_text("{broken")
    with pytest.raises(ModelLoadError, match="damaged"):
        load(copy)


def test_model_dir_contents(trained):
    _, out = trained
    names = {p.name for p in out.iterdir()}
    assert {
        "model.json",
        "config.json",
        "labels.json",
        "weights.npz",
        "vocab.json",
        "metrics.json",
        "README.md",
    } <= names
    meta = json.loads((out / "model.json").read_text())
    assert meta["format_version"] == "1.0" and meta["family"] == "linear"
    assert "scikit-learn" in meta["libraries"] and meta["data_fingerprint"] == "test"
    labels = json.loads((out / "labels.json").read_text())
    assert len(labels["sub_event_types"]["thresholds"]) == 25
    assert TrainConfig.from_dict(json.loads((out / "config.json").read_text())).linear.C == 20


def test_extractor_and_casualty_combiner_survive_save_and_load(trained, tmp_path):
    from model.extract import Extractor

    tagger, _ = trained
    records = tiny_corpus()
    tagger.extractor = Extractor()
    tagger.extractor.fit(records)
    tagger.calibrate_with_extractor(records)
    try:
        assert tagger.casualty_combiner is not None
        tagger.save(tmp_path / "m", metrics={}, card="# tiny", data_fingerprint="t")
        loaded = load(tmp_path / "m")
        assert loaded.casualty_combiner == tagger.casualty_combiner
        assert loaded.floors == tagger.floors
        texts = [r["text"] for r in records] + ["Gunmen killed four soldiers and wounded two."]
        assert loaded.predict(texts) == tagger.predict(texts)
        assert len(tagger.casualty_combiner["coef"]) == 4
        # A model saved before the event-type feature (three weights) still predicts.
        tagger.casualty_combiner = {"coef": [0.0, 3.0, 1.0], "intercept": -2.0, "threshold": 0.5}
        shot = tagger.predict(["Gunmen shot dead four soldiers."])[0]
        assert shot["casualties"] and shot["killed"] == 4
        assert shot["casualty_score"] == round(1 / (1 + np.exp(-2.0)), 4)
    finally:
        tagger.extractor, tagger.casualty_combiner = None, None


def test_learned_actor_names_are_saved_checked_and_loaded(trained, tmp_path):
    from test_extract_names import convention_records

    from model.extract import Extractor

    tagger, _ = trained
    tagger.extractor = Extractor()
    tagger.extractor.fit(convention_records())
    tagger.calibrate_with_extractor(convention_records(12, offset=100))
    try:
        assert tagger.extractor.names.active
        out = tagger.save(tmp_path / "m", metrics={}, card="# tiny", data_fingerprint="t")
        meta = json.loads((out / "model.json").read_text())
        assert "extractor_names.npz" in meta["files"]
        text = "The organization raided positions near Harwell at night."
        names = {a["name"] for a in load(out).predict([text])[0]["actors"]}
        assert {"Islamic State", "Syrian Democratic Forces"} <= names
        assert load(out).predict([text]) == tagger.predict([text])
        with open(out / "extractor_names.npz", "r+b") as f:
            f.seek(100)
            f.write(b"tampered")
        with pytest.raises(ModelLoadError, match="does not match the checksum"):
            load(out)
    finally:
        tagger.extractor, tagger.casualty_combiner = None, None


def test_normalise_masks_place_date_and_digits():
    text = "On 22 June 2021, 18 rioters attacked a worker in Cotonou (Cotonou, Littoral)."
    assert normalise(text) == "on  date , 00 rioters attacked a worker in cotonou  ."


def test_training_masks_acled_fatality_and_casualty_status_sentences():
    text = "Militants attacked a post. Casualties unknown. 3 fatalities."
    assert mask_fatality_phrases(text).split() == ["Militants", "attacked", "a", "post."]
    kept = "The raid left 7 casualties. No casualties among the police."
    assert mask_fatality_phrases(kept) == kept


def test_model_saved_before_normalisation_balancing_and_roles_loads_without_them(tmp_path):
    overrides = ["linear.min_df=1", "linear.C=20", "linear.role_weight=0"]
    records = tiny_corpus()
    config = build_config(overrides=overrides[:2])
    assert config.linear.normalise_text and config.linear.country_balance
    assert config.linear.role_weight
    # As an earlier version trained it: no role features, and no role_weight in config.json.
    tagger = LinearTagger.fit(records, records, build_config(overrides=overrides), progress=False)
    tagger.save(tmp_path / "m", metrics={}, card="# tiny", data_fingerprint="test")

    def before(config):
        for key in ("normalise_text", "country_balance", "role_weight"):
            del config["linear"][key]

    old = load(saved_copy(tmp_path / "m", tmp_path / "old", before))
    assert old.config.linear.normalise_text is False
    assert old.featurizer.word.preprocessor is None
    assert old.config.linear.country_balance == 0.0  # what it was trained with
    assert old.config.linear.role_weight == 0.0 and old.featurizer.role is None


def test_role_words_mark_who_acts_and_on_whom():
    assert doctest.testmod(features).failed == 0
    assert role_words("On 3 May 2021, villagers beat a thief in Parakou.") == (
        "a_villagers v_beat t_thief t_parakou"
    )
    # Participles that describe an actor are not its action; any other past tense is.
    assert role_words("Armed men opened fire on a bus.") == "a_armed a_men v_opened t_fire t_bus"
    assert role_words("Turkish-backed forces stoned the post") == (
        "a_turkish-backed a_forces v_stoned t_post"
    )
    assert (
        role_words("Five soldiers were killed by rebels") == "a_five a_soldiers v_killed t_rebels"
    )
    words = role_words("One two three four five six seven eight attacked bb cc dd ee ff").split()
    assert words[0] == "a_three" and words[-1] == "t_ee"  # kept: 6 before, 4 after
    assert role_words("Clashes between rival groups over cattle") == ""  # no verb after a word


def test_role_features_tell_who_acted_on_whom():
    # Locals who attack the police riot; police who attack locals do violence to civilians.
    # A new verb keeps the bigrams unseen, so the words alone cannot tell the two apart.
    records = []
    for k, verb in enumerate(["attacked", "beat", "chased", "assaulted", "hit", "raided"] * 3):
        for actor, target, etype in (
            ("locals", "police", "riots"),
            ("police", "locals", "violence_against_civilians"),
        ):
            text = f"The {actor} {verb} the {target} on day {k}."
            records.append(record(f"{actor}-{k}", text, event_types=[etype]))
    texts = ["The locals stoned the police.", "The police stoned the locals."]
    riots = EVENT_TYPES.index("riots")
    p = {}
    for weight in (0, 0.5):
        overrides = ["linear.min_df=1", f"linear.role_weight={weight}"]
        tagger = LinearTagger.fit(records, [], build_config(overrides=overrides), progress=False)
        p[weight] = tagger.score(texts).event_types[:, riots]
    assert p[0][0] == pytest.approx(p[0][1], abs=1e-6)
    assert p[0.5][0] > p[0.5][1] + 0.2


def test_role_weight_must_match_the_saved_features(trained, tmp_path):
    from model.saving import load_npz

    _, out = trained

    def no_roles(config):
        config["linear"]["role_weight"] = 0

    with pytest.raises(ModelLoadError, match="vocab.json has role features"):
        load(saved_copy(out, tmp_path / "no-roles", no_roles))
    # Weights one feature short of the vocabulary (a file from another model, checksum and all).
    copy = saved_copy(out, tmp_path / "short", lambda config: None)
    arrays = load_npz(copy / "weights.npz")
    arrays["casualties.coef"] = arrays["casualties.coef"][:, :-1]
    np.savez_compressed(copy / "weights.npz", **arrays)
    match_checksum(copy, "weights.npz")
    with pytest.raises(ModelLoadError, match="'casualties' has .* weights per label but"):
        load(copy)


def test_corpus_without_action_verbs_trains_without_role_features(tmp_path):
    texts = ["Markets quiet today", "Sunny weather across the region", "Talks in Geneva"]
    records = [record(f"r{k}", t, event_types=[]) for k, t in enumerate(texts * 2)]
    records[0]["event_types"] = ["protests"]
    config = build_config(overrides=["linear.min_df=1"])
    tagger = LinearTagger.fit(records, records, config, progress=False)
    assert config.linear.role_weight and tagger.featurizer.role is None
    tagger.save(tmp_path / "m", metrics={}, card="# tiny", data_fingerprint="test")
    loaded = load(tmp_path / "m")
    assert loaded.featurizer.role is None
    assert loaded.predict(["Crowds marched"]) == tagger.predict(["Crowds marched"])


def test_event_type_implies_its_collective_when_the_text_names_none(trained):
    from model.extract import Extractor

    tagger, _ = trained
    tagger.extractor = Extractor()
    try:
        texts = ["Youths torched cars and looted shops after the football match.", PHRASES["riots"]]
        implied, named = tagger.predict(texts)
        assert implied["event_types"] == named["event_types"] == ["riots"]
        rioters = [a for a in implied["actors"] if a["name"] == "Rioters"]
        assert len(rioters) == 1 and rioters[0]["mention"] is None
        assert 0 < rioters[0]["score"] <= 0.5 and "rioters" in implied["actor_categories"]
        # Named in the text ("a mob"): the extractor's actor stays, with its mention, once.
        rioters = [a for a in named["actors"] if a["name"] == "Rioters"]
        assert len(rioters) == 1 and rioters[0]["mention"] == "mob"
        # No event type, no implied actor.
        assert tagger.predict([NEGATIVE])[0]["actors"] == []
    finally:
        tagger.extractor = None


def test_country_weights_give_each_country_the_corpus_label_mix():
    from model.linear.heads import BALANCE_BOUNDS, country_weights

    # Label 0: A is 80% positive, B 20%, overall 50%; the third label column is unlabelled.
    y_a, y_b = [1] * 80 + [0] * 20, [1] * 20 + [0] * 80
    Y = np.array([[y, 1 - y, 0] for y in y_a + y_b + [1] * 10], dtype=np.int8)
    mask = np.ones(Y.shape, dtype=bool)
    mask[:, 2] = False
    countries = ["A"] * 100 + ["B"] * 100 + [None] * 5 + ["C"] * 5
    w = country_weights(countries, Y, mask, 1.0)
    for rows in (slice(0, 100), slice(100, 200)):
        share = (w[rows, 0] * Y[rows, 0]).sum() / w[rows, 0].sum()
        assert share == pytest.approx(Y[mask[:, 0], 0].mean())
    # Unknown and small countries, and unlabelled columns, keep weight 1.
    assert (w[200:] == 1).all() and (w[:, 2] == 1).all()
    assert country_weights(countries, Y, mask, 0.0).tolist() == np.ones(Y.shape).tolist()
    # A country that never has the label cannot be balanced up to it; weights stay in bounds.
    Y[:100, 0] = 0
    w = country_weights(countries, Y, mask, 2.0)
    assert w.min() >= BALANCE_BOUNDS[0] and w.max() <= BALANCE_BOUNDS[1]


def test_country_balance_stops_a_countrys_wording_standing_for_its_labels():
    # "Upazila" is only in country A, whose notes are mostly riots; B's are mostly battles.
    # Balanced, the word says little about the label; unbalanced, it says "riots".
    records = []
    for country, place, n_riots in (("A", "upazila", 54), ("B", "district", 6)):
        for k in range(60):
            riot = k < n_riots
            text = "A mob rioted" if riot else "Troops fought rebels"
            records.append(
                record(
                    f"{country}-{k}",
                    f"{text} in the {place} on day {k}.",
                    country=country,
                    event_types=["riots" if riot else "battles"],
                )
            )
    riots = EVENT_TYPES.index("riots")
    text = ["Men clashed in the upazila."]
    p = {}
    for power in (0, 1):
        config = build_config(overrides=["linear.min_df=1", f"linear.country_balance={power}"])
        tagger = LinearTagger.fit(records, [], config, progress=False)
        p[power] = tagger.score(text).event_types[0, riots]
    assert p[1] < p[0] - 0.1
