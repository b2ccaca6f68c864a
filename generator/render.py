"""Rendering: the site model in, `{path: bytes}` out. Nothing here touches the disk
except to read templates (and keep them compiled in the build cache).

Every page is a `Page` (output path, template, context) so that a build can decide page
by page what needs rendering again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from generator import __version__
from generator.cache import BuildCache, digest
from generator.config import Config
from generator.inline import markdown_inline, paragraph_html
from generator.inputs import SiteInputs
from generator.model import (
    HOME_PAGE_BRIEFINGS,
    SPEAKER_PAGE_APPEARANCES,
    Appearance,
    Appearances,
    Briefing,
    Site,
    Speaker,
    asked_in,
    slugify,
)

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
    # A file made without a template (the JSON export): called with the context.
    make: Callable[[dict[str, Any]], bytes] | None = None

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
    env.globals.update(config=config, version=__version__, asked_in=asked_in, per_month=per_month,
                       transcript=transcript_html, exchange_list=exchange_list,
                       per_year=lambda site: [(year, len(group)) for year, group in reversed(site.years)])
    env.filters.update(
        paragraph=paragraph_html, markdown=_markdown_block, date=format_date, iso=_iso,
        absolute=lambda path: absolute_url(config, path), feed_id=lambda path: feed_id(config, path),
        excerpts=_excerpts, turn=turn_html,
    )
    return env


EXCERPT = 240  # characters of a turn shown in a speaker's list of what they said


@jinja2.pass_environment
def _excerpts(env: jinja2.Environment, turns, root: str) -> Markup:
    """A list item linking to each turn, with its first words: in Python rather than a
    template loop, as a busy speaker's year page lists thousands (9,000 for one year)."""
    root = escape(root)
    return Markup("".join(
        f'    <li><a href="{root}{escape(turn.url)}">'
        f'{escape(do_truncate(env, turn.text, EXCERPT, False) or "(No words recorded.)")}</a></li>\n'
        for turn in turns))


def format_date(day: dt.date | None, missing: str = "Undated") -> str:
    """`December 18, 2015`: spelled out in English whatever the machine's locale."""
    if day is None:
        return missing
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def turn_html(u, root: str) -> Markup:
    """One turn of a briefing page: its head (who, the label as printed, who asked, an
    interpretation badge, the permalink) and its paragraphs. Python, not a template
    loop: a corpus has 222,000 turns, and a macro call per turn was a fifth of the
    render."""
    marks = u.marks
    interpreted = any(kind == "interpretation" for kind, _, _ in marks)
    language = next((language for _, _, language in marks if language), None)
    head = []
    if u.label is not None:
        if u.speaker:
            head.append(f'<a class="speaker" href="{escape(root + u.speaker.url)}">{escape(u.speaker.name)}</a>')
            if u.label:
                head.append(f' <span class="label" title="Label as printed">{escape(u.label)}</span>')
        elif u.role:
            head.append(f'<span class="role role-{u.role.kind.value}">{escape(u.role.name)}</span>')
    if (asker := u.asker) is not None:
        if asker.reporter is not None:
            who = f'<a class="reporter" href="{escape(root + asker.reporter.url)}">{escape(asker.reporter.name)}</a>'
        else:
            who = f'<span class="called">called on: {escape(asker.called)}</span>'
        if asker.outlet is not None:
            who += f' (<a class="outlet" href="{escape(root + asker.outlet.url)}">{escape(asker.outlet.name)}</a>)'
        head.append(f' <span class="asker">asked by {who} <a class="evidence" href="#{asker.evidence_id}" '
                    f'aria-label="Evidence: {escape(asker.how)} in turn {asker.evidence}">evidence</a></span>')
    if language:
        head.append(f' <span class="badge">interpreted from {escape(language)}</span>')
    elif interpreted:
        head.append(' <span class="badge">interpreted</span>')
    name = escape(u.speaker_name or "turn")
    head.append(f' <a class="permalink" href="#{u.id}" aria-label="Link to this turn ({name} {u.index})">#</a>')
    body = "".join(f"\n<p>{paragraph_html(p)}</p>" for p in u.paragraphs) or '\n<p class="empty">(No words recorded.)</p>'
    return Markup(f'<div class="turn turn-{u.kind.value}{" interpreted" if interpreted else ""}" id="{u.id}">\n'
                  f'<p class="turn-head">{"".join(head)}</p>{body}\n</div>')


