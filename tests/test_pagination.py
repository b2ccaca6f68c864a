"""Large archives: the home page and big speakers' pages show the latest and link to a
page per year; every briefing and every turn is still one click away."""

import datetime as dt
import re
from pathlib import Path

import pytest
from linkcheck import broken_links

from generator.build import build
from generator.config import Config
from generator.model import HOME_PAGE_BRIEFINGS, SPEAKER_PAGE_APPEARANCES

YEARS = (2013, 2014, 2015, 2016)


def write_briefing(content: Path, n: int, day: dt.date | None) -> None:
    date = f"date: {day.isoformat()}\n" if day else ""
    (content / f"b{n:03}.md").write_text(
        f"---\ntitle: Press Gaggle Number {n}\n{date}---\n\n"
        f"MR. KIRBY: Opening words {n}.\n\nQ: A question {n}?\n\nMR. KIRBY: An answer {n}.\n",
        encoding="utf-8")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    content = root / "content"
    content.mkdir()
    (content / "speakers.yaml").write_text("- name: John Kirby\n  aliases: [MR KIRBY]\n")
    for n in range(120):
        write_briefing(content, n, dt.date(YEARS[n % 4], 1 + n % 12, 1 + n % 28))
    write_briefing(content, 120, None)
    output = root / "output"
    build(content, output, Config(), cache=root / "cache")
    return content, output, root


def links(page: Path, pattern: str) -> list[str]:
    return re.findall(pattern, page.read_text(encoding="utf-8"))


def test_home_shows_the_latest_and_every_year_lists_the_rest(archive):
    _, output, _ = archive
    home = output / "index.html"
    assert len(links(home, r'<h2><a href="(briefings/[^"]+)"')) == HOME_PAGE_BRIEFINGS
    years = links(home, r'href="(years/[^"]+/)"')
    assert years == ["years/2016/", "years/2015/", "years/2014/", "years/2013/", "years/undated/"]
    listed = [b for year in years for b in links(output / year / "index.html", r'<h2><a href="\.\./\.\./(briefings/[^"]+)"')]
    assert len(listed) == len(set(listed)) == 121


def test_a_big_speaker_page_links_every_turn_through_its_years(archive):
    _, output, _ = archive
    page = output / "speakers/john-kirby/index.html"
    assert len(links(page, r'<h3><a href=')) == SPEAKER_PAGE_APPEARANCES
    years = links(page, r'href="\.\./\.\./(speakers/john-kirby/[^"]+/)"')
    assert years == [f"speakers/john-kirby/{y}/" for y in ("2016", "2015", "2014", "2013", "undated")]
    turns = [t for year in years for t in links(output / year / "index.html", r'href="\.\./\.\./\.\./(briefings/[^"]+#u\d+)"')]
    assert len(turns) == len(set(turns)) == 121 * 2


def test_every_link_resolves(archive):
    assert broken_links(archive[1]) == []


def test_a_new_briefing_rerenders_its_year_not_the_others(archive):
    content, output, root = archive
    before = {p: (output / p).stat().st_ino for p in ("years/2013/index.html", "years/2014/index.html")}
    write_briefing(content, 121, dt.date(2014, 6, 1))
    build(content, output, Config(), cache=root / "cache")
    assert (output / "years/2013/index.html").stat().st_ino == before["years/2013/index.html"]
    assert (output / "years/2014/index.html").stat().st_ino != before["years/2014/index.html"]
    assert "Press Gaggle Number 121" in (output / "years/2014/index.html").read_text()
    assert broken_links(output) == []
