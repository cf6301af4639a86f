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
    max_sentences: int = 1
    export_gguf: bool = True
    log_every: int = 10
    dtype: str = "float32"  # transformers 5 keeps GGUF weights packed and computes in float32 either way


@dataclass
class FinetuneResult:
    peft_adapter: Path
    gguf_adapter: Path | None
    n_examples: int
    steps: int
    seconds: float
    losses: list[float] = field(default_factory=list)


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
    """Train a LoRA adapter on ``examples`` (TrainingExample) and save it (PEFT folder + GGUF)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from recreason.reasons.llm.backends import default_threads
    from recreason.reasons.llm.registry import cache_dir, resolve

    spec = resolve(cfg.base)
    if spec.kind != "gguf":
        raise ValueError(f"fine-tuning needs a GGUF base model, got {spec.kind}: {spec.location}")
    pairs = training_pairs(examples, cfg.prompt_version, cfg.max_sentences)
    random.Random(cfg.seed).shuffle(pairs)
    pairs = pairs[: cfg.max_examples or None]
    if not pairs:
        raise ValueError("no training examples with a usable reference reason")
    key = json.dumps([asdict(cfg) | {"out_dir": None}, pairs[:50], len(pairs)], ensure_ascii=False, default=str)
    import hashlib

    out = Path(cfg.out_dir) if cfg.out_dir else cache_dir().parent / "finetune" / (
        f"{spec.name}-{hashlib.sha256(key.encode()).hexdigest()[:10]}")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads or default_threads())

    t0 = time.perf_counter()
    model, tokenizer = load_base(Path(spec.location), cfg.dtype)
    log(f"loaded {spec.name} from GGUF in {time.perf_counter() - t0:.0f} s")
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
    model.train()
    losses: list[float] = []
    t1 = time.perf_counter()
    for step, idx in enumerate(batches, 1):
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
        if step % cfg.log_every == 0 or step == total:
            rate = (time.perf_counter() - t1) / step
            log(f"step {step}/{total} loss {sum(losses[-cfg.log_every:]) / len(losses[-cfg.log_every:]):.3f} "
                f"{rate:.1f} s/step, about {rate * (total - step) / 60:.0f} min left")
    seconds = time.perf_counter() - t1

    model.hf_quantizer = None  # a GGUF-loaded model refuses to save otherwise
    base = model.get_base_model()
    base.hf_quantizer = None
    if hasattr(base.config, "quantization_config"):
        del base.config.quantization_config
    peft_dir = out / "peft"
    model.save_pretrained(str(peft_dir))
    gguf_path = export_lora_gguf(peft_dir, Path(spec.location), out / "adapter.gguf") if cfg.export_gguf else None
    (out / "train.json").write_text(json.dumps({"config": asdict(cfg), "n_examples": len(rows), "steps": total,
                                                "seconds": seconds, "losses": losses}, default=str, indent=1))
    log(f"trained {total} steps on {len(rows)} examples in {seconds / 60:.1f} min; adapter {gguf_path or peft_dir}")
    return FinetuneResult(peft_dir, gguf_path, len(rows), total, seconds, losses)


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
