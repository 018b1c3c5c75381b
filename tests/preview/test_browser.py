"""An article's preview page in headless Chromium: the headline as the DOM has it, a screenshot
that is not blank, and the open page reloading by itself after an edit of its source."""

from __future__ import annotations

import base64
import io
import json
import time

import pytest
from PIL import Image, ImageStat

from tests.browser_harness import Chromium, Visit, chromium_binary
from tests.preview.conftest import CHANGE, Served

pytestmark = pytest.mark.skipif(chromium_binary() is None,
                                reason="chromium is not installed (apt-get install chromium)")

PAGE = "/_preview/articles/port-expansion-vote.xhtml"
HEADLINE = "Council Approves Port Expansion After Six-Hour Debate"

_STATE = """JSON.stringify({
  h1: (document.querySelector('article h1') || {}).textContent || '',
  byline: (document.querySelector('.byline') || {}).textContent || '',
  weight: document.querySelector('.byline') ? getComputedStyle(document.querySelector('.byline')).fontWeight : '',
  body: document.body ? document.body.textContent : '',
  scripts: Array.from(document.scripts).map(s => s.src),
  generation: document.documentElement.getAttribute('data-generation')
})"""


def test_article_page_renders_and_reloads_itself(serving: Served, tmp_path):
    browser = Chromium(chromium_binary(), loopback=True)
    try:
        url = serving.url.rstrip("/") + PAGE
        target, session = browser._open(url, Visit(url))
        state = json.loads(browser._eval(session, _STATE))
        assert state["h1"] == HEADLINE, (browser._eval(session, "document.documentElement.outerHTML.slice(0, 3000)"),
                                         browser._eval(session, "location.href"))
        assert state["byline"] == "By Mara Lindqvist and Tomás Ó Briain"
        assert state["weight"] == "700"  # the book's stylesheet applies: .byline { font-weight: bold }
        assert state["scripts"] == [serving.url + "_preview/reload.js"]
        shot = browser.call("Page.captureScreenshot", {"format": "png"}, session)
        png = base64.b64decode(shot["data"])
        (tmp_path / "article.png").write_bytes(png)
        image = Image.open(io.BytesIO(png)).convert("L")
        assert image.width > 200 and image.height > 200
        low, high = image.getextrema()
        assert high - low > 100, "the screenshot is blank"
        assert ImageStat.Stat(image).stddev[0] > 10, "the screenshot has no text on it"

        # the open page reloads itself when its source is saved
        article = serving.site / "articles" / "2026-11-18-port-expansion-vote.md"
        article.write_text(article.read_text(encoding="utf-8").replace("six hours", "seven hours"), encoding="utf-8")
        deadline = time.monotonic() + CHANGE
        while True:
            browser.pump(0.2)
            try:
                state = json.loads(browser._eval(session, _STATE))
            except (RuntimeError, TimeoutError, TypeError):  # mid-reload
                continue
            if "seven hours" in state["body"]:
                break
            assert time.monotonic() < deadline, f"the page did not reload within {CHANGE} s: {state['generation']}"
        assert state["generation"] != "1" and state["h1"] == HEADLINE
        browser._close(target)
    finally:
        browser.close()
