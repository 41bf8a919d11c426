"""Casualty counts by the codebook's rules, each with the sentence it comes from.

Rules (``../shared/CODEBOOK.md``, section 3):

- digits and number words; "at least 17" counts 17; a range counts its lowest figure;
- vague amounts: "a few"/"several"/"many" = 10, "a dozen"/"dozens" = 12, "hundreds" = 100;
- killed apart from injured; "killed and injured 40" reports casualties but neither count;
- numbers that count arrests, displaced or abducted people, ages, dates, times, money or things
  (rockets, vehicles, houses) are not casualties;
- counts of separate events in one article are summed; restatements ("Five died ... the blast
  killed five people") and subsets ("including two children") are not added again;
- where sources disagree ("police said 5, residents put the toll at 9") the lowest figure wins;
  a later "death toll rose to N" replaces the running total;
- background is not counted when the sentence reports its own event ("kills 4, two weeks after
  an ambush killed 30" counts 4; so do "after killing 60 ...", "in retaliation for the killing
  of 12"), nor is a wider running toll ("raising to 212 the number killed since the truce"); a
  toll over a period on its own ("has risen to 212 since the truce") is never counted;
- unknown tolls ("casualties unknown", "makes no mention of fatalities"), the deaths a
  protest, an inquiry or a trial is about ("protested over the killing of a driver",
  "convicted of murdering") and killed animals are not reports of casualties; "no one was
  hurt", "injuring no one" say zero.

>>> r = extract_casualties("Gunmen killed three soldiers and wounded 7 others on Monday.")
>>> r["killed"], r["injured"], sorted(e["task"] for e in r["casualty_evidence"])
(3, 7, ['injured', 'killed'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from model.extract.numbers import (
    PERSON_NOUNS,
    CToken,
    Number,
    _article_person,
    find_numbers,
    tokens_of,
)
from model.extract.text import split_sentences

KILL, INJ, BOTH, NEG = "killed", "injured", "both", "neg"


def _table(spec: str) -> dict[tuple[str, ...], str]:
    out = {}
    for line in spec.strip().splitlines():
        task, phrases = line.split(":", 1)
        for p in phrases.split(","):
            if p.strip():
                out[tuple(p.split())] = task.strip()
    return out


# Trigger phrases after a number ("5 people were killed", "3 dead").
RIGHT = _table("""
killed: killed, dead, died, dies, die, slain, murdered, executed, martyred, martyrs, martyr, perished, deaths, death, fatalities, fatality, beheaded, lynched, massacred, assassinated, lost their lives, lost his life, lost her life, lost lives, shot dead, gunned down, hacked to death, burnt to death, burned to death, stabbed to death, beaten to death, shot and killed, bodies were found, bodies found, bodies were recovered, bodies recovered, bodies were discovered, found dead, were found dead, was found dead, found killed, were confirmed dead, confirmed dead, feared dead, succumbed, killed outright, shot to death, died of wounds, died of his wounds, died of their wounds, succumbed to injuries, succumbed to his injuries, succumbed to their injuries, died in hospital, join the convoy of martyrs, joined the convoy of martyrs, lifeless
injured: injured, wounded, hurt, injuries, injury, wounds, sustained injuries, suffered injuries, sustained bullet wounds, sustained wounds, hospitalised, hospitalized, sustained splinters injuries, critically injured, seriously injured, severely injured, slightly injured, suffered burns, sustained burns, suffered burn injuries, sustained burn injuries
both: casualties, casualty, killed and injured, killed and wounded, killed or injured, killed or wounded, dead and injured, dead and wounded, dead or injured, deaths and injuries, killed and hurt, dead and hurt, death and injury, killed and others injured
neg: arrested, detained, held, abducted, kidnapped, captured, missing, displaced, rescued, freed, released, evacuated, fled, surrendered, deported, expelled, taken prisoner, taken prisoners, taken hostage, trapped, besieged, infected, sick, recovered, treated, sentenced, convicted, charged, booked, questioned, fined, jailed, imprisoned, protested, gathered, marched, rallied, participated, attended, demonstrated, joined, took part, staged, blocked, defected, recruited, trained, deployed, stranded, homeless, affected, evicted
""")
# Trigger phrases before a number ("killing 4", "the death toll rose to 25").
LEFT = _table("""
killed: kill, kills, killed, killing, gun down, guns down, executes, execute, executing, executed, beheads, murders, slaughters, lynches, beheading, beheaded, massacred, massacring, murdered, murdering, slaughtered, slaughtering, lynched, lynching, shot dead, gunned down, shot and killed, shooting and killing, stabbed and killed, shot to death, stabbed to death, hacked to death, beat to death, beaten to death, claimed the lives of, claiming the lives of, claim the lives of, claims the lives of, claimed the life of, claiming the life of, deaths of, death of, killing of, killings of, execution of, executions of, massacre of, martyrdom of, leaving dead, left dead, death toll, toll, bodies of
injured: injuring, wounding, injure, injures, wound, injured, wounded, hurting, injuries to, injuring at least
both: killing and injuring, killing and wounding, killed and injured, killed and wounded, killed or injured, killed or wounded, killing or injuring, killing or wounding, kill or injure, kill and injure, kills and injures, kill and wound, casualties, injuring and killing
neg: arrest, arrests, detain, detains, abduct, abducts, kidnap, kidnaps, capture, captures, arresting, arrested, detaining, detained, abducting, abducted, kidnapping, kidnapped, capturing, captured, displacing, displaced, rescuing, rescued, freeing, freed, releasing, released, holding, evacuating, evacuated, deporting, arrest of, arrests of, abduction of, release of
""")
_MAX_PHRASE = max(len(k) for k in (*RIGHT, *LEFT))
FILLERS = frozenset(
    """at least more than over about around nearly almost some up to approximately roughly as many
    estimated another further additional only all close upwards in excess of the other of his
    her their its reportedly also least between " “ ” '""".split()
)
TOLL_FILLERS = FILLERS | frozenset(
    "rose rises risen rising has have had is was to at reached reaches climbed climbs stands stood "
    "now increased jumped hit surged mounted grown grew raised raising raise raises brings brought "
    "bringing".split()
)
AUX = frozenset("was were been be being is are got get gets getting".split())
ADVERBS = frozenset(
    "reportedly allegedly also all both critically seriously severely fatally badly mortally "
    "later subsequently reported said believed feared confirmed".split()
)
BOUNDARY = frozenset(
    "; : ( ) . after when while as but since because before whereas although though where "
    "however".split()
)
SUBSET = (
    ("including",), ("among", "them"), ("among", "whom"), ("of", "whom"), ("of", "them"),
    ("among", "the", "dead"), ("among", "the", "victims"), ("among", "those"), ("mostly",),
    ("most", "of", "them"), ("majority", "of", "them"), ("incl",), ("among", "the", "killed"),
    ("among", "the", "injured"), ("among", "the", "wounded"),
)  # fmt: skip
CONTRAST = frozenset("while whereas but however although".split())
SOURCE_WORDS = frozenset(
    "said says according put reported claimed sources source estimate estimated officials "
    "residents witnesses activists".split()
)
SEPARATE = frozenset(
    "another separate separately elsewhere also meanwhile earlier later other second third "
    "addition".split()
)
DISAGREE_RE = re.compile(
    r"\b(other sources?|another source|others said|other reports|some reports|conflicting|"
    r"differ(?:ed|ing)?|put the (?:death )?toll|put the number|put the figure|revised|higher toll|"
    r"lower toll|gave a (?:higher|lower|different) (?:toll|figure)|while "
    r"(?:residents|witnesses|locals|activists|officials|sources|the (?:army|police|military)))\b"
)
TOLL_RE = re.compile(
    r"\b(death toll|toll|number of (?:[a-z]+ ){0,4}?(?:killed|dead|deaths|fatalities|martyrs|"
    r"victims|casualties|executed|killed and (?:injured|wounded))|number (?:of [^.;]{0,80}? )?who "
    r"(?:were|was|have been|had been|lost their lives|died))\b"
)
CODED_RE = re.compile(r"\bfatalit(?:y|ies)\s+(?:were\s+|was\s+|are\s+|is\s+)?coded\s+as\s+(\d+)")
NO_DEATHS_RE = re.compile(
    r"\b(no (?:one|body|people|persons?) (?:was|were|has been|have been) (?:killed|hurt|injured|"
    r"wounded|harmed)|none (?:was|were) (?:killed|hurt|injured)"
    # "no fatalities", "no fatality and/or casualty reported", "no damages or casualties"
    r"|no (?:reported |human |civilian )?(?:(?:damages? or |damages? and )?(?:casualties|"
    r"fatalities|deaths|loss of life|injuries|one died)|(?:fatality|casualty|death|injury)"
    r"(?! figure| toll| number| count))(?: and / or (?:casualty|casualties|injury|injuries))?"
    r"|(?:kill(?:ed|ing)|injur(?:ed|ing)|hurt(?:ing)?|wound(?:ed|ing)|harm(?:ed|ing)) "
    r"(?:no one|nobody|no-one)|without (?:any )?"
    r"(?:casualties|fatalities|injuries)|neither (?:injuries|casualties|fatalities) nor "
    r"(?:injuries|casualties|fatalities)|no (?:immediate )?reports? of (?:casualties|injuries|"
    r"fatalities|deaths)|did not (?:result in|cause|lead to) (?:any )?(?:casualties|fatalities|"
    r"deaths|injuries)|unharmed|escaped unhurt|unhurt)\b"
)
LONG_TEXT_SENTENCES = 4
TOLL_UPDATES = frozenset(
    "rose rises risen rising raised raise raises raising climbed climbs increased jumped reached "
    "reaches mounted grew grown surged now bringing brings brought updated".split()
)
SEPARATE_RE = re.compile(
    r"\b(separately|in a separate|in another|another (?:attack|incident|blast|explosion|clash|raid|"
    r"strike|ambush)|elsewhere|meanwhile|in a second|a second (?:attack|blast|explosion)|also "
    r"(?:killed|died|wounded|injured))\b"
)
# An earlier event given as background: "two days ago the same neighbourhood was shelled,
# leaving 14 dead", "last week 5 people were killed in a similar attack".
EARLIER_RE = re.compile(
    r"\b(?:(?:a|one|two|three|four|five|six|several|few|\d+) (?:days?|weeks?|months?|years?) "
    r"ago|(?:(?<!the )last|earlier this|the previous) (?:week|month|year)|"
    r"the day before)\b"
)
CUMULATIVE_RE = re.compile(
    r"\b(since (?:the )?(?:start|beginning|outbreak)|since (?:19|20)\d\d|since (?:january|february|"
    r"march|april|may|june|july|august|september|october|november|december)|so far this year|"
    r"this year|in total|a total of|over the (?:past|last)|in the (?:past|last) \w+ (?:weeks|"
    r"months|years)|during the (?:war|conflict|campaign|uprising)|since the (?:war|conflict|"
    r"campaign|uprising)|in \d+ (?:weeks|months|years)|(?:weeks|months|years) of (?:the )?(?:war|"
    r"fighting|conflict|operation|campaign|escalation|clashes)|years of war|to date|overall|"
    r"cumulative|in (?:(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december) )?(?:19|20)\d\d)\b"
    r"|\b(?:war|conflict|insurgency|violence|uprising|crisis|fighting)\b[^.;]{0,80}\b(?:has|have) "
    r"(?:so far |now )?(?:killed|left|claimed)"
)
SENTENCED = frozenset("sentenced sentence sentences sentencing condemned condemning".split())
HYPOTHETICAL = frozenset("to threatened threatening vowed vowing plot plotting".split())
# "managed to kill 9": done, not threatened.
ACHIEVED = frozenset("manage manages managed managing able".split())
TIME_UNITS = frozenset("hour hours day days week weeks month months year years".split())
# What an "after" clause that gives background opens with: "after killing 60", "after the
# execution of 1,000". "after gunmen killed 3" is left alone: it may be the same day's news.
BACKGROUND_KILLING = frozenset(
    "killing killings death deaths execution executions executing beheading beheadings massacre "
    "massacres slaughtering assassinating assassination assassinations".split()
)
CLAUSE_END = frozenset(", ; : … . ( )".split())
# A running toll over a period ("... to 212, the number of people killed since the truce")
# is context when the sentence also reports the event that added to it.
_SPAN = (
    r"(?:about |more than |less than |nearly |almost )?(?:\d+|a|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|the (?:\d+ (?:st|nd|rd|th)|first|second|third)) (?:consecutive )?"
    r"(?:hours?|days?|weeks?|months?|years?)"
)
PERIOD_RE = re.compile(
    r"\b(since (?!risen|rose|climbed|increased|then\b)|so far|to date|this (?:week|month|year)|"
    r"(?:in|during|over) the (?:past|last)|during (?:the )?(?:agreement|truce|ceasefire|"
    r"operation|campaign|offensive)|during its|(?:in|within|during) " + _SPAN + r")\b"
)
# Casualties named but not reported (their trigger words count for nothing): unknown tolls;
# deaths that a protest, a trial or an inquiry is about rather than an event of the text;
# animals. "Claimed responsibility for the killing of 12 soldiers" is a report.
_ANIMALS = (
    r"(?:livestock|cattle|cows?|oxen|ox|goats?|sheep|camels?|fish|animals?|donkeys?|horses?|"
    r"dogs?|chickens?|poultry|pigs?|buffalo(?:es)?)"
)
# "a goat thief", "a cattle trader": people named after animals.
_OWNERS = (
    r"(?:thie(?:f|ves)|traders?|herders?|herds(?:man|men)|owners?|rustlers?|breeders?|farmers?|"
    r"keepers?|sellers?|dealers?|merchants?|markets?|raids?|raiders?|raiding|rustling)"
)
# Words that end the phrase before an animal: "5 killed in a cattle raid", "two dead and cattle
# stolen" are people.
_LINKS = r"(?:in|during|at|on|by|near|after|when|while|and|as|from|for|with|to)\b"
UNREPORTED_RE = re.compile(
    # "casualties unknown", "no casualty figures", "makes no mention of fatalities"
    r"\b(?:casualties|fatalities|deaths|injuries|toll) (?:were |was |are |is |remain |remains )?"
    r"(?:unknown|not known|unclear|unconfirmed|unreported|not (?:yet )?(?:reported|given|known|"
    r"available|confirmed|clear))\b|\btoll[ -](?:station|road|roads|rate|rates|gate|plaza|booth|"
    r"fee|fees|free|highway)"
    r"|\b(?:unclear|unknown|not known|no word|no information|no details|no report|no reports) "
    r"(?:if |whether |on |of |about )?(?:there were )?(?:any )?(?:casualties|fatalities|deaths|"
    r"injuries)\b|\bno toll (?:was )?given\b"
    r"|\b(?:no|without|not|nor) (?:any )?mention(?:s|ed)? (?:of |whether (?:there were )?)?"
    r"(?:any )?(?:casualties|fatalities|deaths|injuries)(?: or (?:casualties|fatalities|deaths|"
    r"injuries))?"
    r"|\bno (?:casualty|death|fatality) (?:figures?|tolls?|numbers?|counts?)\b"
    r"|\breports? (?:varied|vary|differed|differ) on (?:the )?(?:casualty|death|fatality) "
    r"(?:figures?|tolls?|numbers?)"
    # "protested against their killing", "relatives of those killed", "convicted of murdering"
    r"|\b(?:over|against|into|condemning|denouncing|mourning|protest|protested|protesting|"
    r"decrying|following|investigation of|justice for|response to|protest of) (?:the |their |"
    r"his |her )?(?:alleged |mysterious |recent |brutal |suspicious |custodial )?(?:[a-z]+ and )?"
    r"(?:killing|killings|death|deaths|murder|murders|lynching|assassination)\b"
    r"|\b(?:relatives|families|family members|parents|kin|mourners) of (?:the |those |some )?"
    r"(?:slain|killed|dead|deceased|victims?|murdered|martyrs?|martyred)\b"
    r"|\b(?:convicted|accused|suspected|charged|sentenced|acquitted|indicted|wanted) "
    r"(?:[a-z]+ ){0,6}?(?:of|for|with|over) (?:the )?(?:murder|murders|murdering|killing|"
    r"killings)\b"
    # "killed 15 livestock", "shot and killed the fish", "livestock deaths"
    r"|\b(?:shot and |shooting and )?(?:killed|killing|kills|kill|slaughtered|slaughtering|died|"
    r"dead|deaths of|death of) (?:at least |some |about |over |more than )?"
    rf"(?:(?!{_LINKS})[a-z0-9,]+ )?(?:head of )?{_ANIMALS}\b(?! {_OWNERS})|\b{_ANIMALS} deaths\b"
)
OBJECT_PRONOUNS = {"him": 1, "her": 1, "both": 2}
# "shot him dead", "beat her to death": a verb, a pronoun, then the death.
PRONOUN_DEATH = frozenset("shot shoot beat beaten stabbed hacked burnt burned".split())


