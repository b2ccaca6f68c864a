"""Raw records: what every reader yields, whatever the source format.

Records remember the line they came from so that every later stage can point a
reader of the logs at the exact place in the source.
"""

from __future__ import annotations

import datetime as dt
import pickle
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


class _PackedText:
    """The paragraphs of every turn of a transcript, pickled into one bytes object:
    unpickling a transcript copies it, and it is unpacked on first read of any turn."""

    __slots__ = ("_blob", "_turns")

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        self._turns: tuple | None = None

    def turn(self, index: int) -> tuple:
        if self._turns is None:
            self._turns = pickle.loads(self._blob)
            self._blob = b""
        return self._turns[index]


class LazyParagraphs(Sequence[Paragraph]):
    """A turn's paragraphs as unpickled: kept packed until first read. A build reads them
    only for the pages it renders, so an incremental build mostly never does, the main
    process of a parallel build never does, and forked workers unpack what they render."""

    __slots__ = ("_count", "_index", "_items", "_text")

    def __init__(self, text: _PackedText, index: int, count: int) -> None:
        self._text: _PackedText | None = text
        self._index, self._count = index, count
        self._items: tuple[Paragraph, ...] = ()

    def _unpacked(self) -> tuple[Paragraph, ...]:
        if self._text is not None:
            kinds = _KINDS
            self._items = tuple([Paragraph(line, tuple([Segment(kinds[k], text) for k, text in segments]), md)
                                 for line, md, segments in self._text.turn(self._index)])
            self._text = None
        return self._items

    def packed(self) -> tuple:
        return self._text.turn(self._index) if self._text is not None else _pack_paragraphs(self._items)

    def __getitem__(self, index):
        return self._unpacked()[index]

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Paragraph]:
        return iter(self._unpacked())


def _pack_paragraphs(paragraphs: Sequence[Paragraph]) -> tuple:
    if isinstance(paragraphs, LazyParagraphs):
        return paragraphs.packed()
    return tuple((p.line, p.markdown, tuple((_CODES[s.kind], s.text) for s in p.segments)) for p in paragraphs)


def _unpack_transcript(fields: dict, turns: tuple, blob: bytes) -> RawTranscript:
    text = _PackedText(blob)
    return RawTranscript(**fields, turns=[RawTurn(line, label, LazyParagraphs(text, i, count))
                                          for i, (line, label, count) in enumerate(turns)])


def _reduce_transcript(self: RawTranscript):
    """Pickle as plain tuples, the words in one bytes object: many times faster to load
    than the objects themselves, and nothing of the words is unpacked until read."""
    fields = {k: v for k, v in self.__dict__.items() if k != "turns"}
    turns = tuple((t.line, t.label, len(t.paragraphs)) for t in self.turns)
    blob = pickle.dumps(tuple(_pack_paragraphs(t.paragraphs) for t in self.turns), pickle.HIGHEST_PROTOCOL)
    return _unpack_transcript, (fields, turns, blob)


RawTranscript.__reduce__ = _reduce_transcript  # type: ignore[method-assign]
