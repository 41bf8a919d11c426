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
