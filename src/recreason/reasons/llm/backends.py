"""Text-completion backends behind one small interface: ``complete(prompts, ...) -> list[Completion]``.

* ``LlamaCppBackend``: a GGUF file in process through ``xllamacpp`` (prebuilt CPU wheel, no compile).
  Prompts run on ``parallel`` server slots at once (continuous batching); ``cache_prompt=True`` keeps the
  KV cache of a shared few-shot prefix between calls (about 11 % faster, but greedy output then depends
  on the prompt before; off by default).
* ``OpenAIBackend``: any OpenAI-compatible server (vLLM, Ollama, llama.cpp server, a hosted API) over
  httpx; settings from arguments or ``RECREASON_LLM_BASE_URL`` / ``_MODEL`` / ``_API_KEY`` /
  ``_TIMEOUT``; a transport can be injected (tests use ``httpx.MockTransport``).
* ``HFBackend``: a local Hugging Face folder (or a GGUF file dequantized by transformers), optionally
  with a PEFT adapter; slow on CPU (5-10 tokens/s) but it serves adapters that are not in GGUF.

Every backend decodes greedily at temperature 0 and honours ``stop`` strings (cut client-side too).
"""

from __future__ import annotations

import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Completion:
    text: str
    tokens: int  # generated tokens
    seconds: float
    finish: str = ""  # "stop", "length" or ""


class BackendError(RuntimeError):
    """A backend could not produce a completion (bad reply, HTTP error, timeout)."""


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """The text up to the first stop string (servers usually do this already; some do not)."""
    cut = len(text)
    for s in stop:
        if s and (i := text.find(s)) >= 0:
            cut = min(cut, i)
    return text[:cut]


class Backend(ABC):
    #: identifies the model (and adapter) in cache keys and notes
    model_id: str = "unknown"

    @abstractmethod
    def complete(self, prompts: Sequence[str], max_tokens: int = 64, stop: Sequence[str] = (),
                 temperature: float = 0.0, seed: int | Sequence[int] = 0,
                 reuse_prompt: bool = False, grammars: Sequence[str | None] | None = None) -> list[Completion]:
        """One completion per prompt, in order. ``seed``: one for all, or one per prompt (sampled candidates
        of one prompt differ by seed). ``reuse_prompt``: the same prompt comes several times in a row (best-of-n
        candidates); a backend may keep its evaluated prefix between them (llama.cpp's prompt cache).
        ``grammars``: a GBNF grammar per prompt (or None) that the continuation must follow; backends that
        cannot constrain decoding ignore it (the guard checks every reason anyway)."""

    def close(self) -> None:
        """Free the model (no-op where nothing is held)."""

    def yes_probability(self, prompts: Sequence[str]) -> list[float]:
        """P("yes") / (P("yes") + P("no")) of the first answer token of each prompt (a yes/no question), from
        the model's token probabilities. Backends that cannot give them raise ``NotImplementedError``."""
        raise NotImplementedError(f"{type(self).__name__} gives no token probabilities")


def seeds_for(prompts: Sequence[str], seed: int | Sequence[int]) -> list[int]:
    if isinstance(seed, int):
        return [seed] * len(prompts)
    if len(seed) != len(prompts):
        raise ValueError(f"{len(seed)} seeds for {len(prompts)} prompts")
    return list(seed)


def default_threads() -> int:
    """``RECREASON_LLM_THREADS``, else 2 (capped by the CPUs), or 1 when the machine is already busy.

    llama.cpp's worker threads meet at a barrier after every layer: when other processes keep the
    cores busy, two threads ran 15x slower than one here (1.3 vs 19 tokens/s, load average 8 on 2 cores).
    """
    if env := os.environ.get("RECREASON_LLM_THREADS"):
        return max(1, int(env))
    cpus = os.cpu_count() or 1
    want = min(2, cpus)
    try:
        busy = os.getloadavg()[0] > cpus - 0.5
    except OSError:
        busy = False
    return 1 if busy else want