def question_nav(asked) -> dict[str, tuple[str | None, str | None]]:
    """Each question's exchange id -> the previous and the next one's (or None)."""
    ids = [exchange.id for exchange in asked]
    return {x: (ids[i - 1] if i else None, ids[i + 1] if i + 1 < len(ids) else None) for i, x in enumerate(ids)}


def transcript_html(exchanges, asked, root: str) -> Markup:
    """A briefing's exchanges, each a section of its turns (turn_html), with links to
    the previous and next question on those that open with one. Python, as turn_html."""
    around = question_nav(asked)
    out = []
    for exchange in exchanges:
        x = exchange.id
        out.append(f'    <section class="exchange" id="{x}" aria-label="Exchange {exchange.index}">\n')
        if x in around:
            before, after = around[x]
            out.append('      <p class="question-nav">'
                       + (f'<a href="#{before}" rel="prev">Previous question</a>' if before else "")
                       + (f' <a href="#{after}" rel="next">Next question</a>' if after else "") + "</p>\n")
        out.extend(f"      {turn_html(u, root)}\n" for u in exchange.utterances)
        out.append("    </section>\n")
    return Markup("".join(out))


def exchange_list(asked) -> Markup:
    """The items of a briefing's "On this page" list: for each question, who asked, who
    answered, and its first words, linked to the exchange."""
    out = []
    for exchange in asked:
        asker = exchange.asker
        who = str(escape(asker.reporter.name if asker.reporter else asker.called)) if asker else "Question"
        answerers = exchange.answerers
        if answerers:
            who += " → " + ", ".join(str(escape(s.name)) for s in answerers)
        out.append(f'      <li><a href="#{exchange.id}">{who}</a>: {escape(exchange.opening)}</li>\n')
    return Markup("".join(out))


def per_month(briefings) -> list[tuple[str, int]]:
    """How many briefings each month has (`December 2015`), oldest first, months without
    any left in; undated last."""
    counts: dict[tuple[int, int], int] = {}
    undated = 0
    for briefing in briefings:
        if briefing.date is None:
            undated += 1
        else:
            month = (briefing.date.year, briefing.date.month)
            counts[month] = counts.get(month, 0) + 1
    rows = []
    if counts:
        (year, month), last = min(counts), max(counts)
        while (year, month) <= last:
            rows.append((f"{_MONTHS[month - 1]} {year}", counts.get((year, month), 0)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows + ([("Undated", undated)] if undated else [])


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _markdown_block(source: str | None) -> Markup:
    if not source:
        return Markup("")
    return Markup("".join(f"<p>{markdown_inline(p)}</p>" for p in source.split("\n\n") if p.strip()))


def absolute_url(config: Config, path: str) -> str:
    return config.base_url + path


def feed_id(config: Config, path: str) -> str:
    """An Atom id for the page at `path`, which must be an absolute IRI: its URL under an
    absolute base URL; otherwise a name-based UUID of the site's title and the path,
    stable while the title is (a feed reader matches entries by id)."""
    if config.absolute:
        return absolute_url(config, path)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'podium:{config.title}/{path}')}"


NO_BASE_URL = ("no absolute base URL (base_url: https://host/path/ in podium.yaml, or --base-url): "
               "sitemap.xml is not written, feed ids are urn:uuid names, pages have no canonical "
               "link; pages link to each other relatively and work from any folder")


