"""On the whole corpus, the sharded search answers as one unsharded lunr index.

The search files are built once through the real pipeline (check, search_briefing,
search_documents, build_search_index) in a child process. For bench/search's 20 queries, node runs
the worker on each query alone (it fetches only that query's shards) and, in a
second process, loads every term of every shard as ONE lunr.Index and searches it
with lunr's own Index#search. Count, top 20 [ref, score] and a digest of every
[ref, score] must be equal; filtered queries are compared with the unsharded
ranking filtered here by each utterance's speaker, kind and date.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = os.environ.get("PODIUM_CORPUS")
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(not CORPUS, reason="set PODIUM_CORPUS to the corpus folder to run the corpus search tests"),
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
]

QUERIES = [  # bench/search's set: words&filters as the search page's URL parameters
    "president", "economy", "ukraine", "inflation", "vaccine", "zelenskyy", "hichilema",
    "benghazi", "infrastructure bill", "supply chain", "border security", "health care",
    '"climate change"', '"build back better"', '"white house"', "tariffs",
    "iran&kind=briefing", "syria&from=2013-01-01&to=2013-12-31",
    "covid&speaker=karine-jean-pierre", "afghanistan&speaker=josh-earnest&kind=gaggle",
]
WORDS = [q.partition("&")[0] for q in QUERIES]
FILTERED = [(q.partition("&")[0], dict(parse_qsl(q.partition("&")[2]))) for q in QUERIES if "&" in q]

BUILD = """
import json, sys
from dataclasses import replace
from pathlib import Path
from generator.build import check, search_briefing, search_documents
from generator.search import build_search_index
from generator.search.refs import assign_slots, ref_of

corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
site, _ = check(corpus, workers=2)
briefings = [replace(search_briefing(b), docs=tuple(search_documents(b))) for b in site.briefings]
for rel, data in build_search_index(briefings, workers=2).items():
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
refs = {}
for b, slot in zip(briefings, assign_slots(briefings)):
    for d in b.docs:
        refs[ref_of(slot, d.position)] = [d.speaker_slug, b.kind, b.date]
(out / "refs.json").write_text(json.dumps(refs))
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus-search")
    subprocess.run([sys.executable, "-c", BUILD, CORPUS, str(out)], cwd=ROOT, check=True)
    return out


def node(mode: str, index: Path, queries: list, heap_mb: int = 0):
    qfile = index / f"{mode}-queries.json"
    qfile.write_text(json.dumps(queries))
    args = [NODE] + ([f"--max-old-space-size={heap_mb}"] if heap_mb else [])
    out = subprocess.run(args + [str(ROOT / "tests" / "search_corpus.js"), mode, str(index), str(qfile)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def unsharded(index) -> list:
    """Every query on one index of all terms (node's heap is capped at 5.5 GB)."""
    filtered = [{"q": words, "filters": filters} for words, filters in FILTERED]
    return node("unsharded", index, WORDS + filtered, heap_mb=5500)


def test_every_query_ranks_as_on_one_unsharded_index(index, unsharded):
    sharded = node("sharded", index, WORDS)
    manifest = json.loads((index / "search" / "manifest.json").read_text())
    assert len(manifest["shards"]) > 1000  # really sharded
    for query, got, expected in zip(WORDS, sharded, unsharded[: len(WORDS)]):
        assert got["count"] > 0, query  # each query finds something
        assert 1 <= got["shards"] <= 4, query  # and fetched only its own shards
        assert (got["count"], got["top"], got["digest"]) == (
            expected["count"], expected["top"], expected["digest"]), query


def test_filtered_queries_equal_the_unsharded_ranking_filtered(index, unsharded):
    refs = json.loads((index / "refs.json").read_text())

    def keep(ref: int, filters: dict) -> bool:
        speaker, kind, date = refs[str(ref)]
        date = date or ""
        return ((not filters.get("speaker") or speaker == filters["speaker"])
                and (not filters.get("kind") or kind == filters["kind"])
                and (not filters.get("from") or date >= filters["from"])
                and (not filters.get("to") or bool(date) and date <= filters["to"]))

    sharded = node("sharded", index, [{"q": w, "filters": f, "limit": 20} for w, f in FILTERED])
    for (words, filters), got, expected in zip(FILTERED, sharded, unsharded[len(WORDS):]):
        ranked = [(ref, score) for ref, score in expected["ranked"] if keep(ref, filters)]
        assert got["total"] == len(ranked) > 0, (words, filters)
        assert got["scores"] == [score for _, score in ranked[:20]], (words, filters)
        # equal scores may come in another order; each result must be one of them
        assert set(zip(got["refs"], got["scores"])) <= set(ranked), (words, filters)
