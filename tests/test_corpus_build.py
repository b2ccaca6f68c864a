"""The whole corpus builds into a correct site (runs when PODIUM_CORPUS is set; CI sets it).

One build of ~2,150 real briefings, shared by every test here.
"""

import datetime as dt
import importlib.machinery
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
from browser import result_dates, wait_for_search_results
from linkcheck import broken_links

from generator.build import build, source_files
from generator.config import Config

pytestmark = pytest.mark.corpus
pytest_plugins = ["browser"]  # fixtures: browser, serve_folder
PRESIDENTS = [(dt.date(2009, 1, 20), "barack-obama"), (dt.date(2017, 1, 20), "donald-j-trump"),
              (dt.date(2021, 1, 20), "joe-biden"), (dt.date(2025, 1, 20), "donald-j-trump")]
ROLES = {"q", "question", "moderator", "operator", "aide", "staff", "interpreter",
         "senior-administration-official", "senior-administration-official-one"}


@pytest.fixture(scope="module")
def site(corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("corpus") / "output"
    report = build(corpus, output, Config(), workers=os.cpu_count() or 1)
    return corpus, output, report


def briefings(output: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((output / "api/briefings").glob("*.json"))]


@pytest.fixture(scope="module")
def exported(site):
    return briefings(site[1])


def test_every_file_is_built(site, exported):
    corpus, output, report = site
    assert report.errors == []
    sources = source_files(corpus)
    assert len(exported) == len(sources) == report.files
    index = json.loads((output / "api/index.json").read_text(encoding="utf-8"))
    assert len(index) == len(sources)
    assert all((output / b["url"] / "index.html").is_file() for b in index)


def test_the_president_resolves_to_the_office_holder_of_the_day(exported, corpus):
    checked = 0
    for briefing in exported:
        for turn in briefing["utterances"]:
            if (turn["label"] or "").upper().replace(".", "") != "THE PRESIDENT":
                continue
            checked += 1
            if briefing["date"]:
                day = dt.date.fromisoformat(briefing["date"])
                expected = [slug for start, slug in PRESIDENTS if start <= day][-1]
            else:  # undated 2009-2016 plain text: the folder's period is Obama's
                expected = "barack-obama"
            assert turn["speaker"] == expected, (briefing["slug"], turn["id"])
    assert checked > 1000


@pytest.mark.parametrize("surname, name", [
    ("psaki", "Jen Psaki"), ("jean-pierre", "Karine Jean-Pierre"), ("carney", "Jay Carney"),
    ("earnest", "Josh Earnest"), ("kirby", "John Kirby")])
def test_press_secretaries_have_one_page_with_their_full_name(site, surname, name):
    output = site[1]
    pages = [p.name for p in (output / "speakers").iterdir() if p.is_dir() and surname in p.name]
    assert pages == [name.lower().replace(" ", "-")]
    assert f"<h1>{name}</h1>" in (output / "speakers" / pages[0] / "index.html").read_text()


def test_no_person_page_for_a_role_or_a_sentence(site, exported):
    speakers = {s["slug"]: s["name"] for b in exported for s in b["speakers"]}
    assert not ROLES & set(speakers)
    sentence_like = {slug: name for slug, name in speakers.items()
                     if len(name.split()) > 5 or re.search(r"\b(?:is|are|the|my|what|line)\b", name)}
    assert sentence_like == {}
    roles = {(t["label"], t["speaker"]) for b in exported for t in b["utterances"]
             if t["label"] in ("Q", "QUESTION", "MODERATOR", "OPERATOR")}
    assert {speaker for _, speaker in roles} == {None}


def test_every_link_and_anchor_resolves(site):
    assert broken_links(site[1]) == []


# ---- people (issue 14), measured as bench/people measures them ----------------------


@pytest.fixture(scope="module")
def people(site):
    loader = importlib.machinery.SourceFileLoader("bench_people", str(Path(__file__).parent.parent / "bench" / "people"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module.measure(site[1])


def test_nearly_every_named_person_has_a_first_name(people):
    assert people["named_person_turns"] > 100_000
    assert people["share_without_first_name"] <= 0.3, people["top_without_first_name"]


def test_every_surname_on_several_pages_is_explained(people):
    assert people["surnames_on_several_pages"] == {}
    assert people["bad_names"] == []
    assert people["wrong_merges_found"] == []


@pytest.mark.parametrize("surname, name", [
    ("rhodes", "Ben Rhodes"), ("slavitt", "Andy Slavitt"), ("walensky", "Rochelle Walensky"),
    ("zelenskyy", "Volodymyr Zelenskyy"), ("psaki", "Jen Psaki"), ("sperling", "Gene Sperling"),
    ("mcgurk", "Brett McGurk"), ("bernstein", "Jared Bernstein"), ("brennan", "John Brennan"),
    ("sullivan", "Jake Sullivan"), ("neuberger", "Anne Neuberger"), ("zients", "Jeff Zients"),
])
def test_one_person_has_one_page(site, surname, name):
    record = json.loads((site[1] / "api" / "people.json").read_text(encoding="utf-8"))
    names = {p["name"] for p in record["people"] if p["name"].split()[-1].casefold() == surname}
    assert names == {name}


@pytest.mark.browser
def test_search_sorted_by_newest_lists_dates_in_order(site, exported, browser, serve_folder):
    """On the corpus site in Chromium: "ceasefire", newest first, lists dates newest
    first, and begins at the newest briefing that says it (worked out here from api/)."""
    said = re.compile(r"\bceasefires?\b", re.IGNORECASE)
    newest = max(b["date"] for b in exported if b["date"] and (
        said.search(b["title"]) or any(said.search(u["text"] or "") for u in b["utterances"])))
    with serve_folder(site[1]) as url:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{url}search/?q=ceasefire&sort=newest")
        wait_for_search_results(page)
        dates = result_dates(page)
        assert page.locator("#search-sort").input_value() == "newest"
        context.close()
    assert len(dates) == 10 and dates == sorted(dates, reverse=True), dates
    assert dates[0] == newest


@pytest.mark.browser
def test_a_word_over_time_equals_the_counts_in_the_export(site, exported, browser, serve_folder):
    """The trend chart for "ceasefire" in Chromium: per year, the turns whose words (or
    whose briefing's title) have the term, counted here from api/ with lunr.py's own
    tokenizer, trimmer and stemmer; and a click on a year narrows the results to it."""
    from lunr.stemmer import stemmer
    from lunr.tokenizer import Tokenizer
    from lunr.trimmer import trimmer

    def has_term(text: str | None) -> bool:
        return any(str(stemmer(trimmer(token))) == "ceasefir" for token in Tokenizer(text or ""))

    expected: dict[str, int] = {}
    for b in exported:
        titled = has_term(b["title"])
        n = sum(1 for u in b["utterances"] if u["text"] and (titled or has_term(u["text"]) or has_term(u["speaker"])))
        if n:
            year = b["date"][:4] if b["date"] else "undated"
            expected[year] = expected.get(year, 0) + n
    undated = expected.pop("undated", 0)
    with serve_folder(site[1]) as url:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{url}search/?q=ceasefire")
        page.wait_for_selector("#search-trend:not([hidden]) .trend button")
        bars = page.eval_on_selector_all("#search-trend .trend button", """bs => bs.map(b =>
            [b.getAttribute('data-from').slice(0, 4), Number(b.firstChild.textContent)])""")
        note = page.locator("#search-trend-note").inner_text()
        page.click("#search-trend .trend button >> nth=-2")  # the year before the last
        page.wait_for_url(re.compile(r"to=\d{4}-12-31"))
        wait_for_search_results(page)
        shown = result_dates(page)
        status = page.locator("#search-status").inner_text()
        context.close()
    assert {year: n for year, n in bars if n} == expected
    assert note == (f"And {undated} in undated transcripts." if undated else "")
    year, n = bars[-2]
    assert status.startswith(f"{n} result") and shown and all(d.startswith(year + "-") for d in shown)
