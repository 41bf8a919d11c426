"""Local tagging engines: in this process (``--workers 1``) or in a pool of worker
processes (``--workers N``), each of which loads the model once.

Both take checked rows in input order and yield (row, result, reason) in the same order,
with at most a few batches in flight, so memory stays flat whatever the input size.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path

from model.batch.rows import Row, tag_rows

Tagged = tuple[Row, dict, "str | None"]
# The modules a family's model needs, imported once by the fork server, not per worker.
FAMILY_MODULES = {"linear": "model.linear.tagger", "transformer": "model.transformer.tagger"}


def batched(items: Iterable, n: int) -> Iterator[list]:
    """Lists of ``n`` items (the last one shorter), lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, n)):
        yield batch


def _tagged(batch: list[Row], pairs: list[tuple[dict, str | None]]) -> Iterator[Tagged]:
    for row, (result, reason) in zip(batch, pairs, strict=True):
        row.text = None  # done with it: keep only what the output and checkpoint need
        yield row, result, reason


def load_tagger(model_dir: Path | str, runtime: str | None, threads: int = 0):
    """The model in ``model_dir``, on ``runtime`` when given (``Tagger.use_runtime``) and,
    with ``threads``, on at most that many threads of its own (``Tagger.limit_threads``)."""
    from model.api import load

    tagger = load(model_dir)
    if threads:
        tagger.limit_threads(threads)
    return tagger.use_runtime(runtime) if runtime else tagger


def tag_in_process(
    model_dir: Path, rows: Iterable[Row], batch_size: int, runtime: str | None = None
) -> Iterator[Tagged]:
    """Tag ``rows`` with one model loaded in this process (on ``runtime`` when given)."""
    tagger = load_tagger(model_dir, runtime)
    for batch in batched(rows, batch_size):
        yield from _tagged(batch, tag_rows(tagger, batch, batch_size))


# -- worker processes ------------------------------------------------------------------------
_WORKER: dict = {}


def _init_worker(model_dir: str, n_threads: int, runtime: str | None) -> None:
    # Ctrl-C reaches the whole process group; only the main process should act on it
    # (a worker interrupted mid-task can leave the pool hanging).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # So that N workers do not fight over the cores.
        from threadpoolctl import threadpool_limits

        _WORKER["limits"] = threadpool_limits(n_threads)
        # threadpoolctl does not reach ONNX Runtime's own pool: the tagger limits that.
        _WORKER["tagger"] = load_tagger(model_dir, runtime, n_threads)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(n_threads)
    except BaseException as exc:  # noqa: BLE001 - reported by the first task, see _work
        # An exception here would make the pool restart the worker forever.
        _WORKER["error"] = exc


def _work(rows: list[Row], batch_size: int) -> list[tuple[dict, str | None]]:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return tag_rows(_WORKER["tagger"], rows, batch_size)


def _context(family: str | None):
    """forkserver where there is one: a clean process (no threads, unlike this one may
    have) imports the model's libraries once and forks the workers from itself; else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["model.api", FAMILY_MODULES.get(family, "model.api")])
    return context


def tag_in_pool(
    model_dir: Path,
    rows: Iterable[Row],
    batch_size: int,
    workers: int,
    family: str | None = None,
    runtime: str | None = None,
) -> Iterator[Tagged]:
    """Tag ``rows`` in ``workers`` processes, each on its share of the cores; results come
    back in input order."""
    n_threads = max(1, (os.cpu_count() or 1) // workers)
    # A worker that dies breaks the pool with an error, where multiprocessing.Pool would
    # wait forever.
    pool = ProcessPoolExecutor(
        workers,
        mp_context=_context(family),
        initializer=_init_worker,
        initargs=(str(model_dir), n_threads, runtime),
    )
    try:
        pending: deque = deque()
        for batch in batched(rows, batch_size):
            pending.append((batch, pool.submit(_work, batch, batch_size)))
            # A bounded window (Executor.map would read the whole input ahead).
            if len(pending) >= 3 * workers:
                done, job = pending.popleft()
                yield from _tagged(done, job.result())
        while pending:
            done, job = pending.popleft()
            yield from _tagged(done, job.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
