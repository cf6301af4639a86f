"""Grounded decoding: a llama.cpp grammar (GBNF) under which a number can appear only as the item's data
writes it.

The claim a small model most often gets wrong is a number: "1.9 kg" for a 0.9 kg chair, "10-quart" for a
6-quart pot. ``number_grammar(numbers)`` lets the model write any text on one line, but a digit only as part
of one of ``numbers`` (the item's own, ``item_numbers``), so such a number cannot be decoded at all; an item
without numbers gets reasons without digits. Units and words stay free (the guard still checks which
attribute a number is said of). Digits glued together ("0.9" then "5000") are possible and left to the guard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from recreason.profiles.models import ItemProfile

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def item_numbers(item: ItemProfile, limit: int = 2000) -> list[str]:
    """Every number the item's data writes (title, attributes, price, description), as written."""
    texts = [item.title or "", *(v for _, v in item.facts()), (item.description or "")[:limit]]
    if item.price is not None:
        texts.append(f"{item.price:g}")
    return sorted(dict.fromkeys(n for t in texts for n in NUMBER.findall(str(t))), key=lambda n: (-len(n), n))


def number_grammar(numbers: Iterable[str]) -> str:
    """GBNF: text without a line break in which digits occur only inside one of ``numbers``."""
    allowed = [n for n in dict.fromkeys(numbers) if n and NUMBER.fullmatch(n)]
    rules = ["root ::= piece+", "piece ::= [^0-9\\n]" + (" | num" if allowed else "")]
    if allowed:
        rules.append("num ::= " + " | ".join(f'"{n}"' for n in allowed))
    return "\n".join(rules) + "\n"
