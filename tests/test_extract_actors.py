"""Actor catalogue, linking and extraction: alias families, collectives, quoted sources,
user catalogues, broken files, fitting and the JSON round trip. Texts are our own."""

from __future__ import annotations

import json
import re

import pytest

from model.errors import DataError, ModelLoadError
from model.extract import Extractor, canonical_actor_name, load_catalogue
from model.labels import ACTOR_CATEGORIES


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor()


def names(ex: Extractor, text: str, country: str | None = None) -> set[str]:
    return {a["name"] for a in ex.extract(text, country=country)["actors"]}


# -- alias families ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "mention",
    ["ISIS", "ISIL", "IS", "Daesh", "Da'esh", "the Islamic State", "Islamic State group"],
)
def test_islamic_state_family(ex, mention):
    assert "Islamic State" in names(ex, f"{mention} fighters stormed a checkpoint near Raqqa.")


def test_lower_case_is_is_not_islamic_state(ex):
    assert "Islamic State" not in names(ex, "The road is closed and the town is quiet.")


@pytest.mark.parametrize(
    "mention",
    ["Regime forces", "Assad forces", "The Syrian army", "SAA troops", "The Tiger Forces"],
)
def test_syrian_army_family(ex, mention):
    assert "Military Forces of Syria" in names(ex, f"{mention} shelled villages south of Idlib.")


@pytest.mark.parametrize(
    "mention",
    ["al-Shabaab", "Al Shabab", "Shabaab", "al-Shebab", "Harakat al-Shabaab al-Mujahideen"],
)
def test_al_shabaab_spellings(ex, mention):
    assert "Al Shabaab" in names(ex, f"{mention} militants attacked a base in Lower Shabelle.")


@pytest.mark.parametrize(
    "mention", ["Houthi rebels", "The Houthis", "Ansar Allah", "Ansarullah", "Huthi forces"]
)
def test_houthi_family(ex, mention):
    assert "Houthis" in names(ex, f"{mention} fired drones at Marib.")


@pytest.mark.parametrize(
    "mention", ["The Tatmadaw", "The junta", "Myanmar's military", "Junta troops"]
)
def test_tatmadaw_family(ex, mention):
    assert "Military Forces of Myanmar" in names(ex, f"{mention} burned houses in Sagaing region.")


@pytest.mark.parametrize(
    "mention", ["HTS", "Hayat Tahrir al-Sham", "Hay'at Tahrir al-Sham", "Tahrir al-Sham"]
)
def test_hts_family(ex, mention):
    assert "Hayat Tahrir al-Sham" in names(ex, f"{mention} arrested two men in Sarmada.")


def test_transliteration_variants_are_linked(ex):
    found = names(ex, "Hayyaat Tahrir Al-Sham clashed with Jaysh Khalid Ibn al-Waleed near Daraa.")
    assert {"Hayat Tahrir al-Sham", "Khalid ibn al Walid Army"} <= found


def test_boko_haram_and_iswap_stay_apart(ex):
    assert "Boko Haram - Jamatu Ahli is-Sunnah lid-Dawatai wal-Jihad" in names(
        ex, "Boko Haram raided a village in Borno."
    )
    assert "Islamic State (West Africa)" in names(ex, "ISWAP fighters raided a village in Borno.")


def test_pakistani_and_afghan_taliban_stay_apart(ex):
    assert "Tehreek-i-Taliban Pakistan" in names(
        ex, "TTP militants attacked a police post in Bannu."
    )
    assert "Taliban" in names(ex, "Taliban fighters attacked a checkpoint in Kunduz.")


# -- local aliases and generic collectives ---------------------------------------------------


def test_local_alias_only_in_its_country(ex):
    assert "Military Forces of Syria" in names(ex, "The regime shelled the town.", country="Syria")
    assert "Military Forces of Syria" not in names(
        ex, "The regime shelled the town.", country="Chad"
    )


@pytest.mark.parametrize(
    "country, expected",
    [
        ("Nigeria", "Military Forces of Nigeria"),
        ("DRC", "Military Forces of the Democratic Republic of Congo"),
    ],
)
def test_generic_troops_resolve_with_the_given_country(ex, country, expected):
    assert expected in names(ex, "Troops clashed with gunmen overnight.", country=country)


def test_country_inferred_from_places(ex):
    out = ex.extract("Police fired tear gas at protesters in Nairobi.")
    assert out["country"] == "Kenya"
    assert {"Police Forces of Kenya", "Protesters"} <= {a["name"] for a in out["actors"]}


def test_a_states_own_troops_outvote_a_foreign_groups_home(ex):
    out = ex.extract("Wagner Group mercenaries and Malian troops killed dozens of villagers.")
    assert out["country"] == "Mali"
    mali = next(a for a in out["actors"] if a["name"] == "Military Forces of Mali")
    assert mali["category"] == "state_forces"


