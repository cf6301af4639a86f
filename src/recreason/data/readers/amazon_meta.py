"""Amazon product metadata (2018 ``meta_*.json.gz``, 2014 ``meta_*.json.gz``) -> the items table.

item_id = asin; title, brand, description (2018: a list of paragraphs, joined with newlines) with HTML
entities decoded; category = the category path (2018 ``category``; 2014 ``categories``, a list of
paths: the first is the category, all are kept as attributes.categories); language "en".

Price: "$25.00" or "$1,299.99" (or a number in 2014 files) becomes the price. A range such as
"$10.00 - $50.00" leaves the price empty and keeps the text as attributes.price_range: the item is
kept, and no single number is made up. Other text (Amazon's 2018 scrape holds CSS and blank space in
a few price fields) leaves the price empty; a note counts both cases.

Attributes: feature (list), details (dict; keys without the trailing colon; the ASIN entry dropped),
main_cat (the alt text when the scrape left an <img> tag), rank / salesRank, date, and fit / tech1 /
tech2 (the name-value pairs of their HTML tables). Not ingested, with a note: also_buy, also_view,
similar_item, related (lists of other asins) and images. Duplicate asins are left to the validator,
which keeps the first and rejects the others.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from recreason.data.readers.base import FILE, LINE

_MONEY = re.compile(r"^\$?\s*(\d[\d,]*(?:\.\d+)?)$")
_RANGE = re.compile(r"^\$?\s*\d[\d,]*(?:\.\d+)?\s*-\s*\$?\s*\d[\d,]*(?:\.\d+)?$")
_IMG_ALT = re.compile(r'<img[^>]*\balt="([^"]*)"', re.IGNORECASE)
_CELL = re.compile(r"<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
IGNORED = {"also_buy": "related asins", "also_view": "related asins", "similar_item": "related asins (HTML)",
           "related": "related asins", "image": "image URLs", "imUrl": "image URL",
           "imageURL": "image URLs", "imageURLHighRes": "image URLs"}
COLUMNS = ("item_id", "title", "brand", "price", "category", "description", "attributes", "language")
MAPPED = {"asin", "title", "brand", "price", "category", "categories", "description", "feature", "details",
          "main_cat", "rank", "salesRank", "date", "fit", "tech1", "tech2"}


def clean(v) -> str:
    """Text with HTML tags dropped, entities decoded and whitespace collapsed; '' for None."""
    if v is None:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", str(v))).split())


def parse_price(v) -> tuple[float | str | None, str]:
    """(price for the validator, kind): kind is 'ok', 'empty', 'range' or 'other'."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v, "ok"
    text = clean(v)
    if not text:
        return None, "empty"
    money = _MONEY.match(text)
    if money:
        return money.group(1).replace(",", ""), "ok"
    return None, "range" if _RANGE.match(text) else "other"


def _path(values) -> list[str]:
    out: list[str] = []
    for v in values if isinstance(values, (list, tuple)) else []:
        text = clean(v)
        if text and "<" not in text and (not out or out[-1] != text):
            out.append(text)
    return out


def _html_pairs(text: str) -> dict[str, str]:
    return {clean(k): clean(v) for k, v in _CELL.findall(text)}


def _rank(v) -> list[str]:
    values = v if isinstance(v, list) else [v]
    out = []
    for x in values:
        text = clean(x).lstrip(">#").strip()
        text = re.sub(r"\s*\((See Top.*)?\)?$", "", text)
        if text:
            out.append(text)
    return out


def attributes(rec: dict) -> dict:
    attrs: dict = {}
    features = [clean(f) for f in rec.get("feature") or [] if clean(f)] if isinstance(rec.get("feature"), list) else []
    if features:
        attrs["feature"] = features
    details = rec.get("details")
    if isinstance(details, dict):
        for k, v in details.items():
            key = clean(k).rstrip(":").strip()
            value = clean(v).rstrip("(").strip()  # "1.8 pounds (" : the scrape cut "(View shipping rates)"
            if key and key.upper() != "ASIN" and value:
                attrs[key] = value
    main_cat = rec.get("main_cat")
    if isinstance(main_cat, str) and main_cat.strip():
        alt = _IMG_ALT.search(main_cat)
        attrs["main_cat"] = clean(alt.group(1)) if alt else clean(main_cat)
    if rec.get("rank"):
        attrs["rank"] = _rank(rec["rank"])
    sales = rec.get("salesRank")
    if isinstance(sales, dict) and sales:
        attrs["rank"] = [f"{n:,} in {cat}" if isinstance(n, int) else f"{n} in {cat}" for cat, n in sales.items()]
    for key in ("fit", "tech1", "tech2"):
        value = rec.get(key)
        if isinstance(value, str) and value.strip():
            pairs = _html_pairs(value)
            if pairs:
                attrs.update({k: v for k, v in pairs.items() if k and v})
            elif "<" not in value:
                attrs[key] = clean(value)
    if clean(rec.get("date")):
        attrs["date"] = clean(rec["date"])
    cats = rec.get("categories")
    if isinstance(cats, list) and cats and all(isinstance(c, list) for c in cats):
        attrs["categories"] = [" > ".join(_path(c)) for c in cats if _path(c)]
    return {k: v for k, v in attrs.items() if v}


def _description(v) -> str | None:
    parts = v if isinstance(v, list) else [v]
    text = "\n".join(clean(p) for p in parts if clean(p))
    return text or None


def items_frame(records: list[dict], lines: list[int], name: str, notes: list[str]) -> pd.DataFrame:
    rows = []
    kinds = {"range": [], "other": []}
    for rec in records:
        price, kind = parse_price(rec.get("price"))
        attrs = attributes(rec)
        if kind == "range":
            attrs["price_range"] = clean(rec["price"])
        if kind in kinds:
            kinds[kind].append(clean(rec.get("price")))
        cats = rec.get("categories")
        category = _path(rec.get("category")) if "category" in rec else \
            (_path(cats[0]) if isinstance(cats, list) and cats and isinstance(cats[0], list) else [])
        rows.append({"item_id": rec.get("asin"), "title": clean(rec.get("title")) or None,
                     "brand": clean(rec.get("brand")) or None, "price": price, "category": category,
                     "description": _description(rec.get("description")), "attributes": attrs, "language": "en"})
    if kinds["range"]:
        notes.append(f"{name}: {len(kinds['range'])} price fields are ranges (e.g. {kinds['range'][0]!r}); price left "
                     f"empty, the text kept as attributes.price_range")
    if kinds["other"]:
        notes.append(f"{name}: {len(kinds['other'])} price fields hold no price (e.g. {kinds['other'][0][:40]!r}); "
                     f"price left empty")
    present = {k for r in records for k in r}
    notes += [f"{name}: ignored field {k} ({why})" for k, why in IGNORED.items() if k in present]
    notes += [f"{name}: ignored field {k} (not mapped)" for k in sorted(present - MAPPED - IGNORED.keys())]
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in COLUMNS})
    frame[FILE], frame[LINE] = name, lines
    return frame
