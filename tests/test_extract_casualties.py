"""Casualty counting, one test per rule of the codebook (section 3). Texts are our own."""

from __future__ import annotations

import pytest

from model.extract import extract_casualties


def counts(text: str) -> tuple[int | None, int | None]:
    out = extract_casualties(text)
    return out["killed"], out["injured"]


def test_digits():
    assert counts("Militants killed 14 villagers near the cattle market.") == (14, None)


def test_number_words_and_compounds():
    assert counts("Twenty-three soldiers died in the ambush.") == (23, None)
    assert counts("The flood of shelling left two hundred and fifty people dead.") == (250, None)


def test_at_least_counts_the_figure():
    assert counts("At least 9 people were killed when the convoy was hit.") == (9, None)
    assert counts("More than forty fighters were slain in two days of clashes.") == (40, None)


@pytest.mark.parametrize(
    "text, injured",
    [
        ("Between 4 and 6 guards were wounded at the gate.", 4),
        ("The raid injured 7-9 farmers.", 7),
        ("Five or six shoppers were hurt in the stampede of the attack.", 5),
        ("The militia wounded between three and about eight herders.", 3),
        ("Stray shells wounded between two and five children.", 2),
        ("Shrapnel injured 2 to nearly 5 pupils in the yard.", 2),
    ],
)
def test_ranges_count_the_lowest(text, injured):
    assert counts(text)[1] == injured


@pytest.mark.parametrize(
    "text, killed",
    [
        ("Several policemen were killed in the raid.", 10),
        ("Many residents died in the shelling.", 10),
        ("A few herders were killed by the raiders.", 10),
        ("A dozen recruits were killed in the blast.", 12),
        ("Dozens of worshippers died when the roof collapsed after the bombing.", 12),
        ("Hundreds of civilians were killed during the siege.", 100),
        ("Two dozen people were killed when gunmen stormed the church.", 24),
        ("Half a dozen soldiers were killed in the ambush.", 6),
        ("Both drivers were killed when the convoy was ambushed.", 2),
        ("Gunmen shot dead both guards at the gate.", 2),
    ],
)
def test_vague_amounts_follow_the_codebook(text, killed):
    assert counts(text)[0] == killed


@pytest.mark.parametrize(
    "text, killed",
    [
        ("Suspected rebels hacked 11 villagers to death overnight.", 11),
        ("A mob beat two suspected thieves to death.", 2),
        ("He was sentenced to death for the 2019 bombing.", None),
        ("A court condemned 3 rebels to death.", None),
    ],
)
def test_to_death_is_a_death_unless_a_sentence(text, killed):
    assert counts(text)[0] == killed
    assert extract_casualties(text)["casualties"] is (killed is not None)


def test_killed_apart_from_injured():
    assert counts("Gunmen killed 2 guards and injured 15 passengers.") == (2, 15)
    assert counts("Three died and eleven were wounded.") == (3, 11)


def test_killed_and_injured_together_is_a_casualty_without_counts():
    out = extract_casualties("The rocket attack killed or injured 30 people.")
    assert (out["killed"], out["injured"]) == (None, None)
    assert out["casualties"] is True


def test_separate_events_are_summed():
    text = "A roadside bomb killed 3 soldiers in the north. In a separate attack, gunmen killed 2 traders."
    assert counts(text)[0] == 5


def test_restatement_is_not_added_again():
    text = "Four people died in a market bombing on Friday. The bombing killed four people, officials said."
    assert counts(text)[0] == 4


def test_subset_after_including_is_not_added():
    assert counts("The strike killed 11 people, including 3 children and a teacher.")[0] == 11


def test_lowest_figure_when_sources_disagree():
    text = "Officials said 6 were killed, while witnesses put the toll at 10."
    assert counts(text)[0] == 6


def test_later_toll_replaces_the_running_total():
    text = "Three people were killed in the attack. The death toll later rose to 7."
    assert counts(text)[0] == 7


@pytest.mark.parametrize(
    "text",
    [
        "Police arrested 40 protesters after the march.",
        "About 1,200 families were displaced by the fighting.",
        "Gunmen abducted 12 students from the school.",
        "The army detained 8 suspects in a raid.",
    ],
)
def test_arrests_displacement_abductions_are_not_casualties(text):
    out = extract_casualties(text)
    assert (out["killed"], out["injured"], out["casualties"]) == (None, None, False)


def test_ages_are_not_counts():
    assert counts("A 35-year-old farmer was shot dead near his field.") == (1, None)
    assert counts("The victim, aged 52, died in hospital after the attack.")[0] is None


def test_dates_and_times_are_not_counts():
    assert counts("On 12 March 2021, 3 soldiers died in an ambush at 10:30.") == (3, None)


def test_weapon_and_vehicle_counts_are_not_counts():
    assert counts("Rebels fired 20 rockets at the base, killing 2 soldiers.") == (2, None)
    assert counts("Four vehicles were destroyed in the blast.") == (None, None)