@dataclass
class _Count:
    value: int
    task: str
    number: Number | None
    toll: bool = False
    context: bool = False  # background or a wider toll: gives way to the event's own count
    cumulative: bool = False  # a toll over a period: never counted


@dataclass
class _Sentence:
    start: int
    end: int
    counts: list[_Count] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)
    zero: set[str] = field(default_factory=set)
    coded: int | None = None
    text: str = ""
    context_dropped: bool = False


_FIRST_WORDS = {
    id(t): {k[0]: max(len(x) for x in t if x[0] == k[0]) for k in t} for t in (RIGHT, LEFT)
}


def _mark_triggers(low: list[str], table: dict) -> dict[int, tuple[int, str]]:
    """Longest trigger phrase at each start token: ``{start: (end, task)}``."""
    found = {}
    first = _FIRST_WORDS[id(table)]
    for i, w in enumerate(low):
        longest = first.get(w)
        if longest is None:
            continue
        for n in range(min(longest, len(low) - i), 0, -1):
            task = table.get(tuple(low[i : i + n]))
            if task:
                found[i] = (i + n, task)
                break
    return found


def _before_adverbs(low: list[str], k: int) -> int:
    """Index of the word before token ``k`` and the adverbs that precede it (-1: none)."""
    j = k - 1
    while j >= 0 and low[j] in ADVERBS:
        j -= 1
    return j


