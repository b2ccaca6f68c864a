"""Raw records: what every reader yields, whatever the source format.

Records remember the line they came from so that every later stage can point a
reader of the logs at the exact place in the source.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
import sys
from array import array
from collections.abc import Collection, Iterator, Sequence
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


MARK_KINDS = ("laughter", "applause", "crosstalk", "inaudible", "interpretation", "other")
_MARK_WORDS = (
    ("laughter", re.compile(r"laugh|chuckl", re.IGNORECASE)),
    ("applause", re.compile(r"applau", re.IGNORECASE)),
    ("crosstalk", re.compile(r"cross-?\s*talk|talking\s+over|simultaneous", re.IGNORECASE)),
    ("inaudible", re.compile(r"inaudible|unintelligible|indiscernible|off[- ]mic|audio\s+(?:cut|drop)", re.IGNORECASE)),
)
_LANGUAGE = re.compile(r"\b(?i:from|in|speaks?|speaking|into)\s+(?:in\s+)?([A-Z][a-z]+)\b")


_MARKED = (SegmentKind.DIRECTION, SegmentKind.INTERPRETATION)


def mark_kind(segment: Segment) -> str | None:
    """What a stage direction or interpretation mark is (one of MARK_KINDS), or None for
    a segment that is neither: `(Laughter.)` laughter, `(Cross-talk.)` crosstalk,
    `(Via interpreter)` interpretation, `(The President enters.)` other."""
    if segment.kind is SegmentKind.INTERPRETATION:
        return "interpretation"
    if segment.kind is not SegmentKind.DIRECTION:
        return None
    for kind, pattern in _MARK_WORDS:
        if pattern.search(segment.text):
            return kind
    return "other"


def marks_of(paragraphs) -> tuple[tuple[str, str, str | None], ...]:
    """A turn's stage directions and interpretation marks, in order: (kind, as printed,
    language)."""
    return tuple((kind, s.text, mark_language(s)) for p in paragraphs for s in p.segments
                 if s.kind in _MARKED and (kind := mark_kind(s)) is not None)


def mark_language(segment: Segment) -> str | None:
    """The language an interpretation mark names: `(As interpreted from Japanese.)`,
    `(Speaks Ukrainian.)`; None when it names none (`(Via interpreter)`)."""
    if segment.kind is not SegmentKind.INTERPRETATION:
        return None
    found = _LANGUAGE.search(segment.text)
    return found.group(1) if found else None


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
    # names the text gives for its labels' surnames: (name, office, how, line), see
    # identity.introductions; worked out by the build as it parses
    mentions: list[tuple[str, str | None, str, int]] = field(default_factory=list)
    # who asks each question turn the transcript names an asker for (floor.Asked), worked
    # out by the build as it parses
    asked: list[tuple] = field(default_factory=list)
    # for each label of the cast, in its order: (words spoken, {mark kind: count}), worked
    # out by the build as it parses: a speaker's figures without reading their turns
    label_stats: list[tuple[int, dict[str, int]]] = field(default_factory=list)
    # each turn's words spoken (`len(words.split())`), worked out by the build as it
    # parses: the briefing's figures count words without reading the turns
    word_counts: array | None = None
    # each turn's stage directions and interpretation marks, (kind, as printed, language),
    # by turn index (turns without any left out); None until the build works them out.
    # Kept apart from the paragraphs: the export and the figures need them, not the words
    turn_marks: dict[int, tuple[tuple[str, str, str | None], ...]] | None = None
    turns: list[RawTurn] | LazyTurns = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def cast(self) -> Cast:
        """Who speaks, without reading the turns when they came from the build cache."""
        if isinstance(self.turns, LazyTurns):
            return self.turns.cast
        return cast_of(self.turns)


class Cast(NamedTuple):
    """A transcript's labels without its turns: what the link pass needs of every
    transcript, the turns being read only for the pages an incremental build renders."""

    labels: tuple[str, ...]  # distinct labels as printed, in order of first turn
    lines: tuple[int, ...]  # the line of each label's first turn
    counts: tuple[int, ...]  # each label's turns
    turns: int  # turns in all, labelled or not


def cast_of(turns: Sequence[RawTurn]) -> Cast:
    index: dict[str, int] = {}
    lines, counts = [], []
    for turn in turns:
        if turn.label is None:
            continue
        i = index.get(turn.label)
        if i is None:
            i = index[turn.label] = len(lines)
            lines.append(turn.line)
            counts.append(0)
        counts[i] += 1
    return Cast(tuple(index), tuple(lines), tuple(counts), len(turns))


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


_unpacked: list[_PackedText | LazyTurns] = []  # in this process, since forget_unpacked


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


class LazyTurns(Sequence[RawTurn]):
    """A transcript's turns as unpickled: their lines, labels and paragraph counts packed
    in arrays, made into RawTurns when first read (until `forget_unpacked`). The link
    pass reads only the `cast`, so a build makes the turns of the briefings whose pages
    it renders and no others. The turns made are views: what is set on them is not kept."""

    __slots__ = ("_list", "cast", "packed", "source")

    def __init__(self, source: _PackedText, cast: Cast, packed: tuple[bytes, bytes, bytes]) -> None:
        self.source, self.cast, self.packed = source, cast, packed
        self._list: list[RawTurn] | None = None

    def _turns(self) -> list[RawTurn]:
        if self._list is None:
            lines, ids, counts = (array("i", data) for data in self.packed)
            labels = self.cast.labels
            self._list = [RawTurn(line, labels[label] if label >= 0 else None, LazyParagraphs(self.source, i, count))
                          for i, (line, label, count) in enumerate(zip(lines, ids, counts))]
            _unpacked.append(self)
        return self._list

    def release(self) -> None:
        self._list = None

    def where(self, labels: Collection[int]) -> list[tuple[int, int, RawTurn]]:
        """(position, label, turn) of each turn whose label is one of these (indexes into
        the cast), made without the others: a speaker's page wants theirs only."""
        lines, ids, counts = (array("i", data) for data in self.packed)
        names = self.cast.labels
        return [(i, label, RawTurn(lines[i], names[label], LazyParagraphs(self.source, i, counts[i])))
                for i, label in enumerate(ids) if label in labels]

    def __getitem__(self, index):
        return self._turns()[index]

    def __len__(self) -> int:
        return self.cast.turns

    def __iter__(self) -> Iterator[RawTurn]:
        return iter(self._turns())