def test_articles_and_pronouns_count_one():
    assert counts("A policeman was killed at a checkpoint.") == (1, None)
    assert counts("Gunmen stopped the driver and killed him.") == (1, None)


def test_explicit_no_casualties_is_zero():
    out = extract_casualties("Shells fell on the village. No casualties were reported.")
    assert (out["killed"], out["injured"], out["casualties"]) == (0, 0, False)


def test_threats_are_not_reports():
    assert counts("The group threatened to kill 5 hostages unless paid.") == (None, None)


def test_acled_coded_fatalities_phrase_wins():
    text = "Clashes broke out; several fighters were killed. Several fatalities coded as 3."
    assert counts(text)[0] == 3


def test_deaths_without_a_number_are_reported_without_a_count():
    out = extract_casualties("Soldiers were killed when their camp was overrun.")
    assert out["killed"] is None
    assert out["killed_reported"] is True and out["casualties"] is True


def test_evidence_is_the_sentence_with_its_span():
    text = "The market was calm. Later, a bomb killed 6 shoppers and wounded 9 others."
    out = extract_casualties(text)
    tasks = {e["task"]: e for e in out["casualty_evidence"]}
    assert set(tasks) == {"killed", "injured"}
    for e in tasks.values():
        assert text[e["start"] : e["end"]] == e["text"]
        assert e["text"].startswith("Later, a bomb killed 6")


