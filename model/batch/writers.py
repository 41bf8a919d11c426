"""Writers of batch outputs: JSONL, JSONL.gz, CSV, CSV.gz (appended chunk by chunk) and
Parquet (one part file per chunk, assembled at the end).

A sink only ever grows by whole chunks, and says how much it has committed (bytes, or
parts); the checkpoint stores that number, so after a kill the sink is cut back to it and
nothing is written twice. Gzip output is one gzip member per chunk: a multi-member gzip
file, which gzip, zcat, pandas and Python read as one stream.

CSV and Parquet have one column per result field, plus ``id`` and ``error``. In CSV every
value that is not a string is JSON (lists, objects, numbers, ``true``/``false``; empty for
null). In Parquet the label lists are lists of strings, ``event_type_scores`` a struct, and
``actors`` and ``evidence`` JSON strings (their objects are open-ended); ids are strings.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

from model.batch.rows import RESULT_FIELDS, result_json
from model.labels import EVENT_TYPES

COLUMNS = ("id", "error", *RESULT_FIELDS)
_PARQUET_JSON = ("actors", "evidence")


def encode_jsonl(items: list[dict]) -> bytes:
    return "".join(result_json(item) + "\n" for item in items).encode("utf-8")


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def encode_csv(items: list[dict]) -> bytes:
    return _csv_lines([[_csv_value(item.get(c)) for c in COLUMNS] for item in items])


def fsync_file(fh) -> None:
    fh.flush()
    os.fsync(fh.fileno())


class AppendSink:
    """Appends encoded chunks to ``path``; ``committed`` counts the bytes written."""

    def __init__(self, path: Path, encode: Callable[[list[dict]], bytes], *, header=b"", gz=False):
        self.path, self.encode, self.header, self.gz = path, encode, header, gz
        self.fh = None
        self.committed = 0

    def open(self, committed: int | None) -> None:
        """Start a new file (``committed`` None) or cut an old one back to ``committed``."""
        if committed is None:
            self.fh = open(self.path, "wb")
            self.committed = 0
            if self.header:
                self._append(self.header)
        else:
            self.fh = open(self.path, "r+b")
            self.fh.truncate(committed)
            self.fh.seek(committed)
            self.committed = committed

    def _append(self, data: bytes) -> None:
        if self.gz:
            data = gzip.compress(data, compresslevel=6, mtime=0)
        self.fh.write(data)
        fsync_file(self.fh)
        self.committed += len(data)

    def write(self, items: list[dict]) -> None:
        if items:
            self._append(self.encode(items))

    def finish(self, target: Path) -> None:
        self.close()
        os.replace(self.path, target)

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def parquet_schema():
    import pyarrow as pa

    labels = pa.list_(pa.string())
    types = {
        "id": pa.string(),
        "error": pa.string(),
        "event_types": labels,
        "event_type_scores": pa.struct([(label, pa.float64()) for label in EVENT_TYPES]),
        "sub_event_types": labels,
        "actors": pa.string(),
        "actor_categories": labels,
        "casualties": pa.bool_(),
        "casualty_score": pa.float64(),
        "killed": pa.int64(),
        "injured": pa.int64(),
        "evidence": pa.string(),
    }
    return pa.schema([(c, types[c]) for c in COLUMNS])


def parquet_table(items: list[dict]):
    """The Arrow table of a chunk of results, in the fixed output schema."""
    import pyarrow as pa

    columns: dict[str, list] = {c: [] for c in COLUMNS}
    for item in items:
        for c in COLUMNS:
            value = item.get(c)
            if c == "id" and value is not None and not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False)
            elif c in _PARQUET_JSON:
                value = json.dumps(value if value is not None else [], ensure_ascii=False)
            elif c == "event_type_scores" and not value:
                value = None
            columns[c].append(value)
    return pa.table(columns, schema=parquet_schema())


class ParquetSink:
    """One Parquet part file per chunk under ``parts``; ``committed`` counts the parts.
    ``finish`` copies them, one at a time, into a single file."""

    def __init__(self, parts: Path):
        self.parts = parts
        self.committed = 0

    def _part(self, k: int) -> Path:
        return self.parts / f"part-{k:06d}.parquet"

    def open(self, committed: int | None) -> None:
        self.parts.mkdir(parents=True, exist_ok=True)
        self.committed = committed or 0
        for path in self.parts.glob("part-*.parquet*"):
            stem = path.name.split(".")[0]
            if path.suffix != ".parquet" or int(stem.split("-")[1]) > self.committed:
                path.unlink()  # written after the last checkpoint: not committed

    def write(self, items: list[dict]) -> None:
        import pyarrow.parquet as pq

        if not items:
            return
        path = self._part(self.committed + 1)
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(parquet_table(items), tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        self.committed += 1

    def finish(self, target: Path) -> None:
        import pyarrow.parquet as pq

        tmp = self.parts.parent / "output.parquet.tmp"
        with pq.ParquetWriter(tmp, parquet_schema()) as writer:
            for k in range(1, self.committed + 1):
                writer.write_table(pq.read_table(self._part(k)))
        os.replace(tmp, target)

    def close(self) -> None:
        pass


def make_sink(fmt: str, gz: bool, work: Path):
    """The sink for an output format, writing under the work directory ``work``."""
    if fmt == "parquet":
        return ParquetSink(work / "parts")
    if fmt == "csv":
        header = _csv_lines([list(COLUMNS)])
        return AppendSink(work / "output.partial", encode_csv, header=header, gz=gz)
    return AppendSink(work / "output.partial", encode_jsonl, gz=gz)