def _passive(low: list[str], k: int) -> bool:
    j = _before_adverbs(low, k)
    return j >= 0 and low[j] in AUX


def _singular_passive(low: list[str], k: int) -> bool:
    """ "was killed", "has been shot dead", "is reported killed": one victim, unless the
    subject is a negation ("no one was killed") or a thing ("the convoy was hit")."""
    j = _before_adverbs(low, k)
    if j >= 1 and low[j] == "been" and low[j - 1] in ("has", "had"):
        j -= 1
    elif j < 0 or low[j] not in ("was", "is"):
        return False
    subject = []
    for w in reversed(low[max(0, j - 6) : j]):
        if w in BOUNDARY or w == ",":
            break
        subject.append(w)
    return not any(w in ("no", "none", "nobody", "one", "each", "every", "who") for w in subject)


def _takes_object(low: list[str], end: int, numbers_at: set[int]) -> bool:
    """An active verb followed by its object: the number before it is the subject."""
    j = end
    while j < len(low) and low[j] in FILLERS:
        j += 1
    return j < len(low) and (j in numbers_at or low[j] in OBJECT_PRONOUNS or low[j] == "them")


def _left_candidate(low: list[str], n: Number, left_by_end: dict) -> tuple[int, str] | None:
    """The trigger just before a number, across fillers ("killing at least 5")."""
    tollish = any(w == "toll" or w == "number" for w in low[max(0, n.i - 8) : n.i])
    allowed = TOLL_FILLERS if tollish else FILLERS
    j, gap = n.i, 0
    while j > 0 and gap <= 6:
        hit = left_by_end.get(j)
        if hit:
            start, task = hit
            if task in (KILL, INJ) and low[start].endswith("ed") and _passive(low, start):
                return None
            if gap <= 3 or tollish:
                return gap, task
            return None
        if j >= 2 and low[j - 2 : j] == ["family", "of"]:  # "killing a family of five"
            j -= 3 if j >= 3 and low[j - 3] in ("a", "an", "the", "one") else 2
            gap += 1
            continue
        if low[j - 1] not in allowed:
            return None
        j -= 1
        gap += 1
    return None


