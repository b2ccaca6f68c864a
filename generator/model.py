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
from typing import NamedTuple

from generator.inline import markdown_text
from generator.parse.records import Cast, LazyTurns, Paragraph, RawTranscript, marks_of

SLUG_MAX = 80
NO_CAST = Cast((), (), (), 0)  # a briefing's until the link pass gives it its transcript's
# Past these, a speaker's page shows the latest appearances and links to a page per
# year, and the home page the latest briefings and a page per year: readers get pages
# of a sane size, and a new briefing re-renders its own year, not the whole archive.
SPEAKER_PAGE_APPEARANCES = 25
HOME_PAGE_BRIEFINGS = 100


def year_of(day: dt.date | None) -> str:
    return str(day.year) if day else "undated"


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "untitled") -> str:
    """Lowercase ASCII words joined by hyphens: safe as a path segment and a URL."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
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


class Unresolved(NamedTuple):
    """A label no evidence names, shown as printed (`Mr. Vietor`): what `podium people`
    lists for a site's owner to name in speakers.yaml."""

    label: str  # as printed, the first time
    name: str  # the page it is shown on
    turns: int
    briefings: int
    first: str  # path:line of its first turn
    why: str


@dataclass(eq=False)
class Speaker:
    slug: str
    name: str
    offices: list[str] = field(default_factory=list)
    bio: str | None = None  # Markdown, from the registry
    # Each briefing this speaker spoke in (in path order), with the labels (indexes into
    # its cast) that resolved to them: the turns are made only when a page shows them.
    appearing: list[tuple[Briefing, tuple[int, ...]]] = field(default_factory=list)
    # Each label that named them (as printed): the evidence for it, first seen first, and
    # in how many briefings
    evidence: dict[str, list] = field(default_factory=dict)
    variants: set[str] = field(default_factory=set)  # other forms of their name, folded into this one

    @property
    def url(self) -> str:
        return f"speakers/{self.slug}/"

    @cached_property
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last date they spoke on, as far as the archive dates them."""
        days = [briefing.date for briefing, _ in self.appearing if briefing.date]
        return (min(days), max(days)) if days else (None, None)

    @cached_property
    def turn_count(self) -> int:
        """How many turns, without making them: their labels' counts."""
        return sum(briefing.cast.counts[i] for briefing, labels in self.appearing for i in labels)

    @property
    def utterances(self) -> list[Utterance]:
        """Every turn, briefing by briefing in path order (made on demand)."""
        return [u for briefing, labels in self.appearing for u in briefing.turns_of(labels)]

    @cached_property
    def briefings(self) -> list[Briefing]:
        """Briefings this speaker spoke in, newest first (read after the link pass)."""
        return [briefing for briefing, _ in self.appearances]

    @cached_property
    def appearances(self) -> list[Appearance]:
        """Each briefing (newest first) with this speaker's labels in it; `turns` makes
        the turns."""
        return [Appearance(briefing, labels)
                for briefing, labels in sorted(self.appearing, key=lambda a: a[0].sort_key(), reverse=True)]

    @cached_property
    def years(self) -> list[tuple[str, list[Appearance]]]:
        """Appearances grouped by year, newest year first, undated last."""
        groups: dict[str, list[Appearance]] = {}
        for appearance in self.appearances:
            groups.setdefault(year_of(appearance.briefing.date), []).append(appearance)
        return list(groups.items())

    @property
    def paginated(self) -> bool:
        return len(self.appearances) > SPEAKER_PAGE_APPEARANCES

    def year_url(self, year: str) -> str:
        return f"{self.url}{year}/"

    def figures(self) -> dict:
        """Briefings and words by year (oldest first), stage directions in their turns by
        kind, from what the parse counted per label: no turn is read."""
        years: dict[str, list[int]] = {}
        marks: dict[str, int] = {}
        for briefing, labels in self.appearing:
            stats = briefing.raw.label_stats if briefing.raw is not None else []
            year = years.setdefault(year_of(briefing.date), [0, 0])
            year[0] += 1
            for i in labels:
                if i < len(stats):
                    year[1] += stats[i][0]
                    for kind, n in stats[i][1].items():
                        marks[kind] = marks.get(kind, 0) + n
        ordered = sorted(years.items(), key=lambda item: (item[0] == "undated", item[0]))
        return {"briefings": [(y, b) for y, (b, _) in ordered], "words": [(y, w) for y, (_, w) in ordered],
                "marks": dict(sorted(marks.items()))}

    def appeared_with(self) -> list[tuple[Speaker, int]]:
        """Other people in this speaker's briefings, most shared briefings first."""
        counts: dict[str, tuple[Speaker, int]] = {}
        for briefing in self.briefings:
            for other in briefing.speakers:
                if other is not self:
                    _, n = counts.get(other.slug, (other, 0))
                    counts[other.slug] = (other, n + 1)
        return sorted(counts.values(), key=lambda pair: (-pair[1], pair[0].name))


