"""The count head's labels and decoding (model.transformer.counts): pure Python, no torch."""

import numpy as np
import pytest

from model.transformer.counts import (
    count_targets,
    counted,
    killed_total,
    mention_logits,
    mention_positions,
    number_mentions,
    record_toll,
)
from tests.conftest import record


def test_number_mentions_are_spans_with_values_and_leave_out_ages_and_things():
    text = "A boy, 12, and three farmers were killed; 40 houses burned."
    found = number_mentions(text)
    assert [(text[s:e], v) for s, e, v in found] == [("A", 1), ("three", 3)]


@pytest.mark.parametrize(
    ("values", "killed", "expected"),
    [
        ([3, 7], 3, [1.0, 0.0]),  # the toll itself
        ([3, 4, 9], 7, [1.0, 1.0, 0.0]),  # two figures that add up to it
        ([2, 2, 5], 2, [1.0, 1.0, 0.0]),  # a restatement is a count too
        ([3, 7], 0, [0.0, 0.0]),  # nobody killed: every number is something else
        ([3, 7], 50, None),  # no figure gives the toll: no labels
        ([], 5, None),
    ],
)
def test_count_targets(values, killed, expected):
    mentions = [(k, k + 1, v) for k, v in enumerate(values)]
    assert count_targets(mentions, killed) == expected


def test_record_toll_reads_zero_only_where_nobody_was_killed():
    assert record_toll(record("a", "x", casualties=True, killed=4)) == 4
    assert record_toll(record("b", "x", casualties=False, killed=None)) == 0
    # Casualties with no figure: unknown, not zero.
    assert record_toll(record("c", "x", casualties=True, killed=None)) is None
    acled_zero = record("d", "x", casualties=None, killed=None, source="acled")
    assert record_toll(acled_zero) == 0  # ACLED's 0 fatalities
    unlabelled = record("e", "x", casualties=True, killed=None, unlabelled=["killed"])
    assert record_toll(unlabelled) is None


def test_mentions_are_scored_at_their_first_token_as_the_best_window():
    mentions = [(10, 15, 3), (30, 32, 12)]
    # two windows; special tokens at (0, 0); the second mention only in window 2
    offsets = [[(0, 0), (8, 9), (10, 13), (13, 15), (0, 0)], [(0, 0), (10, 15), (30, 32), (0, 0)]]
    assert mention_positions(offsets[0], mentions) == [(0, 2)]
    assert mention_positions(offsets[1], mentions) == [(0, 1), (1, 2)]
    logits = [np.array([0.0, 0.0, 1.0, 5.0, 0.0]), np.array([0.0, 2.0, -1.0, 0.0])]
    np.testing.assert_allclose(mention_logits(offsets, logits, mentions), [2.0, -1.0])
    assert np.isneginf(mention_logits(offsets[:1], logits[:1], mentions)[1])


def test_the_toll_sums_distinct_chosen_figures():
    chosen = counted(
        [(0, 1, 3), (5, 6, 3), (9, 10, 4), (12, 13, 9)], np.array([0.9, 0.8, 0.6, 0.2]), 0.5
    )
    assert [c["value"] for c in chosen] == [3, 3, 4]
    assert killed_total(chosen) == 7  # "three ... the three" is one figure
    assert killed_total([]) is None
