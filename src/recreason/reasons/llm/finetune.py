"""LoRA fine-tuning on (user, item, reason) triples, on CPU, and export of the adapter to GGUF.

The base model is loaded by transformers from the *same GGUF file* llama.cpp serves (dequantized, then
held in bf16), so no Hugging Face download is needed. Each training example is the generator's own
zero-shot prompt (header + query block, ``shots=0``) followed by the reference reason cut the way
the generator cuts its output; the loss is on the reason's tokens only. LoRA (peft) adapts the
attention projections; the optimizer is AdamW with a linear warm-up and decay.

After training, ``model.hf_quantizer`` and ``config.quantization_config`` are cleared (a GGUF-loaded
model otherwise refuses to save), the PEFT adapter is saved, and ``export_lora_gguf`` writes it as a
llama.cpp LoRA adapter (``general.type = adapter``, ``adapter.type = lora``, ``adapter.lora.alpha``;
tensors ``blk.N.attn_q.weight.lora_a`` / ``.lora_b`` named by the ``gguf`` package's tensor map for the
base file's architecture), which ``LlamaCppBackend(lora=...)`` applies on top of the unchanged
Q4_K_M base. Merging the adapter and re-quantizing to Q4_K_M degraded output in earlier tests here.

Measured before on 2 free cores (shared/notes/models.md): Gemma 270M, batch 8 x 64 tokens: 2.9 s a step;
Qwen 0.5B: 5.8 s. Prompts here are longer (about 150-250 tokens), so steps take longer.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from recreason.reasons.llm.prompts import DEFAULT_VERSION, MAX_LENGTH, Fields, PromptTemplate, postprocess

ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")


@dataclass
class FinetuneConfig:
    base: str = "gemma-3-270m"  # embedded model name or a GGUF path
    out_dir: str | None = None  # default: <cache>/finetune/<base>-<examples hash>
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ATTENTION
    lr: float = 2e-4
    epochs: float = 1.0
    batch_size: int = 8
    max_tokens: int = 320  # per example; longer ones are cut from the prompt's start
    max_examples: int | None = None
    warmup_steps: int = 10
    threads: int | None = None
    seed: int = 0
    prompt_version: str = DEFAULT_VERSION
    max_sentences: int | None = None  # None: the references' own length (``sentence_budget``)
    export_gguf: bool = True
    log_every: int = 10
    dtype: str = "float32"  # transformers 5 keeps GGUF weights packed and computes in float32 either way
    checkpoint_every: int = 25  # steps between checkpoints (0: none); a rerun of the same job resumes there
    max_minutes: float | None = None  # stop (with a checkpoint) after this long; the next run goes on


#: config fields that do not change what is trained (a checkpoint of a run that differs only in them resumes)
_RUN_ONLY = ("out_dir", "export_gguf", "log_every", "threads", "checkpoint_every", "max_minutes")


@dataclass
class FinetuneResult:
    peft_adapter: Path | None  # None while the run is not complete
    gguf_adapter: Path | None
    n_examples: int
    steps: int  # steps done so far (of ``total``)
    seconds: float
    losses: list[float] = field(default_factory=list)
    total: int = 0
    max_sentences: int = 1

    @property
    def complete(self) -> bool:
        return self.steps >= self.total


class FinetuneIncomplete(RuntimeError):
    """A fine-tuning run stopped before its last step (``max_minutes``); its checkpoint waits for the next run."""

    def __init__(self, result: FinetuneResult):
        super().__init__(f"fine-tuning stopped at step {result.steps} of {result.total}; run the same command "
                         "again to resume from the checkpoint")
        self.result = result


def sentence_budget(examples: Sequence, cap: int = 2) -> int:
    """Sentences a target keeps: the median of the references' own (XRec amazon references run to two
    sentences, google's to one), at most ``cap``."""
    from recreason.reasons.llm.prompts import first_sentences

    counts = []
    for ex in examples[:2000]:
        text, n = ex.text.strip(), 0
        while text and n < cap + 1:
            head = first_sentences(text, 1)
            text, n = text[len(head):].strip(), n + 1
        counts.append(n)
    counts = sorted(c for c in counts if c)
    return max(1, min(cap, counts[len(counts) // 2])) if counts else 1


def training_pairs(examples: Sequence, version: str = DEFAULT_VERSION, max_sentences: int = 1) -> list[tuple[str, str]]:
    """(prompt, target) for each example: the zero-shot prompt and the cut reference reason."""
    out = []
    for ex in examples:
        req = ex.request
        lang = req.lang
        target = postprocess(ex.text, lang, max_sentences, MAX_LENGTH[lang])
        if not target:
            continue
        query = Fields.of(req.user, req.item, lang, req.context, req.feature)
        prompt = PromptTemplate.load(lang, version).render(query, [], defaults=False)
        out.append((prompt, lang.word_sep + target + "\n"))  # "Reason: It is ..." / "推荐理由：它..."
    return out


def _encode(tokenizer, pairs: list[tuple[str, str]], max_tokens: int) -> list[tuple[list[int], int]]:
    """Token ids of prompt + target and the number of prompt tokens (masked out of the loss)."""
    rows = []
    for prompt, target in pairs:
        p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
        t = tokenizer(target, add_special_tokens=False)["input_ids"]
        if len(p) + len(t) > max_tokens:
            keep = max(0, max_tokens - len(t))
            p = p[:1] + p[len(p) - keep + 1:] if keep > 1 else p[:keep]
        rows.append((p + t, len(p)))
    return rows


def _batches(rows: list[tuple[list[int], int]], size: int, seed: int) -> list[list[int]]:
    """Index batches of similar length (less padding), in a shuffled order."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    batches = [order[i:i + size] for i in range(0, len(order), size)]
    random.Random(seed).shuffle(batches)
    return batches


def load_base(gguf_path: Path, dtype: str = "float32"):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=getattr(torch, dtype),
                                                 attn_implementation="eager")
    return model, tokenizer


def finetune_lora(examples: Sequence, cfg: FinetuneConfig, log: Callable[[str], None] = print) -> FinetuneResult:
    """Train a LoRA adapter on ``examples`` (TrainingExample) and save it (PEFT folder + GGUF).

    Checkpoints every ``cfg.checkpoint_every`` steps into ``OUT/checkpoint``; the same call again (same
    examples and settings) resumes from there, so a long CPU run can span sittings (``cfg.max_minutes`` ends
    a sitting cleanly). The result says whether the run is complete; only a complete run is exported."""
    import hashlib

    import torch

    from recreason.reasons.llm.backends import default_threads
    from recreason.reasons.llm.registry import cache_dir, resolve

    spec = resolve(cfg.base)
    if spec.kind != "gguf":
        raise ValueError(f"fine-tuning needs a GGUF base model, got {spec.kind}: {spec.location}")
    sentences = cfg.max_sentences or sentence_budget(examples)
    pairs = training_pairs(examples, cfg.prompt_version, sentences)
    random.Random(cfg.seed).shuffle(pairs)
    pairs = pairs[: cfg.max_examples or None]
    if not pairs:
        raise ValueError("no training examples with a usable reference reason")
    key = run_key(cfg, pairs)
    out = Path(cfg.out_dir) if cfg.out_dir else cache_dir().parent / "finetune" / (
        f"{spec.name}-{hashlib.sha256(key.encode()).hexdigest()[:10]}")
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.threads or default_threads())

    t0 = time.perf_counter()
    model, tokenizer = load_base(Path(spec.location), cfg.dtype)
    log(f"loaded {spec.name} from GGUF in {time.perf_counter() - t0:.0f} s; {len(pairs)} examples, "
        f"targets of at most {sentences} sentence(s)")
    model, run = train_lora(model, tokenizer, pairs, cfg, out, key, log)
    result = FinetuneResult(None, None, run["n"], run["step"], run["seconds"], run["losses"], run["total"], sentences)
    if not result.complete:
        log(f"stopped at step {result.steps}/{result.total} (checkpoint in {out / 'checkpoint'}); "
            "run the same command again to go on")
        return result

    model.hf_quantizer = None  # a GGUF-loaded model refuses to save otherwise
    base = model.get_base_model()
    base.hf_quantizer = None
    if hasattr(base.config, "quantization_config"):
        del base.config.quantization_config
    peft_dir = out / "peft"
    model.save_pretrained(str(peft_dir))
    gguf_path = export_lora_gguf(peft_dir, Path(spec.location), out / "adapter.gguf") if cfg.export_gguf else None
    (out / "train.json").write_text(json.dumps({"config": asdict(cfg), "max_sentences": sentences,
                                                "n_examples": run["n"], "steps": run["total"],
                                                "seconds": run["seconds"], "losses": run["losses"]},
                                               default=str, indent=1))
    _drop_checkpoint(out)
    log(f"trained {run['total']} steps on {run['n']} examples in {run['seconds'] / 60:.1f} min; "
        f"adapter {gguf_path or peft_dir}")
    result.peft_adapter, result.gguf_adapter = peft_dir, gguf_path
    return result


def run_key(cfg: FinetuneConfig, pairs: list[tuple[str, str]]) -> str:
    """What identifies a training run: the settings that change the result, and every training pair."""
    import hashlib

    digest = hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()
    settings = {k: v for k, v in asdict(cfg).items() if k not in _RUN_ONLY}
    return json.dumps([settings, len(pairs), digest], ensure_ascii=False, default=str)


def train_lora(model, tokenizer, pairs: list[tuple[str, str]], cfg: FinetuneConfig, out: Path, key: str,
               log: Callable[[str], None] = print, stop_after: int | None = None):
    """LoRA on ``model`` (a transformers causal LM) for (prompt, target) ``pairs``: the loss on the target's
    tokens only, AdamW with warm-up and linear decay, checkpoints in ``out/checkpoint`` (adapter weights,
    optimizer, schedule, RNG state, losses), resumed when the checkpoint's ``key`` matches. Stops after
    ``stop_after`` steps in all (tests) or ``cfg.max_minutes``. Returns (peft model, run record)."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(cfg.seed)
    model = get_peft_model(model, LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                                             target_modules=list(cfg.target_modules), task_type="CAUSAL_LM"))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    rows = _encode(tokenizer, pairs, cfg.max_tokens)
    batches = [b for e in range(math.ceil(cfg.epochs)) for b in _batches(rows, cfg.batch_size, cfg.seed + e)]
    batches = batches[: max(1, round(len(rows) / cfg.batch_size * cfg.epochs))]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    total = len(batches)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, cfg.warmup_steps)) * max(0.0, 1 - s / max(1, total)))
    losses: list[float] = []
    done, seconds = _resume(model, opt, sched, out, key, log)
    if done:
        losses, seconds, start = done["losses"], done["seconds"], done["step"]
    else:
        start = 0
    model.train()
    t1 = time.perf_counter() - seconds
    step = start
    for step, idx in enumerate(batches[start:], start + 1):
        width = max(len(rows[i][0]) for i in idx)
        ids = torch.full((len(idx), width), pad, dtype=torch.long)  # (batch, width)
        labels = torch.full((len(idx), width), -100, dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        for r, i in enumerate(idx):
            seq, n_prompt = rows[i]
            ids[r, : len(seq)] = torch.tensor(seq)
            labels[r, n_prompt: len(seq)] = torch.tensor(seq[n_prompt:])
            mask[r, : len(seq)] = 1
        loss = response_loss(model, ids, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())
        elapsed = time.perf_counter() - t1
        if step % cfg.log_every == 0 or step == total:
            rate = elapsed / step
            log(f"step {step}/{total} loss {sum(losses[-cfg.log_every:]) / len(losses[-cfg.log_every:]):.3f} "
                f"{rate:.1f} s/step, about {rate * (total - step) / 60:.0f} min left")
        out_of_time = cfg.max_minutes is not None and elapsed - seconds >= cfg.max_minutes * 60
        stop = step < total and (out_of_time or (stop_after is not None and step >= stop_after))
        if step < total and (stop or (cfg.checkpoint_every and step % cfg.checkpoint_every == 0)):
            _checkpoint(model, opt, sched, out, key, {"step": step, "losses": losses, "seconds": elapsed})
        if stop:
            break
    run = {"n": len(rows), "step": step, "total": total, "losses": losses, "seconds": time.perf_counter() - t1}
    return model, run


def _checkpoint(model, opt, sched, out: Path, key: str, state: dict) -> None:
    """Adapter weights, optimizer, schedule and RNG state, written to a new folder and renamed into place (a
    kill while writing leaves the previous checkpoint whole)."""
    import shutil

    import torch
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    tmp, final = out / "checkpoint.tmp", out / "checkpoint"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in get_peft_model_state_dict(model).items()}, str(tmp / "adapter.safetensors"))
    torch.save({"optimizer": opt.state_dict(), "schedule": sched.state_dict(), "rng": torch.get_rng_state()},
               tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps({"key": key, **state}))
    old = out / "checkpoint.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _resume(model, opt, sched, out: Path, key: str, log) -> tuple[dict | None, float]:
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    folder = out / "checkpoint"
    if not (folder / "state.json").is_file():
        return None, 0.0
    state = json.loads((folder / "state.json").read_text())
    if state.get("key") != key:
        log(f"{folder}: a checkpoint of another run (other examples or settings); starting afresh")
        return None, 0.0
    set_peft_model_state_dict(model, load_file(str(folder / "adapter.safetensors")))
    saved = torch.load(folder / "optimizer.pt", weights_only=False)
    opt.load_state_dict(saved["optimizer"])
    sched.load_state_dict(saved["schedule"])
    torch.set_rng_state(saved["rng"])
    log(f"resuming at step {state['step']} from {folder}")
    return state, float(state["seconds"])