class LlamaCppBackend(Backend):
    """A GGUF model in process via xllamacpp's server object (thread-safe, continuous batching)."""

    def __init__(self, model_path: str | Path, n_ctx: int = 2048, threads: int | None = None,
                 parallel: int = 1, lora: str | Path | None = None, lora_scale: float = 1.0,
                 model_id: str | None = None, cache_prompt: bool = False):
        # cache_prompt=False: every prompt is evaluated whole, so a request gets the same reason whatever ran
        # before it (with llama.cpp's prefix cache on, greedy output depends on the previous prompt: "The the
        # latest smartphone" one by one, "The latest smartphone" in a batch). The price, measured with
        # benchmarks.llm_speed (Qwen 0.5B, 2 threads, 8 XRec prompts): 2.13 s a reason instead of 1.89.
        self.cache_prompt = cache_prompt
        try:
            import xllamacpp
        except ImportError as e:
            raise ImportError("LlamaCppBackend needs xllamacpp: pip install xllamacpp==2026.10.11549") from e
        path = Path(model_path)
        if not path.is_file():
            raise FileNotFoundError(f"GGUF file not found: {path}")
        self.threads = threads or default_threads()
        self.parallel = max(1, parallel)
        p = xllamacpp.CommonParams()
        p.model.path = str(path)
        p.n_ctx = n_ctx * self.parallel  # the context is shared out among the slots
        p.n_parallel = self.parallel
        p.cpuparams.n_threads = self.threads
        p.cpuparams_batch.n_threads = self.threads
        p.cpuparams.poll = p.cpuparams_batch.poll = 0  # no busy-wait: it starves a shared CPU
        p.warmup = False
        p.cache_prompt = cache_prompt
        p.verbosity = 1 if os.environ.get("RECREASON_LLM_VERBOSE") else -1  # llama.cpp logs every request
        if lora:
            if not Path(lora).is_file():
                raise FileNotFoundError(f"LoRA adapter not found: {lora}")
            p.lora_adapters = [xllamacpp.CommonAdapterLoraInfo(str(lora), lora_scale)]
        self.model_id = model_id or path.name + (f"+{Path(lora).name}" if lora else "")
        self._server = xllamacpp.Server(p)
        self._lock = threading.Lock()

    def _one(self, prompt: str, max_tokens: int, stop: Sequence[str], temperature: float, seed: int,
             cache_prompt: bool | None = None, grammar: str | None = None):
        t0 = time.perf_counter()
        body = {"prompt": prompt, "max_tokens": max_tokens, "temperature": temperature, "stop": list(stop),
                "cache_prompt": self.cache_prompt if cache_prompt is None else cache_prompt, "seed": seed,
                "n_probs": 0}
        if grammar:
            body["grammar"] = grammar
        reply = self._server.handle_completions(body)
        seconds = time.perf_counter() - t0
        if not isinstance(reply, dict) or "choices" not in reply:
            raise BackendError(f"llama.cpp returned no completion: {str(reply)[:300]}")
        choice = reply["choices"][0]
        tokens = int(reply.get("usage", {}).get("completion_tokens", 0))
        return Completion(cut_at_stop(choice.get("text") or "", stop), tokens, seconds,
                          choice.get("finish_reason") or "")

    def yes_probability(self, prompts: Sequence[str]) -> list[float]:
        import math

        if self._server is None:
            raise BackendError("backend is closed")
        out = []
        for prompt in prompts:
            reply = self._server.handle_completions({"prompt": prompt, "max_tokens": 1, "temperature": 0.0,
                                                     "n_probs": 20, "cache_prompt": self.cache_prompt})
            try:
                top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            except (KeyError, IndexError, TypeError) as e:
                raise BackendError(f"llama.cpp returned no token probabilities: {str(reply)[:200]}") from e
            yes = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() in ("yes", "是"))
            no = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() in ("no", "否"))
            out.append(yes / (yes + no) if yes + no > 0 else 0.5)
        return out

    def complete(self, prompts: Sequence[str], max_tokens: int = 64, stop: Sequence[str] = (),
                 temperature: float = 0.0, seed: int | Sequence[int] = 0,
                 reuse_prompt: bool = False, grammars: Sequence[str | None] | None = None) -> list[Completion]:
        """``reuse_prompt``: llama.cpp's prompt cache on for this call (a candidate after the first of the same
        prompt then costs its new tokens only: the prompt is most of a reason's time on a CPU)."""
        if self._server is None:
            raise BackendError("backend is closed")
        seeds = seeds_for(prompts, seed)
        grammars = list(grammars) if grammars is not None else [None] * len(prompts)
        cache = True if reuse_prompt else None
        jobs = list(zip(prompts, seeds, grammars))
        if self.parallel == 1 or len(prompts) == 1:
            return [self._one(p, max_tokens, stop, temperature, s, cache, g) for p, s, g in jobs]
        with ThreadPoolExecutor(self.parallel) as pool:
            return list(pool.map(lambda j: self._one(j[0], max_tokens, stop, temperature, j[1], cache, j[2]), jobs))

    def close(self) -> None:
        self._server = None


