"""Commands of the package: ``python -m model predict --model DIR INPUT OUTPUT``."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

# Heavy libraries (torch, transformers, ray, pyarrow) load only when a command needs them.

PREDICT = """Tag every row of INPUT into OUTPUT.

    python -m model predict --model runs/model news.jsonl tags.jsonl
    python -m model predict news.csv tags.parquet --workers 4
    python -m model predict archive.jsonl.gz tags.jsonl.gz --resume
    python -m model predict news.parquet tags.parquet --engine ray --ray-address auto

INPUT and OUTPUT formats follow the file ending: .jsonl, .jsonl.gz, .csv, .csv.gz, .parquet.
Each input row needs a text (column/field "text", or --text-field); "id" is carried through.
Output rows keep input order, one per input row; a row that cannot be tagged gets an output
row with an "error" field and is listed in OUTPUT.errors.jsonl. Work in progress lives in
OUTPUT.partial/ until the job ends. See README.md, "Batch inference".
"""


def _predict_parser(sub) -> None:
    from model.config import RUNTIMES
    from model.saving import default_model_dir

    p = sub.add_parser(
        "predict",
        help="tag every row of a file",
        description=PREDICT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", type=Path, metavar="INPUT", help="rows to tag")
    p.add_argument("output", type=Path, metavar="OUTPUT", help="where the results go")
    p.add_argument(
        "--model",
        type=Path,
        metavar="DIR",
        help=f"model directory (default: {default_model_dir()})",
    )
    p.add_argument(
        "--batch-size", type=int, default=64, metavar="N", help="texts per model call (64)"
    )
    p.add_argument(
        "--chunk-size",
        type=int,
        default=1000,
        metavar="N",
        help="rows written per checkpoint (1000); a kill loses at most one chunk of work",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes (local) or model actors (ray), each with its own copy of the model "
        "(default: 1 local, every CPU of the cluster for ray)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local processes (default), or Ray Data (pip install 'conflict-tagger[ray]')",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="an existing Ray cluster (e.g. auto, or HOST:6379); default: a local Ray "
        "started for the job",
    )
    p.add_argument("--resume", action="store_true", help="continue an interrupted run of this job")
    p.add_argument(
        "--overwrite", action="store_true", help="discard an interrupted run and start again"
    )
    p.add_argument("--text-field", default="text", metavar="NAME", help="input text field")
    p.add_argument("--id-field", default="id", metavar="NAME", help="input id field")
    p.add_argument(
        "--max-chars",
        type=int,
        metavar="N",
        help="longer texts are reported as errors (default: 2,000,000)",
    )
    p.add_argument(
        "--runtime",
        choices=RUNTIMES,
        help="transformer models: run the network on torch, ONNX Runtime fp32 (onnx) or int8 "
        "(onnx-int8, the fastest); default: the model's setting (auto: onnx when the model "
        "was saved with it)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress or summary")


def predict(args: argparse.Namespace) -> int:
    from model.batch import BatchConfig, run

    options = {} if args.max_chars is None else {"max_chars": args.max_chars}
    config = BatchConfig(
        args.input,
        args.output,
        model=args.model,
        batch_size=args.batch_size,
        chunk_size=args.chunk_size,
        workers=args.workers,
        engine="ray" if args.ray_address else args.engine,
        ray_address=args.ray_address,
        resume=args.resume,
        overwrite=args.overwrite,
        text_field=args.text_field,
        id_field=args.id_field,
        runtime=args.runtime,
        progress=not args.quiet,
        **options,
    )
    summary = run(config)
    if not args.quiet:
        print(summary, file=sys.stderr)
    return 0


def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model", description="Conflict news tagger.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _predict_parser(sub)
    args = parser.parse_args(argv)
    from model.errors import TaggerError

    try:
        return predict(args)
    except (TaggerError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"\nstopped; everything up to the last checkpoint is kept in {args.output}.partial/"
            " - run the same command with --resume to continue",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    # SIGTERM stops like Ctrl-C: workers are ended and the last checkpoint stands.
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main())
