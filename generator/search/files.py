"""The search index's files, as the browser reads them (see generator/search/__init__.py):
docs chunks, shard names, the filter files; each a pure function of what it is given."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache, partial
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.export import html_safe
from generator.search.documents import (
    INTERPRETED_KEY,
    OUTLET_KEY,
    REPORTER_KEY,
    SearchBriefing,
    SearchDocument,
)
from generator.search.refs import ref_of

if TYPE_CHECKING:
    from generator.search.build import Indexed

DOCS_PER_CHUNK = 8  # result text: refs 8k..8k+7 live in search/docs/<k>.json
Place = Callable[[str, bytes], Any]  # puts a file in the new site now; what it returns stands for the bytes
# takes (path, key) pairs for files the previous build may have made the same; gives the
# positions of those it did not, to be made
Reuse = Callable[[list[tuple[str, str]]], list[int]]


class SearchFile(NamedTuple):
    """One file of the index: `key` names its bytes (equal keys, equal bytes)."""

    path: str
    key: str
    make: Callable[[], Any]  # the bytes (a shard's in pieces), or what `Place` returned for them


def chunk_paths(briefing: SearchBriefing, slot: int) -> list[tuple[str, int]]:
    """(path, k) of the docs chunks of a briefing placed at `slot`: k counts its chunks."""
    first = ref_of(slot, 0) // DOCS_PER_CHUNK
    return [(f"search/docs/{first + k}.json", k) for k in range(-(-briefing.size // DOCS_PER_CHUNK))]


def _chunk_key(briefing: SearchBriefing, slot: int) -> str:
    return f"{briefing.key} {slot}"


def made_chunks(briefing: SearchBriefing, slot: int, docs: Sequence[SearchDocument],
                place: Place | None = None) -> list[SearchFile]:
    """Every docs chunk of a briefing, made now (and placed, with `place`)."""
    by_chunk: dict[int, list[SearchDocument]] = {}
    for d in docs:
        by_chunk.setdefault(d.position // DOCS_PER_CHUNK, []).append(d)
    key = _chunk_key(briefing, slot)
    files = []
    for path, k in chunk_paths(briefing, slot):
        data = chunk_bytes(briefing, slot, k, by_chunk.get(k, ()))
        files.append(SearchFile(path, key, partial(given, place(path, data) if place else data)))
    return files


def given(value: Any) -> Any:
    return value


def lazy_chunks(briefings: Sequence[tuple[SearchBriefing, int, Callable[[], Sequence[SearchDocument]]]],
                reuse: Reuse | None = None) -> list[SearchFile]:
    """Every docs chunk of these briefings (each with its slot, and how to get its
    documents), made only if asked (their bytes are usually on disk); a briefing's
    documents are worked out once for all its chunks asked for. With `reuse`, only those
    it does not take as they were, offered all at once (a rebuild keeps 29,000)."""
    listed = [(path, key, n, k) for n, (briefing, slot, _) in enumerate(briefings)
              for key in (_chunk_key(briefing, slot),) for path, k in chunk_paths(briefing, slot)]
    if reuse is not None and listed:
        listed = [listed[i] for i in reuse([(path, key) for path, key, _, _ in listed])]
    once = {n: cache(briefings[n][2]) for n in {n for _, _, n, _ in listed}}
    return [SearchFile(path, key, lambda n=n, k=k: chunk_bytes(*briefings[n][:2], k, once[n]()))
            for path, key, n, k in listed]


def chunk_bytes(briefing: SearchBriefing, slot: int, k: int, docs: Sequence[SearchDocument]) -> bytes:
    """What a result shows, for refs 8n..8n+7 (a chunk never spans two briefings): url,
    speaker, title, kind, date and text, or null for a position without words. `docs`
    are the briefing's documents with positions in chunk k (any others are skipped)."""
    rows: list = [None] * DOCS_PER_CHUNK
    for d in docs:
        if k * DOCS_PER_CHUNK <= d.position < (k + 1) * DOCS_PER_CHUNK:
            rows[d.position % DOCS_PER_CHUNK] = [d.url, d.speaker, briefing.title, briefing.kind, briefing.date,
                                                 d.text, *((d.asker, d.answerers) if d.asker else ())]
    while rows and rows[-1] is None:
        rows.pop()
    return json_bytes({"first": ref_of(slot, 0) + k * DOCS_PER_CHUNK, "docs": rows})


