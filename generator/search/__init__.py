"""Utterance-level search over a whole archive, from static files.

One lunr index for 150,000+ utterances is tens of megabytes, so the index is cut
by term and the browser fetches only the pieces a query needs, then asks lunr.js
itself to search them. Results equal those of one big lunr 2.3.9 index built by
lunr.py (tests/test_search.py runs both).

Why cutting by term is exact: lunr scores a document as the dot product of the
query vector with the document's field vectors, divided by the query vector's
length. Only the entries for the query's own terms take part, so a document's
vector restricted to those terms scores the same as the whole vector.

Refs: a briefing owns a block of refs fixed by its own date and slug (slot = its day,
8 slots a day, 1,024 utterance positions a slot; undated briefings hash their slug into
slots below every date; see search.refs), and an utterance's ref is its
block's start plus its position in the briefing. Refs are in date order, and they stay
put when other briefings come and go, so a change touches only its own terms' entries.

Files (paths relative to the output root):

  search/manifest.json   corpus-wide statistics, N and each field's average length,
                         k1, b, field boosts, and `shards`: the first term of each
                         shard in JavaScript string order (shard i holds the terms
                         in [shards[i], shards[i+1])), and `shardNames` for the rare
                         shard whose name clashes with an earlier one's.
  search/shards/<name>.json, name = FNV-1a of the shard's first term: one entry per term: [term, df, text, speaker, title], each
                         field [ref deltas, term frequencies (empty when all 1), field
                         lengths], or 0. `df` counts (document, field) pairs, as
                         lunr.idf does. Terms are numbered in string order (lunr
                         numbers them in the order it meets them; the number fixes the
                         order in which a vector's entries are summed).
  search/docs/<k>.json   what a result shows: url, speaker, title, kind, date and
                         text of refs 8k..8k+7 (and who asked, who answered, when its
                         exchange has a named asker; null where a position has no words),
                         fetched only for results shown; a chunk lies in one briefing.
  search/filters.json    option lists for the form: speakers (slug, name, count,
                         file), event kinds with counts, first and last date.
  search/briefings.json  first ref, date and kind of every briefing (kind and date
                         filters); search/speakers/<slug>.json each speaker's refs;
                         search/askers/<slug>.json, search/outlets/<slug>.json and
                         search/marks/interpreted.json those of the other filters.

Shards store raw postings, not lunr's field-vector scores: the worker
(templates/static/js/search-worker.js) computes each score with the formula and
operation order of lunr.js's Builder#createFieldVectors, including its rounding
`Math.round(score * 1000) / 1000`, then builds the slice with `lunr.Index.load`.
That keeps the statistics that move with every new transcript (N, average field
length) in the manifest alone: adding, editing or removing a transcript changes only
the manifest, the shards of the terms it uses, its own docs chunks and the filter
files. Shards are packed along the prefix tree (a bucket over the size cap is split by
the next character; siblings that fit are merged back), so one bucket's growth
reshapes that bucket only. Every file is a pure function of the briefings, so the
incremental update (search.build) gives the bytes of a clean build.

Supported query syntax is lunr's, except: no fuzzy `~n`, no leading `*` (both
would expand over every shard), and no query of only -excluded words (lunr would
list every document). "Quoted phrases" become required words, then candidates are
checked against the text in rank order until a page is filled.
"""

from generator.search.build import SearchCache, build_search_index
from generator.search.documents import SearchBriefing, SearchDocument

__all__ = ["SearchBriefing", "SearchCache", "SearchDocument", "build_search_index"]