def _toll_candidate(low: list[str], n: Number) -> tuple[int, str] | None:
    """ "raise the number of persons who were killed today to 15": a running toll."""
    window = low[max(0, n.i - 14) : n.i]
    for x, w in enumerate(window):
        if w == "toll" or (w == "number" and x + 1 < len(window) and window[x + 1] == "of"):
            tail = window[x : x + 8]
            killed = any(
                t in ("killed", "dead", "deaths", "martyrs", "fatalities", "victims", "executed")
                for t in tail
            )
            if any(t in ("injured", "wounded") for t in tail) or (
                "casualties" in tail and not killed
            ):
                return 9, BOTH
            if w == "toll" or killed:
                return 9, KILL
    return None


def _right_candidate(low, n: Number, right, numbers_at: set[int]) -> tuple[int, str] | None:
    k = n.j
    limit = min(len(low), n.j + 18)
    while k < limit:
        hit = right.get(k)
        if (
            hit
            and hit[1] == INJ
            and k - 1 in numbers_at
            and k - 1 != n.i
            and "including" in low[n.j : k - 1]
        ):
            return None  # "700 people including 47 wounded": the 47 were, not the 700
        if hit:
            end, task = hit
            if task in (KILL, INJ) and low[k] in ("killed", "kill", "kills", "injured", "wounded"):
                if _takes_object(low, end, numbers_at) and not _passive(low, k):
                    return None
            if task == BOTH and low[k] in ("casualties", "casualty"):
                # SOHR style: "16 casualties of the regime forces ... were killed"
                for k2 in range(end, limit):
                    if low[k2] in BOUNDARY:
                        break
                    if right.get(k2, (0, ""))[1] == KILL:
                        return k - n.j, KILL
            return k - n.j, task
        if low[k] in BOUNDARY or (
            low[k] == "," and k + 1 < len(low) and low[k + 1] in ("and", "but")
        ):
            return None
        if k in numbers_at and k != n.i:
            # "5 soldiers and 3 civilians were killed", "98 persons including 18 soldiers
            # were killed" share the trigger; "0 46 A shelling of the centre left six people
            # dead" (a page's share count) does not.
            between = low[n.j : k]
            listed = bool({"and", ",", "including", "among", "whom"} & set(between))
            if not listed or any(w.endswith("ed") or w in BOUNDARY for w in between):
                return None
        k += 1
    return None


