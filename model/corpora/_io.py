"""Small shared helpers for the readers: opening plain or gzip files, and CSV rows."""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from model.errors import DataError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def open_text(path: Path) -> io.TextIOBase:
    """Open a text file, gunzipping when its name ends in ``.gz``; undecodable bytes are
    replaced (and so visible) rather than failing the whole file."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def iter_csv(path: Path, required: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with lower-cased column names; checks required columns."""
    try:
        fh = open_text(path)
        reader = csv.DictReader(fh)
        columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    except (OSError, EOFError, gzip.BadGzipFile, csv.Error) as exc:
        raise DataError(f"cannot read as CSV: {exc}", path=str(path)) from exc
    with fh:
        missing = [c for c in required if c not in columns]
        if missing:
            raise DataError(
                f"missing column(s) {missing}; the file has {columns}. Rename the columns or "
                "map them with csv:PATH#field=column",
                path=str(path),
            )
        reader.fieldnames = columns
        try:
            for row in reader:
                yield reader.line_num, {k: (v or "") for k, v in row.items() if k is not None}
        except (csv.Error, EOFError, gzip.BadGzipFile, OSError) as exc:
            raise DataError(
                f"broken CSV after line {reader.line_num}: {exc}", path=str(path)
            ) from exc


def first_column(row: dict[str, str], names: tuple[str, ...]) -> str:
    """The value of the first of ``names`` that the row has, else ''."""
    for name in names:
        if name in row:
            return row[name]
    return ""
