"""LLMGenerator: one-sentence reasons from a language model, prompted with shots from the training data.

``model`` is an embedded model name (default ``qwen2.5-coder-0.5b``; see ``recreason.reasons.llm.registry``),
a GGUF path, a Hugging Face folder or an OpenAI-compatible server URL; ``lora`` a GGUF LoRA adapter
for llama.cpp (or a PEFT folder, served through transformers). ``fit`` keeps the training examples as
the few-shot pool (and, with ``finetune=True``, first trains a LoRA adapter on them with
``recreason.reasons.llm.finetune`` and then serves the base model + adapter with zero-shot prompts, the format
it was trained on). ``generate`` builds
one completion prompt per request, sends the uncached ones to the backend in one batch, and cuts each
continuation to a reason (``recreason.reasons.llm.prompts.postprocess``). Nothing is cached here: the
one reason cache sits at the serving boundary (``recreason.serve.reasons``).

The output is *unchecked*: write reasons through ``recreason.guard.pipeline.write_reasons`` (which calls
``regenerate`` for rejected reasons: sampled at temperature 0.7 with another seed, since greedy
decoding would repeat itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from recreason.reasons.base import Evidence, Fact, Generator, Reason, ReasonRequest, TrainingExample
from recreason.reasons.llm.backends import seeds_for
from recreason.reasons.llm.grammar import item_numbers, number_grammar
from recreason.reasons.llm.prompts import (
    DEFAULT_VERSION,
    MAX_LENGTH,
    SHOT_CHARS,
    Fields,
    PromptTemplate,
    postprocess,
    shorten,
    stops,
)
from recreason.reasons.llm.shots import ShotPool
from recreason.text import language

REGEN_TEMPERATURE = 0.7
#: new tokens a sentence may take, per language code (a Chinese character is about one token)
TOKENS_PER_SENTENCE = {"en": 64, "zh": 48}


def evidence_for(text: str, req: ReasonRequest) -> Evidence:
    """The item facts and user signals the reason mentions (the profile text when it names none)."""
    low = text.lower()
    facts = [Fact(key=k, value=v) for k, v in req.item.facts() if v and len(v) >= 2 and v.lower() in low]
    signals = [Fact(key="interest", value=t) for t in req.user.top_interests(8) if t and t.lower() in low]
    if not signals and req.user.profile_text:
        signals = [Fact(key="profile_text", value=req.user.profile_text[:160])]
    return Evidence(user_signals=signals, item_facts=list(dict.fromkeys(facts)))


class LLMGenerator(Generator):
    name = "llm"

    def __init__(self, model: str | None = None, prompt_version: str = DEFAULT_VERSION, shots: int = 2,
                 max_tokens: int | None = None, temperature: float = 0.0, seed: int = 0,
                 lora: str | None = None, max_sentences: int = 1, max_length: dict | None = None,
                 parallel: int = 1, n_ctx: int = 2048, threads: int | None = None, finetune: bool = False,
                 finetune_config: dict | None = None, best_of: int = 1, grounded_numbers: bool = False,
                 backend=None):
        self.model = model
        self.prompt_version = prompt_version
        self.shots = shots
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.seed = seed
        self.lora = lora
        self.max_sentences = max_sentences
        self.max_length = {**MAX_LENGTH, **(max_length or {})}
        self.parallel = parallel
        self.n_ctx = n_ctx
        self.threads = threads
        self.finetune = finetune
        self.best_of = max(1, int(best_of))
        self.grounded_numbers = grounded_numbers  # llama.cpp only: digits only as the item's data writes them
        self.finetune_config = finetune_config or {}
        self.pool = ShotPool()
        self._backend = backend
        self._injected = backend is not None
        self._lora_ids: dict[tuple, str] = {}

    # ------------------------------------------------------------------ configuration and state
    def config(self) -> dict[str, Any]:
        return {"model": self.model, "prompt_version": self.prompt_version, "shots": self.shots,
                "max_tokens": self.max_tokens, "temperature": self.temperature, "seed": self.seed,
                "lora": self.lora, "max_sentences": self.max_sentences, "max_length": self.max_length,
                "parallel": self.parallel, "n_ctx": self.n_ctx, "threads": self.threads, "best_of": self.best_of,
                "grounded_numbers": self.grounded_numbers}

    def save(self, folder: Path) -> Path:
        """Config, shot pool and (copied in) the LoRA adapter, so the folder stands alone."""
        import shutil

        folder = Path(folder)
        lora = self.lora
        if lora and Path(lora).exists() and Path(lora).resolve().parent != folder.resolve():
            folder.mkdir(parents=True, exist_ok=True)
            name = "adapter.gguf" if Path(lora).is_file() else "adapter"
            if Path(lora).is_file():
                shutil.copyfile(lora, folder / name)
            else:
                shutil.copytree(lora, folder / name, dirs_exist_ok=True)
            self.lora = name
        elif lora and Path(lora).exists():
            self.lora = Path(lora).name
        try:
            return super().save(folder)
        finally:
            self.lora = lora

    def _save_state(self, folder: Path) -> None:
        self.pool.save(folder / "shots.jsonl")

    def _load_state(self, folder: Path) -> None:
        if (folder / "shots.jsonl").is_file():
            self.pool = ShotPool.load(folder / "shots.jsonl")
        if self.lora and not Path(self.lora).is_absolute() and (folder / self.lora).exists():
            self.lora = str(folder / self.lora)

    @property
    def backend(self):
        if self._backend is None:
            from recreason.reasons.llm.backends import make_backend

            self._backend = make_backend(self.model, lora=self.lora, parallel=self.parallel,
                                         n_ctx=self.n_ctx, threads=self.threads)
        return self._backend

    @property
    def model_id(self) -> str:
        """The model (and adapter) name in cache keys, known without loading the model."""
        if self._injected:
            return self._backend.model_id
        from recreason.reasons.llm.registry import DEFAULT_MODEL

        spec = self.model or DEFAULT_MODEL
        if not self.lora:
            return spec
        lora = Path(self.lora)
        if lora.is_file():  # the adapter's content, not its name, tells adapters apart
            from recreason.reasons.llm.registry import sha256_file

            key = (str(lora), lora.stat().st_mtime_ns)
            if key not in self._lora_ids:
                self._lora_ids[key] = sha256_file(lora)[:12]
            return f"{spec}+{lora.name}@{self._lora_ids[key]}"
        return f"{spec}+{lora.name}"

    def fit(self, train: Sequence[TrainingExample]) -> LLMGenerator:
        if self.finetune:
            from recreason.reasons.llm.finetune import FinetuneConfig, FinetuneIncomplete, finetune_lora
            from recreason.reasons.llm.registry import DEFAULT_MODEL

            cfg = FinetuneConfig(**{"base": self.model or DEFAULT_MODEL, **self.finetune_config})
            result = finetune_lora(train, cfg)
            if not result.complete:
                raise FinetuneIncomplete(result)
            self.model = cfg.base  # the adapter only fits the model it was trained on
            self.max_sentences = result.max_sentences  # serve the length it was trained to write
            self.lora = str(result.gguf_adapter or result.peft_adapter)
            self.shots = 0  # trained on zero-shot prompts: serve it the same way (and 3x shorter prompts)
            self._backend, self._injected = None, False
        self.pool = ShotPool.from_examples(train, self.max_sentences, self.max_length)
        return self

    # ------------------------------------------------------------------ generation
    def _token_budget(self, lang: str) -> int:
        if self.max_tokens:
            return self.max_tokens
        return TOKENS_PER_SENTENCE[language(lang)] * self.max_sentences

    def prompt(self, req: ReasonRequest) -> tuple[str, PromptTemplate, Fields]:
        lang = req.lang
        template = PromptTemplate.load(lang, self.prompt_version)
        query = Fields.of(req.user, req.item, lang, req.context, req.feature)
        chosen = self.pool.nearest(query, lang, self.shots, req.user.user_id, req.item.item_id)
        limit = SHOT_CHARS[lang]
        shots = [(Fields(shorten(s.user, lang, limit), shorten(s.item, lang, limit), s.context), s.text)
                 for s in chosen]
        return template.render(query, shots, defaults=self.shots > 0), template, query

    def _run(self, requests: Sequence[ReasonRequest], temperature: float, seed: int | Sequence[int],
             reuse_prompt: bool = False) -> list[Reason]:
        requests = list(requests)
        seeds = seeds_for(requests, seed)
        built = [self.prompt(r) for r in requests]
        done: dict[int, dict] = {}
        by_lang: dict[str, list[int]] = {}
        for i, (_, template, _) in enumerate(built):
            by_lang.setdefault(template.lang, []).append(i)
        for lang, idx in by_lang.items():
            grammars = [number_grammar(item_numbers(requests[i].item)) for i in idx] if self.grounded_numbers else None
            outs = self.backend.complete([built[i][0] for i in idx], max_tokens=self._token_budget(lang),
                                         stop=stops(lang, self.max_sentences), temperature=temperature,
                                         seed=[seeds[i] for i in idx], reuse_prompt=reuse_prompt, grammars=grammars)
            for i, c in zip(idx, outs):
                limits = [n for n in (self.max_length.get(lang), requests[i].max_length) if n]
                done[i] = {"text": postprocess(c.text, lang, self.max_sentences, min(limits) if limits else None),
                           "raw": c.text, "tokens": c.tokens, "seconds": c.seconds, "finish": c.finish}
        out = []
        for i, (req, (_, template, fields)) in enumerate(zip(requests, built)):
            v = done[i]
            notes = [f"model {self.model_id}", f"prompt {template.id}",
                     f"{v['tokens']} tokens, finish {v['finish'] or '?'}"]
            if fields.dropped:
                notes.append(f"removed {len(fields.dropped)} instruction-like sentence(s) from the input data")
            if not v["text"]:
                notes.append(f"unusable model output: {v['raw'][:80]!r}")
            out.append(Reason(text=v["text"], language=template.lang, user_id=req.user.user_id,
                              item_id=req.item.item_id, generator=self.name, evidence=evidence_for(v["text"], req),
                              seconds=v["seconds"], notes=notes))
        return out

    def generate(self, requests: Sequence[ReasonRequest]) -> list[Reason]:
        return self._run(requests, self.temperature, self.seed)

    def regenerate(self, requests: Sequence[ReasonRequest], attempt: int = 1) -> list[Reason]:
        """A second try for reasons the guard rejected: sampled, with another seed."""
        return self._run(requests, REGEN_TEMPERATURE, self.seed + attempt)

    def candidates(self, requests: Sequence[ReasonRequest], n: int) -> list[list[Reason]]:
        """``n`` sampled reasons per request (seeds ``seed + 1 .. seed + n``, the seeds ``regenerate`` uses), in
        one call: each prompt's copies come one after another with llama.cpp's prompt cache on, so a copy after
        the first costs its new tokens only."""
        requests = list(requests)
        if n < 1 or not requests:
            return [[] for _ in requests]
        flat = [r for r in requests for _ in range(n)]
        seeds = [self.seed + k for _ in requests for k in range(1, n + 1)]
        out = self._run(flat, REGEN_TEMPERATURE, seeds, reuse_prompt=True)
        return [out[i * n:(i + 1) * n] for i in range(len(requests))]