class Appearance(NamedTuple):
    """A speaker in one briefing: the labels (indexes into its cast) that name them."""

    briefing: Briefing
    labels: tuple[int, ...]

    @property
    def turns(self) -> list[Utterance]:
        return self.briefing.turns_of(self.labels)


class Appearances(Sequence[tuple["Briefing", list["Utterance"]]]):
    """Appearances as a page shows them, (briefing, turns): the turns are made as the
    page is rendered, in the process that renders it."""

    def __init__(self, appearances: Sequence[Appearance]) -> None:
        self.appearances = appearances

    def __len__(self) -> int:
        return len(self.appearances)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Appearances(self.appearances[index])
        appearance = self.appearances[index]
        return appearance.briefing, appearance.turns


class _Asking:
    """What an outlet's or a reporter's questions give (`asked`: each briefing with the
    indexes, 0-based, of its question turns)."""

    asked: list[tuple[Briefing, tuple[int, ...]]]

    @cached_property
    def questions(self) -> int:
        return sum(len(turns) for _, turns in self.asked)

    @property
    def newest(self) -> list[tuple[Briefing, tuple[int, ...]]]:
        """Briefings asked in, newest first (undated last)."""
        return sorted(self.asked, key=lambda a: a[0].sort_key(), reverse=True)


@dataclass(eq=False)
class Outlet(_Asking):
    """A news organisation reporters ask for, in one printed form ("Washington Post" and
    "The Washington Post" are one)."""

    slug: str
    name: str
    reporters: list[Reporter] = field(default_factory=list)  # most questions first
    asked: list[tuple[Briefing, tuple[int, ...]]] = field(default_factory=list)
    variants: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"outlets/{self.slug}/"


@dataclass(eq=False)
class Reporter(_Asking):
    """A person who asks questions, named by the transcripts (floor.askers): never one
    of the speakers, whose pages are the officials'."""

    slug: str
    name: str
    outlets: list[Outlet] = field(default_factory=list)  # most questions first
    asked: list[tuple[Briefing, tuple[int, ...]]] = field(default_factory=list)  # in path order
    evidence: dict[str, int] = field(default_factory=dict)  # kind of evidence -> questions
    variants: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"reporters/{self.slug}/"

    @cached_property
    def by_year(self) -> list[tuple[str, list[tuple[Briefing, tuple[int, ...]]]]]:
        """Briefings asked in, newest first, grouped by year."""
        groups: dict[str, list] = {}
        for briefing, turns in self.newest:
            groups.setdefault(year_of(briefing.date), []).append((briefing, turns))
        return list(groups.items())


def asked_in(briefing: Briefing, turns: tuple[int, ...]) -> list[tuple[Exchange, Utterance]]:
    """The question turns (0-based indexes) of a briefing, each with its exchange: what a
    reporter's or an outlet's page links to."""
    wanted = set(turns)
    return [(x, u) for x in briefing.exchanges for u in x.utterances if u.index - 1 in wanted]


