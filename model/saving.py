"""Saved models: versioned directories anyone can inspect, loaded without executing code.

Layout (STYLE.md): ``model.json`` (format version, family, library versions, git commit,
data fingerprint, creation time, SHA-256 of every weight file), ``config.json``,
``labels.json``, weights (``.npz`` / ``.safetensors`` / JSON), ``metrics.json`` and a
``README.md`` model card. A changed weight file or an unknown major format version is
refused with a clear error.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import ModelLoadError

FORMAT_VERSION = "1.0"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_DIR = REPO_ROOT / "runs" / "model"
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "datasets", "torch", "transformers", "safetensors")


def default_model_dir() -> Path:
    """Where ``train.py`` writes and ``load()`` looks by default (``$CONFLICT_TAGGER_MODEL``
    overrides it)."""
    return Path(os.environ.get("CONFLICT_TAGGER_MODEL", DEFAULT_MODEL_DIR))


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_commit() -> str | None:
    """The repository's commit, with ``-dirty`` when it has uncommitted changes."""
    try:
        run = lambda *a: subprocess.run(  # noqa: E731
            ["git", *a], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        )
        head = run("rev-parse", "HEAD")
        if head.returncode != 0:
            return None
        dirty = run("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return head.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def fingerprint(records: list[dict]) -> str:
    """SHA-256 over the texts and labels of the training records, in order."""
    digest = hashlib.sha256()
    for rec in records:
        digest.update(json.dumps(rec, sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def save_model_dir(
    out: str | Path,
    *,
    family: str,
    config: dict,
    labels: dict,
    metrics: dict,
    card: str,
    data_fingerprint: str,
    weight_files: dict[str, Any],
    extra: dict | None = None,
) -> Path:
    """Write a model directory atomically (a half-written model never replaces a good one).

    ``weight_files`` maps file names to content: a dict of arrays for ``.npz``, a
    JSON-ready object for ``.json``, or a callable ``write(path)`` for other formats.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, content in weight_files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".npz"):
                np.savez_compressed(path, **content)
            elif name.endswith(".json"):
                write_json(path, content)
            else:
                content(path)
        write_json(tmp / "config.json", config)
        write_json(tmp / "labels.json", labels)
        write_json(tmp / "metrics.json", metrics)
        (tmp / "README.md").write_text(card, encoding="utf-8")
        # Every file but model.json itself is checksummed, so any edit is caught on load.
        files = {
            str(p.relative_to(tmp)): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()
        }
        write_json(
            tmp / "model.json",
            {
                "format_version": FORMAT_VERSION,
                "family": family,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "git_commit": git_commit(),
                "data_fingerprint": data_fingerprint,
                "libraries": library_versions(),
                "files": files,
                **(extra or {}),
            },
        )
        if out.exists():
            old = out.with_name(f".{out.name}-old-{os.getpid()}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"cannot read {path}: {exc}; the model directory is damaged") from None


def read_model_dir(path: str | Path) -> tuple[Path, dict]:
    """Check a model directory and return (path, model.json). Verifies the format version
    and the checksum of every weight file."""
    path = Path(path)
    if not path.is_dir():
        raise ModelLoadError(
            f"no model directory at {str(path)!r}; train one with `python train.py --out {path}` "
            "or pass the directory of a trained model"
        )
    meta_path = path / "model.json"
    if not meta_path.exists():
        raise ModelLoadError(
            f"{str(path)!r} has no model.json, so it is not a saved model of this project"
        )
    meta = _read_json(meta_path)
    version = str(meta.get("format_version", ""))
    major = version.split(".")[0]
    if major != FORMAT_VERSION.split(".")[0]:
        raise ModelLoadError(
            f"model format version {version!r} in {str(meta_path)!r} is not supported; this "
            f"version of the package reads {FORMAT_VERSION.split('.')[0]}.x. Retrain the model "
            "or install the package version that wrote it"
        )
    for name, expected in (meta.get("files") or {}).items():
        file = path / name
        if not file.exists():
            raise ModelLoadError(f"model file {str(file)!r} is missing; copy the whole directory")
        if sha256_file(file) != expected:
            raise ModelLoadError(
                f"model file {str(file)!r} does not match the checksum in model.json: it was "
                "changed or damaged after saving. Restore it or retrain the model"
            )
    return path, meta


def read_json_file(path: Path) -> Any:
    """A JSON file of a model directory, with a clear error when it is damaged."""
    if not path.exists():
        raise ModelLoadError(f"model file {str(path)!r} is missing; copy the whole directory")
    return _read_json(path)


def load_npz(path: Path) -> dict[str, np.ndarray]:
    """Arrays of an ``.npz`` file, refusing pickled objects."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot read weights {str(path)!r}: {exc}") from None
