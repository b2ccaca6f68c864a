"""Hostile transcripts: markup, script URLs, template syntax, path-like and huge labels,
bidi overrides and undecodable bytes are shown as text or refused, never executed, and
nothing is written outside the output folder.

Fixtures: tests/fixtures/hostile/site (builds) and tests/fixtures/hostile/undecodable.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build
from generator.config import Config
from generator.model import SLUG_MAX

pytest_plugins = ["browser"]  # fixtures: page, serve_folder

REPO = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
MARKDOWN = "briefings/2016-04-01-hostile-title-script-alert-1-script-briefing/"
PLAIN = "briefings/2016-04-02-hostile-script-alert-1-script-plain-text-briefing/"
SCRIPT = re.compile(r"<script[^>]*>\s*alert", re.IGNORECASE)
ONERROR = re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.IGNORECASE)  # any on* attribute in a tag
JS_HREF = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def snapshot(root: Path, skip: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p != skip and skip not in p.parents}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, set[str]]:
    """The hostile site built into a fresh folder; and what appeared beside it."""
    project = tmp_path_factory.mktemp("hostile")
    shutil.copytree(HOSTILE / "site", project / "content")
    output = project / "output"
    watch = project.parent  # the whole pytest session folder, to catch `../` escapes
    before = snapshot(watch, output)
    build(project / "content", output, Config(base_url="https://example.org/"))  # with a sitemap
    appeared = snapshot(watch, output) - before
    return output, appeared


@pytest.fixture(scope="module")
def output(hostile) -> Path:
    return hostile[0]


def published(output: Path) -> list[Path]:
    """Pages, feed, sitemap, the JSON export and search files: everything a reader fetches."""
    files = [p for p in output.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json")]
    assert {p.relative_to(output).parts[0] for p in files} >= {
        "index.html", "feed.xml", "sitemap.xml", "api", "search", "briefings", "speakers"}
    return files


@pytest.mark.parametrize(("name", "pattern"), [
    ("<script>alert", SCRIPT), ("an on*= attribute", ONERROR), ('href="javascript:', JS_HREF)])
def test_no_published_file_carries_live_markup(output, name, pattern):
    found = [f"{p.relative_to(output)}: {m[0]!r}"
             for p in published(output) for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert found == [], f"{name} in published files:\n" + "\n".join(found)


def test_hostile_text_is_escaped_and_shown(output):
    plain = (output / PLAIN / "index.html").read_text()
    assert ("<p>Plain text &lt;script&gt;alert(1)&lt;/script&gt; and &#34;&gt;&lt;img src=x "
            "onerror=alert(1)&gt; and {{ 7*7 }}.</p>") in plain
    assert "<h1>Hostile &lt;script&gt;alert(1)&lt;/script&gt; Plain Text Briefing</h1>" in plain
    markdown = (output / MARKDOWN / "index.html").read_text()
    assert ("<title>Hostile &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; Briefing · Podium"
            "</title>") in markdown
    assert "<p>Is &lt;script&gt; escaped twice?</p>" in markdown
    assert "Opening &lt;script&gt;alert(1)&lt;/script&gt; remarks." in markdown


def test_template_syntax_is_literal_text(output):
    markdown = (output / MARKDOWN / "index.html").read_text()
    assert "<p>Template syntax {{ 7*7 }} and {% raw %} and {# comment #} stay literal.</p>" in markdown
    for path in (MARKDOWN, PLAIN, "speakers/mallory-evil/"):
        text = re.sub(r"<[^>]+>", " ", (output / path / "index.html").read_text())
        assert "{{ 7*7 }}" in text
        assert not re.search(r"\b49\b", text), f"{{{{ 7*7 }}}} was evaluated in {path}"


def test_script_urls_never_become_links(output):
    markdown = (output / MARKDOWN / "index.html").read_text()
    assert "A link javascript:alert(1) as text and a Markdown link <a>x</a> and <a>y</a>." in markdown
    assert '<p class="source">Source: javascript:alert(1)</p>' in markdown
    bio = (output / "speakers/mallory-evil/index.html").read_text()
    assert "<p>A bio with <a>a link</a> and &lt;script&gt;alert(1)&lt;/script&gt;" in bio


def test_path_like_and_huge_labels_stay_text(output):
    markdown = (output / MARKDOWN / "index.html").read_text()
    assert "<p>MR. ../../ETC: A label that looks like a path.</p>" in markdown
    assert "FILIBUSTER FILIBUSTER" in markdown
    people = sorted(p.name for p in (output / "speakers").iterdir() if p.is_dir())
    assert people == ["mallory-evil"]
    for folder in (output / "briefings").iterdir():
        assert len(folder.name) <= SLUG_MAX and re.fullmatch(r"[a-z0-9-]+", folder.name)


def test_bidi_overrides_stay_inside_their_paragraph(output):
    markdown = (output / MARKDOWN / "index.html").read_text()
    lines = [line.strip() for line in markdown.splitlines() if "\u202e" in line]
    assert lines == [("<p>Right-to-left \u202eoverride\u202c text and an isolate "
                      "\u2067inside\u2069.</p>")]
    assert "\u202e" not in "".join(p.name for p in output.rglob("*"))


def test_nothing_is_written_outside_the_output(hostile):
    output, appeared = hostile
    assert appeared == set()
    root = output.resolve()
    for path in output.rglob("*"):
        assert path.resolve().is_relative_to(root), f"{path} leads outside {root}"
        assert not path.is_symlink(), f"{path} is a symlink"


def test_undecodable_bytes_are_an_error_with_path_and_line():
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", "tests/fixtures/hostile/undecodable"],
        check=False, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert ("tests/fixtures/hostile/undecodable/latin1.txt:5: error: not UTF-8: byte 0xE9 on line 5 "
            "cannot be decoded\n") in result.stderr
    assert result.stdout == ""


# ---- in the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_url(output, serve_folder):
    with serve_folder(output) as url:
        yield url


HOSTILE_QUERIES = ["script", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
                   "javascript:alert(1)", "{{ 7*7 }}"]


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", MARKDOWN, PLAIN, "speakers/", "speakers/mallory-evil/"])
def test_hostile_pages_open_no_dialog_and_show_the_text(page, hostile_url, path):
    page.goto(hostile_url + path)
    page.wait_for_load_state("networkidle")
    for link in page.locator("main a:not([href])").all():
        link.click()  # the `javascript:` links that lost their target
    if path == MARKDOWN:
        assert page.title() == "Hostile </title><script>alert(1)</script> Briefing · Podium"
        assert page.locator("h1").inner_text() == "Hostile </title><script>alert(1)</script> Briefing"
        assert page.get_by_text("Template syntax {{ 7*7 }} and {% raw %}").is_visible()
    if path == PLAIN:
        turn = page.locator("#u1")
        assert 'Plain text <script>alert(1)</script> and "><img src=x onerror=alert(1)> and {{ 7*7 }}.' \
            in turn.inner_text()
    assert page.watcher.dialogs == []
    assert page.watcher.problems() == []


@pytest.mark.browser
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_searching_hostile_text_opens_no_dialog(page, hostile_url, query):
    page.goto(hostile_url)
    box = page.locator("header input[type=search][name=q]")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.locator("#search-results:not([aria-busy])").wait_for(state="attached")
    answer = page.locator("#search-status, #search-error").filter(has_text=re.compile(r"\S"))
    assert answer.count() == 1
    assert re.search(r"results? for|cannot be read", answer.inner_text()), answer.inner_text()
    results = page.locator("#search-results")
    if query == "script":
        results.locator("li").first.wait_for()
        assert "<script>alert(1)</script>" in results.inner_text()
        assert results.locator("script, img, svg").count() == 0
    assert page.watcher.dialogs == []
    assert page.watcher.problems() == []


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", MARKDOWN, "speakers/mallory-evil/"])
def test_long_hostile_text_needs_no_sideways_scrolling_on_a_phone(browser, hostile_url, path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(hostile_url + path)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{path or 'home'} is {widths[0]}px wide on a {widths[1]}px screen"
    finally:
        context.close()
