"""build_search_index: SearchDocuments in, every search file out."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from generator import processes
from generator.export import html_safe
from generator.search.analyse import FIELDS, K1, B, TermPipeline, analyse
from generator.search.documents import SearchDocument
from generator.search.shards import Postings, encode_term, pack

SHARD_CAP = 24_000  # raw bytes; a term bigger than this gets a shard of its own
DOCS_PER_CHUNK = 8  # result metadata: refs 8k..8k+7 live in search/docs/<k>.json
FORMAT = 1

_worker_docs: Sequence[SearchDocument] = ()


@dataclass
class SearchCache:
    """What a build leaves for the next one (keep it in memory, or pickle it).

    When the new documents are the previous ones plus documents appended after them
    (a new briefing is the newest), only the new documents are analysed and only
    the terms they use are re-encoded; anything else is a full build. Either way
    the files are byte-identical to a clean build's."""

    doc_keys: tuple[bytes, ...] = ()  # a digest per document: cheap to keep and compare
    postings: Postings | None = None
    entries: dict[str, str] = field(default_factory=dict)
    chunks: dict[str, bytes] = field(default_factory=dict)


def build_search_index(
    docs: Sequence[SearchDocument], workers: int = 1, cache: SearchCache | None = None
) -> dict[str, bytes]:
    """Every search file, keyed by its path relative to the output root, e.g.
    'search/manifest.json'. Deterministic bytes for the same docs, whatever `workers`,
    and whatever `cache` holds (it is updated in place for the next build)."""
    _check_refs(docs)
    cache = cache if cache is not None else SearchCache()
    doc_keys = tuple(map(_doc_key, docs))
    old = len(cache.doc_keys)
    appended = cache.postings is not None and len(docs) >= old and doc_keys[:old] == cache.doc_keys
    if appended:
        postings = cache.postings
        added = _postings(docs[old:], workers)
        changed = set(added.terms)
        postings.extend(added)
    else:
        postings, changed, old = _postings(docs, workers), None, 0
        cache.entries, cache.chunks = {}, {}
    files: dict[str, bytes] = {}
    shard_starts = _write_shards(postings, files, cache.entries, changed)
    files["search/manifest.json"] = _json(_manifest(postings, shard_starts))
    cache.chunks = {**cache.chunks, **_doc_chunks(docs, old - old % DOCS_PER_CHUNK)}
    files.update(cache.chunks)
    files.update(_filter_files(docs))
    cache.doc_keys, cache.postings = doc_keys, postings
    return files


def _doc_key(doc: SearchDocument) -> bytes:
    fields = (str(doc.ref), doc.text, doc.speaker, doc.speaker_slug or "", doc.title, doc.kind,
              doc.date or "", doc.url)
    return hashlib.blake2b("\x1f".join(fields).encode(), digest_size=12).digest()


def _check_refs(docs: Sequence[SearchDocument]) -> None:
    for i, doc in enumerate(docs):
        if doc.ref != i:
            raise ValueError(f"search document refs must be 0..N-1 in order; found {doc.ref} at {i}")


