"""The search index, built whole in parallel or updated per briefing.

Refs stay put (search.refs), so adding, editing or removing a briefing touches only the
entries of the terms it uses (old version and new), its own docs chunks, the manifest
and the filter files (of its speakers); every other file keeps its bytes. Either way of building gives
the same bytes: every file is a pure function of the briefings (search.files).

A full build analyses ranges of briefings in workers (postings, and the docs chunks they
place as they go), then encodes the terms in workers; both write what they make to
scratch files (Spill), so the main process never holds the corpus's postings or entries. An update analyses only the
changed briefings and re-encodes their terms' entries, read back by position from the
previous build's shards when the state comes from the build cache (the state keeps each
shard's terms, and names the site it goes with); a long entry is re-encoded only
between the marks around the change (shards.respell), which the state keeps. A shard's
key is the digest of its bytes, so no entry is hashed.
"""

from __future__ import annotations

import functools
import os
import tempfile
from array import array
from bisect import bisect_right, insort
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import NamedTuple, Protocol

from generator import processes
from generator.cache import digest
from generator.errors import PodiumError
from generator.search.analyse import FIELDS, K1, B, TermPipeline, analyse
from generator.search.documents import SearchBriefing, SearchDocument
from generator.search.files import (
    DOCS_PER_CHUNK,
    Place,
    Reuse,
    SearchFile,
    filter_files,
    given,
    js_order,
    json_bytes,
    lazy_chunks,
    made_chunks,
    shard_name,
    shard_names,
    speaker_file,
    speaker_path,
    speaker_sources,
)
from generator.search.refs import assign_slots, ref_of, span
from generator.search.shards import (
    NFIELDS,
    Pieces,
    Postings,
    encode_marked,
    encode_term,
    joined,
    pack,
    respell,
    split_field,
    term_json,
)

SHARDS = "search/shards/"  # where the shard files are
SHARD_CAP = 24_000  # raw bytes; a term bigger than this gets a shard of its own
# An update touching this many terms splits them between workers. Below it, forking
# the build's process and sending the entries back costs more than it saves: one
# added briefing's 1,100 terms were respelled faster in the main process.
PARALLEL_TERMS = 8192
REBUILD_SHARE = 0.1  # when more briefings than this changed, index from scratch in parallel
FORMAT = 3

Documents = Callable[[int], Sequence[SearchDocument]]
Read = Callable[[str], bytes | None]  # the previous build's file at a path, if it has it


class Indexed(NamedTuple):
    """What one briefing put into the index, as the next build needs to take it out."""

    key: str
    slot: int
    span: int
    date: str | None
    kind: str
    count: int  # documents
    length_sums: tuple[int, ...]  # per field
    terms: str  # its terms, one per line; "" when they are kept in a TermLists
    speakers: dict[str, tuple[str, array]]  # slug -> (display name, refs); also the other filters' keys
    # ("@reporter/<slug>", "@outlet/<slug>", "@interpreted": SearchDocument.filters)


class TermLists(Protocol):
    """Where each briefing's terms are kept, by its key, apart from the index's state:
    only a briefing that changes or goes needs them, and they are most of the state's
    bytes (13 MB of 16 on the corpus), which every build would load otherwise."""

    def get(self, key: str) -> str | None: ...
    def put(self, key: str, terms: str) -> None: ...
    def drop(self, keys: Iterable[str]) -> None: ...
    def prune(self, keep: set[str]) -> None: ...


