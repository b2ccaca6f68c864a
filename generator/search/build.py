"""The search index, built whole in parallel or updated per briefing.

Refs stay put (search.refs), so adding, editing or removing a briefing touches only the
entries of the terms it uses (old version and new), its own docs chunks, the manifest
and the filter files; every other file keeps its bytes. Either way of building gives
the same bytes: every file is a pure function of the briefings (search.files).

A full build analyses ranges of briefings in workers (postings, and the docs chunks they
place as they go), then encodes the terms in workers. An update analyses only the
changed briefings and re-encodes their terms' entries, read back from the previous
build's shards when the state comes from the build cache.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from bisect import bisect_right
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache, partial
from typing import NamedTuple

from generator import processes
from generator.errors import PodiumError
from generator.search.analyse import FIELDS, K1, B, TermPipeline, analyse
from generator.search.documents import SearchBriefing, SearchDocument
from generator.search.files import (
    DOCS_PER_CHUNK,
    Place,
    SearchFile,
    filter_files,
    given,
    js_order,
    json_bytes,
    lazy_chunks,
    made_chunks,
    shard_name,
    shard_names,
)
from generator.search.refs import assign_slots, ref_of, span
from generator.search.shards import (
    NFIELDS,
    Postings,
    encode_term,
    pack,
    respell,
    split_field,
)

_DECODER = json.JSONDecoder()
SHARD_CAP = 24_000  # raw bytes; a term bigger than this gets a shard of its own
PARALLEL_TERMS = 256  # an update touching this many terms splits them between workers
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
    terms: str  # its terms, one per line
    speakers: dict[str, tuple[str, array]]  # slug -> (display name, refs)


@dataclass
class SearchCache:
    """The index's state after a build, for the next one (in memory, or pickled).

    Pickled, it leaves out the entries' text (most of its bytes): an update reads the
    entries it needs back from the shards the previous build wrote, checked against
    their digests here."""

    format: int = FORMAT
    briefings: dict[str, Indexed] = field(default_factory=dict)  # by slug
    digests: dict[str, bytes] = field(default_factory=dict)  # term -> digest of its entry
    sizes: dict[str, int] = field(default_factory=dict)  # term -> length of its entry
    shards: list[tuple[str, str]] = field(default_factory=list)  # (first term, name) of each shard written
    entries: dict[str, str] = field(default_factory=dict)  # term -> encoded entry, where known
    changed: bool = False  # whether the last update changed anything

    def __getstate__(self) -> dict:
        return {**self.__dict__, "entries": {}}

    def entry(self, term: str, previous: Previous | None) -> str:
        """A term's entry: known, or read from the shard the previous build put it in."""
        found = self.entries.get(term)
        if found is None:
            self._read_shard(term, previous)
            found = self.entries[term]
        return found

    def _read_shard(self, term: str, previous: Previous | None) -> None:
        shards = previous.shards if previous else ()
        number = bisect_right(shards, js_order(term), key=lambda shard: js_order(shard[0])) - 1
        data = previous.read(f"search/shards/{shards[number][1]}.json") if number >= 0 else None
        if data is None:
            raise _Stale(term)
        for line in data.decode().split("\n")[1:-2]:
            entry = line.removesuffix(",")
            found, _ = _DECODER.raw_decode(entry, 1)
            if self.digests.get(found) != _digest(entry):
                raise _Stale(found)
            self.entries.setdefault(found, entry)
        if term not in self.entries:
            raise _Stale(term)


class Previous(NamedTuple):
    """The previous build's output, as far as the index needs it."""

    read: Read  # its file at a path, if it has it
    shards: tuple[tuple[str, str], ...]  # (first term, name) of each of its shards


class _Stale(Exception):
    """The previous build's shards are not what the cached state says they are."""


def build_search_index(briefings: Sequence[SearchBriefing], workers: int = 1,
                       cache: SearchCache | None = None, read: Read | None = None) -> dict[str, bytes]:
    """Every search file, keyed by its path relative to the output root, e.g.
    'search/manifest.json', for briefings that carry their documents."""
    briefings = [b if b.key else b.with_key() for b in briefings]
    slots = assign_slots(briefings)
    files = list(index_files(briefings, slots, lambda i: briefings[i].docs, workers, cache, read=read))
    return {f.path: f.make() for f in files}  # made once all are listed, as the build does


