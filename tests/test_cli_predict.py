"""`python -m model predict`: the command, its options, and a real kill then --resume."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from test_batch import id_rows, make_texts, read_rows, train_tiny_model, write_rows

from model.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return train_tiny_model(tmp_path_factory)


def predict(*args):
    return main(["predict", *map(str, args)])


def test_predict_writes_one_row_per_input_in_order(model_dir, tmp_path, capsys):
    from model.api import load

    rows = id_rows(15)
    src = write_rows(tmp_path / "in.jsonl", rows)
    assert predict("--model", model_dir, src, tmp_path / "out.jsonl", "--batch-size", 4) == 0
    out = read_rows(tmp_path / "out.jsonl")
    assert out == load(model_dir).predict([r["text"] for r in rows], ids=[r["id"] for r in rows])
    err = capsys.readouterr().err
    assert "done: 15 rows in" in err and "15 tagged, 0 errors" in err
    assert (tmp_path / "out.jsonl.errors.jsonl").read_text() == ""


def test_default_model_dir(model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICT_TAGGER_MODEL", str(model_dir))
    src = write_rows(tmp_path / "in.jsonl", id_rows(3))
    assert predict(src, tmp_path / "out.jsonl", "--quiet") == 0
    assert len(read_rows(tmp_path / "out.jsonl")) == 3
    monkeypatch.setenv("CONFLICT_TAGGER_MODEL", str(tmp_path / "nowhere"))
    assert predict(src, tmp_path / "out2.jsonl", "--quiet") == 2


def test_errors_exit_2_with_a_message(model_dir, tmp_path, capsys):
    src = write_rows(tmp_path / "in.jsonl", id_rows(3))
    assert predict("--model", tmp_path / "none", src, tmp_path / "o.jsonl") == 2
    assert "no model directory at" in capsys.readouterr().err
    assert predict("--model", model_dir, src, tmp_path / "o.xlsx") == 2
    assert "cannot tell the output format" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_text_and_id_field_options(model_dir, tmp_path):
    rows = [{"doc": f"d{i}", "body": t} for i, t in enumerate(make_texts(4))]
    src = write_rows(tmp_path / "in.csv", rows)
    assert predict("--model", model_dir, src, tmp_path / "o.jsonl", "--quiet") == 2
    args = ["--text-field", "body", "--id-field", "doc", "--quiet"]
    assert predict("--model", model_dir, src, tmp_path / "o.jsonl", *args) == 0
    assert [r["id"] for r in read_rows(tmp_path / "o.jsonl")] == ["d0", "d1", "d2", "d3"]


def test_max_chars_option(model_dir, tmp_path):
    src = write_rows(tmp_path / "in.jsonl", id_rows(3))
    assert (
        predict("--model", model_dir, src, tmp_path / "o.jsonl", "--max-chars", 20, "--quiet") == 0
    )
    out = read_rows(tmp_path / "o.jsonl")
    assert all("over the limit of 20" in r["error"] for r in out)


def test_start_up_imports_no_heavy_library():
    code = (
        "import sys; from model.__main__ import main\n"
        "try: main(['predict', '--help'])\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'ray', 'pyarrow', 'sklearn', 'datasets')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_kill_then_resume_gives_every_row_exactly_once(model_dir, tmp_path):
    rows = id_rows(4000, prefix="k")
    rows[1234]["text"] = ""
    src = write_rows(tmp_path / "in.jsonl.gz", rows)
    out = tmp_path / "out.jsonl"
    checkpoint = tmp_path / "out.jsonl.partial" / "checkpoint.json"
    args = [sys.executable, "-m", "model", "predict", "--model", str(model_dir), str(src)]
    args += [str(out), "--chunk-size", "50", "--batch-size", "10", "--quiet"]
    job = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while done == 0 and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.02)
        try:
            done = json.loads(checkpoint.read_text())["rows"]
        except (OSError, ValueError, KeyError):
            continue
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert job.returncode == -signal.SIGKILL, "the job ended before it could be killed"
    assert not out.exists() and 0 < done < 4000
    resumed = subprocess.run([*args, "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    got = read_rows(out)
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    assert got[1234]["error"] == "text is empty"
    errors = read_rows(tmp_path / "out.jsonl.errors.jsonl")
    assert [(e["row"], e["id"]) for e in errors] == [(1235, "k1234")]