@dataclass
class SearchCache:
    """The index's state after a build, for the next one (in memory, or pickled).

    Pickled, it leaves out the entries' text (most of its bytes): an update reads the
    entries it needs back from the shards of the site it was saved with, `site` (the
    writer's build id, which names the site's content), and only from that site."""

    format: int = FORMAT
    briefings: dict[str, Indexed] = field(default_factory=dict)  # by slug
    sizes: dict[str, int] = field(default_factory=dict)  # term -> length of its entry
    shards: list[tuple[str, str]] = field(default_factory=list)  # (first term, name) of each shard written
    groups: list[list[str]] = field(default_factory=list)  # each shard's terms
    group_keys: list[str] = field(default_factory=list)  # each shard's key: its digest, "" until made
    generation: str = ""  # names this state: a new one whenever it changes (the small files' keys)
    respelled: set[str] = field(default_factory=set)  # terms whose entries the last update changed
    _paths: dict[str, int] = field(default_factory=dict)  # shard path -> its place in `shards`
    entries: dict[str, bytes | Pieces] = field(default_factory=dict)  # term -> its entry, where known
    marks: dict[str, tuple] = field(default_factory=dict)  # term -> its long fields' marks (shards.respell)
    changed: bool = False  # whether the last update changed anything
    spill: Spill | None = None  # a full build's entries, written out until its shards are made
    spilled: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # term -> place in spill
    term_lists: TermLists | None = None  # with one, briefings' terms are there, not in `briefings`
    site: str = ""  # the build id of the site whose shards hold these entries

    def __getstate__(self) -> dict:
        return {**self.__dict__, "entries": {}, "spill": None, "spilled": {}, "term_lists": None,
                "respelled": set(), "_paths": {}}

    def terms_of(self, indexed: Indexed) -> list[str] | None:
        """A briefing's terms, or None when they are lost (the index is built anew)."""
        terms = indexed.terms
        if not terms and self.term_lists is not None:
            terms = self.term_lists.get(indexed.key)
        return None if terms is None else terms.split("\n") if terms else []

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"marks": {}, **state})  # a state pickled before marks has none

    def entry(self, term: str, previous: Previous | None) -> bytes | Pieces:
        """A term's entry (UTF-8; respelled ones in pieces): known, written out by this
        build, or read from the shard the previous build put it in."""
        found = self.entries.get(term)
        if found is None:
            place = self.spilled.get(term)
            if place is not None:
                return self.spill.read(*place)
            self._read_shard(term, previous)
            found = self.entries[term]
        return found

    def made(self, path: str, file_digest: str) -> None:
        """Record that the shard file at `path` was made with this digest: its key."""
        if path.startswith(SHARDS):
            if not self._paths:  # since the shards were last grouped
                self._paths = {f"{SHARDS}{name}.json": i for i, (_, name) in enumerate(self.shards)}
            self.group_keys[self._paths[path]] = file_digest

    def release(self) -> None:
        """Close what a full build wrote out, once its shards are made: later updates
        read the entries they need back from those shards."""
        if self.spill is not None:
            self.spill.close()
        self.spill, self.spilled = None, {}

    def _read_shard(self, term: str, previous: Previous | None) -> None:
        shards = previous.shards if previous else ()
        number = bisect_right(shards, js_order(term), key=lambda shard: js_order(shard[0])) - 1
        data = previous.read(f"{SHARDS}{shards[number][1]}.json") if number >= 0 else None
        if data is None:
            raise _Stale(term)
        # "[\n" entry ",\n" entry ... "\n]\n": the shard's terms, in order
        group = previous.groups[number] if number < len(previous.groups) else ()
        lines = []
        if data.startswith(b"[\n") and data.endswith(b"\n]\n"):  # one copy of each entry, not two
            lines = [data[2:-3]] if len(group) == 1 else data.split(b",\n")
            lines[0], lines[-1] = lines[0].removeprefix(b"[\n"), lines[-1].removesuffix(b"\n]\n")
        if len(lines) != len(group) or not lines[0].startswith(f"[{term_json(group[0])},".encode()):
            raise _Stale(term)
        entries = self.entries
        for known, line in zip(group, lines):
            entries.setdefault(known, line)
        if term not in entries:
            raise _Stale(term)


class Previous(NamedTuple):
    """The previous build's output, as far as the index needs it."""

    read: Read  # its file at a path, if it has it
    shards: tuple[tuple[str, str], ...]  # (first term, name) of each of its shards
    groups: tuple[list[str], ...]  # the terms of each of its shards


class Spill:
    """Scratch files without names for one full index build: workers write postings
    and entries to them, and any process forked after they were opened reads them back
    (a 10x corpus would otherwise hold gigabytes of both in the main process). File i
    is written by one task only, from offset 0."""

    def __init__(self, count: int, folder: Path | None = None) -> None:
        self._files = [tempfile.TemporaryFile(dir=folder, prefix=".podium-index-")  # noqa: SIM115 (see close)
                       for _ in range(count)]
        self._ends = [0] * count  # in this process: where task i's writing has got to

    def write(self, i: int, data: bytes) -> int:
        """Append `data` to file i (only its own task writes it); returns its offset."""
        offset = self._ends[i]
        view = memoryview(data)
        while view:
            written = os.pwrite(self._files[i].fileno(), view, offset + len(data) - len(view))
            view = view[written:]
        self._ends[i] += len(data)
        return offset

    def read(self, i: int, offset: int, size: int) -> bytes:
        data = os.pread(self._files[i].fileno(), size, offset)
        if len(data) != size:
            raise PodiumError("the search index's scratch file was cut short (is the disk full?)")
        return data

    def close(self) -> None:
        for file in self._files:
            file.close()


