"""Batch inference (model.batch): formats, bad rows, resume, workers, Ray, predict_stream."""

import csv
import gzip
import json

import pytest
from conftest import record

from model.batch import BatchConfig, predict_file
from model.batch.checkpoint import WorkDir
from model.batch.rows import Row, tag_rows
from model.errors import ConfigError, DataError, InputError

TEMPLATES = [
    ("Rebels clashed with army troops near {p}; {n} soldiers were killed.", ["battles"], True),
    (
        "Government aircraft bombed a market in {p}, killing {n} civilians.",
        ["explosions_remote_violence"],
        True,
    ),
    (
        "Hundreds of teachers marched peacefully through {p} to demand higher pay.",
        ["protests"],
        False,
    ),
    ("A mob set fire to shops and cars in {p} after a disputed vote.", ["riots"], False),
    (
        "Gunmen abducted {n} villagers from their homes in {p} overnight.",
        ["violence_against_civilians"],
        False,
    ),
    ("The ministry opened a new football stadium in {p} on Monday.", [], False),
]
PLACES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]


def make_texts(n: int) -> list[str]:
    """``n`` short made-up notes, varied enough for a model to tell apart."""
    return [
        TEMPLATES[i % len(TEMPLATES)][0].format(p=PLACES[(i // 6) % len(PLACES)], n=2 + i % 9)
        for i in range(n)
    ]


def train_tiny_model(tmp_path_factory):
    """A tiny linear model, trained once per test session and shared by the test files."""
    path = tmp_path_factory.getbasetemp() / "tiny-batch-model"
    if (path / "model.json").exists():
        return path
    from model.config import LinearConfig, TrainConfig
    from model.linear.tagger import LinearTagger

    records = []
    for i, text in enumerate(make_texts(48)):
        _, types, casualties = TEMPLATES[i % len(TEMPLATES)]
        records.append(record(f"t{i}", text, event_types=types, casualties=casualties))
    config = TrainConfig(linear=LinearConfig(min_df=1, mil_rounds=0, max_iter=200))
    tagger = LinearTagger.fit(records[:36], records[36:], config, progress=False)
    tagger.save(path, metrics={}, card="tiny test model", data_fingerprint="tests")
    return path


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return train_tiny_model(tmp_path_factory)


@pytest.fixture(scope="session")
def tagger(model_dir):
    from model.api import load

    return load(model_dir)


def write_rows(path, rows):
    """Rows (dicts) as JSONL, JSONL.gz, CSV or Parquet, by the file ending."""
    name = str(path)
    if name.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=7)
    elif name.endswith(".csv"):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in rows)
    return path


def read_rows(path):
    """Output rows back as dicts; CSV values parsed from JSON, Parquet JSON columns too."""
    name = str(path)
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        for r in rows:
            r["actors"], r["evidence"] = json.loads(r["actors"]), json.loads(r["evidence"])
        return rows
    if name.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            return [
                {k: (v if k in ("id", "error") or v == "" else json.loads(v)) for k, v in r.items()}
                for r in csv.DictReader(fh)
            ]
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def id_rows(n, prefix="a"):
    return [{"id": f"{prefix}{i}", "text": t} for i, t in enumerate(make_texts(n))]


def run(model_dir, src, out, **options):
    return predict_file(src, out, model=model_dir, progress=False, **options)


def test_bad_rows_reported_and_the_rest_tagged(model_dir, tagger, tmp_path):
    rows = id_rows(12)
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(r).encode() for r in rows]
    lines[2] = json.dumps({"id": "empty", "text": "  "}).encode()
    lines[4] = json.dumps({"id": "number", "text": 42}).encode()
    lines[5] = b'{"id": "broken", "text": '
    lines[6] = '{"id": "latin1", "text": "caf\xe9"}'.encode("latin-1")
    lines[7] = json.dumps({"id": "huge", "text": "x" * 300}).encode()
    lines[8] = json.dumps({"id": "no-text", "body": "Rebels attacked."}).encode()
    lines[9] = b'["a list"]'
    src.write_bytes(b"\n".join(lines) + b"\n\n")  # a trailing blank line is not a row
    summary = run(model_dir, src, tmp_path / "out.jsonl", max_chars=200, chunk_size=5)
    out = read_rows(tmp_path / "out.jsonl")
    assert len(out) == 12 and summary.rows == 12 and summary.errors == 7
    errors = read_rows(tmp_path / "out.jsonl.errors.jsonl")
    assert [(e["row"], e.get("id")) for e in errors] == [
        (3, "empty"),
        (5, "number"),
        (6, None),
        (7, "latin1"),
        (8, "huge"),
        (9, "no-text"),
        (10, None),
    ]
    reasons = " | ".join(e["reason"] for e in errors)
    for expected in (
        "text is empty",
        "text is int, not a string",
        "not valid JSON",
        "not valid UTF-8",
        "over the limit of 200",
        "no 'text' field",
        "not an object",
    ):
        assert expected in reasons
    bad = out[2]
    assert bad["id"] == "empty" and bad["error"] == "text is empty"
    assert bad["event_types"] == [] and bad["casualties"] is None
    good = [i for i in range(12) if i not in (2, 4, 5, 6, 7, 8, 9)]
    expected = tagger.predict([rows[i]["text"] for i in good], ids=[rows[i]["id"] for i in good])
    assert [out[i] for i in good] == expected


