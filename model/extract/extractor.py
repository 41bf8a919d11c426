"""The :class:`Extractor`: actors and casualties of a text, in the result schema's fields.

It plugs into every model family: the families predict event types; the extractor fills
``actors``, ``actor_categories``, ``killed``, ``injured`` and the casualty evidence.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from model.errors import ModelLoadError
from model.extract.actors import ActorMatcher, CategoryModel
from model.extract.casualties import extract_casualties
from model.extract.catalogue import (
    DEMONYM,
    GENERIC,
    NAMED,
    PLACE,
    SOURCE,
    Actor,
    Catalogue,
    Gazetteer,
    catalogue_from_rows,
    load_catalogue,
)
from model.extract.names import NameModel
from model.extract.text import norm_key
from model.labels import ACTOR_CATEGORIES

FORMAT = "extract/1"
# The names of a state's organs, whose learned aliases hold in that state alone.
STATE_NAME = re.compile(r"^(?:Government|Military Forces|Police Forces) of (?:the )?(.+)$")
CALIBRATION_SAMPLE = 6000
GATE_MIN_SUPPORT, GATE_PRECISION = 15, 0.35
COMPLETE_MIN_SUPPORT, COMPLETE_MIN_RATE = 30, 0.5
CORE_COLLECTIVES = {
    "Protesters",
    "Rioters",
    "Civilians",
    "Unidentified Armed Group",
    "Unidentified Military Forces",
}
POLICE = "Police Forces of "  # the catalogue's template, expanded per country
_ARMED_OR_STATE = {
    "state_forces",
    "rebel_group",
    "political_militia",
    "identity_militia",
    "external_other_forces",
}
_ABBREV_RE = re.compile(r"^([A-Za-z][A-Za-z0-9()./'&\- ]{0,22}?):\s+\S")
# Upper-case words that are too common to learn as acronyms.
_COMMON_CAPS = frozenset(
    "AS IN US IT OR ON NO AM PM TO AT BY OF IF IS BE DO GO SO UP WE HE ME MY AN A I".split()
)


def _blocked(cat: Catalogue, name: str) -> bool:
    """A name that is also a news source, a country or a place is not learned as a new actor."""
    return any(e.type in (SOURCE, PLACE, DEMONYM) for e in cat.index.get(norm_key(name), ()))


class Extractor:
    """Actor and casualty extraction with a catalogue, optionally fitted on labelled records.

    Options:

    - ``catalogue``: a :class:`Catalogue` (default: ``data/actors.jsonl``; add user files with
      ``load_catalogue([path, ...])``);
    - ``new_names``: propose capitalised organisation names the catalogue lacks;
    - ``calibrate``: in :meth:`fit`, switch off aliases and rules that the training records show
      to be wrong most of the time, and learn implied counterparts;
    - ``implied``: add a learned implied counterpart (no mention, low score) when a text names
      only one armed side in a country where the records almost always name the other;
    - ``calibrate_with_country``: judge rules during calibration with each record's country;
    - ``identity_groups``: also return sub-collectives (Students, Labour Group, Women ...) next
      to protesters, rioters or civilians; off by default because coders use them unevenly;
    - ``learn_names``: in :meth:`fit`, learn a :class:`NameModel` of the frequent names the
      records give their events, mentioned or not; :meth:`tune` on dev records decides
      whether and how it adds and drops names.

    >>> ex = Extractor()
    >>> out = ex.extract("Daesh fighters killed 4 soldiers near Deir ez-Zor.")
    >>> [a["name"] for a in out["actors"]], out["killed"]
    (['Islamic State', 'Military Forces of Syria'], 4)
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        new_names: bool = True,
        calibrate: bool = True,
        implied: bool = True,
        calibrate_with_country: bool = True,
        identity_groups: bool = False,
        learn_names: bool = True,
    ) -> None:
        self.catalogue = catalogue or load_catalogue()
        self.base_rows = self.catalogue.to_rows()
        self.learned: list[dict] = []
        self.gates: list[str] = []
        self.completions: dict[str, list] = {}
        self.new_names = new_names
        self.calibrate = calibrate
        self.implied = implied
        self.calibrate_with_country = calibrate_with_country
        self.identity_groups = identity_groups
        self.learn_names = learn_names
        self.names: NameModel | None = None
        self.name_tuning: dict | None = None
        self.category_model = CategoryModel().fit(self._category_pairs())
        self.matcher = self._matcher()

    def _matcher(self) -> ActorMatcher:
        matcher = ActorMatcher(self.catalogue, self.category_model, new_names=self.new_names)
        matcher.identity_groups = self.identity_groups
        matcher.gates = set(self.gates)
        return matcher

    # -- learning ------------------------------------------------------------------------
    def _category_pairs(self) -> list[tuple[str, str]]:
        return [
            (a.name, a.category)
            for a in self.catalogue.actors.values()
            if a.category and a.kind in ("group", "party", "state") and a.explicit
        ]

    def fit(self, records: Iterable[dict]) -> Extractor:
        """Learn new actor names and aliases from labelled records.

        Each record is a dict in the corpus schema: ``actors`` is a list of
        ``{"name", "category", "mention", "start", "end"}`` (only ``name`` is required;
        ACLED-style names such as ``"HTS: Hayat Tahrir al Sham"`` are canonicalised, and their
        abbreviation is learned). Names the catalogue lacks become actors with the majority
        category; mentions that the catalogue cannot link become aliases. Deterministic: the
        result depends only on the records' content and order.
        """
        cat = self.catalogue
        categories: dict[str, Counter] = defaultdict(Counter)
        countries: dict[str, Counter] = defaultdict(Counter)
        alias_votes: dict[str, Counter] = defaultdict(Counter)
        surfaces: dict[str, str] = {}
        kept: list[tuple[str, str | None, list[str]]] = []
        for rec in records:
            country = cat.gazetteer.resolve_country(rec.get("country"))
            raw_names = [
                a.get("name") for a in rec.get("actors") or () if isinstance(a.get("name"), str)
            ]
            if isinstance(rec.get("text"), str) and rec.get("actors") is not None:
                kept.append((rec["text"], rec.get("country"), raw_names))
            for a in rec.get("actors") or ():
                raw = a.get("name")
                if not isinstance(raw, str) or not raw.strip():
                    continue
                name = cat.canonical_actor_name(raw)
                if a.get("category") in ACTOR_CATEGORIES:
                    categories[name][a["category"]] += 1
                if country:
                    countries[name][country] += 1
                forms = []
                m = _ABBREV_RE.match(raw.strip())
                if m and m.group(1).strip() not in _COMMON_CAPS:
                    forms.append(m.group(1).strip())
                if name not in cat.actors:
                    forms.append(name)
                mention = a.get("mention")
                if isinstance(mention, str) and mention.strip():
                    forms.append(mention.strip())
                for form in forms:
                    key = norm_key(form)
                    if key:
                        alias_votes[key][name] += 1
                        surfaces.setdefault(key, form)
        self._learn(categories, countries, alias_votes, surfaces)
        if self.calibrate and kept:
            self._calibrate(kept)
        if self.learn_names and kept:
            canon = self.catalogue.canonical_actor_name
            self.names = NameModel.fit(
                [text for text, _, _ in kept], [{canon(n) for n in raw} for _, _, raw in kept]
            )
            self.name_tuning = None
        return self

    def tune(self, records: Iterable[dict]) -> dict | None:
        """Tune, on dev records labelled for actors, when the learned name model adds a name
        and drops a matched one (:meth:`NameModel.tune`); returns the dev scores, or None
        when there is no name model or no such record."""
        from model.schema import is_labelled

        rows = [r for r in records if isinstance(r.get("text"), str) and is_labelled(r, "actors")]
        if self.names is None or not rows:
            return None
        canon = self.catalogue.canonical_actor_name
        gold = [{canon(a["name"]) for a in r["actors"] or ()} for r in rows]
        found = [{a["name"] for a in self._matched(r["text"], None)[0]} for r in rows]
        self.name_tuning = self.names.tune([r["text"] for r in rows], gold, found)
        return self.name_tuning

    def _matched(self, text: str, country: str | None) -> tuple[list[dict], str | None]:
        """Catalogue matches and implied counterparts (no learned names), and the country."""
        actors, used_country = self.matcher.extract(text, country)
        return self._complete(actors, used_country), used_country

    def extract_many(self, texts: list[str]) -> list[dict]:
        """:meth:`extract` for each text, with the name model run once over all of them."""
        if self.names is None or not self.names.active or not texts:
            return [self.extract(t) for t in texts]
        probs = self.names.probs(list(texts))
        return [self.extract(t, name_probs=p) for t, p in zip(texts, probs, strict=True)]

    def _with_learned_names(
        self,
        text: str,
        actors: list[dict],
        probs: np.ndarray | None = None,
        country: str | None = None,
    ) -> list[dict]:
        """The name model's changes: names it vetoes go, names it adds come with no mention.
        It reads words, not places, so it does not add the police of a country other than
        the text's ("police" in a note from Benin is not ``Police Forces of Kenya``)."""
        if self.names is None or not self.names.active:
            return actors
        if probs is None:
            probs = self.names.probs([text])[0]
        drop, add = self.names.decide({a["name"] for a in actors}, probs)
        out = [a for a in actors if a["name"] not in drop]
        for name, p in sorted(add.items(), key=lambda kv: (-kv[1], kv[0])):
            if self._foreign_police(name, country):
                continue
            category = self.catalogue.category_of(name) or self.category_model.predict(name)
            out.append({"name": name, "category": category, "mention": None, "start": None,
                        "end": None, "score": round(p, 3), "rule": "learned names"})  # fmt: skip
        return out

    def _foreign_police(self, name: str, country: str | None) -> bool:
        """Whether ``name`` is the police of countries (its ``home_countries``: where "police"
        means it) that do not include ``country``, the text's; when that is unknown, nothing is
        foreign. Police only: armies serve abroad, and dropping them too cost UCDP's Syria
        headlines 0.3 points of actor-name F1 (the quality bench, seed 0)."""
        actor = self.catalogue.actors.get(name)
        if not country or actor is None or actor.kind != "state" or not name.startswith(POLICE):
            return False
        return bool(actor.home_countries) and country not in actor.home_countries

    def _calibrate(self, kept: list[tuple[str, str | None, list[str]]]) -> None:
        """Switch off rules that training data shows wrong, and learn implied counterparts.

        On an evenly spaced sample of at most ``CALIBRATION_SAMPLE`` records, every extracted
        actor is judged against the record's names. A rule ("the alias 'AL' means Awami
        League", "'strike' means Protesters", "a new capitalised name") with at least
        ``GATE_MIN_SUPPORT`` firings and precision below ``GATE_PRECISION`` is switched off.
        Then, with the gates on, for texts whose only armed or state actor is X in country C,
        an actor Y missing from the extraction but in the records at least
        ``COMPLETE_MIN_RATE`` of the time becomes an implied counterpart (no mention, low score).
        """
        step = max(1, -(-len(kept) // CALIBRATION_SAMPLE))
        sample = kept[::step]
        canon = self.catalogue.canonical_actor_name
        stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        judged = []
        for text, country, raw in sample:
            gold = {canon(n) for n in raw}
            actors, used = self.matcher.extract(
                text, country if self.calibrate_with_country else None
            )
            judged.append((gold, actors, used))
            for a in actors:
                stats[a["rule"]][0 if a["name"] in gold else 1] += 1
        gates = set()
        core = set(self.catalogue.templates) | CORE_COLLECTIVES
        for rule, (tp, fp) in stats.items():
            if rule.startswith("generic:") and rule.split(">", 1)[1] in core:
                continue  # the codebook's collectives are not switched off by one corpus's habits
            if tp + fp >= GATE_MIN_SUPPORT and tp / (tp + fp) < GATE_PRECISION:
                gates.add(rule)
        self.gates = sorted(gates)
        self.matcher.gates = set(self.gates)
        # Implied counterparts, judged on the same pass with the gated rules left out.
        seen: Counter = Counter()
        missing: Counter = Counter()
        for gold, actors, used in judged:
            actors = [a for a in actors if a["rule"] not in gates]
            armed = [a["name"] for a in actors if a["category"] in _ARMED_OR_STATE]
            if len(set(armed)) != 1 or not used:
                continue
            seen[(used, armed[0])] += 1
            names = {a["name"] for a in actors}
            for y in gold - names:
                missing[(used, armed[0], y)] += 1
        completions = {}
        for (c, x, y), k in sorted(missing.items()):
            n = seen[(c, x)]
            if n >= COMPLETE_MIN_SUPPORT and k / n >= COMPLETE_MIN_RATE:
                completions[f"{c}|{x}"] = [y, round(k / n, 3)]
        self.completions = completions

    def _complete(self, actors: list[dict], country: str | None) -> list[dict]:
        if not self.implied or not self.completions or not country:
            return actors
        armed = {a["name"] for a in actors if a["category"] in _ARMED_OR_STATE}
        if len(armed) != 1:
            return actors
        hit = self.completions.get(f"{country}|{next(iter(armed))}")
        if not hit or any(a["name"] == hit[0] for a in actors):
            return actors
        name, rate = hit
        category = self.catalogue.category_of(name) or self.category_model.predict(name)
        implied = {"name": name, "category": category, "mention": None, "start": None, "end": None,
                   "score": round(0.5 * rate, 3), "rule": "implied"}  # fmt: skip
        return [*actors, implied]

    def _learn(self, categories, countries, alias_votes, surfaces) -> None:
        cat = self.catalogue
        new_aliases: dict[str, list[str]] = defaultdict(list)
        for key in sorted(alias_votes):
            name, votes = sorted(alias_votes[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            entries = cat.index.get(key, ())
            if any(e.type == GENERIC for e in entries) and name in cat.actors:
                continue  # "soldiers", "protesters": resolved by context, not an alias
            if any(
                (e.type == NAMED and not e.local) or e.type in (SOURCE, PLACE, DEMONYM)
                for e in entries
            ):
                continue  # already linked, or a news source, a country, a place or a demonym
            target = cat.actors.get(name)
            if target is not None and target.kind in ("collective", "identity"):
                continue  # "crowd" -> Rioters is context, not a name
            if len(key) < 2 or key.isdigit():
                continue
            new_aliases[name].append(surfaces[key])
        learned = []
        blocked = {n for n in categories if n not in cat.actors and _blocked(cat, n)}
        for name in sorted(
            (set(new_aliases) | {n for n in categories if n not in cat.actors}) - blocked
        ):
            actor = cat.actors.get(name)
            votes = categories.get(name, Counter())
            category = actor.category if actor else None
            if category is None:
                category = (
                    votes.most_common(1)[0][0] if votes else self.category_model.predict(name)
                )
            top = [
                c
                for c, _ in sorted(
                    countries.get(name, Counter()).items(), key=lambda kv: (-kv[1], kv[0])
                )[:3]
            ]
            row = {"name": name, "category": category, "kind": actor.kind if actor else "group",
                   "aliases": sorted(set(new_aliases.get(name, []))), "countries": top}  # fmt: skip
            if actor and actor.kind == "state":
                row["local_aliases"], row["aliases"] = row["aliases"], []
                row["local_countries"] = top
            learned.append(row)
        self.learned += learned
        self._apply(learned)

    def _state_country(self, name: str) -> str | None:
        """The country a state organ's name names ("Government of Pakistan"), else None."""
        m = STATE_NAME.match(name)
        return self.catalogue.gazetteer.resolve_country(m.group(1)) if m else None

    def _names_country(self, alias: str, country: str) -> bool:
        """Whether ``alias`` names ``country``, by a name or a demonym of it."""
        info = self.catalogue.gazetteer.countries.get(country, {})
        key = f" {norm_key(alias)} "
        words = [country, *info.get("aliases", []), *info.get("demonyms", [])]
        return any(f" {norm_key(w)} " in key for w in words if norm_key(w))

    def _apply(self, rows: list[dict]) -> None:
        cat = self.catalogue
        for row in rows:
            aliases = list(row.get("aliases", []))
            local_aliases = list(row.get("local_aliases", []))
            local_countries = [
                c for c in row.get("local_countries", []) if c in cat.gazetteer.countries
            ]
            state = self._state_country(row["name"])
            if state is not None:
                # "government", coded as Government of Pakistan in one note, is Pakistan's
                # alone: as a global alias it made every text with "the government"
                # Pakistani. Aliases that name the country ("Ethiopian government") hold
                # everywhere.
                local_aliases += [a for a in aliases if not self._names_country(a, state)]
                aliases = [a for a in aliases if self._names_country(a, state)]
                local_countries = [state]
            known = cat.actors.get(row["name"])
            if known is not None and known.home_countries:
                # A force's local aliases ("soldiers", "the army") hold in its home countries
                # only; widened to where it was coded, a Turkish convoy in a Somali note made
                # "soldiers" in every Somali text Turkey's. Learned ones hold there too.
                local_countries = [c for c in local_countries if c in known.home_countries]
            cat.add(
                Actor(
                    name=row["name"],
                    category=row.get("category"),
                    kind=row.get("kind", "group"),
                    aliases=aliases,
                    local_aliases=local_aliases,
                    countries=[c for c in row.get("countries", []) if c in cat.gazetteer.countries],
                    local_countries=local_countries,
                    explicit=False,
                )
            )
        cat.build_index()
        pairs = self._category_pairs() + [
            (r["name"], r["category"]) for r in self.learned if r.get("category")
        ]
        self.category_model = CategoryModel().fit(pairs)
        self.matcher = self._matcher()

    # -- prediction --------------------------------------------------------------------
    def extract(
        self, text: str, country: str | None = None, *, name_probs: np.ndarray | None = None
    ) -> dict:
        """Actors and casualties of one text.

        ``country`` (any name the gazetteer knows) resolves generic collectives such as
        "troops"; without it the country is inferred from the text's places and demonyms.
        ``name_probs``: the name model's probabilities for the text, when already computed
        (:meth:`extract_many` computes them for a whole batch at once).
        Returns ``{"actors", "actor_categories", "killed", "injured", "casualties",
        "killed_reported", "casualty_evidence", "country"}``.
        """
        actors, used_country = self._matched(text, country)
        actors = self._with_learned_names(text, actors, name_probs, used_country)
        for a in actors:
            if a["mention"] is not None:
                a.pop("rule", None)  # an unmentioned actor keeps the rule that implied it
        out = {
            "actors": actors,
            "actor_categories": sorted({a["category"] for a in actors if a["category"]}),
        }
        out.update(extract_casualties(text))
        out["country"] = used_country
        return out

    def canonical_actor_name(self, name: str) -> str:
        """Canonical form of an ACLED- or UCDP-style name (see :class:`Catalogue`)."""
        return self.catalogue.canonical_actor_name(name)

    # -- state -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-serialisable state: catalogue, gazetteer, learned names and options."""
        return {
            "format": FORMAT,
            "options": {
                "new_names": self.new_names,
                "calibrate": self.calibrate,
                "implied": self.implied,
                "calibrate_with_country": self.calibrate_with_country,
                "identity_groups": self.identity_groups,
                "learn_names": self.learn_names,
            },
            "catalogue": self.base_rows,
            "places": self.catalogue.gazetteer.data,
            "learned": self.learned,
            "gates": list(self.gates),
            "completions": dict(self.completions),
            "names": self.names.settings() if self.names is not None else None,
            "name_tuning": self.name_tuning,
        }

    def arrays(self) -> dict:
        """The name model's arrays (empty without one), saved next to :meth:`to_dict`."""
        return self.names.arrays() if self.names is not None else {}

    @classmethod
    def from_dict(cls, state: dict, arrays: dict | None = None) -> Extractor:
        """Rebuild an extractor saved with :meth:`to_dict` (and :meth:`arrays`)."""
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            got = state.get("format") if isinstance(state, dict) else type(state).__name__
            raise ModelLoadError(
                f"extractor state has format {got!r}; this version reads {FORMAT!r}. "
                "Re-save the model with this version of the package."
            )
        gazetteer = Gazetteer(state["places"])
        ex = cls(catalogue_from_rows(state["catalogue"], gazetteer), **state.get("options", {}))
        ex.learned = list(state.get("learned", []))
        if ex.learned:
            ex._apply(ex.learned)
        ex.gates = list(state.get("gates", []))
        ex.matcher.gates = set(ex.gates)
        ex.completions = dict(state.get("completions", {}))
        if state.get("names") is not None:
            if not arrays:
                raise ModelLoadError("the extractor has a name model but its arrays are missing")
            try:
                ex.names = NameModel.from_state(state["names"], arrays)
            except (KeyError, ValueError) as exc:
                raise ModelLoadError(f"cannot rebuild the actor-name model: {exc}") from None
        ex.name_tuning = state.get("name_tuning")
        return ex