def _hypothetical(low: list[str], k: int) -> bool:
    """ "threatened to kill", "vowed to kill": no event; "managed to kill", "hacked 11
    villagers to death": one; "sentenced to death": none."""
    if k == 0 or low[k - 1] not in HYPOTHETICAL:
        return False
    if low[k - 1] == "to" and low[k] == "death":
        return any(w in SENTENCED for w in low[max(0, k - 6) : k - 1])
    return not (low[k - 1] == "to" and k > 1 and low[k - 2] in ACHIEVED)


def _token_spans(low: list[str], matches: list[re.Match]) -> list[tuple[int, int]]:
    """Token spans ``(i, j)`` of regex ``matches`` found in ``" ".join(low)``."""
    starts, at = [], 0
    for w in low:
        starts.append(at)
        at += len(w) + 1
    spans = []
    for m in matches:
        i = next(k for k, a in enumerate(starts) if a + len(low[k]) > m.start())
        j = next((k for k, a in enumerate(starts) if a >= m.end()), len(low))
        spans.append((i, j))
    return spans


def _background_clauses(low: list[str]) -> list[tuple[int, int]]:
    """Token spans of clauses that give an event's background rather than report it: "months
    after 230 were killed", "after (about 15 months of) killing 55", "in retaliation for the
    execution of 1,000". Each runs to the next comma, colon or ellipsis."""
    spans = []
    for k, w in enumerate(low):
        if w == "after":
            j = k + 1
            while j < len(low) and (
                low[j] in FILLERS or low[j] in TIME_UNITS or low[j] == "a" or low[j].isdigit()
            ):
                j += 1
            opens = (k > 0 and low[k - 1] in TIME_UNITS) or (
                j < len(low) and low[j] in BACKGROUND_KILLING
            )
        else:
            opens = w in ("response", "retaliation", "revenge") and k + 1 < len(low)
            opens = opens and low[k + 1] in ("to", "for", "of")
        if opens:
            end = next((x for x in range(k + 1, len(low)) if low[x] in CLAUSE_END), len(low))
            spans.append((k, end))
    return spans


