"""Sentences and passages (model/passages.py)."""

import pytest

from model.passages import has_new_event, opens_new_event, passage_spans

BATTLE = "Troops clashed with rebels near the river."
PROTEST = "Teachers marched to parliament."


@pytest.mark.parametrize(
    "opening",
    ["Separately,", "In another incident,", "In a separate attack,", "Meanwhile,", "Elsewhere,"],
)
def test_a_sentence_opening_a_separate_event_starts_a_passage(opening):
    text = f"{BATTLE} {opening} {PROTEST.lower()}"
    assert opens_new_event(f"{opening} {PROTEST}") and has_new_event(text)
    assert [text[s:e] for s, e in passage_spans(text)] == [BATTLE, f"{opening} {PROTEST.lower()}"]


def test_a_short_text_without_one_is_one_passage():
    text = f"{BATTLE} Later, {PROTEST.lower()}"
    assert not has_new_event(text)
    assert passage_spans(text) == [(0, len(text))]
    # Only a sentence's opening counts, and not the text's first sentence.
    assert not has_new_event(f"Separately, {BATTLE.lower()} {PROTEST}")
    assert not has_new_event("Police said the attack was separately planned. Two died.")


def test_long_texts_group_sentences_and_break_at_paragraphs():
    text = " ".join([BATTLE] * 10) + "\n\n" + PROTEST
    spans = passage_spans(text, max_words=20)
    assert all(len(text[s:e].split()) <= 21 for s, e in spans)
    assert text[slice(*spans[-1])] == PROTEST
