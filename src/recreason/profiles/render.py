"""Short profile summaries in the data's language, e.g. "喜欢购买手机、耳机；关注续航、屏幕"."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recreason.profiles.models import ItemProfile, UserProfile

BANDS = {"zh": {"budget": "平价", "mid": "中端", "premium": "高端"},
         "en": {"budget": "budget", "mid": "mid-range", "premium": "premium"}}


def _join(words: list[str], lang: str) -> str:
    return "、".join(words) if lang == "zh" else ", ".join(words)


def render_user(p: UserProfile, lang: str) -> str:
    zh = lang == "zh"
    parts: list[str] = []
    if p.interests:
        parts.append(_join(p.interests[:3], lang))
    cats = [c.name for c in p.categories[:3]]
    if cats:
        parts.append(("常买" if zh else "likes ") + _join(cats, lang))
    liked = [a.feature for a in p.aspects if a.sentiment >= 0][:3]
    if liked:
        parts.append(("关注" if zh else "cares about ") + _join(liked, lang))
    disliked = [a.feature for a in p.aspects if a.sentiment < 0][:2]
    if disliked:
        parts.append(("不满" if zh else "dislikes poor ") + _join(disliked, lang))
    brands = [a.value for a in p.attributes if a.key == "brand"][:2]
    if brands:
        parts.append(("偏好品牌" if zh else "prefers ") + _join(brands, lang))
    if p.price_band:
        band = BANDS["zh" if zh else "en"][p.price_band]
        parts.append(f"多买{band}价位" if zh else f"mostly buys {band} items")
    if not parts and p.profile_text:
        parts.append(p.profile_text[:120])
    if not parts:
        return "暂无行为数据" if zh else "no behaviour yet"
    text = "；".join(parts) if zh else "; ".join(parts)
    return text if zh else text[0].upper() + text[1:]


def _value(v: str | list[str], lang: str, limit: int = 30) -> str:
    text = _join(v[:3], lang) if isinstance(v, list) else v
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_item(p: ItemProfile, lang: str) -> str:
    zh = lang == "zh"
    head = p.title or p.item_id
    if p.category:
        head += f"（{p.category[-1]}）" if zh else f" ({p.category[-1]})"
    parts = [head]
    short = [(k, v) for k, v in p.attributes.items() if len(k) <= 20][:5]
    attrs = [f"{k}{'：' if zh else ': '}{_value(v, lang)}" for k, v in short]
    if p.brand:
        attrs.insert(0, f"品牌：{p.brand}" if zh else f"brand: {p.brand}")
    if p.price is not None:
        attrs.append(f"价格：{p.price:g}" if zh else f"price: {p.price:g}")
    if attrs:
        parts.append(_join(attrs, lang))
    praised = [a.feature for a in p.aspects if a.sentiment > 0][:3]
    if praised:
        parts.append(("好评：" if zh else "praised for ") + _join(praised, lang))
    panned = [a.feature for a in p.aspects if a.sentiment < 0][:2]
    if panned:
        parts.append(("差评：" if zh else "criticised for ") + _join(panned, lang))
    if len(parts) == 1 and p.description:
        parts.append(_value(p.description, lang, limit=160))
    return "；".join(parts) if zh else "; ".join(parts)
