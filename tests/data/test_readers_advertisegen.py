"""AdvertiseGen reader: key#value*key#value content -> items, summary -> references (zh)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from recreason.data import readers
from recreason.data.ingest import ingest
from recreason.data.readers import advertisegen
from recreason.data.readers.advertisegen import item_id, parse_content
from recreason.data.schema import load_json

TINY = Path(__file__).resolve().parent / "advertisegen_tiny"
COAT = "类型#上衣*材质#牛仔布*颜色#白色*风格#简约*图案#刺绣*衣样式#外套*衣款式#破洞"


@pytest.fixture(scope="module")
def report():
    return ingest(TINY / "dev.json", fmt="advertisegen")


def test_detect(tmp_path):
    assert readers.detect(TINY) == "advertisegen"
    assert readers.detect(TINY / "dev.json") == "advertisegen"
    (tmp_path / "dev.json").write_text('{"asin": "B1", "title": "x"}\n')
    assert not advertisegen.detect(tmp_path)


def test_counts_and_balance(report, balanced):
    balanced(report)
    assert report.counts["references"] == {"read": 7, "accepted": 3, "rejected": 4}
    assert report.counts["items"] == {"read": 3, "accepted": 3, "rejected": 0}  # two lines share the coat


def test_items_and_references(report):
    items = report.dataset.items.set_index("item_id")
    coat = items.loc[item_id(COAT)]
    assert coat.category == ["上衣"] and coat.language == "zh"
    assert load_json(coat.attributes) == {"类型": "上衣", "材质": "牛仔布", "颜色": "白色", "风格": "简约",
                                          "图案": "刺绣", "衣样式": "外套", "衣款式": "破洞"}
    dress = load_json(items.loc[item_id("类型#裙*风格#复古*风格#文艺*风格#简约*图案#格子")].attributes)
    assert dress["风格"] == ["复古", "文艺", "简约"]  # a repeated key keeps every value
    refs = report.dataset.references
    assert refs.user_id.isna().all() and set(refs.language) == {"zh"} and set(refs.split) == {"validation"}
    assert (refs.item_id == item_id(COAT)).sum() == 2
    assert refs.text.iloc[0] == "简约而不简单的牛仔外套，白色的衣身十分百搭。"
    assert any("placeholder BRAND" in n for n in report.notes)


def test_stable_ids():
    assert item_id(COAT) == item_id(COAT + " ") == "adgen-8435a269f72f8aa4"


def test_bad_lines(report, reject_at):
    bad = reject_at(report, "dev.json", 4)
    assert bad.field == "content" and bad.reason == "malformed attribute pair '材质棉' (expected key#value)"
    assert bad.record["summary"] == "缺少井号的属性。"
    assert reject_at(report, "dev.json", 5).reason == "missing reference text"
    assert "broken JSON" in reject_at(report, "dev.json", 6).reason
    assert "'#蓝色'" in reject_at(report, "dev.json", 7).reason


@pytest.mark.parametrize("content, reason", [
    (None, "missing content"), ("", "missing content"), (3, "content must be text, found int"),
    ("类型#裤*", "malformed attribute pair ''"), ("类型#", "malformed attribute pair '类型#'"),
])
def test_parse_content_errors(content, reason):
    assert parse_content(content).startswith(reason)


def test_folder_with_train_and_dev(tmp_path):
    shutil.copy(TINY / "dev.json", tmp_path / "dev.json")
    (tmp_path / "train.json").write_text(f'{{"content": "{COAT}", "summary": "训练集文案。"}}\n', encoding="utf-8")
    report = ingest(tmp_path)
    refs = report.dataset.references
    assert report.counts["items"]["read"] == 3  # the coat in train.json is the same item
    assert refs[refs.split == "train"].item_id.tolist() == [item_id(COAT)]


@pytest.mark.shared
def test_real_dev(shared_data, balanced):
    path = shared_data / "zh-advertisegen-dev" / "dev.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    assert readers.detect(path) == "advertisegen" and readers.detect(path.parent) == "advertisegen"
    start = time.perf_counter()
    report = ingest(path)
    assert time.perf_counter() - start < 5
    balanced(report)
    # SOURCE.md: 1,070 rows; 1,000 distinct contents (70 lines repeat a product with another text)
    assert report.counts["references"] == {"read": 1070, "accepted": 1070, "rejected": 0}
    assert report.counts["items"] == {"read": 1000, "accepted": 1000, "rejected": 0}
    items = report.dataset.items
    types = items.category.map(lambda c: c[0])
    assert set(types) == {"裙", "上衣", "裤"}
    refs = report.dataset.references.merge(items[["item_id", "category"]], on="item_id")
    assert refs.category.map(lambda c: c[0]).value_counts().to_dict() == {"裙": 491, "上衣": 391, "裤": 188}