def _drop_checkpoint(out: Path) -> None:
    import shutil

    shutil.rmtree(out / "checkpoint", ignore_errors=True)


def response_loss(model, ids, mask, labels):
    """Mean next-token cross-entropy over the response tokens, as ``model(..., labels=labels).loss``,
    but with the output layer applied only where a response token is predicted.

    Written here because the library computes logits at every position: Gemma 270M has a 262k-word
    vocabulary, so its output layer (168M multiply-adds per position) costs more than the 100M-parameter
    body, and responses are a fifth of each sequence. Same value, about half the time a step.
    """
    import torch
    import torch.nn.functional as F

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = base.model(input_ids=ids, attention_mask=mask).last_hidden_state  # (B, T, d)
    target = labels[:, 1:]  # position t predicts token t + 1
    keep = target != -100  # (B, T-1)
    logits = base.lm_head(hidden[:, :-1][keep]).float()  # (N, vocab), N = response tokens
    cap = getattr(base.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return F.cross_entropy(logits, target[keep])


def _architecture(base_gguf: Path) -> tuple[str, int]:
    """(architecture name, block count) from the base GGUF's metadata."""
    import gguf

    reader = gguf.GGUFReader(str(base_gguf))

    def value(key: str):
        f = reader.fields[key]
        data = f.parts[f.data[0]]
        return bytes(data).decode("utf-8") if f.types[0] == gguf.GGUFValueType.STRING else int(data[0])

    arch = value("general.architecture")
    return arch, value(f"{arch}.block_count")


def export_lora_gguf(peft_dir: Path, base_gguf: Path, out_path: Path) -> Path:
    """Write a PEFT LoRA adapter (safetensors) as a llama.cpp GGUF adapter for ``base_gguf``."""
    import gguf
    from safetensors.torch import load_file

    peft_dir, out_path = Path(peft_dir), Path(out_path)
    lcfg = json.loads((peft_dir / "adapter_config.json").read_text())
    tensors = load_file(str(peft_dir / "adapter_model.safetensors"))
    arch_name, n_blocks = _architecture(base_gguf)
    arch = next(a for a, n in gguf.MODEL_ARCH_NAMES.items() if n == arch_name)
    names = gguf.get_tensor_name_map(arch, n_blocks)
    writer = gguf.GGUFWriter(str(out_path), arch_name)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(lcfg["lora_alpha"]))
    pairs: dict[str, dict[str, object]] = {}
    for name, t in tensors.items():
        part = "a" if ".lora_A." in name else "b" if ".lora_B." in name else None
        if part is None:
            raise ValueError(f"unexpected tensor in the adapter: {name}")
        base = name.replace("base_model.model.", "").replace(f".lora_{part.upper()}.weight", ".weight")
        target = names.get_name(base, try_suffixes=(".weight",))
        if target is None:
            raise ValueError(f"no GGUF tensor for {base} in architecture {arch_name}")
        pairs.setdefault(target, {})[part] = t.float().contiguous().numpy()  # A: (r, in), B: (out, r)
    for target, ab in sorted(pairs.items()):
        writer.add_tensor(f"{target}.lora_a", ab["a"])
        writer.add_tensor(f"{target}.lora_b", ab["b"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out_path
