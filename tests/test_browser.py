"""What a reader does in a real browser (Debian chromium): click through the demo site,
follow permalinks and search results, read without JavaScript, on a phone, in the dark;
and axe-core finds no serious accessibility problems."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.browser
pytest_plugins = ["browser"]  # fixtures: browser, demo_site, demo_url, page

SEED_SLUG = "2015-12-18-remarks-at-a-press-availability-with-foreign-minister-sergey-lavrov"
BRIEFING = f"briefings/{SEED_SLUG}/"
PAGES = {
    "home": "",
    "briefing": BRIEFING,
    "speaker": "speakers/john-kerry/",
    "speakers index": "speakers/",
    "search": "search/?q=ceasefire",
    "404": "404.html",
    "reporter": "reporters/talal-al-haj/",
    "reporters index": "reporters/",
    "outlet": "outlets/al-arabiya/",
    "outlets index": "outlets/",
}


def assert_clean(page) -> None:
    problems = page.watcher.problems()
    assert problems == [], "\n".join(problems)


def target_id(page) -> str | None:
    return page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")


def test_a_reader_clicks_from_home_to_briefing_to_speaker_and_back(page, demo_url):
    page.goto(demo_url)
    page.get_by_role("link", name=re.compile("^Remarks at a Press Availability")).click()
    page.wait_for_url(f"{demo_url}{BRIEFING}")
    assert page.locator("h1").inner_text().startswith("Remarks at a Press Availability")
    page.locator(".participants").get_by_role("link", name="Sergey Lavrov").click()
    page.wait_for_url(f"{demo_url}speakers/sergey-lavrov/")
    assert page.locator("h1").inner_text() == "Sergey Lavrov"
    page.locator(".appearance h3 a").click()
    page.wait_for_url(f"{demo_url}{BRIEFING}")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Speakers").click()
    page.wait_for_url(f"{demo_url}speakers/")
    page.get_by_role("link", name="John Kirby").click()
    page.wait_for_url(f"{demo_url}speakers/john-kirby/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Briefings").click()
    page.wait_for_url(demo_url)
    assert page.locator("h1").inner_text() == "Briefings"
    assert_clean(page)


def test_every_turn_has_an_id_and_a_visible_permalink(page, demo_url):
    page.goto(f"{demo_url}{BRIEFING}")
    turns = page.locator(".turn")
    assert turns.count() == 50
    assert [turns.nth(i).get_attribute("id") for i in range(50)] == [f"u{n}" for n in range(1, 51)]
    for i in range(50):
        permalink = turns.nth(i).locator("a.permalink")
        assert permalink.is_visible(), f"turn u{i + 1} has no visible permalink"
        assert permalink.get_attribute("href") == f"#u{i + 1}"
    turns.nth(6).locator("a.permalink").click()
    assert page.url.endswith("#u7")
    assert target_id(page) == "u7"
    assert_clean(page)


def test_a_speakers_excerpt_lands_on_that_turn(page, demo_url):
    page.goto(f"{demo_url}speakers/staffan-de-mistura/")
    excerpts = page.locator(".excerpts a")
    assert excerpts.count() == 4
    href = excerpts.nth(2).get_attribute("href")
    turn = href.rsplit("#", 1)[1]
    excerpts.nth(2).click()
    page.wait_for_url(f"{demo_url}{BRIEFING}#{turn}")
    assert target_id(page) == turn
    target = page.locator(f"#{turn}")
    assert target.is_visible()
    assert target.locator(".speaker").inner_text() == "Staffan de Mistura"
    assert page.evaluate(f"document.getElementById('{turn}').getBoundingClientRect().top") < 200
    assert_clean(page)


def test_searching_barrel_bombs_finds_kerry_and_lands_on_the_turn(page, demo_url):
    page.goto(f"{demo_url}{BRIEFING}")
    box = page.locator("header input[type=search][name=q]")
    box.fill("barrel bombs")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=barrel\+bombs$"))
    first = page.locator("#search-results li").first
    first.wait_for()
    link = first.locator("a").first
    href = link.get_attribute("href")
    match = re.fullmatch(rf"(?:\.\./)?{BRIEFING}#(u\d+)", href)
    assert match, f"result link {href!r} is not a briefing turn"
    assert match[1] in ("u1", "u35")  # John Kerry's two turns that name barrel bombs
    assert "John Kerry" in first.inner_text()
    assert "barrel" in first.locator("mark").first.inner_text().lower()
    link.click()
    page.wait_for_url(f"{demo_url}{BRIEFING}#{match[1]}")
    assert target_id(page) == match[1]
    assert page.locator(f"#{match[1]} .speaker").inner_text() == "John Kerry"
    assert_clean(page)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_console_errors_or_csp_violations(page, demo_url, name):
    page.goto(demo_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    if name == "search":
        page.locator("#search-results li").first.wait_for()
    assert page.locator("h1").count() == 1
    assert_clean(page)


def test_without_javascript_the_briefing_reads_and_search_says_why(browser, demo_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{demo_url}{BRIEFING}")
        first = page.locator("#u1")
        assert first.is_visible()
        assert "Well, good evening, everybody." in first.inner_text()
        assert page.locator(".turn").count() == 50
        page.goto(f"{demo_url}search/?q=barrel+bombs")
        notice = page.locator("main noscript p")  # playwright's text search skips <noscript>
        assert notice.is_visible()
        assert "needs JavaScript" in notice.inner_text()
        assert page.locator("#search-results li").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", BRIEFING, "speakers/", "search/?q=ceasefire"])
def test_a_phone_screen_needs_no_sideways_scrolling(browser, demo_url, path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(demo_url + path)
        page.wait_for_load_state("networkidle")
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px screen"
    finally:
        context.close()


def test_dark_mode_changes_the_background(browser, demo_url):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{demo_url}{BRIEFING}")
        colours[scheme] = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]")
        context.close()
    assert colours["light"] == ["rgb(255, 255, 255)", "rgb(27, 27, 31)"]
    assert colours["dark"][0] != colours["light"][0]
    assert colours["dark"][1] != colours["light"][1]


# ---- accessibility -------------------------------------------------------------------


@pytest.fixture(scope="module", params=["light", "dark"])
def axe_context(browser, request):
    """A context that may inject axe-core inline despite the pages' script-src 'self'."""
    context = browser.new_context(bypass_csp=True, color_scheme=request.param)
    yield context
    context.close()


