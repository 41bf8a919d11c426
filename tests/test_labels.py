import doctest

import pytest

import model.corpora.acled
import model.labels
import model.schema
from model.errors import LabelError
from model.labels import (
    ACTOR_CATEGORIES,
    EVENT_TYPES,
    SUB_EVENT_TYPES,
    LabelSpace,
    acled_event_type,
    parent_of,
)


def test_codebook_sizes():
    assert len(EVENT_TYPES) == 6
    assert len(SUB_EVENT_TYPES) == 25
    assert len(ACTOR_CATEGORIES) == 8
    assert all(parent_of(s) in EVENT_TYPES for s in SUB_EVENT_TYPES)


@pytest.mark.parametrize(
    "acled, sub, actor1, expected",
    [
        (
            "Explosions/Remote violence",
            "Air/drone strike",
            None,
            ("explosions_remote_violence", "air_drone_strike"),
        ),
        (
            "Battles",
            "Non-state actor overtakes territory",
            None,
            ("battles", "non_state_actor_overtakes_territory"),
        ),
        ("Battle-No change of territory", None, None, ("battles", "armed_clash")),
        (
            "Battle-Government regains territory",
            "",
            None,
            ("battles", "government_regains_territory"),
        ),
        (
            "Battle-Non-state actors overtake territory",
            None,
            None,
            ("battles", "non_state_actor_overtakes_territory"),
        ),
        ("Remote violence", None, None, ("explosions_remote_violence", None)),
        ("Strategic development", None, None, ("strategic_developments", None)),
        (
            "Non-violent transfer of territory",
            None,
            None,
            ("strategic_developments", "non_violent_transfer_of_territory"),
        ),
        ("Violence Against Civilians", None, None, ("violence_against_civilians", None)),
        ("Riots/Protests", None, "Protesters (Nepal)", ("protests", None)),
        ("Riots/Protests", None, "Rioters (India)", ("riots", None)),
        (
            "Strategic developments",
            "Headquarters or base established",
            None,
            ("strategic_developments", "headquarters_or_base_established"),
        ),
    ],
)
def test_acled_spellings(acled, sub, actor1, expected):
    assert acled_event_type(acled, sub, actor1) == expected


def test_riots_protests_needs_actor():
    with pytest.raises(LabelError, match="cannot tell protests from riots"):
        acled_event_type("Riots/Protests", None, "Labour Group (Kenya)")


def test_unknown_acled_names_are_errors():
    with pytest.raises(LabelError, match="unknown ACLED event type 'Skirmish'"):
        acled_event_type("Skirmish")
    with pytest.raises(LabelError, match="unknown ACLED sub-event type 'Ambush'"):
        acled_event_type("Battles", "Ambush")
    with pytest.raises(LabelError, match="unknown sub-event type 'ambush'"):
        parent_of("ambush")


def test_label_space():
    space = LabelSpace("event_types", EVENT_TYPES)
    assert space.index("riots") == 4
    with pytest.raises(LabelError, match="unknown event_types label 'riot'"):
        space.index("riot")
    with pytest.raises(LabelError, match="duplicate labels"):
        LabelSpace("x", ("a", "a"))


@pytest.mark.parametrize("module", [model.labels, model.schema, model.corpora.acled])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0
