"""End to end in a real browser: the app with the real models, driven in headless Debian Chromium
(installed by `scripts/bootstrap.sh --browser`; never `playwright install`, which downloads)."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rag.config import ROOT
from rag.ui.app import build_app, serve

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOT = ROOT / "screenshots" / "chat_china.png"

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing; install "
                                 "it with `apt-get install chromium` or `scripts/bootstrap.sh --browser`")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def page_url(real_pipeline, real_settings):
    app = build_app(real_pipeline, real_settings)
    _, url, _ = serve(app, real_settings, "127.0.0.1", free_port(), block=False)
    yield url
    app.close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        dialogs = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # a script ran: fail below
        pg.dialogs = dialogs
        yield pg
        browser.close()


def test_chat_answers_with_highlighted_sources(page, page_url):
    page.goto(page_url)
    box = page.locator("#question textarea")
    box.fill("What did China say about the deployment?")
    box.press("Enter")
    # the answer streams in, then the verified answer and its sources replace the draft
    page.wait_for_selector("#status .status:has-text('Answered by')", timeout=300_000)
    bot = page.locator("#chat [data-testid='bot']").last
    answer = bot.inner_text()
    assert "China" in answer or "Beijing" in answer or "Peking" in answer, answer
    assert "▌" not in answer
    link = bot.locator("a.cite").first
    assert link.is_visible()
    target = link.get_attribute("href")
    assert page.locator(f"#sources {target} mark").count() == 1
    marks = [m.strip() for m in page.locator("#sources mark").all_inner_texts()]
    # the cited sentences themselves are highlighted, not whole passages
    assert any("Lin Jian" in m or "souveräne" in m for m in marks), marks
    assert any("keine Informationen" in m for m in marks), marks
    assert all(len(m) < 400 for m in marks), marks
    assert "llama.cpp:" in page.locator("#status").inner_text()
    link.click()
    page.wait_for_function("location.hash.startsWith('#src-')")
    page.locator("#chat").scroll_into_view_if_needed()
    SHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOT), full_page=True)
    assert not page.dialogs
