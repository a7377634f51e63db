"""In headless Chromium: a saved news page is fetched through the Articles tab's URL box from a
loopback server, then a question's source card shows the article's site and date. Uses the hash
embedder and a scripted LLM (the card is what is tested, not the answer), so it runs in seconds.
Saves screenshots/sources_site_date.png."""
from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_browser import ARGS, CHROMIUM, free_port
from test_ui import echo_passage_one

from rag.config import ROOT
from rag.ui.app import build_app, serve

WEB = Path(__file__).parent / "fixtures" / "web"
SHOT = ROOT / "screenshots" / "sources_site_date.png"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing; install "
                                 "it with `apt-get install chromium` or `scripts/bootstrap.sh --browser`")]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_source_card_shows_site_and_date(hash_pipeline, hash_settings, tmp_path):
    from playwright.sync_api import sync_playwright

    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(WEB / "theguardian.com.academics.html", site / "academics.html")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    hash_pipeline.s = hash_settings.model_copy(update={"fetch_allowed_hosts": ["127.0.0.1"]})
    hash_pipeline.generator.replies = echo_passage_one
    app = build_app(hash_pipeline, hash_pipeline.s)
    _, url, _ = serve(app, hash_pipeline.s, "127.0.0.1", free_port(), block=False)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.get_by_role("tab", name="Articles").click()
            page.locator("#url textarea, #url input").first.fill(
                f"http://127.0.0.1:{httpd.server_port}/academics.html")
            page.locator("#fetch").click()
            page.wait_for_selector("#report .status:has-text('1 added')", timeout=60_000)
            page.get_by_role("tab", name="Chat").click()
            box = page.locator("#question textarea")
            box.fill("How many research staff at UK universities were on fixed-term contracts?")
            box.press("Enter")
            page.wait_for_selector("#status .status:has-text('Answered by')", timeout=60_000)
            origin = page.locator("#sources .origin").first
            assert origin.inner_text().strip() == "The Guardian · 20 Jan 2020"
            assert origin.locator("a").get_attribute("href").startswith("http://www.theguardian.com/education/")
            SHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOT), full_page=True)
            browser.close()
    finally:
        app.close()
        httpd.shutdown()
        httpd.server_close()
