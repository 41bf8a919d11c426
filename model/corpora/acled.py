"""ACLED exports, current (2019+) and pre-2019 layouts, into the record schema.

- text: ``notes``; id: ``event_id_cnty`` (or ``id``/``data_id``); date: ``event_date``.
- event and sub-event types through ``model.labels.acled_event_type`` (legacy names and the
  Riots/Protests split by actor1). Legacy rows without a sub-event type leave
  ``sub_event_types`` unlabelled; the few Riots/Protests rows whose actor1 is neither
  protesters nor rioters leave both type tasks unlabelled, since ACLED does not say which.
- actors: ``actor1``, ``assoc_actor_1``, ``actor2``, ``assoc_actor_2`` (pre-2019:
  ``ally_actor_*``) split on ``;``, names canonicalised by dropping ACLED's parenthesised
  date ranges and country suffixes. ``inter1``/``inter2`` (codes 1-8, or the 2024 text
  codes) give the categories of actor1/actor2; an associated actor takes the category its
  name implies (military, police, protesters ...) or else that of the actor it is tied to.
- ``fatalities`` gives ``killed`` (0 is "no number given", ``None``) and ``casualties``;
  ACLED codes no injuries, so ``injured`` is unlabelled, and so is ``casualties`` when a note
  with no fatalities speaks of injuries ("five people were wounded") or of casualties
  ("police suffered casualties"): the codebook counts the injured as casualties, but ACLED's
  zero cannot say whether there were any.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from model.corpora._io import first_column, iter_csv
from model.errors import DataError, LabelError
from model.labels import ACTOR_CATEGORIES, INTER_CODE_TO_CATEGORY, acled_event_type

# Words of injury, or casualties that ACLED's zero cannot rule out ("police suffered
# casualties"); a note with no fatalities that uses one has unknown casualty presence.
_INJURY_OR_CASUALTIES = re.compile(
    r"\b(injur\w*|wound\w*|hurt|hospitali[sz]\w*|maimed|(?:suffer\w*|caus\w*|inflict\w*|"
    r"leav\w*|sustain\w*|with|many|heavy|several) casualties)\b",
    re.I,
)
_TEXT_INTER = {c.replace("_", " "): c for c in ACTOR_CATEGORIES} | {
    "external/other forces": "external_other_forces",
    "state forces": "state_forces",
}
_NAME_CATEGORY = (
    (re.compile(r"^(military|police) forces of ", re.I), "state_forces"),
    (re.compile(r"^protesters\b", re.I), "protesters"),
    (re.compile(r"^rioters\b", re.I), "rioters"),
    (re.compile(r"^civilians\b", re.I), "civilians"),
)
_STATE_FORCE = re.compile(r"^((?:Military|Police) Forces of [^(]+?)\s*\(")
_PARENS = re.compile(r"\s*\([^()]*\)")


def canonical_acled_name(name: str) -> str:
    """ACLED actor name without date ranges, country suffixes or state-force sub-units.

    >>> canonical_acled_name("Military Forces of Syria (2000-) 5th Assault Corps")
    'Military Forces of Syria'
    >>> canonical_acled_name("Protesters (Kenya)")
    'Protesters'
    """
    name = " ".join(name.split())
    match = _STATE_FORCE.match(name)
    if match:
        return match.group(1).strip()
    return " ".join(_PARENS.sub("", name).split())


def _inter_category(value: str) -> str | None:
    value = value.strip().lower()
    if not value or value == "0":
        return None
    if value.isdigit():
        return INTER_CODE_TO_CATEGORY.get(int(value))
    return _TEXT_INTER.get(value)


def _name_category(name: str) -> str | None:
    for pattern, category in _NAME_CATEGORY:
        if pattern.search(name):
            return category
    return None


def _actors(row: dict[str, str], where: dict) -> list[dict]:
    actors: dict[str, dict] = {}
    for side in ("1", "2"):
        inter = row.get(f"inter{side}", "")
        main_category = _inter_category(inter)
        if inter.strip() and main_category is None and inter.strip() != "0":
            raise DataError(
                f"unknown ACLED actor type code {inter!r}; expected 0-8 or an ACLED type name",
                field=f"inter{side}",
                **where,
            )
        main = row.get(f"actor{side}", "")
        assoc = first_column(row, (f"assoc_actor_{side}", f"ally_actor_{side}"))
        for raw, is_main in [(n, True) for n in main.split(";")] + [
            (n, False) for n in assoc.split(";")
        ]:
            if not raw.strip():
                continue
            name = canonical_acled_name(raw)
            category = (main_category if is_main else None) or _name_category(name) or main_category
            if category is None:
                raise DataError(
                    f"actor {raw.strip()!r} has no actor type (inter{side} is {inter!r})",
                    field=f"inter{side}",
                    **where,
                )
            actors.setdefault(name, {"name": name, "category": category})
    return list(actors.values())


def _iso_date(value: str) -> str | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return value or None


def _record(row: dict[str, str], file: str, line: int) -> dict:
    rid = first_column(row, ("event_id_cnty", "id", "data_id")) or f"acled-line-{line}"
    where = {"path": file, "line": line, "record_id": rid}
    unlabelled: list[str] = ["injured"]
    event_type = row.get("event_type", "").strip() or row.get("event_type_original", "").strip()
    event_types = sub_event_types = None
    if not event_type:
        unlabelled += ["event_types", "sub_event_types"]
    else:
        try:
            parent, sub = acled_event_type(event_type, row.get("sub_event_type"), row.get("actor1"))
        except LabelError as exc:
            if "Riots/Protests" not in str(exc):
                raise DataError(str(exc), field="event_type", **where) from None
            unlabelled += ["event_types", "sub_event_types"]
        else:
            event_types = [parent]
            if sub is None:
                unlabelled.append("sub_event_types")
            else:
                sub_event_types = [sub]
    fatalities = row.get("fatalities", "").strip()
    if not fatalities:
        killed, casualties = None, None
        unlabelled += ["killed", "casualties"]
    elif not fatalities.isdigit():
        raise DataError(
            f"expected a whole number of fatalities, got {fatalities!r}",
            field="fatalities",
            **where,
        )
    else:
        killed = int(fatalities) or None
        casualties = killed is not None
        if not casualties and _INJURY_OR_CASUALTIES.search(
            first_column(row, ("notes", "text")) or ""
        ):
            casualties = None
            unlabelled.append("casualties")
    return {
        "id": rid,
        "text": first_column(row, ("notes", "text")),
        "event_types": event_types,
        "sub_event_types": sub_event_types,
        "actors": _actors(row, where),
        "casualties": casualties,
        "killed": killed,
        "injured": None,
        "unlabelled": unlabelled,
        "source": "acled",
        "country": row.get("country") or None,
        "date": _iso_date(first_column(row, ("event_date", "date"))),
        "genre": "note",
    }


def read(path: Path, options: dict[str, str]) -> Iterator[tuple[str, int, dict | DataError]]:
    """Yield (file, line, record) for each row of an ACLED export."""
    file = str(path)
    rows = iter_csv(path)
    for line, row in rows:
        if "notes" not in row and "text" not in row:
            raise DataError(
                f"no 'notes' column, so this is not an ACLED export; columns: {sorted(row)}",
                path=file,
            )
        try:
            yield file, line, _record(row, file, line)
        except DataError as exc:
            yield file, line, exc
