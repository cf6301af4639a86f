"""Personal data in free text (zh and en), found by hand-written patterns and masked with a token.

``mask(text)`` returns the text with every span found replaced by its kind's token, and a ``Counter`` of
the kinds replaced; ``find(text)`` returns the spans. The tokens are lower-case ASCII in square brackets,
the same in both languages (a Chinese sentence reads "请联系[phone]", an English one "call me at [phone]"):

============  ============  ==========================================================================
kind          token         what is masked
============  ============  ==========================================================================
``email``     ``[email]``   ``name@example.com``, ``123456@qq.com`` (full-width ``＠`` too)
``phone``     ``[phone]``   Chinese mobiles ``13800138000`` / ``138 0013 8000`` / ``+86-138-0013-8000``;
                            Chinese landlines with an area code ``010-12345678``, ``(0755)1234567``;
                            North American ``(415) 555-0134``, ``415-555-0134``, ``415.555.0134``,
                            ``1-800-555-0199``; UK ``020 7946 0958``, ``07700 900123``; any number
                            with a ``+`` country code and 8-15 digits (``+44 20 7946 0958``); and any
                            7-15 digit number right after a phone word (电话, 手机, 联系方式, 热线,
                            tel, phone, call, text, fax, WhatsApp ...)
``id_card``   ``[id]``      Chinese resident ID numbers: 18 digits (the last may be X) with a valid
                            province code, birth date and ISO 7064 MOD 11-2 check digit; the old 15-digit
                            form only with a province code and a valid YYMMDD birth date in place
``bank_card`` ``[card]``    13-19 digits, bare or in groups split by one space or dash, whose length
                            fits the first digit (13: Visa ``4``; 14: ``3``; 15: Amex ``34``/``37``;
                            16-19: ``2``-``6``, UnionPay ``62``) and that pass the Luhn check
``address``   ``[address]`` zh: a road, street or lane with a house number (``建国路88号``, ``XX街道5号院``,
                            ``长乐路123弄4号``), with the province/city/district before it
                            (``北京市朝阳区建国路88号``) and the building, unit and room after it; an
                            estate with a building number (``XX小区3栋2单元501``); a bare
                            building + unit (``3栋2单元501``). en: a house number, one to three
                            capitalised name words and a street suffix (``123 Main Street``,
                            ``42 Baker St, Apt 5B``, ``350 W 34th St``); ``PO Box 123``
============  ============  ==========================================================================

Deliberately **not** masked, because product reviews are full of look-alikes and a masked review loses
what it says: product model numbers and ids (``B00ABC1234``, ``SM-G991B``, ISBNs: a number touching a
letter, ``-``, ``/``, ``.``, ``#``, ``$`` or ``=`` is never a candidate), prices (``$1,299.99``,
``¥3999``), sizes (``36B``, ``5'4"``, ``32DD``), years, ranks (``#1,935``), dimensions
(``12 x 8 x 3 inches``), weights, dates, order counts, 11-digit numbers that are not a mobile number,
18-digit numbers whose check digit is wrong, card-length numbers that fail Luhn or start with a digit no
card uses (ISBN-13 ``978...``, millisecond timestamps ``15...``); street words without a house number
("on Main St. in my town", "size 12 street shoes", "walked 3 blocks down the street": English name words
must be capitalised); city or district names alone (北京市朝阳区: not personal); Chinese dates like
"3号到货" (a 号 number counts only after a road word); an address that is exactly a quoted title
("84 Charing Cross Road", "204 Rosewood Lane": books and films); UK/US postcodes and ZIP codes alone; numbers
spelled in words or Chinese numerals (一三八...); obfuscated e-mails ("name at gmail dot com"); personal
names (that needs a tagger model; see below). Everything masked contains a digit or an ``@``, and
``could_contain`` is a one-regex prefilter that lets most review text through untouched without running
the patterns.

Why hand-written: the project runs offline and ships no model downloads. Presidio
(``presidio-analyzer``) needs a spaCy model fetched at run time and its recognisers are English-first;
``scrubadub`` is English-only and its address detector needs libpostal data; ``cn-pii-anonymization``
requires Python 3.12, PaddleNLP and Presidio; ``commonregex`` is US-only and unmaintained since 2014.
``phonenumbers`` (pure Python, data shipped) validates numbers against national numbering plans, but
every format here still needs its own candidate pattern and a review-text precision rule, and the
checks that matter most for precision (ISO 7064 for IDs, Luhn for cards) are a few lines each, so
the module stays dependency-free. Full-width ASCII (``１３８００１３８０００``, ``（010）``) is folded
to ASCII before matching; the spans refer to the original text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

EMAIL = "email"
PHONE = "phone"
ID_CARD = "id_card"
BANK_CARD = "bank_card"
ADDRESS = "address"
#: The kinds, in the order they claim text: an earlier kind wins where two spans overlap.
KINDS: tuple[str, ...] = (EMAIL, ID_CARD, BANK_CARD, PHONE, ADDRESS)
#: The replacement of each kind, the same in zh and en text; none holds a digit or ``@``, so masked text
#: masked again is unchanged.
TOKENS: dict[str, str] = {EMAIL: "[email]", PHONE: "[phone]", ID_CARD: "[id]", BANK_CARD: "[card]",
                          ADDRESS: "[address]"}

# Full-width digits, letters, ＠＋－（）．＿＃ and the ideographic space to ASCII: one character for one, so
# offsets in the folded text are offsets in the original. Not the full-width comma or colon: "800-820-6666，400"
# is two numbers in Chinese text, not a thousands separator.
_FOLD = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B),
                                  *map(ord, "＠＋－（）．＿＃")]} | {0x3000: 0x20}
# What every kind needs, in one cheap pass (no match: nothing to mask): an @; seven digits with at most three
# separators between neighbours (phones, ids, cards); a number before 号, 栋, 单元 ... (zh addresses) or
# before a capitalised word (en addresses); "box" (PO Box).
_D = "[0-9０-９]"
_MAYBE = re.compile(rf"[@＠]|{_D}(?:[ ()（）\-－.．+＋]{{0,3}}{_D}){{6}}|{_D}[A-Za-zＡ-Ｚａ-ｚ]?(?:号|栋|幢|座|单元|弄|[#＃])"
                    rf"|{_D}[A-Za-z]? [A-Z]|(?i:box)")

# A number never starts right after a letter, digit or the marks of an id, price, rank, URL or decimal
# (SKU-4111..., $1299, #1935, /dp/..., 3.14...), and never runs on into one.
_START = r"(?<![0-9A-Za-z_+\-./$¥€£#=@&%])"
_END = r"(?![0-9A-Za-z_@%]|[.,:/\-][0-9A-Za-z])"

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,63})@"
                    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])")

# -- phone ----------------------------------------------------------------------------------------------
_CN_MOBILE = r"(?:(?:\+|00)86[ \-]?|\(\+?86\) ?)?1[3-9][0-9](?:[0-9]{8}|(?P<m>[ \-])[0-9]{4}(?P=m)[0-9]{4})"
_CN_LANDLINE = (r"(?:(?:\+|00)86[ \-]?)?(?:\(0[1-9][0-9]{1,2}\) ?|0[1-9][0-9]{1,2}[ \-])"
                r"[2-9][0-9]{6,7}(?:-[0-9]{1,4})?"
                # unseparated: Beijing 010 or a 02x area code and 8 digits; else a 0[3-9]xx code and 7-8 digits
                r"|0(?:10|2[0-9])[2-9][0-9]{7}|0[3-9][0-9]{2}[2-9][0-9]{6,7}")
_NANP = (r"(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\) ?[2-9][0-9]{2}[ .\-][0-9]{4}"
         r"|[2-9][0-9]{2}(?P<n>[.\-])[2-9][0-9]{2}(?P=n)[0-9]{4})"
         r"|\+?1(?P<p>[ .\-])[2-9][0-9]{2}(?P=p)[2-9][0-9]{2}(?P=p)[0-9]{4}")
_UK = r"(?:\+44 ?(?:\(0\) ?)?|0)(?:7[0-9]{3} [0-9]{6}|[1-9][0-9]{1,3} [0-9]{3,4} ?[0-9]{3,4})"
_INTL = r"\+[1-9][0-9]{0,2}(?:[ .\-]?\(?[0-9]{1,5}\)?){1,5}"
_PHONES = re.compile(rf"{_START}(?:{_CN_MOBILE}|{_CN_LANDLINE}|{_NANP}|{_UK}|{_INTL}){_END}")
# A number right after an order, waybill or tracking word is that number, not a phone ("订单号：19513967161").
_NOT_PHONE = re.compile(r"(?:订单|单号|编号|运单|快递单|货号|order|tracking|invoice|isbn)"
                        r"(?:号码|号|编号|编码|no|number|#)?[ .:：#]*(?:是|为)?[ :：]*$", re.IGNORECASE)
_PHONE_WORD = re.compile(
    r"(?:(?<![A-Za-z])(?i:tel|telephone|phone|cellphone|mobile|cell|call|text|fax|whatsapp|ph)\.?"
    r"(?i: ?(?:no|number|num|#)\.?)?(?i: me)?(?i: at| on)?"
    r"|电话|手机|手机号|手机号码|联系方式|联系电话|热线|座机|致电|拨打|来电)"
    rf"[ :：是为]*(?P<number>\+?\(?[0-9]{{2,5}}\)?(?:[ \-]?[0-9]{{2,5}}){{1,4}}){_END}")

# -- ids and cards --------------------------------------------------------------------------------------
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = re.compile(rf"{_START}[1-9][0-9]{{5}} ?(?:18|19|20)[0-9]{{2}}{_DATE} ?[0-9]{{3}}[0-9Xx]{_END}")
_ID15 = re.compile(rf"{_START}[1-9][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}}{_END}")
# Province-level codes: 11-15 north, 21-23 north-east, 31-37 east, 41-46 south-central, 50-54
# south-west, 61-65 north-west, 71 Taiwan, 81-83 Hong Kong, Macao, Taiwan residents, 91 abroad.
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CARD = re.compile(rf"{_START}(?:[0-9]{{13,19}}|[0-9]{{4}}(?:[0-9]{{2}})?(?P<s>[ \-])[0-9]{{3,6}}(?:(?P=s)[0-9]{{1,6}}){{1,4}}){_END}")

# -- addresses ------------------------------------------------------------------------------------------
# A character of a Chinese place name: Han or Latin, but not the words that come before an address in a
# sentence (我住在..., 寄到..., 地址是...), so the span starts at the place name.
_ZH_NAME = r"(?:(?![在住到从于是的了和与及我你他她它们址为送寄发往来去过把被给这那个些有没不很也都就还又再才或])[\u4e00-\u9fffA-Za-z])"
_ZH_ADMIN = rf"(?:{_ZH_NAME}{{1,8}}?(?:省|自治区|特别行政区|市|区|县|旗|镇|乡))"
_ZH_PARTS = (r"(?:[0-9]+[A-Za-z]?(?:号楼|号院|栋|幢|座|楼|层|单元|室|号|弄)|[A-Za-z][0-9]*(?:栋|座)"
             r"|[0-9]{3,4}(?![0-9]))")
_ZH_ROAD = (rf"{_ZH_NAME}{{1,10}}?(?:大街|大道|街道|路|街|巷|胡同)(?:[一二三四五六七八九十0-9]{{1,3}}段)?"
            rf"[0-9]+(?:-[0-9]+)?(?:号院|号|弄|#)(?:{_ZH_PARTS}){{0,5}}")
_ZH_ESTATE = (rf"{_ZH_NAME}{{2,10}}?(?:小区|花园|公寓|大厦|家园|新村|新城|社区|苑)"
              rf"[0-9]+(?:号楼|号院|栋|幢|座)(?:{_ZH_PARTS}){{0,4}}")
_ZH_BUILDING = rf"{_START}[0-9]+(?:号楼|栋|幢)[0-9]+单元(?:{_ZH_PARTS}){{0,2}}"
_ZH_ADDRESS = re.compile(rf"{_ZH_ADMIN}*(?:{_ZH_ROAD}|{_ZH_ESTATE})|{_ZH_BUILDING}")
_EN_SUFFIX = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace"
              r"|Way|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|street|avenue|road|boulevard)")
_EN_WORD = r"(?:[A-Z][a-z'’]+|[A-Z]|[1-9][0-9]{0,2}(?:st|nd|rd|th))"
_EN_UNIT = r"(?:\.?,? ?(?:Apt|Apartment|Suite|Ste|Unit|Rm|Room|Flat|#)\.? ?#?[0-9]+[A-Za-z]?(?![0-9A-Za-z]))"
_EN_ADDRESS = re.compile(
    rf"{_START}[1-9][0-9]{{0,5}}[A-Za-z]?(?: {_EN_WORD}){{1,3}} {_EN_SUFFIX}(?![A-Za-z0-9]){_EN_UNIT}?"
    r"|(?<![A-Za-z])(?i:P\.? ?O\.? ?Box|Post Office Box) ?#? ?[0-9]+(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Span:
    """One piece of personal data: ``text[start:end]`` is of ``kind``."""

    start: int
    end: int
    kind: str


def could_contain(text: str) -> bool:
    """A cheap necessary condition: False means nothing in ``text`` is masked (no ``@``, no seven digits
    close together, no number before 号/栋/单元 or a capitalised word, no "box")."""
    return bool(_MAYBE.search(text))


def luhn_ok(digits: str) -> bool:
    """The Luhn check of a card number (digits only)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def id_checksum_ok(number: str) -> bool:
    """The ISO 7064 MOD 11-2 check character of an 18-character Chinese resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    value = (12 - sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True)) % 11) % 11
    return number[17].upper() == ("X" if value == 10 else str(value))


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _card_ok(digits: str) -> bool:
    n, first = len(digits), digits[0]
    if n == 13:
        fits = first == "4"
    elif n == 14:
        fits = first == "3"
    elif n == 15:
        fits = digits[:2] in ("34", "37")
    else:
        fits = first in "23456"
    return fits and luhn_ok(digits)


def _emails(folded: str) -> Iterator[tuple[int, int]]:
    for m in _EMAIL.finditer(folded):
        yield m.span()


def _ids(folded: str) -> Iterator[tuple[int, int]]:
    for m in _ID18.finditer(folded):
        number = m.group().replace(" ", "")
        if int(number[:2]) in _PROVINCES and id_checksum_ok(number):
            yield m.span()
    for m in _ID15.finditer(folded):
        if int(m.group()[:2]) in _PROVINCES:
            yield m.span()


def _cards(folded: str) -> Iterator[tuple[int, int]]:
    for m in _CARD.finditer(folded):
        digits = _digits(m.group())
        if 13 <= len(digits) <= 19 and _card_ok(digits):
            yield m.span()


def _phones(folded: str) -> Iterator[tuple[int, int]]:
    for m in _PHONES.finditer(folded):
        text = m.group()
        if text.startswith("+") and not 8 <= len(_digits(text)) <= 15:
            continue
        if not _NOT_PHONE.search(folded, max(0, m.start() - 16), m.start()):
            yield m.span()
    for m in _PHONE_WORD.finditer(folded):
        if 7 <= len(_digits(m.group("number"))) <= 15:
            yield m.span("number")


_OPEN, _CLOSE = "\"'“‘《「『", "\"'”’》」』"


def _addresses(folded: str) -> Iterator[tuple[int, int]]:
    for pattern in (_ZH_ADDRESS, _EN_ADDRESS):
        for m in pattern.finditer(folded):
            start, end = m.span()
            # exactly a quoted title is a book or film ("84 Charing Cross Road", 《B栋11楼》), not where someone lives
            if 0 < start and end < len(folded) and folded[start - 1] in _OPEN and folded[end] in _CLOSE:
                continue
            yield start, end


_FINDERS: dict[str, Callable[[str], Iterator[tuple[int, int]]]] = {
    EMAIL: _emails, ID_CARD: _ids, BANK_CARD: _cards, PHONE: _phones, ADDRESS: _addresses,
}


def find(text: str) -> list[Span]:
    """The personal data in ``text``, in text order, without overlaps (an earlier kind of ``KINDS``
    keeps its span; among one kind's spans, the longer wins)."""
    if not text or not could_contain(text):
        return []
    folded = text.translate(_FOLD)
    taken: list[Span] = []
    for kind in KINDS:
        found = sorted(_FINDERS[kind](folded), key=lambda s: (s[0] - s[1], s[0]))
        for start, end in found:
            if start < end and all(end <= t.start or start >= t.end for t in taken):
                taken.append(Span(start, end, kind))
    return sorted(taken, key=lambda s: s.start)


def mask(text: str) -> tuple[str, Counter[str]]:
    """``text`` with each span of ``find`` replaced by its kind's token, and how many of each kind."""
    spans = find(text) if isinstance(text, str) else []
    counts: Counter[str] = Counter()
    if not spans:
        return text, counts
    out, at = [], 0
    for span in spans:
        out += [text[at:span.start], TOKENS[span.kind]]
        at = span.end
        counts[span.kind] += 1
    out.append(text[at:])
    return "".join(out), counts
