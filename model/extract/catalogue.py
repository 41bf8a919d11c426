"""The actor catalogue: canonical names, categories, aliases and the country gazetteer.

The default catalogue is ``data/actors.jsonl`` (one actor per line) with the gazetteer
``data/places.json``; users add their own JSONL files in the same format. Each line is::

    {"name": "Islamic State", "category": "rebel_group", "kind": "group",
     "aliases": ["ISIS", "ISIL", "Daesh"], "countries": ["Syria", "Iraq"],
     "local_aliases": ["the organization"]}

``local_aliases`` only count when the text is about one of ``countries`` (or of
``local_countries`` when given). ``kind`` is one of :data:`KINDS`: ``template`` lines such as
``Military Forces of {country}`` are expanded for every country of the gazetteer; their
``aliases`` ("soldiers", "police") resolve with the country the text is about.

>>> cat = load_catalogue()
>>> cat.canonical_actor_name("Military Forces of Syria (2000-) 5th Assault Corps")
'Military Forces of Syria'
>>> cat.canonical_actor_name("HTS: Hayat Tahrir al Sham")
'Hayat Tahrir al-Sham'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from model.errors import DataError
from model.extract.text import norm_key, skeleton
from model.labels import ACTOR_CATEGORIES

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_ACTORS = DATA_DIR / "actors.jsonl"
DEFAULT_PLACES = DATA_DIR / "places.json"

KINDS = ("group", "party", "state", "collective", "identity", "source", "template")
_KEYS = {
    "name",
    "category",
    "kind",
    "aliases",
    "local_aliases",
    "countries",
    "local_countries",
    "patterns",
}
_NEEDS_CATEGORY = {"group", "party", "state", "collective", "identity", "template"}

# Entry types in the lookup index.
NAMED, GENERIC, SOURCE, PLACE, DEMONYM = 0, 1, 2, 3, 4
# Case rules: any case; first letter upper case (single proper-noun tokens); exact (acronyms).
ANY_CASE, CAPITALISED, EXACT = 0, 1, 2


@dataclass
class Actor:
    """One catalogue entry."""

    name: str
    category: str | None
    kind: str = "group"
    aliases: list[str] = field(default_factory=list)
    local_aliases: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    local_countries: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)  # templates only
    explicit: bool = True  # written in a catalogue file, not expanded from a template

    @property
    def home_countries(self) -> list[str]:
        """Where its local aliases ("police", "the army") mean it: ``local_countries``, else
        every country it was coded in."""
        return self.local_countries or self.countries

    def to_row(self) -> dict:
        row = {"name": self.name, "category": self.category, "kind": self.kind}
        for key in ("aliases", "local_aliases", "countries", "local_countries", "patterns"):
            if getattr(self, key):
                row[key] = list(getattr(self, key))
        if self.category is None:
            row.pop("category")
        return row


@dataclass(frozen=True)
class Entry:
    """What one alias key points to."""

    type: int
    target: str  # actor name, template name, or country
    local: bool = False
    case: int = ANY_CASE
    surface: tuple[str, ...] = ()  # the alias's own tokens, for case checks
    explicit: bool = True


def _case_rule(alias: str) -> tuple[int, tuple[str, ...]]:
    words = re.findall(r"[^\W_]+", alias)
    letters = "".join(words)
    if len(words) == 1 and len(letters) <= 3 and any(c.isupper() for c in letters):
        return EXACT, tuple(words)
    if any(w[:1].islower() and any(c.isupper() for c in w[1:]) for w in words):
        return EXACT, tuple(words)  # mixed case such as "JaS", "FaR"
    if len(words) == 1 and letters[:1].isupper():
        return CAPITALISED, tuple(words)
    return ANY_CASE, tuple(words)


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    if not path.exists():
        raise DataError(
            "catalogue file not found; pass an existing JSONL file with one actor per line",
            path=str(path),
        )
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(
                    f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be one "
                    'JSON object such as {"name": "...", "category": "rebel_group", "aliases": []}',
                    path=str(path),
                    line=lineno,
                ) from None
            if not isinstance(row, dict):
                raise DataError(
                    f"expected a JSON object, got {type(row).__name__}", path=str(path), line=lineno
                )
            rows.append((lineno, row))
    return rows


def _validate(row: dict, path: str, line: int | None, countries: set[str]) -> Actor:
    def fail(msg: str, fld: str) -> DataError:
        return DataError(msg, path=path, line=line, field=fld)

    unknown = set(row) - _KEYS
    if unknown:
        raise fail(
            f"unknown keys {sorted(unknown)}; known keys: {sorted(_KEYS)}", sorted(unknown)[0]
        )
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(f"'name' must be a non-empty string, got {name!r}", "name")
    kind = row.get("kind", "group")
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r} for {name!r}; allowed: {', '.join(KINDS)}", "kind")
    category = row.get("category")
    if kind in _NEEDS_CATEGORY and category not in ACTOR_CATEGORIES:
        raise fail(
            f"unknown category {category!r} for {name!r}; allowed: {', '.join(ACTOR_CATEGORIES)}",
            "category",
        )
    if "patterns" in row and kind != "template":
        raise fail("'patterns' is only allowed on kind 'template' lines", "patterns")
    if kind == "template" and "{country}" not in name:
        raise fail(f"template name {name!r} must contain '{{country}}'", "name")
    lists = {}
    for key in ("aliases", "local_aliases", "countries", "local_countries", "patterns"):
        value = row.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"{key!r} of {name!r} must be a list of strings, got {value!r}", key)
        lists[key] = [v.strip() for v in value if v.strip()]
    for key in ("countries", "local_countries"):
        for c in lists[key]:
            if c not in countries:
                raise fail(
                    f"unknown country {c!r} for {name!r}; use the gazetteer's names "
                    f"(data/places.json), e.g. 'Democratic Republic of Congo', 'Syria'",
                    key,
                )
    return Actor(name=name.strip(), category=category, kind=kind, **lists)


class Gazetteer:
    """Countries with their other names, demonyms and places (``data/places.json``)."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.countries: dict[str, dict] = {c["name"]: c for c in data["countries"]}
        self.country_key: dict[str, str] = {}  # normalised country name or alias -> country
        for c in data["countries"]:
            for n in [c["name"], *c.get("aliases", [])]:
                self.country_key.setdefault(norm_key(n), c["name"])

    def resolve_country(self, name: str | None) -> str | None:
        """The gazetteer's name for ``name`` (``"DRC"`` -> ``"Democratic Republic of Congo"``)."""
        if not name:
            return None
        return self.country_key.get(norm_key(name))

    def with_article(self, country: str) -> str:
        return f"the {country}" if self.countries.get(country, {}).get("the") else country


