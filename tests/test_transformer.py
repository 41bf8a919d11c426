"""The transformer family on a tiny encoder built from a config in the test (no download):
overfit, save/load round trip, batched equals one-by-one, ONNX equals torch, long texts.
One test loads the real packaged encoder, offline."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from transformers import BertConfig, BertModel, BertTokenizer  # noqa: E402

from model.api import load  # noqa: E402
from model.config import TrainConfig, TransformerConfig  # noqa: E402
from model.errors import ConfigError, ModelLoadError  # noqa: E402
from model.transformer.tagger import TransformerTagger  # noqa: E402
from model.transformer.windows import (  # noqa: E402
    event_windows,
    max_by_owner,
    pad_windows,
    text_windows,
)
from tests.conftest import record, saved_copy  # noqa: E402

FILLER = "The weather in the region was mild and markets opened as usual . " * 6
TEXTS = [
    (
        "Rebels shelled the market town , killing two civilians .",
        ["explosions_remote_violence"],
        ["shelling_artillery_missile_attack"],
        "rebel_group",
        True,
    ),
    (
        "Teachers marched peacefully in the capital demanding higher pay .",
        ["protests"],
        ["peaceful_protest"],
        "protesters",
        False,
    ),
    (
        "Army troops clashed with militants near the border .",
        ["battles"],
        ["armed_clash"],
        "state_forces",
        False,
    ),
    (
        "Police arrested three opposition leaders at dawn .",
        ["strategic_developments"],
        ["arrests"],
        "state_forces",
        False,
    ),
    (
        "A mob burned shops after the football match .",
        ["riots"],
        ["mob_violence"],
        "rioters",
        False,
    ),
    (
        "Gunmen abducted a village chief on the highway .",
        ["violence_against_civilians"],
        ["abduction_forced_disappearance"],
        "civilians",
        False,
    ),
    ("The central bank raised interest rates on Tuesday .", [], [], None, False),
    (FILLER, [], [], None, False),  # so that only its event window can explain the next label
    (
        FILLER + "Gunmen abducted a village chief on the highway .",
        ["violence_against_civilians"],
        ["abduction_forced_disappearance"],
        "civilians",
        False,
    ),
]


def make_records():
    out = []
    for i, (text, events, subs, category, casualties) in enumerate(TEXTS):
        actors = (
            [{"name": "X", "category": category, "mention": None, "start": None, "end": None}]
            if category
            else []
        )
        out.append(
            record(
                f"t{i}",
                text,
                event_types=events,
                sub_event_types=subs,
                actors=actors,
                casualties=casualties,
                killed=2 if casualties else None,
            )
        )
    return out


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    # A tiny model gains nothing from threads, and on a busy 2-core machine their
    # spin-waits make it several times slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    """A 2-layer, 32-wide BERT with a WordPiece vocabulary of the test texts."""
    path = tmp_path_factory.mktemp("tiny-encoder")
    words = sorted({w.lower() for text, *_ in TEXTS for w in text.split()} | {"!"})
    letters = [c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *words,
        *letters,
        *[f"##{c}" for c in letters],
    ]
    tokenizer = BertTokenizer(vocab={w: i for i, w in enumerate(dict.fromkeys(vocab))})
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def tiny_config(encoder, **overrides) -> TrainConfig:
    settings = {
        "encoder": str(encoder),
        "max_length": 24,
        "stride": 6,
        "epochs": 60,
        "batch_size": 8,
        "lr": 2e-3,
        "head_lr": 2e-2,
        "dropout": 0.0,
        "patience": 0,
        "warmup_fraction": 0.0,
        "device": "cpu",
        **overrides,
    }
    return TrainConfig(model="transformer", seed=0, transformer=settings)


@pytest.fixture(scope="module")
def trained(tiny_encoder, tmp_path_factory):
    records = make_records()
    tagger = TransformerTagger.fit(records, records, tiny_config(tiny_encoder), progress=False)
    out = tmp_path_factory.mktemp("models") / "tiny"
    tagger.save(out, metrics={}, card="# tiny\n", data_fingerprint="test")
    return tagger, out, records


def test_overfit_reaches_perfect_training_accuracy(trained):
    tagger, _, records = trained
    results = tagger.predict([r["text"] for r in records])
    assert [r["event_types"] for r in results] == [r["event_types"] for r in records]
    assert [r["sub_event_types"] for r in results] == [r["sub_event_types"] for r in records]
    assert [r["casualties"] for r in results] == [r["casualties"] for r in records]
    assert tagger.history and "dev_loss" in tagger.history[0]


def test_saved_directory_holds_safetensors_tokenizer_config_and_onnx(trained):
    _, out, _ = trained
    for name in (
        "weights.safetensors",
        "encoder/config.json",
        "tokenizer/tokenizer.json",
        "calibration.json",
        "labels.json",
        "window_logits.onnx",
        "window_logits.int8.onnx",
        "linear/weights.npz",  # transformer.linear_blend
        "linear/vocab.json",
        "model.json",
    ):
        assert (out / name).exists(), name
    assert json.loads((out / "model.json").read_text())["family"] == "transformer"


def test_save_load_round_trip_gives_identical_scores(trained):
    tagger, out, records = trained
    texts = [r["text"] for r in records]
    loaded = load(out).use_runtime("torch")
    a, b = tagger.use_runtime("torch").score(texts), loaded.score(texts)
    np.testing.assert_allclose(a.event_types, b.event_types, atol=1e-6)
    np.testing.assert_allclose(a.casualties, b.casualties, atol=1e-6)
    assert tagger.predict(texts) == loaded.predict(texts)


@pytest.mark.parametrize("runtime", ["torch", "onnx", "onnx-int8"])
def test_batched_equals_one_by_one(trained, runtime):
    # int8 too: dynamic quantisation scales each activation tensor by its range over the
    # whole call, so that runtime runs one window at a time (OnnxRunner.max_batch).
    _, out, records = trained
    tagger = load(out).use_runtime(runtime)
    texts = [r["text"] for r in records]
    batched = tagger.score(texts)
    for i, text in enumerate(texts):
        single = tagger.score([text])
        for field in ("event_types", "sub_event_types", "casualties"):
            np.testing.assert_allclose(
                getattr(batched, field)[i], getattr(single, field)[0], atol=1e-6
            )


def test_onnx_equals_torch_and_is_the_default_runtime(trained):
    _, out, records = trained
    texts = [r["text"] for r in records]
    tagger = load(out)
    assert tagger.runner.name == "onnx"  # picked automatically: saved with ONNX, ORT installed
    onnx = tagger.score(texts)
    torch_scores = tagger.use_runtime("torch").score(texts)
    for field in ("event_types", "sub_event_types", "actor_categories", "casualties"):
        np.testing.assert_allclose(getattr(onnx, field), getattr(torch_scores, field), atol=1e-3)
    ids, mask = pad_windows(
        text_windows(tagger.tokenizer, texts, max_length=24, stride=6)["input_ids"][0], 0
    )
    onnx_tokens = tagger.use_runtime("onnx").runner.with_tokens(ids, mask)[1]
    torch_tokens = tagger.use_runtime("torch").runner.with_tokens(ids, mask)[1]
    np.testing.assert_allclose(onnx_tokens, torch_tokens, atol=1e-3)
    int8 = tagger.use_runtime("onnx-int8").score(texts)
    assert tagger.runner.name == "onnx-int8"
    assert int8.event_types.shape == onnx.event_types.shape


def test_limit_threads_sets_onnx_runtime_threads_and_keeps_scores(trained):
    _, out, records = trained
    texts = [r["text"] for r in records]
    tagger = load(out).use_runtime("onnx-int8")
    default = tagger.score(texts).event_types
    assert tagger.limit_threads(1).runner.session.get_session_options().intra_op_num_threads == 1
    np.testing.assert_allclose(tagger.score(texts).event_types, default, atol=1e-6)


def test_batch_command_runs_the_chosen_runtime_in_each_worker(trained, tiny_encoder, tmp_path):
    from model.batch import BatchConfig, run

    _, out, records = trained
    texts = [r["text"] for r in records] + ["", "Police arrested two men."]
    rows_in = [{"id": i, "text": t} for i, t in enumerate(texts)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows_in))

    def scores(runtime: str) -> list[dict]:
        tagger = load(out).use_runtime(runtime)
        results = tagger.predict_stream(rows_in, batch_size=4, on_error="report")
        return [r["event_type_scores"] or {} for r in results]

    int8, fp32 = scores("onnx-int8"), scores("onnx")
    for workers in (1, 2):
        dest = tmp_path / f"out{workers}.jsonl"
        run(
            BatchConfig(
                src,
                dest,
                model=out,
                runtime="onnx-int8",
                workers=workers,
                batch_size=4,
                progress=False,
            )
        )
        rows = [json.loads(line) for line in dest.read_text().splitlines()]
        assert [r["id"] for r in rows] == list(range(len(texts)))
        got = [r["event_type_scores"] or {} for r in rows]
        gap = {"int8": 0.0, "fp32": 0.0}
        for row, a, b in zip(got, int8, fp32, strict=True):
            assert row.keys() == a.keys()
            for label, score in row.items():
                gap["int8"] = max(gap["int8"], abs(score - a[label]))
                gap["fp32"] = max(gap["fp32"], abs(score - b[label]))
        assert gap["int8"] <= 1e-4 < 5e-4 < gap["fp32"]  # int8's scores, not fp32's
    bare = tmp_path / "saved-without-onnx"
    cfg = tiny_config(tiny_encoder, epochs=1, onnx=False)
    TransformerTagger.fit(records[:3], [], cfg, progress=False).save(
        bare, metrics={}, card="# no onnx\n", data_fingerprint="test"
    )
    with pytest.raises(ConfigError, match="--runtime onnx needs window_logits.onnx"):
        run(BatchConfig(src, tmp_path / "x.jsonl", model=bare, runtime="onnx", progress=False))


def test_long_text_is_scored_to_its_end_with_evidence(trained):
    tagger, _, records = trained
    text = records[-1]["text"]
    windows = text_windows(tagger.tokenizer, [text], max_length=24, stride=6)
    spans = windows["spans"][0]
    assert len(spans) > 2 and spans[-1][1] == len(text.rstrip())
    result = tagger.predict([text])[0]
    assert result["event_types"] == ["violence_against_civilians"]
    evidence = [e for e in result["evidence"] if e.get("label") == "violence_against_civilians"]
    assert evidence and evidence[0]["start"] > len(FILLER) // 2  # the window with the event


def test_a_separate_event_in_a_short_text_gets_windows_of_its_own(trained):
    tagger, _, _ = trained
    first, second = "Rebels attacked the town.", "Separately, police dispersed a sit-in."
    plain = "Rebels attacked the town. Police dispersed a sit-in."
    text = f"{first} {second}"
    kw = {"max_length": 128, "stride": 16, "offsets": True}
    assert event_windows(tagger.tokenizer, [plain], **kw) == text_windows(
        tagger.tokenizer, [plain], **kw
    )
    windows = event_windows(tagger.tokenizer, [text, plain], **kw)
    assert [text[s:e] for s, e in windows["spans"][0]] == [text, first, second]
    assert len(windows["input_ids"][0]) == len(windows["offsets"][0]) == 3
    # Token offsets of a passage's window point into the whole text.
    tokens = [(s, e) for s, e in windows["offsets"][0][2] if e]
    assert text[tokens[0][0] : tokens[-1][1]] == second
    assert len(tagger.predict([text])[0]["event_type_scores"]) == 6


def test_windows_share_stride_tokens_and_max_by_owner():
    values = np.array([[1.0, 5.0], [3.0, 2.0], [0.0, 0.0]])
    out = max_by_owner(values, np.array([0, 0, 1]), 2)
    np.testing.assert_array_equal(out, [[3.0, 5.0], [0.0, 0.0]])


def test_fatality_masking_option_changes_the_training_texts(trained):
    tagger, _, _ = trained
    rec = record("f", "Rebels shelled the town . 3 fatalities .")
    masked = tagger.examples([rec], mask_fatalities=True).windows[0][0]
    plain = tagger.examples([rec], mask_fatalities=False).windows[0][0]
    assert len(masked) < len(plain)


def test_onnx_runtime_needs_a_saved_model(tiny_encoder):
    records = make_records()[:3]
    cfg = tiny_config(tiny_encoder, epochs=1)
    tagger = TransformerTagger.fit(records, [], cfg, progress=False)
    with pytest.raises(ConfigError, match="needs window_logits.onnx from a saved model"):
        tagger.use_runtime("onnx").score(["text"])
    with pytest.raises(ConfigError, match="runtime 'fast' is unknown"):
        tagger.use_runtime("fast")


def test_changed_weights_are_refused(trained, tmp_path):
    import shutil

    _, out, _ = trained
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "calibration.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="does not match the checksum"):
        load(copy)


def test_a_model_saved_before_country_balancing_was_trained_without_it(trained, tmp_path):
    _, out, _ = trained

    def trained_with_it(config):
        config["transformer"]["country_balance"] = 1.0

    def saved_before_it(config):
        del config["transformer"]["country_balance"]

    with_it = load(saved_copy(out, tmp_path / "with", trained_with_it))
    assert with_it.config.transformer.country_balance == 1.0
    before = load(saved_copy(out, tmp_path / "before", saved_before_it))
    assert before.config.transformer.country_balance == 0.0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"stride": 200}, "transformer.stride is 200; allowed: 0 to half"),
        ({"runtime": "fast"}, "transformer.runtime is 'fast'; allowed: auto, torch"),
        ({"runtime": "onnx-int8", "int8": False}, "needs|transformer.int8 is false"),
        ({"runtime": "onnx", "onnx": False}, "transformer.onnx is false"),
        ({"device": "tpu"}, "transformer.device is 'tpu'"),
        ({"n_layers": -1}, "transformer.n_layers is -1"),
        ({"onnx": "yes"}, "transformer.onnx is 'yes'; allowed: true or false"),
        ({"encoder": ""}, "transformer.encoder is ''"),
        ({"layers": 2}, "unknown setting\\(s\\) \\['layers'\\] in transformer"),
        ({"country_balance": 3}, "transformer.country_balance is 3; allowed: >= 0 and <= 2"),
        ({"linear_blend": 1.5}, "transformer.linear_blend is 1.5; allowed: >= 0 and <= 1"),
    ],
)
def test_config_errors_name_the_field(settings, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(model="transformer", transformer=settings)


def test_encoder_directory_without_config_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no config.json in"):
        TransformerTagger.fit(make_records(), [], tiny_config(tmp_path), progress=False)


def test_too_many_layers_is_a_clear_error(tiny_encoder):
    cfg = tiny_config(tiny_encoder, n_layers=5)
    with pytest.raises(ConfigError, match="has only 2 layers"):
        TransformerTagger.fit(make_records(), [], cfg, progress=False)


def test_n_layers_keeps_the_first_layers(tiny_encoder):
    from model.transformer.network import build_network

    net = build_network(tiny_encoder, n_layers=1)
    assert len(net.encoder.encoder.layer) == 1 and net.encoder.config.num_hidden_layers == 1


def test_packaged_encoder_loads_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    from model.transformer.network import build_network, packaged_encoder_dir

    path = packaged_encoder_dir()
    net = build_network(path)
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    assert net.encoder.config.hidden_size == 384 and tokenizer.is_fast
    assert TransformerConfig().encoder == "packaged"


def test_training_is_reproducible_from_the_seed(tiny_encoder):
    records = make_records()[:4]
    texts = [r["text"] for r in records]

    def scores(seed):
        cfg = tiny_config(tiny_encoder, epochs=3, dropout=0.1)
        cfg = TrainConfig(model="transformer", seed=seed, transformer=cfg.transformer)
        return TransformerTagger.fit(records, [], cfg, progress=False).score(texts).event_types

    np.testing.assert_array_equal(scores(0), scores(0))
    assert not np.allclose(scores(0), scores(1))


def test_empty_and_blank_texts_get_results(trained):
    tagger, _, _ = trained
    results = tagger.predict(["", "   ", "Rebels shelled the market town ."])
    assert len(results) == 3 and all("event_type_scores" in r for r in results)


def test_training_batches_group_texts_of_similar_length():
    from model.transformer.training import make_batches

    rng = np.random.default_rng(3)
    tokens = rng.permutation(np.arange(10, 74)).tolist()  # 64 distinct lengths
    windows = [1] * 64
    batches = make_batches(windows, 4, np.random.default_rng(0), tokens)
    assert sorted(i for b in batches for i in b) == list(range(64))
    by_length = np.argsort(tokens)
    groups = {frozenset(by_length[k : k + 4].tolist()) for k in range(0, 64, 4)}
    assert {frozenset(b) for b in batches} == groups
    unsorted = make_batches(windows, 4, np.random.default_rng(0))
    assert {frozenset(b) for b in unsorted} != groups


COUNT_TEXTS = [
    ("Gunmen killed two villagers .", 2),
    ("Police arrested three men .", None),
    ("Rebels killed two soldiers and wounded three .", 2),
]


def count_records():
    return [
        record(
            f"c{i}",
            text,
            event_types=["violence_against_civilians"] if killed else ["strategic_developments"],
            casualties=killed is not None,
            killed=killed,
        )
        for i, (text, killed) in enumerate(COUNT_TEXTS)
    ]


def test_count_head_learns_which_number_counts_the_dead(tiny_encoder, tmp_path):
    # The head reads the encoder without training it (TaggerNet.forward_tokens), and this
    # tiny random encoder carries little context, so the toll here is told by its word.
    records = count_records()
    cfg = tiny_config(tiny_encoder, max_length=48, epochs=200)
    tagger = TransformerTagger.fit(records, records, cfg, progress=False)
    texts = [r["text"] for r in records]
    found = tagger.score(texts).counts
    assert [[c["value"] for c in f] for f in found] == [[2], [], [2]]
    # No extractor is attached, so the head alone fills killed, with its sentence as evidence.
    results = tagger.predict(texts)
    assert [r["killed"] for r in results] == [2, None, 2]
    assert {"task": "killed", "start": 0, "end": len(texts[2]), "text": texts[2]} in results[2][
        "evidence"
    ]
    tagger.save(tmp_path / "m", metrics={}, card="# c\n", data_fingerprint="test")
    loaded = load(tmp_path / "m")
    assert loaded.runner.name == "onnx" and loaded.runner.has_tokens
    assert loaded.count_threshold == pytest.approx(tagger.count_threshold)
    assert [r["killed"] for r in loaded.predict(texts)] == [2, None, 2]
    # Tuned end to end on dev, a threshold that never fills gives way to one that does.
    loaded.count_threshold = 1.01
    loaded.tune_counts(records * 7)  # 21 rows: enough to tune on
    assert loaded.count_threshold < 1.0
    assert [r["killed"] for r in loaded.predict(texts)] == [2, None, 2]


def test_a_model_without_the_count_head_saves_loads_and_scores(tiny_encoder, tmp_path):
    records = count_records()
    cfg = tiny_config(tiny_encoder, max_length=48, epochs=2, count_head=False)
    tagger = TransformerTagger.fit(records, records, cfg, progress=False)
    assert tagger.net.count_head is None
    tagger.save(tmp_path / "m", metrics={}, card="# c\n", data_fingerprint="test")
    loaded = load(tmp_path / "m")
    assert not loaded.runner.has_tokens  # the ONNX graph has the window logits only
    assert loaded.score([COUNT_TEXTS[0][0]]).counts is None
    assert loaded.use_runtime("torch").score([COUNT_TEXTS[0][0]]).counts is None
    assert len(loaded.predict([COUNT_TEXTS[0][0]])) == 1


def test_the_count_head_leaves_the_event_heads_as_they_train_without_it(tiny_encoder):
    # The count head reads the encoder detached and clips its own gradient, so what the
    # encoder and event heads learn does not depend on whether it is there.
    records = count_records()
    texts = [r["text"] for r in records]

    def scores(count_head):
        cfg = tiny_config(tiny_encoder, max_length=48, epochs=30, count_head=count_head)
        tagger = TransformerTagger.fit(records, records, cfg, progress=False)
        return tagger.use_runtime("torch").score(texts)

    with_head, without = scores(True), scores(False)
    assert with_head.counts is not None and without.counts is None
    np.testing.assert_array_equal(with_head.event_types, without.event_types)
    np.testing.assert_array_equal(with_head.casualties, without.casualties)


def test_country_balance_weights_each_outputs_loss(tiny_encoder):
    from model.linear.heads import country_weights
    from model.linear.tagger import HEADS, targets

    # Country A's texts are mostly riots and B's mostly battles: balanced, each country's
    # rows are weighted towards the corpus's mix.
    base = make_records()
    riots = [r for r in base if "riots" in r["event_types"]]
    mix = {"A": riots * 50 + base, "B": base * 6}
    records = [
        {**r, "id": f"{c}{k}", "country": c} for c, rows in mix.items() for k, r in enumerate(rows)
    ]
    scores = {}
    for power in (0.0, 1.0):
        cfg = tiny_config(tiny_encoder, epochs=2, country_balance=power)
        tagger = TransformerTagger.fit(records, [], cfg, progress=False)
        ex = tagger.examples(records, mask_fatalities=True)
        countries = [r["country"] for r in records]
        expected = np.concatenate(
            [country_weights(countries, *targets(records, h), power) for h in HEADS], axis=1
        )
        np.testing.assert_allclose(ex.weights, expected, rtol=1e-6)
        scores[power] = tagger.use_runtime("torch").score([r["text"] for r in base])
    assert (scores[0.0].event_types != scores[1.0].event_types).any()


def test_the_linear_blend_carries_what_the_network_has_not_learnt(tiny_encoder, tmp_path):
    # One training step leaves the network near its random start; the blended linear model
    # (trained on the same records) still tags them, and it is saved and loaded with it.
    records = make_records()
    texts = [r["text"] for r in records]
    gold = [r["event_types"] for r in records]

    def fit(blend):
        cfg = tiny_config(tiny_encoder, max_steps=1, linear_blend=blend)
        return TransformerTagger.fit(records, records, cfg, progress=False)

    alone, blended = fit(0.0), fit(0.5)
    assert alone.linear is None and blended.linear is not None
    assert [r["event_types"] for r in alone.predict(texts)] != gold
    assert [r["event_types"] for r in blended.predict(texts)] == gold
    out = blended.save(tmp_path / "blended", metrics={}, card="# b\n", data_fingerprint="t")
    loaded = load(out).use_runtime("torch")
    assert loaded.linear is not None
    np.testing.assert_allclose(
        loaded.score(texts).event_types,
        blended.use_runtime("torch").score(texts).event_types,
        atol=1e-6,
    )
    saved = alone.save(tmp_path / "alone", metrics={}, card="# a\n", data_fingerprint="t")
    assert not (saved / "linear").exists() and load(saved).linear is None


def test_a_network_built_without_fit_saves_and_loads_as_the_network_alone(tiny_encoder, tmp_path):
    # bench/transformer.py times untrained networks: the default config blends a linear
    # model, which such a tagger does not have, so its saved config must not ask for one.
    from transformers import AutoTokenizer

    from model.transformer.network import build_network

    config = tiny_config(tiny_encoder, onnx=False)
    assert config.transformer.linear_blend > 0
    net = build_network(tiny_encoder, n_layers=2)
    encoder_config = json.loads(net.encoder.config.to_json_string())
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_encoder))
    tagger = TransformerTagger(config, tokenizer, encoder_config, net=net)
    out = tagger.save(tmp_path / "untrained", metrics={}, card="# u\n", data_fingerprint="t")
    loaded = load(out).use_runtime("torch")
    assert loaded.linear is None and loaded.config.transformer.linear_blend == 0.0
    texts = ["Troops shelled the village.", "Teachers marched."]
    np.testing.assert_allclose(
        loaded.score(texts).event_types, tagger.score(texts).event_types, atol=1e-6
    )


def test_a_model_saved_before_the_linear_blend_is_the_network_alone(trained, tmp_path):
    _, out, records = trained
    texts = [r["text"] for r in records]

    def saved_before_it(config):
        del config["transformer"]["linear_blend"]

    before = load(saved_copy(out, tmp_path / "before", saved_before_it)).use_runtime("torch")
    assert before.config.transformer.linear_blend == 0.0 and before.linear is None
    network = load(out).use_runtime("torch")
    network.linear = None
    np.testing.assert_allclose(
        before.score(texts).event_types, network.score(texts).event_types, atol=1e-6
    )


def test_the_model_card_says_when_a_linear_model_is_blended_in():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "train.py"
    spec = importlib.util.spec_from_file_location("train_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    n = {"train": 1, "dev": 1, "test": 1}

    def card(blend):
        config = TrainConfig(model="transformer", transformer={"linear_blend": blend})
        return module.model_card(config, n, {}, [])

    assert "`transformer.linear_blend=0.5`" in card(0.5)
    assert "linear_blend" not in card(0.0)
