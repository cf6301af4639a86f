"""A reason the guard withheld (neither the reason nor its fallback passed) is never shown as text."""

from __future__ import annotations

from recreason.reasons import Reason
from recreason.serve.reasons import Served
from recreason.serve.routes import reason_out


def _served(path: str) -> Served:
    text = "" if path == "withheld" else "Light at 0.9 kg for your hikes."
    return Served(Reason(text=text, language="en", user_id="u", item_id="i", generator="template", path=path,
                         notes=["guard: no reason shown, the fallback fails too: ..."]), "generated")


def test_a_withheld_reason_is_no_reason_in_a_list():
    assert reason_out(_served("withheld")) is None
    assert reason_out(_served("primary")).text


def test_a_withheld_reason_asked_for_alone_says_so():
    out = reason_out(_served("withheld"), withheld=True)
    assert out.path == "withheld" and out.text == "" and out.notes

