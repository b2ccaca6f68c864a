"""Rendering: the site model in, `{path: bytes}` out. Nothing here touches the disk
except to read templates.

Every page is a `Page` (output path, template, context) so that a build can decide page
by page what needs rendering again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import __version__
from generator.config import Config
from generator.inline import markdown_inline, paragraph_html
from generator.model import Briefing, Site, Speaker

PACKAGE = Path(__file__).resolve().parent


def template_dir() -> Path:
    """Templates ship inside the wheel; in a checkout they live at the top level."""
    for candidate in (PACKAGE / "templates", PACKAGE.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("Podium's templates are missing (looked in generator/templates and templates/)")


@dataclass
class Page:
    path: str  # relative to the output root, always ending in .html/.xml
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # Everything the page shows besides templates and config: equal keys, equal bytes.
    key: tuple = ()

    @property
    def root(self) -> str:
        """The relative prefix from this page to the site root: '', '../', '../../'."""
        return "../" * self.path.count("/")


def environment(config: Config) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(config=config, version=__version__)
    env.filters.update(
        paragraph=paragraph_html, markdown=_markdown_block, date=format_date, iso=_iso,
        absolute=lambda path: absolute_url(config, path),
    )
    return env


def format_date(day: dt.date | None, missing: str = "Undated") -> str:
    """`December 18, 2015`: spelled out in English whatever the machine's locale."""
    if day is None:
        return missing
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _markdown_block(source: str | None) -> Markup:
    if not source:
        return Markup("")
    return Markup("".join(f"<p>{markdown_inline(p)}</p>" for p in source.split("\n\n") if p.strip()))


def absolute_url(config: Config, path: str) -> str:
    return config.base_url + path


def pages(site: Site) -> list[Page]:
    """Every HTML and XML page of the site, in a fixed order."""
    listing = _listing_key(site)
    result = [
        Page("index.html", "index.html", {"briefings": site.briefings}, listing),
        Page("speakers/index.html", "speakers.html", {"speakers": site.speakers}, listing),
        Page("search/index.html", "search.html", {}),
        Page("404.html", "404.html", {}),
        Page("feed.xml", "feed.xml", {"briefings": site.briefings[:50], "updated": _updated(site)}, listing),
        Page("sitemap.xml", "sitemap.xml", {"site": site}, listing),
    ]
    result += [briefing_page(b) for b in site.briefings]
    result += [speaker_page(s) for s in site.speakers]
    return result


def briefing_page(briefing: Briefing) -> Page:
    neighbours = tuple((b.slug, b.title) if b else None for b in (briefing.previous, briefing.next))
    return Page(f"{briefing.url}index.html", "briefing.html", {"briefing": briefing},
                (briefing_key(briefing), neighbours))


def briefing_key(briefing: Briefing) -> tuple:
    """A briefing's own content and who its labels resolved to."""
    people = tuple((s.slug, s.name, tuple(s.offices)) for s in briefing.speakers)
    turns = tuple((u.speaker.slug if u.speaker else u.role.key if u.role else None)
                  for u in briefing.utterances)
    return (briefing.digest, briefing.slug, briefing.kind, people, turns)


def speaker_page(speaker: Speaker) -> Page:
    appearances = tuple((b.slug, b.digest) for b in speaker.briefings)
    turns = tuple((u.briefing.slug, u.index) for u in speaker.utterances)
    others = tuple((o.slug, o.name, n) for o, n in speaker.appeared_with())
    key = (speaker.slug, speaker.name, tuple(speaker.offices), speaker.bio, appearances, turns, others)
    return Page(f"{speaker.url}index.html", "speaker.html", {"speaker": speaker}, key)


def _listing_key(site: Site) -> tuple:
    briefings = tuple((b.slug, b.title, b.date, b.kind, b.place, b.time, tuple(s.name for s in b.speakers))
                      for b in site.briefings)
    speakers = tuple((s.slug, s.name, len(s.utterances), len(s.briefings)) for s in site.speakers)
    return briefings, speakers


def _updated(site: Site) -> dt.date:
    dates = [b.date for b in site.briefings if b.date]
    return max(dates) if dates else dt.date(1970, 1, 1)


class Renderer:
    def __init__(self, config: Config):
        self.config = config
        self.env = environment(config)

    def render(self, page: Page) -> bytes:
        template = self.env.get_template(page.template)
        # The 404 page is served at any depth, so only an absolute root works there.
        root = self.config.base_url if page.path == "404.html" else page.root
        return template.render(page.context, root=root, page_path=page.path).encode("utf-8")
