"""PII masking of free text: what is masked (each kind, zh and en) and the review-text look-alikes that are not."""

from __future__ import annotations

import pytest

from recreason.text.pii import (
    ADDRESS,
    BANK_CARD,
    EMAIL,
    ID_CARD,
    KINDS,
    PHONE,
    TOKENS,
    could_contain,
    find,
    id_checksum_ok,
    luhn_ok,
    mask,
)

# (text, masked text, kinds masked)
POSITIVES = [
    # email
    ("my email is john.doe@example.com.", "my email is [email].", [EMAIL]),
    ("有问题发邮件到123456@qq.com，谢谢", "有问题发邮件到[email]，谢谢", [EMAIL]),
    ("邮箱：ｌｉｎｄａ＿ｗｕ＠１６３．ｃｏｍ", "邮箱：[email]", [EMAIL]),
    ("Contact Jane.Smith+shop@mail.co.uk for returns", "Contact [email] for returns", [EMAIL]),
    # phone: Chinese mobiles and landlines
    ("请联系我13800138000谢谢", "请联系我[phone]谢谢", [PHONE]),
    ("电话：138 0013 8000", "电话：[phone]", [PHONE]),
    ("加我+86-139-1234-5678有优惠", "加我[phone]有优惠", [PHONE]),
    ("手机号：１５９１２３４５６７８", "手机号：[phone]", [PHONE]),
    ("座机010-62345678，晚上别打", "座机[phone]，晚上别打", [PHONE]),
    ("店里电话(0755)8123456", "店里电话[phone]", [PHONE]),
    # phone: North American, UK, international, after a phone word
    ("Call me at (415) 555-0134 after 5pm", "Call me at [phone] after 5pm", [PHONE]),
    ("my cell is 415-555-0134.", "my cell is [phone].", [PHONE]),
    ("customer service 1-800-555-0199 was useless", "customer service [phone] was useless", [PHONE]),
    ("ring 020 7946 0958 or 07700 900123", "ring [phone] or [phone]", [PHONE, PHONE]),
    ("WhatsApp +44 20 7946 0958", "WhatsApp [phone]", [PHONE]),
    ("my German number +49 30 1234567", "my German number [phone]", [PHONE]),
    ("Telephone: 4155550134", "Telephone: [phone]", [PHONE]),
    ("有事打热线 4008208820", "有事打热线 [phone]", [PHONE]),
    # Chinese resident id numbers (valid check digits)
    ("身份证11010519491231002X被泄露了", "身份证[id]被泄露了", [ID_CARD]),
    ("身份证号 110105199003071239", "身份证号 [id]", [ID_CARD]),
    ("ID: 440304 19851012 5672", "ID: [id]", [ID_CARD]),
    ("老身份证号320102780615004", "老身份证号[id]", [ID_CARD]),
    # bank cards (Luhn-valid)
    ("卡号6222021234567890128", "卡号[card]", [BANK_CARD]),
    ("charged to 4111 1111 1111 1111 twice", "charged to [card] twice", [BANK_CARD]),
    ("card 5500-0000-0000-0004 declined", "card [card] declined", [BANK_CARD]),
    ("Amex 3782 822463 10005", "Amex [card]", [BANK_CARD]),
    # addresses, zh
    ("北京市朝阳区建国路88号", "[address]", [ADDRESS]),
    ("我家住在北京市朝阳区建国路88号，很近", "我家住在[address]，很近", [ADDRESS]),
    ("寄到阳光小区3栋2单元501室就行", "寄到[address]就行", [ADDRESS]),
    ("3栋2单元501，放门口", "[address]，放门口", [ADDRESS]),
    ("金融街道5号院门卫收", "[address]门卫收", [ADDRESS]),
    ("上海长乐路123弄4号", "[address]", [ADDRESS]),
    ("地址：广东省深圳市南山区科技园路1号A栋1203", "地址：[address]", [ADDRESS]),
    # addresses, en
    ("I live at 123 Main Street.", "I live at [address].", [ADDRESS]),
    ("ship to 42 Baker St, Apt 5B please", "ship to [address] please", [ADDRESS]),
    ("send it to PO Box 123", "send it to [address]", [ADDRESS]),
    ("P.O. Box 4567, Springfield", "[address], Springfield", [ADDRESS]),
    ("the store at 350 W 34th St is closed", "the store at [address] is closed", [ADDRESS]),
    # several kinds at once
    ("张三 13800138000 zhangsan@163.com 北京市海淀区中关村大街27号",
     "张三 [phone] [email] [address]", [PHONE, EMAIL, ADDRESS]),
]