def _postings(docs: Sequence[SearchDocument], workers: int) -> Postings:
    if workers <= 1 or len(docs) < 2000:
        return _analyse_range((0, len(docs)), docs)
    global _worker_docs
    _worker_docs = docs  # inherited by forked workers: no pickling of documents
    step = max(500, len(docs) // (workers * 4))
    ranges = [(i, min(i + step, len(docs))) for i in range(0, len(docs), step)]
    result = Postings()
    try:
        with processes.pool(workers) as pool:
            for part in pool.map(_analyse_range, ranges):
                result.extend(part)
    finally:
        _worker_docs = ()
    return result


def _analyse_range(bounds: tuple[int, int], docs: Sequence[SearchDocument] | None = None) -> Postings:
    docs = _worker_docs if docs is None else docs
    start, end = bounds
    chunk = docs[start:end]
    analysed = analyse([(d.text, d.speaker, d.title) for d in chunk], TermPipeline())
    postings = Postings()
    for doc, fields in zip(chunk, analysed):
        postings.add(doc.ref, fields)
    return postings


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be")  # JavaScript's string order, which lunr.js relies on


def _write_shards(
    postings: Postings, files: dict[str, bytes], entries: dict[str, str], changed: set[str] | None
) -> list[str]:
    """Encode terms (only `changed` ones when given; `entries` holds the rest) and pack them."""
    for ordinal, (term, lists) in enumerate(postings.terms.items()):
        if changed is None or term in changed or term not in entries:
            entries[term], _ = encode_term(term, ordinal, lists)
    terms = sorted(entries, key=_utf16)
    sizes = {t: len(entries[t]) for t in terms}
    starts = []
    for number, group in enumerate(pack(terms, sizes, SHARD_CAP)):
        starts.append(group[0])
        body = ",\n".join(entries[t] for t in group)
        files[f"search/shards/{number}.json"] = f"[\n{body}\n]\n".encode()
    return starts


def _manifest(postings: Postings, shard_starts: list[str]) -> dict:
    n = postings.count
    return {
        "format": FORMAT,
        "documents": n,
        "fields": [[name, boost] for name, boost in FIELDS],
        # lunr averages each field's length over documents; float repr round-trips in JS
        "averageFieldLength": [s / n if n else 0 for s in postings.length_sums],
        "k1": K1,
        "b": B,
        "docsPerChunk": DOCS_PER_CHUNK,
        "shards": shard_starts,  # shard i holds terms in [shards[i], shards[i+1])
    }


def _doc_chunks(docs: Sequence[SearchDocument], start: int = 0) -> dict[str, bytes]:
    files = {}
    for k in range(start, len(docs), DOCS_PER_CHUNK):
        rows = [[d.url, d.speaker, d.title, d.kind, d.date, d.text] for d in docs[k : k + DOCS_PER_CHUNK]]
        files[f"search/docs/{k // DOCS_PER_CHUNK}.json"] = _json({"first": k, "docs": rows})
    return files


_SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


def speaker_file_name(slug: str) -> str:
    if _SAFE_SLUG.fullmatch(slug):
        return slug
    return hashlib.sha1(slug.encode()).hexdigest()[:16]


def _filter_files(docs: Sequence[SearchDocument]) -> dict[str, bytes]:
    """Option lists for the search form, and what a filter needs: each speaker's refs,
    each briefing's first ref, date and kind (refs are in date order)."""
    speaker_refs: dict[str, list[int]] = {}
    speaker_names: dict[str, Counter] = {}
    kinds: Counter = Counter()
    briefings: dict[str, list] = {"first": [], "date": [], "kind": []}
    kind_ids: dict[str, int] = {}
    last_page = None
    for doc in docs:
        if doc.speaker_slug:
            speaker_refs.setdefault(doc.speaker_slug, []).append(doc.ref)
            speaker_names.setdefault(doc.speaker_slug, Counter())[doc.speaker] += 1
        page = doc.url.split("#", 1)[0]
        if page != last_page:
            last_page = page
            kinds[doc.kind] += 1
            kind_id = kind_ids.setdefault(doc.kind, len(kind_ids))
            briefings["first"].append(doc.ref)
            briefings["date"].append(doc.date)
            briefings["kind"].append(kind_id)
    files = {}
    speakers = []
    for slug in sorted(speaker_refs):
        refs = speaker_refs[slug]
        name = min(speaker_names[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        file = speaker_file_name(slug)
        speakers.append([slug, name, len(refs), file])
        deltas = [refs[0]] + [b - a for a, b in pairwise(refs)]
        files[f"search/speakers/{file}.json"] = _json(deltas)
    dates = [d for d in briefings["date"] if d]
    files["search/filters.json"] = _json(
        {
            "speakers": speakers,
            "kinds": sorted([k, c] for k, c in kinds.items()),
            "dates": [min(dates), max(dates)] if dates else None,
        }
    )
    briefings["kinds"] = list(kind_ids)
    files["search/briefings.json"] = _json(briefings)
    return files


def _json(value) -> bytes:
    return (html_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) + "\n").encode()
