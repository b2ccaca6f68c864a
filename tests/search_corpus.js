// Exactness of the sharded search at corpus scale (tests/test_search_corpus.py).
//   node search_corpus.js sharded   <dir holding search/> <queries.json>
//   node --max-old-space-size=5500 search_corpus.js unsharded <dir> <queries.json>
// sharded: each query on a fresh worker (search-worker.js), which fetches only the
// manifest and the shards holding the query's terms, as in the browser.
// unsharded: every term of every shard loaded once as ONE lunr.Index (full field
// vectors, token set over the whole vocabulary), searched with lunr's Index#search.
// Prints JSON per query: {count, top: [[ref, score] x 20 by score then ref],
// digest: sha1 of every [ref, score] so ordered, shards: files fetched (sharded)}.
// A query that is an object {q, filters, limit} runs the worker's filtered search
// (sharded), or lists every ranked [ref, score] for the caller to filter (unsharded).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const lunr = require(path.join(__dirname, '..', 'node_modules', 'lunr', 'lunr.js'));
const createPodiumSearch = require(path.join(__dirname, '..', 'templates', 'static', 'js', 'search-worker.js'));

const [mode, dir, queriesFile] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesFile, 'utf8'));
const read = (p) => JSON.parse(fs.readFileSync(path.join(dir, 'search', p), 'utf8'));

function summary(results) {
  const pairs = results.map((r) => [Number(r.ref), r.score]);
  pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const digest = crypto.createHash('sha1').update(JSON.stringify(pairs)).digest('hex');
  return { count: pairs.length, top: pairs.slice(0, 20), digest };
}

/* As search-worker.js names shard files (generator/search/build.py's shard_name). */
function shardPath(m, n) {
  let name = m.shardNames && m.shardNames[n];
  if (!name) {
    let h = 0x811c9dc5;
    for (let i = 0; i < m.shards[n].length; i++) h = Math.imul(h ^ m.shards[n].charCodeAt(i), 0x01000193) >>> 0;
    name = ('0000000' + h.toString(16)).slice(-8);
  }
  return `shards/${name}.json`;
}

async function sharded() {
  const out = [];
  for (const q of queries) {
    const fetched = [];
    const podium = createPodiumSearch(lunr, (p) => { fetched.push(p); return Promise.resolve(read(p)); });
    if (typeof q === 'string') {
      const ranked = await podium.rank(q);
      out.push({ ...summary(ranked.results), shards: fetched.filter((f) => f.startsWith('shards/')).length });
    } else {
      const res = await podium.search(q.q, q.filters || {}, 0, q.limit || 20);
      out.push({ total: res.total, refs: res.results.map((d) => d.ref), scores: res.results.map((d) => d.score) });
    }
  }
  return out;
}

/* lunr.Builder#createFieldVectors's score for every posting of one shard entry. */
function scoreEntry(m, entry, add) {
  const N = m.documents, k1 = m.k1, b = m.b, df = entry[1];
  const idf = Math.log(1 + Math.abs((N - df + 0.5) / (df + 0.5)));
  for (let f = 0; f < m.fields.length; f++) {
    const field = entry[2 + f];
    if (!field) continue;
    const [deltas, tfs, lengths] = field;
    const boost = m.fields[f][1] || 1, avg = m.averageFieldLength[f];
    let ref = 0;
    for (let i = 0; i < deltas.length; i++) {
      ref += deltas[i];
      const tf = tfs.length ? tfs[i] : 1;
      let score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[i] / avg)) + tf);
      score *= boost;
      score *= 1;
      add(f, ref, Math.round(score * 1000) / 1000);
    }
  }
}

function unsharded() {
  const m = read('manifest.json');
  const names = m.fields.map((f) => f[0]);
  const vectors = names.map(() => new Map()); // field -> ref -> [ordinal, score, ...]
  const inverted = [];
  let ordinal = 0; // shards hold terms in string order: the index numbers them so
  for (let s = 0; s < m.shards.length; s++) {
    for (const entry of read(shardPath(m, s))) {
      const term = ordinal++;
      const posting = { _index: term };
      names.forEach((name) => { posting[name] = {}; });
      scoreEntry(m, entry, (f, ref, score) => {
        posting[names[f]][ref] = {};
        let v = vectors[f].get(ref);
        if (!v) vectors[f].set(ref, (v = []));
        v.push(term, score);
      });
      inverted.push([entry[0], posting]);
    }
  }
  const fieldVectors = [];
  vectors.forEach((byRef, f) => byRef.forEach((flat, ref) => {
    const order = [];
    for (let i = 0; i < flat.length; i += 2) order.push(i);
    order.sort((a, b) => flat[a] - flat[b]); // lunr's vectors are in term ordinal order
    const elements = [];
    order.forEach((i) => elements.push(flat[i], flat[i + 1]));
    fieldVectors.push([names[f] + '/' + ref, elements]);
  }));
  vectors.length = 0;
  const index = lunr.Index.load({ version: lunr.version, fields: names, fieldVectors,
    invertedIndex: inverted, pipeline: ['stemmer'] });
  const phrases = createPodiumSearch(lunr, null); // only for its query rewriting
  return queries.map((q) => {
    const results = index.search(phrases.stripPhrases(typeof q === 'string' ? q : q.q).lunrQuery);
    if (typeof q === 'string') return summary(results);
    return { ranked: results.map((r) => [Number(r.ref), r.score]) };
  });
}

(async () => {
  const result = mode === 'sharded' ? await sharded() : unsharded();
  process.stdout.write(JSON.stringify(result));
})().catch((e) => { console.error(e); process.exit(1); });