# Review-text look-alikes that must come back unchanged.
NEGATIVES = [
    "B00ABC1234 is the ASIN, model SM-G991B",
    "Paid $1,299.99 and it was worth it",
    "价格¥3999，比实体店便宜", "￥1299买的，值",
    "I'm 5'4\" and 130 lbs, bought the 36B", "usually a 32DD, this fits",
    "#1,935 in Gift Cards", "Best Sellers Rank: #12,345",
    "12 x 8 x 3 inches, 2.5 pounds", "尺寸 30*20*10cm，重量1.5kg",
    "size 12 street shoes", "on Main St. in my town", "I walked 3 blocks down the street",
    "5 Stars I Love This Place", "Great gift for a 2 year old",
    "3号到货很快，5号就用上了", "双11买的，11月11号下单", "2019年买的，用了3年",
    "iPhone 13 Pro with 256GB", "phone 12 pro max is great",
    "ISBN 9780596520687, 978-0-596-52068-7", "timestamp 1514764800000 in ms",
    "order 110105194912310022 arrived",  # 18 digits, wrong check digit
    "tracking 4111111111111112",  # fails Luhn
    "条形码6901234567892", "订单号：202312011234567",
    "The 1990s were better", "got it on 12/25/2019 for $25", "from 9:30 to 17:00",
    "battery 5000mAh, 6.7英寸屏幕, 5000万像素", "1080p at 60fps, 3840x2160",
    "it took 3 days, 2 hours and 45 minutes", "rated 4.5/5 by 1,234 people",
    "Version 1.2.3.4 fixed it", "IP 192.168.100.1 on the router",
    "我住在北京市朝阳区", "在路上走了3公里", "一路上3个小时都没问题",
    'The user would buy "204 Rosewood Lane" because they like small-town stories', "《84 Charing Cross Road》很感人",
    "@amazon please fix this", "great product @ a great price",
    "第1名，排名前10", "买了2件M码，3件L码",
]


@pytest.mark.parametrize(("text", "masked", "kinds"), POSITIVES)
def test_masks_each_kind(text, masked, kinds):
    out, counts = mask(text)
    assert out == masked
    assert sorted(counts.elements()) == sorted(kinds)


@pytest.mark.parametrize("text", NEGATIVES)
def test_leaves_review_look_alikes(text):
    assert mask(text) == (text, {})


def test_enough_cases():
    assert len(POSITIVES) >= 20 and len(NEGATIVES) >= 20
    assert {k for _, _, kinds in POSITIVES for k in kinds} == set(KINDS)


def test_checksums():
    assert id_checksum_ok("11010519491231002X") and id_checksum_ok("11010519491231002x")
    assert not id_checksum_ok("110105194912310021") and not id_checksum_ok("1101051949123100")
    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112")


def test_tokens_are_stable_under_masking_again():
    text = "call 13800138000 or mail a@b.com, 北京市朝阳区建国路88号, card 4111 1111 1111 1111, ID 11010519491231002X"
    once, counts = mask(text)
    assert sum(counts.values()) == 5
    assert mask(once) == (once, {})
    for token in TOKENS.values():
        assert not could_contain(token)


def test_spans_point_into_the_original_text():
    text = "号码１３８００１３８０００，地址北京市朝阳区建国路88号"
    spans = find(text)
    assert [(text[s.start:s.end], s.kind) for s in spans] == [
        ("１３８００１３８０００", PHONE), ("北京市朝阳区建国路88号", ADDRESS)]


def test_text_without_digits_or_at_is_untouched():
    assert not could_contain("没有数字的评论，no digits here")
    assert mask("") == ("", {})
    assert find("Main Street, Baker St") == []


def test_an_id_number_is_not_also_a_card_or_phone():
    # 18 digits that pass both the ID check digit and Luhn: the id wins, counted once
    text = "身份证 110105199003071239"
    assert [s.kind for s in find(text)] == [ID_CARD]


def test_phone_word_needs_a_phone_sized_number():
    assert mask("call 911 now")[1] == {}
    assert mask("手机 6 7 8 9 10 11 12 都试过")[1] == {}
    assert mask("客服电话：95588")[1] == {}  # 5 digits: a bank's service number, below 7 digits
    assert mask("call me: 555 0134")[0] == "call me: [phone]"
