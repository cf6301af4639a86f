"""LLMGenerator with a scripted backend: batching, cache, shots, notes, save/load, regeneration."""

from __future__ import annotations

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import Generator, ReasonRequest, TrainingExample, make_generator
from recreason.reasons.llm import LLMGenerator

PHONE = ItemProfile(item_id="p1", title="星耀14", language="zh", category=["手机"],
                    attributes={"电池": "5000mAh", "重量": "190克"})
FAN = UserProfile(user_id="u1", language="zh", interests=["喜欢购买电子产品"])
CHAIR = ItemProfile(item_id="c1", title="TrailLite Chair", attributes={"weight": "0.9 kg"})
HIKER = UserProfile(user_id="u2", interests=["hiking"])


def requests():
    return [ReasonRequest(user=FAN, item=PHONE), ReasonRequest(user=HIKER, item=CHAIR)]


def answer(prompt: str) -> str:
    return "星耀14配备5000mAh电池，适合你。还有一句。" if prompt.endswith("推荐理由：") else \
        " The 0.9 kg TrailLite Chair suits your hiking. Extra sentence."


def test_registry_name_and_batched_generation(fake_backend):
    backend = fake_backend(answer)
    gen = make_generator("llm", backend=backend)
    assert isinstance(gen, LLMGenerator) and gen.name == "llm"
    out = gen.generate(requests())
    assert [r.text for r in out] == ["星耀14配备5000mAh电池，适合你。", "The 0.9 kg TrailLite Chair suits your hiking."]
    assert [r.language for r in out] == ["zh", "en"]
    assert len(backend.calls) == 2  # one batch per language
    assert backend.calls[0]["stop"] == ["\n", "。", "！", "？"] and backend.calls[0]["temperature"] == 0.0
    assert out[0].generator == "llm" and out[0].path == "primary"
    assert "prompt reason_zh_v1" in out[0].notes and "model fake-model" in out[0].notes
    assert {f.value for f in out[0].evidence.item_facts} >= {"星耀14", "5000mAh"}
    assert [f.value for f in out[0].evidence.user_signals] == []  # the reason names no interest
    assert {f.value for f in out[1].evidence.user_signals} == {"hiking"}


def test_no_cache_inside_the_generator(fake_backend):
    """The one reason cache is at the serving boundary: asking twice asks the model twice."""
    backend = fake_backend(answer)
    gen = LLMGenerator(backend=backend)
    first, again = gen.generate(requests()), gen.generate(requests())
    assert len(backend.calls) == 4 and [r.text for r in again] == [r.text for r in first]
    assert not any("cached" in r.notes for r in again)


def test_fit_uses_training_examples_as_shots_and_round_trips(fake_backend, tmp_path):
    train = [TrainingExample(request=ReasonRequest(user=HIKER, item=CHAIR.model_copy(update={"item_id": "c2"})),
                             text="Light enough for long trails. Second.")]
    backend = fake_backend(answer)
    gen = LLMGenerator(backend=backend, shots=1).fit(train)
    gen.generate(requests()[1:])
    assert "Reason: Light enough for long trails.\n" in backend.prompts[0]
    gen.save(tmp_path / "g")
    loaded = Generator.load(tmp_path / "g")
    assert isinstance(loaded, LLMGenerator) and loaded.shots == 1 and len(loaded.pool) == 1
    assert loaded.config()["model"] is None


def test_unusable_output_is_empty_with_a_note(fake_backend):
    gen = LLMGenerator(backend=fake_backend("the the the the the the the the the the the the"))
    r = gen.generate(requests()[1:])[0]
    assert r.text == "" and any(n.startswith("unusable model output") for n in r.notes)


def test_regenerate_samples_with_another_seed(fake_backend):
    backend = fake_backend(answer)
    gen = LLMGenerator(backend=backend, seed=3)
    gen.generate(requests()[1:])
    gen.regenerate(requests()[1:])
    assert [(c["temperature"], c["seed"]) for c in backend.calls] == [(0.0, [3]), (0.7, [4])]


def test_candidates_are_sampled_with_their_own_seeds_in_one_call(fake_backend):
    backend = fake_backend(lambda prompt, seed: f" The TrailLite Chair weighs 0.9 kg, pick {seed}.")
    gen = LLMGenerator(backend=backend, seed=3, best_of=3)
    assert gen.config()["best_of"] == 3
    out = gen.candidates(requests()[1:] * 2, 2)
    assert [[r.text for r in row] for row in out] == [["The TrailLite Chair weighs 0.9 kg, pick 4.",
                                                       "The TrailLite Chair weighs 0.9 kg, pick 5."]] * 2
    call = backend.calls[-1]
    assert len(backend.calls) == 1 and call["temperature"] == 0.7 and call["seed"] == [4, 5, 4, 5]
    assert call["reuse_prompt"] and call["prompts"][0] == call["prompts"][1]  # a prompt's copies in a row


def test_two_sentences_when_asked(fake_backend):
    backend = fake_backend(answer)
    out = LLMGenerator(backend=backend, max_sentences=2).generate(requests()[1:])
    assert out[0].text == "The 0.9 kg TrailLite Chair suits your hiking. Extra sentence."
    assert backend.calls[0]["stop"] == ["\n"] and backend.calls[0]["max_tokens"] == 128


def test_grounded_numbers_send_a_grammar_of_the_items_own_numbers(fake_backend):
    from recreason.reasons.llm.grammar import item_numbers, number_grammar

    assert item_numbers(PHONE) == ["5000", "190", "14"]
    g = number_grammar(item_numbers(PHONE))
    assert 'num ::= "5000" | "190" | "14"' in g and "piece ::= [^0-9\\n] | num" in g
    assert "num" not in number_grammar([])  # no numbers in the data: no digits at all
    backend = fake_backend(answer)
    LLMGenerator(backend=backend, grounded_numbers=True).generate(requests())
    assert backend.calls[0]["grammars"] == [g]
    LLMGenerator(backend=backend).generate(requests())
    assert backend.calls[-1]["grammars"] is None
