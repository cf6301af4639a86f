"""The operator console in a real headless browser (Debian's chromium driven by Playwright).

Starts the real server, posts events so the dashboard has data, then: enter the admin key, pick a user,
see the profile and the reasons, open the experiment dashboard, take a screenshot and check it (size,
not blank, the chart's CTR and CVR bar colours present). Skips with the reason when chromium or
playwright is missing.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections import Counter
from pathlib import Path

import httpx
import pytest

from recreason.serve.experiments import load_config

from .conftest import ADMIN_KEY, EVENT_KEY, free_port, start_server, stop_server, write_workspace

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
WIDTH, HEIGHT = 1280, 900
CTR_RGB, CVR_RGB = (0x1F, 0x77, 0xB4), (0xD6, 0x27, 0x28)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = head
    assert depth == 8 and color in (2, 6) and interlace == 0, head
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for n, v in enumerate(line) if n % 4 != 3))
        prev = line
    return width, height, rows


def _post_events(port: int) -> None:
    events = []
    for variant, clicks, buys in (("no_reason", 8, 1), ("template", 14, 3), ("llm", 11, 2)):
        for n in range(120):
            base = {"request_id": f"r{variant}{n // 10}", "user_id": f"v{n}", "item_id": f"p{n % 3 + 1}",
                    "experiment": "reasons", "variant": variant}
            events.append({**base, "type": "impression", "idempotency_key": uuid.uuid4().hex})
            if n < clicks:
                events.append({**base, "type": "click", "idempotency_key": uuid.uuid4().hex})
            if n < buys:
                events.append({**base, "type": "purchase", "idempotency_key": uuid.uuid4().hex})
    for start in range(0, len(events), 200):
        r = httpx.post(f"http://127.0.0.1:{port}/v1/events", json={"events": events[start:start + 200]},
                       headers={"X-API-Key": EVENT_KEY}, timeout=10)
        assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    tmp = tmp_path_factory.mktemp("console")
    port = free_port()
    proc = start_server(write_workspace(tmp / "ws"), port, log=tmp / "server.log")
    try:
        _post_events(port)
        yield f"http://127.0.0.1:{port}", tmp
    finally:
        stop_server(proc)


def test_console_shows_reasons_and_the_experiment_chart(server):
    from playwright.sync_api import expect, sync_playwright

    url, tmp = server
    exp = load_config(None).get(None)
    user = next(u for u in ("u_zh", "u_en", "u_x", "u_y") if exp.assign(u).strategy != "none")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{url}/console/")
            page.fill("#key", ADMIN_KEY)
            page.click("#save-key")
            expect(page.locator("#key-status")).to_have_text("key accepted")
            page.select_option("#user-select", user)
            expect(page.locator("#recs li.rec").first).to_be_visible()
            assert page.locator("#recs li.rec").count() >= 3  # tiny catalog: 6 items less the user's own
            expect(page.locator("#variant")).to_contain_text(exp.assign(user).name)
            expect(page.locator("#profile-summary")).not_to_be_empty()
            first_reason = page.locator("#recs li.rec .reason").first.inner_text()
            assert len(first_reason) > 5 and "generator" in page.locator("#recs li.rec .meta").nth(1).inner_text()
            page.screenshot(path=str(tmp / "console-user.png"))

            page.click("#tab-experiments")
            expect(page.locator("#exp-svg rect.bar")).to_have_count(6)  # 3 variants x (CTR, CVR)
            assert page.locator("#exp-table tbody tr").count() == 3
            expect(page.locator("#caveats")).to_contain_text("Peeking")
            png = page.screenshot(path=str(tmp / "console-experiments.png"))
            assert not errors, errors
        finally:
            browser.close()

    width, height, rows = decode_png(png)
    assert (width, height) == (WIDTH, HEIGHT)
    pixels = Counter(tuple(row[i:i + 3]) for row in rows[::2] for i in range(0, len(row), 6))
    assert len(pixels) > 50, "the screenshot is (nearly) blank"
    assert pixels[CTR_RGB] > 200 and pixels[CVR_RGB] > 100, "the chart's bars are not on the screenshot"
