import doctest

import numpy as np

import model.decoding
from model.decoding import choose, is_short, tune_floors


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
