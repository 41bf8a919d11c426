"""The project's own JSONL records (plain or gzip), one file or a directory of them."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from model.corpora._io import open_text
from model.errors import DataError


def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    files = sorted(p for p in path.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz")))
    if not files:
        raise DataError("directory holds no .jsonl or .jsonl.gz files", path=str(path))
    return files


def read(path: Path, options: dict[str, str]) -> Iterator[tuple[str, int, dict | DataError]]:
    """Yield (file, line number, record) for each non-blank line; bad JSON becomes a DataError."""
    for file in _files(path):
        try:
            with open_text(file) as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield (
                            str(file),
                            n,
                            DataError(
                                f"not valid JSON ({exc.msg} at column {exc.colno}); each line must "
                                "be one JSON object",
                                path=str(file),
                                line=n,
                            ),
                        )
                        continue
                    if not isinstance(record, dict):
                        yield (
                            str(file),
                            n,
                            DataError(
                                f"expected a JSON object, got {type(record).__name__}",
                                path=str(file),
                                line=n,
                            ),
                        )
                        continue
                    yield str(file), n, record
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise DataError(f"cannot read file: {exc}", path=str(file)) from exc
