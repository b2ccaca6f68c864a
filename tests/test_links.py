"""Every internal link and #fragment of a built site leads somewhere, at any base URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from linkcheck import broken_links

from generator.build import build
from generator.config import Config

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
CONTENTS = {"demo": REPO / "content", "three_briefings": SITES / "three_briefings"}
BASE_URLS = ["/", "/archive/", "https://example.org/archive/"]


def build_site(content: Path, output: Path, base_url: str = "/") -> Path:
    build(content, output, Config().with_overrides(base_url=base_url))
    return output


@pytest.mark.parametrize("base_url", BASE_URLS)
@pytest.mark.parametrize("site", sorted(CONTENTS))
def test_every_internal_link_resolves(tmp_path, site, base_url):
    output = build_site(CONTENTS[site], tmp_path / "output", base_url)
    pages = list(output.rglob("*.html"))
    assert len(pages) >= 8
    assert broken_links(output, base_url) == []


def test_the_multi_briefing_site_links_briefings_to_each_other(tmp_path):
    output = build_site(CONTENTS["three_briefings"], tmp_path / "output")
    page = (output / "briefings/2016-01-12-press-availability-on-the-iran-nuclear-deal/index.html")
    html = page.read_text()
    assert 'rel="prev" href="../../briefings/2016-01-05-daily-press-briefing/"' in html
    assert 'rel="next" href="../../briefings/2016-01-20-press-gaggle-aboard-the-plane/"' in html


def _page(root: Path, path: str, body: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(f"<!DOCTYPE html><html><body>{body}</body></html>\n")


def test_the_checker_reports_what_is_broken(tmp_path):
    _page(tmp_path, "index.html", '<a href="a/">a</a>\n<a href="a/#u2">u2</a>\n<a href="b/">b</a>')
    _page(tmp_path, "a/index.html", '<p id="u1"><a href="#u1">self</a> <a href="#nope">x</a>'
          '<a href="../../outside.html">out</a><img src="/static/x.png" alt="">'
          '<a href="javascript:alert(1)">js</a><a href="https://example.com/">ext</a></p>')
    assert broken_links(tmp_path) == [
        "a/index.html:1: '#nope' names no id 'nope' in a/index.html",
        "a/index.html:1: '../../outside.html' leads outside the site",
        "a/index.html:1: '/static/x.png' leads to missing static/x.png",
        "a/index.html:1: 'javascript:alert(1)' has a scheme",
        "index.html:2: 'a/#u2' names no id 'u2' in a/index.html",
        "index.html:3: 'b/' leads to missing folder b/",
    ]


def test_root_relative_links_must_stay_under_the_base_url(tmp_path):
    _page(tmp_path, "index.html", '<a href="/archive/">home</a><a href="/elsewhere/">x</a>')
    assert broken_links(tmp_path, "/archive/") == [
        "index.html:1: '/elsewhere/' is root-relative outside the base URL /archive/",
    ]