def test_a_50_mb_line_is_skipped_not_loaded(model_dir, tmp_path):
    src = tmp_path / "in.jsonl"
    with open(src, "w") as fh:
        fh.write(json.dumps({"id": "a", "text": make_texts(1)[0]}) + "\n")
        fh.write(json.dumps({"id": "big", "text": "y" * 50_000_000}) + "\n")
        fh.write(json.dumps({"id": "c", "text": make_texts(2)[1]}) + "\n")
    run(model_dir, src, tmp_path / "out.jsonl")
    out = read_rows(tmp_path / "out.jsonl")
    assert [r.get("id") for r in out] == ["a", None, "c"]
    assert "bytes, over the limit" in out[1]["error"] and "error" not in out[2]


@pytest.mark.parametrize(
    "src_name,out_name",
    [
        ("in.jsonl.gz", "out.parquet"),
        ("in.csv", "out.jsonl.gz"),
        ("in.parquet", "out.csv"),
        ("in.jsonl", "out.csv.gz"),
    ],
)
def test_formats_in_and_out(model_dir, tagger, tmp_path, src_name, out_name):
    rows = id_rows(20)
    rows[3]["text"] = ""
    src = write_rows(tmp_path / src_name, rows)
    run(model_dir, src, tmp_path / out_name, chunk_size=6)
    if out_name.endswith(".csv.gz"):
        with gzip.open(tmp_path / out_name, "rt") as fh:
            out = list(csv.DictReader(fh))
        assert [r["id"] for r in out] == [r["id"] for r in rows]
        return
    out = read_rows(tmp_path / out_name)
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    assert out[3]["error"] == "text is empty" and out[3]["event_types"] == []
    expected = tagger.predict([r["text"] for r in rows[4:]])
    for got, want in zip(out[4:], expected, strict=True):
        assert got["event_types"] == want["event_types"]
        assert got["event_type_scores"] == want["event_type_scores"]
        assert got["casualties"] == want["casualties"]
        assert got["evidence"] == want["evidence"]
        assert not got.get("error")


def test_rows_without_ids_keep_order(model_dir, tagger, tmp_path):
    texts = make_texts(9)
    src = write_rows(tmp_path / "in.jsonl", [{"text": t} for t in texts])
    run(model_dir, src, tmp_path / "out.jsonl", chunk_size=4)
    assert read_rows(tmp_path / "out.jsonl") == tagger.predict(texts)


class Crash(Exception):
    pass


