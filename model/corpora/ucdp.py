"""UCDP exports into the record schema: GED event CSVs and UCDP-AEC article JSONL.

- actors: ``side_a`` and ``side_b`` are comma-separated lists of UCDP actor names; each is
  mapped through the crosswalk ``data/ucdp_crosswalk.jsonl`` to our canonical name and
  category. Names missing there fall back to a rule: "Government of X" is
  "Military Forces of X" (state forces), "Civilians" are civilians, anything else keeps its
  UCDP name as a rebel group.
- ``killed`` is ``best`` (GED) or the sum of the per-side death counts (AEC); UCDP codes no
  injuries, so ``injured`` is unlabelled.
- event types: only one-sided violence (``type_of_violence`` 3) maps soundly, to
  ``violence_against_civilians``. State-based (1) and non-state (2) events cover clashes,
  shelling, air strikes and bombings alike, so their event types are left unlabelled rather
  than guessed. Sub-event types are always unlabelled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from model.corpora import jsonl
from model.corpora._io import first_column, iter_csv
from model.errors import DataError
from model.labels import ACTOR_CATEGORIES, UCDP_VIOLENCE_TO_EVENT_TYPE

CROSSWALK = Path(__file__).resolve().parents[2] / "data" / "ucdp_crosswalk.jsonl"
_AEC_DEATHS = ("deaths_side_a", "deaths_side_b", "deaths_civilian", "deaths_unknown")


@lru_cache(maxsize=1)
def crosswalk() -> dict[str, tuple[str, str]]:
    """UCDP actor name -> (canonical name, category), from ``data/ucdp_crosswalk.jsonl``."""
    table: dict[str, tuple[str, str]] = {}
    if not CROSSWALK.exists():
        return table
    with open(CROSSWALK, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                ucdp, name, category = entry["ucdp"], entry["name"], entry["category"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DataError(
                    f"crosswalk line must be {{'ucdp', 'name', 'category'}}: {exc}",
                    path=str(CROSSWALK),
                    line=n,
                ) from None
            if category not in ACTOR_CATEGORIES:
                raise DataError(
                    f"unknown category {category!r}; allowed: {', '.join(ACTOR_CATEGORIES)}",
                    path=str(CROSSWALK),
                    line=n,
                    field="category",
                )
            table[ucdp] = (name, category)
    return table


def ucdp_actor(name: str) -> dict:
    """One UCDP actor name as a schema actor, through the crosswalk.

    >>> ucdp_actor("Government of Syria")["name"]
    'Military Forces of Syria'
    """
    name = " ".join(name.split())
    if name in crosswalk():
        canonical, category = crosswalk()[name]
    elif name.startswith("Government of "):
        country = re.sub(r"\s*\([^()]*\)", "", name.removeprefix("Government of "))
        canonical, category = f"Military Forces of {country}", "state_forces"
    elif name.lower() == "civilians":
        canonical, category = "Civilians", "civilians"
    else:
        canonical, category = name, "rebel_group"
    return {"name": canonical, "category": category}


def _actors(*sides: str) -> list[dict]:
    actors: dict[str, dict] = {}
    for side in sides:
        for part in side.split(","):
            if part.strip():
                actor = ucdp_actor(part)
                actors.setdefault(actor["name"], actor)
    return list(actors.values())


def _count(value: object, field: str, where: dict) -> int:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        raise DataError(f"expected a whole number, got {value!r}", field=field, **where)
    return int(text)


def _record(row: dict, file: str, line: int) -> dict:
    rid = str(first_column(row, ("id", "relid")) or f"ucdp-line-{line}")
    where = {"path": file, "line": line, "record_id": rid}
    if "best" in row:
        killed = _count(row["best"], "best", where)
    else:
        killed = sum(_count(row.get(f, 0), f, where) for f in _AEC_DEATHS)
    unlabelled = ["sub_event_types", "injured"]
    event_types = None
    violence = str(row.get("type_of_violence", "")).strip()
    if violence.isdigit() and int(violence) in UCDP_VIOLENCE_TO_EVENT_TYPE:
        event_types = [UCDP_VIOLENCE_TO_EVENT_TYPE[int(violence)]]
    else:
        unlabelled.append("event_types")
    date = str(first_column(row, ("date_start", "source_date", "start_date")))[:10]
    return {
        "id": rid,
        "text": row.get("text", ""),
        "event_types": event_types,
        "sub_event_types": None,
        "actors": _actors(str(row.get("side_a", "")), str(row.get("side_b", ""))),
        "casualties": killed > 0,
        "killed": killed or None,
        "injured": None,
        "unlabelled": unlabelled,
        "source": "ucdp",
        "country": row.get("country") or None,
        "date": date or None,
        "genre": "article" if "hplt_doc_id" in row else "note",
    }


def read(path: Path, options: dict[str, str]) -> Iterator[tuple[str, int, dict | DataError]]:
    """Yield (file, line, record) for each UCDP event or article."""
    file = str(path)
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        rows = ((line, row) for _, line, row in jsonl.read(path, {}))
    else:
        rows = iter_csv(path, required=("text", "side_a", "side_b"))
    for line, row in rows:
        if isinstance(row, DataError):
            yield file, line, row
            continue
        try:
            yield file, line, _record(row, file, line)
        except DataError as exc:
            yield file, line, exc
