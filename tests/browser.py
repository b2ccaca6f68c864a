"""Shared playwright helpers: Debian chromium, a built site served over http on
127.0.0.1, and a page watcher that collects console errors and CSP violations.

Test modules load the fixtures with `pytest_plugins = ["browser"]`.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.build import build
from generator.config import Config

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"

# Runs before any page script: records what the page's Content-Security-Policy refused.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


def require_chromium() -> None:
    """Skip without Debian chromium, unless PODIUM_REQUIRE_BROWSER=1 (CI) makes it a failure."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests"
    if os.environ.get("PODIUM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (PODIUM_REQUIRE_BROWSER=1 requires them)")
    pytest.skip(message)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 at a random port in a thread; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def build_site(content: Path, output: Path, **overrides) -> Path:
    build(content, output, Config().with_overrides(**overrides))
    return output


def wait_for_search_results(page) -> None:
    """Until the search page shows a query's results (or says it found none)."""
    page.wait_for_function("""() => !document.getElementById('search-results').hasAttribute('aria-busy')
        && /result/.test(document.getElementById('search-status').textContent)""")


def result_dates(page) -> list[str]:
    """The date (YYYY-MM-DD) of each search result shown, "" for an undated one."""
    return page.eval_on_selector_all("#search-results li .search-status",
                                     r"ps => ps.map(p => (p.textContent.match(/\d{4}-\d{2}-\d{2}/) || [''])[0])")


@pytest.fixture(scope="module")
def browser():
    """One headless Debian chromium per test module: playwright's sync API allows one
    running instance per thread, and other modules start their own."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo site from content/, built once per session."""
    return build_site(REPO / "content", tmp_path_factory.mktemp("browser-demo") / "output")


@pytest.fixture(scope="session")
def serve_folder():
    """`serve` for test modules, which load this module as a plugin instead of importing it."""
    return serve


@pytest.fixture(scope="session")
def demo_url(demo_site) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


class Watcher:
    """Console errors, uncaught exceptions and CSP violations of one page, and dialogs."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.add_init_script(WATCH_CSP)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: uncaught {exc}"))
        page.on("dialog", self._dialog)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{self.page.url}: console error: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.errors.append(f"{self.page.url}: HTTP {response.status} for {response.url}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    def csp_violations(self) -> list[str]:
        from playwright.sync_api import Error

        try:
            found = self.page.evaluate("window.__cspViolations || []")
        except Error as exc:  # a page mid-navigation cannot answer; say so
            return [f"{self.page.url}: could not read CSP violations: {exc}"]
        return [f"{self.page.url}: CSP {v}" for v in found]

    def problems(self) -> list[str]:
        return self.errors + self.csp_violations() + [f"dialog {d}" for d in self.dialogs]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from node_modules (npm, pinned by package.json); never copied into the repo."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (package.json pins axe-core)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def page(browser):
    """A fresh page in a fresh context, with a Watcher at `page.watcher`."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.watcher = Watcher(page)
    yield page
    context.close()
