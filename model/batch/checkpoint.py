"""The work directory of a batch job, and its checkpoint.

While ``python -m model predict IN OUT`` runs, everything it writes lives in ``OUT.partial/``:
the output so far (``output.partial``, or ``parts/`` for Parquet), the errors so far
(``errors.jsonl``) and ``checkpoint.json``. After each chunk the output and errors are
flushed to disk first and the checkpoint is replaced atomically afterwards, so the
checkpoint never counts rows that are not on disk. ``--resume`` cuts the files back to
what the checkpoint counts and reads on from its position: a kill at any moment loses no
row and writes none twice. At the end the output is moved to ``OUT``, the errors to
``OUT.errors.jsonl``, and the work directory is removed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from model.errors import ConfigError

CHECKPOINT_VERSION = 1


class WorkDir:
    """``OUT.partial/``: the unfinished output of a job, and its checkpoint."""

    def __init__(self, output: Path):
        self.output = output
        self.dir = output.with_name(output.name + ".partial")
        self.checkpoint = self.dir / "checkpoint.json"
        self.errors = self.dir / "errors.jsonl"

    @property
    def errors_target(self) -> Path:
        return self.output.with_name(self.output.name + ".errors.jsonl")

    def read(self) -> dict | None:
        """The last committed checkpoint, or None when there is none."""
        try:
            state = json.loads(self.checkpoint.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read the checkpoint {str(self.checkpoint)!r}: {exc}; start again "
                "with --overwrite"
            ) from None
        if state.get("version") != CHECKPOINT_VERSION:
            raise ConfigError(
                f"checkpoint {str(self.checkpoint)!r} has version {state.get('version')!r}, "
                f"this package writes {CHECKPOINT_VERSION}; start again with --overwrite"
            )
        return state

    def commit(self, state: dict) -> None:
        """Replace the checkpoint atomically (write, fsync, rename, fsync the directory)."""
        tmp = self.checkpoint.with_name("checkpoint.json.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(state, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.checkpoint)
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def create(self) -> None:
        self.clear()
        self.dir.mkdir(parents=True)

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def input_identity(path: Path) -> dict:
    """What must not change between a run and its ``--resume``: the input file."""
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def model_identity(path: Path, meta: dict) -> dict:
    """What must not change between a run and its ``--resume``: the model."""
    return {
        "path": str(path.resolve()),
        "created": meta.get("created"),
        "data_fingerprint": meta.get("data_fingerprint"),
    }


def check_resumable(state: dict, work: WorkDir, expected: dict) -> None:
    """A ``ConfigError`` when the checkpoint was written for another input, model or
    settings: mixing them in one output would be silently wrong."""
    for key, what in (("input", "input file"), ("model", "model"), ("settings", "settings")):
        if state.get(key) != expected[key]:
            raise ConfigError(
                f"cannot resume {str(work.output)!r}: the {what} changed since the run that "
                f"wrote {str(work.checkpoint)!r} (then {state.get(key)}, now {expected[key]}). "
                "Restore it, or start again with --overwrite"
            )
