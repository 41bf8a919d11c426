"""Any CSV into the record schema, with a column mapping in the SPEC.

``csv:news.csv#text=body,id=doc_id,event_types=tags`` reads column ``body`` as the text and
so on; a schema field with no mapping is read from the column of its own name when there is
one. Tasks with no column are unlabelled. Cell formats:

- ``event_types``/``sub_event_types``: labels separated by ``;`` (codebook or ACLED spelling);
- ``actors``: a JSON list of actor objects, or ``name|category`` pairs separated by ``;``;
- ``casualties``: true/false, yes/no or 1/0; ``killed``/``injured``: whole numbers or empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from model.corpora._io import iter_csv
from model.errors import DataError, SpecError
from model.labels import normalise_acled_name
from model.schema import FIELDS, TASKS

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


def _labels(cell: str) -> list[str]:
    return [normalise_acled_name(x) for x in cell.split(";") if x.strip()]


def _actors(cell: str, where: dict) -> list[dict]:
    cell = cell.strip()
    if not cell:
        return []
    if cell.startswith("["):
        try:
            actors = json.loads(cell)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"actors cell is not valid JSON: {exc.msg}", field="actors", **where
            ) from None
        return actors
    actors = []
    for item in filter(str.strip, cell.split(";")):
        name, bar, category = item.rpartition("|")
        if not bar:
            raise DataError(
                f"actor {item!r} needs a category: write name|category", field="actors", **where
            )
        actors.append({"name": name.strip(), "category": category.strip()})
    return actors


def _bool(cell: str, field: str, where: dict) -> bool:
    value = cell.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DataError(f"expected true/false, got {cell!r}", field=field, **where)


def _int(cell: str, field: str, where: dict) -> int | None:
    value = cell.strip()
    if not value:
        return None
    if value.endswith(".0"):
        value = value[:-2]
    if not value.isdigit():
        raise DataError(f"expected a whole number or empty, got {cell!r}", field=field, **where)
    return int(value)


def _parse(field: str, cell: str, where: dict) -> object:
    if field in ("event_types", "sub_event_types"):
        return _labels(cell)
    if field == "actors":
        return _actors(cell, where)
    if field == "casualties":
        return _bool(cell, field, where)
    if field in ("killed", "injured"):
        return _int(cell, field, where)
    return cell if cell != "" or field in ("id", "text") else None


def read(path: Path, options: dict[str, str]) -> Iterator[tuple[str, int, dict | DataError]]:
    """Yield (file, line, record) for each CSV row, through the column mapping."""
    unknown = set(options) - set(FIELDS)
    if unknown:
        raise SpecError(
            f"unknown field(s) {sorted(unknown)} in the column mapping; known: {', '.join(FIELDS)}"
        )
    mapping = {field: column.lower() for field, column in options.items()}
    file = str(path)
    rows = iter_csv(path, required=(mapping.get("text", "text"),))
    for line, row in rows:
        columns = {f: mapping.get(f, f) for f in FIELDS if mapping.get(f, f) in row}
        rid = row.get(columns["id"], "") if "id" in columns else ""
        rid = rid or f"row-{line}"
        where = {"path": file, "line": line, "record_id": rid}
        try:
            record = {f: _parse(f, row[c], where) for f, c in columns.items()}
        except DataError as exc:
            yield file, line, exc
            continue
        record["id"] = rid
        record["unlabelled"] = [t for t in TASKS if t not in columns]
        record.setdefault("source", path.name.split(".")[0])
        yield file, line, record
