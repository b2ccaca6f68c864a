"""The sharded search index answers exactly as one big lunr index would."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lunr.tokenizer import Tokenizer

from generator.search import SearchDocument, build_search_index
from generator.search.analyse import default_builder, tokenize

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


def seed_docs(count: int = 300, seed: int = 4) -> list[SearchDocument]:
    """Utterances of one to six sentences of the seed transcript, in date order."""
    text = SEED.read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", " ".join(text.split()[60:])) if s]
    rng = random.Random(seed)
    docs = []
    for ref in range(count):
        briefing = ref // 25
        title, kind = TITLES[briefing % len(TITLES)]
        speaker, slug = SPEAKERS[rng.randrange(len(SPEAKERS))]
        start = rng.randrange(len(sentences))
        words = " ".join(sentences[start : start + rng.randint(1, 6)])
        docs.append(SearchDocument(
            ref=ref, text=words, speaker=speaker, speaker_slug=slug,
            title=f"{title} {briefing}", kind=kind, date=f"2015-{1 + briefing % 12:02d}-{10 + briefing:02d}",
            url=f"briefings/b{briefing}/#u{ref % 25}"))
    return docs


def lunr_py_results(docs: list[SearchDocument], query: str) -> list[list]:
    builder = default_builder()
    for d in docs:
        builder.add({"ref": d.ref, "text": d.text, "speaker": d.speaker, "title": d.title})
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
    docs = seed_docs()
    site = write(build_search_index(docs), tmp_path)
    assert len(list((site / "search" / "shards").iterdir())) > 10
    node = node_search(site, QUERIES)["results"]
    for query, got in zip(QUERIES, node):
        expected = lunr_py_results(docs, query)
        assert by_score(got) == by_score(expected), query
    assert sum(1 for r in node if r) >= 18  # the query set really finds things


@needs_node
def test_query_fetches_only_its_shards(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.search.build.SHARD_CAP", 2000)
    site = write(build_search_index(seed_docs()), tmp_path)
    fetched = node_search(site, ["syria"])["fetched"]
    assert fetched[0] == "manifest.json"
    assert len([f for f in fetched if f.startswith("shards/")]) == 1


@needs_node
def test_missing_shard_is_an_error_not_an_empty_result(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.search.build.SHARD_CAP", 2000)
    site = write(build_search_index(seed_docs()), tmp_path)
    fetched = node_search(site, ["syria"])["fetched"]
    shard = next(f for f in fetched if f.startswith("shards/"))
    (site / "search" / shard).unlink()
    result = node_search(site, ["syria"])["results"][0]
    assert result == {"error": f"Search index file {shard} could not be loaded (HTTP 404).", "user": False}


@needs_node
def test_unsupported_queries_say_why(tmp_path):
    site = write(build_search_index(seed_docs(50)), tmp_path)
    results = node_search(site, ["*ria", "syria~1", "-syria"])["results"]
    assert [r["error"] for r in results] == [
        "A search word cannot start with *; put the * at the end, as in elect*.",
        "Fuzzy matching (~) is not supported; search for the word itself.",
        "Add a word to search for; a search cannot only exclude words.",
    ]


@needs_node
def test_phrases_and_filters(tmp_path):
    docs = seed_docs()
    site = write(build_search_index(docs), tmp_path)
    queries = [
        {"q": '"security council"', "limit": 1000},
        {"q": "syria", "filters": {"speaker": "john-kerry"}, "limit": 1000},
        {"q": "syria", "filters": {"kind": "briefing", "from": "2015-03-01", "to": "2015-12-31"}, "limit": 1000},
    ]
    phrase, speaker, kind = node_search(site, queries)["results"]
    assert phrase["exact"] and phrase["refs"] == sorted(
        phrase["refs"], key=lambda r: phrase["refs"].index(r))
    assert set(phrase["refs"]) == {d.ref for d in docs if "security council" in " ".join(
        re.sub(r"[^\w\s-]", "", d.text.lower()).split())}
    syria = {r for r, _ in lunr_py_results(docs, "syria")}
    assert set(speaker["refs"]) == {d.ref for d in docs if d.ref in syria and d.speaker_slug == "john-kerry"}
    assert set(kind["refs"]) == {d.ref for d in docs if d.ref in syria and d.kind == "briefing"
                                 and "2015-03-01" <= d.date <= "2015-12-31"}
    assert kind["refs"] and speaker["refs"]


def test_same_bytes_whatever_the_workers():
    docs = seed_docs(300) * 8
    docs = [SearchDocument(**{**d.__dict__, "ref": i}) for i, d in enumerate(docs)]
    assert build_search_index(docs, workers=1) == build_search_index(docs, workers=2)


def test_appending_a_briefing_rebuilds_to_the_same_bytes_as_a_clean_build():
    from generator.search import SearchCache

    docs = seed_docs(300)
    cache = SearchCache()
    build_search_index(docs[:275], cache=cache)
    assert build_search_index(docs, cache=cache) == build_search_index(docs)
    edited = [SearchDocument(**{**d.__dict__, "text": d.text + " zanzibar"}) if d.ref == 3 else d
              for d in docs]
    assert build_search_index(edited, cache=cache) == build_search_index(edited)
    assert build_search_index(edited + [SearchDocument(**{**docs[0].__dict__, "ref": 300})],
                              cache=cache)["search/manifest.json"].count(b'"documents":301')