class _Stale(Exception):
    """The previous build's shards are not what the cached state says they are."""


def build_search_index(briefings: Sequence[SearchBriefing], workers: int = 1,
                       cache: SearchCache | None = None, read: Read | None = None) -> dict[str, bytes]:
    """Every search file, keyed by its path relative to the output root, e.g.
    'search/manifest.json', for briefings that carry their documents."""
    briefings = [b if b.key else b.with_key() for b in briefings]
    slots = assign_slots(briefings)
    cache = cache if cache is not None else SearchCache()
    files = list(index_files(briefings, slots, lambda i: briefings[i].docs, workers, cache, read=read))
    try:
        made = {f.path: joined(f.make()) for f in files}  # made once all are listed, as the build does
    finally:
        cache.release()
    for path, data in made.items():
        cache.made(path, digest(data))
    return made


def index_files(briefings: Sequence[SearchBriefing], slots: Sequence[int], documents: Documents,
                workers: int = 1, cache: SearchCache | None = None, place: Place | None = None,
                read: Read | None = None, scratch: Path | None = None, reuse: Reuse | None = None,
                ) -> Iterator[SearchFile]:
    """Every search file for `briefings` placed at `slots`: docs chunks as briefings are
    analysed (a full build streams them), then shards, manifest and filter files.
    `documents(i)` gives briefing i's documents; only briefings the index does not hold
    yet are asked for (or chunks the caller makes). `cache` (updated in place) is the
    previous build's state. With `place`, docs chunks made are placed where they are made
    (in workers, when the build is parallel) and the files yielded make what it returned.
    `read` gives the previous build's files, whose shards hold the entries an update
    needs when `cache` was pickled. A full build writes its postings and entries to
    scratch files without names in the folder `scratch` (by default the system's), which
    stay open until `cache.release()`, once the files yielded are made. The docs chunks
    of briefings the index holds already are offered to `reuse` first, all in one call,
    and only those it does not take are yielded (a rebuild keeps 29,000)."""
    cache = cache if cache is not None else SearchCache()
    _check(briefings)
    previous = Previous(read, tuple(cache.shards), tuple(cache.groups)) if read else None
    fresh = yield from _update(cache, briefings, slots, documents, place, workers, previous)
    if fresh is None:
        yield from _rebuild(cache, briefings, slots, documents, workers, place, scratch)
        fresh = range(len(briefings))
    made = set(fresh)
    yield from lazy_chunks([(briefing, slots[i], partial(documents, i)) for i, briefing in enumerate(briefings)
                            if i not in made], reuse)
    if cache.changed or not cache.generation:
        _regroup(cache)
        cache.generation = os.urandom(16).hex()
    yield from _shard_files(cache, previous)
    yield from _small_files(cache)


def _check(briefings: Sequence[SearchBriefing]) -> None:
    seen: set[str] = set()
    for b in briefings:
        if b.slug in seen:
            raise ValueError(f"two search briefings share the slug {b.slug!r}")
        seen.add(b.slug)


def _place(briefing: SearchBriefing, slot: int) -> tuple:
    return briefing.key, slot, span(briefing)


# -- building from scratch -------------------------------------------------------------

_job: tuple = ()  # (briefings in slot order, their slots, their indexes, documents, place, term lists, spill)
_merged: dict[str, array] = {}  # term -> its pieces in the spill, PIECE numbers each, for workers
PIECE = 2 + NFIELDS  # spill file, offset, ints in each field
TITLE = [name for name, _ in FIELDS].index("title")
SPILL_FLUSH = 8 << 20  # bytes of entries a worker gathers before writing them out