_QUOTES = frozenset('" “ ”'.split())


def _in_quoted_charge(low: list[str], n: Number) -> bool:
    """A number inside a quoted phrase that itself has a trigger (a charge, a slogan)."""
    opened = [k for k in range(n.i) if low[k] in _QUOTES]
    if len(opened) % 2 == 0:
        return False
    start = opened[-1]
    close = next((k for k in range(n.j, len(low)) if low[k] in _QUOTES), None)
    if close is None:
        return False
    inside = low[start + 1 : close]
    return len(inside) > len(range(n.i, n.j)) and any((w,) in RIGHT or (w,) in LEFT for w in inside)


def _count_sentence(text: str, start: int, end: int) -> _Sentence:
    sent = _Sentence(start, end, text=text[start:end])
    toks: list[CToken] = tokens_of(text[start:end], start)
    low = [t.low for t in toks]
    lowtext = " ".join(low)
    m = CODED_RE.search(lowtext)
    if m:
        sent.coded = int(m.group(1))
    # "no one was hurt", "no fatalities reported": what each statement says nobody suffered.
    zero_statements = list(NO_DEATHS_RE.finditer(lowtext))
    for m in zero_statements:
        said = m.group(0)
        if re.search(r"casualt|neither|harm|unhurt", said):
            sent.zero |= {KILL, INJ}
        if re.search(r"kill|fatalit|death|died|loss of life", said):
            sent.zero.add(KILL)
        if re.search(r"injur|hurt|wound", said):
            sent.zero.add(INJ)
    right, left = _mark_triggers(low, RIGHT), _mark_triggers(low, LEFT)
    if not re.search(r"\b(found|recovered|discovered|retrieved|exhumed)\b", lowtext):
        left = {k: v for k, v in left.items() if low[k] != "bodies"}
    # "casualties unknown", "protested over the killing of ...": no death reported here; nor
    # is the "hurt" of "no one was hurt".
    unreported = _token_spans(low, [*UNREPORTED_RE.finditer(lowtext), *zero_statements])
    for table in (right, left):  # "threatened to kill": not a report
        for k, (_e, task) in list(table.items()):
            if task != NEG and (_hypothetical(low, k) or any(a <= k < b for a, b in unreported)):
                table.pop(k)
    for _, (_e, task) in right.items():
        if task != NEG and (task != KILL or not sent.zero):
            sent.reported.add(task)
    for _, (_e, task) in left.items():
        if task in (KILL, INJ, BOTH):
            sent.reported.add(task)
    left_by_end = {e: (k, task) for k, (e, task) in sorted(left.items(), reverse=True)}
    numbers = [n for n in find_numbers(toks) if not _in_quoted_charge(low, n)]
    background = _background_clauses(low)
    numbers_at = {n.i for n in numbers}
    assigned: list[tuple[Number, str | None]] = []
    for n in numbers:
        lc = _left_candidate(low, n, left_by_end)
        rc = _right_candidate(low, n, right, numbers_at)
        task = None
        if not lc and not rc and n.i > 0 and low[n.i - 1] in ("to", "at"):
            lc = _toll_candidate(low, n)
        if lc and rc:
            # "2 Civilians Killed 9 Injured": a trigger right after another count is that
            # count's, so a number between two triggers takes the one that follows it.
            follows_count = (
                lc[0] == 0
                and rc[1] in (KILL, INJ, BOTH)
                and rc[0] <= 1
                and (
                    any(x in numbers_at for x in range(n.i - 4, n.i - 1))
                    # "Child Killed 20 People Injured"
                    or (n.i > 1 and low[n.i - 2] in PERSON_NOUNS)
                )
            )
            task = rc[1] if follows_count or (rc[0] == 0 and lc[0] > 0) or rc[0] < lc[0] else lc[1]
        elif lc or rc:
            task = (lc or rc)[1]
        assigned.append((n, task))
    # Lists: "killed 13 soldiers and 6 fighters" -> 6 inherits from 13.
    for idx in range(1, len(assigned)):
        n, task = assigned[idx]
        prev, ptask = assigned[idx - 1]
        if task is None and ptask in (KILL, INJ):
            between = low[prev.j : n.i]
            if ("and" in between or "," in between) and not any(
                w in BOUNDARY or w.endswith("ed") or w in ("including",) for w in between
            ):
                assigned[idx] = (n, ptask)
    # "killed him", "killing both", "killed the village chief": one person (both: two).
    for k, (e, task) in left.items():
        if task in (KILL, INJ) and e < len(low) and not _passive(low, k) and e not in numbers_at:
            if low[e] in OBJECT_PRONOUNS:
                assigned.append((Number(e, e + 1, OBJECT_PRONOUNS[low[e]], "pronoun"), task))
            elif low[e] == "the" and _article_person(low, e):
                assigned.append((Number(e, e + 1, 1, "pronoun"), task))
    # "Nadeem Ahmed was shot dead", "the driver was gunned down", "shot him dead": a single
    # victim named by a singular passive or a pronoun, when no number says how many.
    if not any(task in (KILL, INJ) for _, task in assigned):
        for k, (_e, task) in right.items():
            if task not in (KILL, INJ) or task in sent.zero or (task == KILL and sent.zero):
                continue
            pronoun = k >= 2 and low[k - 1] in ("him", "her") and low[k - 2] in PRONOUN_DEATH
            if pronoun or _singular_passive(low, k):
                assigned.append((Number(k, k + 1, 1, "singular"), task))
                break
    assigned.sort(key=lambda a: a[0].i)
    has_toll = bool(TOLL_RE.search(lowtext))
    period = bool(PERIOD_RE.search(lowtext))
    counted: list[_Count] = []
    for n, task in assigned:
        if task not in (KILL, INJ):
            continue
        between_subset = False
        for c in counted:
            if c.task == task:
                span = low[c.number.j : n.i] if c.number else []
                if any(tuple(span[x : x + len(s)]) == s for s in SUBSET for x in range(len(span))):
                    between_subset = True
        if between_subset:
            continue
        # A running toll: an update word before the number ("rose to 7", "raising to 64, the
        # number of ..."); "kills 3 ..., bringing the number to 62": 3 is the event's own.
        before = low[max(0, n.i - 20) : n.i]
        is_toll = (
            has_toll
            and any(w in ("toll", "number") for w in (*before, *low[n.j : n.j + 8]))
            and any(w in TOLL_UPDATES for w in before)
            and not DISAGREE_RE.search(lowtext)
        )
        # "the number of people killed in the truce zone" counts more than this event; "the
        # death toll" may be this event's own, unless it runs over a period.
        tally = is_toll and "toll" not in low[max(0, n.i - 8) : n.j + 8]
        cumulative = is_toll and period
        context = any(a <= n.i < b for a, b in background) or cumulative or tally
        toll = is_toll and task == KILL
        counted.append(_Count(n.value, task, n, toll, context=context, cumulative=cumulative))
    # Context figures give way to the event the sentence reports: "kills 2 and raises to
    # 212 the number killed since the truce" counts 2; "after killing 60 ..., shelling kills
    # 16" counts 16. A sentence with only context figures keeps them.
    for task in (KILL, INJ):
        mine = [c for c in counted if c.task == task]
        if any(c.context for c in mine) and not all(c.context for c in mine):
            counted = [c for c in counted if c.task != task or not c.context]
            sent.context_dropped = True
    # "kills 3, bringing the number of casualties to 62 in 5 months": the period is the toll's.
    period_toll = has_toll and period and any(w in TOLL_UPDATES for w in low)
    if period_toll and any(not c.context for c in counted):
        sent.context_dropped = True
    # Disagreement inside a sentence: "police said 5 ..., while residents put it at 9".
    final: list[_Count] = []
    for c in counted:
        same = [f for f in final if f.task == c.task]
        if any(_restates(f, c, low) for f in same):
            continue
        if same:
            last = same[-1]
            span = set(low[last.number.j : c.number.i]) if last.number and c.number else set()
            if span & CONTRAST and span & SOURCE_WORDS and not span & SEPARATE:
                last.value = min(last.value, c.value)
                continue
        final.append(c)
    sent.counts = final
    return sent