def _unpack_transcript(fields: dict, cast: tuple, packed: tuple[bytes, bytes, bytes], blob: Blob,
                       words: Blob | None = None) -> RawTranscript:
    labels, *rest = cast
    cast = Cast(tuple(map(sys.intern, labels)), *rest)  # labels repeat across transcripts: one string each
    return RawTranscript(**fields, turns=LazyTurns(_PackedText(blob, words), cast, packed))


def _pack_turns(turns: Sequence[RawTurn], cast: Cast) -> tuple[bytes, bytes, bytes]:
    index = {label: i for i, label in enumerate(cast.labels)}
    return (array("i", [t.line for t in turns]).tobytes(),
            array("i", [index[t.label] if t.label is not None else -1 for t in turns]).tobytes(),
            array("i", [len(t.paragraphs) for t in turns]).tobytes())


def _reduce_transcript(self: RawTranscript):
    """Pickle as plain tuples, the paragraphs and the words each in one blob: many times
    faster to load than the objects themselves, and nothing of the words is unpacked
    (or, from the build cache, read) until asked for. A transcript as it was loaded
    passes its blobs on as they are."""
    fields = {k: v for k, v in self.__dict__.items() if k != "turns"}
    turns = self.turns
    if isinstance(turns, LazyTurns):
        source = turns.source
        return _unpack_transcript, (fields, tuple(turns.cast), turns.packed, source.blob, source.words_blob)
    cast = cast_of(turns)
    blob = pickle.dumps(tuple(_pack_paragraphs(t.paragraphs) for t in turns), pickle.HIGHEST_PROTOCOL)
    texts = [t.words if t.words is not None else getattr(t.paragraphs, "words", None) for t in turns]
    words = None if None in texts else Blob(pickle.dumps(tuple(texts), pickle.HIGHEST_PROTOCOL))
    return _unpack_transcript, (fields, tuple(cast), _pack_turns(turns, cast), Blob(blob), words)


RawTranscript.__reduce__ = _reduce_transcript  # type: ignore[method-assign]
