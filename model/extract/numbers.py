"""Numbers in news text: digits, number words, ranges and the codebook's vague amounts.

A small parser of our own: the few libraries for number words either need a model or do not
handle "two hundred and fifty", hyphenated "twenty-five", ranges and vague amounts together.

>>> [n.value for n in find_numbers(tokens_of("at least twenty-five people and 7-9 others"))]
[25, 7]
>>> [n.value for n in find_numbers(tokens_of("dozens were hurt; a few died"))]
[12, 10]
"""

from __future__ import annotations

import re
from typing import NamedTuple

CTOKEN_RE = re.compile(
    r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)*|[;:,()\[\]\"“”/–—%$…-]|\.(?!\d)"
)


class CToken(NamedTuple):
    """A token for casualty counting: surface, lower-cased form and character span."""

    text: str
    low: str
    start: int
    end: int


def tokens_of(text: str, offset: int = 0) -> list[CToken]:
    """Tokens of ``text`` (words, numbers and punctuation) with spans shifted by ``offset``."""
    return [
        CToken(m.group(), m.group().lower(), m.start() + offset, m.end() + offset)
        for m in CTOKEN_RE.finditer(text)
    ]


UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# The codebook's vague amounts (ACLED's convention); "tens" and "scores" read as dozens.
VAGUE_ONE_WORD = {
    "several": 10, "many": 10, "numerous": 10, "few": 10, "dozens": 12, "tens": 12,
    "scores": 12, "hundreds": 100, "thousands": 1000, "dozen": 12, "couple": 2,
}  # fmt: skip
VAGUE_PHRASES = {
    ("a", "few"): 10, ("a", "dozen"): 12, ("a", "couple", "of"): 2, ("a", "number", "of"): 10,
    ("a", "handful", "of"): 10, ("a", "large", "number", "of"): 10, ("a", "score", "of"): 20,
    ("a", "hundred"): 100, ("a", "thousand"): 1000, ("half", "a", "dozen"): 6,
}  # fmt: skip
MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
PERSON_NOUNS = frozenset(
    """man woman boy girl child baby infant person civilian soldier policeman policewoman
    officer militant fighter member guard trader farmer student teacher journalist worker
    driver resident villager youth teenager elder commander leader official mother father
    wife husband son daughter brother sister cousin nephew uncle aunt grandson herder
    shepherd shopkeeper vendor businessman passenger pilgrim worshipper protester
    demonstrator rioter insurgent rebel jihadist gunman attacker assailant bomber suspect
    cleric imam priest monk pastor doctor nurse contractor engineer employee labourer
    laborer fisherman miner chief councillor councilor politician activist individual
    recruit conscript jawan trooper constable inspector sergeant lieutenant captain major
    colonel general personnel people persons men women children boys girls civilians soldiers
    policemen officers militants fighters members guards traders farmers students teachers
    journalists workers drivers residents villagers youths teenagers elders commanders leaders
    officials herders passengers pilgrims worshippers protesters demonstrators rioters detainees prisoners
    insurgents rebels jihadists gunmen attackers assailants suspects doctors nurses employees
    labourers laborers fishermen miners chiefs activists individuals recruits troops jawans
    troopers constables others victims victim bodies body citizens citizen locals relatives brothers sisters sons daughters siblings kids infants babies
    merchant actress actor lawyer judge magistrate tribesman headman pastoralist cultivator
    watchman porter photographer reporter blogger preacher scholar principal
    lecturer mayor governor minister legislator candidate supporter witness informer hostage
    prisoner detainee inmate smuggler thief robber bandit poacher
    elements cadres cadre militiamen militiaman combatants combatant mercenaries mercenary
    volunteers volunteer dead killed injured wounded casualties""".split()
)
# Nouns that show a number counts things, not people (weapons, places, time, money).
NON_PERSON = frozenset(
    """year years yr yrs old day days hour hours minute minutes week weeks month months decade
    decades km kms kilometres kilometers kilometre kilometer mile miles metre metres meter meters
    percent per cent rocket rockets shell shells missile missiles mortar mortars bomb bombs
    grenade grenades drone drones vehicle vehicles car cars truck trucks tank tanks bus buses
    house houses home homes building buildings shop shops village villages town towns district
    districts province provinces location locations position positions point points checkpoint
    checkpoints airstrike airstrikes strike strikes raid raids attack attacks incident incidents
    time times round rounds bullet bullets shot shots kg kilograms tonnes tons dollars usd
    rupees taka naira shillings euros pounds acres hectares cattle cows goats camels sheep
    livestock animals heads oxen donkeys horses dogs chickens poultry pigs fish buffaloes
    weapon weapons rifle rifles gun guns ak pistols ammunition barrel
    barrels family families ied ieds explosion explosions blast blasts device devices mine mines landmines
    clash clashes battle battles operation operations area areas site sites camp camps base
    bases post posts school schools hospital hospitals mosque mosques church churches bridge
    road roads hectare storey floors floor meter sorties sortie warplanes jets helicopters
    aircraft planes boats boat vessels ships motorcycles motorbikes projectiles munitions
    cluster containers ballots votes seats cases case counts charges complaints arrests
    petitions demands points st nd rd th am pm a.m p.m""".split()
)


