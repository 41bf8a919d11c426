"""Streaming readers of batch inputs: JSONL, JSONL.gz, CSV, CSV.gz and Parquet.

A ``Source`` yields checked ``Row``s one at a time, in file order, so memory stays flat
whatever the input size. A row that cannot be tagged (bad JSON, bytes that are not UTF-8,
no text, a text too long) comes out as a ``Row`` with a ``reason``; the file goes on.
Reading can start at a ``Position`` (rows already done), which is how ``--resume`` skips
finished work: plain JSONL seeks to the byte offset, Parquet skips whole row groups, the
others re-read and skip.

>>> source = Source(Path("in.jsonl"))  # doctest: +SKIP
>>> next(source.rows()).text  # doctest: +SKIP
'Rebels shelled the town.'
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from model.batch.rows import Row, check_row, clean_id
from model.errors import DataError

csv.field_size_limit(2**31 - 1)

FORMATS = {
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
}
_PARQUET_BATCH = 1024


def file_format(path: Path, role: str) -> tuple[str, bool]:
    """(format, gzipped) from the file name, or a ``DataError`` listing the known endings."""
    name = path.name.lower()
    for ending, fmt in sorted(FORMATS.items(), key=lambda kv: -len(kv[0])):
        if name.endswith(ending):
            return fmt, ending.endswith(".gz")
    raise DataError(
        f"cannot tell the {role} format from the file name; use one of the endings "
        f"{', '.join(FORMATS)}",
        path=str(path),
    )


@dataclass(frozen=True)
class Position:
    """Where reading starts: ``rows`` already done, and for plain JSONL the byte offset
    and line number just past them."""

    rows: int = 0
    pos: int | None = None
    line: int = 0


@dataclass(frozen=True)
class Source:
    """One input file and how to read its rows (picklable, so a Ray task can read it)."""

    path: Path
    text_field: str = "text"
    id_field: str = "id"
    max_chars: int = 2_000_000

    @property
    def format(self) -> tuple[str, bool]:
        return file_format(self.path, "input")

    @property
    def seekable(self) -> bool:
        """Whether ``Row.pos`` is an exact byte offset to restart from."""
        return self.format == ("jsonl", False)

    def size(self) -> int:
        return self.path.stat().st_size

    def total_rows(self) -> int | None:
        """The number of rows when the file says so without reading it (Parquet)."""
        if self.format[0] != "parquet":
            return None
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path).metadata.num_rows

    def check(self) -> None:
        """Fail early, before any tagging, on a file that cannot be read at all."""
        if not self.path.is_file():
            raise DataError("no such input file; check the path", path=str(self.path))
        if self.format[0] in ("csv", "parquet"):
            rows = self.rows()
            try:
                next(rows, None)
            finally:
                rows.close()

    def rows(self, start: Position = Position()) -> Iterator[Row]:
        """Checked rows from ``start`` on, in file order."""
        fmt, gz = self.format
        if fmt == "jsonl":
            return self._jsonl_rows(gz, start)
        if fmt == "csv":
            return self._csv_rows(gz, start)
        return self._parquet_rows(start)

    def _row(self, number: int, value: object, line=None, pos=None) -> Row:
        return check_row(
            number,
            value,
            max_chars=self.max_chars,
            text_field=self.text_field,
            id_field=self.id_field,
            line=line,
            pos=pos,
        )

    # -- JSONL ------------------------------------------------------------------------------
    def _jsonl_rows(self, gz: bool, start: Position) -> Iterator[Row]:
        # A line too long to hold a text under max_chars is skipped, not read into memory.
        limit = self.max_chars * 4 + 65_536
        with open(self.path, "rb") as raw:
            fh = gzip.GzipFile(fileobj=raw) if gz else raw
            number, line, pos = 0, 0, 0
            if start.pos is not None and not gz:
                raw.seek(start.pos)
                number, line, pos = start.rows, start.line, start.pos
            lines = _lines(fh, limit)
            while True:
                try:
                    data, n_bytes = next(lines)
                except StopIteration:
                    return
                except (OSError, EOFError) as exc:
                    raise DataError(
                        f"cannot read past line {line}: {exc}; the file is truncated or damaged",
                        path=str(self.path),
                    ) from None
                line += 1
                pos = raw.tell() if gz else pos + n_bytes
                if data is not None and not data.strip():
                    continue  # a blank line is not a row
                number += 1
                if number > start.rows:
                    yield self._jsonl_row(number, line, pos, data, n_bytes, limit)

    def _jsonl_row(self, number, line, pos, data, n_bytes, limit) -> Row:
        if data is None:
            reason = f"line is {n_bytes:,} bytes, over the limit of {limit:,} (--max-chars)"
            return Row(number, None, None, reason, line, pos)
        try:
            text = data.decode("utf-8-sig" if line == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            reason = (
                f"line is not valid UTF-8 (byte 0x{data[exc.start]:02x} at position "
                f"{exc.start}); re-encode the input as UTF-8"
            )
            return Row(number, None, _salvage_id(data, self.id_field), reason, line, pos)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON ({exc.msg} at column {exc.colno})"
            return Row(number, None, None, reason, line, pos)
        return self._row(number, value, line, pos)

    # -- CSV --------------------------------------------------------------------------------
    def _csv_rows(self, gz: bool, start: Position) -> Iterator[Row]:
        with open(self.path, "rb") as raw:
            fh = gzip.GzipFile(fileobj=raw) if gz else raw
            # Bytes that are not UTF-8 survive as surrogates, so one row fails, not the file.
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
            reader = csv.reader(text)
            try:
                header = [h.strip() for h in next(reader, [])]
            except (csv.Error, OSError, EOFError) as exc:
                raise DataError(f"cannot read as CSV: {exc}", path=str(self.path)) from None
            text_col = _column(header, self.text_field, self.path, "--text-field")
            id_col = _column(header, self.id_field, None, "")
            number = 0
            while True:
                line, error = reader.line_num + 1, None
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    fields, error = None, f"not valid CSV: {exc}"
                except (OSError, EOFError) as exc:
                    raise DataError(
                        f"cannot read past line {reader.line_num}: {exc}; the file is "
                        "truncated or damaged",
                        path=str(self.path),
                    ) from None
                if fields == []:
                    continue  # a blank line is not a row
                number += 1
                if number <= start.rows:
                    continue
                if fields is None:
                    yield Row(number, None, None, error, line, raw.tell())
                    continue
                value = {}
                if id_col is not None and id_col < len(fields):
                    value[self.id_field] = fields[id_col]
                if text_col < len(fields):
                    value[self.text_field] = fields[text_col]
                yield self._row(number, value, line, raw.tell())

    # -- Parquet ----------------------------------------------------------------------------
    def _parquet_rows(self, start: Position) -> Iterator[Row]:
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types here
            raise DataError(f"cannot read as Parquet: {exc}", path=str(self.path)) from None
        names = pf.schema_arrow.names
        columns = [names[_column(names, self.text_field, self.path, "--text-field")]]
        id_col = _column(names, self.id_field, None, "")
        if id_col is not None:
            columns.append(names[id_col])
        # Skip whole row groups that are already done.
        meta, number, first = pf.metadata, 0, 0
        while first < meta.num_row_groups and number + meta.row_group(first).num_rows <= start.rows:
            number += meta.row_group(first).num_rows
            first += 1
        groups = list(range(first, meta.num_row_groups))
        if not groups:
            return
        for batch in pf.iter_batches(_PARQUET_BATCH, row_groups=groups, columns=columns):
            texts = batch.column(0).to_pylist()
            ids = batch.column(1).to_pylist() if len(columns) > 1 else [None] * len(texts)
            for text, rid in zip(texts, ids, strict=True):
                number += 1
                if number > start.rows:
                    yield self._row(number, {self.text_field: _decode(text), self.id_field: rid})


def _lines(fh, limit: int) -> Iterator[tuple[bytes | None, int]]:
    """(line, n_bytes) per line; a line over ``limit`` bytes is skipped and given as None."""
    while True:
        data = fh.readline(limit)
        if not data:
            return
        if len(data) < limit or data.endswith(b"\n"):
            yield data, len(data)
            continue
        n_bytes = len(data)
        while data and not data.endswith(b"\n"):
            data = fh.readline(limit)
            n_bytes += len(data)
        yield None, n_bytes


def _column(names: list[str], wanted: str, path: Path | None, option: str) -> int | None:
    """Index of column ``wanted`` (case-insensitive); when it is missing, a ``DataError``
    if ``path`` is given, else None."""
    lowered = [n.strip().lower() for n in names]
    if wanted.lower() in lowered:
        return lowered.index(wanted.lower())
    if path is None:
        return None
    raise DataError(
        f"no {wanted!r} column; the columns are {names}. Rename the column or pass {option} NAME",
        path=str(path),
    )


def _decode(text: object) -> object:
    """Parquet binary columns hold bytes: decode them, keeping undecodable bytes visible
    (as surrogates, which the row check reports)."""
    if isinstance(text, bytes):
        return text.decode("utf-8", "surrogateescape")
    return text


def _salvage_id(data: bytes, id_field: str) -> object:
    """The id of a line that is not valid UTF-8, when the rest of it is valid JSON."""
    try:
        value = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return None
    return clean_id(value.get(id_field)) if isinstance(value, dict) else None
