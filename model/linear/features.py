"""TF-IDF word and character n-gram features, saved as JSON vocabularies and npz weights
(never pickled)."""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from model.config import LinearConfig

# ACLED notes end with "N fatalities." sentences that full articles never use; training on
# them teaches a shortcut. Casualty counts come from the extractor instead. Their "Casualties
# unknown." is the same boilerplate: left in, it teaches the casualty head that the word
# "casualties" means none, and news that says "the raid left 7 casualties" is then missed.
_FATALITY_SENTENCE = re.compile(
    r"[^.\n]*\b(?:fatalit(?:y|ies)\b|casualt(?:y|ies) (?:(?:are|were|is|was) )?(?:unknown|not "
    r"known|unclear|unreported|not reported)|unclear (?:if|whether) (?:there were )?(?:any )?"
    r"casualt)[^.\n]*\.?",
    re.I,
)


def mask_fatality_phrases(text: str) -> str:
    """Drop ACLED-style fatality and casualty-status sentences ("3 fatalities.", "Fatalities
    unknown.", "Casualties unknown.")."""
    return _FATALITY_SENTENCE.sub(" ", text)


def fatality_phrase_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences ``mask_fatality_phrases`` drops."""
    return [m.span() for m in _FATALITY_SENTENCE.finditer(text)]


# What varies with the country and date of a report rather than with what happened: short
# parentheticals ("(Cotonou, Littoral)", "(ISPR)"), full dates and the digits of numbers.
# Leaving them in lets the heads learn "this place means protests", which does not carry
# over to countries the training data lacks (about +1 point of held-out macro-F1 on the
# bench split).
_PARENTHETICAL = re.compile(r"\([^()]{0,60}\)")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}),? \d{{4}}\b")
_DIGIT = re.compile(r"\d")


def normalise(text: str) -> str:
    """Lower-case ``text`` and mask what depends on where and when it was written."""
    text = _PARENTHETICAL.sub(" ", text.lower())
    text = _DATE.sub(" date ", text)
    return _DIGIT.sub("0", text)


class Featurizer:
    """Word (1-2)-grams and character (2-5)-grams within word boundaries, TF-IDF weighted."""

    def __init__(self, config: LinearConfig) -> None:
        common = {"min_df": config.min_df, "sublinear_tf": True, "dtype": np.float32}
        if config.normalise_text:
            common["preprocessor"] = normalise
        self.word = TfidfVectorizer(
            ngram_range=config.word_ngrams, max_features=config.max_word_features, **common
        )
        self.char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=config.char_ngrams,
            max_features=config.max_char_features,
            **common,
        )

    @property
    def n_features(self) -> int:
        return len(self.word.vocabulary_) + len(self.char.vocabulary_)

    def fit(self, texts: list[str]) -> Featurizer:
        if len(texts) < 2:
            raise ValueError(f"need at least 2 training texts to build features, got {len(texts)}")
        # min_df cannot exceed the corpus size on tiny corpora (tests, smoke runs).
        for vec in (self.word, self.char):
            vec.min_df = min(vec.min_df, max(1, len(texts) // 2))
            vec.fit(texts)
        return self

    def transform(self, texts: list[str]) -> sp.csr_matrix:  # (n_texts, n_features)
        return sp.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-ready vocabularies, arrays) that ``from_state`` rebuilds the featurizer from."""
        vocab = {}
        for name, vec in (("word", self.word), ("char", self.char)):
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            vocab[name] = terms
        arrays = {"word_idf": self.word.idf_, "char_idf": self.char.idf_}
        return vocab, arrays

    @classmethod
    def from_state(cls, config: LinearConfig, vocab: dict, arrays: dict[str, np.ndarray]):
        featurizer = cls(config)
        for name in ("word", "char"):
            vec = getattr(featurizer, name)
            terms = vocab[name]
            idf = arrays[f"{name}_idf"]
            if len(terms) != len(idf):
                raise ValueError(f"{name} vocabulary has {len(terms)} terms but {len(idf)} weights")
            vec.vocabulary_ = {t: i for i, t in enumerate(terms)}
            vec.idf_ = idf
        return featurizer