class Number(NamedTuple):
    """A number found in tokens ``[i, j)`` with its value and how it was written."""

    i: int
    j: int
    value: int
    kind: str  # "digits", "words", "vague", "article", "range"


def _word_number(low: list[str], i: int) -> tuple[int, int] | None:
    """Parse number words starting at token ``i``: ``(value, end)`` or None."""
    total, current, j, seen = 0, 0, i, False
    while j < len(low):
        w = low[j]
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w in SCALES and seen:
            current = max(current, 1) * SCALES[w]
            if SCALES[w] >= 1000:
                total, current = total + current, 0
        elif (
            # "twenty-five", "two hundred and fifty"; not "six and ten" (two numbers)
            ((w == "-" and low[j - 1] in TENS) or (w == "and" and low[j - 1] in SCALES))
            and seen
            and j + 1 < len(low)
            and (low[j + 1] in UNITS or low[j + 1] in TENS)
        ):
            j += 1
            continue
        else:
            break
        seen = True
        j += 1
    return (total + current, j) if seen else None


def _digit_value(tok: str) -> int | None:
    if "." in tok:
        return None
    return int(tok.replace(",", ""))


_STARTS = frozenset(UNITS) | frozenset(TENS) | frozenset(VAGUE_ONE_WORD) | {"a", "half"}


def _number_at(low: list[str], i: int) -> tuple[int, int, str] | None:
    found = _plain_number_at(low, i)
    if (
        found
        and found[2] in ("digits", "words")
        and found[1] < len(low)
        and low[found[1]] == "dozen"
    ):
        return found[0] * 12, found[1] + 1, "words"  # "two dozen": 24
    return found


def _plain_number_at(low: list[str], i: int) -> tuple[int, int, str] | None:
    w = low[i]
    if not w[0].isdigit() and w not in _STARTS:
        return None
    if w[0].isdigit():
        value = _digit_value(w)
        return (value, i + 1, "digits") if value is not None else None
    for phrase, value in VAGUE_PHRASES.items():
        if tuple(low[i : i + len(phrase)]) == phrase:
            end = i + len(phrase)
            if phrase in (("a", "hundred"), ("a", "thousand")):
                parsed = _word_number(["one", *low[i + 1 :]], 0)
                if parsed:
                    return parsed[0], i + parsed[1], "words"
            return value, end, "vague"
    parsed = _word_number(low, i)
    if parsed:
        return parsed[0], parsed[1], "words"
    if w in VAGUE_ONE_WORD:
        end = i + 1
        if end < len(low) and low[end] == "of":
            end += 1
        return VAGUE_ONE_WORD[w], end, "vague"
    return None


def _is_excluded(toks: list[CToken], low: list[str], i: int, j: int, kind: str) -> bool:
    """Ages, dates, times, ordinals, money, unit counts: not people."""
    prev = low[i - 1] if i > 0 else ""
    prev2 = low[i - 2] if i > 1 else ""
    nxt = low[j] if j < len(low) else ""
    if prev in ("aged", "age", "ages", "no", "number", "resolution", "article", "route", "highway",
                "$", "usd", "rs", "tk", "ksh", "sh", "n", "#", "unit", "kilo", "km", "page", "para"):  # fmt: skip
        return True
    if prev in MONTHS or nxt in MONTHS or (prev == "of" and prev2 in MONTHS):
        return True
    if (
        (nxt == ":" and j + 1 < len(low) and low[j + 1][:1].isdigit())
        or nxt in ("/", "%", "st", "nd", "rd", "th", "am", "pm")
        or (nxt == "." and j + 1 < len(low) and low[j + 1] in ("m",))
    ):
        return True
    if kind == "digits":
        value = _digit_value(toks[i].text) or 0
        if 1900 <= value <= 2100 and nxt not in PERSON_NOUNS:
            return True
    # Look ahead a few tokens for the counted noun; "cattle traders", "bus passengers": a
    # thing before a person noun only qualifies it.
    for k in range(j, min(j + 5, len(low))):
        w = low[k]
        if w in PERSON_NOUNS:
            return False
        if (w in NON_PERSON and not _qualifies_person(low, k)) or (
            w == "-" and k + 1 < len(low) and low[k + 1] in ("year", "years")
        ):
            return True
        if w in (",", ";", ".", "(", ")", ":", "and", "or", "while", "but", "in", "at", "on"):
            return False
    return False