def index_files(briefings: Sequence[SearchBriefing], slots: Sequence[int], documents: Documents,
                workers: int = 1, cache: SearchCache | None = None, place: Place | None = None,
                read: Read | None = None) -> Iterator[SearchFile]:
    """Every search file for `briefings` placed at `slots`: docs chunks as briefings are
    analysed (a full build streams them), then shards, manifest and filter files.
    `documents(i)` gives briefing i's documents; only briefings the index does not hold
    yet are asked for (or chunks the caller makes). `cache` (updated in place) is the
    previous build's state. With `place`, docs chunks made are placed where they are made
    (in workers, when the build is parallel) and the files yielded make what it returned.
    `read` gives the previous build's files, whose shards hold the entries an update
    needs when `cache` was pickled."""
    cache = cache if cache is not None else SearchCache()
    _check(briefings)
    previous = Previous(read, tuple(cache.shards)) if read else None
    fresh = yield from _update(cache, briefings, slots, documents, place, workers, previous)
    if fresh is None:
        yield from _rebuild(cache, briefings, slots, documents, workers, place)
        fresh = range(len(briefings))
    made = set(fresh)
    for i, briefing in enumerate(briefings):
        if i not in made:
            yield from lazy_chunks(briefing, slots[i], partial(documents, i))
    groups = _groups(cache)
    names = shard_names(groups)
    yield from _shard_files(cache, groups, names, previous)
    yield from _small_files(cache, groups, names)
    cache.shards = [(group[0], name) for group, name in zip(groups, names)]


def _check(briefings: Sequence[SearchBriefing]) -> None:
    seen: set[str] = set()
    for b in briefings:
        if b.slug in seen:
            raise ValueError(f"two search briefings share the slug {b.slug!r}")
        seen.add(b.slug)


def _place(briefing: SearchBriefing, slot: int) -> tuple:
    return briefing.key, slot, span(briefing)


# -- building from scratch -------------------------------------------------------------

_job: tuple = ()  # (briefings in slot order, their slots, their indexes, documents, place) for workers
_parts: list[Postings] = []


def _rebuild(cache: SearchCache, briefings: Sequence[SearchBriefing], slots: Sequence[int],
             documents: Documents, workers: int, place: Place | None) -> Iterator[SearchFile]:
    """Analyse every briefing (ranges in parallel; their docs chunks are yielded as they
    come), then encode terms (partitions in parallel)."""
    global _job, _parts, _merged
    order = sorted(range(len(briefings)), key=slots.__getitem__)
    _job = ([briefings[i] for i in order], [slots[i] for i in order], order, documents, place)
    ranges = _ranges([briefings[i].size for i in order], workers * 12 if workers > 1 else 1)
    cache.briefings = {}
    try:
        parallel = workers > 1 and len(ranges) > 1
        with processes.pool(workers) if parallel else nullcontext() as pool:
            for analysed, postings, chunks in (pool.map if parallel else map)(_analyse_range, ranges):
                cache.briefings.update(analysed)
                _parts.append(postings)
                yield from chunks
        _merged = {}
        for postings in _parts:  # each term's pieces, in ref order
            for term, lists in postings.terms.items():
                _merged.setdefault(term, []).append(lists)
        _parts = []
        if parallel:  # the biggest terms first, dealt round: parts of about equal work
            terms = sorted(_merged, key=lambda t: -sum(len(lists[0]) for lists in _merged[t]))
            parts = [terms[p::workers * 4] for p in range(workers * 4)]
            with processes.pool(workers) as pool:
                encoded = list(pool.map(_encode_terms, parts))
        else:
            encoded = [_encode_terms(list(_merged))]
    finally:
        _job, _parts, _merged = (), [], {}
    cache.entries, cache.digests = {}, {}
    for entries, digests in encoded:
        cache.entries.update(entries)
        cache.digests.update(digests)
    cache.sizes = {term: len(entry) for term, entry in cache.entries.items()}
    cache.changed = True


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


def _analyse_range(bounds: tuple[int, int]) -> Analysed:
    ordered, slots, indexes, documents, place = _job
    start, end = bounds
    items = ((ordered[k], slots[k], documents(indexes[k])) for k in range(start, end))  # one at a time
    return _analyse(items, place)


@cache
def _pipeline() -> TermPipeline:
    """One per process: its memo of stemmed tokens serves every range a worker takes."""
    return TermPipeline()


def _analyse(items: Iterable[tuple[SearchBriefing, int, Sequence[SearchDocument]]],
             place: Place | None = None) -> Analysed:
    """Briefings given in slot order: what each put in, their postings and docs chunks."""
    pipeline = _pipeline()
    postings = Postings()
    out = {}
    chunks = []
    for briefing, slot, docs in items:
        sums = list(postings.length_sums)
        analysed = analyse([(d.text, d.speaker, briefing.title) for d in docs], pipeline)
        terms: set[str] = set()
        speakers: dict[str, tuple[str, array]] = {}
        for doc, fields in zip(docs, analysed):
            ref = ref_of(slot, doc.position)
            postings.add(ref, fields)
            for f in fields:
                terms.update(f.frequencies)
            if doc.speaker_slug:
                speakers.setdefault(doc.speaker_slug, (doc.speaker, array("q")))[1].append(ref)
        lengths = tuple(after - before for after, before in zip(postings.length_sums, sums))
        out[briefing.slug] = Indexed(briefing.key, slot, span(briefing), briefing.date, briefing.kind,
                                     len(docs), lengths, "\n".join(sorted(terms)), speakers)
        chunks += made_chunks(briefing, slot, docs, place)
    return out, postings, chunks