class Asker(NamedTuple):
    """Who asks a question turn, and why we say so: the reporter the transcript names
    (None when it gives only the first name they were `called` by), their outlet, and
    the turn that named them (`evidence`, 1-based like turn ids)."""

    reporter: Reporter | None
    outlet: Outlet | None
    called: str | None
    evidence: int
    how: str

    @property
    def evidence_id(self) -> str:
        return f"u{self.evidence}"


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
    asker: Asker | None = None  # who asks, for a question the transcript names an asker for

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
    def marks(self) -> list[tuple[str, str, str | None]]:
        """Its stage directions and interpretation marks, in order: (kind, as printed,
        language) with kind one of records.MARK_KINDS ("laughter", "interpretation")."""
        known = self.briefing.raw.turn_marks if self.briefing.raw is not None else None
        if known is not None:  # worked out by the parse: the paragraphs need not be read
            return list(known.get(self.index - 1, ()))
        return list(marks_of(self.paragraphs))

    @property
    def language(self) -> str | None:
        """The language an interpreted turn was spoken in, when a mark says so."""
        return next((language for _, _, language in self.marks if language), None)

    @property
    def interpreted(self) -> bool:
        return any(kind == "interpretation" for kind, _, _ in self.marks)


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

    @property
    def asker(self) -> Asker | None:
        """Who asks it: the first of its questions' askers."""
        return next((u.asker for u in self.utterances if u.kind is TurnKind.QUESTION and u.asker), None)

    @property
    def answerers(self) -> list[Speaker]:
        """Who answers, in order of first turn."""
        return list({u.speaker.slug: u.speaker for u in self.utterances if u.speaker}.values())

    @property
    def opening(self) -> str:
        """Its first words, for a list of exchanges."""
        text = next((u.text for u in self.utterances if u.text), "")
        words = text.split(maxsplit=12)  # the thirteenth, if any, is the rest
        return " ".join(words[:12]) + (" …" if len(words) > 12 else "")


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
    previous: Briefing | None = None
    next: Briefing | None = None
    digest: str = ""  # of the source's bytes: what the cache and page keys compare
    content_key: str = ""  # render.content_key's, once worked out
    # Set by the link pass: the parsed transcript, its cast, and what each label of the
    # cast resolved to (turn kind, speaker, role). The turns are made from them when read.
    raw: RawTranscript | None = None
    cast: Cast = NO_CAST
    resolved: tuple[Resolved, ...] = ()
    askers: dict[int, Asker] = field(default_factory=dict)  # turn index (0-based) -> who asks it
    _turns: list[Utterance] | None = field(default=None, repr=False)

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

    @property
    def utterances(self) -> list[Utterance]:
        """Every turn, made from the parsed transcript on first read (and again after
        `forget_turns`): a build makes those of the pages it renders only."""
        if self._turns is None:
            self._turns = self._make_turns()
            _made.append(self)
        return self._turns

    @property
    def size(self) -> int:
        """How many turns, without making them."""
        return self.cast.turns

    def _make_turns(self) -> list[Utterance]:
        turns = []
        if self.raw is None:
            return turns
        index = {label: i for i, label in enumerate(self.cast.labels)}
        for number, turn in enumerate(self.raw.turns, 1):
            kind, speaker, role = self.resolved[index[turn.label]] if turn.label is not None else _UNLABELLED
            turns.append(Utterance(self, number, turn.line, turn.label, kind, turn.paragraphs, speaker, role,
                                   turn.words,  # words worked out by the parse, if in this process
                                   self.askers.get(number - 1)))
        return turns

    def turns_of(self, labels: tuple[int, ...]) -> list[Utterance]:
        """The turns whose labels are these (indexes into the cast), in order: made on
        their own while the briefing's turns are not (a busy speaker's year page shows
        thousands of turns from hundreds of briefings, and half of their turns)."""
        if self._turns is None and self.raw is not None and isinstance(self.raw.turns, LazyTurns):
            made = []
            for i, label, turn in self.raw.turns.where(labels):
                kind, speaker, role = self.resolved[label]
                made.append(Utterance(self, i + 1, turn.line, turn.label, kind, turn.paragraphs, speaker, role,
                                      asker=self.askers.get(i)))
            return made
        wanted = {self.cast.labels[i] for i in labels}
        return [u for u in self.utterances if u.label in wanted]

    @property
    def exchanges(self) -> list[Exchange]:
        return exchanges(self.utterances)

    def figures(self) -> dict:
        """What the briefing's figures show, as data: words by speaker (speaking share),
        questions asked and attributed, outlets called on, the longest answer, and the
        stage directions by kind (worked out once: the page and the export show them)."""
        return self._figures

    @cached_property
    def _figures(self) -> dict:
        words: dict[str, int] = {}
        longest = None
        marks: dict[str, int] = {}
        outlets: dict[str, int] = {}
        questions = attributed = 0
        counts = self.raw.word_counts if self.raw is not None else None
        for u in self.utterances:
            count = counts[u.index - 1] if counts is not None else len(u.text.split())
            if u.kind is TurnKind.QUESTION:
                questions += 1
                if u.asker is not None:
                    attributed += 1
                    if u.asker.outlet is not None:
                        outlets[u.asker.outlet.name] = outlets.get(u.asker.outlet.name, 0) + 1
            elif u.speaker is not None:
                words[u.speaker.name] = words.get(u.speaker.name, 0) + count
                if longest is None or count > longest[1]:
                    longest = (u.speaker.name, count, u.id)
            for kind, _, _ in u.marks:
                marks[kind] = marks.get(kind, 0) + 1
        return {
            "words": sorted(words.items(), key=lambda p: (-p[1], p[0])),
            "questions": questions, "attributed": attributed,
            "outlets": sorted(outlets.items(), key=lambda p: (-p[1], p[0])),
            "longest_answer": {"speaker": longest[0], "words": longest[1], "turn": longest[2]} if longest else None,
            "marks": dict(sorted(marks.items())),
        }

    @cached_property
    def speakers(self) -> list[Speaker]:
        """People who spoke, in order of first turn (read after the link pass)."""
        return list({s.slug: s for _, s, _ in self.resolved if s}.values())

    @cached_property
    def roles(self) -> list[Role]:
        """Anonymous parts in the room, in order of first turn (read after the link pass)."""
        return list({r.key: r for _, _, r in self.resolved if r}.values())


