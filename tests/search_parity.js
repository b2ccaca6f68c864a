// Node side of the parity tests: search a built index directory the way the worker does.
//   node tests/search_parity.js <dir holding search/> <queries.json>
// prints JSON: one entry per query, [[ref, score], ...] or {"error": message}
'use strict';
const fs = require('fs');
const path = require('path');
const lunr = require(path.join(__dirname, '..', 'node_modules', 'lunr', 'lunr.js'));
const createPodiumSearch = require(path.join(__dirname, '..', 'templates', 'static', 'js', 'search-worker.js'));

const [dir, queriesFile] = process.argv.slice(2);
const fetched = [];
const podium = createPodiumSearch(lunr, (p) => {
  fetched.push(p);
  return fs.promises.readFile(path.join(dir, 'search', p), 'utf8').then(JSON.parse, () => {
    throw new Error('Search index file ' + p + ' could not be loaded (HTTP 404).');
  });
});

(async () => {
  const out = [];
  for (const q of JSON.parse(fs.readFileSync(queriesFile, 'utf8'))) {
    try {
      if (typeof q === 'string') {
        const ranked = await podium.rank(q);
        out.push(ranked.results.map((r) => [Number(r.ref), r.score]));
      } else {
        const res = await podium.search(q.q, q.filters || {}, 0, q.limit || 10);
        out.push({ total: res.total, exact: res.exact, refs: res.results.map((d) => d.ref),
                   highlights: res.results.map((d) => d.highlights) });
      }
    } catch (e) {
      out.push({ error: e.message, user: !!e.userError });
    }
  }
  process.stdout.write(JSON.stringify({ results: out, fetched }));
})();
