"""The batch job: read rows, tag them with an engine, write them chunk by chunk with a
checkpoint after each, report progress, and finish with a summary.

>>> from model.batch import BatchConfig, run
>>> summary = run(BatchConfig(Path("news.jsonl"), Path("tags.parquet")))  # doctest: +SKIP
>>> summary.rows, summary.errors  # doctest: +SKIP
(200000, 2)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from model.api import MAX_CHARS
from model.batch.checkpoint import (
    CHECKPOINT_VERSION,
    WorkDir,
    check_resumable,
    input_identity,
    model_identity,
)
from model.batch.progress import Progress
from model.batch.readers import Position, Source, file_format
from model.batch.rows import Row
from model.batch.workers import batched, tag_in_pool, tag_in_process
from model.batch.writers import AppendSink, encode_jsonl, make_sink
from model.config import RUNTIMES
from model.errors import ConfigError
from model.saving import default_model_dir, read_model_dir

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class BatchConfig:
    """One batch job (the options of ``python -m model predict``)."""

    input: Path
    output: Path
    model: Path | None = None  # default: model.saving.default_model_dir()
    batch_size: int = 64  # texts per call of Tagger.predict
    chunk_size: int = 1000  # rows per commit (output flushed, checkpoint written)
    workers: int | None = None  # model copies; default 1 (local), every CPU (ray)
    engine: str = "local"
    ray_address: str | None = None  # an existing Ray cluster; default: start a local one
    resume: bool = False
    overwrite: bool = False
    text_field: str = "text"
    id_field: str = "id"
    max_chars: int = MAX_CHARS
    runtime: str | None = None  # transformer models: see Tagger.use_runtime; None: the model's
    progress: bool = True

    def __post_init__(self) -> None:
        for name in ("input", "output"):
            object.__setattr__(self, name, Path(getattr(self, name)))
        if self.model is not None:
            object.__setattr__(self, "model", Path(self.model))
        for name, low in (("batch_size", 1), ("chunk_size", 1), ("max_chars", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"{name} is {value!r}; allowed: a whole number >= {low}")
        if self.max_chars > MAX_CHARS:
            raise ConfigError(
                f"max_chars is {self.max_chars:,}; allowed: at most {MAX_CHARS:,}, the "
                "limit of Tagger.predict"
            )
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 1):
            raise ConfigError(f"workers is {self.workers!r}; allowed: a whole number >= 1")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine is {self.engine!r}; allowed: {', '.join(ENGINES)}")
        if self.ray_address and self.engine != "ray":
            raise ConfigError("ray_address is set but engine is 'local'; add --engine ray")
        if self.resume and self.overwrite:
            raise ConfigError("resume and overwrite exclude each other; choose one")
        if self.runtime is not None and self.runtime not in RUNTIMES:
            raise ConfigError(f"runtime is {self.runtime!r}; allowed: {', '.join(RUNTIMES)}")


@dataclass(frozen=True)
class Summary:
    """What a finished job did. ``rows`` counts every output row, ``errors`` those that
    could not be tagged; ``seconds`` adds up every run of a resumed job."""

    rows: int
    errors: int
    seconds: float
    resumed_at: int
    output: Path
    errors_path: Path

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        text = (
            f"done: {self.rows:,} rows in {self.seconds:.1f} s ({self.rows_per_second:,.0f} "
            f"rows/s), {self.rows - self.errors:,} tagged, {self.errors:,} errors -> {self.output}"
        )
        if self.resumed_at:
            text += f" (resumed after row {self.resumed_at:,})"
        if self.errors:
            text += f"; rows that could not be tagged are listed in {self.errors_path}"
        return text


def run(config: BatchConfig) -> Summary:
    """Run one batch job to the end (see the module docstring of ``model.batch``)."""
    source = Source(config.input, config.text_field, config.id_field, config.max_chars)
    out_format, out_gz = file_format(config.output, "output")
    source.check()
    if config.input.resolve() == config.output.resolve():
        raise ConfigError(f"INPUT and OUTPUT are the same file ({config.input}); pick another")
    model_dir, meta = read_model_dir(config.model or default_model_dir())
    _check_runtime(config.runtime, model_dir, meta.get("family"))
    work = WorkDir(config.output)
    settings = ("text_field", "id_field", "max_chars", "runtime")
    expected = {
        "input": input_identity(config.input),
        "model": model_identity(model_dir, meta),
        "settings": {k: getattr(config, k) for k in settings},
    }
    state = _start(work, config, expected)
    resumed = state is not None
    state = state or {"version": CHECKPOINT_VERSION, **expected, "rows": 0, "errors": 0}
    state.setdefault("seconds", 0.0)
    sink = make_sink(out_format, out_gz, work.dir)
    errors = AppendSink(work.errors, encode_jsonl)
    start = Position(state["rows"], state.get("pos"), state.get("line") or 0)
    stream = _engine(config, source, start, model_dir, meta.get("family"))
    try:
        sink.open(state["output"] if resumed else None)
        errors.open(state["errors_bytes"] if resumed else None)
        if not resumed:
            _commit(work, state, sink, errors, None, source, 0.0)
        progress = Progress(source, start, enabled=config.progress)
        _write(stream, config.chunk_size, state, work, sink, errors, source, progress)
    finally:
        stream.close()
        sink.close()
        errors.close()
    sink.finish(config.output)
    errors.finish(work.errors_target)
    work.clear()
    return Summary(
        rows=state["rows"],
        errors=state["errors"],
        seconds=state["seconds"],
        resumed_at=start.rows if resumed else 0,
        output=config.output,
        errors_path=work.errors_target,
    )


def _write(stream, chunk_size, state, work, sink, errors, source, progress) -> None:
    """Write the tagged rows chunk by chunk, committing a checkpoint after each."""
    t0 = time.perf_counter()
    try:
        for chunk in batched(stream, chunk_size):
            sink.write([result for _, result, _ in chunk])
            failed = [_error_record(row, result, reason) for row, result, reason in chunk if reason]
            errors.write(failed)
            state["rows"] += len(chunk)
            state["errors"] += len(failed)
            last = chunk[-1][0]
            _commit(work, state, sink, errors, last, source, time.perf_counter() - t0)
            t0 = time.perf_counter()
            progress.update(state["rows"], state["errors"], last)
    finally:
        progress.close()


def _start(work: WorkDir, config: BatchConfig, expected: dict) -> dict | None:
    """The checkpoint to resume from, or None for a fresh start (work directory ready)."""
    state = None if config.overwrite else work.read()
    if state is not None and config.resume:
        check_resumable(state, work, expected)
        return state
    if state is not None:
        raise ConfigError(
            f"{str(work.dir)!r} holds an unfinished run of this job ({state['rows']:,} rows "
            "done); add --resume to continue it, or --overwrite to start again"
        )
    if config.resume and config.progress:
        print(f"nothing to resume in {work.dir}; starting from the first row", file=sys.stderr)
    config.output.parent.mkdir(parents=True, exist_ok=True)
    work.create()
    return None


def _commit(work, state, sink, errors, last: Row | None, source: Source, seconds: float):
    state["output"] = sink.committed
    state["errors_bytes"] = errors.committed
    state["seconds"] = round(state["seconds"] + seconds, 3)
    if last is not None:
        state["pos"] = last.pos if source.seekable else None
        state["line"] = last.line
    work.commit(state)


def _error_record(row: Row, result: dict, reason: str) -> dict:
    record: dict = {"row": row.row}
    if row.line is not None:
        record["line"] = row.line
    if "id" in result:
        record["id"] = result["id"]
    record["reason"] = reason
    return record


def _check_runtime(runtime: str | None, model_dir: Path, family: str | None) -> None:
    """Before any row is read: a runtime the model cannot run on is a ``ConfigError`` here,
    not an error record on every row."""
    if runtime in (None, "auto"):
        return
    if family != "transformer":
        raise ConfigError(
            f"--runtime {runtime} applies to transformer models; {str(model_dir)!r} holds a "
            f"{family} model, which takes only 'auto'"
        )
    from model.transformer.runtime import ONNX_FP32, ONNX_INT8, onnxruntime_available

    needed = {"onnx": ONNX_FP32, "onnx-int8": ONNX_INT8}.get(runtime)
    if needed and not (model_dir / needed).is_file():
        raise ConfigError(
            f"--runtime {runtime} needs {needed} in {str(model_dir)!r}, which was saved "
            "without it (transformer.onnx / transformer.int8); pick another runtime"
        )
    if needed and not onnxruntime_available():
        raise ConfigError(f"--runtime {runtime} needs onnxruntime; pip install onnxruntime")


def _engine(
    config: BatchConfig, source: Source, start: Position, model_dir: Path, family: str | None
) -> Iterator[tuple[Row, dict, str | None]]:
    if config.engine == "ray":
        try:
            from model.batch.ray_engine import tag_on_ray
        except ImportError as exc:
            if not (exc.name or "").startswith("ray"):
                raise
            raise ConfigError(
                "--engine ray needs Ray Data, which is not installed; install the extra with "
                "pip install 'conflict-tagger[ray]' (or pip install 'ray[data]')"
            ) from None

        return tag_on_ray(
            model_dir,
            source,
            start,
            config.batch_size,
            config.workers,
            config.ray_address,
            config.runtime,
        )
    rows = source.rows(start)
    if (config.workers or 1) == 1:
        return tag_in_process(model_dir, rows, config.batch_size, config.runtime)
    return tag_in_pool(model_dir, rows, config.batch_size, config.workers, family, config.runtime)