def pages(site: Site, config: Config) -> list[Page]:
    """Every HTML and XML page of the site, in a fixed order. The sitemap needs full URLs:
    without an absolute base URL there is none (see NO_BASE_URL)."""
    listing = _listing_key(site)
    result = [
        home_page(site),
        Page("speakers/index.html", "speakers.html", {"speakers": site.speakers}, listing),
        Page("search/index.html", "search.html", {}),
        Page("404.html", "404.html", {}),
        Page("feed.xml", "feed.xml", {"briefings": site.briefings[:50], "updated": _updated(site)}, listing),
    ]
    if config.absolute:
        result.append(Page("sitemap.xml", "sitemap.xml", {"site": site}, listing))
    result += [briefing_page(b) for b in site.briefings]
    taken = {speaker.slug for speaker in site.speakers}
    for speaker in site.speakers:
        result.append(speaker_page(speaker))
        result += moved_pages(speaker, taken)
        if speaker.paginated:
            result += [speaker_year_page(speaker, year, group) for year, group in speaker.years]
    result += press_pages(site)
    if site.paginated:
        years = tuple(year for year, _ in site.years)
        result += [Page(f"{site.year_url(year)}index.html", "year.html",
                        {"site": site, "year": year, "briefings": group},
                        (years, tuple(_listing_entry(b) for b in group)))
                   for year, group in site.years]
    return result


def press_pages(site: Site) -> list[Page]:
    """A page for the reporters and one for the outlets, and one for each of them: their
    questions, briefing by briefing (issue 15)."""
    reporters = tuple((r.slug, r.name, tuple(o.name for o in r.outlets[:1]), r.questions, len(r.asked))
                      for r in site.reporters)
    outlets = tuple((o.slug, o.name, o.questions, len(o.reporters)) for o in site.outlets)
    result = [Page("reporters/index.html", "reporters.html", {"reporters": site.reporters}, reporters),
              Page("outlets/index.html", "outlets.html", {"outlets": site.outlets}, outlets)]
    for reporter in site.reporters:
        key = (reporter.slug, reporter.name, tuple((o.slug, o.name) for o in reporter.outlets),
               tuple(sorted(reporter.evidence.items())), _asked_key(reporter.asked))
        result.append(Page(f"{reporter.url}index.html", "reporter.html", {"reporter": reporter}, key))
    for outlet in site.outlets:
        key = (outlet.slug, outlet.name, tuple((r.slug, r.name, r.questions) for r in outlet.reporters),
               _asked_key(outlet.asked))
        result.append(Page(f"{outlet.url}index.html", "outlet.html", {"outlet": outlet}, key))
    return result


def _asked_key(asked) -> tuple:
    """Which briefings, which of their turns (their digests fix the exchanges)."""
    return tuple((b.slug, b.title, b.date, b.digest, turns) for b, turns in asked)


def home_page(site: Site) -> Page:
    if not site.paginated:
        return Page("index.html", "index.html", {"site": site, "briefings": site.briefings},
                    _listing_key(site))
    latest = site.briefings[:HOME_PAGE_BRIEFINGS]
    years = tuple((year, len(group)) for year, group in site.years)
    return Page("index.html", "index.html", {"site": site, "briefings": latest},
                (tuple(_listing_entry(b) for b in latest), years))


def briefing_page(briefing: Briefing) -> Page:
    neighbours = tuple((b.slug, b.title) if b else None for b in (briefing.previous, briefing.next))
    return Page(f"{briefing.url}index.html", "briefing.html", {"briefing": briefing},
                (content_key(briefing), neighbours))


def content_key(briefing: Briefing) -> str:
    """The digest of `briefing_key`, worked out once: its page, its export and the
    index all start from it."""
    if not briefing.content_key:
        briefing.content_key = digest(repr(briefing_key(briefing)).encode())
    return briefing.content_key


def briefing_key(briefing: Briefing) -> tuple:
    """A briefing's own content (its digest fixes which label each turn has) and who
    each of its labels resolved to."""
    people = tuple((s.slug, s.name, tuple(s.offices)) for s in briefing.speakers)
    labels = tuple((r.speaker.slug if r.speaker else r.role.key if r.role else None) for r in briefing.resolved)
    askers = tuple((turn, a.reporter.slug if a.reporter else None, a.reporter.name if a.reporter else None,
                    a.outlet.slug if a.outlet else None, a.outlet.name if a.outlet else None, a.called, a.evidence,
                    a.how) for turn, a in sorted(briefing.askers.items()))  # the names are the archive's
    return (briefing.digest, briefing.slug, briefing.kind, people, labels, askers)