@dataclass(frozen=True)
class LLMSettings:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    retries: int = 2
    chat: bool = False  # /v1/chat/completions instead of /v1/completions

    @classmethod
    def from_env(cls, **override) -> LLMSettings:
        env = os.environ
        values = {
            "base_url": env.get("RECREASON_LLM_BASE_URL", ""),
            "model": env.get("RECREASON_LLM_MODEL", ""),
            "api_key": env.get("RECREASON_LLM_API_KEY") or None,
            "timeout": float(env.get("RECREASON_LLM_TIMEOUT", "60")),
            "retries": int(env.get("RECREASON_LLM_RETRIES", "2")),
            "chat": env.get("RECREASON_LLM_CHAT", "").lower() in ("1", "true", "yes"),
        }
        values.update({k: v for k, v in override.items() if v is not None})
        if not values["base_url"]:
            raise ValueError("no LLM server: pass base_url or set RECREASON_LLM_BASE_URL")
        if not values["model"]:
            raise ValueError("no model name for the server: pass model or set RECREASON_LLM_MODEL")
        return cls(**values)


class OpenAIBackend(Backend):
    """An OpenAI-compatible HTTP server. ``base_url`` is the API root, e.g. ``http://localhost:8080/v1``."""

    RETRY_STATUS = (429, 500, 502, 503, 504)

    def __init__(self, settings: LLMSettings | None = None, transport=None, parallel: int = 4,
                 backoff: float = 0.5, **kwargs):
        import httpx

        self.settings = settings or LLMSettings.from_env(**kwargs)
        self.parallel = max(1, parallel)
        self.backoff = backoff
        self.model_id = f"{self.settings.model}@{self.settings.base_url}"
        headers = {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}
        self._client = httpx.Client(base_url=self.settings.base_url.rstrip("/") + "/", headers=headers,
                                    timeout=self.settings.timeout, transport=transport)
        self._httpx = httpx

    def _body(self, prompt: str, max_tokens: int, stop: Sequence[str], temperature: float, seed: int) -> dict:
        body = {"model": self.settings.model, "max_tokens": max_tokens, "temperature": temperature,
                "seed": seed}
        if stop:
            body["stop"] = list(stop)[:4]  # the OpenAI API accepts at most 4; the rest are cut here
        if self.settings.chat:
            body["messages"] = [{"role": "user", "content": prompt}]
        else:
            body["prompt"] = prompt
        return body

    def _post(self, body: dict) -> dict:
        path = "chat/completions" if self.settings.chat else "completions"
        last = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                r = self._client.post(path, json=body)
            except self._httpx.TimeoutException:
                last = f"timed out after {self.settings.timeout:g} s"
                continue
            except self._httpx.TransportError as e:
                last = f"connection failed ({e})"
                continue
            if r.status_code in self.RETRY_STATUS:
                last = f"HTTP {r.status_code}: {r.text[:200]}"
                continue
            if r.status_code >= 400:
                raise BackendError(f"{self.settings.base_url}/{path}: HTTP {r.status_code}: {r.text[:300]}")
            try:
                return r.json()
            except ValueError:
                raise BackendError(f"{self.settings.base_url}/{path}: reply is not JSON: {r.text[:200]}") from None
        raise BackendError(f"{self.settings.base_url}/{path}: {last} "
                           f"({self.settings.retries + 1} attempt{'s' if self.settings.retries else ''})")

    def _one(self, prompt: str, max_tokens: int, stop: Sequence[str], temperature: float, seed: int):
        t0 = time.perf_counter()
        reply = self._post(self._body(prompt, max_tokens, stop, temperature, seed))
        try:
            choice = reply["choices"][0]
            text = choice["message"]["content"] if self.settings.chat else choice["text"]
        except (KeyError, IndexError, TypeError):
            raise BackendError(f"unexpected reply from {self.settings.base_url}: {str(reply)[:300]}") from None
        tokens = int((reply.get("usage") or {}).get("completion_tokens", 0))
        return Completion(cut_at_stop(text or "", stop), tokens, time.perf_counter() - t0,
                          choice.get("finish_reason") or "")

    def complete(self, prompts: Sequence[str], max_tokens: int = 64, stop: Sequence[str] = (),
                 temperature: float = 0.0, seed: int | Sequence[int] = 0,
                 reuse_prompt: bool = False, grammars: Sequence[str | None] | None = None) -> list[Completion]:
        # reuse_prompt: servers (vLLM, llama.cpp) cache prefixes themselves; grammars: no common OpenAI field
        seeds = seeds_for(prompts, seed)
        if self.parallel == 1 or len(prompts) == 1:
            return [self._one(p, max_tokens, stop, temperature, s) for p, s in zip(prompts, seeds)]
        with ThreadPoolExecutor(self.parallel) as pool:
            return list(pool.map(lambda ps: self._one(ps[0], max_tokens, stop, temperature, ps[1]),
                                 zip(prompts, seeds)))

    def close(self) -> None:
        self._client.close()


