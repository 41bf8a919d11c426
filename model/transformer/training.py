"""Fine-tuning: multi-task, multi-label, over windows. A text's logit for a label is the
maximum over its windows (as at prediction), so a long article is learned from the window
that shows the event; masked binary cross-entropy skips the tasks a record has no labels
for. AdamW with warm-up and linear decay, dev evaluation with early stopping on dev loss,
mixed precision on a GPU.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from model.config import TransformerConfig
from model.transformer.network import head_slices
from model.transformer.runtime import TorchRunner
from model.transformer.windows import max_by_owner, pad_windows, run_windows


@dataclass
class Examples:
    """Tokenised records: per text its windows' token ids; targets ``Y`` and ``mask``, both
    (n_texts, n_outputs), ``mask`` marking the outputs a record carries labels for; and the
    count head's: per text, ``(targets, spots)``, a target per number mention and, per
    window, the ``(mention, token position)`` of the mentions it holds (no mentions where
    the record's toll is unknown). ``weights`` (n_texts, n_outputs), when given, weight the
    loss of each labelled output (``model.linear.heads.country_weights``)."""

    windows: list[list[list[int]]]
    Y: np.ndarray
    mask: np.ndarray
    counts: list[tuple[list[float], list[list[tuple[int, int]]]]] | None = None
    weights: np.ndarray | None = None


def pick_device(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        from model.errors import ConfigError

        raise ConfigError("transformer.device is 'cuda' but no GPU is visible; use 'auto' or 'cpu'")
    return name


def masked_bce(logits: np.ndarray, Y: np.ndarray, mask: np.ndarray) -> float:
    """Mean binary cross-entropy over the labelled outputs (numpy, for evaluation)."""
    loss = np.maximum(logits, 0) - logits * Y + np.log1p(np.exp(-np.abs(logits)))
    return float((loss * mask).sum() / max(mask.sum(), 1))


def evaluate(net, data: Examples, pad_id: int, cfg: TransformerConfig, device: str) -> dict:
    """Dev loss and event-type macro-F1 (at probability 0.5) of text-level logits."""
    logits, owner = run_windows(
        TorchRunner(net, device), data.windows, pad_id, cfg.infer_batch_size
    )
    agg = max_by_owner(logits, owner, len(data.windows))
    cols = head_slices()["event_types"]
    Y, M, P = data.Y[:, cols], data.mask[:, cols], agg[:, cols] > 0
    f1s = []
    for j in range(Y.shape[1]):
        rows = M[:, j]
        if Y[rows, j].sum():
            tp = (P[rows, j] & (Y[rows, j] == 1)).sum()
            f1s.append(2 * tp / (P[rows, j].sum() + Y[rows, j].sum()))
    return {
        "dev_loss": round(masked_bce(agg, data.Y, data.mask), 5),
        "dev_event_macro_f1": round(float(np.mean(f1s)), 4) if f1s else None,
    }


def make_batches(
    n_windows: list[int], budget: int, rng: np.random.Generator, n_tokens: list[int] | None = None
) -> list[list[int]]:
    """Text indices in batches of at most ``budget`` windows (a text with more is alone),
    texts of similar size together (by windows, then by ``n_tokens``, so that short notes
    are not padded to long ones), batches in random order."""
    order = rng.permutation(len(n_windows))
    tokens = n_tokens if n_tokens is not None else [0] * len(n_windows)
    batches: list[list[int]] = []
    chunk = 64 * budget
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: (n_windows[i], tokens[i]))
        batch, used = [], 0
        for i in part:
            if batch and used + n_windows[i] > budget:
                batches.append(batch)
                batch, used = [], 0
            batch.append(int(i))
            used += n_windows[i]
        if batch:
            batches.append(batch)
    return [batches[k] for k in rng.permutation(len(batches))]


def _select(net, windows: list[list[int]], limit: int, pad_id: int, device: str) -> list[int]:
    """Which windows of a long text to train on, at most ``limit``: those that hold the
    maximum for most outputs (scored without gradient), so training sees what the max over
    windows sees."""
    if len(windows) <= limit:
        return list(range(len(windows)))
    logits, _ = run_windows(TorchRunner(net, device), [windows], pad_id, 4 * limit)
    winners, counts = np.unique(logits.argmax(0), return_counts=True)
    return sorted(int(k) for k in winners[np.argsort(-counts, kind="stable")][:limit])


class _EarlyStopping:
    """Dev evaluations, the best state so far (lowest dev loss), and when to stop."""

    def __init__(self, patience: int) -> None:
        self.patience, self.bad, self.history = patience, 0, []
        self.best_loss, self.best_state = math.inf, None

    def update(self, net, scores: dict) -> bool:
        """Record ``scores``; True when training should stop."""
        self.history.append(scores)
        if scores["dev_loss"] < self.best_loss - 1e-5:
            self.best_loss, self.bad = scores["dev_loss"], 0
            self.best_state = {
                k: v.detach().to("cpu", copy=True) for k, v in net.state_dict().items()
            }
        else:
            self.bad += 1
        return bool(self.patience) and self.bad >= self.patience


def fine_tune(
    net,
    train: Examples,
    dev: Examples | None,
    cfg: TransformerConfig,
    *,
    seed: int,
    pad_id: int,
    progress: bool = True,
) -> list[dict]:
    """Train ``net`` in place; returns the dev evaluations. With a dev set, the state with the
    lowest dev loss is restored at the end."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    device = pick_device(cfg.device)
    net.to(device)
    capped = [min(len(w), cfg.max_train_windows) for w in train.windows]
    tokens = [max(len(x) for x in w) if w else 0 for w in train.windows]
    steps_per_epoch = len(make_batches(capped, cfg.batch_size, np.random.default_rng(seed), tokens))
    total = min(cfg.max_steps or math.inf, cfg.epochs * steps_per_epoch)
    optimizer = torch.optim.AdamW(_param_groups(net, cfg))
    warmup = max(1, int(cfg.warmup_fraction * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    autocast, scaler = _mixed_precision(device)
    stopper = _EarlyStopping(cfg.patience)
    t0, step, stop = time.perf_counter(), 0, False
    bar = tqdm(total=total, desc="fine-tune", disable=not progress, leave=False)

    def checkpoint(epoch: int) -> bool:
        if dev is None:
            return False
        scores = evaluate(net, dev, pad_id, cfg, device)
        scores.update(step=step, epoch=epoch + 1, minutes=round((time.perf_counter() - t0) / 60, 2))
        if progress:
            tqdm.write(f"dev after step {step}: {scores}")
        return stopper.update(net, scores)

    for epoch in range(cfg.epochs):
        for batch in make_batches(capped, cfg.batch_size, rng, tokens):
            loss = _train_step(net, train, batch, cfg, pad_id, device, autocast, scaler, optimizer)
            schedule.step()
            step += 1
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss:.4f}")
            out_of_time = cfg.max_minutes and time.perf_counter() - t0 >= 60 * cfg.max_minutes
            if step >= total or out_of_time:
                stop = True
            if (cfg.eval_every and step % cfg.eval_every == 0) or stop:
                stop = checkpoint(epoch) or stop
            if stop:
                break
        if stop:
            break
        if not cfg.eval_every and checkpoint(epoch):
            break
    bar.close()
    if stopper.best_state is not None:
        net.load_state_dict(stopper.best_state)
    if progress:
        print(f"fine-tuned {step} steps in {(time.perf_counter() - t0) / 60:.1f} min on {device}")
    return stopper.history


def _train_step(net, train, batch, cfg, pad_id, device, autocast, scaler, optimizer) -> float:
    chosen = [_select(net, train.windows[i], cfg.max_train_windows, pad_id, device) for i in batch]
    picked = [(i, k) for i, ks in zip(batch, chosen, strict=True) for k in ks]
    arrays = pad_windows([train.windows[i][k] for i, k in picked], pad_id)
    ids, mask = (torch.from_numpy(a).to(device) for a in arrays)
    # The count head's mentions in the chosen windows: (window row, token position, target).
    spots = []
    if net.count_head is not None and train.counts is not None:
        for row, (i, k) in enumerate(picked):
            targets, per_window = train.counts[i]
            spots += [(row, p, targets[m]) for m, p in per_window[k]]
    net.train()
    with autocast():
        if spots:
            logits, token_logits = net.forward_tokens(ids, mask)
            logits, token_logits = logits.float(), token_logits.float()
        else:
            logits = net(ids, mask).float()  # (n_windows, n_outputs)
    bounds = np.cumsum([0] + [len(ks) for ks in chosen])
    agg = torch.stack([logits[a:b].max(0).values for a, b in zip(bounds, bounds[1:], strict=False)])
    y = torch.from_numpy(train.Y[batch].astype(np.float32)).to(device)  # (n_texts, n_outputs)
    m = train.mask[batch].astype(np.float32)
    w = torch.from_numpy(m if train.weights is None else m * train.weights[batch]).to(device)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(agg, y, reduction="none")
    loss = (bce * w).sum() / max(float(m.sum()), 1.0)
    if spots:
        rows, positions, targets = (
            torch.tensor(v, device=device) for v in zip(*spots, strict=True)
        )
        count_loss = torch.nn.functional.binary_cross_entropy_with_logits(
            token_logits[rows, positions], targets.float()
        )
        loss = loss + count_loss  # reaches the count head only (TaggerNet.forward_tokens)
    optimizer.zero_grad(set_to_none=True)
    if scaler is not None:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        _clip_gradients(net)
        scaler.step(optimizer)
        scaler.update()
    else:
        loss.backward()
        _clip_gradients(net)
        optimizer.step()
    return float(loss.item())


def _clip_gradients(net, max_norm: float = 1.0) -> None:
    """Clip the count head's gradient apart from the rest, so that the encoder and the
    event heads take the same steps whether the count head is there or not."""
    rest = [p for name, p in net.named_parameters() if not name.startswith("count_head.")]
    torch.nn.utils.clip_grad_norm_(rest, max_norm)
    if net.count_head is not None:
        torch.nn.utils.clip_grad_norm_(net.count_head.parameters(), max_norm)


def _param_groups(net, cfg: TransformerConfig) -> list[dict]:
    """Encoder at ``lr``, heads at ``head_lr``; no weight decay on biases and norms."""
    groups: dict[tuple[bool, bool], list] = {}
    for name, param in net.named_parameters():
        is_head = name.startswith(("heads.", "count_head."))
        decay = param.ndim > 1
        groups.setdefault((is_head, decay), []).append(param)
    return [
        {
            "params": params,
            "lr": cfg.head_lr if is_head else cfg.lr,
            "weight_decay": cfg.weight_decay if decay else 0.0,
        }
        for (is_head, decay), params in groups.items()
    ]


def _mixed_precision(device: str):
    """(autocast context factory, grad scaler or None): bf16 where the GPU has it, else fp16
    with loss scaling; plain fp32 on the CPU."""
    if device != "cuda":
        return contextlib.nullcontext, None
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda") if dtype == torch.float16 else None
    return (lambda: torch.autocast("cuda", dtype=dtype)), scaler