def _rebuild(cache: SearchCache, briefings: Sequence[SearchBriefing], slots: Sequence[int],
             documents: Documents, workers: int, place: Place | None, scratch: Path | None,
             ) -> Iterator[SearchFile]:
    """Analyse every briefing (ranges in parallel; their docs chunks are yielded as they
    come, their postings written to the spill), then encode terms (partitions in
    parallel, their entries written to the spill too, for the shards to be made of)."""
    global _job, _merged
    order = sorted(range(len(briefings)), key=slots.__getitem__)
    ranges = _ranges([briefings[i].size for i in order], workers * 12 if workers > 1 else 1)
    parallel = workers > 1 and len(ranges) > 1
    part_count = workers * 4 if parallel else 1
    cache.release()
    spill = Spill(len(ranges) + part_count, scratch)
    _job = ([briefings[i] for i in order], [slots[i] for i in order], order, documents, place,
            cache.term_lists, spill)
    cache.briefings = {}
    merged: dict[str, array] = {}
    work: dict[str, int] = {}  # term -> ints in its postings
    processes.give_back_free_memory()  # what rendering let go of, before the workers fork
    try:
        with processes.pool(workers) if parallel else nullcontext() as pool:
            for number, (analysed, spilled, chunks) in enumerate((pool.map if parallel else map)(
                    _analyse_range, enumerate(ranges))):
                cache.briefings.update(analysed)
                for term, piece in spilled.items():  # each term's pieces, in ref order
                    pieces = merged.get(term)
                    if pieces is None:
                        pieces = merged[term] = array("q")
                    pieces.append(number)
                    pieces.extend(piece)
                    work[term] = work.get(term, 0) + sum(piece[1:])
                yield from chunks
        # the biggest terms first, dealt round: parts of about equal work
        terms = sorted(merged, key=lambda t: -work[t])
        parts = [(len(ranges) + p, terms[p::part_count]) for p in range(part_count)]
        _merged = merged
        if parallel:
            processes.give_back_free_memory()
            with processes.pool(workers) as pool:
                encoded = list(pool.map(_encode_terms, parts))
        else:
            encoded = [_encode_terms(parts[0])]
    except BaseException:
        spill.close()
        raise
    finally:
        _job, _merged = (), {}
    cache.entries, cache.sizes, cache.marks = {}, {}, {}
    for spilled, sizes, marks in encoded:
        cache.spilled.update(spilled)
        cache.sizes.update(sizes)
        cache.marks.update(marks)
    cache.spill = spill
    cache.changed = True
    cache.groups, cache.group_keys, cache.respelled = [], [], set()  # every shard is new
    if cache.term_lists is not None:
        cache.term_lists.prune({b.key for b in cache.briefings.values()})