@pytest.mark.parametrize("out_name", ["out.jsonl", "out.jsonl.gz", "out.csv", "out.parquet"])
def test_resume_after_a_crash_loses_and_repeats_nothing(model_dir, tmp_path, monkeypatch, out_name):
    rows = id_rows(40)
    rows[13]["text"] = None
    src = write_rows(tmp_path / "in.jsonl", rows)
    run(model_dir, src, tmp_path / ("whole-" + out_name), chunk_size=7)
    out = tmp_path / out_name
    work = WorkDir(out)
    from model.batch import engine

    real_commit, commits = engine._commit, []

    def crash_after_three(work_, state, sink, errors, *args):
        real_commit(work_, state, sink, errors, *args)
        commits.append(state["rows"])
        if len(commits) == 4:  # the first commit is the empty start
            # Written to disk but never committed: what a kill mid-chunk leaves behind.
            sink.write([{"id": "half-written", "event_types": []}])
            errors.write([{"row": 0, "reason": "half-written"}])
            raise Crash

    monkeypatch.setattr(engine, "_commit", crash_after_three)
    with pytest.raises(Crash):
        run(model_dir, src, out, chunk_size=7)
    monkeypatch.setattr(engine, "_commit", real_commit)
    assert not out.exists() and work.read()["rows"] == 21
    with pytest.raises(ConfigError, match="unfinished run.*add --resume to continue"):
        run(model_dir, src, out, chunk_size=7)
    summary = run(model_dir, src, out, chunk_size=5, resume=True)
    assert summary.resumed_at == 21 and summary.rows == 40 and summary.errors == 1
    assert read_rows(out) == read_rows(tmp_path / ("whole-" + out_name))
    errors = read_rows(tmp_path / (out_name + ".errors.jsonl"))
    assert [e["row"] for e in errors] == [14]
    assert not work.dir.exists()


@pytest.mark.parametrize("src_name", ["in.jsonl.gz", "in.csv", "in.parquet"])
def test_resume_skips_done_rows_of_every_input_format(model_dir, tmp_path, monkeypatch, src_name):
    rows = id_rows(30)
    src = write_rows(tmp_path / src_name, rows)
    out = tmp_path / "out.jsonl"
    from model.batch import engine

    real_commit = engine._commit

    def crash_at_ten(work_, state, *args):
        real_commit(work_, state, *args)
        if state["rows"] >= 10:
            raise Crash

    monkeypatch.setattr(engine, "_commit", crash_at_ten)
    with pytest.raises(Crash):
        run(model_dir, src, out, chunk_size=10)
    monkeypatch.setattr(engine, "_commit", real_commit)
    run(model_dir, src, out, resume=True)
    assert [r["id"] for r in read_rows(out)] == [r["id"] for r in rows]


def test_resume_refuses_a_changed_input_and_overwrite_starts_again(
    model_dir, tmp_path, monkeypatch
):
    src = write_rows(tmp_path / "in.jsonl", id_rows(12))
    out = tmp_path / "out.jsonl"
    from model.batch import engine

    def crash(*args):
        raise Crash

    real_commit = engine._commit
    monkeypatch.setattr(engine, "_commit", crash)
    with pytest.raises(Crash):
        run(model_dir, src, out)
    monkeypatch.setattr(engine, "_commit", real_commit)
    # Crashed before its first checkpoint: nothing to resume, so it starts afresh.
    run(model_dir, src, out, resume=True)
    assert len(read_rows(out)) == 12

    monkeypatch.setattr(engine, "_commit", crash_at_second(real_commit))
    with pytest.raises(Crash):
        run(model_dir, src, out, chunk_size=5)
    monkeypatch.setattr(engine, "_commit", real_commit)
    write_rows(src, id_rows(13))
    with pytest.raises(ConfigError, match="the input file changed.*--overwrite"):
        run(model_dir, src, out, resume=True)
    run(model_dir, src, out, overwrite=True)
    assert len(read_rows(out)) == 13


def crash_at_second(real_commit):
    calls = []

    def commit(*args):
        real_commit(*args)
        calls.append(1)
        if len(calls) == 2:
            raise Crash

    return commit


def test_workers_give_the_same_output(model_dir, tmp_path):
    rows = id_rows(60)
    rows[7]["text"] = ""
    src = write_rows(tmp_path / "in.jsonl", rows)
    run(model_dir, src, tmp_path / "one.jsonl", batch_size=8)
    run(model_dir, src, tmp_path / "two.jsonl", batch_size=8, workers=2, chunk_size=16)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    errors = read_rows(tmp_path / "two.jsonl.errors.jsonl")
    assert [e["row"] for e in errors] == [8]