class HFBackend(Backend):
    """A local transformers model (folder, or ``gguf_file`` inside it), optionally with a PEFT adapter."""

    def __init__(self, folder: str | Path, gguf_file: str | None = None, adapter: str | Path | None = None,
                 threads: int | None = None):
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:
            raise ImportError("HFBackend needs transformers: pip install transformers==5.24.0") from e
        torch.set_num_threads(threads or default_threads())
        kw = {"gguf_file": gguf_file} if gguf_file else {}
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), **kw)
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32, **kw)
        if adapter:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(adapter))
        self.model = model.eval()
        self._torch = torch
        self.model_id = (gguf_file or Path(folder).name) + (f"+{Path(adapter).name}" if adapter else "")

    def complete(self, prompts: Sequence[str], max_tokens: int = 64, stop: Sequence[str] = (),
                 temperature: float = 0.0, seed: int | Sequence[int] = 0,
                 reuse_prompt: bool = False, grammars: Sequence[str | None] | None = None) -> list[Completion]:
        out = []  # grammars: not supported by transformers' generate here
        for prompt, s in zip(prompts, seeds_for(prompts, seed)):
            self._torch.manual_seed(s)
            t0 = time.perf_counter()
            ids = self.tokenizer(prompt, return_tensors="pt")
            with self._torch.no_grad():
                gen = self.model.generate(**ids, max_new_tokens=max_tokens, do_sample=temperature > 0,
                                          temperature=temperature or None, top_p=None, top_k=None,
                                          stop_strings=list(stop) or None, tokenizer=self.tokenizer)
            new = gen[0, ids["input_ids"].shape[1]:]
            text = self.tokenizer.decode(new, skip_special_tokens=True)
            out.append(Completion(cut_at_stop(text, stop), int(new.shape[0]), time.perf_counter() - t0))
        return out


def make_backend(spec: str | None = None, lora: str | Path | None = None, parallel: int = 1,
                 n_ctx: int = 2048, threads: int | None = None, **kwargs) -> Backend:
    """A backend for a model name, a GGUF path, a Hugging Face folder or an http(s) server URL."""
    from recreason.reasons.llm.registry import resolve

    m = resolve(spec)
    if m.kind == "server":
        return OpenAIBackend(base_url=m.location, parallel=max(parallel, 1), **kwargs)
    if m.kind == "hf":
        return HFBackend(m.location, adapter=lora, threads=threads)
    if lora and Path(lora).is_dir():  # a PEFT adapter on a GGUF base: transformers dequantizes the base
        path = Path(m.location)
        return HFBackend(path.parent, gguf_file=path.name, adapter=lora, threads=threads)
    return LlamaCppBackend(m.location, n_ctx=n_ctx, threads=threads, parallel=parallel, lora=lora,
                           model_id=m.name + (f"+{Path(lora).name}" if lora else ""))
