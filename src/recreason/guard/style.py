"""What readers reject besides false facts: a reason against the item, a broken reason, a field dump.

``stance_problems(text, item, lang)``
    A reason argues for the item. It may not judge one of the item's aspects negatively ("but the service is
    poor", 但个头不够 — ``recreason.aspects.extract``, the miner that reads reviews) nor tell the user the item
    does not suit them ("不适合经常购买水果的你", "may not be for you", "you may want to avoid ...").
``degeneration_problems(text, lang)``
    Repetition loops ("很很很很", "这款笔记本续航，这款笔记本续航，续航，续航"), a text with next to no words, a
    refusal ("There's no item that matches", "抱歉"), an echo of the prompt ("Item:", "理由：").
``fluency_problems(text, item, lang)``
    Prose that pastes the data: raw attribute keys ("main_cat", "rank": ``raw_key``, which the guard
    rejects), and, clumsy but shown (``field_dump``, ``clumsy``: the judge marks them), "key value" pairs straight from
    the item's table ("with department Tops and class Knits", "feature No returns and no refunds on gift
    cards", 颜色黑色、类型裤, 品类酒店), ``key: value`` labels inside the sentence ("(battery: 5000mAh)"), a
    word cut off by an ellipsis.

Each returns a list of problems, "kind: 'span' (why)", empty when the reason is fine.
"""

from __future__ import annotations

import re

from recreason.aspects import extract
from recreason.data.schema import is_bookkeeping
from recreason.profiles.models import ItemProfile
from recreason.text import EN, Language, has_han

ZH_AGAINST = re.compile(r"不(?:太|很|是很)?(?:适合|推荐|建议|值得|划算|合适)|别买|慎买|不要买|不宜|失望|踩雷|后悔|差评|缺点是|美中不足|"
                        r"不足之处|不尽如人意|一般般")
EN_AGAINST = re.compile(
    r"\b(?:(?:is|are|may|might|would|will) not (?:be )?(?:suit(?:able|ed)?|for you|recommended|worth|a good fit|ideal)|"
    r"(?:isn't|aren't|wasn't|won't|wouldn't|doesn't|don't) (?:be )?(?:suit|suitable|recommend|for you|worth|fit)|"
    r"not (?:suitable|recommended|worth)|(?:want|need) to avoid|avoid (?:it|this)|not for (?:you|everyone)|"
    r"(?:you|they) (?:may|might) (?:not )?(?:be disappointed|regret)|despite (?:the |its |some |a |being )?\w+|"
    r"(?:is|are|was|were|been) critici[sz]ed|not as good as|(?:a|the) (?:downside|drawback)|complain\w*)\b",
    re.IGNORECASE)
#: the part of stance that is also a claim about the user no data can hold ("不适合你", "not for you")
ZH_NOT_FOR_YOU = re.compile(r"不(?:太|很|是很)?(?:适合|推荐|建议|值得|合适)|别买|慎买|不要买|不宜")
EN_NOT_FOR_YOU = re.compile(
    r"\b(?:(?:is|are|may|might|would|will) not (?:be )?(?:suit(?:able|ed)?|for you|recommended|worth|a good fit|ideal)|"
    r"(?:isn't|aren't|wasn't|won't|wouldn't|doesn't|don't) (?:be )?(?:suit|suitable|recommend|for you|worth|fit)|"
    r"not (?:suitable|recommended|worth)|(?:want|need) to avoid|avoid (?:it|this)|not for (?:you|everyone))\b",
    re.IGNORECASE)
REFUSAL = re.compile(
    r"there(?:'s| is) no (?:item|product|information|data)|i(?:'m| am) (?:sorry|not able|unable)|as an ai|"
    r"cannot (?:provide|recommend|determine)|no information (?:is|was) (?:given|provided)|does not match|"
    r"抱歉|无法(?:提供|推荐|判断)|没有(?:相关)?(?:信息|数据)|不匹配", re.IGNORECASE)
#: a phrase pasted where a noun phrase belongs: "because it offers seek a positive ... environment", "for its
#: willing to pay for a membership" (an item slot filled with a verb or a clause of the profile)
BROKEN_EN = re.compile(r"\b(?:it offers|it brings|for its|because of its|it has|with its)\s+(?:"
                       + "|".join(sorted(EN.not_noun_starts)) + r")\b", re.IGNORECASE)