class Resolved(NamedTuple):
    """What a label in a briefing stands for."""

    kind: TurnKind
    speaker: Speaker | None
    role: Role | None


_UNLABELLED = Resolved(TurnKind.NARRATION, None, None)
_made: list[Briefing] = []  # briefings whose turns were made in this process, since forget_turns


def forget_turns() -> None:
    """Forget the turns made so far: a worker rendering thousands of pages keeps only
    those of the page at hand."""
    for briefing in _made:
        briefing._turns = None
    _made.clear()


def exchanges(utterances: list[Utterance]) -> list[Exchange]:
    """Split turns into exchanges: a question (and its follow-up questions) starts one."""
    result: list[Exchange] = [Exchange(0, [])]
    previous_kind = None
    for utterance in utterances:
        asks = utterance.kind is TurnKind.QUESTION
        if asks and previous_kind is not TurnKind.QUESTION and result[-1].utterances:
            result.append(Exchange(len(result), []))
        result[-1].utterances.append(utterance)
        previous_kind = utterance.kind
    return [x for x in result if x.utterances]


@dataclass
class Site:
    briefings: list[Briefing]  # newest first
    speakers: list[Speaker]  # by name
    unresolved: list[Unresolved] = field(default_factory=list)  # labels no evidence names, most turns first
    reporters: list[Reporter] = field(default_factory=list)  # by name
    outlets: list[Outlet] = field(default_factory=list)  # by name

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
