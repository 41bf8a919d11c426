"""One input row on its way through batch inference: checking it, tagging rows with the
same ``Tagger.predict`` as the Python API, and the output row of a row that cannot be tagged.

Every engine (in-process, worker processes, Ray actors) and ``Tagger.predict_stream`` go
through ``tag_rows``, so they give the same results for the same rows.

>>> rows = [check_row(1, {"id": "a", "text": ""}, max_chars=100)]
>>> rows[0].reason
'text is empty'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# Fields of one result, in the order of INTERFACE.md ("id" comes first when present).
RESULT_FIELDS = (
    "event_types",
    "event_type_scores",
    "sub_event_types",
    "actors",
    "actor_categories",
    "casualties",
    "casualty_score",
    "killed",
    "injured",
    "evidence",
)
ON_ERROR = ("raise", "report")


@dataclass(slots=True)
class Row:
    """One input row. ``reason`` says why it cannot be tagged (then ``text`` is None)."""

    row: int  # 1-based position among the input rows
    text: str | None
    id: Any = None
    reason: str | None = None
    line: int | None = None  # line of the input file where the row starts (JSONL, CSV)
    pos: int | None = None  # bytes of the input read so far (exact for plain JSONL: resume)


def check_text(text: object, max_chars: int) -> str | None:
    """Why ``text`` cannot be tagged, or None when it can."""
    if text is None:
        return "text is missing (null)"
    if not isinstance(text, str):
        return f"text is {type(text).__name__}, not a string"
    if not text.strip():
        return "text is empty"
    if len(text) > max_chars:
        return (
            f"text has {len(text):,} characters, over the limit of {max_chars:,} "
            "(--max-chars); split it into articles"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text has bytes that are not valid UTF-8; re-encode the input as UTF-8"
    return None


def clean_id(rid: object) -> object:
    """The id as it can be written back: JSON types stay, others become strings, and bytes
    that are not UTF-8 become U+FFFD."""
    if rid is not None and not isinstance(rid, (str, int, float, bool, list, dict)):
        return str(rid)  # e.g. a Parquet date: keep it readable in every output format
    if isinstance(rid, str):
        try:
            rid.encode("utf-8")
        except UnicodeEncodeError:
            return rid.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return rid


def check_row(
    number: int,
    value: object,
    *,
    max_chars: int,
    text_field: str = "text",
    id_field: str = "id",
    line: int | None = None,
    pos: int | None = None,
) -> Row:
    """A ``Row`` from one parsed input row (a dict), checked for what would stop tagging."""
    if not isinstance(value, dict):
        reason = f"row is a JSON {type(value).__name__}, not an object with a {text_field!r} field"
        return Row(number, None, None, reason, line, pos)
    rid = clean_id(value.get(id_field))
    if rid == "":
        rid = None  # an empty CSV cell is no id
    if text_field not in value:
        reason = f"row has no {text_field!r} field (fields: {sorted(value)[:10]})"
        return Row(number, None, rid, reason, line, pos)
    text = value[text_field]
    reason = check_text(text, max_chars)
    return Row(number, None if reason else text, rid, reason, line, pos)


def error_result(rid: object, reason: str) -> dict:
    """The output row of a row that cannot be tagged: its id, the reason, empty labels."""
    result: dict[str, Any] = {} if rid is None else {"id": rid}
    result["error"] = reason
    result.update(
        event_types=[],
        event_type_scores={},
        sub_event_types=[],
        actors=[],
        actor_categories=[],
        casualties=None,
        casualty_score=None,
        killed=None,
        injured=None,
        evidence=[],
    )
    return result


def tag_rows(tagger, rows: list[Row], batch_size: int = 64) -> list[tuple[dict, str | None]]:
    """(result, reason) per row, in order; ``reason`` is None for a tagged row.

    Tags the good rows with ``tagger.predict``; when the model fails on a batch, each row
    is tried alone so that one bad row does not take its neighbours down with it.
    """
    good = [r for r in rows if r.reason is None]
    done = _predict_isolating(tagger, good, batch_size)
    out = []
    for r in rows:
        if r.reason is not None:
            out.append((error_result(r.id, r.reason), r.reason))
        else:
            out.append(next(done))
    return out


def _predict_isolating(tagger, rows: list[Row], batch_size: int) -> Iterator[tuple[dict, None]]:
    if not rows:
        return iter(())
    try:
        results = tagger.predict(
            [r.text for r in rows], ids=[r.id for r in rows], batch_size=batch_size
        )
        return ((res, None) for res in results)
    except Exception as exc:  # noqa: BLE001 - a model failure must not stop the job
        if len(rows) == 1:
            reason = f"the model failed on this row: {exc!r}"
            return iter([(error_result(rows[0].id, reason), reason)])
    return (pair for r in rows for pair in _predict_isolating(tagger, [r], batch_size))


def stream_results(
    tagger, rows: Iterable[object], *, batch_size: int = 64, on_error: str = "raise"
) -> Iterator[dict]:
    """``Tagger.predict_stream``: results for texts or rows ({"text": ..., "id": ...}),
    lazily, batch by batch, in order.

    With ``on_error="report"`` a row that cannot be tagged gives ``error_result`` (an
    "error" field and empty labels), as in the output of ``python -m model predict``.
    """
    from model.api import MAX_CHARS
    from model.errors import InputError

    if on_error not in ON_ERROR:
        raise InputError(f"on_error is {on_error!r}; allowed: {', '.join(ON_ERROR)}")
    if isinstance(rows, (str, bytes, dict)):
        raise InputError(
            "predict_stream() takes an iterable of texts or rows, got a single "
            f"{type(rows).__name__}; wrap it in a list"
        )
    if batch_size < 1:
        raise InputError(f"batch_size must be at least 1, got {batch_size}")
    batch: list[object] = []
    for item in rows:
        batch.append(item)
        if len(batch) == batch_size:
            yield from _stream_batch(tagger, batch, batch_size, on_error, MAX_CHARS)
            batch = []
    if batch:
        yield from _stream_batch(tagger, batch, batch_size, on_error, MAX_CHARS)


def _stream_batch(tagger, batch, batch_size, on_error, max_chars) -> list[dict]:
    if on_error == "raise":
        # The API's own checks raise, exactly as predict() does for a list of texts.
        texts = [item.get("text") if isinstance(item, dict) else item for item in batch]
        ids = [item.get("id") if isinstance(item, dict) else None for item in batch]
        has_ids = any(rid is not None for rid in ids)
        return tagger.predict(texts, ids=ids if has_ids else None, batch_size=batch_size)
    rows = [
        check_row(0, item if isinstance(item, dict) else {"text": item}, max_chars=max_chars)
        for item in batch
    ]
    return [result for result, _ in tag_rows(tagger, rows, batch_size)]


def result_json(result: dict) -> str:
    """One result as a JSON line (without the newline)."""
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))