PROMPT_ECHO = re.compile(r"(?:^|\n|\s)(?:user|item|reason|attributes|profile|interests|用户|商品|理由|属性)\s*[:：]",
                         re.IGNORECASE)
#: "衣服（衣服）", "Laptops (Laptops)": a name and its category in brackets, the head of the prompt's item line
TITLE_ECHO = re.compile(r"(\w{1,20})\s*[（(]\1[)）]")
#: the syntax of a profile summary as a prompt shows it (``recreason.profiles.render``): "praised for …",
#: "好评：…", "brand: X", a value cut with "…" and then more text. Copied into a reason: a field dump, no sentence.
SUMMARY_ECHO = re.compile(r"\b(?:praised|criticised) for\b|(?:好评|差评|偏好品牌)[:：]|…\s*[,，;；]|"
                          r"\bmostly buys (?:budget|mid-range|premium) items\b|"
                          r"(?:^|[\s,，;；(（])(?:brand|price|feature|品牌|价格)\s*[:：]\s*\S", re.IGNORECASE)


def stance_problems(text: str, item: ItemProfile, lang: Language) -> list[str]:
    out = []
    named = text.replace(item.title, "它") if item.title else text  # the item's own name is no judgement
    own = " ".join(x for x in (item.title, item.description, *map(str, item.attributes.values())) if x).lower()
    for a in extract(named):
        if a.sentiment < 0 and not (a.feature.lower() in own and a.opinion.lower() in own):
            # ("Cold War", "a slow burn", "dark romance" are the item's own description, no judgement of ours)
            out.append(f"against: '{a.feature} {a.opinion}' (a reason speaks for the item, not against it)")
    for m in (EN_AGAINST if lang.spaced else ZH_AGAINST).finditer(named):
        out.append(f"against: '{m.group(0)}' (a reason never tells the user the item does not suit them)")
    if not lang.spaced:  # an English clause inside a Chinese reason, and the other way round
        out += [f"against: '{m.group(0)}' (a reason never tells the user the item does not suit them)"
                for m in EN_AGAINST.finditer(named)]
    return out


def _tokens(text: str, lang: Language) -> list[str]:
    if lang.spaced:
        return re.findall(r"[\w'’-]+", text.lower())
    return [ch for ch in text if not ch.isspace() and ch not in "，,。.！!？?；;：:、“”\"'（）()"]


def degeneration_problems(text: str, lang: Language, title: str | None = None) -> list[str]:
    """Loops, echoes of the prompt, refusals, next to no words. ``title``: the item's name, which is read as one
    word ("Santa Tin (Ho! Ho! Ho! Card Design)" is a name, not a loop)."""
    t = text.strip()
    if title and len(title) >= 4 and title in t:
        t = t.replace(title, "它" if not lang.spaced else "it")  # no label word ("Item:" reads as a prompt echo)
    toks = _tokens(t, lang)
    minimum = 3 if lang.spaced else 5
    if len(toks) < minimum:
        return [f"degenerate: '{t}' (too short to say anything: {len(toks)} {'words' if lang.spaced else 'characters'})"]
    out = []
    run = re.search(r"(.)\1{3,}" if not lang.spaced else r"\b(\w+)(?:\W+\1\b){2,}", t, re.IGNORECASE)
    if run:
        out.append(f"degenerate: '{run.group(0)[:20]}' (a repetition loop)")
    else:
        for n in (2, 3, 4, 5, 6):
            grams = [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)]
            if not grams:
                break
            top = max(set(grams), key=grams.count)
            if grams.count(top) >= 3 and grams.count(top) * n >= 0.4 * len(toks):
                joined = (" " if lang.spaced else "").join(top)
                out.append(f"degenerate: '{joined}' repeated {grams.count(top)} times (a repetition loop)")
                break
        clauses = [c.strip() for c in re.split(r"[，,。.！!？?；;]", t) if c.strip()]
        long_enough = [c for c in clauses if len(_tokens(c, lang)) >= (2 if lang.spaced else 4)]
        if not out and len(set(long_enough)) < len(long_enough):
            twice = next(c for c in long_enough if long_enough.count(c) > 1)
            out.append(f"degenerate: '{twice}' (the same clause twice)")
    if t.count("(") + t.count("（") > t.count(")") + t.count("）") and not re.search(r"[.!?。！？]$", t):
        out.append("degenerate: an open bracket and no end (a fragment)")
    if len(re.findall(r"(?:^|[\s,，;；(（])(?:main_cat|rank|price|asin|feature|details|category)\s*[:：]", t, re.IGNORECASE)) >= 2:
        out.append("degenerate: 'key: value' pairs of the item's data (an echo of the prompt)")
    if m := REFUSAL.search(t):
        out.append(f"degenerate: '{m.group(0)}' (a refusal, not a reason)")
    if lang.spaced and (m := BROKEN_EN.search(t)):
        out.append(f"degenerate: '{m.group(0)}' (broken grammar: a pasted phrase where a noun belongs)")
    if m := PROMPT_ECHO.search(t) or SUMMARY_ECHO.search(t):
        out.append(f"degenerate: '{m.group(0).strip()}' (an echo of the prompt)")
    return out