def speaker_page(speaker: Speaker) -> Page:
    shown = speaker.appearances[:SPEAKER_PAGE_APPEARANCES] if speaker.paginated else speaker.appearances
    others = tuple((o.slug, o.name, n) for o, n in speaker.appeared_with())
    years = tuple((year, len(group)) for year, group in speaker.years) if speaker.paginated else ()
    key = (speaker.slug, speaker.name, tuple(speaker.offices), speaker.bio, speaker.turn_count,
           len(speaker.briefings), _appearances_key(shown), others, years, repr(speaker.figures()))
    return Page(f"{speaker.url}index.html", "speaker.html", {"speaker": speaker, "appearances": Appearances(shown)},
                key)


def moved_pages(speaker: Speaker, taken: set[str]) -> list[Page]:
    """A page at the address each other form of the speaker's name would have had
    (`speakers/jeffrey-zients/` for Jeff Zients), sending the reader on to theirs; an
    address no one else has (`taken`, to which it adds)."""
    moved = {}
    for printed in sorted(speaker.variants):
        slug = slugify(printed, fallback="")
        if slug and slug not in taken:  # the first speaker (by name) to claim an address keeps it
            moved[slug] = printed
            taken.add(slug)
    return [Page(f"speakers/{slug}/index.html", "moved.html", {"speaker": speaker, "printed": printed},
                 (speaker.slug, speaker.name, printed)) for slug, printed in moved.items()]


def speaker_year_page(speaker: Speaker, year: str, group: list) -> Page:
    years = tuple(y for y, _ in speaker.years)
    key = (speaker.slug, speaker.name, year, years, _appearances_key(group))
    return Page(f"{speaker.year_url(year)}index.html", "speaker_year.html",
                {"speaker": speaker, "year": year, "appearances": Appearances(group)}, key)


def _appearances_key(appearances: list[Appearance]) -> tuple:
    """Which briefings, and which of their labels (their digests fix which turns)."""
    return tuple((b.slug, b.title, b.date, b.digest, labels) for b, labels in appearances)


def _listing_entry(b: Briefing) -> tuple:
    return (b.slug, b.title, b.date, b.kind, b.place, b.time, tuple(s.name for s in b.speakers))


def _listing_key(site: Site) -> tuple:
    briefings = tuple(_listing_entry(b) for b in site.briefings)
    speakers = tuple((s.slug, s.name, s.turn_count, len(s.briefings)) for s in site.speakers)
    return briefings, speakers


def _updated(site: Site) -> dt.date:
    dates = [b.date for b in site.briefings if b.date]
    return max(dates) if dates else dt.date(1970, 1, 1)


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by an earlier build, kept in the build cache: a rebuild renders
    a dozen pages, and compiling their templates took a third of that (31 ms for the
    twelve). Jinja checks each against its template's source; the code it compiled also
    holds the filters it folded on constants (`""|absolute` is the base URL), so each is
    kept under the site's inputs too (inputs.SiteInputs: config, templates, Podium)."""

    def __init__(self, store: BuildCache, inputs: str) -> None:
        self.store, self.inputs = store, inputs

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.load("templates", self._key(bucket))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.store("templates", self._key(bucket), bucket.bytecode_to_string())

    def _key(self, bucket: jinja2.bccache.Bucket) -> str:
        return digest(f"{self.inputs} {bucket.key}".encode())


class Renderer:
    def __init__(self, config: Config, store: BuildCache | None = None, inputs: SiteInputs | None = None):
        self.config = config
        self.env = environment(config)
        if store is not None and store.folder is not None and inputs is not None:
            self.env.bytecode_cache = CompiledTemplates(store, inputs.key)

    def render(self, page: Page) -> bytes:
        if page.make is not None:
            return page.make(page.context)
        template = self.env.get_template(page.template)
        # The 404 page is served at any depth, so only an absolute root works there.
        root = self.config.base_url if page.path == "404.html" else page.root
        return template.render(page.context, root=root, page_path=page.path).encode("utf-8")
