"""Training loop of the PETER-class model: seeded epochs, bf16 autocast, early stopping with LR decay on
plateau, a progress bar, and checkpoints (safetensors + JSON) that a later run resumes from.

Optimizers: AdamW for the dense weights, SparseAdam for the user / item tables (and the word table
when it is not tied to the output): their gradients are sparse, so a step touches only the rows of
the batch instead of every embedding weight.
Gradients of the dense weights are clipped to norm 1.0 (PETER clips everything; sparse rows are not).

Validation loss: text NLL + rating MSE with the training weights (PETER sums them unweighted; with
the rating at weight 0.1 a noisy rating epoch no longer decides the early stopping alone). When
it does not improve, both learning rates are multiplied by ``lr_decay``; after ``patience`` epochs in
a row without improvement training stops. The best weights by validation loss are kept and returned.

Resume: with a checkpoint folder, every epoch ends by writing ``last.safetensors`` (model),
``optimizer.safetensors`` + ``trainer.json`` (epoch, best loss, LRs, history, data fingerprint) and,
when it improved, ``best.safetensors``. Epoch e shuffles with ``seed + e`` and seeds dropout with it,
so stopping after epoch e and resuming gives the same weights as an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from recreason.reasons.peter.model import PeterModel

TENSORS = ("user", "item", "user_toks", "item_toks", "feats", "seq", "rating")


@dataclass
class TrainSettings:
    epochs: int = 30
    batch_size: int = 128
    lr: float = 1e-3
    lr_decay: float = 0.25
    patience: int = 5
    clip: float = 1.0
    seed: int = 0
    bf16: bool = True
    id_dropout: float = 0.03  # share of training rows whose user / item id is replaced by <unk>
    progress: bool = True
    checkpoint_dir: str | None = None
    max_steps: int | None = None  # per epoch; None = the whole training set
    history: list[dict] = field(default_factory=list)


def bf16_supported() -> bool:
    """bf16 autocast pays off on CPUs with native bf16 dot products (AVX512-BF16 or AMX)."""
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:
        return False


def fingerprint(data: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for key in TENSORS:
        h.update(key.encode())
        h.update(data[key].contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def _batch(data: dict[str, torch.Tensor], idx: torch.Tensor) -> list[torch.Tensor]:
    return [data[k][idx] for k in TENSORS]


def optimizers(model: PeterModel, lr: float) -> list[torch.optim.Optimizer]:
    sparse = model.sparse_parameters()
    dense = [p for p in model.parameters() if all(p is not q for q in sparse)]
    opts: list[torch.optim.Optimizer] = [torch.optim.AdamW(dense, lr=lr, weight_decay=0.0, foreach=True)]
    if sparse:
        opts.append(torch.optim.SparseAdam(sparse, lr=lr))
    return opts


def train_step(model: PeterModel, opts: list[torch.optim.Optimizer], batch: list[torch.Tensor],
               s: TrainSettings) -> tuple[float, dict[str, float]]:
    """One optimizer step on one batch (user, item, user_toks, item_toks, feats, seq, rating)."""
    user, item, user_toks, item_toks, feats, seq, rating = batch
    if s.id_dropout > 0:  # teach the <unk> rows: some rows lose their user / item id
        user = user.masked_fill(torch.rand(user.shape[0]) < s.id_dropout, 0)
        item = item.masked_fill(torch.rand(item.shape[0]) < s.id_dropout, 0)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=s.bf16):
        loss, parts = model.loss(user, item, user_toks, item_toks, feats, seq, rating)
    for opt in opts:
        opt.zero_grad(set_to_none=True)
    loss.backward()
    if s.clip:
        torch.nn.utils.clip_grad_norm_(opts[0].param_groups[0]["params"], s.clip)
    for opt in opts:
        opt.step()
    return loss.item(), parts


@torch.no_grad()
def evaluate(model: PeterModel, data: dict[str, torch.Tensor], batch_size: int,
             bf16: bool) -> dict[str, float]:
    """Mean text / context / rating losses over ``data`` (eval mode, no dropout)."""
    model.eval()
    n = data["user"].shape[0]
    sums = {"text": 0.0, "context": 0.0, "rating": 0.0}
    for start in range(0, n, batch_size):
        idx = torch.arange(start, min(n, start + batch_size))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            _, parts = model.loss(*_batch(data, idx))
        for k in sums:
            sums[k] += parts[k] * len(idx)
    out = {k: v / max(n, 1) for k, v in sums.items()}
    out["loss"] = model.c.text_weight * out["text"] + model.c.rating_weight * out["rating"]
    return out


# ---------------------------------------------------------------------------- checkpoints


def _save_optimizers(opts: list[torch.optim.Optimizer], path: Path) -> dict:
    """Tensors of the optimizer states to safetensors; param groups and plain numbers (SparseAdam's
    int step) returned for the JSON."""
    tensors, groups, numbers = {}, [], {}
    for o, opt in enumerate(opts):
        sd = opt.state_dict()
        for pid, state in sd["state"].items():
            for key, value in state.items():
                if isinstance(value, torch.Tensor):
                    tensors[f"{o}.{pid}.{key}"] = value.contiguous()
                else:
                    numbers[f"{o}.{pid}.{key}"] = value
        groups.append(sd["param_groups"])
    save_file(tensors, str(path))
    return {"param_groups": groups, "numbers": numbers}


def _load_optimizers(opts: list[torch.optim.Optimizer], path: Path, saved: dict) -> None:
    values = {**load_file(str(path)), **saved["numbers"]}
    for o, opt in enumerate(opts):
        state: dict[int, dict] = {}
        for name, value in values.items():
            oi, pid, key = name.split(".", 2)
            if int(oi) == o:
                state.setdefault(int(pid), {})[key] = value
        opt.load_state_dict({"state": state, "param_groups": saved["param_groups"][o]})


def _write_checkpoint(folder: Path, model, opts, trainer: dict, improved: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    weights = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(weights, str(folder / "last.safetensors"))
    if improved:
        save_file(weights, str(folder / "best.safetensors"))
    trainer["optimizer"] = _save_optimizers(opts, folder / "optimizer.safetensors")
    tmp = folder / "trainer.json.tmp"
    tmp.write_text(json.dumps(trainer, indent=1), encoding="utf-8")
    tmp.replace(folder / "trainer.json")  # trainer.json last: a checkpoint is complete once it exists


# ---------------------------------------------------------------------------- loop


def train(model: PeterModel, train_data: dict[str, torch.Tensor], valid_data: dict[str, torch.Tensor],
          s: TrainSettings) -> list[dict]:
    """Train in place; returns the per-epoch history. The model ends with its best weights."""
    opts = optimizers(model, s.lr)
    fp = fingerprint(train_data)
    state = {"epoch": 0, "best": math.inf, "bad": 0, "lr": s.lr, "history": [], "fingerprint": fp,
             "stopped": False}
    folder = Path(s.checkpoint_dir) if s.checkpoint_dir else None
    if folder and (folder / "trainer.json").is_file():
        state = json.loads((folder / "trainer.json").read_text(encoding="utf-8"))
        if state["fingerprint"] != fp:
            raise ValueError(f"{folder}: checkpoint was trained on other data (fingerprint "
                             f"{state['fingerprint']}, now {fp}); use a fresh checkpoint_dir")
        model.load_state_dict(load_file(str(folder / "last.safetensors")))
        _load_optimizers(opts, folder / "optimizer.safetensors", state.pop("optimizer"))
    best_weights = ({k: v.clone() for k, v in model.state_dict().items()} if state["epoch"] == 0
                    else load_file(str(folder / "best.safetensors")) if folder else None)
    n = train_data["user"].shape[0]
    steps = math.ceil(n / s.batch_size)
    steps = steps if s.max_steps is None else min(s.max_steps, steps)
    while state["epoch"] < s.epochs and not state["stopped"]:
        epoch = state["epoch"] + 1
        torch.manual_seed(s.seed + epoch)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(s.seed * 7919 + epoch))
        model.train()
        t0, total, seen = time.perf_counter(), 0.0, 0
        bar = tqdm(range(steps), desc=f"peter epoch {epoch}", unit="step", disable=not s.progress,
                   leave=False, mininterval=1.0)
        for step in bar:
            idx = order[step * s.batch_size:(step + 1) * s.batch_size]
            loss, parts = train_step(model, opts, _batch(train_data, idx), s)
            total, seen = total + loss * len(idx), seen + len(idx)
            if step % 20 == 0:
                bar.set_postfix(loss=f"{total / seen:.3f}", text=f"{parts['text']:.3f}")
        bar.close()
        val = evaluate(model, valid_data, max(256, s.batch_size), s.bf16)
        improved = val["loss"] < state["best"]
        if improved:
            state["best"], state["bad"] = val["loss"], 0
            best_weights = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            state["bad"] += 1
            state["lr"] *= s.lr_decay
            for opt in opts:
                for g in opt.param_groups:
                    g["lr"] = state["lr"]
            state["stopped"] = state["bad"] >= s.patience
        record = {"epoch": epoch, "train_loss": total / max(seen, 1), "seconds": time.perf_counter() - t0,
                  "steps": steps, **{f"val_{k}": v for k, v in val.items()}, "lr": state["lr"]}
        state["history"].append(record)
        state["epoch"] = epoch
        if s.progress:
            decay = "" if improved else f", lr -> {state['lr']:.2e}"
            tqdm.write(f"peter epoch {epoch}: train {record['train_loss']:.4f} valid text {val['text']:.4f} "
                       f"context {val['context']:.4f} rating {val['rating']:.4f} "
                       f"({record['seconds']:.0f} s){decay}")
        if folder:
            _write_checkpoint(folder, model, opts, state, improved)
    if best_weights is not None:
        model.load_state_dict(best_weights)
    model.eval()
    s.history = state["history"]
    return state["history"]