def axe_results(context, axe_source: str, url: str, ready: str | None = None) -> dict:
    """axe-core's run over the page at `url`, once `ready` (a selector) is shown."""
    page = context.new_page()
    try:
        page.goto(url)
        if ready:
            page.locator(ready).first.wait_for()
        page.add_script_tag(content=axe_source)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        page.close()
    assert results["testEngine"]["name"] == "axe-core"
    return results


@pytest.mark.parametrize("name", sorted(PAGES))
def test_axe_finds_no_serious_violations(axe_context, axe_source, demo_url, name):
    results = axe_results(axe_context, axe_source, demo_url + PAGES[name],
                          "#search-results li" if name == "search" else None)
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5],
         "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else ""}
        for v in results["violations"]
    ]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(violations, indent=1)


@pytest.mark.parametrize("name", ["reporter", "reporters index", "outlet", "outlets index", "briefing", "search"])
def test_axe_finds_no_violations_at_all_on_the_pages_of_who_asked(axe_context, axe_source, demo_url, name):
    """Issue 15: the reporter and outlet pages, and the briefing page that links to them,
    with no violation of any impact; and (issue 16) the search page with results, its
    chart of matches over time and its order."""
    results = axe_results(axe_context, axe_source, demo_url + PAGES[name],
                          "#search-trend:not([hidden]) .trend button" if name == "search" else None)
    assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]] == []


def test_a_reporter_s_question_leads_to_its_exchange_and_the_evidence(page, demo_url):
    page.goto(f"{demo_url}reporters/talal-al-haj/")
    links = page.locator(".asked ul a")
    assert links.count() == 4
    links.nth(2).click()
    page.wait_for_url(re.compile(r".*#x\d+$"))
    exchange = target_id(page)
    assert exchange.startswith("x") and page.locator(f"#{exchange} .asker").first.is_visible()
    asker = page.locator(f"#{exchange} .asker").first
    assert "asked by Talal Al-Haj (Al Arabiya)" in " ".join(asker.inner_text().split())
    asker.locator("a.evidence").click()
    assert "My name is Talal Al-Haj" in page.locator(f"#{target_id(page)}").inner_text()
    assert_clean(page)


def test_next_question_walks_the_exchanges(page, demo_url):
    page.goto(f"{demo_url}{BRIEFING}")
    listed = page.locator("nav.exchanges li a")
    count = listed.count()
    assert count >= 3
    first = listed.first.get_attribute("href")
    page.goto(f"{demo_url}{BRIEFING}{first}")
    seen = [first]
    for _ in range(count - 1):
        page.locator(f"{seen[-1]} .question-nav a[rel=next]").click()
        seen.append("#" + target_id(page))
    assert seen == [listed.nth(i).get_attribute("href") for i in range(count)]
    assert page.locator(f"{seen[-1]} .question-nav a[rel=next]").count() == 0


def test_searching_by_who_asked_finds_only_their_questions(page, demo_url):
    page.goto(f"{demo_url}search/")
    page.locator("#search-q").fill("question")
    page.locator("#search-q").press("Enter")
    page.locator("#search-results li").first.wait_for()
    everyone = page.locator("#search-results li").count()
    page.select_option("#search-asker", "karen-deyoung")
    page.wait_for_url(re.compile(r".*asker=karen-deyoung.*"))
    page.wait_for_function("document.querySelector('#search-status').textContent.includes('result for')")
    results = page.locator("#search-results li")
    assert results.count() == 1 < everyone
    assert "Asked by Karen DeYoung, Washington Post" in results.first.inner_text()
    page.goto(f"{demo_url}search/?q=interpretation&interpreted=yes")
    page.locator("#search-results li").first.wait_for()
    assert "Sergey Lavrov" in page.locator("#search-results li").first.inner_text()
    assert_clean(page)


# ---- without chromium ----------------------------------------------------------------


@pytest.mark.parametrize(("required", "outcome"), [("", "skip"), ("1", "fail")])
def test_missing_chromium_skips_unless_required(monkeypatch, tmp_path, required, outcome):
    import browser as helpers  # loaded as a plugin already; imported here for its function

    monkeypatch.setattr(helpers, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("PODIUM_REQUIRE_BROWSER", required)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected, match="no-chromium is missing: `apt-get install chromium`"):
        helpers.require_chromium()


def test_the_watcher_sees_csp_violations_console_errors_and_dialogs(page, serve_folder, tmp_path):
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<meta http-equiv="Content-Security-Policy" content="script-src \'self\'">'
        '<link rel="icon" href="data:,"><script src="bad.js"></script></head>'
        '<body><script>alert(1)</script><p>x</p></body></html>\n')
    (tmp_path / "bad.js").write_text('console.error("boom"); alert("hi");\n')
    with serve_folder(tmp_path) as url:
        page.goto(url)
        problems = page.watcher.problems()
    assert any("console error: boom" in p for p in problems), problems
    assert any("CSP script-src-elem blocked inline" in p for p in problems), problems
    assert any("dialog" in p and "'hi'" in p for p in problems), problems
