"""How predicted event types shape the actors of a result (model.api, model.combine), on a
tagger whose scores are fixed, so that only the rules are tested."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import model.combine
from model.api import Scores, Tagger
from model.extract import Extractor
from model.labels import ACTOR_CATEGORIES, EVENT_TYPES, SUB_EVENT_TYPES


class FixedTagger(Tagger):
    family = "fixed"

    def __init__(self, event: str | None, sub: str | None) -> None:
        super().__init__()
        self.event, self.sub = event, sub
        self.extractor = Extractor()

    def score(self, texts):
        n = len(texts)
        events = np.full((n, len(EVENT_TYPES)), 0.01)
        subs = np.full((n, len(SUB_EVENT_TYPES)), 0.01)
        if self.event:
            events[:, EVENT_TYPES.index(self.event)] = 0.9
        if self.sub:
            subs[:, SUB_EVENT_TYPES.index(self.sub)] = 0.9
        return Scores(events, subs, np.full((n, len(ACTOR_CATEGORIES)), 0.01), np.zeros(n))


PROTEST = "Teachers marched to parliament in Nairobi against abuses by the Kenyan police."


def names(event, sub, text=PROTEST):
    result = FixedTagger(event, sub).predict([text])[0]
    return {a["name"]: a["mention"] for a in result["actors"]}


def test_police_a_peaceful_protest_names_are_not_its_actors():
    assert "Police Forces of Kenya" in names(None, None)  # the extractor finds them
    assert names("protests", "peaceful_protest") == {"Protesters": "marched"}


def test_police_who_intervene_in_a_protest_stay():
    assert "Police Forces of Kenya" in names("protests", "protest_with_intervention")


@pytest.mark.parametrize(
    "event, collective",
    [("violence_against_civilians", "Civilians"), ("riots", "Rioters")],
)
def test_event_type_implies_its_collective(event, collective):
    text = "Armed men attacked a market near the border town overnight."
    assert collective not in names(None, None, text)
    assert names(event, None, text)[collective] is None


def test_combine_doctest():
    assert doctest.testmod(model.combine).failed == 0
