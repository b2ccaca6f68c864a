"""The site model: briefings made of exchanges of turns, speakers, and the URLs of each.

The model owns URLs and output paths; templates only ask for them. One place, `slugify`,
decides what a slug is, so nothing read from a transcript can name a path outside the
output folder.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from generator.inline import markdown_text
from generator.parse.records import Paragraph, SegmentKind

SLUG_MAX = 80
# Past these, a speaker's page shows the latest appearances and links to a page per
# year, and the home page the latest briefings and a page per year: readers get pages
# of a sane size, and a new briefing re-renders its own year, not the whole archive.
SPEAKER_PAGE_APPEARANCES = 25
HOME_PAGE_BRIEFINGS = 100


def year_of(day: dt.date | None) -> str:
    return str(day.year) if day else "undated"


def slugify(text: str, fallback: str = "untitled") -> str:
    """Lowercase ASCII words joined by hyphens: safe as a path segment and a URL."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0]
    return slug or fallback


class TurnKind(str, Enum):
    """What a turn is in the event, so exchanges and figures can be built on it."""

    REMARKS = "remarks"  # a named person speaks
    QUESTION = "question"  # a reporter asks (Q, QUESTION)
    MODERATION = "moderation"  # moderator, operator, staff running the room
    ANONYMOUS = "anonymous"  # an unnamed official or participant
    INTERPRETATION = "interpretation"  # an interpreter speaks as such
    NARRATION = "narration"  # unlabelled text before the first label


@dataclass(frozen=True)
class Role:
    """An anonymous part in the room (`Q`, `MODERATOR`): shown as what it is, no page."""

    key: str
    name: str
    kind: TurnKind


@dataclass(eq=False)
class Speaker:
    slug: str
    name: str
    offices: list[str] = field(default_factory=list)
    bio: str | None = None  # Markdown, from the registry
    utterances: list[Utterance] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"speakers/{self.slug}/"

    @cached_property
    def briefings(self) -> list[Briefing]:
        """Briefings this speaker spoke in, newest first (read after the link pass)."""
        seen: dict[int, Briefing] = {}
        for utterance in self.utterances:
            seen.setdefault(id(utterance.briefing), utterance.briefing)
        return sorted(seen.values(), key=Briefing.sort_key, reverse=True)

    @cached_property
    def appearances(self) -> list[tuple[Briefing, list[Utterance]]]:
        """Each briefing (newest first) with this speaker's turns in it."""
        turns: dict[int, list[Utterance]] = {}
        for utterance in self.utterances:
            turns.setdefault(id(utterance.briefing), []).append(utterance)
        return [(briefing, turns[id(briefing)]) for briefing in self.briefings]

    @cached_property
    def years(self) -> list[tuple[str, list[tuple[Briefing, list[Utterance]]]]]:
        """Appearances grouped by year, newest year first, undated last."""
        groups: dict[str, list[tuple[Briefing, list[Utterance]]]] = {}
        for briefing, turns in self.appearances:
            groups.setdefault(year_of(briefing.date), []).append((briefing, turns))
        return list(groups.items())

    @property
    def paginated(self) -> bool:
        return len(self.appearances) > SPEAKER_PAGE_APPEARANCES

    def year_url(self, year: str) -> str:
        return f"{self.url}{year}/"

    def appeared_with(self) -> list[tuple[Speaker, int]]:
        """Other people in this speaker's briefings, most shared briefings first."""
        counts: dict[str, tuple[Speaker, int]] = {}
        for briefing in self.briefings:
            for other in briefing.speakers:
                if other is not self:
                    _, n = counts.get(other.slug, (other, 0))
                    counts[other.slug] = (other, n + 1)
        return sorted(counts.values(), key=lambda pair: (-pair[1], pair[0].name))


def words_of(paragraphs: Sequence[Paragraph]) -> str:
    """The words spoken, paragraphs joined, stage directions, marks and Markdown syntax
    left out."""
    words = (markdown_text(p.plain) if p.markdown else p.plain for p in paragraphs)
    return "\n\n".join(w for w in words if w)


@dataclass(eq=False, slots=True)
class Utterance:
    """One turn: a label as printed, who it resolves to, and its paragraphs."""

    briefing: Briefing
    index: int  # 1-based position in the briefing
    line: int
    label: str | None
    kind: TurnKind
    paragraphs: Sequence[Paragraph]  # read lazily when it came from the parse cache
    speaker: Speaker | None = None
    role: Role | None = None
    words: str | None = None  # its words, when the parse worked them out in this process

    @property
    def id(self) -> str:
        return f"u{self.index}"

    @property
    def url(self) -> str:
        return f"{self.briefing.url}#{self.id}"

    @property
    def speaker_name(self) -> str:
        if self.speaker:
            return self.speaker.name
        if self.role:
            return self.role.name
        return self.label or ""

    @property
    def text(self) -> str:
        """The words spoken (see words_of). Worked out when the source was parsed: the
        link pass sets `words` from the turn, or the parse cache holds them beside the
        packed paragraphs, which then need not be unpacked."""
        if self.words is not None:
            return self.words
        known = getattr(self.paragraphs, "words", None)
        return known if known is not None else words_of(self.paragraphs)

    @property
    def interpreted(self) -> bool:
        return any(
            s.kind is SegmentKind.INTERPRETATION for p in self.paragraphs for s in p.segments
        )


@dataclass(eq=False, slots=True)
class Exchange:
    """A question and the turns that answer it; the opening remarks form exchange 0."""

    index: int
    utterances: list[Utterance]

    @property
    def id(self) -> str:
        return f"x{self.index}"

    @property
    def question(self) -> Utterance | None:
        first = self.utterances[0]
        return first if first.kind is TurnKind.QUESTION else None


@dataclass(eq=False)
class Briefing:
    slug: str
    source: str  # path relative to the content folder, for messages
    title: str
    date: dt.date | None
    kind: str
    time: str | None = None
    place: str | None = None
    source_url: str | None = None
    utterances: list[Utterance] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    previous: Briefing | None = None
    next: Briefing | None = None
    digest: str = ""  # of the source's bytes: what the cache and page keys compare

    @property
    def url(self) -> str:
        return f"briefings/{self.slug}/"

    @property
    def source_link(self) -> str | None:
        """The source URL when it is safe to link to (http or https); never `javascript:`."""
        url = (self.source_url or "").strip()
        return url if url.lower().startswith(("https://", "http://")) else None

    def sort_key(self) -> tuple:
        return (self.date or dt.date.min, self.title, self.slug)

    @cached_property
    def speakers(self) -> list[Speaker]:
        """People who spoke, in order of first turn (read after the link pass)."""
        return list({u.speaker.slug: u.speaker for u in self.utterances if u.speaker}.values())

    @cached_property
    def roles(self) -> list[Role]:
        """Anonymous parts in the room, in order of first turn (read after the link pass)."""
        return list({u.role.key: u.role for u in self.utterances if u.role}.values())


@dataclass
class Site:
    briefings: list[Briefing]  # newest first
    speakers: list[Speaker]  # by name

    @cached_property
    def years(self) -> list[tuple[str, list[Briefing]]]:
        """Briefings grouped by year, newest year first, undated last."""
        groups: dict[str, list[Briefing]] = {}
        for briefing in self.briefings:
            groups.setdefault(year_of(briefing.date), []).append(briefing)
        return list(groups.items())

    @property
    def paginated(self) -> bool:
        return len(self.briefings) > HOME_PAGE_BRIEFINGS

    @staticmethod
    def year_url(year: str) -> str:
        return f"years/{year}/"
