"""Generator names -> classes. A folder per generator; imported only when its name is asked for."""

from __future__ import annotations

import importlib

#: name -> "module:Class" under recreason.reasons
GENERATORS: dict[str, str] = {
    "template": "template.generator:TemplateGenerator",
    "peter": "peter.generator:PeterGenerator",
    "llm": "llm.generator:LLMGenerator",
}


def generator_class(name: str):
    if name not in GENERATORS:
        raise KeyError(f"unknown generator {name!r}; generators are {', '.join(GENERATORS)}")
    module, cls = GENERATORS[name].split(":")
    try:
        mod = importlib.import_module(f"recreason.reasons.{module}")
    except ModuleNotFoundError as e:
        raise KeyError(f"generator {name!r} is not available here ({e})") from None
    return getattr(mod, cls)


def make_generator(name: str, **config):
    return generator_class(name)(**config)
