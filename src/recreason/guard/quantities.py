"""Numbers, units and model codes in Chinese and English text, and when one supports another.

What is read (the rules ``recreason.guard.grounding`` applies to every reason):

* Digit numbers, with thousands separators ("5,000"), decimals ("0.9"), a currency before them
  ("$25", "¥4999", "US$", "RMB"), a multiplier after them ("5000万", "1.2亿", "3 million", "4K")
  and a unit after them, glued, spaced or hyphenated ("5000mAh", "5,000 mAh", "6.7-inch", "6.7英寸",
  "25g", "120Hz", "50%", "5000万像素"). Ordinal endings are dropped ("8th" is 8).
* Chinese numerals of two or more characters that hold a magnitude (十 百 千 万 亿): "两千毫安" is
  2000 mAh, "五千万像素" 5e7 pixels. Idioms are skipped (十分, 千万, 万一, 万万, 亿万), and the
  colloquial "一万二" reads as 10002 (not 12000). Single numeral characters ("一款", "三年") are
  counting words, like English number words ("one", "two", "a dozen"), which are never read.
* Model codes: letters glued to digits ("S24", "RTX4090", "COVID-19", "3D") are kept whole.

Units are canonical names with a dimension and a factor to the dimension's base (kg = 1000 g,
英寸 = inch = 25.4 mm, 万像素 = 1e4 pixels, MP = 1e6 pixels); synonyms map to one name
(kg/公斤/千克, 元/块/¥/RMB). "g"/"G" is ambiguous (grams in "25g", gigabytes in Chinese "8G内存"), so
it may be either.

``supports(claim, fact)``: same canonical unit and equal value (0.9 kg vs 0.9 kg); or the same
dimension through conversion within 2 % ("2 lb" vs "0.9 kg"; "50MP" vs "5000万像素"); or one of them
has no unit and the numbers are equal, as written or after the multiplier ("5000" vs "5000mAh",
"$25" vs a price of 25). Codes are matched by their letters and digits, case-insensitively.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from recreason.text import has_han

# canonical unit -> [(dimension, factor to the dimension's base)]
_UNITS: dict[str, list[tuple[str, float]]] = {
    "kg": [("mass", 1000.0)], "g": [("mass", 1.0), ("data", 1e9)], "mg": [("mass", 1e-3)],
    "lb": [("mass", 453.592)], "oz": [("mass", 28.3495)], "斤": [("mass", 500.0)],
    "mm": [("length", 1.0)], "cm": [("length", 10.0)], "m": [("length", 1000.0)], "km": [("length", 1e6)],
    "inch": [("length", 25.4)], "ft": [("length", 304.8)], "mile": [("length", 1.609344e6)],
    "mah": [("charge", 1.0)], "wh": [("energy", 1.0)],
    "hz": [("frequency", 1.0)], "khz": [("frequency", 1e3)], "mhz": [("frequency", 1e6)],
    "ghz": [("frequency", 1e9)],
    "kb": [("data", 1e3)], "mb": [("data", 1e6)], "gb": [("data", 1e9)], "tb": [("data", 1e12)],
    "px": [("pixels", 1.0)], "mp": [("pixels", 1e6)],
    "w": [("power", 1.0)], "kw": [("power", 1e3)], "v": [("voltage", 1.0)],
    "ml": [("volume", 1.0)], "l": [("volume", 1000.0)],
    "usd": [("usd", 1.0)], "cny": [("cny", 1.0)], "eur": [("eur", 1.0)], "gbp": [("gbp", 1.0)],
    "s": [("time", 1.0)], "min": [("time", 60.0)], "h": [("time", 3600.0)], "day": [("time", 86400.0)],
    "week": [("time", 604800.0)], "month": [("time", 2.592e6)], "year": [("time", 3.1536e7)],
    "%": [("percent", 1.0)], "star": [("rating", 1.0)], "x": [("times", 1.0)], "°c": [("celsius", 1.0)],
}
# written form (lower case) -> canonical unit. Latin forms must end at a word boundary.
_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "公斤", "千克"], "kg"),
    **dict.fromkeys(["g", "gram", "grams", "gramme", "grammes", "克"], "g"),
    **dict.fromkeys(["mg", "毫克"], "mg"),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds"], "lb"),
    **dict.fromkeys(["oz", "ounce", "ounces"], "oz"),
    "斤": "斤",
    **dict.fromkeys(["mm", "毫米"], "mm"),
    **dict.fromkeys(["cm", "厘米", "公分"], "cm"),
    **dict.fromkeys(["m", "meter", "meters", "metre", "metres", "米"], "m"),
    **dict.fromkeys(["km", "kilometer", "kilometers", "kilometre", "kilometres", "公里", "千米"], "km"),
    **dict.fromkeys(["inch", "inches", '"', "″", "英寸", "寸"], "inch"),
    **dict.fromkeys(["ft", "feet", "foot"], "ft"),
    **dict.fromkeys(["mile", "miles"], "mile"),
    **dict.fromkeys(["mah", "毫安", "毫安时"], "mah"),
    "wh": "wh",
    **dict.fromkeys(["hz", "赫兹"], "hz"), "khz": "khz", "mhz": "mhz", "ghz": "ghz",
    "kb": "kb", "mb": "mb", "gb": "gb", "tb": "tb",
    **dict.fromkeys(["px", "pixel", "pixels", "像素"], "px"),
    **dict.fromkeys(["mp", "megapixel", "megapixels", "百万像素"], "mp"),
    **dict.fromkeys(["w", "watt", "watts", "瓦"], "w"), "kw": "kw",
    **dict.fromkeys(["v", "volt", "volts", "伏"], "v"),
    **dict.fromkeys(["ml", "毫升"], "ml"),
    **dict.fromkeys(["l", "liter", "liters", "litre", "litres", "升"], "l"),
    **dict.fromkeys(["usd", "dollar", "dollars", "bucks", "美元"], "usd"),
    **dict.fromkeys(["cny", "rmb", "yuan", "元", "块", "块钱"], "cny"),
    **dict.fromkeys(["eur", "euro", "euros", "欧元"], "eur"),
    **dict.fromkeys(["gbp", "英镑"], "gbp"),
    **dict.fromkeys(["sec", "secs", "second", "seconds", "秒", "秒钟"], "s"),
    **dict.fromkeys(["min", "mins", "minute", "minutes", "分钟"], "min"),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours", "小时", "个小时"], "h"),
    **dict.fromkeys(["day", "days", "天"], "day"),
    **dict.fromkeys(["week", "weeks", "周", "星期"], "week"),
    **dict.fromkeys(["month", "months", "个月"], "month"),
    **dict.fromkeys(["year", "years", "yr", "yrs", "年"], "year"),
    **dict.fromkeys(["%", "％", "percent", "per cent"], "%"),
    **dict.fromkeys(["star", "stars", "星"], "star"),
    **dict.fromkeys(["x", "倍"], "x"),
    **dict.fromkeys(["°c", "℃"], "°c"),
}
_CURRENCY = {"$": "usd", "us$": "usd", "¥": "cny", "￥": "cny", "rmb": "cny", "€": "eur", "£": "gbp"}
_MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_ORDINAL = ("st", "nd", "rd", "th")

_unit_alt = "|".join(re.escape(u) for u in sorted(_SYNONYMS, key=len, reverse=True))
_mult_alt = "|".join(re.escape(m) for m in sorted(_MULTIPLIERS, key=len, reverse=True))
_NUMBER = re.compile(
    r"(?=[0-9$¥￥€£UR])(?P<cur>(?:US\$|\$|¥|￥|€|£|RMB) ?)?"
    r"(?<![A-Za-z0-9.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:[ \u00a0]?(?P<mult>{_mult_alt})(?![a-z]))?"
    rf"(?:[ \u00a0-]?(?P<unit>{_unit_alt}))?",
    re.IGNORECASE,
)
_CODE_LETTERS = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+-?\d+[A-Za-z0-9]*(?![A-Za-z0-9])")
_CODE_DIGITS = re.compile(r"(?<![A-Za-z0-9])\d+[A-Za-z]+[A-Za-z0-9]*(?![A-Za-z0-9])")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 1e4, "亿": 1e8}
_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]{2,}")
_CN_IDIOMS = ("十分", "千万", "万一", "万万", "亿万", "千千万万", "万千", "一一", "三三两两", "十全十美")
_CN_UNIT = re.compile("|".join(re.escape(u) for u in sorted(
    (u for u in _SYNONYMS if has_han(u)), key=len, reverse=True)))
_TOKENS = re.compile(r"[a-z0-9]+")
_ANY_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千万亿]")


@dataclass(frozen=True)
class Quantity:
    """One number as written (``span``), its value after multipliers, and its canonical unit.

    ``raw`` is the number before any multiplier ("5000万" has raw 5000, value 5e7); ``code`` is the
    normalised form of a model code ("s24"), else None.
    """

    span: str
    value: float
    raw: float
    unit: str | None = None
    code: str | None = None
    start: int = 0


def _unit_after(text: str, end: int, written: str | None) -> tuple[str | None, int]:
    """Canonical unit for the matched unit text, checking a Latin unit ends at a word boundary."""
    if not written:
        return None, end
    key = written.lower()
    if key[-1].isascii() and key[-1].isalpha() and end < len(text) and text[end].isascii() and text[end].isalnum():
        return None, end - len(written)  # "5 great": the "g" is not a unit
    return _SYNONYMS.get(key), end


def parse_cn_numeral(s: str) -> float | None:
    """Value of a Chinese numeral ("两千" 2000, "五千万" 5e7, "三十" 30); None when malformed."""
    total, section, digit = 0.0, 0.0, None
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None  # "一二" is not a numeral
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif ch in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[ch] if total and _CN_BIG[ch] > 1e4 else total + section * _CN_BIG[ch]
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0)


def find_quantities(text: str) -> list[Quantity]:
    """Every number, Chinese numeral and model code in ``text``, in reading order."""
    if not _ANY_NUMBER.search(text):
        return []
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e and s < end for s, e in taken)

    def add_code(m: re.Match) -> None:
        code = " ".join(_TOKENS.findall(m.group(0).lower()))
        out.append(Quantity(m.group(0), math.nan, math.nan, None, code, m.start()))
        taken.append(m.span())

    for m in _CODE_LETTERS.finditer(text):  # "S24", "COVID-19": letters first, the digits are no number
        add_code(m)
    for m in _NUMBER.finditer(text):
        if not free(m.start("num"), m.end("num")):
            continue
        raw = float(m.group("num").replace(",", ""))
        mult_word = (m.group("mult") or "").lower()
        unit, end = _unit_after(text, m.end(), m.group("unit"))
        if unit is None and m.group("unit"):
            end = m.end("mult") if mult_word else m.end("num")
        value = raw * _MULTIPLIERS.get(mult_word, 1.0)
        cur = (m.group("cur") or "").strip().lower()
        if cur:
            unit = _CURRENCY.get(cur, unit)
        start = m.start("cur") if cur else m.start("num")
        tail = text[end:end + 2].lower()
        if unit is None and tail in _ORDINAL and not text[end + 2:end + 3].isalpha():
            end += 2
        elif unit is None and end < len(text) and text[end].isascii() and text[end].isalpha():
            continue  # digits glued to letters that are no unit: a code ("3D", "4WD"), read below
        out.append(Quantity(text[start:end].strip(), value, raw, unit, None, start))
        taken.append((start, end))
    for m in _CODE_DIGITS.finditer(text):
        if free(*m.span()):
            add_code(m)
    for m in _CN_NUMERAL.finditer(text) if has_han(text) else ():
        s = m.group(0)
        if not any(c in "十百千万亿" for c in s) or s in _CN_IDIOMS or not free(*m.span()):
            continue
        value = parse_cn_numeral(s)
        if value is None:
            continue
        u = _CN_UNIT.match(text, m.end())
        unit = _SYNONYMS[u.group(0)] if u else None
        end = u.end() if u else m.end()
        out.append(Quantity(text[m.start():end], value, value, unit, None, m.start()))
    out.sort(key=lambda q: q.start)
    return out


def _close(a: float, b: float, rel: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def supports(claim: Quantity, fact: Quantity) -> bool:
    """True when ``fact`` (from the item's data) states the number ``claim`` makes (module docstring)."""
    if claim.code is not None or fact.code is not None:
        return claim.code is not None and claim.code == fact.code
    if claim.unit is None or fact.unit is None:
        return (_close(claim.value, fact.value, 1e-9) or _close(claim.raw, fact.raw, 1e-9)
                or _close(claim.raw, fact.value, 1e-9) or _close(claim.value, fact.raw, 1e-9))
    if claim.unit == fact.unit:
        return _close(claim.value, fact.value, 1e-9)
    for dim_a, fac_a in _UNITS[claim.unit]:
        for dim_b, fac_b in _UNITS[fact.unit]:
            if dim_a == dim_b and _close(claim.value * fac_a, fact.value * fac_b, 0.02):
                return True
    return False


def same_dimension(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities measure the same thing (for explaining a mismatch)."""
    if a.unit is None or b.unit is None:
        return False
    return bool({d for d, _ in _UNITS[a.unit]} & {d for d, _ in _UNITS[b.unit]})