def test_no_event_no_casualty():
    out = extract_casualties("The minister opened a new bridge over the river.")
    assert out == {
        "killed": None,
        "injured": None,
        "casualties": False,
        "killed_reported": False,
        "casualty_evidence": [],
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Local councillor Amadou Sare was shot dead outside his shop on Friday.", (1, None)),
        ("The market's night watchman has been gunned down by two men on a motorbike.", (1, None)),
        ("Raiders shot and killed a local merchant on the road north of the town.", (1, None)),
        ("Gunmen fired on the two guards at the gate, killing both.", (2, None)),
        ("Border guards seized a herder, beat him and shot him dead near the river.", (1, None)),
        ("A bus driver was wounded when the checkpoint came under fire.", (None, 1)),
    ],
)
def test_a_single_victim_without_a_number_counts_one(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No one was killed when the rocket hit the depot.", (0, None)),
        (
            "The armoured vehicle was hit by a roadside bomb; none of the crew was hurt.",
            (None, None),
        ),
        ("The governor was threatened with death by the armed group.", (None, None)),
    ],
)
def test_singular_passive_rule_stays_out_of_negations_and_things(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize(
    "text, killed",
    [
        # An earlier event named as background: "N days after ...", "after killing ...".
        ("A roadside bomb killed 4 soldiers, two weeks after an ambush killed 30 recruits.", 4),
        ("After killing some 80 villagers last year, the gang shot 3 traders dead on Sunday.", 3),
        ("Rebels executed 5 captives in retaliation for the killing of 12 of their fighters.", 5),
        ("Drones struck the depot, killing 9, in response to a raid that killed 2 guards.", 9),
        # Background alone is still the only figure the text gives.
        ("After killing 3 guards, the attackers fled into the forest.", 3),
    ],
)
def test_background_events_are_not_added(text, killed):
    assert counts(text)[0] == killed


@pytest.mark.parametrize(
    "text, killed",
    [
        ("Shelling killed 2 farmers and raised to 140 the number of people killed since June.", 2),
        ("The death of 6 guards raises the toll to 61 since the offensive began.", 6),
        ("Gunmen killed 3 officers, bringing the number of police killed this month to 25.", 3),
        ("A bomb killed 4 traders, raising to 37 the number who were killed in 10 days.", 4),
    ],
)
def test_a_running_toll_over_a_period_gives_way_to_the_event(text, killed):
    assert counts(text)[0] == killed


def test_a_toll_over_a_period_alone_is_not_counted():
    assert counts("The number of people killed since the truce has risen to 212.")[0] is None
    # "has since risen" updates this event's toll; it names no period.
    assert counts("A bomb killed 3 people. The death toll has since risen to 7.")[0] == 7


def test_managed_to_kill_is_a_report_and_threatened_to_kill_is_not():
    assert counts("Troops managed to kill 7 attackers at the checkpoint.")[0] == 7
    assert counts("The group threatened to kill 7 hostages.")[0] is None


def test_a_family_of_n():
    assert counts("An air strike killed a family of five in the village.")[0] == 5


@pytest.mark.parametrize(
    "text",
    [
        "Rebels ambushed an army convoy near the river. Casualties unknown.",
        "Gunmen raided the checkpoint; it is unclear if there were any casualties.",
        "Traders protested over the killing of a shopkeeper by a soldier last week.",
        "Students marched to demand justice for the death of a classmate in custody.",
        "Drivers blocked the toll road to protest the new toll rate.",
        "The air strike on the depot did not result in any fatalities.",
    ],
)
def test_casualties_named_but_not_reported(text):
    out = extract_casualties(text)
    assert out["casualties"] is False and not out["killed"]


def test_responsibility_for_a_killing_is_a_report():
    assert counts("The group claimed responsibility for the killing of 12 soldiers.")[0] == 12


def test_a_report_beside_an_unknown_toll_still_counts():
    assert counts("Gunmen killed 3 villagers; casualties among the police are unknown.") == (
        3,
        None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Insurgents shelled the outpost overnight; the statement makes no mention of fatalities.",
        "Herders clashed with farmers at the well; the report does not mention whether there "
        "were any casualties.",
        "Heavy fighting went on for two days; no casualty figures were available.",
        "Militia fighters stormed a camp. Accounts varied and reports differed on casualty "
        "figures, from none to several.",
        "Teachers rallied against the abductions and killings of pupils in the region.",
        "Widows of the miners marched against their killing and demanded an inquiry.",
        "Relatives of those killed blocked the highway with tyres on Sunday.",
        "A court convicted the former commander on Monday of murdering a journalist.",
        "Two men suspected of killing a trader were remanded in custody.",
    ],
)
def test_unknown_tolls_grievances_and_trials_are_not_reports(text):
    out = extract_casualties(text)
    assert out["casualties"] is False and not out["killed"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The explosion damaged a power pylon but injured no one.", (None, 0)),
        ("Youths burnt a lorry at the junction. Police said no one was hurt.", (None, 0)),
        ("Gunmen looted the market. No fatality and/or casualty reported.", (0, 0)),
        ("A rocket hit the airport fence. No damages or casualties were reported.", (0, 0)),
        ("Raiders torched granaries; there were no human casualties.", (0, 0)),
        ("No one was killed, but the blast injured four guards.", (0, 4)),
    ],
)
def test_statements_that_nobody_was_hurt_are_zero(text, expected):
    out = extract_casualties(text)
    assert (out["killed"], out["injured"]) == expected
    assert out["casualties"] is (bool(expected[1]) or bool(expected[0]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Raiders killed 15 livestock and burned the granary.", (None, None)),
        ("Farmers shot and killed five oxen that had strayed into the fields.", (None, None)),
        (
            "Effluent from the tannery is killing the fish in the lake, villagers said.",
            (None, None),
        ),
        ("Gunmen killed 4 villagers and 30 cattle near the river.", (4, None)),
        ("Gunmen shot dead 2 cattle traders on the highway.", (2, None)),
        ("Four bus passengers were wounded by stray bullets.", (None, 4)),
        ("Youths killed a goat thief at the market on Friday.", (1, None)),
        ("Six herders were killed in a cattle raid; 300 cattle were driven off.", (6, None)),
        ("Two dead and cattle stolen in a clash between rival clans.", (2, None)),
    ],
)
def test_animals_are_not_casualties_but_their_owners_are(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Two sisters, 8 and 11, were wounded when the shell hit their yard.", (None, 2)),
        ("Two cousins, nine and ten years old, were hurt by the blast.", (None, 2)),
        ("Tailor Karim Uddin, 41, was stabbed to death near the bazaar.", (1, None)),
        ("Fisherman Abdul Latif (52) was shot dead on the embankment.", (1, None)),
        ("A shopkeeper, 60, suffered burns when the stall was set alight.", (None, 1)),
        ("The attack killed 5 soldiers, 3 policemen and 2 porters.", (10, None)),
        ("On Sunday, 12 people were killed in the crossfire.", (12, None)),
    ],
)
def test_ages_set_off_after_a_person_are_not_counts(text, expected):
    assert counts(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A headline run into the body: the number between two triggers takes the next one.
        ("2 Civilians Killed 9 Injured in Attack in Aleppo. Two civilians were killed.", (2, 9)),
        # An earlier event after the text's own figures is background.
        (
            "Gunmen killed 4 people in Kano. Two days ago, 5 people were killed in a similar "
            "attack nearby.",
            (4, None),
        ),
        ("Last week 5 people were killed in Kano.", (5, None)),
        # A page's share count before the lead is no victim; a list shares its trigger.
        ("Get short URL 0 46 A shelling of the city left six people dead.", (6, None)),
        ("Two policemen, three soldiers and a civilian were killed.", (6, None)),
        ("98 persons including 18 members of the regime forces were killed.", (98, None)),
        ("700 people including 47 wounded crossed the border.", (None, 47)),
        ("Child Killed 20 People Injured in Attacks in Damascus. A child was killed.", (1, 20)),
        # A headline run into its lead with no full stop restates its figure...
        (
            "Gas attack kills at least 58 Observatory Reuters A suspected gas attack believed "
            "to be by government jets killed at least 58 people in the town.",
            (58, None),
        ),
        # ... unless a word between marks another event.
        (
            "Militants killed 3 soldiers in an ambush on the road between the two northern "
            "towns while another attack elsewhere killed 3 policemen.",
            (6, None),
        ),
    ],
)
def test_headlines_earlier_events_and_stray_numbers(text, expected):
    assert counts(text) == expected


def test_both_counts_two_people_not_two_groups():
    assert counts("Both soldiers and civilians were killed in the blast.")[0] is None
    assert counts("Both sides suffered casualties in the fighting.") == (None, None)
