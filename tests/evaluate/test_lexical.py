"""Hand-computed examples that pin the BLEU / ROUGE definitions (PETER parity and standard)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recreason.evaluate.lexical import (
    adgen_bleu4,
    f_p_r_lcs,
    lcs_length,
    nltk_sentence_bleu,
    peter_bleu,
    peter_bleu_details,
    peter_rouge,
    peter_rouge_l,
    peter_rouge_n,
    peter_rouge_strings,
    sacrebleu_bleu,
    sacrebleu_bleu_tokens,
    standard_rouge_l,
    standard_rouge_n,
    text_metrics,
    tokenization_for,
)

# Two-pair corpus used throughout.
#   pair 1: ref "the cat sat on the mat" (6 tokens)  cand "the cat sat on mat" (5 tokens)
#   pair 2: ref "a dog ran" (3 tokens)               cand "a dog ran fast" (4 tokens)
REFS = [s.split() for s in ["the cat sat on the mat", "a dog ran"]]
CANDS = [s.split() for s in ["the cat sat on mat", "a dog ran fast"]]


def test_bleu_1_and_4_two_sentence_corpus():
    # Clipped matches summed over the corpus, per order:
    #   1-grams: pair1 5/5 (the, cat, sat, on, mat), pair2 3/4 ("fast" misses)       -> p1 = 8/9
    #   2-grams: pair1 3/4 ("on mat" misses), pair2 2/3 ("ran fast" misses)          -> p2 = 5/7
    #   3-grams: pair1 2/3 ("sat on mat"), pair2 1/2 ("dog ran fast")                 -> p3 = 3/5
    #   4-grams: pair1 1/2 ("the cat sat on" hits), pair2 0/1                        -> p4 = 1/3
    # Lengths: candidates 5+4 = 9, references 6+3 = 9, ratio 1 -> BP = exp(1 - 1/1) = 1.
    # BLEU-1 = 8/9 = 88.888...; BLEU-4 = (8/9 * 5/7 * 3/5 * 1/3) ** (1/4) = (8/63) ** 0.25 = 59.6949...
    assert peter_bleu(REFS, CANDS, max_order=1) == pytest.approx(100 * 8 / 9)
    assert peter_bleu(REFS, CANDS, max_order=4) == pytest.approx(100 * (8 / 63) ** 0.25)
    assert peter_bleu(REFS, CANDS, max_order=4) == pytest.approx(59.6949, abs=1e-4)
    d = peter_bleu_details(REFS, CANDS, 4)
    assert [d[f"p{i}"] for i in range(1, 5)] == pytest.approx([100 * 8 / 9, 100 * 5 / 7, 60.0, 100 / 3])
    assert d["bp"] == 1.0 and d["cand_len"] == 9 and d["ref_len"] == 9


def test_bleu_brevity_penalty_uses_total_lengths():
    # Drop "fast": candidates 5+3 = 8 tokens vs references 9. Every unigram matches (p1 = 8/8),
    # so BLEU-1 = BP = exp(1 - 9/8) = exp(-0.125) = 0.882497 -> 88.2497.
    cands = [CANDS[0], ["a", "dog", "ran"]]
    assert peter_bleu(REFS, cands, 1) == pytest.approx(100 * math.exp(-0.125))
    assert peter_bleu(REFS, cands, 1) == pytest.approx(88.2497, abs=1e-4)
    # Brevity is judged on the corpus, not per sentence: pair 1's candidate is short (2 vs 4) but
    # pair 2's is long (5 vs 2), so 7 > 6 tokens in all and BP = 1; BLEU-1 = (2 + 2) / 7.
    d = peter_bleu_details([["a"] * 4, ["b"] * 2], [["a"] * 2, ["b"] * 5], 1)
    assert d["bp"] == 1.0 and d["ratio"] == pytest.approx(7 / 6)
    assert d["bleu"] == pytest.approx(100 * 4 / 7)


def test_bleu_no_smoothing_zero_order_gives_zero():
    # No 4-gram anywhere in the corpus matches -> geometric mean is 0, no smoothing.
    assert peter_bleu([["a", "b", "c", "d"]], [["a", "b", "c", "x"]], 4) == 0.0
    assert peter_bleu([["a", "b", "c", "d"]], [["a", "b", "c", "x"]], 3) > 0.0


def test_bleu_edge_cases_do_not_divide_by_zero():
    assert peter_bleu([["a"]], [[]], 1) == 0.0  # empty candidate corpus: BP 0
    assert peter_bleu([[]], [["a"]], 1) == 0.0  # nothing to match
    with pytest.raises(ValueError):
        peter_bleu([["a"]], [["a"], ["b"]])
    with pytest.raises(TypeError):  # strings would silently be scored as characters
        peter_rouge(["a b"], ["a b"])


def test_rouge_set_based_differs_from_count_based_with_duplicates():
    ref = ["the", "cat", "is", "on", "the", "mat"]
    cand = ["the", "the", "the", "cat"]
    # Set-based ROUGE-1 (PETER): cand set {the, cat} (2), ref set {the, cat, is, on, mat} (5),
    # overlap 2 -> P = 1, R = 0.4, F = 2*0.4/1.4 = 0.571429.
    f, p, r = peter_rouge_n(ref, cand, 1)
    assert (p, r) == (1.0, 0.4) and f == pytest.approx(0.8 / 1.4)
    # Count-based: cand 4 tokens (the x3, cat), ref 6 tokens (the x2); overlap min(3,2)+1 = 3
    # -> P = 3/4, R = 3/6, F1 = 2*0.375/1.25 = 0.6.
    f, p, r = standard_rouge_n(ref, cand, 1)
    assert (p, r) == (0.75, 0.5) and f == pytest.approx(0.6)
    # ROUGE-2. Set: cand {the the, the cat} (2), ref 5 bigrams, overlap 1 -> P .5, R .2, F .285714.
    f, p, r = peter_rouge_n(ref, cand, 2)
    assert (p, r) == (0.5, 0.2) and f == pytest.approx(0.2 / 0.7)
    # Count: cand 3 bigrams (the the x2, the cat), overlap 1 -> P 1/3, R 1/5, F1 0.25.
    f, p, r = standard_rouge_n(ref, cand, 2)
    assert p == pytest.approx(1 / 3) and r == pytest.approx(0.2) and f == pytest.approx(0.25)


def test_rouge_l_uses_beta_p_over_r_not_f1():
    # Pair 1: LCS("the cat sat on mat", "the cat sat on the mat") = 5; P = 5/5 = 1, R = 5/6.
    # beta = P/R = 1.2; F = (1 + beta^2) R P / (R + beta^2 P) = 2.44*(5/6) / (5/6 + 1.44) = 305/341
    # = 0.894428, while the usual F1 is 2PR/(P+R) = 10/11 = 0.909091.
    f, p, r = peter_rouge_l(REFS[0], CANDS[0])
    assert p == 1.0 and r == pytest.approx(5 / 6)
    assert f == pytest.approx(305 / 341, abs=1e-9)
    assert standard_rouge_l(REFS[0], CANDS[0])[0] == pytest.approx(10 / 11)
    # Pair 2: LCS 3, P = 3/4, R = 1, beta = 0.75: F = (R^2+P^2)RP/(R^3+P^3) = 1.171875/1.421875.
    assert peter_rouge_l(REFS[1], CANDS[1])[0] == pytest.approx(1.171875 / 1.421875, abs=1e-9)


def test_rouge_lcs_zero_edge_cases():
    # No common token: R = P = 0, beta = 0/(0+1e-12) = 0, F = 0/(0+1e-12) = 0.
    assert f_p_r_lcs(0, 3, 4) == (0.0, 0.0, 0.0)
    assert peter_rouge_l(["a"], ["b"]) == (0.0, 0.0, 0.0)
    # rouge.py scores ' '.join(tokens).split(' '): an empty sentence is one '' token, so an empty
    # candidate scores 0 against a real reference and ~1 against an empty reference.
    assert peter_rouge_l(["a", "b"], []) == (0.0, 0.0, 0.0)
    assert peter_rouge_n(["a", "b"], [], 1) == (0.0, 0.0, 0.0)
    assert peter_rouge_l([], [])[0] == pytest.approx(1.0)
    assert peter_rouge_n([], [], 1)[0] == pytest.approx(1.0)


def test_peter_rouge_macro_average_and_keys():
    # ROUGE-1: pair1 P=R=1 (same 5-word set), pair2 P=3/4, R=1 -> F = 1.5/1.75 = 0.857143.
    # ROUGE-2: pair1 P=3/4, R=3/5, F=0.9/1.35; pair2 P=2/3, R=1, F=0.8.
    # ROUGE-L F: pair1 305/341, pair2 1.171875/1.421875 (see above).
    out = peter_rouge(REFS, CANDS)
    assert out["rouge_1/p_score"] == pytest.approx(100 * (1 + 0.75) / 2)
    assert out["rouge_1/r_score"] == pytest.approx(100.0)
    assert out["rouge_1/f_score"] == pytest.approx(100 * (1 + 1.5 / 1.75) / 2, abs=1e-5)
    assert out["rouge_2/f_score"] == pytest.approx(100 * (0.9 / 1.35 + 0.8) / 2, abs=1e-5)
    assert out["rouge_l/f_score"] == pytest.approx(100 * (305 / 341 + 1.171875 / 1.421875) / 2, abs=1e-6)
    assert out["rouge_l/f_score"] == pytest.approx(85.9302, abs=1e-4)
    assert all(type(v) is float for v in out.values())


def test_peter_rouge_strings_splits_on_single_spaces():
    # " a b" -> ['', 'a', 'b']: the empty token lowers precision, as in rouge.py on raw strings.
    out = peter_rouge_strings(["a b"], [" a b"])
    assert out["rouge_1/p_score"] == pytest.approx(100 * 2 / 3)
    assert peter_rouge([["a", "b"]], [["a", "b"]])["rouge_1/p_score"] == pytest.approx(100.0)


def _lcs_dp(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a, 1):
        for j, y in enumerate(b, 1):
            table[i][j] = table[i - 1][j - 1] + 1 if x == y else max(table[i - 1][j], table[i][j - 1])
    return table[len(a)][len(b)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abcde"), max_size=40), st.lists(st.sampled_from("abcde"), max_size=40))
def test_bit_parallel_lcs_matches_dynamic_programming(a, b):
    assert lcs_length(a, b) == _lcs_dp(a, b) == lcs_length(b, a)


def test_sacrebleu_reference_numbers():
    hyp, ref = "the cat sat on the mat today", "the cat sat on the mat"
    assert sacrebleu_bleu([ref], [hyp]) == pytest.approx(100 * (6 / 7 * 5 / 6 * 4 / 5 * 3 / 4) ** 0.25)
    assert sacrebleu_bleu_tokens([ref.split()], [hyp.split()]) == pytest.approx(sacrebleu_bleu([ref], [hyp]))
    # tokenize="zh" splits Chinese into characters: identical strings score 100.
    assert sacrebleu_bleu(["这件衣服很好看"], ["这件衣服很好看"], tokenize="zh") == pytest.approx(100.0)


def test_nltk_sentence_bleu_by_hand():
    # ref 这件衣服很好看 (7 chars), cand 这件衣服好看 (6 chars):
    #   1-grams 6/6; 2-grams 这件 件衣 衣服 好看 hit, 服好 misses -> 4/5;
    #   3-grams 这件衣 件衣服 hit of 4 -> 2/4; 4-grams 这件衣服 hits of 3 -> 1/3.
    #   BP = exp(1 - 7/6); BLEU = BP * (1 * 4/5 * 1/2 * 1/3) ** 0.25 = 0.846482 * 0.604275 = 0.511508
    expected = math.exp(1 - 7 / 6) * (0.8 * 0.5 / 3) ** 0.25
    assert nltk_sentence_bleu(list("这件衣服很好看"), list("这件衣服好看")) == pytest.approx(expected)
    assert expected == pytest.approx(0.511508, abs=1e-6)


def test_nltk_sentence_bleu_zero_counts():
    # cand 这件好看: 1-grams 4/4, 2-grams 这件 好看 of 3 -> 2/3, 3-grams 0/2, 4-grams 0/1.
    # No smoothing: NLTK's method0 gives < 1e-70 here; we return exactly 0.
    ref, cand = list("这件衣服很好看"), list("这件好看")
    assert nltk_sentence_bleu(ref, cand) == 0.0
    # method3: zero orders get 1/(2^k * denominator): p3 = 1/(2*2), p4 = 1/(4*1); BP = exp(1 - 7/4).
    expected = math.exp(1 - 7 / 4) * (1 * 2 / 3 * 0.25 * 0.25) ** 0.25  # 0.213416
    assert nltk_sentence_bleu(ref, cand, smoothing="method3") == pytest.approx(expected)
    # No unigram match returns 0 even with smoothing; a candidate shorter than 4 has p4 = 0/1.
    assert nltk_sentence_bleu(list("abc"), list("xyz"), smoothing="method3") == 0.0
    assert nltk_sentence_bleu(list("abc"), list("abc")) == 0.0
    assert nltk_sentence_bleu(list("abcd"), list("abcd")) == pytest.approx(1.0)


def test_adgen_bleu4_is_sentence_average_on_characters():
    refs, cands = ["这件衣服很好看", "这件衣服很好看"], ["这件衣服好看", "这件好看"]
    assert adgen_bleu4(refs, cands) == pytest.approx(100 * (0.5115078115793242 + 0.0) / 2)
    # Whitespace is a character too, as in list(label).
    assert adgen_bleu4(["ab cd"], ["ab cd"]) == pytest.approx(100.0)


def test_tokenization_for_data_sets():
    assert tokenization_for("XRec").bleu_level == "whitespace"
    adgen = tokenization_for("zh_advertisegen_dev")
    assert (adgen.lang, adgen.bleu_level, adgen.rouge_level) == ("zh", "char", "word")
    assert adgen.sacrebleu_tokenize == "zh"
    assert tokenization_for("kobe").rouge_level == "char"
    assert tokenization_for("my-new-set", lang="zh").bleu_level == "word"
    with pytest.raises(ValueError):
        tokenization_for("my-new-set")


def test_text_metrics_chinese_and_english():
    zh = text_metrics(["这件衣服很好看"], ["这件衣服很好看"], dataset="adgen")
    assert zh["bleu_4"] == pytest.approx(100.0) and zh["rouge_l/f_score"] == pytest.approx(100.0, abs=1e-4)
    assert zh["sacrebleu"] == pytest.approx(100.0)
    en = text_metrics([" ".join(t) for t in REFS], [" ".join(t) for t in CANDS], dataset="xrec")
    assert en["bleu_4"] == pytest.approx(100 * (8 / 63) ** 0.25)
    assert en["rouge_l/f_score"] == pytest.approx(85.9302, abs=1e-4)
    # Language detected from the references when nothing is given: Chinese -> jieba words.
    auto = text_metrics(["这件衣服很好看"], ["这件衣服好看"])
    assert 0.0 < auto["bleu_1"] < 100.0


def test_package_exports_resolve_and_import_is_light():
    import subprocess
    import sys

    import recreason.evaluate as ev

    assert all(callable(getattr(ev, name)) for name in ev.__all__)
    code = "import sys, recreason.evaluate; print(any(m in sys.modules for m in ('numpy', 'sacrebleu', 'jieba')))"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "False"
