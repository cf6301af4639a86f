"""PETER-class personalized transformer, in one file: embeddings, PETER mask, three losses, decoding.

After Li, Zhang & Chen, "Personalized Transformer for Explainable Recommendation" (ACL 2021;
lileipisces/PETER ``module.py``). One sequence per (user, item) pair::

    position   0      1      2 .. 2+F-1          P=2+F   P+1 .. P+L
    token      user   item   feature tokens      <bos>   w1 .. wL          (targets: w1 .. wL <eos>)

* user / item: ID embeddings; an id not seen in training maps to row 0 (<unk>). Each position also
  adds the mean word embedding of its profile tokens (item: category, brand, attributes, aspects,
  title, description; user: interests, aspects, profile text), so a new item or user with a known
  profile still gets a useful vector.
* feature tokens (PETER+, ``n_feature_slots > 0``): the aspect to talk about, as word ids
  (padded with <pad>, which nothing attends to).
* mask (``peter_mask``): causal, except that the user position also sees the item position (PETER's
  ``mask[0, 1] = False``). Nothing else attends to a later position.
* losses: next word (positions P .. P+L), context = bag of words of the explanation predicted from
  the item position, rating = MSE of an MLP on the user position; weights 1.0 / 1.0 / 0.1 by default.

Differences from the reference, on purpose: pre-norm blocks with GELU and learned positions; no
dropout on attention weights (on a CPU it cost more than the attention itself); an adaptive softmax
(``OutputLayer``, frequency-sorted vocabulary; optionally tied to the input word embeddings) so that
the 20k-word softmax is not the bottleneck on a CPU, with word logits computed only at non-pad
targets; in feature-conditioned mode a pointer (copy gate + attention over the feature slots, each
feature word copied at most once) so that the given feature is said even when it is rare in training;
a KV cache for batched greedy / beam / top-p decoding, optional n-gram repeat blocking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

PAD, BOS, EOS, UNK = 0, 1, 2, 3


@dataclass
class PeterConfig:
    n_users: int
    n_items: int
    n_words: int
    d_model: int = 512
    n_heads: int = 2
    n_layers: int = 2
    d_ff: int = 2048
    dropout: float = 0.2
    max_words: int = 15  # words per reason (the <eos> target comes on top)
    n_feature_slots: int = 0  # > 0: feature-conditioned mode (PETER+)
    softmax: str = "adaptive"  # "adaptive" or "full"
    cutoffs: list[int] = field(default_factory=lambda: [2000, 8000])
    div_value: float = 4.0
    text_weight: float = 1.0
    context_weight: float = 1.0
    rating_weight: float = 0.1
    copy: bool = True  # feature-conditioned mode: a pointer may copy the given feature's words
    tie_embeddings: bool = False  # the output head's word rows are the input word embeddings
    sparse_embeddings: bool = True  # user / item (/ untied word) tables: sparse gradients (SparseAdam)

    @property
    def prefix(self) -> int:
        return 2 + self.n_feature_slots

    @property
    def seq_len(self) -> int:  # prefix + <bos> + L words
        return self.prefix + 1 + self.max_words


def peter_mask(prefix: int, total: int) -> torch.Tensor:
    """(total, total) bool, True = may attend. Causal; the user (0) also sees the item (1)."""
    allowed = torch.ones(total, total, dtype=torch.bool).tril()  # (T, T)
    if prefix >= 2:
        allowed[0, 1] = True
    return allowed


class Block(nn.Module):
    """Pre-norm transformer block; ``cache`` holds (k, v) of earlier positions when decoding."""

    def __init__(self, c: PeterConfig):
        super().__init__()
        self.n_heads = c.n_heads
        self.ln1, self.ln2 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)
        self.qkv = nn.Linear(c.d_model, 3 * c.d_model)
        self.proj = nn.Linear(c.d_model, c.d_model)
        self.mlp = nn.Sequential(nn.Linear(c.d_model, c.d_ff), nn.GELU(), nn.Linear(c.d_ff, c.d_model))
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x, mask, cache=None, t0=0):
        # x: (B, T, d); mask: (B, 1, T, t0+T) bool, True = may attend; cache: preallocated (k, v) buffers,
        # each (B, H, T_max, hd), whose first t0 positions hold the earlier keys / values
        B, T, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)  # 3 x (B, T, d)
        q, k, v = (z.view(B, T, self.n_heads, d // self.n_heads).transpose(1, 2) for z in (q, k, v))
        if cache is not None:  # write this step's keys / values in place, attend over all so far
            cache[0][:, :, t0:t0 + T], cache[1][:, :, t0:t0 + T] = k, v
            k, v = cache[0][:, :, :t0 + T], cache[1][:, :, :t0 + T]  # (B, H, t0+T, hd)
        if T == 1:  # one decoding step: plain matmuls beat the fused kernel's overhead here
            att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))  # (B, H, 1, t0+1)
            y = att.masked_fill(~mask, -math.inf).softmax(-1) @ v  # (B, H, 1, hd)
        else:  # no dropout on attention weights: on a CPU it costs 5x the attention itself (measured)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, H, T, hd)
        x = x + self.drop(self.proj(y.transpose(1, 2).reshape(B, T, d)))
        x = x + self.drop(self.mlp(self.ln2(x)))
        return x, (k, v)


class OutputLayer(nn.Module):
    """Softmax over the frequency-sorted vocabulary. Adaptive (Grave et al. 2017): a head with the
    ``cutoffs[0]`` most frequent words plus one logit per tail cluster; tail cluster i (words
    cutoffs[i] .. cutoffs[i+1]) goes through a d / div^(i+1) projection. No cutoffs = full softmax.
    With ``tie`` the head's word rows are the input word embeddings (passed in at call time), so a word
    read from the input (a given feature) is easy to write out."""

    def __init__(self, d: int, n_words: int, cutoffs: list[int], div_value: float, tie: bool):
        super().__init__()
        self.bounds = [0] + [x for x in cutoffs if 0 < x < n_words - 1] + [n_words]
        self.shortlist, n_tails = self.bounds[1], len(self.bounds) - 2
        self.tie = tie
        self.head_words = None if tie else nn.Parameter(torch.randn(self.shortlist, d) * 0.02)
        self.head_clusters = nn.Parameter(torch.randn(n_tails, d) * 0.02)
        self.head_bias = nn.Parameter(torch.zeros(self.shortlist + n_tails))
        self.tails = nn.ModuleList(
            nn.Sequential(nn.Linear(d, max(1, int(d // div_value ** (i + 1))), bias=False),
                          nn.Linear(max(1, int(d // div_value ** (i + 1))), hi - lo, bias=False))
            for i, (lo, hi) in enumerate(zip(self.bounds[1:-1], self.bounds[2:])))

    def head(self, h: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        """(N, d) -> (N, shortlist + clusters) log-probs (fp32)."""
        words = emb[: self.shortlist] if self.tie else self.head_words  # (S, d)
        weight = torch.cat([words, self.head_clusters]) if len(self.tails) else words  # (S + clusters, d)
        logits = F.linear(h, weight, self.head_bias)
        return F.log_softmax(logits.float(), dim=-1)

    def log_probs(self, h: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        """(N, d) -> (N, V) log-probabilities. Matmuls follow autocast; log-softmax in fp32."""
        head = self.head(h, emb)  # (N, S + clusters)
        if not len(self.tails):
            return head
        out = head.new_empty(h.shape[0], self.bounds[-1])  # (N, V)
        out[:, : self.shortlist] = head[:, : self.shortlist]
        for i, tail in enumerate(self.tails):
            lo, hi = self.bounds[i + 1], self.bounds[i + 2]
            out[:, lo:hi] = F.log_softmax(tail(h).float(), dim=-1) + head[:, self.shortlist + i, None]
        return out

    def greedy(self, h: torch.Tensor, emb: torch.Tensor, no_eos: torch.Tensor):
        """Exact argmax of ``log_probs`` without building it: a tail word's log-prob is at most its
        cluster's, so a tail is computed only for rows whose cluster beats the best word so far. Never
        <pad>/<bos>/<unk>; no <eos> in ``no_eos`` rows (B,). h: (N, d) -> (word (N,), log-prob (N,))."""
        head = self.head(h, emb)  # (N, S + clusters)
        words = head[:, : self.shortlist].clone()
        words[:, [PAD, BOS, UNK]] = -math.inf
        words[no_eos, EOS] = -math.inf
        lp, tok = words.max(-1)  # (N,) each
        for i, tail in enumerate(self.tails):
            rows = (head[:, self.shortlist + i] > lp).nonzero()[:, 0]
            if rows.numel():
                t_logp = F.log_softmax(tail(h[rows]).float(), dim=-1) + head[rows, self.shortlist + i, None]
                t_lp, t_tok = t_logp.max(-1)  # (n,) each
                better = t_lp > lp[rows]
                lp[rows[better]], tok[rows[better]] = t_lp[better], t_tok[better] + self.bounds[i + 1]
        return tok, lp

    def target_logp(self, h: torch.Tensor, target: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        """log p(target) (N,) for hidden states (N, d) and targets (N,); a tail cluster is computed
        only for the rows whose target lies in it."""
        head_target = target.clone()  # (N,) shortlist word, or the cluster id of a tail word
        logp = torch.zeros(target.shape[0], device=h.device)  # (N,) log p(word | cluster)
        for i, tail in enumerate(self.tails):
            lo, hi = self.bounds[i + 1], self.bounds[i + 2]
            rows = ((target >= lo) & (target < hi)).nonzero()[:, 0]  # (n_i,)
            if rows.numel() == 0:
                continue
            head_target[rows] = self.shortlist + i
            tail_logp = F.log_softmax(tail(h[rows]).float(), dim=-1)  # (n_i, hi - lo)
            logp = logp.index_add(0, rows, tail_logp.gather(1, (target[rows] - lo)[:, None])[:, 0])
        head = self.head(h, emb)  # (N, S + clusters)
        return head.gather(1, head_target[:, None])[:, 0] + logp


class PeterModel(nn.Module):
    def __init__(self, c: PeterConfig):
        super().__init__()
        self.c = c
        d = c.d_model
        if c.softmax not in ("adaptive", "full"):
            raise ValueError(f"softmax must be 'adaptive' or 'full', not {c.softmax!r}")
        sparse = c.sparse_embeddings
        self.user_emb = nn.Embedding(c.n_users, d, sparse=sparse)  # row 0 = <unk> user
        self.item_emb = nn.Embedding(c.n_items, d, sparse=sparse)  # row 0 = <unk> item
        # a tied word table also gets the output layer's (dense) gradient, so it cannot be sparse
        self.word_emb = nn.Embedding(c.n_words, d, padding_idx=PAD, sparse=sparse and not c.tie_embeddings)
        self.pos_emb = nn.Embedding(c.seq_len, d)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.n_layers))
        self.ln_f = nn.LayerNorm(d)
        self.rating_head = nn.Sequential(nn.Linear(d, d), nn.Sigmoid(), nn.Linear(d, 1))  # PETER's MLP
        if c.n_feature_slots and c.copy:  # pointer over the feature slots (See et al. 2017)
            self.copy_q, self.copy_k = nn.Linear(d, d, bias=False), nn.Linear(d, d, bias=False)
            self.copy_gate = nn.Linear(d, 1)
        self.apply(self._init)
        cutoffs = c.cutoffs if c.softmax == "adaptive" else []
        self.out = OutputLayer(d, c.n_words, cutoffs, c.div_value, c.tie_embeddings)
        self.register_buffer("mask", peter_mask(c.prefix, c.seq_len), persistent=False)  # (T, T)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)
            if m.padding_idx is not None:
                nn.init.zeros_(m.weight[m.padding_idx])

    def log_probs(self, h: torch.Tensor) -> torch.Tensor:
        return self.out.log_probs(h, self.word_emb.weight)  # (N, V)

    def _copying(self) -> bool:
        return bool(self.c.n_feature_slots and self.c.copy)

    def _pointer(self, h: torch.Tensor, h_feats: torch.Tensor, feats: torch.Tensor, used: torch.Tensor):
        """Copy gate and attention over the feature slots. h: (B, T, d); h_feats: (B, F, d) hidden states
        of the feature slots; feats: (B, F) ids; used: (B, T, F) True where that slot's word was already
        written (each feature word is copied at most once) -> (gate (B, T), attention (B, T, F)), fp32."""
        open_ = (feats != PAD)[:, None, :] & ~used  # (B, T, F)
        scores = self.copy_q(h) @ self.copy_k(h_feats).transpose(1, 2)  # (B, T, F)
        scores = scores.float().masked_fill(~open_, -1e9) / math.sqrt(self.c.d_model)
        gate = torch.sigmoid(self.copy_gate(h).float()).squeeze(-1) * open_.any(-1)  # (B, T)
        return gate, scores.softmax(-1)

    def _mix(self, logp, gate, attn, feats):
        """log((1 - g) p_vocab + g p_copy) over the vocabulary extended by one id per feature slot
        (V + j: slot j's word when it is outside the vocabulary). logp: (N, V); gate: (N,);
        attn, feats: (N, F) -> (N, V + F)."""
        slots = logp.new_zeros(logp.shape[0], feats.shape[1])  # (N, F) copy-only ids V .. V+F-1
        p = torch.cat([torch.exp(logp) * (1 - gate)[:, None], slots], 1)  # (N, V + F)
        p = p.scatter_add(1, feats, attn * gate[:, None])  # PAD slots have attention 0
        return torch.log(p.clamp_min(1e-30))

    def sparse_parameters(self) -> list[nn.Parameter]:
        return [m.weight for m in (self.user_emb, self.item_emb, self.word_emb) if m.sparse]

    # ------------------------------------------------------------------ encoder

    def _emb(self, ids: torch.Tensor) -> torch.Tensor:
        """Word embeddings; copy-only ids (>= n_words, feature words outside the vocabulary) read <unk>."""
        return self.word_emb(ids.masked_fill(ids >= self.c.n_words, UNK))

    def _pool(self, toks: torch.Tensor) -> torch.Tensor:
        """(B, A) word ids, PAD = none -> (B, d) mean word embedding (zeros when there is none)."""
        real = (toks != PAD).unsqueeze(-1)  # (B, A, 1); the tied PAD row is not zero, so mask it
        return (self.word_emb(toks) * real).sum(1) / real.sum(1).clamp(min=1)  # (B, d)

    def embed_prefix(self, user, item, user_toks, item_toks, feats):
        """user, item: (B,); user_toks (B, U) / item_toks (B, A): profile word ids pooled into the
        user / item position; feats: (B, F) -> (B, P, d)."""
        h_user = self.user_emb(user) + self._pool(user_toks)  # (B, d)
        h_item = self.item_emb(item) + self._pool(item_toks)  # (B, d)
        parts = [h_user[:, None], h_item[:, None]]  # 2 x (B, 1, d)
        if self.c.n_feature_slots:
            parts.append(self._emb(feats))  # (B, F, d)
        return torch.cat(parts, dim=1)  # (B, P, d)

    def _key_mask(self, keys: torch.Tensor, T: int, offset: int) -> torch.Tensor:
        """keys: (B, S) bool, True = real token. Rows offset..offset+T of the PETER mask & keys
        -> (B, 1, T, S)."""
        S = keys.shape[1]
        return self.mask[offset:offset + T, :S][None, None] & keys[:, None, None, :]

    def forward(self, user, item, user_toks, item_toks, feats, words):
        """words: (B, L+1) = <bos> w1 .. (input side). Returns hidden states (B, P+L+1, d)."""
        prefix = self.embed_prefix(user, item, user_toks, item_toks, feats)  # (B, P, d)
        x = torch.cat([prefix, self._emb(words)], dim=1)  # (B, T, d)
        T = x.shape[1]
        x = self.drop(x + self.pos_emb.weight[:T])
        keys = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)  # (B, T)
        if self.c.n_feature_slots:
            keys[:, 2:self.c.prefix] = feats != PAD
        keys[:, self.c.prefix:] = words != PAD
        keys[:, self.c.prefix] = True  # <bos>
        mask = self._key_mask(keys, T, 0)  # (B, 1, T, T)
        for block in self.blocks:
            x, _ = block(x, mask)
        return self.ln_f(x)  # (B, T, d)

    def predict_rating(self, h: torch.Tensor) -> torch.Tensor:
        return self.rating_head(h[:, 0]).squeeze(-1).float()  # (B,)

    def loss(self, user, item, user_toks, item_toks, feats, seq, rating):
        """seq: (B, L+2) = <bos> w1 .. wn <eos> <pad>..; rating: (B,) float (NaN = none).
        Returns (total, {"text", "context", "rating"}) with the unweighted parts as floats."""
        c = self.c
        inp, tgt = seq[:, :-1], seq[:, 1:]  # (B, L+1) each
        h = self(user, item, user_toks, item_toks, feats, inp)  # (B, T, d)
        h_words = h[:, c.prefix:]  # (B, L+1, d)
        keep, ext = tgt != PAD, tgt >= c.n_words  # (B, L+1) each; ext: only the pointer can write it
        logp = self.out.target_logp(h_words[keep], tgt.masked_fill(ext, UNK)[keep], self.word_emb.weight)
        logp = logp.masked_fill(ext[keep], -math.inf)  # (N,) log p_vocab, real targets only
        if self._copying():
            used = (inp[:, :, None] == feats[:, None, :]).cumsum(1) > 0  # (B, L+1, F) written by step t
            gate, attn = self._pointer(h_words, h[:, 2:c.prefix], feats, used)  # (B, L+1), (B, L+1, F)
            g, p_copy = gate[keep], (attn * (feats[:, None, :] == tgt[:, :, None]))[keep].sum(-1)  # (N,) each
            vocab_part = torch.log1p(-g.clamp(max=1 - 1e-6)) + logp  # log((1 - g) p_vocab)
            logp = torch.logaddexp(vocab_part, torch.log((g * p_copy).clamp_min(1e-30)))  # + g p_copy
        text = -logp.mean()
        ctx_logp = self.log_probs(h[:, 1])  # (B, V)
        bag = keep & (tgt != EOS) & ~ext  # (B, L+1) the explanation's words
        picked = ctx_logp.gather(1, tgt.masked_fill(~bag, 0))  # (B, L+1)
        context = -(picked * bag).sum() / bag.sum().clamp(min=1)
        has = ~torch.isnan(rating)
        pred = self.predict_rating(h)  # (B,)
        r_loss = F.mse_loss(pred[has], rating[has]) if has.any() else pred.sum() * 0.0
        total = c.text_weight * text + c.context_weight * context + c.rating_weight * r_loss
        return total, {"text": text.item(), "context": context.item(), "rating": r_loss.item()}

    # ------------------------------------------------------------------ decoding

    @torch.no_grad()
    def _start(self, user, item, user_toks, item_toks, feats):
        """Run prefix + <bos>. Returns (hidden state of <bos> (B, d), decoding state, rating (B,)); the
        state holds the KV caches, which positions are real (keys), the feature slots and which of their
        words are written (used)."""
        B = user.shape[0]
        prefix = self.embed_prefix(user, item, user_toks, item_toks, feats)  # (B, P, d)
        bos = self.word_emb(torch.full((B, 1), BOS, dtype=torch.long, device=user.device))
        x = torch.cat([prefix, bos], dim=1)  # (B, P+1, d)
        T = x.shape[1]
        x = x + self.pos_emb.weight[:T]
        keys = torch.ones(B, T, dtype=torch.bool, device=x.device)
        if self.c.n_feature_slots:
            keys[:, 2:self.c.prefix] = feats != PAD
        mask, caches = self._key_mask(keys, T, 0), []
        for block in self.blocks:
            x, (k, v) = block(x, mask, None)  # k, v: (B, H, P+1, hd)
            buf = k.new_empty(k.shape[0], k.shape[1], self.c.seq_len, k.shape[3])  # (B, H, T_max, hd)
            k_buf, v_buf = buf, torch.empty_like(buf)
            k_buf[:, :, :T], v_buf[:, :, :T] = k, v
            caches.append((k_buf, v_buf))
        h = self.ln_f(x)  # (B, P+1, d)
        state = {"caches": caches, "keys": keys, "feats": feats, "h_feats": h[:, 2:self.c.prefix],
                 "used": torch.zeros(feats.shape, dtype=torch.bool)}
        return h[:, -1], state, self.predict_rating(h)

    def _next_logp(self, h_last: torch.Tensor, state: dict) -> torch.Tensor:
        """(B, d) hidden state of the last position -> (B, V) log-probs of the next word."""
        logp = self.log_probs(h_last)  # (B, V)
        if not self._copying():
            return logp
        gate, attn = self._pointer(h_last[:, None], state["h_feats"], state["feats"], state["used"][:, None])
        return self._mix(logp, gate[:, 0], attn[:, 0], state["feats"])

    @staticmethod
    def _reorder(state: dict, rows: torch.Tensor) -> dict:
        """Keep / repeat the decoding state's rows (beam search)."""
        return {"caches": [(k[rows], v[rows]) for k, v in state["caches"]],
                **{k: state[k][rows] for k in ("keys", "feats", "h_feats", "used")}}

    @torch.no_grad()
    def _step(self, tokens: torch.Tensor, state: dict):
        """tokens: (B,) the last word -> (its hidden state (B, d), state one position longer)."""
        keys = state["keys"]
        t = keys.shape[1]
        keys = torch.cat([keys, torch.ones_like(keys[:, :1])], dim=1)  # (B, t+1)
        x = self._emb(tokens)[:, None] + self.pos_emb.weight[t]  # (B, 1, d)
        mask = keys[:, None, None, :]  # (B, 1, 1, t+1): the new position sees every real one
        for block, kv in zip(self.blocks, state["caches"]):
            x, _ = block(x, mask, kv, t)  # writes position t into the cache buffers
        used = state["used"] | (tokens[:, None] == state["feats"])  # (B, F)
        state = {**state, "keys": keys, "used": used}
        return self.ln_f(x)[:, 0], state

    @torch.no_grad()
    def generate(self, user, item, user_toks, item_toks, feats, max_len=None, mode="greedy", beam_size=4,
                 top_p=0.9, temperature=1.0, generator=None, min_len=0, no_repeat=0, require_feature=False,
                 fast=True):
        """Batched decoding. max_len: (B,) words per row (default ``max_words``); no <eos> before
        ``min_len`` words; with ``no_repeat`` = n > 1 no n-gram is written twice; with
        ``require_feature`` no <eos> before every given feature word is written (up to the length limit).
        ``fast=False`` builds the full distribution at every greedy step (same result; for checks).

        Returns (token ids per row without <bos>/<eos>, summed log-prob per row (B,), ratings (B,)).
        """
        B, L = user.shape[0], self.c.max_words
        max_len = torch.full((B,), L) if max_len is None else max_len.clamp(1, L)
        if mode == "beam":
            rules = (min_len, no_repeat, require_feature)
            return self._beam(user, item, user_toks, item_toks, feats, max_len, beam_size, *rules)
        if mode not in ("greedy", "top_p"):
            raise ValueError(f"mode must be 'greedy', 'beam' or 'top_p', not {mode!r}")
        h, state, rating = self._start(user, item, user_toks, item_toks, feats)
        out = torch.full((B, L), PAD, dtype=torch.long)
        score = torch.zeros(B)
        done = torch.zeros(B, dtype=torch.bool)
        fast = fast and mode == "greedy" and not self._copying() and no_repeat < 2  # no full distribution
        for t in range(L):
            pending = _pending(state) if require_feature else None
            if fast:
                no_eos = torch.zeros(B, dtype=torch.bool) if pending is None else pending
                no_eos = no_eos | (t < min_len)
                tok, lp = self.out.greedy(h, self.word_emb.weight, no_eos)  # (B,) each
                tok, lp = torch.where(t >= max_len, EOS, tok), torch.where(t >= max_len, 0.0, lp)
            else:
                logp = _constrain(self._next_logp(h, state), t, max_len, min_len, pending)
                logp = _block_repeats(logp, out, t, no_repeat)
                tok = (logp.argmax(-1) if mode == "greedy"
                       else _sample_top_p(logp, top_p, temperature, generator))  # (B,)
                lp = logp.gather(1, tok[:, None])[:, 0]
            score += torch.where(done, 0.0, lp)
            tok = torch.where(done, PAD, tok)
            out[:, t] = tok
            done |= tok == EOS
            if bool(done.all()):
                break
            h, state = self._step(tok.masked_fill(tok == PAD, EOS), state)
        return _strip(out), score, rating

    @torch.no_grad()
    def _beam(self, user, item, user_toks, item_toks, feats, max_len, K, min_len=0, no_repeat=0,
              require_feature=False):
        """Beam search, K beams per row, summed log-probs (no length penalty); finished beams stay
        in the beam with their score."""
        B, L = user.shape[0], self.c.max_words
        h, state, rating = self._start(user, item, user_toks, item_toks, feats)
        rep = torch.arange(B).repeat_interleave(K)  # (B*K,)
        state, h, limit = self._reorder(state, rep), h[rep], max_len[rep]
        scores = torch.full((B, K), -math.inf)
        scores[:, 0] = 0.0  # all K beams start identical: keep one
        seqs = torch.full((B * K, L), PAD, dtype=torch.long)
        done = torch.zeros(B * K, dtype=torch.bool)
        for t in range(L):
            pending = _pending(state) if require_feature else None
            logp = _constrain(self._next_logp(h, state), t, limit, min_len, pending)
            logp, V = _block_repeats(logp, seqs, t, no_repeat), logp.shape[1]  # V + F when copying
            logp[done] = torch.where(torch.arange(V) == PAD, 0.0, -math.inf)  # finished: carry on free
            cand = (scores.view(B * K, 1) + logp).view(B, K * V)  # (B, K*V)
            scores, idx = cand.topk(K, dim=1)  # (B, K)
            src = (idx // V + torch.arange(B)[:, None] * K).view(-1)  # (B*K,) parent beam rows
            tok = (idx % V).view(-1)  # (B*K,)
            seqs = seqs[src]
            seqs[:, t] = tok
            done = done[src] | (tok == EOS) | (tok == PAD)
            state, limit = self._reorder(state, src), limit[src]
            if bool(done.all()):
                break
            h, state = self._step(tok.masked_fill(tok == PAD, EOS), state)
        best = scores.argmax(1)  # (B,)
        rows = torch.arange(B) * K + best
        return _strip(seqs[rows]), scores.gather(1, best[:, None])[:, 0], rating


def _pending(state: dict) -> torch.Tensor:
    """(B,) True where a given feature word has not been written yet."""
    return ((state["feats"] != PAD) & ~state["used"]).any(1)


def _constrain(logp: torch.Tensor, t: int, max_len: torch.Tensor, min_len: int,
               pending: torch.Tensor | None = None) -> torch.Tensor:
    """Never <pad>/<bos>/<unk>; <eos> is forced (at log-prob 0) at a row's length limit and barred before
    ``min_len`` words and in ``pending`` rows (B,). logp: (B, V), changed in place and returned."""
    logp[:, [PAD, BOS, UNK]] = -math.inf
    if t < min_len:
        logp[:, EOS] = -math.inf
    if pending is not None:
        logp[pending, EOS] = -math.inf
    at_limit = t >= max_len  # (B,)
    logp[at_limit] = torch.where(torch.arange(logp.shape[1]) == EOS, 0.0, -math.inf)
    return logp


def _block_repeats(logp: torch.Tensor, seq: torch.Tensor, t: int, n: int) -> torch.Tensor:
    """Bar every word that would complete an n-gram already in ``seq`` (B, L), whose first t words are
    written. logp: (B, V)."""
    if n < 2 or t < n:
        return logp
    tail = seq[:, t - n + 1:t]  # (B, n-1) the last n-1 words
    wins = seq[:, :t - 1].unfold(1, n - 1, 1)  # (B, t-n+1, n-1) earlier (n-1)-grams
    hit = (wins == tail[:, None, :]).all(-1)  # (B, t-n+1)
    banned = torch.where(hit, seq[:, n - 1:t], PAD)  # (B, t-n+1) the word that followed each match
    return logp.scatter(1, banned, -math.inf)  # PAD is barred anyway


def _sample_top_p(logp: torch.Tensor, top_p: float, temperature: float, generator) -> torch.Tensor:
    """Nucleus sampling per row from log-probs (B, V) -> (B,)."""
    probs = torch.softmax(logp / max(temperature, 1e-6), dim=-1)  # (B, V)
    sorted_p, order = probs.sort(dim=-1, descending=True)  # (B, V)
    cum = sorted_p.cumsum(-1)
    sorted_p = sorted_p.masked_fill(cum - sorted_p > top_p, 0.0)  # keep the smallest set reaching top_p
    pick = torch.multinomial(sorted_p, 1, generator=generator)  # (B, 1)
    return order.gather(1, pick)[:, 0]


def _strip(out: torch.Tensor) -> list[list[int]]:
    """(B, L) ids -> per row the ids before the first <eos> (pads dropped)."""
    rows = [row[: row.index(EOS)] if EOS in row else row for row in out.tolist()]
    return [[i for i in row if i != PAD] for row in rows]
