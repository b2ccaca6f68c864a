"""The sharded search index answers exactly as one big lunr index would."""

from __future__ import annotations

import itertools
import bisect
import json
import os
import pickle
import random
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from lunr.tokenizer import Tokenizer

from generator.search import SearchBriefing, SearchCache, SearchDocument, build_search_index
from generator.search.analyse import default_builder, tokenize
from generator.search.build import index_files
from generator.search.files import shard_name
from generator.search.refs import assign_slots, ref_of
from generator.search.shards import joined

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "content" / "000_dc28f8c96af5d01d.txt"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

SPEAKERS = [("John Kerry", "john-kerry"), ("Sergey Lavrov", "sergey-lavrov"),
            ("Question", None), ("Staffan de Mistura", "staffan-de-mistura"), ("Moderator", None)]
TITLES = [("Press Availability on Syria", "press-conference"),
          ("Remarks With Foreign Minister Lavrov", "remarks"),
          ("Daily Press Briefing", "briefing"),
          ("Interview With Margaret Brennan of CBS", "interview")]

QUERIES = [
    "syria", "security council", "political solution", "kerry", "speaker:lavrov",
    "title:press", "+syria +russia", "syria -russia", "+resolution process", "assad regime",
    "geneva communique", "transit*", "un*", "ceasefire", "the", "humanitarian access",
    "text:iran", "title:availability syria", "vienna^2 talks", "nonexistentword",
    "terror*", "+speaker:kerry group", "everybody", "p5 members",
]