_merged: dict[str, list[list[array]]] = {}  # term -> its postings from each range, for forked workers


def _encode_terms(terms: Sequence[str]) -> tuple[dict[str, str], dict[str, bytes]]:
    """Encode these terms from every range's postings."""
    entries, digests = {}, {}
    for term in terms:
        pieces = _merged[term]
        if len(pieces) == 1:
            fields = [split_field(flat) for flat in pieces[0]]
        else:
            fields = []
            for f in range(NFIELDS):
                flat = array("i")
                for lists in pieces:
                    flat.extend(lists[f])
                fields.append(split_field(flat))
        entries[term] = entry = encode_term(term, fields)
        digests[term] = _digest(entry)
    return entries, digests


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
    cache.changed = bool(gone or fresh)
    if not cache.changed:
        return fresh
    analysed, postings, chunks = _analyse((briefings[i], slots[i], documents(i)) for i in fresh)
    removed = sorted((ref_of(g.slot, 0), ref_of(g.slot + g.span, 0)) for g in gone)
    affected = set(postings.terms)
    for g in gone:
        affected.update(g.terms.split("\n") if g.terms else ())
    terms = sorted(affected)
    try:  # before anything is yielded: a stale state means a full build instead
        for term in terms:  # reads each shard these are in, whole: shards that change need every entry
            if term in cache.digests:
                cache.entry(term, previous)
    except _Stale:
        return None
    for file in chunks:
        yield SearchFile(file.path, file.key, partial(given, place(file.path, file.make()) if place else file.make()))
    global _respell_job
    _respell_job = (cache.entries, removed, postings)
    try:
        if workers > 1 and len(terms) >= PARALLEL_TERMS:
            by_size = sorted(terms, key=lambda t: -len(cache.entries.get(t, "")))  # dealt round: even work
            parts = [by_size[p::workers * 2] for p in range(workers * 2)]
            with processes.pool(workers) as pool:
                respelled = sorted(e for part in pool.map(_respell, parts) for e in part)
        else:
            respelled = _respell(terms)
    finally:
        _respell_job = ()
    for term, entry in respelled:
        if entry is not None:
            cache.entries[term], cache.digests[term], cache.sizes[term] = entry, _digest(entry), len(entry)
        elif term in cache.digests:
            del cache.entries[term], cache.digests[term], cache.sizes[term]
    slugs = {b.slug for b in briefings}
    for slug in [s for s in cache.briefings if s not in slugs]:
        del cache.briefings[slug]
    cache.briefings.update(analysed)
    return fresh


_respell_job: tuple = ()  # (entries, removed ranges, added postings) for forked workers


def _respell(terms: Sequence[str]) -> list[tuple[str, str | None]]:
    """The new entry of each term whose postings change (None: it has none left)."""
    entries, removed, postings = _respell_job
    out = []
    for term in terms:
        old = entries.get(term)
        added = postings.terms.get(term)
        if old is None:
            new = encode_term(term, [split_field(flat) for flat in added])
        else:
            new = respell(old, removed, added)
        if new != old:  # equal: an edit elsewhere in its briefing left its postings as they were
            out.append((term, new))
    return out


# -- files ---------------------------------------------------------------------------------

def _groups(cache: SearchCache) -> list[list[str]]:
    """Terms in JavaScript order, packed into shards."""
    return pack(sorted(cache.sizes, key=js_order), cache.sizes, SHARD_CAP)


def _shard_files(cache: SearchCache, groups: list[list[str]], names: list[str],
                 previous: Previous | None) -> list[SearchFile]:
    digests = cache.digests
    files = []
    for name, group in zip(names, groups):
        key = hashlib.blake2b(b"".join(digests[t] for t in group), digest_size=16).hexdigest()
        files.append(SearchFile(f"search/shards/{name}.json", key, partial(_shard, cache, group, previous)))
    return files


def _shard(cache: SearchCache, group: Sequence[str], previous: Previous | None) -> bytes:
    try:
        body = ",\n".join(cache.entry(t, previous) for t in group)
    except _Stale as stale:
        raise PodiumError("the search index in the build cache does not match the output folder; "
                          "delete the cache folder and build again") from stale
    return f"[\n{body}\n]\n".encode()


def _small_files(cache: SearchCache, groups: list[list[str]], names: list[str]) -> list[SearchFile]:
    """The manifest, and the option lists and ref lists the filters need."""
    indexed = sorted(cache.briefings.values(), key=lambda b: b.slot)
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
    }
    files = {"search/manifest.json": json_bytes(manifest)}
    files.update(filter_files(indexed))
    return [SearchFile(path, "", lambda data=data: data) for path, data in files.items()]


def _digest(entry: str) -> bytes:
    return hashlib.blake2b(entry.encode(), digest_size=8).digest()


