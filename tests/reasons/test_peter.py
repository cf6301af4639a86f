"""PETER-class generator: a tiny config (d=32, one layer) overfits planted patterns in seconds.

Data: user u has a favourite opinion word, item i a feature; every training sentence is
"the <feature> is <opinion> for <user word>". The feature-conditioned set draws the feature at random
per pair, so only the feature given as input says which one the sentence is about.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest
import torch

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import Generator, ReasonRequest, TrainingExample
from recreason.reasons.peter import PeterGenerator
from recreason.reasons.peter.model import PeterConfig, PeterModel, peter_mask
from recreason.reasons.peter.vocab import UNK, Vocab

FEATURES = ["battery", "screen", "price", "sound", "fabric", "size", "color", "strap", "lens", "case"]
OPINIONS = ["great", "cheap", "solid", "bright", "soft", "loud", "light", "sturdy"]
TINY = {"d_model": 32, "d_ff": 64, "n_heads": 2, "n_layers": 1, "dropout": 0.0, "lr": 1e-2, "batch_size": 16,
        "epochs": 30, "patience": 30, "progress": False, "bf16": False, "threads": 1, "max_words": 8,
        "id_dropout": 0.0, "cutoffs": [12, 30], "div_value": 2.0}  # ~50 words: adaptive softmax, 2 tails


def request(u: int, i: int, feature: str | None = None, rating: float | None = None) -> ReasonRequest:
    item = ItemProfile(item_id=f"i{i}", category=["gadgets"], attributes={"part": FEATURES[i % 10]})
    ctx = {"rating": str(rating)} if rating is not None else {}
    return ReasonRequest(user=UserProfile(user_id=f"u{u}"), item=item, feature=feature, context=ctx)


def sentence(u: int, feature: str) -> str:
    return f"the {feature} is {OPINIONS[u % 8]} for w{u}"


def planted(n_users: int = 24, n_items: int = 10) -> list[TrainingExample]:
    return [TrainingExample(request=request(u, i, rating=1 + (u % 5)), text=sentence(u, FEATURES[i % 10]))
            for u in range(n_users) for i in range(n_items) if (u + i) % 3]


def conditioned(seed: int = 0) -> list[TrainingExample]:
    rng = random.Random(seed)
    out = []
    for u in range(24):
        for i in range(10):
            f = rng.choice(FEATURES)
            out.append(TrainingExample(request=request(u, i, feature=f), text=sentence(u, f)))
    return out


@pytest.fixture(scope="module")
def trained() -> PeterGenerator:
    return PeterGenerator(**TINY, seed=1).fit(planted())


@pytest.fixture(scope="module")
def trained_plus() -> PeterGenerator:
    return PeterGenerator(**TINY, seed=2, feature_conditioned=True).fit(conditioned())


# ---------------------------------------------------------------------------- mask


def test_mask_semantics():
    m = peter_mask(prefix=3, total=7)
    assert m.shape == (7, 7)
    assert m[0, 1] and m[1, 0]  # user and item see each other
    for i in range(7):
        for j in range(7):
            if j > i and (i, j) != (0, 1):
                assert not m[i, j], f"position {i} attends to the future position {j}"
            if j <= i:
                assert m[i, j]


def test_model_outputs_respect_the_mask():
    torch.manual_seed(0)
    model = PeterModel(PeterConfig(n_users=5, n_items=5, n_words=30, d_model=16, d_ff=32, n_layers=2,
                                   max_words=6, n_feature_slots=2, dropout=0.0, softmax="full")).eval()
    user, item, utoks = torch.tensor([1, 2]), torch.tensor([3, 3]), torch.tensor([[21], [22]])
    attrs, feats = torch.tensor([[5, 0], [6, 7]]), torch.tensor([[8, 0], [9, 10]])
    words = torch.tensor([[1, 11, 12, 13, 14], [1, 15, 16, 17, 18]])
    h = model(user, item, utoks, attrs, feats, words)  # (B, T, d)
    assert h.shape == (2, 4 + 5, 16)
    later = words.clone()
    later[:, 3:] = 20  # change words 3.. : earlier positions must not move
    h2 = model(user, item, utoks, attrs, feats, later)
    assert torch.allclose(h[:, :7], h2[:, :7], atol=1e-6) and not torch.allclose(h[:, 7:], h2[:, 7:])
    h3 = model(user, torch.tensor([4, 4]), utoks, attrs, feats, words)  # another item: the user position sees it
    assert not torch.allclose(h[:, 0], h3[:, 0])
    h4 = model(user, item, utoks, attrs, torch.tensor([[9, 0], [8, 0]]), words)  # other feature: user/item unmoved
    assert torch.allclose(h[:, :2], h4[:, :2], atol=1e-6) and not torch.allclose(h[:, 4:], h4[:, 4:])


# ---------------------------------------------------------------------------- vocabulary


def test_vocab_is_built_from_train_only():
    train = planted()
    valid = [TrainingExample(request=request(0, 1), text="the zebra is great for w0")]
    gen = PeterGenerator(**{**TINY, "epochs": 1}).fit(train, valid)
    assert "zebra" not in gen.vocab.index and gen.vocab.encode("zebra")[0] == UNK
    assert gen.vocab.words[:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    counts = gen.vocab.counts[4:]
    assert counts == sorted(counts, reverse=True)  # frequency order (adaptive softmax head first)


def test_vocab_levels_and_limits():
    texts = [("屏幕很清晰，电池耐用", "zh"), ("the battery lasts", "en"), ("the screen", "en")]
    chars = Vocab.build(texts, level="char")
    assert "屏" in chars.index and "屏幕" not in chars.index
    words = Vocab.build(texts, level="auto", max_size=6)
    assert len(words) == 6 and words.words[4] == "the"  # most frequent first, size capped
    assert words.detokenize(["屏幕", "很", "清晰"], "zh") == "屏幕很清晰"
    assert Vocab.build(texts, min_count=2).words[4:] == ["the"]


# ---------------------------------------------------------------------------- training and decoding


def test_loss_falls_and_greedy_reproduces_training_sentences(trained):
    hist = trained.history
    assert hist[-1]["train_loss"] < 0.5 * hist[0]["train_loss"]
    assert hist[-1]["val_text"] < 0.25 * hist[0]["val_text"]
    pairs = [(u, i) for u in range(24) for i in range(10) if (u + i) % 3][:60]
    out = trained.generate([request(u, i) for u, i in pairs])
    exact = sum(r.text == sentence(u, FEATURES[i % 10]) for r, (u, i) in zip(out, pairs))
    assert exact >= 0.9 * len(pairs), [r.text for r in out[:5]]
    assert out[0].generator == "peter" and out[0].user_id == "u0" and out[0].seconds > 0
    facts = {(f.key, f.value) for f in out[0].evidence.item_facts}
    assert ("part", FEATURES[pairs[0][1] % 10]) in facts  # the item fact the reason states


def test_unseen_pairs_and_unknown_ids(trained):
    # (u, i) with (u + i) % 3 == 0 were never seen together: the sentence still combines both
    pairs = [(u, i) for u in range(24) for i in range(10) if (u + i) % 3 == 0][:30]
    out = trained.generate([request(u, i) for u, i in pairs])
    assert sum(r.text == sentence(u, FEATURES[i % 10]) for r, (u, i) in zip(out, pairs)) >= 0.8 * len(pairs)
    cold = trained.generate([request(999, 3)])[0]  # unknown user, known item
    assert cold.text and cold.user_id == "u999"


def test_feature_conditioned_mode_says_the_feature(trained_plus):
    rng = random.Random(7)
    asks = [(u, i, rng.choice(FEATURES)) for u in range(24) for i in range(10)][:80]
    out = trained_plus.generate([request(u, i, feature=f) for u, i, f in asks])
    hits = sum(f in r.text.split() for r, (_, _, f) in zip(out, asks))
    assert hits == len(asks), [r.text for r in out[:5]]  # require_feature: no <eos> before the feature
    free = _variant(trained_plus, require_feature=False).generate([request(u, i, feature=f) for u, i, f in asks])
    assert sum(f in r.text.split() for r, (_, _, f) in zip(free, asks)) >= 0.9 * len(asks)
    assert out[0].evidence.item_facts[0].key == "aspect"
    # a feature word that never occurred in training is outside the vocabulary: the pointer copies it
    new = trained_plus.generate([request(1, 2, feature="zipper"), request(5, 6, feature="gift box")])
    assert "zipper" in new[0].text.split() and {"gift", "box"} <= set(new[1].text.split())


def test_beam_is_at_least_greedy_in_log_prob(trained_plus):
    reqs = [request(u, i, feature=FEATURES[(u * 7 + i) % 10]) for u in range(0, 24, 3) for i in range(5)]
    weak = PeterGenerator(**{**TINY, "epochs": 1}, seed=2, feature_conditioned=True).fit(conditioned())
    for gen in (trained_plus, weak):  # the weak model's distributions are flat enough for beams to differ
        _, greedy, _ = gen.decode(reqs, mode="greedy")
        _, beam, _ = gen.decode(reqs, mode="beam")
        assert all(b >= g - 1e-4 for b, g in zip(beam, greedy))
    assert sum(beam) > sum(greedy) + 1e-3  # and somewhere strictly better


def test_fast_greedy_equals_full_distribution_argmax(trained):
    # greedy without a pointer skips the tail clusters it cannot need; one beam scores them all
    reqs = [request(u, i) for u in range(24) for i in range(0, 10, 3)] + [request(999, 998)]
    weak = PeterGenerator(**{**TINY, "epochs": 1}, seed=4).fit(planted())
    for gen in (trained, weak):
        toks, greedy, _ = gen.decode(reqs, mode="greedy")
        toks1, beam1, _ = _variant(gen, beam_size=1).decode(reqs, mode="beam")
        assert toks == toks1 and greedy == pytest.approx(beam1, abs=1e-5)


def _variant(trained: PeterGenerator, **settings) -> PeterGenerator:
    gen = PeterGenerator(**{**trained.config(), **settings})
    gen.vocab, gen.users, gen.items, gen.model = trained.vocab, trained.users, trained.items, trained.model
    return gen


def test_top_p_length_limits_and_repeats(trained):
    reqs = [request(1, 2).model_copy(update={"max_length": 3}), request(2, 3)]
    out = _variant(trained, decoding="top_p", top_p=0.95).generate(reqs)
    assert 1 <= len(out[0].text.split()) <= 3 and out[1].text
    assert len(trained.generate(reqs)[0].text.split()) <= 3
    long = [request(u, i) for u in range(6) for i in range(3)]
    for text in (r.text.split() for r in _variant(trained, min_words=8, no_repeat_ngram=2).generate(long)):
        assert len(text) == 8  # no <eos> before min_words
        bigrams = list(itertools.pairwise(text))
        assert len(bigrams) == len(set(bigrams))


def test_rating_prediction(trained):
    preds = trained.predict_ratings([request(u, 1) for u in range(10)])
    assert all(1.0 <= p <= 5.0 for p in preds) and max(preds) - min(preds) > 0.1


def test_save_load_round_trip(trained_plus, tmp_path):
    trained_plus.save(tmp_path / "peter")
    assert {p.name for p in (tmp_path / "peter").iterdir()} >= {"config.json", "weights.safetensors",
                                                                 "vocab.json", "ids.json"}
    assert json.loads((tmp_path / "peter" / "config.json").read_text())["generator"] == "peter"
    loaded = Generator.load(tmp_path / "peter")
    reqs = [request(u, i, feature=FEATURES[u % 10]) for u in range(5) for i in range(3)]
    assert [r.text for r in loaded.generate(reqs)] == [r.text for r in trained_plus.generate(reqs)]
    assert loaded.predict_ratings(reqs) == trained_plus.predict_ratings(reqs)


def test_resume_from_checkpoint_continues(tmp_path):
    data = planted(12, 6)
    settings = {**TINY, "epochs": 4, "seed": 3}
    straight = PeterGenerator(**settings).fit(data)
    first = PeterGenerator(**{**settings, "epochs": 2, "checkpoint_dir": str(tmp_path / "ck")}).fit(data)
    assert [h["epoch"] for h in first.history] == [1, 2]
    resumed = PeterGenerator(**{**settings, "checkpoint_dir": str(tmp_path / "ck")}).fit(data)
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3, 4]
    a, b = straight.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="other data"):
        PeterGenerator(**{**settings, "epochs": 5, "checkpoint_dir": str(tmp_path / "ck")}).fit(planted(12, 5))
