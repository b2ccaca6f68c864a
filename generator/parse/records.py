"""Raw records: what every reader yields, whatever the source format.

Records remember the line they came from so that every later stage can point a
reader of the logs at the exact place in the source.
"""

from __future__ import annotations

import datetime as dt
import pickle
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from generator.cache import Blob
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


@dataclass(slots=True)
class RawTurn:
    """A speaker turn: `label` as printed (whitespace collapsed, no colon), None for
    text before the first label (an article's introduction, say)."""

    line: int
    label: str | None
    paragraphs: list[Paragraph] | LazyParagraphs = field(default_factory=list)
    words: str | None = None  # its words (model.words_of), once the build has worked them out


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
    """The paragraphs of every turn of a transcript, pickled into one blob, and their
    words (RawTurn.words) into another: unpickling a transcript copies no more than
    them, loading it from the build cache not even that, and each is unpacked on the
    first read of any turn, until `forget_unpacked`."""

    __slots__ = ("_paragraphs", "_turns", "_words", "blob", "words_blob")

    def __init__(self, blob: Blob, words: Blob | None) -> None:
        self.blob, self.words_blob = blob, words
        self._turns: tuple | None = None
        self._paragraphs: dict[int, tuple[Paragraph, ...]] = {}
        self._words: tuple[str, ...] | None = None

    def turn(self, index: int) -> tuple:
        if self._turns is None:
            self._turns = pickle.loads(self.blob.read())
            _unpacked.append(self)
        return self._turns[index]

    def paragraphs(self, index: int) -> tuple[Paragraph, ...]:
        found = self._paragraphs.get(index)
        if found is None:
            kinds = _KINDS
            found = self._paragraphs[index] = tuple([
                Paragraph(line, tuple([Segment(kinds[k], text) for k, text in segments]), md)
                for line, md, segments in self.turn(index)])
        return found

    def words(self, index: int) -> str | None:
        if self.words_blob is None:
            return None
        if self._words is None:
            self._words = pickle.loads(self.words_blob.read())
            _unpacked.append(self)
        return self._words[index]

    def release(self) -> None:
        """Forget what was unpacked (the blobs stay, to unpack again if asked)."""
        self._turns = self._words = None
        self._paragraphs = {}


_unpacked: list[_PackedText] = []  # in this process, since forget_unpacked


def forget_unpacked() -> None:
    """Forget every paragraph and word unpacked so far: a worker that renders or indexes
    thousands of briefings keeps only those of the page at hand (a speaker's page reads
    the words of hundreds of briefings)."""
    for source in _unpacked:
        source.release()
    _unpacked.clear()


class LazyParagraphs(Sequence[Paragraph]):
    """A turn's paragraphs as unpickled: kept packed until read. A build reads them only
    for the pages it renders, so an incremental build mostly never does, the main
    process of a parallel build never does, and forked workers unpack what they render."""

    __slots__ = ("_count", "_index", "_source")

    def __init__(self, source: _PackedText, index: int, count: int) -> None:
        self._source = source
        self._index, self._count = index, count

    @property
    def words(self) -> str | None:
        """The turn's words as the build worked them out when it parsed the source,
        without unpacking a paragraph (None if it did not)."""
        return self._source.words(self._index)

    def packed(self) -> tuple:
        return self._source.turn(self._index)

    def __getitem__(self, index):
        return self._source.paragraphs(self._index)[index]

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Paragraph]:
        return iter(self._source.paragraphs(self._index))


def _pack_paragraphs(paragraphs: Sequence[Paragraph]) -> tuple:
    if isinstance(paragraphs, LazyParagraphs):
        return paragraphs.packed()
    return tuple((p.line, p.markdown, tuple((_CODES[s.kind], s.text) for s in p.segments)) for p in paragraphs)


def _unpack_transcript(fields: dict, turns: tuple, blob: Blob, words: Blob | None = None) -> RawTranscript:
    source = _PackedText(blob, words)
    intern = sys.intern  # labels repeat: one string for each, not one per turn
    return RawTranscript(**fields, turns=[RawTurn(line, label and intern(label), LazyParagraphs(source, i, count))
                                          for i, (line, label, count) in enumerate(turns)])


def _reduce_transcript(self: RawTranscript):
    """Pickle as plain tuples, the paragraphs and the words each in one blob: many times
    faster to load than the objects themselves, and nothing of the words is unpacked
    (or, from the build cache, read) until asked for. A transcript as it was loaded
    passes its blobs on as they are."""
    fields = {k: v for k, v in self.__dict__.items() if k != "turns"}
    turns = tuple((t.line, t.label, len(t.paragraphs)) for t in self.turns)
    source = _shared_source(self.turns)
    if source is not None:
        return _unpack_transcript, (fields, turns, source.blob, source.words_blob)
    blob = pickle.dumps(tuple(_pack_paragraphs(t.paragraphs) for t in self.turns), pickle.HIGHEST_PROTOCOL)
    texts = [t.words if t.words is not None else getattr(t.paragraphs, "words", None) for t in self.turns]
    words = None if None in texts else Blob(pickle.dumps(tuple(texts), pickle.HIGHEST_PROTOCOL))
    return _unpack_transcript, (fields, turns, Blob(blob), words)


def _shared_source(turns: Sequence[RawTurn]) -> _PackedText | None:
    """The one packed source all turns were unpacked from, untouched, if so."""
    if not turns or not isinstance(turns[0].paragraphs, LazyParagraphs):
        return None
    source = turns[0].paragraphs._source
    for i, turn in enumerate(turns):
        paragraphs = turn.paragraphs
        if not isinstance(paragraphs, LazyParagraphs) or paragraphs._source is not source \
                or paragraphs._index != i or turn.words is not None:
            return None
    return source


RawTranscript.__reduce__ = _reduce_transcript  # type: ignore[method-assign]