def find_numbers(toks: list[CToken]) -> list[Number]:
    """Numbers that may count people, with ranges read as their lower bound.

    A range ``7-9``, ``7 to 9``, ``7 or 9``, ``between 7 and 9`` gives 7; ``from 5 to 8`` (an
    update) gives 8. Ages, dates, times, money and counts of things are left out.
    """
    low = [t.low for t in toks]
    found: list[Number] = []
    i, last_age = 0, -1
    while i < len(low):
        hit = _number_at(low, i)
        if hit is None:
            if (
                low[i] in ("a", "an", "one")
                and _article_person(low, i)
                and (i == 0 or low[i - 1] not in _OF_LIKE)
            ):
                found.append(Number(i, i + 1, 1, "article"))
            elif (
                # "both drivers were killed": two; not "both soldiers and civilians"
                low[i] == "both"
                and i + 1 < len(low)
                and low[i + 1] in PERSON_NOUNS
                and low[i + 2 : i + 3] != ["and"]
            ):
                found.append(Number(i, i + 1, 2, "article"))
            i += 1
            continue
        value, j, kind = hit
        # ranges: "7-9", "7 to 9", "7 or 8", "between 7 and 9", "from 5 to 8"
        if j < len(low) and low[j] in ("-", "–", "to", "or", "and") and j + 1 < len(low):
            # "between six and about ten": a hedge before the upper bound
            k2 = j + 2 if low[j + 1] in _RANGE_HEDGES and j + 2 < len(low) else j + 1
            hit2 = _number_at(low, k2)
            if hit2 and hit2[2] != "vague":
                value2, j2, _ = hit2
                if low[j] in ("-", "–", "to", "or") or (i > 0 and low[i - 1] == "between"):
                    if i > 0 and low[i - 1] == "from" and low[j] == "to":
                        value, kind = value2, "range"
                        j = j2
                    elif value2 > value and (low[j] != "to" or i == 0 or low[i - 1] not in ("to",)):
                        kind, j = "range", j2
        after_age = i > 1 and low[i - 1] in ("and", ",") and last_age == i - 1
        if not after_age and _apposed_age(toks, low, i, j):
            last_age = j  # "a boy, 12, and his sister, 9,"; "brothers, 6 and 7, were"
        elif not after_age and not _is_excluded(toks, low, i, j, kind):
            found.append(Number(i, j, value, kind))
        elif i > 0 and (low[i - 1] in ("aged", "age", "ages") or after_age):
            last_age = j  # "aged six and nine": both are ages
        i = j
    return found


def _apposed_age(toks: list[CToken], low: list[str], i: int, j: int) -> bool:
    """The number at ``i:j`` (with the numbers listed after it) gives ages: set off by commas
    or brackets after a person ("a boy, 12,", "Ali Khan (35)", "two brothers, 6 and 7,"), or
    followed by "years old" ("six and seven years old")."""
    k = j
    while k + 1 < len(low) and low[k] in (",", "and", "or"):
        hit = _number_at(low, k + 1)
        if hit is None:
            break
        k = hit[1]
    nxt = low[k] if k < len(low) else ""
    if nxt in ("year", "years") and k + 1 < len(low) and low[k + 1] == "old":
        return True
    if i < 2 or (low[i - 1], nxt) not in ((",", ","), (",", "."), (",", ";"), ("(", ")")):
        return False
    return low[i - 2] in PERSON_NOUNS or toks[i - 2].text[:1].isupper()


_RANGE_HEDGES = frozenset("about around nearly almost some roughly approximately over".split())
_OF_LIKE = frozenset("of from in for with by to about against".split())
_ARTICLE_STOP = frozenset(
    "of in on at by from with was were is are has have had who which that and or , ; . ( ) :".split()
)


def _article_person(low: list[str], i: int) -> bool:
    """``a``/``an``/``one`` followed within four tokens by a singular person noun."""
    for k in range(i + 1, min(i + 8, len(low))):
        w = low[k]
        if w in _ARTICLE_STOP:
            return False
        if (
            w in PERSON_NOUNS
            and not w.endswith("s")
            and w not in ("people", "personnel", "dead", "killed", "injured", "wounded", "police")
        ):
            return True
        if w in NON_PERSON and w not in ("year", "old", "-") and not _qualifies_person(low, k):
            return False
    return False


def _qualifies_person(low: list[str], k: int) -> bool:
    """The thing word at ``k`` names a kind of person: "cattle traders", "bus passengers"."""
    nxt = low[k + 1] if k + 1 < len(low) else ""
    return (
        nxt in PERSON_NOUNS
        and nxt not in ("dead", "killed", "injured", "wounded", "casualties")
        and low[k] not in ("year", "years")
    )
