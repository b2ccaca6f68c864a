"""Raw records: what every reader yields, whatever the source format.

Records remember the line they came from so that every later stage can point a
reader of the logs at the exact place in the source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from generator.errors import Diagnostic


class SegmentKind(str, Enum):
    TEXT = "text"  # words as spoken
    DIRECTION = "direction"  # (Laughter.), (Applause.), (Inaudible.), (Cross-talk.)
    INTERPRETATION = "interpretation"  # (Via interpreter), (As interpreted.), (Speaks Ukrainian.)
    EDITORIAL = "editorial"  # [sic], [billion]: the transcriber's brackets
    CORRECTION = "correction"  # struck-through words a later [correction] replaces
    FOOTNOTE = "footnote"  # a footnote or correction asterisk after a word


class Segment(NamedTuple):
    kind: SegmentKind
    text: str


class Paragraph(NamedTuple):
    """One paragraph of a turn. `markdown` says TEXT segments hold Markdown inline source.

    Segments and paragraphs are named tuples, not dataclasses: a corpus has millions of
    them, and tuples are what makes the parse cache and worker processes cheap."""

    line: int
    segments: tuple[Segment, ...]
    markdown: bool = False

    @property
    def plain(self) -> str:
        return " ".join(s.text for s in self.segments if s.kind is SegmentKind.TEXT)


@dataclass
class RawTurn:
    """A speaker turn: `label` as printed (whitespace collapsed, no colon), None for
    text before the first label (an article's introduction, say)."""

    line: int
    label: str | None
    paragraphs: list[Paragraph] | LazyParagraphs = field(default_factory=list)


@dataclass
class RawTranscript:
    path: str  # as given, for messages
    format: str  # "state-dept", "whitehouse-text", "markdown"
    title: str = ""
    date: dt.date | None = None
    time: str | None = None  # "1:07 P.M. EDT"
    end_time: str | None = None  # "2:05 P.M. EDT" from `END 2:05 P.M. EDT`
    place: str | None = None
    kind: str | None = None  # event kind as stated ("Press Availability"), else from title
    event_kind: str = "other"  # always a slug of parse.text.EVENT_KIND_SLUGS ("briefing")
    principal: str | None = None  # name stated in a header block ("John Kerry")
    principal_office: str | None = None  # "Secretary of State"
    source_url: str | None = None
    speakers: list[str] = field(default_factory=list)  # front matter `speakers:`
    header: list[tuple[int, str]] = field(default_factory=list)  # other header lines
    turns: list[RawTurn] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


_KINDS = tuple(SegmentKind)
_CODES = {kind: code for code, kind in enumerate(_KINDS)}


class LazyParagraphs(Sequence[Paragraph]):
    """A turn's paragraphs as unpickled: kept packed in plain tuples until first read.
    A build reads them only for the pages it renders, so an incremental build mostly
    never does, and forked workers unpack only what they render."""

    __slots__ = ("_items", "_packed")

    def __init__(self, packed: tuple) -> None:
        self._packed: tuple | None = packed
        self._items: tuple[Paragraph, ...] = ()

    def _unpacked(self) -> tuple[Paragraph, ...]:
        if self._packed is not None:
            kinds = _KINDS
            self._items = tuple([Paragraph(line, tuple([Segment(kinds[k], text) for k, text in segments]), md)
                                 for line, md, segments in self._packed])
            self._packed = None
        return self._items

    def packed(self) -> tuple:
        return self._packed if self._packed is not None else _pack_paragraphs(self._items)

    def __getitem__(self, index):
        return self._unpacked()[index]

    def __len__(self) -> int:
        return len(self._packed) if self._packed is not None else len(self._items)

    def __iter__(self) -> Iterator[Paragraph]:
        return iter(self._unpacked())


def _pack_paragraphs(paragraphs: Sequence[Paragraph]) -> tuple:
    if isinstance(paragraphs, LazyParagraphs):
        return paragraphs.packed()
    return tuple((p.line, p.markdown, tuple((_CODES[s.kind], s.text) for s in p.segments)) for p in paragraphs)


def _pack_turns(turns: list[RawTurn]) -> tuple:
    return tuple((t.line, t.label, _pack_paragraphs(t.paragraphs)) for t in turns)


def _unpack_turns(packed: tuple) -> list[RawTurn]:
    return [RawTurn(line, label, LazyParagraphs(paragraphs)) for line, label, paragraphs in packed]


def _unpack_transcript(fields: dict, packed_turns: tuple) -> RawTranscript:
    return RawTranscript(**fields, turns=_unpack_turns(packed_turns))


def _reduce_transcript(self: RawTranscript):
    """Pickle as plain tuples: ten times faster to load than the objects themselves."""
    fields = {k: v for k, v in self.__dict__.items() if k != "turns"}
    return _unpack_transcript, (fields, _pack_turns(self.turns))


RawTranscript.__reduce__ = _reduce_transcript  # type: ignore[method-assign]
