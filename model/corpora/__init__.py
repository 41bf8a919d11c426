"""Corpus loaders: every format into ``datasets.Dataset``s of the one record schema.

A SPEC string names a corpus and how to read it (INTERFACE.md):

- ``PATH.jsonl`` / ``PATH.jsonl.gz`` or a directory of them: the project's own records;
- ``acled:PATH``: an ACLED export, current or pre-2019 layout (CSV, optionally gzip);
- ``ucdp:PATH``: a UCDP GED export (CSV) or UCDP-AEC records (JSONL);
- ``csv:PATH[#field=column,...]``: any CSV, with a column mapping onto schema fields;
- ``weak:PATH[#text=column,...]``: unlabelled articles (CSV or JSONL), whose sentences that
  report an air strike, shelling or a bombing get weak labels (``model.corpora.weak``).

>>> ds = load_corpus("data/corpus")            # doctest: +SKIP
>>> ds = load_corpus("acled:events.csv.gz")    # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import datasets
from datasets.exceptions import DatasetGenerationError

from model.errors import DataError, DataWarning, SpecError
from model.schema import arrow_features, normalise_record, validate_record

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT / "data" / "corpus"

# A reader takes (path, options) and yields (file, line number, record) triples, or
# (file, line number, DataError) for rows it cannot turn into records.
Reader = Callable[[Path, dict[str, str]], Iterator[tuple[str, int, "dict | DataError"]]]


def _readers() -> dict[str, Reader]:
    from model.corpora import acled, csvmap, jsonl, ucdp, weak

    return {
        "acled": acled.read,
        "ucdp": ucdp.read,
        "csv": csvmap.read,
        "jsonl": jsonl.read,
        "weak": weak.read,
    }


KNOWN_PREFIXES = ("acled:", "ucdp:", "csv:", "weak:")


def parse_spec(spec: str) -> tuple[str, Path, dict[str, str]]:
    """Split a SPEC into (format, path, options); checks the format and that the path exists.

    >>> parse_spec("csv:x.csv#text=body")[2]   # doctest: +SKIP
    {'text': 'body'}
    """
    if not isinstance(spec, (str, Path)):
        raise SpecError(f"a corpus SPEC must be a string, got {type(spec).__name__}")
    spec = str(spec)
    fmt, rest = "jsonl", spec
    head, sep, tail = spec.partition(":")
    if sep and len(head) > 1 and "/" not in head and "\\" not in head:
        if f"{head}:" not in KNOWN_PREFIXES:
            raise SpecError(
                f"unknown corpus format {head + ':'!r} in SPEC {spec!r}; known prefixes: "
                f"{', '.join(KNOWN_PREFIXES)}, or a path ending in .jsonl / .jsonl.gz, "
                "or a directory of such files"
            )
        fmt, rest = head, tail
    options: dict[str, str] = {}
    if fmt in ("csv", "weak") and "#" in rest:
        rest, _, mapping = rest.partition("#")
        for item in filter(None, mapping.split(",")):
            key, eq, value = item.partition("=")
            if not eq or not key.strip() or not value.strip():
                raise SpecError(
                    f"bad column mapping {item!r} in SPEC {spec!r}; write field=column, "
                    "e.g. csv:news.csv#text=body,id=doc_id"
                )
            options[key.strip()] = value.strip()
    path = Path(rest).expanduser()
    if not path.exists():
        raise SpecError(
            f"corpus file not found: {str(path)!r} (from SPEC {spec!r}); check the path"
        )
    if fmt == "jsonl" and not (path.is_dir() or path.name.endswith((".jsonl", ".jsonl.gz"))):
        raise SpecError(
            f"cannot tell the format of {spec!r}: a plain path must end in .jsonl or .jsonl.gz "
            f"or be a directory; for other files use a prefix ({', '.join(KNOWN_PREFIXES)})"
        )
    return fmt, path, options


def iter_records(
    spec: str | Path,
    *,
    on_error: str = "raise",
    problems: list[DataError] | None = None,
) -> Iterator[dict]:
    """Stream valid records of a corpus, one dict at a time, in file order.

    ``on_error="raise"`` stops at the first bad row with a ``DataError`` naming file, line,
    id and field. ``on_error="skip"`` leaves bad rows out, appends their errors to
    ``problems`` (when given) and warns once with the count, so nothing is dropped silently.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    fmt, path, options = parse_spec(spec)
    reader = _readers()[fmt]
    found: list[DataError] = []
    for file, line, item in reader(path, options):
        errors = [item] if isinstance(item, DataError) else []
        if not errors:
            record = normalise_record(item)
            errors = validate_record(record, path=file, line=line)
        if not errors:
            yield record
            continue
        if on_error == "raise":
            raise errors[0]
        found.extend(errors)
    if found:
        if problems is not None:
            problems.extend(found)
        shown = "\n  ".join(str(e) for e in found[:3])
        warnings.warn(
            f"skipped {len(found)} bad row(s) of {spec}; first ones:\n  {shown}",
            DataWarning,
            stacklevel=2,
        )


_TMP: list[str] = []


def _scratch_dir() -> str:
    # Arrow files of loaded corpora live here for the life of the process: memory-mapped,
    # so a large export is not held in RAM, and never stale across runs.
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="conflict-tagger-"))
        atexit.register(shutil.rmtree, _TMP[0], True)
    return _TMP[0]


def _generate(spec: str, on_error: str, problems: list[DataError] | None) -> Iterator[dict]:
    yield from iter_records(spec, on_error=on_error, problems=problems)


def load_corpus(
    spec: str | Path | Iterable[str | Path],
    *,
    on_error: str = "raise",
    problems: list[DataError] | None = None,
) -> datasets.Dataset:
    """Load one corpus SPEC (or several, concatenated) as a ``datasets.Dataset``.

    Rows stream from the file into an on-disk Arrow table, so memory stays small whatever
    the file size.

    >>> ds = load_corpus("data/corpus")  # doctest: +SKIP
    >>> sorted(ds.column_names)[:3]  # doctest: +SKIP
    ['actors', 'casualties', 'country']
    """
    if not isinstance(spec, (str, Path)):
        parts = [load_corpus(s, on_error=on_error, problems=problems) for s in spec]
        if not parts:
            raise SpecError("no corpus SPEC given; pass at least one")
        return datasets.concatenate_datasets(parts)
    spec = str(spec)
    parse_spec(spec)  # fail early, before datasets builds anything
    nonce = hashlib.sha1(f"{spec}{tempfile.mktemp()}".encode()).hexdigest()
    try:
        return datasets.Dataset.from_generator(
            _generate,
            features=arrow_features(),
            gen_kwargs={"spec": spec, "on_error": on_error, "problems": problems},
            cache_dir=_scratch_dir(),
            fingerprint=nonce,
        )
    except DatasetGenerationError as exc:
        # datasets wraps our errors; give users the one that says what to fix.
        cause = exc.__cause__
        if isinstance(cause, (DataError, SpecError)):
            raise cause from None
        raise


def default_corpus() -> str:
    """SPEC of the corpus embedded in ``data/``."""
    return str(DEFAULT_CORPUS)
