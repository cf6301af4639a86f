"""Language models for reasons: backends, embedded model registry, prompts, shots and LoRA fine-tuning.

* ``backends``: ``complete(prompts, max_tokens, stop, temperature, seed) -> list[Completion]`` over
  llama.cpp in process (xllamacpp), an OpenAI-compatible server (httpx) or transformers.
* ``registry``: embedded GGUF models from pinned PyPI part packages, joined once into
  ``$RECREASON_CACHE/models`` (default ``~/.cache/recreason/models``) with a sha256 check.
* ``prompts`` / ``shots``: versioned completion prompts, cleaning of user-written text, retrieved
  few-shot examples, first-sentence post-processing.
* ``finetune``: LoRA with transformers + peft on the GGUF base, exported as a GGUF adapter.

This package sits below ``recreason.reasons`` (whose ``LLMGenerator`` uses it) and imports only
``recreason.profiles`` and ``recreason.text``. Heavy dependencies (xllamacpp, httpx, transformers,
peft, gguf) are imported where they are used.
"""

from recreason.reasons.llm.backends import Backend, BackendError, Completion, make_backend
from recreason.reasons.llm.generator import LLMGenerator
from recreason.reasons.llm.registry import DEFAULT_MODEL, MODELS, model_path, resolve

__all__ = ["DEFAULT_MODEL", "MODELS", "Backend", "BackendError", "Completion", "LLMGenerator", "make_backend", "model_path",
           "resolve"]
