"""Train a tagger, evaluate it on held-out data and save it as a model directory.

    python train.py                                   # embedded corpus -> runs/model
    python train.py --data acled:events.csv.gz --data extra.jsonl --out runs/acled
    python train.py --config my.toml --set linear.C=2.0 --set data.split.by=country

With no --data it trains on the corpus embedded in data/; with no --out it writes the model
where `python -m model predict` and `model.predict()` look by default.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from model.config import MODEL_FAMILIES, build_config
from model.corpora import default_corpus, load_corpus
from model.decoding import MIN_TUNING_ROWS, SHORT_WORDS, is_short
from model.errors import SpecError, TaggerError
from model.evaluation import summary_rows, task_metrics
from model.saving import default_model_dir, fingerprint
from model.splits import split_corpus

SEPARATE = ' (and shorter ones with a sentence that opens a separate event, "Separately, ...")'


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--data",
        action="append",
        metavar="SPEC",
        help="corpus to train on (repeat to mix corpora); default: data/corpus",
    )
    p.add_argument("--model", choices=MODEL_FAMILIES, help="model family (default: linear)")
    p.add_argument("--out", type=Path, help=f"model directory (default: {default_model_dir()})")
    p.add_argument("--seed", type=int, help="seed for the split and training (default: 0)")
    p.add_argument("--config", type=Path, help="settings file (.toml or .json)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one setting, e.g. linear.C=2.0 (repeatable)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars or sample output")
    return p.parse_args(argv)


def model_card(
    config,
    n: dict,
    metrics: dict,
    specs: list[str],
    extractor=None,
    long_floor: float | None = None,
    n_long_dev: int = 0,
) -> str:
    """The model card; ``long_floor`` is the event-type floor of texts over 100 words and
    ``n_long_dev`` the number of such texts in dev."""
    dev = metrics.get("test") or metrics.get("dev") or {}
    lines = [
        f"# Conflict news tagger ({config.model})",
        "",
        "Tags news text with ACLED-style event types and sub-event types, actor categories, "
        "actors and casualty counts (see CODEBOOK.md).",
        "",
        "## Data",
        "",
        *[f"- `{s}`" for s in specs],
        "",
        f"Split by {config.data.split.by}, seed {config.seed}: "
        f"{n['train']} train, {n['dev']} dev, {n['test']} test records.",
        "",
        "## Intended use",
        "",
        "Tagging conflict and protest news for analysis, with a person checking the results "
        "that matter. Not for decisions about individuals.",
        "",
        "## Scores on held-out data",
        "",
        "| task | label | precision | recall | F1 | support |",
        "|---|---|---|---|---|---|",
    ]
    for task in ("event_types", "sub_event_types", "actor_categories"):
        for label, m in (dev.get(task) or {}).get("per_label", {}).items():
            if m["support"]:
                lines.append(
                    f"| {task} | {label} | {m['precision']} | {m['recall']} | "
                    f"{m['f1']} | {m['support']} |"
                )
    held = [
        ("actor names set-F1", (dev.get("actor_names") or {}).get("f1")),
        ("casualties F1", (dev.get("casualties") or {}).get("f1")),
        ("casualties ECE", (dev.get("casualties") or {}).get("ece")),
        ("killed exact match", (dev.get("killed") or {}).get("exact_match")),
        ("injured exact match", (dev.get("injured") or {}).get("exact_match")),
    ]
    lines += ["", "| actors and casualties | score |", "|---|---|"]
    lines += [f"| {what} | {value} |" for what, value in held if value is not None]
    tuning = extractor.name_tuning if extractor is not None else None
    if tuning and extractor.names is not None:
        vetoes = ", ".join(f"{k} < {v}" for k, v in sorted(tuning["vetoes"].items())) or "none"
        lines += [
            "",
            f"Learned actor names: {len(extractor.names.names)} names with a classifier; "
            f"dev set-F1 {tuning['dev_set_f1_without']} without them, "
            f"{tuning['dev_set_f1_with']} with them (adds a name at probability "
            f"{tuning['add']}; drops {vetoes}).",
        ]
    lines += [
        "",
        "## Known gaps",
        "",
        "- Trained on short notes and a small set of full articles; expect lower scores "
        "on genres and places far from the training data.",
        "- Labels rare in the training corpus get weak heads (see support above).",
        "- Casualty counts follow the codebook's rules, not every phrasing a report can use.",
    ]
    if long_floor is not None:
        need = MIN_TUNING_ROWS["long"]
        how = (
            f"tuned on the {n_long_dev} such texts in dev"
            if n_long_dev >= need
            else f"the default: dev held {n_long_dev} such texts, fewer than the {need} "
            "needed to tune it"
        )
        if long_floor > 0:
            lines.append(
                f"- Texts over {SHORT_WORDS} words{SEPARATE} get a further event type only "
                f"when its probability reaches {long_floor:g} of their best type's ({how}), so "
                "background passages do not add types; an article's minor second event can "
                "be left out."
            )
        else:
            lines.append(
                f"- Texts over {SHORT_WORDS} words{SEPARATE} get every event type whose "
                f"probability reaches its threshold in one of their passages ({how}); "
                "background passages can add types the article does not report."
            )
    balance = getattr(config, config.model).country_balance
    if balance:
        lines.append(
            f"- Training rows were weighted so that each country's label mix moved towards the "
            f"whole corpus's (`{config.model}.country_balance={balance}`): the model leans less "
            "on a country's usual labels, which carries over to countries it never saw. To "
            "follow one country's coding habits, train on its data with the setting at 0."
        )
    linear_used = config.model == "linear" or config.transformer.linear_blend
    if linear_used and config.linear.role_weight:
        lines.append(
            "- The linear features mark the words before and after a text's first action verb "
            f"(`linear.role_weight={config.linear.role_weight}`), so who acted on whom counts; "
            "the verb list and word order are English, and a passage whose lead clause is not "
            "the event gets little from them."
        )
    if config.model == "transformer" and config.transformer.linear_blend:
        lines.append(
            "- Each label's score blends the network's calibrated log-odds with a linear "
            "model's (TF-IDF n-grams, trained on the same data, saved in `linear/`) at weight "
            f"`transformer.linear_blend={config.transformer.linear_blend}`. On the benchmark's "
            "held-out countries the blend scored above either model alone (project README). "
            "Train with the setting at 0 for the network alone."
        )
    if config.model == "transformer" and config.transformer.count_head:
        lines.append(
            "- Where the rules find no death toll in a text judged to report casualties, the "
            "network's token-level count head picks the numbers that count the dead; it "
            "learned which from labelled tolls, and can take a figure of the wounded or a "
            "background toll for one."
        )
    return "\n".join([*lines, ""])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = build_config(
            args.config, args.set, model=args.model, seed=args.seed, specs=args.data
        )
        specs = list(config.data.specs) or [default_corpus()]
        t0 = time.perf_counter()
        # Weak labels (weak:) train only: dev thresholds and test metrics need real labels.
        weak_specs = [s for s in specs if str(s).startswith("weak:")]
        labelled = [s for s in specs if s not in weak_specs]
        if not labelled:
            raise SpecError("weak: corpora train only; give a labelled corpus with --data too")
        dataset = load_corpus(labelled, on_error=config.data.on_error)
        split_cfg = config.data.split
        parts = split_corpus(
            dataset, type(split_cfg)(**{**split_cfg.__dict__, "seed": config.seed})
        )
        train, dev, test = (parts[k].to_list() for k in ("train", "dev", "test"))
        weak = (
            load_corpus(weak_specs, on_error=config.data.on_error).to_list() if weak_specs else []
        )
        train += weak
        if not args.quiet:
            also = f" ({len(weak):,} weakly labelled)" if weak_specs else ""
            print(
                f"loaded {len(dataset) + len(weak):,} records from {', '.join(specs)}: "
                f"{len(train):,} train{also}, {len(dev):,} dev, {len(test):,} test"
            )
        if config.model == "linear":
            from model.linear.tagger import LinearTagger as Family
        else:
            from model.transformer.tagger import TransformerTagger as Family
        tagger = Family.fit(train, dev, config, progress=not args.quiet)
        try:
            from model.extract import Extractor
        except ImportError:
            pass
        else:
            tagger.extractor = Extractor()
            tagger.extractor.fit(train)
            tagger.calibrate_with_extractor(dev)
        metrics = {}
        for name, records in (("dev", dev), ("test", test)):
            if records:
                metrics[name] = task_metrics(records, tagger.predict([r["text"] for r in records]))
        out = args.out or default_model_dir()
        card = model_card(
            config,
            {"train": len(train), "dev": len(dev), "test": len(test)},
            metrics,
            specs,
            tagger.extractor,
            long_floor=tagger.floors.get("event_types", {}).get("long"),
            n_long_dev=sum(not is_short(r["text"]) for r in dev),
        )
        tagger.save(out, metrics=metrics, card=card, data_fingerprint=fingerprint(train))
    except TaggerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"saved {config.model} model to {out} ({time.perf_counter() - t0:.1f} s)")
    if not args.quiet:
        held_out = "test" if "test" in metrics else "dev"
        print(f"\n{held_out} metrics:")
        for task, metric, value in summary_rows(metrics.get(held_out, {})):
            print(f"  {task:<18} {metric:<12} {value:.3f}")
        print("\nsample predictions:")
        for rec, res in zip(test[:3], tagger.predict([r["text"] for r in test[:3]]), strict=True):
            print(f"- {rec['text'][:150]!r}")
            print(
                f"  gold: {rec['event_types']}  predicted: {res['event_types']}  "
                f"casualties: {res['casualties']} killed: {res['killed']}  "
                f"actors: {[a['name'] for a in res['actors']]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