def _restates(first: _Count, later: _Count, low: list[str]) -> bool:
    """ "Gas attack kills at least 58 Observatory Reuters A gas attack ... killed at least 58
    people": a headline run into its lead without a full stop gives the figure twice in one
    sentence. The same figure a dozen words on restates it, unless a word between marks
    another event; a list ("5 soldiers and 5 civilians") keeps its figures close."""
    if first.number is None or later.number is None or first.value != later.value:
        return False
    span = low[first.number.j : later.number.i]
    return first.value > 1 and len(span) > 12 and not set(span) & SEPARATE


def _combine(sentences: list[_Sentence], task: str) -> tuple[int | None, list[_Sentence]]:
    """One total per task over the sentences of a text.

    Short reports (a few sentences) state one fact per sentence, so a new figure adds up. In
    longer articles later figures mostly restate, detail or put the event in context, so they
    add up only when the sentence marks a separate event ("in a separate attack").
    Cumulative figures ("since the start of the war", "in 22 days") never count.
    """
    long = len(sentences) > LONG_TEXT_SENTENCES
    total: int | None = None
    seen: list[int] = []
    used: list[_Sentence] = []
    for s in sentences:
        if task == KILL and s.coded is not None:
            return s.coded, [s]
        counts = [c for c in s.counts if c.task == task]
        if not counts:
            continue
        value = sum(c.value for c in counts)
        low = s.text.lower()
        separate = bool(SEPARATE_RE.search(low))
        if CUMULATIVE_RE.search(low) and not separate and not s.context_dropped:
            continue  # the period belongs to the event, unless to a toll given as context
        if total is not None and EARLIER_RE.search(low) and not separate:
            continue  # an earlier event, after this text's own figures
        if all(c.cumulative for c in counts) and not separate:
            continue  # a running total over a period ("since the truce"), not this text's events
        if any(c.toll for c in counts):
            total = max(total or 0, max(c.value for c in counts if c.toll))
            used.append(s)
        elif total is None:
            total = value
            used.append(s)
        elif value in seen or value == total or any(c.value in seen for c in counts):
            pass  # a restatement of a figure already counted
        elif DISAGREE_RE.search(low) and not separate:
            total = min(total, value)
            used.append(s)
        elif long and not separate:
            pass  # a detail or a restatement in an article
        else:
            total += value
            used.append(s)
        seen += [value] + [c.value for c in counts]
    return total, used