def _said_twice(text: str, lang: Language) -> str | None:
    """A run of 5 words (English) or 7 characters (Chinese, punctuation aside) that comes twice: "你常买水果、
    洗发水，……，所以你常买水果、洗发水". Shorter runs recur in good reasons ("的你", "for your")."""
    if lang.spaced:
        units = [w.lower() for w in re.findall(r"[\w'-]+", text)]
        n, sep = 5, " "
    else:
        units = [c for c in text if not re.match(r"[\s，,。.！!？?；;、：:（）()]", c)]
        n, sep = 7, ""
    seen: dict[tuple, int] = {}
    for i in range(len(units) - n + 1):
        gram = tuple(units[i:i + n])
        if gram in seen and i - seen[gram] >= n:
            return sep.join(gram)
        seen.setdefault(gram, i)
    return None


def _values(value) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v).strip()]


def fluency_problems(text: str, item: ItemProfile, lang: Language) -> list[str]:
    out = []
    low = text.lower()
    title = (item.title or "").lower()
    for key, value in item.attributes.items():
        k = key.lower().strip()
        if not k or k in title:
            continue
        if is_bookkeeping(k):
            if re.search(rf"(?<![\w]){re.escape(k)}(?![\w])", low):
                out.append(f"raw_key: '{key}' (a raw attribute key in prose)")
            continue
        for v in _values(value):
            vl = v.lower().strip().rstrip(".")
            if not vl or vl in k:
                continue
            sep = r"\s*" if has_han(k) else r"\s+"
            if re.search(rf"(?<![\w]){re.escape(k)}{sep}{re.escape(vl[:40])}", low):
                out.append(f"field_dump: '{key} {v[:40]}' (the item's table pasted as prose)")
                break
            if re.search(rf"[(（]\s*{re.escape(k)}\s*[:：]", low):
                out.append(f"field_dump: '({key}:' (a label from the item's data inside the sentence)")
                break
    for cat in item.category:
        c = cat.lower().strip()
        if len(c) >= 2 and re.search(rf"(?:品类|category|main_cat)\s*[:：]?\s*{re.escape(c)}", low):
            out.append(f"field_dump: '{cat}' (the category pasted with its key)")
    if re.search(r"\w…\s*[,，]|\w\.\.\.\s*,", text):
        out.append("clumsy: '…' (a cut-off word inside the sentence)")
    if m := re.search(r"\w[.!]\s+(?:and|with|a fit|matches|suits|or)\b", text):
        out.append(f"clumsy: '{m.group(0)}' (a sentence of the data pasted inside the reason)")
    if m := re.search(r"(?<=\s)[A-Z][a-z]+(?: [A-Z]?[a-z]+)?:\s+[A-Z]", text):
        out.append(f"clumsy: '{m.group(0)}' (a label of the data inside the sentence)")
    keys = [k for k in item.attributes if len(k) >= 4 and not is_bookkeeping(k) and k.lower() not in title]
    named = [k for k in keys if re.search(rf"(?<![\w]){re.escape(k.lower())}(?![\w])", low)]
    if len(named) >= 2:
        out.append(f"clumsy: names the data's fields ({', '.join(named)}) as if they were facts")
    if m := TITLE_ECHO.search(text):
        out.append(f"clumsy: '{m.group(0)}' (a name and its category as the prompt writes them)")
    if twice := _said_twice(text, lang):
        out.append(f"clumsy: '{twice}' (the same words twice)")
    return list(dict.fromkeys(out))
