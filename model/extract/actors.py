"""Actor mentions: found in the text, linked to canonical names, with categories and scores.

One pass over the tokens finds the longest catalogue alias at each position (named actors,
generic words such as "soldiers" or "protesters", places, demonyms, news sources). Then:

- the country the text is about is the one its places and demonyms point to most (or the one
  given), and resolves the generic collectives: "troops" -> ``Military Forces of <country>``;
- aliases that only hold in some countries ("the regime" in Syria) count only there;
- a generic word right after a named actor ("Taliban militants") belongs to that actor;
- quoted sources are not actors: news agencies and monitors never, others when every
  mention is "according to X" or "X said ...";
- protesters, rioters, civilians and unidentified armed groups follow from what the text
  reports (a protest, violence by a crowd, harm to unarmed people, unnamed gunmen);
- capitalised names with an organisation word ("... Brigade", "... Liberation Front") that the
  catalogue does not know become new actors, with a predicted category.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from model.extract.catalogue import (
    CAPITALISED,
    DEMONYM,
    EXACT,
    GENERIC,
    NAMED,
    PLACE,
    SOURCE,
    Catalogue,
    Entry,
)
from model.extract.text import Token, norm_key, skeleton, split_sentences, strip_accents, tokenize

PROTESTERS, RIOTERS, CIVILIANS = "Protesters", "Rioters", "Civilians"
UAG, UMF = "Unidentified Armed Group", "Unidentified Military Forces"
MONTH_WORDS = frozenset({"march", "may"})
LONG_TEXT_SENTENCES = 4  # more sentences than this: an article, not a short report
ARMED = {"rebel_group", "political_militia", "identity_militia", "external_other_forces"}
# Rioting words that only mean a riot when the text also reports a protest or a mob.
WEAK_RIOT = frozenset(
    p.strip()
    for p in """clashed, clashes, clash, vandalised, vandalized, vandalising, vandalizing, vandalism,
    ransacked, torched, set ablaze, set on fire, set fire, pelted stones, pelting stones,
    stone pelting, stone pelters, hurled stones, threw stones, throwing stones, hurling stones,
    pelted, brickbats, hurled brickbats, arson, looted, looting, burned tyres, burnt tyres,
    burning tyres, burned tires, burning tires, petrol bombs, molotov cocktails, set alight""".split(
        ","
    )
)
CLASH = frozenset({"clash", "clashes", "clashed"})
VIOLENCE = frozenset(
    """killed kill kills killing dead died death deaths shot shooting wounded injured injuring
    wounding injuries attacked attack attacks attacking abducted abduction kidnapped kidnapping
    beaten beat assaulted assault raped rape hacked stabbed murdered murder lynched tortured
    executed massacred massacre slain targeted targeting fired shelling shelled bombed bombing
    airstrike airstrikes struck hit robbed looted burned burnt torched harassed threatened
    martyred casualties victims victim bodies body killings beheaded gunned opened explosion
    blast detonated exploded ambushed raided raid landmine mine ied grenade""".split()
)
STRONG_CIVILIAN = frozenset(
    """civilians civilian villagers residents locals passers bystanders worshippers pilgrims
    passengers commuters shoppers man woman men women boy girl boys girls child children kids
    infant baby toddler teenager teenagers farmer farmers herder herders shepherd shepherds trader
    traders shopkeeper shopkeepers vendor vendors businessman businessmen motorcyclist motorist
    fisherman fishermen citizen citizens inhabitants family families resident villager
    non combatants noncombatants""".split()
)
QUOTE_AFTER = frozenset(
    "said says say told reported reports stated announced confirmed added claimed claims quoted "
    "tweeted posted wrote".split()
)
QUOTE_BEFORE = (
    ("according", "to"), ("according", "to", "the"), ("quoted", "by"), ("cited", "by"),
    ("reported", "by"), ("spokesman", "for"), ("spokesperson", "for"), ("spokesman", "of"),
    ("statement", "by"), ("statement", "from"), ("sources", "in"), ("told",), ("quoting",),
    ("citing",), ("said", "the"), ("quoted",), ("cited",),
)  # fmt: skip
SELF_REPORT = frozenset("it its they their he she we responsibility".split())
ORG_HEADS = frozenset(
    """brigade brigades battalion battalions regiment division corps front army movement militia
    militias party league union council alliance organization organisation committee forces force
    liberation resistance jaysh jaish liwa harakat jabhat katibat ansar tanzim faylaq kataib saraya
    association federation congress forum sangh samiti parishad dal morcha sena jamaat coalition
    mujahideen guards tigers""".split()
)
CONNECTORS = frozenset("of the for and al de du des la le wal bin ibn el e i y".split())


@dataclass
class Mention:
    """A candidate actor mention before the context rules are applied."""

    i: int  # token span [i, j)
    j: int
    start: int
    end: int
    text: str
    names: list[str]  # actor names, or template names with "{country}"
    kind: str  # "named", "local", "template-alias", "generic", "source", "learned", "new"
    score: float
    quoted: bool = False
    absorbed: bool = False
    rule: str = ""  # what produced the actor, for calibration ("alias:isis>Islamic State")
    entries: list[Entry] = field(default_factory=list)  # named entries to choose from
    fallback: list[str] = field(default_factory=list)  # generic targets if none holds here


@dataclass
class Scan:
    """The result of one pass over a text."""

    text: str
    tokens: list[Token]
    mentions: list[Mention] = field(default_factory=list)
    country_votes: dict[str, float] = field(default_factory=dict)
    country: str | None = None


class CategoryModel:
    """Multinomial naive Bayes over name tokens: a light category predictor for new names.

    >>> m = CategoryModel().fit([("Free Army", "rebel_group"), ("Youth Party", "political_militia")])
    >>> m.predict("Liberation Army")
    'rebel_group'
    """

    def __init__(self, counts: dict | None = None) -> None:
        self.counts: dict[str, dict[str, int]] = counts or {}

    @staticmethod
    def features(name: str) -> list[str]:
        words = [w.lower() for w in re.findall(r"[^\W\d_]+", strip_accents(name))]
        return words + [f"last={words[-1]}"] if words else []

    def fit(self, pairs: list[tuple[str, str]]) -> CategoryModel:
        for name, category in pairs:
            bucket = self.counts.setdefault(category, {"__n__": 0})
            bucket["__n__"] += 1
            for f in self.features(name):
                bucket[f] = bucket.get(f, 0) + 1
        return self

    def predict(self, name: str) -> str | None:
        if not self.counts:
            return None
        total = sum(b["__n__"] for b in self.counts.values())
        best, best_score = None, -math.inf
        for category in sorted(self.counts):
            bucket = self.counts[category]
            n_feats = sum(v for k, v in bucket.items() if k != "__n__")
            score = math.log(bucket["__n__"] / total)
            for f in self.features(name):
                score += math.log((bucket.get(f, 0) + 0.1) / (n_feats + 0.1 * 5000))
            if score > best_score:
                best, best_score = category, score
        return best


def _case_ok(entry: Entry, tokens: list[Token], i: int, j: int, shouting: bool) -> bool:
    if (
        entry.type == GENERIC
        and j == i + 1
        and tokens[i].key in MONTH_WORDS
        and tokens[i].text[:1].isupper()
    ):
        return False  # "On 16 March 2020" is not a march
    if entry.case == EXACT:
        if shouting and len("".join(entry.surface)) <= 2:
            return False
        surface = "".join(
            re.findall(r"[^\W_]+", strip_accents(" ".join(t.text for t in tokens[i:j])))
        )
        return surface == "".join(entry.surface)
    if entry.case == CAPITALISED:
        return tokens[i].text[:1].isupper()
    return True


class ActorMatcher:
    """Finds actor mentions in texts with a :class:`Catalogue`."""

    def __init__(self, catalogue: Catalogue, category_model: CategoryModel | None = None,
                 new_names: bool = True) -> None:  # fmt: skip
        self.catalogue = catalogue
        self.category_model = category_model or CategoryModel()
        self.new_names = new_names
        self.loose_civilians = True  # any person word in a violent sentence, not only "civilians"
        # "police" in a text about no known country: "Police Forces" with no country, or nothing
        self.unresolved_generics = False
        self.identity_groups = True  # students, women, workers ... alongside protesters/civilians
        self.gates: set[str] = set()  # rules that training data showed to be wrong too often

    # -- scanning ------------------------------------------------------------------------
    def scan(self, text: str, country: str | None = None) -> Scan:
        """Find mentions; ``country`` (or the one inferred) decides which local aliases hold."""
        text = _clean(text)
        tokens = tokenize(text)
        hits = self._candidates(text, tokens)
        out = Scan(text, tokens)
        for _i, _j, entries in self._greedy(hits, len(tokens), lambda e: True):
            self._vote(out, entries)
        out.country = (
            (self.catalogue.gazetteer.resolve_country(country) or country)
            if country
            else self.infer_country(out)
        )
        valid = self._valid_for(out.country)
        for i, j, entries in self._greedy(hits, len(tokens), valid):
            self._record(out, tokens, text, i, j, [e for e in entries if valid(e)])
        return out

    def _candidates(self, text: str, tokens: list[Token]) -> list[list[tuple[int, list[Entry]]]]:
        """Every alias match at every token, longest first, after the case rules."""
        keys = [t.key for t in tokens]
        index, prefixes = self.catalogue.index, self.catalogue.prefixes
        n_upper = len(_UPPER_RE.findall(text))
        shouting = n_upper > 20 and n_upper > 0.6 * len(_LETTER_RE.findall(text))
        n = len(tokens)
        hits: list[list[tuple[int, list[Entry]]]] = [[] for _ in range(n)]
        for i in range(n):
            key = keys[i]
            j = i + 1
            while True:
                if key in index:
                    ok = [e for e in index[key] if _case_ok(e, tokens, i, j, shouting)]
                    if ok:
                        hits[i].append((j, ok))
                if j >= n or key not in prefixes:
                    break
                key = f"{key} {keys[j]}"
                j += 1
            hits[i].reverse()
        self._fuzzy_candidates(tokens, keys, hits)
        return hits

    def _fuzzy_candidates(self, tokens: list[Token], keys: list[str], hits) -> None:
        """Loose matches of multi-word names where no exact alias starts (Waleed/Walid)."""
        fuzzy, prefixes = self.catalogue.fuzzy, self.catalogue.fuzzy_prefixes
        skels: dict[int, str] = {}

        def skel(k: int) -> str:
            if k not in skels:
                skels[k] = skeleton(keys[k]) if keys[k] != "al" else ""
            return skels[k]

        n = len(tokens)
        for i in range(n):
            if hits[i] or not tokens[i].text[:1].isupper() or keys[i] in _FUZZY_STOP or not skel(i):
                continue
            key, j, found = skel(i), i + 1, []
            while True:
                if key in fuzzy and j - i >= 2:
                    found.append((j, fuzzy[key]))
                if j >= n or key not in prefixes:
                    break
                if skel(j):
                    key = f"{key} {skel(j)}"
                j += 1
            if found:
                hits[i] = [found[-1]]

    @staticmethod
    def _greedy(hits, n: int, valid):
        i = 0
        while i < n:
            for j, entries in hits[i]:
                if any(valid(e) for e in entries):
                    yield i, j, entries
                    i = j
                    break
            else:
                i += 1

    def _valid_for(self, country: str | None):
        actors = self.catalogue.actors

        def valid(e: Entry) -> bool:
            if not e.local:
                return True
            actor = actors.get(e.target)
            return actor is not None and country is not None and country in actor.home_countries

        return valid

    def _vote(self, out: Scan, entries: list[Entry]) -> None:
        places = [e for e in entries if e.type in (PLACE, DEMONYM)]
        for e in places:
            owners = sum(1 for p in places if p.type == e.type)
            weight = (2.0 if e.type == PLACE else 1.0) / owners
            out.country_votes[e.target] = out.country_votes.get(e.target, 0.0) + weight
        named = {e.target for e in entries if e.type == NAMED and not e.local}
        if len(named) == 1:
            actor = self.catalogue.actors.get(next(iter(named)))
            if actor and actor.countries:
                # A state's force ("Malian troops") names its country as a demonym would; a
                # group's first country is only where it is best known (Wagner: Russia).
                weight = 1.0 if actor.kind == "state" else 0.5
                out.country_votes[actor.countries[0]] = (
                    out.country_votes.get(actor.countries[0], 0.0) + weight
                )

    def _record(
        self, out: Scan, tokens: list[Token], text: str, i: int, j: int, entries: list[Entry]
    ) -> None:
        start, end = tokens[i].start, tokens[j - 1].end
        span = text[start:end]
        named = [e for e in entries if e.type == NAMED]
        generic = [e for e in entries if e.type == GENERIC]
        sources = [e for e in entries if e.type == SOURCE]
        if named:
            names = list(dict.fromkeys(e.target for e in named))
            kind = "local" if all(e.local for e in named) else "named"
            m = Mention(i, j, start, end, span, names, kind, 0.95)
            m.entries = named
            m.fallback = list(dict.fromkeys(e.target for e in generic))
            out.mentions.append(m)
        elif sources:
            out.mentions.append(Mention(i, j, start, end, span, [sources[0].target], "source", 0.0))
        elif generic:
            names = list(dict.fromkeys(e.target for e in generic))
            out.mentions.append(Mention(i, j, start, end, span, names, "generic", 0.7))

    # -- country ---------------------------------------------------------------------------
    def infer_country(self, scan: Scan) -> str | None:
        """The country with the most votes from places (2), demonyms (1) and named actors (0.5)."""
        if not scan.country_votes:
            return None
        return max(scan.country_votes.items(), key=lambda kv: kv[1])[0]

    # -- resolution --------------------------------------------------------------------
    def _resolve_named(self, m: Mention, country: str | None) -> str | None:
        entries = m.entries
        actors = self.catalogue.actors

        # A short all-capitals acronym names a group only where that group operates: "JOS"
        # in a Nigerian dateline is the city of Jos, not a Syrian faction.
        acronym = m.text.isupper() and len(m.text.replace(".", "")) <= 5

        def valid(e: Entry) -> bool:
            actor = actors[e.target]
            if acronym and country and actor.countries and country not in actor.countries:
                return False
            if not e.local:
                return True
            return country is not None and country in actor.home_countries

        ok = [e for e in entries if valid(e)]
        if not ok:
            return None
        ok.sort(
            key=lambda e: (
                not e.local,
                not (country and country in actors[e.target].countries),
                not e.explicit,
            )
        )
        if ok[0].local:
            m.kind, m.score = "local", 0.85
        elif len({e.target for e in ok}) > 1 and not (
            country and country in actors[ok[0].target].countries
        ):
            m.score = 0.6  # ambiguous without the country
        return ok[0].target

    def _quoted(self, keys: list[str], m: Mention) -> bool:
        """ "according to X", "X said ..." (but not "X said it ...", "X claimed responsibility")."""
        for phrase in QUOTE_BEFORE:
            n = len(phrase)
            before = keys[max(0, m.i - n) : m.i]
            if tuple(before) == phrase or (
                m.i > n and tuple(keys[m.i - n - 1 : m.i - 1]) == phrase and keys[m.i - 1] == "the"
            ):
                return True
        k = m.j
        while k < len(keys) and k < m.j + 5:
            w = keys[k]
            if w in QUOTE_AFTER:
                nxt = keys[k + 1] if k + 1 < len(keys) else ""
                return nxt not in SELF_REPORT
            if w not in ("spokesman", "spokesperson", "spokeswoman", "official", "officials", "sources",
                         "source", "statement", "also", "has", "have", "had", "in", "a", "its", "later",
                         "media", "office", "commander", "chief", "leader", "head"):  # fmt: skip
                return False
            k += 1
        return False

    def _new_names(self, scan: Scan, taken: set[int]) -> list[Mention]:
        tokens = scan.tokens
        found = []
        i, n = 0, len(tokens)
        while i < n:
            if not tokens[i].text[:1].isupper() or i in taken:
                i += 1
                continue
            j = i
            while (
                j < n
                and j not in taken
                and (
                    tokens[j].text[:1].isupper()
                    or (
                        tokens[j].key in CONNECTORS
                        and j + 1 < n
                        and tokens[j + 1].text[:1].isupper()
                    )
                )
            ):
                j += 1
            run = list(range(i, j))
            heads = [k for k in run if tokens[k].key in ORG_HEADS]
            while run and (tokens[run[0]].key in CONNECTORS or tokens[run[0]].key in ROLE_WORDS):
                run.pop(0)
            while run and tokens[run[-1]].key in CONNECTORS:
                run.pop()
            heads = [k for k in run if tokens[k].key in ORG_HEADS]
            if len(run) >= 2 and heads and len(run) <= 9 and not all(k in heads for k in run):
                a, b = run[0], run[-1] + 1
                span = " ".join(t.text for t in tokens[a:b])
                found.append(
                    Mention(a, b, tokens[a].start, tokens[b - 1].end, span, [span], "new", 0.5)
                )
            i = max(j, i + 1)
        return found

    def extract(self, text: str, country: str | None = None) -> tuple[list[dict], str | None]:
        """Actors of one text and the country used to resolve generic collectives."""
        scan = self.scan(text, country)
        country = scan.country
        keys = [t.key for t in scan.tokens]
        found: list[tuple[Mention, str]] = []
        generic: list[Mention] = []
        blockers: set[int] = set()
        for m in scan.mentions:
            if m.kind in ("named", "local"):
                name = self._resolve_named(m, country)
                if name and f"alias:{norm_key(m.text)}>{name}" in self.gates:
                    name = None
                if name:
                    m.rule = f"alias:{norm_key(m.text)}>{name}"
                    found.append((m, name))
                    blockers.update(range(m.i, m.j))
                elif m.fallback:
                    m.names, m.kind, m.score = m.fallback, "generic", 0.7
                    generic.append(m)
            elif m.kind == "generic":
                generic.append(m)
            elif m.kind == "source":
                blockers.update(range(m.i, m.j))
        # "Taliban militants", "warplanes of the coalition": the generic word is the named actor's.
        strong = [m for m, _ in found if m.kind == "named"] + [
            m for m in scan.mentions if m.kind == "source"
        ]
        ends = {m.j for m in strong}
        starts = {m.i for m in strong}
        for g in generic + [m for m, _ in found if m.kind == "local"]:
            after_of = keys[g.j : g.j + 2] in (["of"], ["of", "the"]) or keys[g.j : g.j + 1] == [
                "of"
            ]
            if set(g.names) & {PROTESTERS, RIOTERS}:
                continue  # "BNP activists staged a protest": the protest is not the party's name
            if g.i in ends or (after_of and (g.j + 1 in starts or g.j + 2 in starts)):
                g.absorbed = True
        found = [(m, n) for m, n in found if not m.absorbed]
        for m, _ in found:
            m.quoted = self._quoted(keys, m)
        live = []
        military_strikes = bool(_MILITARY_STRIKE_RE.search(scan.text))
        for g in generic:
            if g.absorbed:
                continue
            key = norm_key(g.text)
            if key == "strike" and (
                military_strikes or (g.i > 0 and keys[g.i - 1] in _STRIKE_WEAPONS)
            ):
                continue  # an air or drone strike, not a labour strike
            g.names = [t for t in g.names if f"generic:{key}>{t}" not in self.gates]
            if g.names:
                live.append(g)
        found += self._collectives(scan, live, found, country, keys)
        if self.new_names and "new" not in self.gates:
            for m in self._new_names(scan, blockers | {k for g in live for k in range(g.i, g.j)}):
                m.quoted = self._quoted(keys, m)
                m.rule = "new"
                found.append((m, m.names[0]))
        return self._output(found, country, text), country

    def _collectives(
        self, scan: Scan, live: list[Mention], found, country, keys
    ) -> list[tuple[Mention, str]]:
        by_target: dict[str, list[Mention]] = {}
        for g in live:
            for t in g.names:
                by_target.setdefault(t, []).append(g)
        out: list[tuple[Mention, str]] = []
        sentences = _sentence_ids(scan.text, scan.tokens)
        # An article mentions protests, gunmen and victims in background and quotes too: there,
        # a collective needs more than one passing word.
        long = (sentences[-1] + 1 if sentences else 0) > LONG_TEXT_SENTENCES
        need = 2 if long else 1
        protest = len(by_target.get(PROTESTERS, [])) >= need
        parties = [m for m, n in found if self._kind(n) == "party"]
        party = bool(parties)
        # "Clashes with fighters of the Y Front" is a battle: where the text names an armed
        # group (not a party, whose supporters riot), "clashes" counts as rioting only in a
        # sentence that also has a crowd in it.
        armed_group = UAG in by_target or any(
            self.catalogue.category_of(n) in ARMED and self._kind(n) != "party" for _, n in found
        )
        crowd_sentences = {sentences[g.i] for g in by_target.get(PROTESTERS, []) + parties}
        riots = [
            g
            for g in by_target.get(RIOTERS, [])
            if not armed_group
            or sentences[g.i] in crowd_sentences
            or " ".join(keys[g.i : g.j]) not in CLASH
        ]
        strong = [g for g in riots if " ".join(keys[g.i : g.j]) not in WEAK_RIOT]
        if long and len(strong) < need:
            strong = []
        riot = bool(strong) or (bool(riots) and (protest or party))
        if riot:
            out.append((strong[0] if strong else riots[0], RIOTERS))
        elif protest:
            ms = by_target[PROTESTERS]
            nominal = [g for g in ms if keys[g.i].startswith(("protest", "demonstrat"))]
            out.append(((nominal or ms)[0], PROTESTERS))
        protest_sentences = {sentences[g.i] for g in by_target.get(PROTESTERS, [])}
        # A protest "against the killing of ..." names a grievance, not victims of the protest.
        violent = {sentences[k] for k, key in enumerate(keys) if key in VIOLENCE} - (
            protest_sentences if not riot else set()
        )
        civ = [
            g for g in by_target.get(CIVILIANS, [])
            if sentences[g.i] in violent
            and ((self.loose_civilians and not long) or set(keys[g.i : g.j]) & STRONG_CIVILIAN)
        ]  # fmt: skip
        if long and len(civ) < need:
            civ = []
        if civ:
            out.append((civ[0], CIVILIANS))
        armed = any(self.catalogue.category_of(n) in ARMED and not m.quoted for m, n in found)
        uag = [
            g
            for g in by_target.get(UAG, [])
            if not armed or not (long or set(keys[g.i : g.j]) & WEAK_UAG)
        ]
        if uag:
            out.append((uag[0], UAG))
        if by_target.get(UMF):
            out.append((by_target[UMF][0], UMF))
        context = riot or protest or bool(civ)
        for target, ms in by_target.items():
            if "{country}" in target and (country or self.unresolved_generics):
                m = ms[0]
                m.score = 0.8 if country else 0.3
                out.append((m, self.catalogue.template_name(target, country)))
            elif self.identity_groups and context and self._kind(target) == "identity":
                ms[0].score = 0.6
                out.append((ms[0], target))
        return out

    def _kind(self, name: str) -> str | None:
        """The catalogue kind of actor ``name`` ("party", "identity", ...), None if unknown."""
        actor = self.catalogue.actors.get(name)
        return None if actor is None else actor.kind

    def _category(
        self, name: str, kind: str, country: str | None, context: str | None
    ) -> str | None:
        actor = self.catalogue.actors.get(name)
        if actor is None:
            if name.startswith(("Military Forces", "Police Forces")):
                return "state_forces"
            return self.category_model.predict(name)
        if (
            actor.kind == "state"
            and actor.countries
            and country
            and country not in actor.countries[:1]
        ):
            if name.startswith(("Military Forces of", "Police Forces of")):
                return "external_other_forces"
        if actor.kind in ("party", "identity") and context:
            return context
        return actor.category

    def _output(
        self, found: list[tuple[Mention, str]], country: str | None, text: str
    ) -> list[dict]:
        """One row per actor (its first unquoted mention); ``rule`` says what produced it."""
        names = {n for _, n in found}
        context = "rioters" if RIOTERS in names else "protesters" if PROTESTERS in names else (
            "civilians" if CIVILIANS in names else None)  # fmt: skip
        best: dict[str, tuple[Mention, bool]] = {}
        for m, name in sorted(found, key=lambda x: x[0].start):
            held = best.get(name)
            if held is None or (held[1] and not m.quoted):
                best[name] = (m, m.quoted)
        actors = []
        for name, (m, quoted) in best.items():
            if quoted:
                continue
            actors.append({
                "name": name,
                "category": self._category(name, m.kind, country, context),
                "mention": text[m.start : m.end],
                "start": m.start,
                "end": m.end,
                "score": round(m.score, 3),
                "rule": m.rule or f"generic:{norm_key(m.text)}>{_template_of(name, m)}",
            })  # fmt: skip
        actors.sort(key=lambda a: a["start"])
        return actors


# Words for armed men that name no group: they give way to a named armed group in the text.
WEAK_UAG = frozenset(
    """militants militant insurgents insurgent terrorists terrorist rebels extremists jihadists
    militia militias militiamen group groups gang gangs gangsters""".split()
)
ROLE_WORDS = frozenset(
    """members member supporters fighters troops activists workers cadres leaders militants students
    youths soldiers officials units elements forces commander commanders chief head leader the a an
    on in at by from with against between and""".split()
)


_MILITARY_STRIKE_RE = re.compile(
    r"(?i)\b(air|drone|missile|rocket|artillery|aerial|military|retaliatory)[ -]?strikes?\b|\bairstrikes?\b"
)
_STRIKE_WEAPONS = frozenset(
    "air drone missile rocket artillery aerial military retaliatory precision".split()
)
_UPPER_RE = re.compile(r"[A-Z]")
_LETTER_RE = re.compile(r"[A-Za-z]")
_FUZZY_STOP = frozenset("the a an this these those that his her their its".split())


def _template_of(name: str, m: Mention) -> str:
    """The generic target that produced ``name`` (a template resolves to a country's name)."""
    if name in m.names:
        return name
    return next((t for t in m.names if "{country}" in t), name)


_MOJIBAKE = str.maketrans({"\xa0": " ", "Â": " ", "\u200b": " "})


def _clean(text: str) -> str:
    """Same-length clean-up of common mojibake, so character offsets stay valid."""
    if "Â" in text or "\xa0" in text or "â\x80" in text:
        text = text.translate(_MOJIBAKE)
        for bad, good in (
            ("â\x80\x99", "'  "),
            ("â\x80\x9c", '"  '),
            ("â\x80\x9d", '"  '),
            ("â\x80\x93", "-  "),
        ):
            text = text.replace(bad, good)
    return text


def _sentence_ids(text: str, tokens: list[Token]) -> list[int]:
    """Sentence number of each token."""
    starts = [start for start, _ in split_sentences(text)] or [0]
    return [max(bisect_right(starts, t.start) - 1, 0) for t in tokens]
