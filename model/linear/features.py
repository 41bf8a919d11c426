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


# Who acts on whom. ACLED tells events apart by their actors' roles: locals who beat a thief
# riot, gunmen who shoot villagers commit violence against civilians, militants who attack a
# police post fight a battle. In a bag of n-grams "locals" and "police" weigh the same
# wherever they stand; marked by their place around the first action verb of the text (or
# of a passage: usually its lead clause), the words say which side they are on (quality
# bench, seeds 0-2: held-out event types 0.818 -> 0.823, sub-event types 0.526 -> 0.547).
# The verbs of the codebook's events, as stems that take their inflections, and any other
# past-tense verb.
_ACTION_VERB = re.compile(
    r"(?:abduct|advanc|agree|ambush|arrest|assassinat|assault|attack|ban|bann|battl|beat|"
    r"behead|block|blockad|bomb|burn|captur|carr(?:y|i)|chas|clash|clos|conduct|defus|"
    r"demonstrat|destroy|detain|deton|dispers|erupt|exchang|execut|explod|fight|fir|fought|"
    r"gather|gun|gunn|hack|hit|hitt|hurl|injur|intercept|kidnap|kidnapp|kill|launch|loot|"
    r"lynch|march|mobili[sz]|murder|open|overr[au]n|patrol|patroll|pelt|protest|raid|"
    r"rall(?:y|i)|rap|recaptur|repel|repell|repuls|retook|retak|riot|ransack|seiz|shell|"
    r"shoot|shot|sign|stab|stabb|stag|storm|strik|struck|surround|surrender|target|took|tak|"
    r"threw|throw|torch|tortur|vandali[sz]|withdr[ae]w|wound)(?:e|es|ed|s|ing|n|en|ied|ies)?"
)
# Past participles that usually describe an actor ("armed men", "suspected militants",
# "Turkish-backed forces") rather than say what it did; any other "-ed" word counts as a verb,
# since news reports events in the past tense.
_NOT_VERBS = frozenset(
    "armed unarmed suspected unidentified alleged affiliated backed supported based allied "
    "masked united hundred".split()
)
_WORD = re.compile(r"[a-z][a-z'-]+")
_FUNCTION_WORDS = frozenset(
    "a an the of in on at to and or by with from for into near after during over who which "
    "that this these those some several number group were was is are be been being has have "
    "had their his her its they them he she it date".split()
)
ROLE_BEFORE, ROLE_AFTER = 6, 4  # content words kept before and after the verb


def _is_action(word: str) -> bool:
    if _ACTION_VERB.fullmatch(word):
        return True
    return len(word) > 4 and word.endswith("ed") and word.rsplit("-", 1)[-1] not in _NOT_VERBS


def role_words(text: str) -> str:
    """The content words around ``text``'s first action verb, marked by their role: ``a_``
    before it (who acts), ``v_`` the verb, ``t_`` after it (whom or what it acts on); empty
    when no action verb follows a word.

    >>> role_words("On 12 October 2020, locals beat and killed a presumed thief in Parakou.")
    'a_locals v_beat t_killed t_presumed t_thief t_parakou'
    """
    words = _WORD.findall(normalise(text))
    for i, word in enumerate(words[1:], start=1):
        if _is_action(word):
            before = [w for w in words[:i] if w not in _FUNCTION_WORDS][-ROLE_BEFORE:]
            after = [w for w in words[i + 1 :] if w not in _FUNCTION_WORDS][:ROLE_AFTER]
            return " ".join([*(f"a_{w}" for w in before), f"v_{word}", *(f"t_{w}" for w in after)])
    return ""


class Featurizer:
    """Word (1-2)-grams and character (2-5)-grams within word boundaries, TF-IDF weighted,
    and, with ``role_weight`` above 0, (1-2)-grams of ``role_words`` scaled by it."""

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
        self.role_weight = config.role_weight
        self.role = None
        if self.role_weight > 0:
            self.role = TfidfVectorizer(
                **{**common, "preprocessor": role_words},
                token_pattern=r"\S+",
                ngram_range=(1, 2),
                max_features=config.max_word_features,
            )

    @property
    def vectorizers(self) -> dict[str, TfidfVectorizer]:
        parts = {"word": self.word, "char": self.char}
        return parts if self.role is None else {**parts, "role": self.role}

    @property
    def n_features(self) -> int:
        return sum(len(vec.vocabulary_) for vec in self.vectorizers.values())

    def fit(self, texts: list[str]) -> Featurizer:
        if len(texts) < 2:
            raise ValueError(f"need at least 2 training texts to build features, got {len(texts)}")
        # min_df cannot exceed the corpus size on tiny corpora (tests, smoke runs).
        for name, vec in self.vectorizers.items():
            vec.min_df = min(vec.min_df, max(1, len(texts) // 2))
            try:
                vec.fit(texts)
            except ValueError:
                if name != "role":
                    raise
                # No training text has an action verb (a tiny corpus): no role features.
                self.role, self.role_weight = None, 0.0
        return self

    def transform(self, texts: list[str]) -> sp.csr_matrix:  # (n_texts, n_features)
        parts = [self.word.transform(texts), self.char.transform(texts)]
        if self.role is not None:
            parts.append(self.role.transform(texts) * np.float32(self.role_weight))
        return sp.hstack(parts, format="csr")

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-ready vocabularies, arrays) that ``from_state`` rebuilds the featurizer from."""
        vocab, arrays = {}, {}
        for name, vec in self.vectorizers.items():
            vocab[name] = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            arrays[f"{name}_idf"] = vec.idf_
        return vocab, arrays

    @classmethod
    def from_state(cls, config: LinearConfig, vocab: dict, arrays: dict[str, np.ndarray]):
        featurizer = cls(config)
        if (featurizer.role is not None) != ("role" in vocab):
            # Training drops role features that no text had; anything else is a mismatch.
            if featurizer.role is None:
                raise ValueError(
                    f"vocab.json has role features but linear.role_weight is {config.role_weight}"
                )
            featurizer.role, featurizer.role_weight = None, 0.0
        for name, vec in featurizer.vectorizers.items():
            terms = vocab[name]
            idf = arrays[f"{name}_idf"]
            if len(terms) != len(idf):
                raise ValueError(f"{name} vocabulary has {len(terms)} terms but {len(idf)} weights")
            vec.vocabulary_ = {t: i for i, t in enumerate(terms)}
            vec.idf_ = idf
        return featurizer