def test_foreign_forces_are_external(ex):
    actors = ex.extract("Turkish troops shelled villages near Afrin.")["actors"]
    turkey = next(a for a in actors if a["name"] == "Military Forces of Turkey")
    assert turkey["category"] == "external_other_forces"


@pytest.mark.parametrize(
    "text, name",
    [
        (
            "An Israeli airstrike on a house in Rafah killed nine people.",
            "Military Forces of Israel",
        ),
        ("A Turkish drone strike killed two fighters near Qamishli.", "Military Forces of Turkey"),
        ("Pakistani shelling killed two villagers in Kunar.", "Military Forces of Pakistan"),
    ],
)
def test_a_demonym_before_a_strike_names_that_countrys_military(ex, text, name):
    assert name in names(ex, text)


def test_a_demonym_before_a_labour_strike_is_no_military(ex):
    assert not any(n.startswith("Military") for n in names(ex, "A Kenyan strike shut schools."))


def test_protest_without_violence_is_protesters(ex):
    assert names(ex, "Teachers staged a peaceful sit-in outside the ministry in Kathmandu.") == {
        "Protesters"
    }


def test_violent_crowd_is_rioters_not_protesters(ex):
    found = names(ex, "Protesters pelted stones at police and torched a bus in Dhaka.")
    assert "Rioters" in found and "Protesters" not in found


def test_clashes_with_an_armed_group_are_not_rioting_a_protest_elsewhere_is_protesters(ex):
    # The codebook's worked example: a battle, then a separate protest.
    text = (
        "Government troops retook the village of X on Monday after clashes with fighters of the "
        "Y Front; five soldiers and at least a dozen militants were killed. Separately, police "
        "dispersed a sit-in by teachers in the capital with tear gas."
    )
    found = names(ex, text)
    assert "Protesters" in found and "Rioters" not in found
    # The same words count where the crowd is in the sentence, or no armed group is named.
    assert "Rioters" in names(ex, "Protesters clashed with police in Dhaka; militants watched.")
    assert "Rioters" in names(ex, "Protesters blocked a road in Dhaka. Clashes broke out.")


def test_unnamed_gunmen_and_victims(ex):
    found = names(ex, "Unidentified gunmen killed three villagers in Zamfara.")
    assert {"Unidentified Armed Group", "Civilians"} <= found


def test_generic_word_after_a_name_belongs_to_the_name(ex):
    assert names(ex, "Taliban militants ambushed a convoy in Helmand.") >= {"Taliban"}
    assert "Unidentified Armed Group" not in names(
        ex, "Taliban militants ambushed a convoy in Helmand."
    )


# -- quoted sources ----------------------------------------------------------------------


def test_news_agencies_and_monitors_are_not_actors(ex):
    text = (
        "According to Reuters, the Syrian Observatory for Human Rights said warplanes struck "
        "Idlib; SANA and Al Jazeera also reported it."
    )
    found = names(ex, text)
    assert not found & {"Syrian Observatory for Human Rights", "News Agencies", "Reuters"}


def test_a_quoted_force_is_not_an_actor_but_a_self_report_is(ex):
    assert "Police Forces of Kenya" not in names(
        ex, "Police said two herders died in a raid in Marsabit."
    )
    assert "Taliban" in names(ex, "The Taliban said they attacked an army post in Ghazni.")


# -- canonical names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("Military Forces of Syria (2000-) 5th Assault Corps", "Military Forces of Syria"),
        ("Police Forces of Kenya (2002-2013)", "Police Forces of Kenya"),
        ("Protesters (Kenya)", "Protesters"),
        ("Unidentified Armed Group (Syria)", "Unidentified Armed Group"),
        ("QSD: Syrian Democratic Forces", "Syrian Democratic Forces"),
        ("Islamic State (Syria)", "Islamic State"),
        ("Militia (Pro-Government)", "Militia (Pro-Government)"),
        ("Syrian insurgents", "Opposition Rebels"),
        ("Government of Syria", "Military Forces of Syria"),
    ],
)
def test_canonical_actor_name(raw, canonical):
    assert canonical_actor_name(raw) == canonical


