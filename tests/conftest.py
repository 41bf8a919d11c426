import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _offline_caches(tmp_path_factory):
    # No network, and no caches written under the home directory.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ["HF_HOME"] = str(tmp_path_factory.mktemp("hf-home"))
    yield


def saved_copy(model_dir: Path, dest: Path, edit_config) -> Path:
    """A copy of a saved model directory at ``dest`` whose config.json ``edit_config`` (a
    function of the settings dict) has changed, with model.json's checksum to match: a
    model as an earlier version would have saved it."""
    import shutil

    shutil.copytree(model_dir, dest)
    config = json.loads((dest / "config.json").read_text())
    edit_config(config)
    (dest / "config.json").write_text(json.dumps(config))
    match_checksum(dest, "config.json")
    return dest


def match_checksum(model_dir: Path, name: str) -> None:
    """Set model.json's checksum of file ``name`` to the file as it now is, so that a test's
    edit is not refused as tampering."""
    from model.saving import sha256_file

    meta = json.loads((model_dir / "model.json").read_text())
    meta["files"][name] = sha256_file(model_dir / name)
    (model_dir / "model.json").write_text(json.dumps(meta))


def record(rid="r1", text="Rebels attacked the town.", **overrides):
    """A valid record in the project's schema, with fields overridden."""
    base = {
        "id": rid,
        "text": text,
        "event_types": [],
        "sub_event_types": [],
        "actors": [],
        "casualties": False,
        "killed": None,
        "injured": None,
        "unlabelled": [],
        "source": "tests",
        "country": "Syria",
        "date": "2024-01-01",
        "genre": "note",
    }
    base.update(overrides)
    return base


def write_jsonl(path: Path, records, raw_lines=()):
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
        for line in raw_lines:
            fh.write(line + "\n")
    return path
