import doctest

import numpy as np

import model.decoding
from model.decoding import best_f1_threshold, choose, is_short, tune_fallback, tune_floors


def test_doctests():
    assert doctest.testmod(model.decoding).failed == 0


def test_floor_drops_weak_second_label_only():
    probs = np.array([[0.95, 0.55, 0.1], [0.6, 0.58, 0.1]])
    t = np.full(3, 0.5)
    assert choose(probs, t, 0.0).tolist() == [[True, True, False], [True, True, False]]
    assert choose(probs, t, 0.85).tolist() == [[True, False, False], [True, True, False]]


def test_tune_floors_learns_single_label_notes_and_multi_label_articles():
    rng = np.random.default_rng(0)
    n = 200
    probs = rng.uniform(0.5, 1.0, size=(n, 2))
    Y = np.zeros((n, 2), dtype=np.int8)
    short = np.arange(n) < n // 2
    best = probs.argmax(1)
    Y[short, best[short]] = 1  # notes: only the best label is true
    Y[~short] = 1  # articles: both labels are true
    floors = tune_floors(probs, np.full(2, 0.5), Y, np.ones_like(Y, dtype=bool), short)
    assert floors["short"] == 1.0 and floors["long"] == 0.0


def test_is_short():
    assert is_short("one two three") and not is_short("word " * 101)


def test_fallback_keeps_best_label_of_a_text_that_got_none():
    probs = np.array([[0.3, 0.2, 0.1], [0.04, 0.03, 0.02], [0.9, 0.2, 0.1]])
    t = np.full(3, 0.5)
    assert not choose(probs, t)[:2].any()
    got = choose(probs, t, fallback=0.1).tolist()
    assert got == [[True, False, False], [False, False, False], [True, False, False]]
    assert choose(probs, t, fallback=0.0)[1].tolist() == [True, False, False]


def test_tune_fallback_uses_no_event_texts_to_decide():
    rng = np.random.default_rng(0)
    n = 300
    probs = rng.uniform(0.05, 0.45, size=(n, 3))  # nothing reaches the 0.5 thresholds
    t = np.full(3, 0.5)
    mask = np.ones((n, 3), dtype=bool)
    Y = np.zeros((n, 3), dtype=np.int8)
    Y[np.arange(n), probs.argmax(1)] = 1  # every text reports its best-scoring event
    # Every best probability is over 0.1: the highest fallback that keeps them all wins.
    assert tune_fallback(probs, t, Y, mask, 0.0) == 0.1
    # Texts that report nothing, all with low best scores: a fallback above them is chosen.
    quiet = np.arange(n) % 2 == 0
    probs[quiet] *= 0.2
    Y[quiet] = 0
    assert tune_fallback(probs, t, Y, mask, 0.0) in (0.1, 0.2)
    # Nothing to gain: thresholds already choose every true label.
    one_hot = np.eye(3)[np.arange(n) % 3]
    assert tune_fallback(one_hot, t, one_hot.astype(np.int8), mask, 0.0) is None


def test_tune_floors_keeps_one_label_for_notes_when_dev_cannot_tell():
    # Two notes whose second label is also true; the rest single-label. Floor 0 wins dev
    # macro-F1 by less than the tolerance, so short texts keep the single-label floor.
    probs = np.array([[0.9, 0.6]] * 2 + [[0.9, 0.2]] * 100 + [[0.2, 0.9]] * 100 + [[0.9, 0.6]])
    Y = np.array([[1, 1]] * 2 + [[1, 0]] * 100 + [[0, 1]] * 100 + [[1, 0]], dtype=np.int8)
    short = np.ones(len(Y), dtype=bool)
    mask = np.ones_like(Y, dtype=bool)
    t = np.full(2, 0.5)
    from model.decoding import _macro_f1

    gap = _macro_f1(Y.astype(bool), choose(probs, t, 0.0), mask) - _macro_f1(
        Y.astype(bool), choose(probs, t, 1.0), mask
    )
    assert 0 < gap < 0.005
    assert tune_floors(probs, t, Y, mask, short)["short"] == 1.0


def test_best_f1_threshold_keeps_the_row_it_was_taken_from():
    # 0.9136 rounded to 0.914 would leave its own row out; the threshold must keep it.
    y, p = np.array([1, 0, 0]), np.array([0.9136, 0.1953, 0.1])
    t = best_f1_threshold(y, p)
    assert (p >= t).tolist() == [True, False, False]


def test_best_f1_threshold_can_take_the_lowest_of_near_best():
    y = np.array([0, 0, 1, 1, 1, 0, 1])
    p = np.array([0.1, 0.3, 0.35, 0.6, 0.7, 0.2, 0.9])
    # F1 is 1.0 at 0.35, 0.89 at 0.3 and 0.86 at 0.6, 0.8 at 0.2.
    assert best_f1_threshold(y, p) == 0.35
    assert best_f1_threshold(y, p, lowest_within=0.15) == 0.3
    assert best_f1_threshold(y, p, lowest_within=0.001) == 0.35


def test_long_floor_is_the_default_until_dev_has_enough_long_texts():
    from model.decoding import MIN_TUNING_ROWS

    rng = np.random.default_rng(1)
    n_long = MIN_TUNING_ROWS["long"]
    probs = rng.uniform(0.5, 1.0, size=(100 + n_long, 2))
    Y = np.zeros(probs.shape, dtype=np.int8)
    short = np.arange(len(Y)) < 100
    Y[short, probs[short].argmax(1)] = 1
    Y[~short] = 1  # every long text reports both: tuned, the floor is 0
    mask = np.ones_like(Y, dtype=bool)
    t = np.full(2, 0.5)
    assert tune_floors(probs, t, Y, mask, short, long_default=0.7)["long"] == 0.0
    fewer = np.arange(len(Y)) < len(Y) - 1  # one long text short of tuning
    floors = tune_floors(probs[fewer], t, Y[fewer], mask[fewer], short[fewer], long_default=0.7)
    assert floors == {"short": 1.0, "long": 0.7}
