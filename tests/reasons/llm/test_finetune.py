"""Fine-tuning pieces that need no model: training pairs, and the PEFT -> GGUF adapter export."""

from __future__ import annotations

import json

import pytest

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import ReasonRequest, TrainingExample
from recreason.reasons.llm.finetune import _encode, export_lora_gguf, training_pairs

EX = [TrainingExample(request=ReasonRequest(user=UserProfile(user_id="u", profile_text="Loves tacos."),
                                            item=ItemProfile(item_id="i", title="Sonoratown")),
                      text="The user would enjoy Sonoratown for its tacos. More text here."),
      TrainingExample(request=ReasonRequest(user=UserProfile(user_id="z", language="zh", interests=["徒步"]),
                                            item=ItemProfile(item_id="c", title="轻行折叠椅", language="zh")),
                      text="轻行折叠椅很轻，适合徒步。第二句。"),
      TrainingExample(request=ReasonRequest(user=UserProfile(user_id="e"), item=ItemProfile(item_id="e")), text="  ")]


def test_training_pairs_are_zero_shot_prompts_with_cut_targets():
    pairs = training_pairs(EX)
    assert len(pairs) == 2  # the empty reference is skipped
    (p_en, t_en), (p_zh, t_zh) = pairs
    assert p_en.endswith("User: «Loves tacos.»\nItem: «Sonoratown»\nReason:") and "You would enjoy" not in p_en
    assert t_en == " The user would enjoy Sonoratown for its tacos.\n"
    assert p_zh.endswith("推荐理由：") and t_zh == "轻行折叠椅很轻，适合徒步。\n"


def test_encode_masks_the_prompt_and_truncates_its_start():
    class Tok:
        def __call__(self, text, add_special_tokens=True):
            return {"input_ids": ([1] if add_special_tokens else []) + [ord(c) for c in text]}

    rows = _encode(Tok(), [("abcdef", "XY")], max_tokens=6)
    ids, n_prompt = rows[0]
    assert ids == [1, ord("d"), ord("e"), ord("f"), ord("X"), ord("Y")] and n_prompt == 4


def test_export_lora_gguf_names_and_shapes(tmp_path):
    gguf = pytest.importorskip("gguf")
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    base = tmp_path / "base.gguf"
    w = gguf.GGUFWriter(str(base), "qwen2")
    w.add_block_count(2)
    w.add_tensor("token_embd.weight", torch.zeros(4, 4).numpy())
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    peft = tmp_path / "peft"
    peft.mkdir()
    (peft / "adapter_config.json").write_text(json.dumps({"lora_alpha": 16, "r": 4}))
    tensors = {}
    for layer in (0, 1):
        for proj, out_dim in (("q_proj", 8), ("v_proj", 2)):
            prefix = f"base_model.model.model.layers.{layer}.self_attn.{proj}"
            tensors[f"{prefix}.lora_A.weight"] = torch.randn(4, 6)
            tensors[f"{prefix}.lora_B.weight"] = torch.randn(out_dim, 4)
    save_file(tensors, str(peft / "adapter_model.safetensors"))

    out = export_lora_gguf(peft, base, tmp_path / "adapter.gguf")
    reader = gguf.GGUFReader(str(out))
    names = {t.name: [int(x) for x in t.shape] for t in reader.tensors}
    assert set(names) == {f"blk.{b}.attn_{p}.weight.lora_{ab}" for b in (0, 1) for p in ("q", "v") for ab in "ab"}
    assert names["blk.0.attn_q.weight.lora_a"] == [6, 4]  # ggml order: (in, r) for A of shape (r, in)
    assert names["blk.0.attn_q.weight.lora_b"] == [4, 8]

    def field(key):
        f = reader.fields[key]
        return f.parts[f.data[0]]

    assert bytes(field("general.type")).decode() == "adapter"
    assert bytes(field("adapter.type")).decode() == "lora"
    assert float(field("adapter.lora.alpha")[0]) == 16.0
    assert bytes(field("general.architecture")).decode() == "qwen2"


# --------------------------------------------------------------------------- length budget, checkpoints, resume

def test_sentence_budget_follows_the_references():
    from recreason.reasons.llm.finetune import sentence_budget

    one = TrainingExample(request=EX[0].request, text="It has tacos.")
    two = TrainingExample(request=EX[0].request, text="It has tacos. They are cheap.")
    three = TrainingExample(request=EX[0].request, text="A. B is here. C is there. D too.")
    assert sentence_budget([one, one, two]) == 1
    assert sentence_budget([two, two, one]) == 2
    assert sentence_budget([three] * 3) == 2  # at most two
    assert sentence_budget([]) == 1


class CharTokenizer:
    pad_token_id = 0

    def __call__(self, text, add_special_tokens=True):
        return {"input_ids": ([1] if add_special_tokens else []) + [2 + ord(c) % 250 for c in text]}


def _tiny():
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("peft")
    import torch

    torch.manual_seed(0)
    cfg = transformers.Qwen2Config(vocab_size=256, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                   num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=128)
    return transformers.Qwen2ForCausalLM(cfg)


def _adapter(model):
    from peft import get_peft_model_state_dict

    return {k: v.detach().clone() for k, v in get_peft_model_state_dict(model).items()}


def test_a_killed_run_resumes_to_the_same_adapter(tmp_path):
    """Six steps at once, or three, a kill, and the same call again: the same weights (optimizer, schedule,
    dropout RNG and losses come back from the checkpoint)."""
    import torch

    from recreason.reasons.llm.finetune import FinetuneConfig, train_lora

    pairs = [(f"User: likes {w}. Item: {w} box. Reason:", f" A {w} box for you.\n")
             for w in ("tea", "rice", "salt", "jam", "figs", "oats", "nuts", "eggs", "milk", "corn", "kale", "plum")]
    cfg = FinetuneConfig(rank=2, alpha=4, batch_size=2, epochs=1.0, warmup_steps=2, checkpoint_every=0, log_every=100)
    quiet = (lambda _m: None)
    straight, run = train_lora(_tiny(), CharTokenizer(), pairs, cfg, tmp_path / "a", "k", quiet)
    assert run["step"] == run["total"] == 6 and not (tmp_path / "a" / "checkpoint").exists()

    _, run = train_lora(_tiny(), CharTokenizer(), pairs, cfg, tmp_path / "b", "k", quiet, stop_after=3)
    assert run["step"] == 3 and (tmp_path / "b" / "checkpoint" / "state.json").is_file()
    logs = []
    resumed, run = train_lora(_tiny(), CharTokenizer(), pairs, cfg, tmp_path / "b", "k", logs.append)
    assert run["step"] == 6 and any("resuming at step 3" in m for m in logs)
    assert len(run["losses"]) == 6
    a, b = _adapter(straight), _adapter(resumed)
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)

    logs.clear()  # another run's checkpoint (other key) is not taken
    train_lora(_tiny(), CharTokenizer(), pairs, cfg, tmp_path / "b", "other", logs.append, stop_after=1)
    assert any("another run" in m for m in logs)