def load_gazetteer(path: Path | str = DEFAULT_PLACES) -> Gazetteer:
    """Read the country gazetteer JSON file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError("gazetteer file not found", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON ({exc.msg})", path=str(path), line=exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("countries"), list):
        raise DataError(
            'expected an object with a "countries" list', path=str(path), field="countries"
        )
    return Gazetteer(data)


_DATE_RANGE_RE = re.compile(r"\s*\(\s*(?:\d{4})?\s*-\s*(?:\d{4})?\s*\)")
_ABBREV_PREFIX_RE = re.compile(r"^([A-Za-z0-9()./'&\- ]{1,24}?):\s+(?=\S)")
_PAREN_RE = re.compile(r"\s*\(([^()]*)\)\s*$")
_STATE_RE = re.compile(r"^((?:Military|Police) Forces of (?:the )?[A-Z][^()]*?)\s*\(")


class Catalogue:
    """Actors, the gazetteer and the alias index built from them.

    Build one with :func:`load_catalogue`; ``index`` maps a normalised alias key to the
    entries it may mean, and ``prefixes`` holds every token prefix of a key so a scan can stop
    early.
    """

    def __init__(self, actors: list[Actor], gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.actors: dict[str, Actor] = {}
        self.templates: dict[str, Actor] = {}
        for actor in actors:
            self.add(actor)
        self._expand_templates()
        self.build_index()

    # -- construction -------------------------------------------------------------------
    def add(self, actor: Actor) -> None:
        """Add an actor, or merge aliases and countries into the one of the same name."""
        if actor.kind == "template":
            self.templates[actor.name] = actor
            return
        old = self.actors.get(actor.name)
        if old is None:
            self.actors[actor.name] = actor
            return
        for key in ("aliases", "local_aliases", "countries", "local_countries"):
            merged = getattr(old, key) + [
                v for v in getattr(actor, key) if v not in getattr(old, key)
            ]
            setattr(old, key, merged)
        if actor.category and actor.explicit:
            old.category = actor.category
        old.explicit = old.explicit or actor.explicit

    def _expand_templates(self) -> None:
        for tpl in self.templates.values():
            for country, info in self.gazetteer.countries.items():
                name = tpl.name.replace("{country}", self.gazetteer.with_article(country))
                aliases = []
                names = [country, *info.get("aliases", [])]
                for pattern in tpl.patterns:
                    if "{demonym}" in pattern:
                        aliases += [
                            pattern.replace("{demonym}", d) for d in info.get("demonyms", [])
                        ]
                    elif "{country}" in pattern:
                        aliases += [pattern.replace("{country}", n) for n in names]
                aliases = [a for a in dict.fromkeys(aliases) if a != name]
                self.add(
                    Actor(
                        name=name,
                        category=tpl.category,
                        kind="state",
                        aliases=aliases,
                        countries=[country],
                        local_countries=[country],
                        explicit=False,
                    )
                )

    def template_name(self, template: str, country: str | None) -> str:
        """Resolve ``Military Forces of {country}`` for a country (or without one)."""
        if not country:
            return template.replace(" of {country}", "").replace("{country}", "").strip()
        return template.replace("{country}", self.gazetteer.with_article(country))

    def build_index(self) -> None:
        """(Re)build the alias index from actors, templates and the gazetteer."""
        index: dict[str, list[Entry]] = {}

        def put(alias: str, entry: Entry) -> None:
            key = norm_key(alias)
            if not key:
                return
            bucket = index.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

        for actor in self.actors.values():
            etype = SOURCE if actor.kind == "source" else NAMED
            if actor.kind in ("collective", "identity"):
                etype = GENERIC
            for alias in [actor.name, *actor.aliases]:
                case, surface = _case_rule(alias) if etype != GENERIC else (ANY_CASE, ())
                put(alias, Entry(etype, actor.name, False, case, surface, actor.explicit))
            for alias in actor.local_aliases:
                case, surface = _case_rule(alias) if etype != GENERIC else (ANY_CASE, ())
                put(alias, Entry(etype, actor.name, True, case, surface, actor.explicit))
        for tpl in self.templates.values():
            for alias in tpl.aliases:
                put(alias, Entry(GENERIC, tpl.name))
        for country, info in self.gazetteer.countries.items():
            for n in [country, *info.get("aliases", []), *info.get("places", [])]:
                case, surface = _case_rule(n)
                put(n, Entry(PLACE, country, False, max(case, CAPITALISED), surface))
            for d in info.get("demonyms", []):
                case, surface = _case_rule(d)
                put(d, Entry(DEMONYM, country, False, max(case, CAPITALISED), surface))
        for place, owners in self.gazetteer.data.get("shared", {}).items():
            for country in owners:
                put(place, Entry(PLACE, country, False, CAPITALISED, (place,)))
        self.index = index
        self.prefixes = {k.rsplit(" ", n)[0] for k in index for n in range(k.count(" ") + 1)}
        # Loose keys of written multi-word names, for transliteration variants.
        fuzzy: dict[str, list[Entry]] = {}
        for actor in self.actors.values():
            if actor.kind not in ("group", "party") or not actor.explicit:
                continue
            for alias in [actor.name, *actor.aliases]:
                words = [w for w in norm_key(alias).split() if w != "al"]
                skel = " ".join(skeleton(w) for w in words)
                if len(words) >= 2 and len(skel.replace(" ", "")) >= 6:
                    bucket = fuzzy.setdefault(skel, [])
                    entry = Entry(NAMED, actor.name, False, ANY_CASE, (), True)
                    if entry not in bucket:
                        bucket.append(entry)
        self.fuzzy = fuzzy
        self.fuzzy_prefixes = {k.rsplit(" ", n)[0] for k in fuzzy for n in range(k.count(" ") + 1)}
        self.max_len = max(k.count(" ") + 1 for k in index)
        self._canonical_cache: dict[str, str] = {}

    # -- names --------------------------------------------------------------------------
    def lookup(self, alias: str) -> str | None:
        """The canonical name an alias (or name) stands for, if the catalogue knows it."""
        bucket = self.index.get(norm_key(alias), ())
        entries = [e for e in bucket if e.type == NAMED]
        if not entries:  # collectives and identity groups ("Labor Group" -> "Labour Group")
            entries = [e for e in bucket if e.type == GENERIC and e.target in self.actors]
        if not entries:
            return None
        best = sorted(entries, key=lambda e: (e.local, not e.explicit))[0]
        return best.target

    def canonical_actor_name(self, name: str) -> str:
        """Canonical form of an ACLED- or UCDP-style actor name.

        Drops ACLED's date ranges (``"(2000-)"``), country suffixes (``"(Syria)"``),
        abbreviation prefixes (``"HTS: "``) and sub-units after a state force's date range,
        then maps known aliases to the catalogue's name.

        >>> load_catalogue().canonical_actor_name("Protesters (Kenya)")
        'Protesters'
        """
        cached = self._canonical_cache.get(name)
        if cached is None:
            cached = self._canonical_cache[name] = self._canonical(name)
        return cached

    def _canonical(self, name: str) -> str:
        raw = " ".join(name.split())
        m = _STATE_RE.match(raw)
        if m:  # "Military Forces of Syria (2000-) 5th Assault Corps" -> the state force
            raw = m.group(1)
        cleaned = _DATE_RANGE_RE.sub(" ", raw)
        cleaned = " ".join(cleaned.split())
        while True:
            p = _PAREN_RE.search(cleaned)
            if (
                not p
                or not self.gazetteer.resolve_country(p.group(1))
                and p.group(1) != "International"
            ):
                break
            cleaned = cleaned[: p.start()].strip()
        full = cleaned
        prefix = _ABBREV_PREFIX_RE.match(cleaned)
        if prefix:
            cleaned = cleaned[prefix.end() :].strip()
        for candidate in (cleaned, full, prefix.group(1) if prefix else None):
            if candidate:
                known = self.lookup(candidate)
                if known:
                    return known
        return cleaned

    def category_of(self, name: str) -> str | None:
        actor = self.actors.get(name)
        return actor.category if actor else None

    def to_rows(self) -> list[dict]:
        """Explicit actors and templates as catalogue rows (expansions are rebuilt on load)."""
        rows = [tpl.to_row() for tpl in self.templates.values()]
        return rows + [a.to_row() for a in self.actors.values() if a.explicit]


def catalogue_from_rows(rows: Iterable[dict], gazetteer: Gazetteer) -> Catalogue:
    """Build a catalogue from rows already in memory (e.g. a saved model's JSON)."""
    countries = set(gazetteer.countries)
    actors = [_validate(dict(r), "<saved catalogue>", i, countries) for i, r in enumerate(rows, 1)]
    return Catalogue(actors, gazetteer)


def load_catalogue(
    paths: Iterable[str | Path] | str | Path | None = None,
    *,
    include_default: bool = True,
    places: str | Path = DEFAULT_PLACES,
) -> Catalogue:
    """Load the default catalogue plus users' catalogue files (JSONL, one actor per line).

    A user line with the name of an existing actor adds its aliases and countries (and
    replaces its category); a new name adds an actor. Errors name the file and line.

    >>> cat = load_catalogue()
    >>> cat.lookup("Daesh")
    'Islamic State'
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    gazetteer = load_gazetteer(places)
    countries = set(gazetteer.countries)
    files = ([DEFAULT_ACTORS] if include_default else []) + [Path(p) for p in paths or []]
    actors = []
    for path in files:
        actors += [_validate(row, str(path), n, countries) for n, row in _read_jsonl(path)]
    return Catalogue(actors, gazetteer)