def js_order(term: str) -> bytes:
    return term.encode("utf-16-be")  # JavaScript's string order, which lunr.js relies on


def shard_name(first: str) -> str:
    """A shard's file name: FNV-1a (32 bits) over the UTF-16 code units of its first
    term, as search-worker.js computes it. Named by their first term, shards keep their
    names when a bucket elsewhere splits or merges, so those changes touch no other file."""
    h = 0x811C9DC5
    for unit in memoryview(first.encode("utf-16-le")).cast("H"):
        h = ((h ^ unit) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


def shard_names(groups: list[list[str]]) -> list[str]:
    """Each shard's name; a name taken by an earlier shard gets a suffix (the manifest lists those)."""
    names, seen = [], set()
    for group in groups:
        name = shard_name(group[0])
        while name in seen:
            name += "-"
        seen.add(name)
        names.append(name)
    return names


_SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


def speaker_file_name(slug: str) -> str:
    if _SAFE_SLUG.fullmatch(slug):
        return slug
    return hashlib.sha1(slug.encode()).hexdigest()[:16]


def filter_files(indexed: Sequence[Indexed], speakers: dict[str, list[Indexed]]) -> dict[str, bytes]:
    """Option lists for the search form, and what a filter needs: each briefing's first
    ref, date and kind (briefings in ref order). `speakers` are `speaker_sources(indexed)`;
    each speaker's refs are in a `speaker_file`."""
    kinds: Counter = Counter()
    kind_ids: dict[str, int] = {}
    table: dict[str, list] = {"first": [], "date": [], "kind": []}
    for b in indexed:
        if not b.count:
            continue
        kinds[b.kind] += 1
        table["first"].append(ref_of(b.slot, 0))
        table["date"].append(b.date)
        table["kind"].append(kind_ids.setdefault(b.kind, len(kind_ids)))
    files = {}
    options: dict[str, list] = {"speakers": [], "askers": [], "outlets": [], "interpreted": []}
    for slug, group in speakers.items():
        kind, name = _filter_kind(slug)
        options[kind].append([name, group[0].speakers[slug][0], sum(len(b.speakers[slug][1]) for b in group),
                              speaker_file_name(name)])
    dates = [d for d in table["date"] if d]
    files["search/filters.json"] = json_bytes({
        "speakers": options["speakers"],
        "askers": options["askers"],
        "outlets": options["outlets"],
        "interpreted": options["interpreted"][0][2:] if options["interpreted"] else None,  # [count, file]
        "kinds": sorted([k, c] for k, c in kinds.items()),
        "dates": [min(dates), max(dates)] if dates else None,
    })
    table["kinds"] = list(kind_ids)
    files["search/briefings.json"] = json_bytes(table)
    return files


def speaker_sources(indexed: Sequence[Indexed]) -> dict[str, list[Indexed]]:
    """Each speaker's briefings, by slug in order, each in the order given (ref order)."""
    sources: dict[str, list[Indexed]] = {}
    for b in indexed:
        for slug in b.speakers:
            sources.setdefault(slug, []).append(b)
    return dict(sorted(sources.items()))


_FOLDERS = {"speakers": "speakers", "askers": "askers", "outlets": "outlets", "interpreted": "marks"}


def _filter_kind(key: str) -> tuple[str, str]:
    """A filter key's list in filters.json and its slug: "@reporter/x" is ("askers", "x")."""
    if key == INTERPRETED_KEY:
        return "interpreted", "interpreted"
    if key.startswith(REPORTER_KEY):
        return "askers", key.removeprefix(REPORTER_KEY)
    if key.startswith(OUTLET_KEY):
        return "outlets", key.removeprefix(OUTLET_KEY)
    return "speakers", key


def speaker_path(slug: str) -> str:
    """The file of a filter's refs: search/speakers/<slug>.json for a speaker, and
    search/askers/, search/outlets/, search/marks/interpreted.json for the others."""
    kind, name = _filter_kind(slug)
    return f"search/{_FOLDERS[kind]}/{speaker_file_name(name)}.json"


def speaker_file(slug: str, briefings: Sequence[Indexed]) -> bytes:
    """A speaker's refs (deltas), for the speaker filter."""
    refs = [r for b in briefings for r in b.speakers[slug][1]]
    return json_bytes([refs[0], *(b - a for a, b in pairwise(refs))])


def json_bytes(value) -> bytes:
    return (html_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) + "\n").encode()
