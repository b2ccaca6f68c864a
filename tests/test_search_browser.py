"""What a reader of the search page sees, in Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = ('SECRETARY KERRY: Zanzibarian tea <script>window.pwned = 1</script> and '
           '"><img src=x onerror="window.pwned = 2"> were both on the table.')

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("PODIUM_REQUIRE_BROWSER") == "1":
        raise RuntimeError("PODIUM_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
    pytest.skip("/usr/bin/chromium is missing (set PODIUM_REQUIRE_BROWSER=1 to fail instead)",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("content")
    seed = (ROOT / "content" / "000_dc28f8c96af5d01d.txt").read_text(encoding="utf-8")
    (content / "000_seed.txt").write_text(seed.rstrip() + "\n\n" + HOSTILE + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("site") / "output"
    subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content),
                    "--output", str(out), "-q"], cwd=ROOT, check=True)
    return out


def serve(directory: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_search(site, browser):
    servers, contexts = [], []

    def open_(query: str, directory: Path = site, javascript: bool = True):
        server = serve(directory)
        servers.append(server)
        context = browser.new_context(java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/{query}")
        return page

    yield open_
    for c in contexts:
        c.close()
    for s in servers:
        s.shutdown()


def test_results_show_transcript_markup_as_text(open_search):
    page = open_search("?q=zanzibarian")
    result = page.locator("#search-results li")
    expect(result).to_have_count(1)
    expect(page.locator("#search-status")).to_have_text("1 result for “zanzibarian”.")
    expect(result.locator("mark")).to_have_text("Zanzibarian")
    expect(result).to_contain_text("<script>window.pwned = 1</script>")
    expect(result).to_contain_text('"><img src=x onerror="window.pwned = 2">')
    assert result.locator("img, script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_search_is_a_link_and_results_take_the_keyboard(open_search):
    page = open_search("")
    page.fill("#search-q", "syria")
    page.press("#search-q", "Enter")
    expect(page.locator("#search-results li").first).to_be_visible()
    assert page.url.endswith("/search/?q=syria")
    page.press("#search-q", "ArrowDown")
    expect(page.locator("#search-results li h2 a").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#search-results li h2 a").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#search-q")).to_be_focused()


def test_missing_shard_is_a_visible_error(open_search, site, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(site, broken)
    shutil.rmtree(broken / "search" / "shards")
    page = open_search("?q=syria", broken)
    error = page.locator("#search-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("could not be loaded (HTTP 404)")
    expect(page.locator("#search-results li")).to_have_count(0)


def test_without_javascript_the_page_says_so(open_search):
    page = open_search("?q=syria", javascript=False)
    message = page.locator("noscript p.search-error")
    expect(message).to_be_visible()
    assert message.inner_text().startswith("Search runs in your browser and needs JavaScript")