def _ranges(sizes: Sequence[int], count: int) -> list[tuple[int, int]]:
    """About `count` consecutive ranges of about equal total size (work goes with
    utterances, and long briefings cluster in time: equal counts would not balance)."""
    target = max(1, sum(sizes) // count)
    ranges, start, size = [], 0, 0
    for i, n in enumerate(sizes):
        size += n
        if size >= target:
            ranges.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(sizes):
        ranges.append((start, len(sizes)))
    return ranges


Analysed = tuple[dict[str, Indexed], Postings, list[SearchFile]]


def _analyse_range(job: tuple[int, tuple[int, int]]) -> tuple[dict[str, Indexed], dict, list[SearchFile]]:
    """Range `number` of briefings: what each put in, and its docs chunks; its postings
    go to spill file `number`, each term's fields one after the other, and what is
    returned of them is where: term -> (offset, ints in each field)."""
    number, (start, end) = job
    ordered, slots, indexes, documents, place, term_lists, spill = _job
    items = ((ordered[k], slots[k], documents(indexes[k])) for k in range(start, end))  # one at a time
    analysed, postings, chunks = _analyse(items, place, term_lists)
    places, pieces, offset = {}, [], 0
    for term, lists in postings.terms.items():
        places[term] = (offset, *map(len, lists))
        pieces += [a.tobytes() for a in lists]
        offset += sum(map(len, lists)) * lists[0].itemsize
    spill.write(number, b"".join(pieces))
    return analysed, places, chunks


@cache
def _pipeline() -> TermPipeline:
    """One per process: its memo of stemmed tokens serves every range a worker takes."""
    return TermPipeline()


def _analyse(items: Iterable[tuple[SearchBriefing, int, Sequence[SearchDocument]]],
             place: Place | None = None, term_lists: TermLists | None = None) -> Analysed:
    """Briefings given in slot order: what each put in, their postings and docs chunks.
    With `term_lists`, each briefing's terms are put there instead of in what it put in."""
    pipeline = _pipeline()
    postings = Postings()
    out = {}
    chunks = []
    for briefing, slot, docs in items:
        sums = list(postings.length_sums)
        analysed = analyse([(d.text, d.speaker, briefing.title) for d in docs], pipeline)
        terms: set[str] = set()
        speakers: dict[str, tuple[str, array]] = {}
        refs = array("i")
        for doc, (text, speaker, _) in zip(docs, analysed):
            ref = ref_of(slot, doc.position)
            postings.add(ref, (text, speaker))
            refs.append(ref)
            terms.update(text.frequencies)
            terms.update(speaker.frequencies)
            if doc.speaker_slug:
                speakers.setdefault(doc.speaker_slug, (doc.speaker, array("q")))[1].append(ref)
            for key, name in doc.filters:  # who asked, for which outlet, interpreted: as speakers are
                speakers.setdefault(key, (name, array("q")))[1].append(ref)
        if analysed:  # the title, the same in every document: its postings in one go
            title = analysed[0][2]
            postings.add_same(refs, TITLE, title)
            terms.update(title.frequencies)
        lengths = tuple(after - before for after, before in zip(postings.length_sums, sums))
        listed = "\n".join(sorted(terms))
        if term_lists is not None:
            term_lists.put(briefing.key, listed)
            listed = ""
        out[briefing.slug] = Indexed(briefing.key, slot, span(briefing), briefing.date, briefing.kind,
                                     len(docs), lengths, listed, speakers)
        chunks += made_chunks(briefing, slot, docs, place)
    return out, postings, chunks


def _encode_terms(job: tuple[int, Sequence[str]]) -> tuple[dict, dict[str, int], dict]:
    """Encode these terms from every range's postings, read back from the spill, and
    write their entries to spill file `number`: returns where each entry is,
    its size, and its marks if it has long fields."""
    number, terms = job
    spill = _job[-1]
    places, sizes, marks = {}, {}, {}
    pending: list[bytes] = []
    size = offset = 0  # file `number` is this task's alone
    for term in terms:
        fields = [array("i") for _ in range(NFIELDS)]
        pieces = _merged[term]
        for p in range(0, len(pieces), PIECE):
            piece_number, piece_offset, *counts = pieces[p:p + PIECE]
            flat = array("i")
            flat.frombytes(spill.read(piece_number, piece_offset, sum(counts) * flat.itemsize))
            start = 0
            for f, n in enumerate(counts):
                fields[f].extend(flat[start:start + n])
                start += n
        entry, term_marks = encode_marked(term, [split_field(flat) for flat in fields])
        if term_marks is not None:
            marks[term] = term_marks
        data = entry.encode()
        places[term] = (number, offset + size, len(data))
        sizes[term] = len(data)
        pending.append(data)
        size += len(data)
        if size >= SPILL_FLUSH:
            spill.write(number, b"".join(pending))
            pending, offset, size = [], offset + size, 0
    spill.write(number, b"".join(pending))
    return places, sizes, marks


# -- updating ----------------------------------------------------------------------------

def _update(cache: SearchCache, briefings: Sequence[SearchBriefing], slots: Sequence[int],
            documents: Documents, place: Place | None, workers: int = 1, previous: Previous | None = None,
            ) -> Generator[SearchFile, None, list[int] | None]:
    """Take out briefings that changed or went, put in new ones, yielding their docs
    chunks; returns which briefings were analysed, or None when a full build is the
    better way (no usable state, or many changes)."""
    if cache.format != FORMAT or not cache.briefings:
        return None
    if not cache.entries and (previous is None or previous.read("search/manifest.json") is None):
        return None  # entries to be read back, and no previous build to read them from
    places = {b.slug: (i, _place(b, slots[i])) for i, b in enumerate(briefings)}
    gone = [indexed for slug, indexed in cache.briefings.items()
            if slug not in places or places[slug][1] != indexed[:3]]
    fresh = sorted((i for slug, (i, place) in places.items()
                    if slug not in cache.briefings or cache.briefings[slug][:3] != place),
                   key=slots.__getitem__)
    if len(gone) + len(fresh) > max(8, REBUILD_SHARE * len(briefings)):
        return None
    affected: set[str] = set()
    for g in gone:
        gone_terms = cache.terms_of(g)
        if gone_terms is None:
            return None
        affected.update(gone_terms)
    cache.changed = bool(gone or fresh)
    if not cache.changed:
        return fresh
    analysed, postings, chunks = _analyse(((briefings[i], slots[i], documents(i)) for i in fresh),
                                          None, cache.term_lists)
    removed = sorted((ref_of(g.slot, 0), ref_of(g.slot + g.span, 0)) for g in gone)
    affected.update(postings.terms)
    terms = sorted(affected)
    try:  # before anything is yielded: a stale state means a full build instead
        for term in terms:  # reads each shard these are in, whole: shards that change need every entry
            if term in cache.sizes:
                cache.entry(term, previous)
    except _Stale:
        return None
    for file in chunks:
        yield SearchFile(file.path, file.key, partial(given, place(file.path, file.make()) if place else file.make()))
    global _respell_job
    _respell_job = (cache.entries, cache.marks, removed, postings)
    try:
        if workers > 1 and len(terms) >= PARALLEL_TERMS:
            by_size = sorted(terms, key=lambda t: -cache.sizes.get(t, 0))  # dealt round: even work
            parts = [by_size[p::workers * 2] for p in range(workers * 2)]
            with processes.pool(workers) as pool:
                respelled = sorted(e for part in pool.map(_respell_joined, parts) for e in part)
        else:
            respelled = _respell(terms)
    finally:
        _respell_job = ()
    cache.respelled = {term for term, _, _ in respelled}
    for term, entry, marks in respelled:
        if entry is not None:
            cache.entries[term] = entry
            cache.sizes[term] = len(entry) if isinstance(entry, bytes) else sum(map(len, entry))
        elif term in cache.sizes:
            del cache.entries[term], cache.sizes[term]
        if marks is not None:
            cache.marks[term] = marks
        else:
            cache.marks.pop(term, None)
    slugs = {b.slug for b in briefings}
    for slug in [s for s in cache.briefings if s not in slugs]:
        del cache.briefings[slug]
    cache.briefings.update(analysed)
    if cache.term_lists is not None:
        kept = {b.key for b in cache.briefings.values()}
        cache.term_lists.drop(g.key for g in gone if g.key not in kept)
    return fresh


_respell_job: tuple = ()  # (entries, marks, removed ranges, added postings) for forked workers


def _respell(terms: Sequence[str]) -> list[tuple[str, bytes | Pieces | None, tuple | None]]:
    """The new entry of each term whose postings change (None: it has none left), with
    its marks. A long entry without marks (one that grew long in an update) is read
    whole, and gets them."""
    entries, marks, removed, postings = _respell_job
    out = []
    for term in terms:
        old = entries.get(term)
        added = postings.terms.get(term)
        if old is None:
            out.append((term, encode_term(term, [split_field(flat) for flat in added]).encode(), None))
            continue
        if not isinstance(old, bytes):  # respelled by an earlier update of `podium serve`
            old = entries[term] = b"".join(old)
        new, new_marks = respell(old, removed, added, marks.get(term))
        # equal: an edit elsewhere in its briefing left its postings as they were
        if new is None or sum(map(len, new)) != len(old) or b"".join(new) != old:
            out.append((term, new, new_marks))
    return out


def _respell_joined(terms: Sequence[str]) -> list[tuple[str, bytes | None, tuple | None]]:
    """_respell in a worker: each entry's pieces joined, to be sent back."""
    return [(term, None if new is None else joined(new), marks) for term, new, marks in _respell(terms)]


# -- files ---------------------------------------------------------------------------------

def _regroup(cache: SearchCache) -> None:
    """Terms in JavaScript order, packed into shards, with their names and keys. A shard
    with the same terms as before, none of them respelled, keeps its key (the digest of
    its bytes); the others are made, and get theirs then (`made`)."""
    groups = pack(_term_order(cache), cache.sizes, SHARD_CAP)
    before = {group[0]: (group, key) for group, key in zip(cache.groups, cache.group_keys)}
    respelled = cache.respelled
    keys = []
    for group in groups:
        old, key = before.get(group[0], (None, ""))
        keys.append(key if old == group and respelled.isdisjoint(group) else "")
    cache.groups, cache.group_keys, cache._paths = groups, keys, {}
    cache.shards = [(group[0], name) for group, name in zip(groups, shard_names(groups))]


def _term_order(cache: SearchCache) -> list[str]:
    """Every term in JavaScript order: the previous shards' order, with the terms an
    update took out or put in (sorting them all again is a tenth of an add's index work)."""
    order = [term for group in cache.groups for term in group]
    known, sizes = set(order), cache.sizes
    if any(term not in sizes for term in cache.respelled):  # terms no posting is left of
        order = [term for term in order if term in sizes]
    for term in sorted((t for t in cache.respelled if t in sizes and t not in known), key=js_order):
        insort(order, term, key=js_order)
    return order if len(order) == len(cache.sizes) else sorted(cache.sizes, key=js_order)


def _shard_files(cache: SearchCache, previous: Previous | None) -> list[SearchFile]:
    return [SearchFile(f"{SHARDS}{name}.json", key, partial(_shard, cache, group, previous))
            for (_, name), group, key in zip(cache.shards, cache.groups, cache.group_keys)]


def _shard(cache: SearchCache, group: Sequence[str], previous: Previous | None) -> Pieces:
    """A shard file's bytes, in pieces: the entries as they are (a long one is mostly
    views of the shard it was read from), never joined."""
    pieces: Pieces = [b"[\n"]
    try:
        for i, term in enumerate(group):
            if i:
                pieces.append(b",\n")
            entry = cache.entry(term, previous)
            if isinstance(entry, bytes):
                pieces.append(entry)
            else:
                pieces += entry
    except _Stale as stale:
        raise PodiumError("the search index in the build cache does not match the output folder; "
                          "delete the cache folder and build again") from stale
    pieces.append(b"\n]\n")
    return pieces


def _small_files(cache: SearchCache) -> list[SearchFile]:
    """The manifest, the option lists and each briefing's first ref, date and kind, made
    only when the state changed since the build that wrote them (their key is its
    generation); and each speaker's refs, made when one of their briefings changed."""
    indexed = sorted(cache.briefings.values(), key=lambda b: b.slot)
    speakers = speaker_sources(indexed)
    made = functools.cache(partial(_make_small_files, cache, indexed, speakers))
    files = [SearchFile(path, f"{cache.generation} {path}", partial(lambda path: made()[path], path))
             for path in ("search/manifest.json", "search/filters.json", "search/briefings.json")]
    for slug, group in speakers.items():
        key = digest(" ".join(f"{b.key}@{b.slot}" for b in group).encode())
        files.append(SearchFile(speaker_path(slug), key, partial(speaker_file, slug, group)))
    return files


def _period_starts(indexed: Sequence[Indexed], width: int) -> list[list]:
    """[period, first ref] for each year (width 4: "2014") or month (7: "2014-03") with a
    dated briefing, in order: `indexed` in slot order, so in date order."""
    starts: list[list] = []
    for briefing in indexed:
        if briefing.date is not None and (not starts or starts[-1][0] != briefing.date[:width]):
            starts.append([briefing.date[:width], ref_of(briefing.slot, 0)])
    return starts


def _make_small_files(cache: SearchCache, indexed: Sequence[Indexed],
                      speakers: dict[str, list[Indexed]]) -> dict[str, bytes]:
    groups, names = cache.groups, [name for _, name in cache.shards]
    count = sum(b.count for b in indexed)
    length_sums = [sum(b.length_sums[f] for b in indexed) for f in range(NFIELDS)]
    manifest = {
        "format": FORMAT,
        "documents": count,
        "fields": [[name, boost] for name, boost in FIELDS],
        # lunr averages each field's length over documents; float repr round-trips in JS
        "averageFieldLength": [s / count if count else 0 for s in length_sums],
        "k1": K1,
        "b": B,
        "docsPerChunk": DOCS_PER_CHUNK,
        "shards": [group[0] for group in groups],  # shard i holds terms in [shards[i], shards[i+1])
        # shard i's file is shards/<shard_name(shards[i])>.json, but for these (name clashes)
        "shardNames": {str(i): name for i, (name, group) in enumerate(zip(names, groups))
                       if name != shard_name(group[0])},
        # where each year's and month's refs begin (refs are in date order; those below the
        # first are undated): a query's matches counted by period, as the trend chart shows
        "periods": {"years": _period_starts(indexed, 4), "months": _period_starts(indexed, 7)},
    }
    files = {"search/manifest.json": json_bytes(manifest)}
    files.update(filter_files(indexed, speakers))
    return files
