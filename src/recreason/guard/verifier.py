"""An entailment step for what the rules cannot decide: the embedded LLM asked, claim by claim, whether the
item's data says or directly implies it, scored by its token probabilities, answers cached.

No NLI or cross-encoder model installs from PyPI on these machines (``../shared/notes/models.md``), so the
verifier is the embedded model itself (default Qwen2.5 0.5B through llama.cpp, any backend that gives token
probabilities): ``P(yes) / (P(yes) + P(no))`` of the first answer token of a yes/no question, at temperature
0. A clause about the item that the rules found nothing wrong with is flagged ``entailment`` when that
probability is below ``threshold``. It is opt-in (``check_claims(..., verifier=v)``, ``Guard(verifier=v)``,
``benchmarks.judge_agreement --verifier``): its cost is one short prompt per clause (about 0.4 s on 2 CPU
threads, cached after), and ``BENCHMARKS.md`` says what it adds.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from recreason.profiles.models import ItemProfile

PROMPT = ("<|im_start|>system\nYou check recommendation claims against product data. Answer only yes or no."
          "<|im_end|>\n<|im_start|>user\nProduct data:\n{data}\n\nClaim: {claim}\n\nDoes the product data say "
          "or directly imply the claim?<|im_end|>\n<|im_start|>assistant\n")
PROMPT_ZH = ("<|im_start|>system\n你负责根据商品资料核对推荐语中的说法。只回答 yes 或 no。<|im_end|>\n"
             "<|im_start|>user\n商品资料：\n{data}\n\n说法：{claim}\n\n商品资料是否写明或直接蕴含这个说法？<|im_end|>\n"
             "<|im_start|>assistant\n")


def item_data(item: ItemProfile, limit: int = 900) -> str:
    """The item's data as the verifier reads it: title, category, attributes, what reviews say, description."""
    lines = [f"title: {item.title}"] if item.title else []
    if item.category:
        lines.append("category: " + " / ".join(item.category))
    for k, v in item.attributes.items():
        lines.append(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}")
    for a in item.aspects[:8]:
        tone = "mostly positive" if a.positive >= a.negative else "mostly negative"
        lines.append(f"reviews on {a.feature}: {tone} ({', '.join(a.opinions[:3])})")
    if item.description:
        lines.append(f"description: {item.description}")
    return "\n".join(lines)[:limit]


class LLMVerifier:
    """``p_supported(item, claims)``: the model's probability that the item's data supports each claim."""

    def __init__(self, backend=None, model: str = "qwen2.5-coder-0.5b", threshold: float = 0.5,
                 cache: str | Path | None = None):
        if backend is None:
            from recreason.reasons.llm.backends import make_backend

            backend = make_backend(model, threads=None)
        self.backend, self.threshold = backend, threshold
        self.cache_path = Path(cache) if cache else None
        self._cache: dict[str, float] = {}
        self._lock = threading.Lock()
        if self.cache_path and self.cache_path.is_file():
            for line in self.cache_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    self._cache[rec["key"]] = rec["p"]

    def _key(self, data: str, claim: str) -> str:
        return hashlib.sha256(f"{self.backend.model_id}\n{data}\n{claim}".encode()).hexdigest()

    def p_supported(self, item: ItemProfile, claims: list[str], lang: str = "en") -> list[float]:
        data = item_data(item)
        keys = [self._key(data, c) for c in claims]
        todo = [(k, c) for k, c in zip(keys, claims) if k not in self._cache]
        if todo:
            template = PROMPT_ZH if lang == "zh" else PROMPT
            probs = self.backend.yes_probability([template.format(data=data, claim=c) for _, c in todo])
            with self._lock:
                for (k, _), p in zip(todo, probs):
                    self._cache[k] = p
                if self.cache_path:
                    self.cache_path.parent.mkdir(parents=True, exist_ok=True)
                    with self.cache_path.open("a", encoding="utf-8") as f:
                        for (k, _), p in zip(todo, probs):
                            f.write(json.dumps({"key": k, "p": p}) + "\n")
        return [self._cache[k] for k in keys]
