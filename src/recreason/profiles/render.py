"""Short profile summaries in the data's language, e.g. "喜欢购买手机、耳机；关注续航、屏幕"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from recreason.data.schema import LABEL_KEYS, is_bookkeeping, taste_order
from recreason.text import Language, language

if TYPE_CHECKING:
    from recreason.profiles.models import ItemProfile, UserProfile

BANDS = {"zh": {"budget": "平价", "mid": "中端", "premium": "高端"},
         "en": {"budget": "budget", "mid": "mid-range", "premium": "premium"}}
#: the words of a summary, per language code; a key's text comes right before its list
WORDS = {
    "zh": {"likes": "常买", "cares": "关注", "dislikes": "不满", "brands": "偏好品牌", "band": "多买{band}价位",
           "no_data": "暂无行为数据", "category": "（{category}）", "brand": "品牌", "price": "价格",
           "praised": "好评：", "panned": "差评："},
    "en": {"likes": "likes ", "cares": "cares about ", "dislikes": "dislikes poor ", "brands": "prefers ",
           "band": "mostly buys {band} items", "no_data": "no behaviour yet", "category": " ({category})",
           "brand": "brand", "price": "price", "praised": "praised for ", "panned": "criticised for "},
}


def render_user(p: UserProfile, lang: str, dislikes: bool = True) -> str:
    """The user's summary; ``dislikes=False`` leaves out what the user panned (a prompt: a reason speaks for the
    item and the user, and a small model given "dislikes poor battery" writes "not for you")."""
    lang = language(lang)
    w = WORDS[lang]
    parts: list[str] = []
    if p.interests:
        parts.append(lang.join(p.interests[:3]))
    cats = [c.name for c in p.categories[:3]]
    if cats:
        parts.append(w["likes"] + lang.join(cats))
    liked = [a.feature for a in p.aspects if a.sentiment >= 0][:3]
    if liked:
        parts.append(w["cares"] + lang.join(liked))
    disliked = [a.feature for a in p.aspects if a.sentiment < 0][:2] if dislikes else []
    if disliked:
        parts.append(w["dislikes"] + lang.join(disliked))
    brands = [a.value for a in p.attributes if a.key == "brand"][:2]
    if brands:
        parts.append(w["brands"] + lang.join(brands))
    if p.price_band:
        parts.append(w["band"].format(band=BANDS[lang][p.price_band]))
    if not parts and p.profile_text:
        parts.append(p.profile_text[:120])
    if not parts:
        return w["no_data"]
    return lang.capitalize(lang.join_clauses(parts))


def _value(v: str | list[str], lang: Language, limit: int = 30) -> str:
    """A value as a summary shows it: up to three list entries, cut to ``limit`` characters at a word
    boundary where the language writes words apart ("Give the gift of good taste…", never "…taste w…")."""
    text = lang.join(v[:3]) if isinstance(v, list) else v
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if lang.spaced and " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:，；、") + "…"


def _attributes(p: ItemProfile, lang: Language, n: int = 6) -> list[str]:
    """The item's attributes as "key: value", taste first (brand, style, material, genre …; ``taste_order``),
    selling points as their value alone ("feature: …" reads as "…"), bookkeeping (shipping weight, sales rank,
    model numbers, "main_cat") left out."""
    keys = sorted((k for k in p.attributes if not is_bookkeeping(k) and len(k) <= 20), key=taste_order)
    out = []
    for k in keys[:n]:
        v = p.attributes[k]
        if k.strip().lower() in LABEL_KEYS:
            out.append(_value(v[:2] if isinstance(v, list) else v, lang, limit=90))
        else:
            out.append(lang.label(k, _value(v, lang)))
    return out


def render_item(p: ItemProfile, lang: str, panned: bool = True) -> str:
    """The item's summary; ``panned=False`` leaves out what its reviews criticise (a prompt: given "差评：早餐",
    a small model writes "但早餐价格偏高，不适合你")."""
    lang = language(lang)
    w = WORDS[lang]
    head = p.title or p.item_id
    if p.category:
        head += w["category"].format(category=p.category[-1])
    parts = [head]
    attrs = _attributes(p, lang)
    if p.brand and not any(k.strip().lower() in ("brand", "品牌") for k in p.attributes):
        attrs.insert(0, lang.label(w["brand"], p.brand))
    if p.price is not None:
        attrs.append(lang.label(w["price"], f"{p.price:g}"))
    if attrs:
        parts.append(lang.join(attrs))
    praised = [a.feature for a in p.aspects if a.sentiment > 0][:3]
    if praised:
        parts.append(w["praised"] + lang.join(praised))
    criticised = [a.feature for a in p.aspects if a.sentiment < 0][:2] if panned else []
    if criticised:
        parts.append(w["panned"] + lang.join(criticised))
    if len(parts) == 1 and p.description:
        parts.append(_value(p.description, lang, limit=160))
    return lang.join_clauses(parts)
