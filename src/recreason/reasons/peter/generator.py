"""``PeterGenerator``: the PETER-class transformer (``model``) behind the Generator interface.

    gen = PeterGenerator(epochs=20, feature_conditioned=True).fit(train_examples, valid_examples)
    gen.generate(requests)          # -> list[Reason], batched greedy / beam / top-p decoding
    gen.predict_ratings(requests)   # -> list[float], clipped to the training ratings' range
    gen.save(folder); Generator.load(folder)

What a request contributes: ``user.user_id`` and ``item.item_id`` (ids unseen in training map to the
<unk> rows); profile words pooled into those two positions (``user_fields``: interests, liked aspects,
categories, attribute values, profile text; ``item_fields``: category, brand, attribute values, aspect
features, title, description; words outside the vocabulary are skipped), so new users and items with
a profile still get a useful vector; ``feature`` (feature-conditioned mode, PETER+: a pointer copies its
words, even words outside the vocabulary, and by default no <eos> comes before they are written) and
``max_length`` (words, or characters for Chinese). A training pair's rating, when it has one, travels in
``request.context["rating"]`` (the rating loss skips pairs without one).

References longer than ``max_words`` tokens are cut to their first ``max_words`` tokens for training
(PETER keeps 15 words; use e.g. 60 for XRec's 30-45-word explanations). Saved state:
``weights.safetensors``, ``vocab.json`` and ``ids.json`` (user / item id lists, rating range).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from recreason.reasons.base import Evidence, Fact, Generator, Reason, ReasonRequest, TrainingExample
from recreason.reasons.peter.model import BOS, PeterConfig, PeterModel
from recreason.reasons.peter.train import TrainSettings, bf16_supported, train
from recreason.reasons.peter.vocab import RequestEncoder, Vocab

DEFAULTS: dict[str, Any] = {
    # model (PETER's defaults: 2 layers, d 512, 2 heads, FFN 2048, dropout 0.2, 15 words, 20k words)
    "d_model": 512, "n_heads": 2, "n_layers": 2, "d_ff": 2048, "dropout": 0.2, "max_words": 15,
    "vocab_size": 20000, "min_count": 1, "tokenization": "auto", "lowercase": False,
    "softmax": "adaptive", "cutoffs": [2000, 8000], "div_value": 4.0, "tie_embeddings": False,
    "feature_conditioned": False, "max_feature_tokens": 4, "copy": True,
    "max_user_tokens": 32,
    "user_fields": ["interests", "aspects", "categories", "attributes", "profile_text"],
    "max_item_tokens": 32,
    "item_fields": ["category", "brand", "attributes", "aspects", "title", "description"],
    "text_weight": 1.0, "context_weight": 1.0, "rating_weight": 0.1,
    # training
    "epochs": 30, "batch_size": 128, "lr": 1e-3, "lr_decay": 0.25, "patience": 5, "seed": 0,
    "bf16": "auto", "id_dropout": 0.03, "valid_fraction": 0.1, "checkpoint_dir": None, "progress": True,
    "max_steps": None, "threads": None,
    # decoding (require_feature: in feature-conditioned mode no <eos> before the feature is written)
    "decoding": "greedy", "min_words": 0, "no_repeat_ngram": 0, "require_feature": True, "beam_size": 4,
    "top_p": 0.9, "temperature": 1.0, "gen_batch_size": 256,
}


@contextmanager
def _threads(n: int | None):
    """Use ``n`` torch threads inside the block (None: leave torch's setting)."""
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class PeterGenerator(Generator):
    name = "peter"

    def __init__(self, **config: Any):
        unknown = set(config) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown PeterGenerator settings: {', '.join(sorted(unknown))}")
        self.settings = {**DEFAULTS, **config}
        self.vocab: Vocab | None = None
        self.users: list[str] = []
        self.items: list[str] = []
        self.rating_range: tuple[float, float] = (1.0, 5.0)
        self.model: PeterModel | None = None
        self.history: list[dict] = []

    def config(self) -> dict[str, Any]:
        return dict(self.settings)

    # ------------------------------------------------------------------ encoding

    @property
    def _bf16(self) -> bool:
        flag = self.settings["bf16"]
        return bf16_supported() if flag == "auto" else bool(flag)

    def _model_config(self) -> PeterConfig:
        s = self.settings
        return PeterConfig(
            n_users=len(self.users) + 1, n_items=len(self.items) + 1, n_words=len(self.vocab),
            d_model=s["d_model"], n_heads=s["n_heads"], n_layers=s["n_layers"], d_ff=s["d_ff"],
            dropout=s["dropout"], max_words=s["max_words"],
            n_feature_slots=s["max_feature_tokens"] if s["feature_conditioned"] else 0,
            softmax=s["softmax"], cutoffs=list(s["cutoffs"]), div_value=s["div_value"],
            tie_embeddings=s["tie_embeddings"],
            copy=s["copy"],
            text_weight=s["text_weight"],
            context_weight=s["context_weight"], rating_weight=s["rating_weight"])

    def _encoder(self) -> RequestEncoder:
        s = self.settings
        slots = s["max_feature_tokens"] if s["feature_conditioned"] else 0
        return RequestEncoder(self.vocab, self.users, self.items, s["max_words"], s["max_user_tokens"],
                              s["max_item_tokens"], slots, s["copy"], s["user_fields"], s["item_fields"])

    def _encode(self, requests: Sequence[ReasonRequest], texts: Sequence[str] | None = None) -> dict:
        return self._encoder()(requests, texts)

    # ------------------------------------------------------------------ training

    def fit(self, train: Sequence[TrainingExample],
            valid: Sequence[TrainingExample] | None = None) -> PeterGenerator:
        """Train on ``train``; early stopping on ``valid`` (default: a seeded 10% of ``train``)."""
        with _threads(self.settings["threads"]):
            return self._fit(list(train), valid)

    def _fit(self, train_examples: list[TrainingExample],
             valid: Sequence[TrainingExample] | None) -> PeterGenerator:
        s = self.settings
        if not train_examples:
            raise ValueError("PeterGenerator.fit needs at least one training example")
        if valid is None:  # hold out a seeded share of train for early stopping
            order = torch.randperm(len(train_examples), generator=torch.Generator().manual_seed(s["seed"]))
            k = max(1, round(len(train_examples) * s["valid_fraction"])) if len(train_examples) > 1 else 0
            valid = [train_examples[i] for i in order[:k].tolist()] or train_examples
            train_examples = [train_examples[i] for i in sorted(order[k:].tolist())] or train_examples
        self.vocab = Vocab.build(((ex.text, ex.request.lang) for ex in train_examples), s["tokenization"],
                                 s["vocab_size"], s["min_count"], s["lowercase"])
        self.users = sorted({ex.request.user.user_id for ex in train_examples})
        self.items = sorted({ex.request.item.item_id for ex in train_examples})
        train_data = self._encode([ex.request for ex in train_examples], [ex.text for ex in train_examples])
        valid_data = self._encode([ex.request for ex in valid], [ex.text for ex in valid])
        ratings = train_data["rating"][~torch.isnan(train_data["rating"])]
        if len(ratings):
            self.rating_range = (float(ratings.min()), float(ratings.max()))
        torch.manual_seed(s["seed"])
        self.model = PeterModel(self._model_config())
        if len(ratings):  # start the rating head at the mean training rating
            nn.init.constant_(self.model.rating_head[-1].bias, float(ratings.mean()))
        if s["checkpoint_dir"]:
            self._save_state(Path(s["checkpoint_dir"]), weights=False)
        settings = TrainSettings(
            epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], lr_decay=s["lr_decay"],
            patience=s["patience"], seed=s["seed"], bf16=self._bf16, id_dropout=s["id_dropout"],
            progress=s["progress"], checkpoint_dir=s["checkpoint_dir"], max_steps=s["max_steps"])
        self.history = train(self.model, train_data, valid_data, settings)
        return self

    # ------------------------------------------------------------------ inference

    @staticmethod
    def _inputs(d: dict) -> list[torch.Tensor]:
        return [d[k] for k in ("user", "item", "user_toks", "item_toks", "feats")]

    def _require_model(self) -> PeterModel:
        if self.model is None:
            raise RuntimeError("PeterGenerator is not trained: call fit() or Generator.load() first")
        return self.model

    def decode(self, requests: Sequence[ReasonRequest], mode: str | None = None, seed: int | None = None
               ) -> tuple[list[list[str]], list[float], list[float]]:
        """Tokens, summed log-probs and raw predicted ratings per request (batched)."""
        with _threads(self.settings["threads"]):
            return self._decode(list(requests), mode or self.settings["decoding"],
                                self.settings["seed"] if seed is None else seed)

    def _decode(self, requests: list[ReasonRequest], mode: str, seed: int
                ) -> tuple[list[list[str]], list[float], list[float]]:
        model, s = self._require_model(), self.settings
        gen = torch.Generator().manual_seed(seed)
        tokens, scores, ratings = [], [], []
        for start in range(0, len(requests), s["gen_batch_size"]):
            chunk = requests[start:start + s["gen_batch_size"]]
            d = self._encode(chunk)
            limit = torch.tensor([r.max_length or s["max_words"] for r in chunk])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
                ids, score, rating = model.generate(
                    *self._inputs(d), limit, mode, s["beam_size"], s["top_p"], s["temperature"], gen,
                    s["min_words"], s["no_repeat_ngram"],
                    bool(s["require_feature"] and s["feature_conditioned"]))
            tokens += [self.vocab.decode(row, ext) for row, ext in zip(ids, d["feature_tokens"])]
            scores += score.tolist()
            ratings += rating.tolist()
        return tokens, scores, ratings

    def generate(self, requests: Sequence[ReasonRequest]) -> list[Reason]:
        return self._reasons(requests)

    def regenerate(self, requests: Sequence[ReasonRequest], attempt: int = 1) -> list[Reason]:
        """A second try for reasons the guard rejected: top-p sampling with another seed."""
        return self._reasons(requests, "top_p", self.settings["seed"] + attempt)

    def _reasons(self, requests: Sequence[ReasonRequest], mode: str | None = None,
                 seed: int | None = None) -> list[Reason]:
        requests = list(requests)
        t0 = time.perf_counter()
        tokens, _, _ = self.decode(requests, mode, seed)
        per = (time.perf_counter() - t0) / max(len(requests), 1)
        out = []
        for req, toks in zip(requests, tokens):
            text = self.vocab.detokenize(toks, req.lang)
            while toks and not req.lang.fits(text, req.max_length):  # decoding counts tokens, not the measure
                toks = toks[:-1]
                text = self.vocab.detokenize(toks, req.lang)
            out.append(Reason(text=text, language=req.lang, user_id=req.user.user_id,
                              item_id=req.item.item_id, generator=self.name,
                              evidence=self._evidence(req, toks), seconds=per))
        return out

    def predict_ratings(self, requests: Sequence[ReasonRequest]) -> list[float]:
        """Predicted rating per request, clipped to the range seen in training (for RMSE / MAE)."""
        model = self._require_model()
        lo, hi, out = *self.rating_range, []
        for start in range(0, len(requests), self.settings["gen_batch_size"]):
            d = self._encode(list(requests[start:start + self.settings["gen_batch_size"]]))
            with _threads(self.settings["threads"]), torch.no_grad(), \
                    torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
                h = model(*self._inputs(d), torch.full((len(d["user"]), 1), BOS))  # (B, P+1, d)
                out += model.predict_rating(h).clamp(lo, hi).tolist()
        return out

    def _evidence(self, req: ReasonRequest, tokens: list[str]) -> Evidence:
        """The feature asked for, and the item facts / user interests whose words all appear in the output."""
        have = {t.lower() for t in tokens}

        def said(value: str) -> bool:
            words = [w.lower() for w in self.vocab.tokenize(value, req.lang)]
            return bool(words) and all(w in have for w in words)

        feature = req.feature if self.settings["feature_conditioned"] else None
        facts = [Fact(key="aspect", value=feature)] if feature else []
        facts += [Fact(key=k, value=v) for k, v in req.item.facts()
                  if len(v) <= 40 and said(v) and (k, v) != ("aspect", feature)]
        signals = [Fact(key="interest", value=i) for i in req.user.top_interests() if said(i)]
        return Evidence(user_signals=signals, item_facts=facts)

    # ------------------------------------------------------------------ persistence

    def _save_state(self, folder: Path, weights: bool = True) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        model = self._require_model() if weights else None
        self.vocab.save(folder / "vocab.json")
        ids = {"users": self.users, "items": self.items, "rating_range": list(self.rating_range),
               "history": self.history}
        (folder / "ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
        if model is not None:
            save_file({k: v.contiguous() for k, v in model.state_dict().items()},
                      str(folder / "weights.safetensors"))

    def _load_state(self, folder: Path) -> None:
        folder = Path(folder)
        self.vocab = Vocab.load(folder / "vocab.json")
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        self.users, self.items = ids["users"], ids["items"]
        self.rating_range = tuple(ids["rating_range"])
        self.history = ids.get("history", [])
        self.model = PeterModel(self._model_config())
        self.model.load_state_dict(load_file(str(folder / "weights.safetensors")))
        self.model.eval()