def test_crosswalk_lines_are_well_formed_and_link():
    cat = load_catalogue()
    path = cat.gazetteer and __import__("model.extract.catalogue", fromlist=["DATA_DIR"]).DATA_DIR
    for line in (path / "ucdp_crosswalk.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == {"ucdp", "name", "category"}
        assert row["category"] in ACTOR_CATEGORIES
        assert cat.lookup(cat.canonical_actor_name(row["name"])), row


def test_catalogue_is_large_and_valid():
    cat = load_catalogue()
    named = [a for a in cat.actors.values() if a.explicit and a.kind in ("group", "party", "state")]
    assert len(named) >= 400
    assert all(a.category in ACTOR_CATEGORIES for a in named)


# -- user catalogues and broken files -------------------------------------------------------


def test_user_catalogue_adds_actors_and_aliases(tmp_path):
    path = tmp_path / "mine.jsonl"
    rows = [
        {
            "name": "Free Hills Brigade",
            "category": "rebel_group",
            "aliases": ["FHB", "Hill Brigade"],
            "countries": ["Kenya"],
        },
        {"name": "Al Shabaab", "category": "rebel_group", "aliases": ["the Youth Movement"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    mine = Extractor(load_catalogue([path]))
    found = names(mine, "FHB fighters and the Youth Movement clashed near Garissa.")
    assert {"Free Hills Brigade", "Al Shabaab"} <= found
    assert "Free Hills Brigade" not in names(Extractor(), "FHB fighters clashed near Garissa.")


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"name": "X Front", "category": "rebels"}', "unknown category 'rebels'"),
        ('{"name": "X Front", "category": "rebel_group", "alias": []}', "unknown keys ['alias']"),
        ('{"name": "", "category": "rebel_group"}', "'name' must be a non-empty string"),
        (
            '{"name": "X Front", "category": "rebel_group", "countries": ["Narnia"]}',
            "unknown country 'Narnia'",
        ),
        (
            '{"name": "X Front", "category": "rebel_group", "aliases": "XF"}',
            "must be a list of strings",
        ),
        ('{"name": "X Front", "kind": "gang", "category": "rebel_group"}', "unknown kind 'gang'"),
        ('{"name": "X Front", "category": "rebel_group"', "not valid JSON"),
        ('["X Front"]', "expected a JSON object"),
    ],
)
def test_broken_catalogue_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "broken.jsonl"
    path.write_text(
        '{"name": "Good Front", "category": "rebel_group"}\n' + line + "\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match=re.escape(message)) as info:
        load_catalogue([path])
    assert info.value.path == str(path) and info.value.line == 2
    assert f"{path}:2" in str(info.value)


def test_missing_catalogue_file(tmp_path):
    with pytest.raises(DataError, match="catalogue file not found"):
        load_catalogue([tmp_path / "nope.jsonl"])


def test_template_without_placeholder_is_refused(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"name": "Army", "kind": "template", "category": "state_forces", "patterns": []}\n'
    )
    with pytest.raises(DataError, match="must contain '\\{country\\}'"):
        load_catalogue([path])


# -- output schema, fitting, state ---------------------------------------------------------


def test_output_schema(ex):
    out = ex.extract("ISIS fighters killed 4 soldiers near Deir ez-Zor.")
    assert set(out) >= {"actors", "actor_categories", "killed", "injured", "casualty_evidence"}
    for a in out["actors"]:
        assert set(a) == {"name", "category", "mention", "start", "end", "score"}
        assert out.get("killed") == 4
        assert a["category"] in ACTOR_CATEGORIES
        assert (
            "ISIS fighters killed 4 soldiers near Deir ez-Zor."[a["start"] : a["end"]]
            == a["mention"]
        )
    assert out["actor_categories"] == sorted(set(out["actor_categories"]))


RECORDS = [
    {
        "text": "Fighters of the Crescent Hawks Brigade attacked an army post near Homs.",
        "country": "Syria",
        "actors": [
            {
                "name": "Crescent Hawks Brigade",
                "category": "rebel_group",
                "mention": "Crescent Hawks Brigade",
                "start": 16,
                "end": 38,
            },
            {
                "name": "Military Forces of Syria",
                "category": "state_forces",
                "mention": "army",
                "start": 51,
                "end": 55,
            },
        ],
    },
    {
        "text": "The Hawks clashed with regime forces near Hama.",
        "country": "Syria",
        "actors": [
            {
                "name": "Crescent Hawks Brigade",
                "category": "rebel_group",
                "mention": "The Hawks",
                "start": 0,
                "end": 9,
            },
            {
                "name": "Military Forces of Syria",
                "category": "state_forces",
                "mention": "regime forces",
                "start": 23,
                "end": 36,
            },
        ],
    },
    {
        "text": "CHB fighters withdrew.",
        "country": "Syria",
        "actors": [{"name": "CHB: Crescent Hawks Brigade (Syria)", "category": "rebel_group"}],
    },
]


def test_fit_learns_names_aliases_and_abbreviations():
    fitted = Extractor().fit(RECORDS)
    assert "Crescent Hawks Brigade" in names(
        fitted, "The Hawks shelled a village.", country="Syria"
    )
    assert "Crescent Hawks Brigade" in names(fitted, "CHB fighters retreated.", country="Syria")
    actor = next(
        a
        for a in fitted.extract("CHB fighters retreated.")["actors"]
        if a["name"] == "Crescent Hawks Brigade"
    )
    assert actor["category"] == "rebel_group"


def fitted_on(text: str, country: str, name: str, mention: str) -> tuple[Extractor, Extractor]:
    """An extractor fitted on three copies of one coded record, and its JSON round trip."""
    records = [
        {
            "text": f"{text} ({k})",
            "country": country,
            "actors": [{"name": name, "mention": mention}],
        }
        for k in range(3)
    ]
    fitted = Extractor().fit(records)
    return fitted, Extractor.from_dict(json.loads(json.dumps(fitted.to_dict())))


def test_a_foreign_force_coded_in_a_country_does_not_take_its_soldiers():
    fitted, reloaded = fitted_on(
        "A Turkish military convoy was ambushed near Mogadishu.",
        "Somalia",
        "Military Forces of Turkey",
        "Turkish military convoy",
    )
    text = "Al Shabaab attacked a base in Lower Shabelle; the army said 15 soldiers were killed."
    for ex in (fitted, reloaded):
        found = names(ex, text)
        assert "Military Forces of Somalia" in found and "Military Forces of Turkey" not in found
    assert "Military Forces of Turkey" in names(fitted, "Turkish soldiers patrolled Mogadishu.")


def test_a_governments_learned_common_word_alias_holds_in_its_country_only():
    fitted, reloaded = fitted_on(
        "The government deployed troops to Quetta.",
        "Pakistan",
        "Government of Pakistan",
        "government",
    )
    for ex in (fitted, reloaded):
        assert "Government of Pakistan" in names(ex, "The government banned rallies in Lahore.")
        assert "Government of Pakistan" not in names(
            ex, "The government banned rallies in Ahmedabad."
        )
        assert "Government of Pakistan" not in names(
            ex, "The government banned rallies.", country="India"
        )


def test_fit_is_deterministic():
    assert Extractor().fit(RECORDS).to_dict() == Extractor().fit(RECORDS).to_dict()


def test_category_predictor_for_new_names():
    fitted = Extractor(new_names=True)
    actors = fitted.extract("The Mountain Eagles Liberation Front ambushed a patrol.")["actors"]
    new = next(a for a in actors if a["name"] == "Mountain Eagles Liberation Front")
    assert new["category"] == "rebel_group"
    without = Extractor(new_names=False).extract(
        "The Mountain Eagles Liberation Front ambushed a patrol."
    )
    assert "Mountain Eagles Liberation Front" not in {a["name"] for a in without["actors"]}


def test_identity_groups_option_changes_output():
    text = "Students and teachers protested outside the university in Dhaka."
    assert "Students" in names(Extractor(identity_groups=True), text)
    assert "Students" not in names(Extractor(identity_groups=False), text)


def test_calibration_switches_off_an_alias_that_training_shows_wrong():
    records = [
        {"text": "Jubilee celebrations were held in Nakuru.", "country": "Kenya", "actors": []}
    ] * 20
    assert "Jubilee Coalition" in names(
        Extractor().fit([]), "Jubilee celebrations were held in Nakuru."
    )
    assert "Jubilee Coalition" not in names(
        Extractor().fit(records), "Jubilee celebrations were held in Nakuru."
    )
    assert "Jubilee Coalition" in names(
        Extractor(calibrate=False).fit(records), "Jubilee celebrations were held in Nakuru."
    )


def test_implied_counterpart_option():
    fitted = Extractor()
    fitted.completions = {"Syria|Military Forces of Syria": ["Opposition Rebels", 0.6]}
    text = "Regime forces shelled the Idlib countryside."
    implied = next(a for a in fitted.extract(text)["actors"] if a["name"] == "Opposition Rebels")
    assert implied["mention"] is None and implied["start"] is None and implied["score"] < 0.5
    fitted.implied = False
    assert "Opposition Rebels" not in names(fitted, text)


def test_round_trip_through_json_gives_identical_results():
    fitted = Extractor().fit(RECORDS)
    state = json.loads(json.dumps(fitted.to_dict()))
    again = Extractor.from_dict(state)
    texts = [
        "The Hawks and ISIS fought near Palmyra; 3 died.",
        "Police fired tear gas at rioters in Kisumu.",
    ]
    assert [fitted.extract(t) for t in texts] == [again.extract(t) for t in texts]


def test_from_dict_refuses_unknown_format():
    with pytest.raises(ModelLoadError, match="format 'extract/99'"):
        Extractor.from_dict({"format": "extract/99"})


def test_acronym_of_a_group_from_another_country_is_not_an_actor():
    text = (
        "JOS, Nigeria -- Gunmen killed eleven villagers near Jos on Sunday, police in "
        "Plateau State said."
    )
    names = [a["name"] for a in Extractor().extract(text)["actors"]]
    assert not any("Sharqiya" in n for n in names)
