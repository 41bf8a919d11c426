"""Tagging on Ray Data (``--engine ray``): the same rows, the same ``tag_rows``, the same
output as the local engine, with the model running in a pool of Ray actors that can span
many machines.

The pipeline is ``read_datasource`` (the project's own streaming readers, so bad rows are
reported, not fatal) -> ``map_batches`` over a pool of model actors -> results streamed
back in input order to the driver, which writes OUTPUT and its checkpoints as the local
engine does (one file, in order, resumable). The read task is pinned to the driver's node
and the model directory is shipped to the actors through the object store, so INPUT,
OUTPUT and the model can be local paths even on a remote cluster.

Ray is an optional extra: ``pip install 'conflict-tagger[ray]'``.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # no token under $HOME for a local Ray

import pyarrow as pa  # noqa: E402
import ray  # noqa: E402
from ray.data import ActorPoolStrategy, DataContext  # noqa: E402
from ray.data.block import BlockMetadata  # noqa: E402
from ray.data.datasource import Datasource, ReadTask  # noqa: E402

from model.batch.readers import Position, Source  # noqa: E402
from model.batch.rows import Row, result_json, tag_rows  # noqa: E402
from model.batch.workers import batched, load_tagger  # noqa: E402

BATCHES_PER_BLOCK = 8  # a block read, and one call of an actor, holds 8 model batches
_IN = pa.schema(
    [
        ("row", pa.int64()),
        ("line", pa.int64()),
        ("pos", pa.int64()),
        ("text", pa.string()),
        ("id", pa.string()),  # JSON, so that the id keeps its type
        ("reason", pa.string()),
    ]
)
_OUT = pa.schema(
    [
        ("row", pa.int64()),
        ("line", pa.int64()),
        ("pos", pa.int64()),
        ("reason", pa.string()),
        ("result", pa.string()),  # JSON of the result
    ]
)


def _id_json(rid: object) -> str | None:
    return None if rid is None else json.dumps(rid, ensure_ascii=False)


def _read_blocks(source: Source, start: Position, block_rows: int) -> Iterator[pa.Table]:
    for rows in batched(source.rows(start), block_rows):
        yield pa.table(
            {
                "row": [r.row for r in rows],
                "line": [r.line for r in rows],
                "pos": [r.pos for r in rows],
                "text": [r.text for r in rows],
                "id": [_id_json(r.id) for r in rows],
                "reason": [r.reason for r in rows],
            },
            schema=_IN,
        )


class RowsDatasource(Datasource):
    """One read task that streams the rows of ``source`` from ``start``, in order."""

    def __init__(self, source: Source, start: Position, block_rows: int):
        super().__init__()
        self.source, self.start, self.block_rows = source, start, block_rows

    def estimate_inmemory_data_size(self) -> int | None:
        return None

    def get_read_tasks(self, parallelism: int, **kwargs) -> list[ReadTask]:
        # One task: reading is far faster than tagging, and a single reader keeps the
        # order and the row numbers without any bookkeeping.
        source, start, block_rows = self.source, self.start, self.block_rows
        meta = BlockMetadata(
            num_rows=None, size_bytes=None, input_files=[str(source.path)], exec_stats=None
        )
        return [ReadTask(lambda: _read_blocks(source, start, block_rows), meta)]


class TagActor:
    """One copy of the model, loaded once per actor from the shipped model directory."""

    def __init__(self, files_ref: list, batch_size: int, runtime: str | None):
        files = ray.get(files_ref[0])
        self.dir = tempfile.TemporaryDirectory(prefix="conflict-tagger-model-")
        for name, data in files.items():
            path = Path(self.dir.name, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        # One CPU per actor (num_cpus=1 below): ONNX Runtime would otherwise use every core.
        self.tagger = load_tagger(self.dir.name, runtime, threads=1)
        self.batch_size = batch_size

    def __call__(self, table: pa.Table) -> pa.Table:
        cols = table.to_pydict()
        rows = [
            Row(n, text, None if rid is None else json.loads(rid), reason, line, pos)
            for n, text, rid, reason, line, pos in zip(
                cols["row"],
                cols["text"],
                cols["id"],
                cols["reason"],
                cols["line"],
                cols["pos"],
                strict=True,
            )
        ]
        pairs = tag_rows(self.tagger, rows, self.batch_size)
        return pa.table(
            {
                "row": cols["row"],
                "line": cols["line"],
                "pos": cols["pos"],
                "reason": [reason for _, reason in pairs],
                "result": [result_json(result) for result, _ in pairs],
            },
            schema=_OUT,
        )


def model_files(model_dir: Path) -> dict[str, bytes]:
    """Every file of a model directory, by relative path."""
    return {
        str(p.relative_to(model_dir)): p.read_bytes()
        for p in sorted(Path(model_dir).rglob("*"))
        if p.is_file()
    }


def _connect(address: str | None, workers: int | None) -> bool:
    """Start or join Ray; True when this call started it (and so must shut it down)."""
    if ray.is_initialized():
        return False
    options = {"include_dashboard": False, "logging_level": logging.WARNING, "log_to_driver": False}
    if address:
        # Ship this package, so the cluster runs the same code as this driver.
        package = str(Path(__file__).resolve().parents[1])
        ray.init(address=address, runtime_env={"py_modules": [package]}, **options)
    else:
        # Room for every actor asked for, even past the number of cores.
        ray.init(num_cpus=max(workers or 0, os.cpu_count() or 1), **options)
    return True


def _quiet() -> None:
    """Ray Data's own INFO logs and progress bars would interleave with the job's."""
    context = DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def tag_on_ray(
    model_dir: Path,
    source: Source,
    start: Position,
    batch_size: int,
    workers: int | None,
    address: str | None,
    runtime: str | None = None,
) -> Iterator[tuple[Row, dict, str | None]]:
    """Tag the rows of ``source`` on Ray; yields (row, result, reason) in input order.
    Each model actor holds one CPU and runs on ``runtime`` when given."""
    started = _connect(address, workers)
    try:
        _quiet()
        n_actors = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        block_rows = batch_size * BATCHES_PER_BLOCK
        ds = ray.data.read_datasource(
            RowsDatasource(source, start, block_rows),
            num_cpus=0,  # a light task: the CPUs go to the model actors
            # On the driver's node, where INPUT is.
            resources={f"node:{ray.util.get_node_ip_address()}": 0.001},
        )
        # In a list, so the actors borrow the model from the object store rather than
        # own it as a constructor argument.
        files = [ray.put(model_files(model_dir))]
        ds = ds.map_batches(
            TagActor,
            fn_constructor_args=(files, batch_size, runtime),
            batch_size=block_rows,
            batch_format="pyarrow",
            compute=ActorPoolStrategy(size=n_actors),
            num_cpus=1,
        )
        for table in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            cols = table.to_pydict()
            for n, line, pos, reason, result in zip(
                cols["row"],
                cols["line"],
                cols["pos"],
                cols["reason"],
                cols["result"],
                strict=True,
            ):
                yield Row(n, None, None, reason, line, pos), json.loads(result), reason
    finally:
        if started:
            ray.shutdown()
