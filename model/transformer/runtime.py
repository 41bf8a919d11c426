"""Two ways to run the network on windows: torch (training, GPU, reference) and ONNX Runtime
(fast CPU inference, fp32 or dynamically quantised int8), plus the export between them.

Both take ``(input_ids, attention_mask)`` int64 arrays ``(n_windows, n_tokens)`` and return
logits ``(n_windows, n_outputs)`` as float32 numpy arrays; ``with_tokens`` adds the count
head's token logits ``(n_windows, n_tokens)``, and ``has_tokens`` says whether the network
has that head.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

import numpy as np

ONNX_FP32 = "window_logits.onnx"
ONNX_INT8 = "window_logits.int8.onnx"


def onnxruntime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class TorchRunner:
    """The torch network in eval mode on ``device``."""

    name = "torch"
    max_batch = None  # windows per call: ``transformer.infer_batch_size``

    def __init__(self, net, device: str = "cpu") -> None:
        self.net, self.device = net.eval(), device
        self.has_tokens = getattr(net, "count_head", None) is not None

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        return self._run(self.net, input_ids, attention_mask)

    def with_tokens(self, input_ids: np.ndarray, attention_mask: np.ndarray):
        return self._run(self.net.forward_tokens, input_ids, attention_mask)

    def _run(self, fn, input_ids: np.ndarray, attention_mask: np.ndarray):
        import torch

        with torch.inference_mode():
            ids = torch.from_numpy(input_ids).to(self.device)
            mask = torch.from_numpy(attention_mask).to(self.device)
            out = fn(ids, mask)
            if isinstance(out, tuple):
                return tuple(o.float().cpu().numpy() for o in out)
            return out.float().cpu().numpy()


class OnnxRunner:
    """An ONNX Runtime session on the CPU, on ``threads`` threads (0: one per core).

    The int8 graph runs one window per call (``max_batch``): dynamic quantisation scales
    each activation tensor by its range over the whole call, so a window's scores would
    depend on the windows batched with it (by up to 0.08 in probability on the embedded
    articles). Alone, they do not; and on two cores it is no slower, since no padding is
    computed."""

    def __init__(self, path: Path, name: str = "onnx", threads: int = 0) -> None:
        import onnxruntime as ort

        self.max_batch = 1 if name == "onnx-int8" else None

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.name = name
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.has_tokens = "token_logits" in {o.name for o in self.session.get_outputs()}

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        return self.session.run(["logits"], feed)[0]

    def with_tokens(self, input_ids: np.ndarray, attention_mask: np.ndarray):
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        logits, tokens = self.session.run(["logits", "token_logits"], feed)
        return logits, tokens


def export_onnx(net, encoder_config: dict, out: Path, *, int8: bool) -> list[Path]:
    """Write the network as ONNX to ``out/window_logits.onnx`` (attention fused for BERT
    encoders; outputs ``logits`` and, with a count head, ``token_logits``) and, with
    ``int8``, a per-channel dynamically quantised copy. Returns the files."""
    import copy

    import torch

    net = copy.deepcopy(net).float().cpu().eval()
    outputs = {"logits": {0: "windows"}}
    if net.count_head is not None:
        from model.transformer.network import TokensForward

        net = TokensForward(net)
        outputs["token_logits"] = {0: "windows", 1: "tokens"}
    ids = torch.ones((2, 8), dtype=torch.long)
    out.mkdir(parents=True, exist_ok=True)
    fp32 = out / ONNX_FP32
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = Path(tmp) / "raw.onnx"
        torch.onnx.export(
            net,
            (ids, torch.ones_like(ids)),
            str(raw),
            input_names=["input_ids", "attention_mask"],
            output_names=list(outputs),
            dynamic_axes={
                "input_ids": {0: "windows", 1: "tokens"},
                "attention_mask": {0: "windows", 1: "tokens"},
                **outputs,
            },
            opset_version=17,
            dynamo=False,
        )
        _fuse(raw, fp32, encoder_config)
    files = [fp32]
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Per-channel weights keep int8 outputs close to fp32; the option lets the
        # quantiser handle the fused attention nodes.
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # the quantiser's advice on pre-processing is noise here
        try:
            quantize_dynamic(
                str(fp32),
                str(out / ONNX_INT8),
                weight_type=QuantType.QInt8,
                per_channel=True,
                extra_options={"DefaultTensorType": 1},
            )
        finally:
            root.setLevel(level)
        files.append(out / ONNX_INT8)
    return files


def _fuse(raw: Path, target: Path, encoder_config: dict) -> None:
    """Fuse attention and layer norms (ONNX Runtime's transformer optimizer) where the
    encoder is a BERT; other encoders are written as exported."""
    import shutil

    if encoder_config.get("model_type") != "bert":
        shutil.copyfile(raw, target)
        return
    from onnxruntime.transformers import optimizer

    logging.getLogger("onnxruntime.transformers").setLevel(logging.ERROR)
    fused = optimizer.optimize_model(
        str(raw),
        model_type="bert",
        num_heads=int(encoder_config["num_attention_heads"]),
        hidden_size=int(encoder_config["hidden_size"]),
    )
    fused.save_model_to_file(str(target))