def test_ray_engine_on_two_cpus_gives_the_same_output(model_dir, tmp_path):
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    rows = id_rows(40)
    rows[5]["text"] = 7
    src = write_rows(tmp_path / "in.jsonl", rows)
    run(model_dir, src, tmp_path / "local.jsonl")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        # Blocks of 4 x 8 rows: both actors get work, and the order must still hold.
        summary = run(model_dir, src, tmp_path / "ray.jsonl", engine="ray", workers=2, batch_size=4)
    finally:
        ray.shutdown()
    assert summary.rows == 40 and summary.errors == 1
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "ray.jsonl").read_bytes()
    assert (tmp_path / "local.jsonl.errors.jsonl").read_bytes() == (
        tmp_path / "ray.jsonl.errors.jsonl"
    ).read_bytes()


def test_a_model_failure_is_isolated_to_its_row():
    class Flaky:
        def predict(self, texts, ids=None, batch_size=64):
            if any("BOOM" in t for t in texts):
                raise ValueError("cannot score BOOM")
            return [{"id": i, "event_types": []} for i in ids]

    rows = [Row(k + 1, t, f"r{k}") for k, t in enumerate(["a", "BOOM", "c"])]
    pairs = tag_rows(Flaky(), rows, batch_size=8)
    assert [p[0]["id"] for p in pairs] == ["r0", "r1", "r2"]
    assert pairs[0][1] is None and pairs[2][1] is None
    assert pairs[1][1] == "the model failed on this row: ValueError('cannot score BOOM')"
    assert pairs[1][0]["error"] == pairs[1][1]


def test_predict_stream_takes_rows_and_reports_bad_ones(tagger):
    texts = make_texts(5)
    rows = [{"id": i, "text": t} for i, t in enumerate(texts)]
    results = list(tagger.predict_stream(iter(rows), batch_size=2))
    assert results == tagger.predict(texts, ids=list(range(5)))
    assert list(tagger.predict_stream(texts, batch_size=2)) == tagger.predict(texts)
    rows[1]["text"] = ""
    rows[3] = {"id": 3}
    reported = list(tagger.predict_stream(rows, batch_size=2, on_error="report"))
    assert [r["id"] for r in reported] == [0, 1, 2, 3, 4]
    assert reported[1]["error"] == "text is empty" and "no 'text' field" in reported[3]["error"]
    assert reported[4] == results[4]
    with pytest.raises(InputError, match="text 1 is NoneType"):
        list(tagger.predict_stream(rows[2:4]))
    with pytest.raises(InputError, match="on_error is 'skip'; allowed: raise, report"):
        list(tagger.predict_stream(texts, on_error="skip"))
    with pytest.raises(InputError, match="got a single str; wrap it in a list"):
        list(tagger.predict_stream("one text"))
    with pytest.raises(InputError, match="batch_size must be at least 1, got 0"):
        list(tagger.predict_stream(texts, batch_size=0))


@pytest.mark.parametrize(
    "options,message",
    [
        ({"engine": "spark"}, "engine is 'spark'; allowed: local, ray"),
        ({"ray_address": "auto"}, "ray_address is set but engine is 'local'; add --engine ray"),
        ({"resume": True, "overwrite": True}, "resume and overwrite exclude each other"),
        ({"max_chars": 10**9}, "max_chars is 1,000,000,000; allowed: at most 2,000,000"),
        ({"batch_size": 0}, "batch_size is 0; allowed: a whole number >= 1"),
        ({"workers": 0}, "workers is 0; allowed: a whole number >= 1"),
        ({"runtime": "gpu"}, "runtime is 'gpu'; allowed: auto, torch, onnx, onnx-int8"),
    ],
)
def test_config_errors_say_what_is_allowed(tmp_path, options, message):
    with pytest.raises(ConfigError, match=message):
        BatchConfig(tmp_path / "in.jsonl", tmp_path / "out.jsonl", **options)


def test_a_runtime_the_model_cannot_run_on_is_refused_before_any_row(model_dir, tagger, tmp_path):
    with pytest.raises(ConfigError, match="runtime 'torch' applies to transformer models"):
        tagger.use_runtime("torch")
    src = write_rows(tmp_path / "in.jsonl", id_rows(2))
    with pytest.raises(ConfigError, match="--runtime onnx-int8 applies to transformer models"):
        run(model_dir, src, tmp_path / "out.jsonl", runtime="onnx-int8")
    assert not list(tmp_path.glob("out.jsonl*"))
    run(model_dir, src, tmp_path / "out.jsonl", runtime="auto")
    assert len(read_rows(tmp_path / "out.jsonl")) == 2