def extract_casualties(text: str) -> dict:
    """Killed and injured counts of a text, with the sentences they come from.

    Returns ``{"killed", "injured", "casualties", "killed_reported", "casualty_evidence"}``:
    counts are ``None`` when the text gives no figure (``0`` when it says nobody was killed);
    ``casualties`` is true when any death or injury is reported, with or without a figure;
    ``killed_reported`` when a death is. Evidence rows are
    ``{"task": "killed"|"injured", "start", "end", "text"}``.

    >>> extract_casualties("At least 17 people died and dozens were injured.")["injured"]
    12
    """
    sentences = [_count_sentence(text, s, e) for s, e in split_sentences(text)]
    out: dict = {}
    evidence = []
    for task in (KILL, INJ):
        total, used = _combine(sentences, task)
        if total is None and any(task in s.zero for s in sentences):
            if not any(task in s.reported for s in sentences):
                total = 0
                used = [s for s in sentences if task in s.zero][:1]
        if total is None:
            used = [s for s in sentences if task in s.reported][:1]
        out[task] = total
        evidence += [{"task": task, "start": s.start, "end": s.end, "text": s.text} for s in used]
    reported = set().union(*(s.reported for s in sentences)) if sentences else set()
    killed_reported = bool(out[KILL]) or (out[KILL] is None and KILL in reported)
    out["casualties"] = bool(
        killed_reported
        or out[INJ]
        or (out[INJ] is None and (INJ in reported))
        or (BOTH in reported and out[KILL] != 0)
    )
    out["killed_reported"] = killed_reported
    evidence.sort(key=lambda e: (e["start"], e["task"]))
    out["casualty_evidence"] = evidence
    return out