def seed_briefings(count: int = 300, seed: int = 4) -> list[SearchBriefing]:
    """Briefings of 25 turns (some without words) of one to six sentences of the seed
    transcript: mostly dated, two on one day, one undated."""
    text = SEED.read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", " ".join(text.split()[60:])) if s]
    rng = random.Random(seed)
    briefings = []
    for number in range(-(-count // 25)):
        title, kind = TITLES[number % len(TITLES)]
        size = min(25, count - number * 25)
        docs = []
        for position in range(size):
            speaker, slug = SPEAKERS[rng.randrange(len(SPEAKERS))]
            start = rng.randrange(len(sentences))
            if position == 7:
                continue  # a turn without words: not a document
            docs.append(SearchDocument(
                position=position, text=" ".join(sentences[start : start + rng.randint(1, 6)]),
                speaker=speaker, speaker_slug=slug, url=f"briefings/b{number}/#u{position + 1}"))
        date = None if number == 5 else f"2015-{1 + number % 12:02d}-{10 + min(number, 8):02d}"
        briefings.append(SearchBriefing(f"b{number}", f"{title} {number}", kind, date, size, docs=tuple(docs)))
    return briefings


def documents(briefings: list[SearchBriefing]) -> list[tuple[int, SearchDocument, SearchBriefing]]:
    """(ref, document, briefing) for every document, refs as the index assigns them."""
    slots = assign_slots(briefings)
    return sorted((ref_of(slot, d.position), d, b) for b, slot in zip(briefings, slots) for d in b.docs)


def lunr_py_results(briefings: list[SearchBriefing], query: str) -> list[list]:
    """The query on one lunr.py index of every document, terms numbered in string order."""
    builder = default_builder()
    for ref, d, b in documents(briefings):
        builder.add({"ref": ref, "text": d.text, "speaker": d.speaker, "title": b.title})
    for number, term in enumerate(sorted(builder.inverted_index, key=lambda t: t.encode("utf-16-be"))):
        builder.inverted_index[term]["_index"] = number
    index = builder.build()
    return [[int(r["ref"]), r["score"]] for r in index.search(query)]


def write(files: dict[str, bytes], root: Path) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def node_search(site: Path, queries: list) -> dict:
    qfile = site / "queries.json"
    qfile.write_text(json.dumps(queries))
    out = subprocess.run([NODE, str(ROOT / "tests" / "search_parity.js"), str(site), str(qfile)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def by_score(results: list[list]) -> list[tuple]:
    # lunr.py and lunr.js order ties differently (dict vs integer-key order); scores decide.
    return sorted((-score, ref) for ref, score in results)


def test_tokenize_splits_like_lunr_py():
    text = SEED.read_text(encoding="utf-8") + " a\xa0b--c\t\u2014 U.S. “quoted,” "
    assert tokenize(text) == [str(t) for t in Tokenizer(text)]


@needs_node
def test_sharded_index_scores_like_lunr_py(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.search.build.SHARD_CAP", 2000)  # many shards, even here
    briefings = seed_briefings()
    site = write(build_search_index(briefings), tmp_path)
    assert len(list((site / "search" / "shards").iterdir())) > 10
    node = node_search(site, QUERIES)["results"]
    for query, got in zip(QUERIES, node):
        expected = lunr_py_results(briefings, query)
        if query == "the":  # a stop word, which no index holds: the worker says so instead
            assert expected == [] and got["user"] and "so common that the index leaves them out" in got["error"]
            continue
        assert by_score(got) == by_score(expected), query
    assert sum(1 for r in node if r) >= 18  # the query set really finds things


@needs_node
def test_shard_files_are_named_alike_in_python_and_in_the_worker():
    firsts = ["a", "zanzibar", "été", "naïve’s", "😀x", "\u2028", "日本"]
    script = (f"const w = require({json.dumps(str(ROOT / 'templates/static/js/search-worker.js'))})(null, null);"
              f"const m = {{shards: {json.dumps(firsts)}, shardNames: {{'1': 'renamed'}}}};"
              "console.log(JSON.stringify(m.shards.map((_, n) => w.shardPath(m, n))));")
    out = subprocess.run([NODE, "-e", script], check=True, capture_output=True, text=True).stdout
    expected = [f"shards/{shard_name(f)}.json" for f in firsts]
    expected[1] = "shards/renamed.json"
    assert json.loads(out) == expected


@needs_node
def test_query_fetches_only_its_shards(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.search.build.SHARD_CAP", 2000)
    site = write(build_search_index(seed_briefings()), tmp_path)
    fetched = node_search(site, ["syria"])["fetched"]
    assert fetched[0] == "manifest.json"
    assert len([f for f in fetched if f.startswith("shards/")]) == 1


@needs_node
def test_missing_shard_is_an_error_not_an_empty_result(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.search.build.SHARD_CAP", 2000)
    site = write(build_search_index(seed_briefings()), tmp_path)
    fetched = node_search(site, ["syria"])["fetched"]
    shard = next(f for f in fetched if f.startswith("shards/"))
    (site / "search" / shard).unlink()
    result = node_search(site, ["syria"])["results"][0]
    assert result == {"error": f"Search index file {shard} could not be loaded (HTTP 404).", "user": False}


@needs_node
def test_unsupported_queries_say_why(tmp_path):
    site = write(build_search_index(seed_briefings(50)), tmp_path)
    results = node_search(site, ["*ria", "syria~1", "-syria"])["results"]
    assert [r["error"] for r in results] == [
        "A search word cannot start with *; put the * at the end, as in elect*.",
        "Fuzzy matching (~) is not supported; search for the word itself.",
        "Add a word to search for; a search cannot only exclude words.",
    ]


@needs_node
def test_phrases_and_filters(tmp_path):
    briefings = seed_briefings()
    site = write(build_search_index(briefings), tmp_path)
    queries = [
        {"q": '"security council"', "limit": 1000},
        {"q": "syria", "filters": {"speaker": "john-kerry"}, "limit": 1000},
        {"q": "syria", "filters": {"kind": "briefing", "from": "2015-03-01", "to": "2015-12-31"}, "limit": 1000},
    ]
    phrase, speaker, kind = node_search(site, queries)["results"]
    docs = documents(briefings)
    assert phrase["exact"] and set(phrase["refs"]) == {ref for ref, d, _ in docs if "security council" in " ".join(
        re.sub(r"[^\w\s-]", "", d.text.lower()).split())}
    syria = {r for r, _ in lunr_py_results(briefings, "syria")}
    assert set(speaker["refs"]) == {ref for ref, d, _ in docs if ref in syria and d.speaker_slug == "john-kerry"}
    assert set(kind["refs"]) == {ref for ref, _, b in docs if ref in syria and b.kind == "briefing"
                                 and b.date and "2015-03-01" <= b.date <= "2015-12-31"}
    assert kind["refs"] and speaker["refs"]


def test_same_bytes_whatever_the_workers():
    briefings = [replace(b, slug=f"{b.slug}-{n}") for n in range(8) for b in seed_briefings(300)]
    assert build_search_index(briefings, workers=1) == build_search_index(briefings, workers=2)


def test_a_full_build_writes_out_its_entries_and_leaves_no_scratch_behind(tmp_path, monkeypatch):
    briefings = [replace(b, slug=f"{b.slug}-{n}") for n in range(4) for b in seed_briefings(300)]
    expected = build_search_index(briefings)
    monkeypatch.setattr("generator.search.build.SPILL_FLUSH", 1)  # a write per entry
    slots = assign_slots(briefings)
    cache = SearchCache()
    files = list(index_files(briefings, slots, lambda i: briefings[i].docs, 2, cache, scratch=tmp_path))
    assert not cache.entries and cache.spill is not None  # the entries wait in the scratch files
    assert {f.path: joined(f.make()) for f in files} == expected
    descriptors = len(os.listdir("/proc/self/fd"))
    cache.release()
    assert len(os.listdir("/proc/self/fd")) < descriptors and cache.spill is None and not cache.spilled
    assert not list(tmp_path.iterdir())
    changed = [replace(briefings[0], key="edited", docs=briefings[0].docs[1:])] + briefings[1:]
    previous = expected.get  # an update after a full build reads the entries back from its shards
    assert build_search_index(changed, cache=cache, read=previous) == build_search_index(changed)


def test_refs_stay_put_when_briefings_come_and_go():
    briefings = seed_briefings()
    before = {d.url: ref for ref, d, _ in documents(briefings)}
    same_day = replace(briefings[3], slug="b3-again")
    after = {d.url: ref for ref, d, _ in documents(briefings[:2] + briefings[4:] + [same_day])}
    moved = {url for url in after if url in before and after[url] != before[url]}
    assert not moved - {d.url for d in briefings[3].docs}  # at most its day's briefings move
    assert len(set(after.values())) == len(after)


@pytest.mark.parametrize(("workers", "pickled"), [(1, False), (2, False), (1, True)])
def test_incremental_updates_give_the_bytes_of_a_clean_build(workers, pickled, monkeypatch):
    """In memory (as `podium serve` keeps it), or pickled (as the build cache keeps it:
    without the entries, which the update reads back from the previous shards)."""
    monkeypatch.setattr("generator.search.build.PARALLEL_TERMS", 1)  # workers share even small updates
    monkeypatch.setattr("generator.search.build.SHARD_CAP", 3000)  # many small shards: updates regroup them
    monkeypatch.setattr("generator.search.shards.MARK_EVERY", 3)  # long fields are respelled between marks
    rng = random.Random(7)
    pool = seed_briefings(600)
    briefings, spare = pool[:12], pool[12:]
    cache = SearchCache()
    files = build_search_index(briefings, cache=cache)
    assert files == build_search_index(briefings)
    for step in range(24):
        action = step % 4
        if action == 0:  # a new briefing, often on a day already taken
            briefings.append(replace(spare.pop(), date=rng.choice([b.date for b in briefings])))
        elif action == 1:
            briefings.pop(rng.randrange(len(briefings)))
        elif action == 2:  # one word more in one turn
            i = rng.randrange(len(briefings))
            docs = list(briefings[i].docs)
            docs[0] = replace(docs[0], text=docs[0].text + f" zanzibar{step}")
            briefings[i] = replace(briefings[i], docs=tuple(docs), key="")
        else:  # a turn more: the briefing grows
            i = rng.randrange(len(briefings))
            extra = replace(spare[-1].docs[0], position=briefings[i].size, url=f"x{step}")
            briefings[i] = replace(briefings[i], docs=briefings[i].docs + (extra,),
                                   size=briefings[i].size + 1, key="")
        if pickled:
            cache = pickle.loads(pickle.dumps(cache))
            assert not cache.entries
        files = build_search_index(briefings, cache=cache, workers=workers, read=files.get)
        assert files == build_search_index(briefings), step
        assert cache.changed
    assert cache.briefings.keys() == {b.slug for b in briefings}
    assert len(cache.marks) > 100  # the common terms' fields are long: the updates kept their marks


def test_a_state_that_does_not_match_the_previous_shards_means_a_full_build():
    briefings = seed_briefings(300)
    cache = SearchCache()
    files = build_search_index(briefings[:-1], cache=cache)
    state = pickle.dumps(cache)
    # the state's shards are read by position (the build checks that the site is the state's
    # own), so what is checked is that each shard holds as many entries, the first its first
    shards = sorted(path for path in files if path.startswith("search/shards/"))
    for tamper in (lambda data: data.replace(b",\n", b",", 1),  # one entry fewer
                   lambda data: data.replace(b'["', b'["x', 1)):  # another first term
        tampered = {**files, **{path: tamper(files[path]) for path in shards}}
        cache = pickle.loads(state)
        assert build_search_index(briefings, cache=cache, read=tampered.get) == build_search_index(briefings)
    cache = pickle.loads(pickle.dumps(cache))
    assert build_search_index(briefings[1:], cache=cache, read=lambda path: None) == build_search_index(
        briefings[1:])


def test_respelling_an_entry_equals_encoding_its_new_postings():
    """The update edits entries' text; the result must be what encoding the postings
    afresh gives: removals and insertions at either end or inside, several runs,
    frequencies above 1 appearing and going, fields emptied and filled."""
    from array import array

    from generator.search.shards import NFIELDS, encode_term, respell

    rng = random.Random(11)
    for _ in range(400):
        postings = [{r: (rng.choice([1, 1, 1, 2, 3]), rng.randint(1, 90)) for r in rng.sample(range(1, 400), rng.randint(0, 12))}
                    for _ in range(NFIELDS)]
        if not any(postings):
            continue
        term = rng.choice(["t’erm", 'say"so', "back\\", 'both\\"', "<b>"])  # how the entry's head is found
        before = encode_term(term, [_columns(p) for p in postings]).encode()
        removed = sorted(rng.sample([(lo, lo + rng.randint(1, 60)) for lo in range(0, 400, 100)], rng.randint(0, 2)))
        kept = [{r: v for r, v in p.items() if not any(lo <= r < hi for lo, hi in removed)} for p in postings]
        free = [r for r in range(1, 400) if all(r not in p for p in postings)]
        added = [{r: (rng.choice([1, 1, 2]), rng.randint(1, 90)) for r in rng.sample(free, rng.randint(0, 5))}
                 for _ in range(NFIELDS)]
        flats = [array("i", [x for r in sorted(a) for x in (r, *a[r])]) for a in added]
        after = [{**k, **a} for k, a in zip(kept, added)]
        expected = encode_term(term, [_columns(p) for p in after]).encode() if any(after) else None
        pieces = respell(before, removed, flats if any(added) else None)[0]
        assert (pieces and joined(pieces)) == expected


@pytest.mark.parametrize("every", [1, 2, 3, 5])
def test_respelling_between_marks_equals_encoding_its_new_postings(every, monkeypatch):
    """Long fields are respelled between the marks around the change: chained changes
    (each using the marks the last one left) give what encoding afresh gives, and the
    marks left always point where they say."""
    from array import array

    from generator.search.shards import MARK, NFIELDS, encode_marked, encode_term, marks_of, respell

    monkeypatch.setattr("generator.search.shards.MARK_EVERY", every)
    rng = random.Random(every)
    for _ in range(60):
        postings = [{r: (rng.choice([1, 1, 1, 2]), rng.randint(1, 90)) for r in rng.sample(range(600), rng.randint(0, 40))}
                    for _ in range(NFIELDS)]
        if not any(postings):
            continue
        entry, marks = encode_marked("term", [_columns(p) for p in postings])  # as a full build marks it
        assert entry == encode_term("term", [_columns(p) for p in postings]) and marks == marks_of(entry.encode())
        entry = entry.encode()
        for _ in range(8):
            lo = rng.randrange(0, 600)
            removed = [(lo, lo + rng.randint(1, 40))] if rng.random() < 0.6 else []
            kept = [{r: v for r, v in p.items() if not any(a <= r < b for a, b in removed)} for p in postings]
            start = rng.randrange(0, 600)
            free = [r for r in range(start, start + 30) if all(r not in p for p in kept)]
            added = [{r: (rng.choice([1, 1, 2, 3]) if rng.random() < 0.5 else 1, rng.randint(1, 90))
                      for r in rng.sample(free, min(len(free), rng.randint(0, 6)))} for _ in range(NFIELDS)]
            flats = [array("i", [x for r in sorted(a) for x in (r, *a[r])]) for a in added]
            postings = [{**k, **a} for k, a in zip(kept, added)]
            expected = encode_term("term", [_columns(p) for p in postings]).encode() if any(postings) else None
            pieces, marks = respell(entry, removed, flats if any(added) else None, marks)
            entry_after = pieces and joined(pieces)
            assert entry_after == expected
            if entry_after is None:
                break
            entry = entry_after
            for field, flat in zip(_field_columns(entry), marks or [None] * NFIELDS):
                for i in range(0, len(flat) if flat else 0, MARK):
                    index, before, *offsets = flat[i:i + MARK]
                    refs = list(itertools.accumulate(map(int, field[0].split(","))))
                    assert refs[index - 1] == before
                    for column, offset in zip(field, offsets):
                        if column:
                            assert column[offset - 1] == "," and column[:offset].count(",") == index


def _field_columns(entry: str) -> list[tuple[str, str, str]]:
    fields = json.loads(entry)[2:]
    return [tuple(",".join(map(str, column)) for column in f) if f else ("", "", "") for f in fields]


def _columns(postings: dict[int, tuple[int, int]]) -> tuple[list[int], list[int], list[int]]:
    refs = sorted(postings)
    return refs, [postings[r][0] for r in refs], [postings[r][1] for r in refs]


def test_the_manifest_says_where_each_year_and_month_begins():
    """Every document of a period lies between its start and the next period's, and the
    undated ones below the first: what the trend chart counts by."""
    briefings = seed_briefings()
    manifest = json.loads(build_search_index(briefings)["search/manifest.json"])
    for width, starts in ((4, manifest["periods"]["years"]), (7, manifest["periods"]["months"])):
        names = [name for name, _ in starts]
        assert names == sorted(set(names)) and all(len(name) == width for name in names)
        firsts = [first for _, first in starts]
        for ref, _, briefing in documents(briefings):
            at = bisect.bisect_right(firsts, ref) - 1
            if briefing.date is None:
                assert at == -1
            else:
                assert names[at] == briefing.date[:width]
    # twelve briefings, one a month of 2015, but for the undated sixth: eleven months
    assert len(manifest["periods"]["months"]) == 11 and [y for y, _ in manifest["periods"]["years"]] == ["2015"]