def test_file_errors_say_how_to_fix(model_dir, tmp_path):
    src = write_rows(tmp_path / "in.jsonl", id_rows(2))
    with pytest.raises(DataError, match=r"out.txt: cannot tell the output format.*\.parquet"):
        run(model_dir, src, tmp_path / "out.txt")
    with pytest.raises(DataError, match="missing.jsonl: no such input file"):
        run(model_dir, tmp_path / "missing.jsonl", tmp_path / "out.jsonl")
    csv_src = write_rows(tmp_path / "in.csv", [{"body": "x", "id": "1"}])
    with pytest.raises(
        DataError, match=r"no 'text' column; the columns are \['body', 'id'\].*--text-field"
    ):
        run(model_dir, csv_src, tmp_path / "out.jsonl")
    with pytest.raises(ConfigError, match="INPUT and OUTPUT are the same file"):
        run(model_dir, src, src)


def test_damaged_files_raise_with_file_and_line(model_dir, tmp_path):
    whole = gzip.compress("".join(json.dumps(r) + "\n" for r in id_rows(400)).encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"cut.jsonl.gz: cannot read past line \d+: .*truncated"):
        run(model_dir, tmp_path / "cut.jsonl.gz", tmp_path / "a.jsonl")
    rows = "text,id\n" + "".join(f"{t},{i}\n" for i, t in enumerate(make_texts(400)))
    whole = gzip.compress(rows.encode())
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"cut.csv.gz: cannot read past line \d+: .*truncated"):
        run(model_dir, tmp_path / "cut.csv.gz", tmp_path / "b.jsonl")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataError, match="bad.parquet: cannot read as Parquet"):
        run(model_dir, tmp_path / "bad.parquet", tmp_path / "c.jsonl")


def test_a_damaged_checkpoint_says_start_again(model_dir, tmp_path):
    src = write_rows(tmp_path / "in.jsonl", id_rows(3))
    out = tmp_path / "out.jsonl"
    work = WorkDir(out)
    work.create()
    work.checkpoint.write_text("{not json")
    with pytest.raises(ConfigError, match="cannot read the checkpoint.*--overwrite"):
        run(model_dir, src, out, resume=True)
    work.checkpoint.write_text(json.dumps({"version": 99}))
    with pytest.raises(ConfigError, match="has version 99, this package writes 1.*--overwrite"):
        run(model_dir, src, out, resume=True)
    run(model_dir, src, out, overwrite=True)
    assert len(read_rows(out)) == 3


def test_ray_engine_without_ray_says_how_to_install(model_dir, tmp_path, monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "model.batch.ray_engine", raising=False)
    monkeypatch.setitem(sys.modules, "ray", None)
    src = write_rows(tmp_path / "in.jsonl", id_rows(2))
    with pytest.raises(ConfigError, match=r"needs Ray Data.*pip install 'conflict-tagger\[ray\]'"):
        run(model_dir, src, tmp_path / "out.jsonl", engine="ray")


def test_csv_row_with_bytes_that_are_not_utf8(model_dir, tmp_path):
    texts = make_texts(3)
    src = tmp_path / "in.csv"
    src.write_bytes(
        b"id,text\n"
        + f"a,{texts[0]}\n".encode()
        + b"b\xff,caf\xe9 au lait\n"
        + f'c,"{texts[2]}"\n'.encode()
    )
    run(model_dir, src, tmp_path / "out.jsonl")
    out = read_rows(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["a", "b\ufffd", "c"]
    assert "not valid UTF-8" in out[1]["error"] and "error" not in out[2]


def test_progress_shows_rate_share_and_time_left(tmp_path):
    import io

    from model.batch.progress import Progress
    from model.batch.readers import Position, Source

    src = write_rows(tmp_path / "in.jsonl", id_rows(10))
    progress = Progress(Source(src), Position())
    progress.stream, progress.tty, progress.interval = io.StringIO(), False, 0.0
    half = Row(5, None, pos=src.stat().st_size // 2)
    progress.update(5, 1, half)
    line = progress.stream.getvalue()
    assert line.startswith("5 rows | 50.0% |") and "rows/s | 1 errors |" in line
    assert line.rstrip().endswith("left")
