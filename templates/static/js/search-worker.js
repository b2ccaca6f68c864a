/* Podium search worker: loads only the index shards a query needs, rebuilds the
 * slice of the lunr 2.3.9 index they describe, and searches it with lunr.js itself.
 *
 * Shards hold raw postings (ref, term frequency, field length) and each term's
 * document frequency; the manifest holds the corpus-wide document count and
 * average field lengths. Field-vector scores are computed here with the exact
 * formula and operation order of lunr.Builder#createFieldVectors, so a query over
 * the loaded slice scores every document as one big lunr index would.
 *
 * Runs as a Web Worker in the browser, and under node for the parity tests
 * (module.exports = createPodiumSearch).
 */
'use strict';

function createPodiumSearch(lunr, fetchJSON) {
  var manifest = null;
  var shardCache = new Map(); // shard number -> Promise<array of term entries>
  var termCache = new Map(); // term -> scored entry
  var chunkCache = new Map(); // chunk number -> Promise<chunk>
  var extraCache = new Map(); // path -> Promise<json>
  var pipeline = null;

  function load(path) {
    return fetchJSON(path);
  }

  function init() {
    if (!manifest) {
      manifest = load('manifest.json').then(function (m) {
        if (!m || m.format !== 3 || !Array.isArray(m.shards)) {
          throw new Error('The search index manifest is not in a format this page understands.');
        }
        pipeline = lunr.Pipeline.load(['stemmer']);
        return m;
      });
      manifest.catch(function () { manifest = null; });
    }
    return manifest;
  }

  function shardFor(m, term) {
    var lo = 0, hi = m.shards.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (m.shards[mid] <= term) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function stripPhrases(q) {
    // lunr has no phrases: "a b c" becomes required words, checked against the text later.
    var phrases = [];
    var rest = q.replace(/"([^"]*)"?/g, function (_, inner) {
      var words = splitWords(inner);
      if (words.length === 0) return ' ';
      phrases.push(words);
      var required = words.filter(function (w) {
        var t = lunr.stopWordFilter(lunr.trimmer(new lunr.Token(w)));
        return t && t.toString();
      });
      return ' ' + required.map(function (w) { return '+' + w; }).join(' ') + ' ';
    });
    return { lunrQuery: rest.replace(/\s+/g, ' ').trim(), phrases: phrases };
  }

  function splitWords(text) {
    return text.toLowerCase().split(/[\s\-]+/).map(trimWord).filter(Boolean);
  }

  function trimWord(w) {
    return w.replace(/^[^\p{L}\p{N}]+/u, '').replace(/[^\p{L}\p{N}]+$/u, '');
  }

  /* What the query asks of the index: terms (exact or prefix) and the shards holding them. */
  function plan(m, lunrQuery) {
    var query = new lunr.Query(m.fields.map(function (f) { return f[0]; }));
    try {
      new lunr.QueryParser(lunrQuery, query).parse();
    } catch (e) {
      // A typo such as `javascript:x` (an unknown field) is the reader's to fix, not a failure.
      if (e instanceof lunr.QueryParseError) throw userError('This search cannot be read: ' + e.message + '.');
      throw e;
    }
    if (query.clauses.length === 0) throw userError('Type a word to search for.');
    var wanted = [], shards = new Set(), positive = false;
    query.clauses.forEach(function (clause) {
      if (clause.presence !== lunr.Query.presence.PROHIBITED) positive = true;
      if (clause.editDistance) throw userError('Fuzzy matching (~) is not supported; search for the word itself.');
      var terms = clause.usePipeline ? pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      terms.forEach(function (term) {
        var star = term.indexOf('*');
        if (star === 0) throw userError('A search word cannot start with *; put the * at the end, as in elect*.');
        var prefix = star > 0 ? term.slice(0, star) : null;
        wanted.push({ term: prefix === null ? term : prefix, prefix: prefix !== null });
        var first = shardFor(m, prefix === null ? term : prefix);
        if (first >= 0) shards.add(first);
        if (prefix !== null) {
          for (var j = first + 1; j < m.shards.length && m.shards[j].lastIndexOf(prefix, 0) === 0; j++) shards.add(j);
        }
      });
    });
    if (!positive) throw userError('Add a word to search for; a search cannot only exclude words.');
    /* The index leaves out lunr's stop words ("the", "of"): a search that needs one
       finds nothing, and says why rather than "No results". */
    var asked = query.clauses.filter(function (c) { return c.presence !== lunr.Query.presence.PROHIBITED; });
    var common = asked.filter(function (c) { return c.term.indexOf('*') === -1 && isStopWord(c.term); });
    if (common.length === asked.length || common.some(function (c) { return c.presence === lunr.Query.presence.REQUIRED; })) {
      throw commonWords(common.map(function (c) { return c.term; }));
    }
    return { wanted: wanted, shards: Array.from(shards).sort(function (a, b) { return a - b; }) };
  }

  function isStopWord(word) {
    var token = lunr.trimmer(new lunr.Token(word));
    return token.toString() !== '' && !lunr.stopWordFilter(token);
  }

  function commonWords(words) {
    var named = words.map(function (w) { return '“' + w + '”'; }).join(', ');
    return userError((words.length === 1 ? named + ' is a word' : named + ' are words') + ' so common that the'
      + ' index leaves them out, as it does “the”, “of” and “and”. Add a less common word, or search for a'
      + ' phrase that has one, in quotes: "the president said".');
  }

  function userError(message) {
    var e = new Error(message);
    e.userError = true;
    return e;
  }

  /* Shard n's file is named by a hash of its first term (FNV-1a over UTF-16 code
   * units, as generator/search/build.py's shard_name), except where the manifest says. */
  function shardPath(m, n) {
    var name = m.shardNames && m.shardNames[n];
    if (!name) {
      var h = 0x811c9dc5, first = m.shards[n];
      for (var i = 0; i < first.length; i++) h = Math.imul(h ^ first.charCodeAt(i), 0x01000193) >>> 0;
      name = ('0000000' + h.toString(16)).slice(-8);
    }
    return 'shards/' + name + '.json';
  }

  function loadShard(m, n) {
    if (!shardCache.has(n)) {
      var path = shardPath(m, n);
      var p = load(path).then(function (entries) {
        if (!Array.isArray(entries)) throw new Error('Search index file ' + path + ' is damaged.');
        return entries;
      });
      p.catch(function () { shardCache.delete(n); });
      shardCache.set(n, p);
    }
    return shardCache.get(n);
  }

  /* lunr.Builder#createFieldVectors for one term, over the whole corpus. */
  function scoreTerm(m, entry) {
    var N = m.documents, k1 = m.k1, b = m.b, df = entry[1];
    var x = (N - df + 0.5) / (df + 0.5);
    var idf = Math.log(1 + Math.abs(x));
    var fields = [];
    for (var f = 0; f < m.fields.length; f++) {
      var field = entry[2 + f], refs = [], scores = [];
      if (field) {
        var deltas = field[0], tfs = field[1], lengths = field[2], ref = 0;
        var fieldBoost = m.fields[f][1] || 1, avg = m.averageFieldLength[f];
        for (var i = 0; i < deltas.length; i++) {
          ref += deltas[i];
          var tf = tfs.length ? tfs[i] : 1, fieldLength = lengths[i];
          var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (fieldLength / avg)) + tf);
          score *= fieldBoost;
          score *= 1; // document boost, as lunr applies it
          refs.push(ref);
          scores.push(Math.round(score * 1000) / 1000);
        }
      }
      fields.push({ refs: refs, scores: scores });
    }
    return { term: entry[0], fields: fields };
  }

  function matches(entryTerm, wanted) {
    for (var i = 0; i < wanted.length; i++) {
      var w = wanted[i];
      if (w.prefix ? entryTerm.lastIndexOf(w.term, 0) === 0 : entryTerm === w.term) return true;
    }
    return false;
  }

  /* The slice of the one big index that the wanted terms span, as a lunr.Index. */
  function sliceIndex(m, wanted, shardEntries) {
    var terms = [];
    shardEntries.forEach(function (entries) {
      entries.forEach(function (entry) {
        if (!matches(entry[0], wanted)) return;
        if (!termCache.has(entry[0])) termCache.set(entry[0], scoreTerm(m, entry));
        terms.push(termCache.get(entry[0]));
      });
    });
    // lunr numbers terms in the order it meets them; a vector's entries are summed in
    // that order. Podium's one big index numbers them in string order, so the slice
    // numbers its terms by rank in that order: the same order of summation.
    terms.sort(function (a, b) { return a.term < b.term ? -1 : a.term > b.term ? 1 : 0; });
    var names = m.fields.map(function (f) { return f[0]; });
    var vectors = new Map(), inverted = [];
    terms.forEach(function (t, ordinal) {
      var posting = { _index: ordinal };
      names.forEach(function (name, f) {
        var docs = {}, col = t.fields[f];
        for (var i = 0; i < col.refs.length; i++) {
          docs[col.refs[i]] = {};
          var key = name + '/' + col.refs[i];
          var v = vectors.get(key);
          if (!v) vectors.set(key, v = []);
          v.push([ordinal, col.scores[i]]);
        }
        posting[name] = docs;
      });
      inverted.push([t.term, posting]);
    });
    var fieldVectors = [];
    vectors.forEach(function (pairs, key) {
      pairs.sort(function (a, b) { return a[0] - b[0]; });
      var elements = [];
      pairs.forEach(function (p) { elements.push(p[0], p[1]); });
      fieldVectors.push([key, elements]);
    });
    return lunr.Index.load({
      version: lunr.version, fields: names, fieldVectors: fieldVectors,
      invertedIndex: inverted, pipeline: ['stemmer'],
    });
  }

  /* Ranked {ref, score, matchData} exactly as lunr.Index#search over the whole corpus. */
  function rank(q) {
    return init().then(function (m) {
      var parsed = stripPhrases(q);
      if (!parsed.lunrQuery && parsed.phrases.length) {  // "the of": a phrase of common words only
        throw commonWords([].concat.apply([], parsed.phrases));
      }
      var p = plan(m, parsed.lunrQuery);
      return Promise.all(p.shards.map(function (n) { return loadShard(m, n); })).then(function (shardEntries) {
        var index = sliceIndex(m, p.wanted, shardEntries);
        return { results: index.search(parsed.lunrQuery), phrases: parsed.phrases };
      });
    });
  }

  function loadChunk(m, ref) {
    var n = Math.floor(ref / m.docsPerChunk);
    if (!chunkCache.has(n)) {
      var p = load('docs/' + n + '.json').then(function (c) {
        if (!c || !Array.isArray(c.docs)) throw new Error('Search index file docs/' + n + '.json is damaged.');
        return c;
      });
      p.catch(function () { chunkCache.delete(n); });
      chunkCache.set(n, p);
    }
    return chunkCache.get(n).then(function (c) {
      var row = c.docs[ref - c.first];
      if (!row) throw new Error('Search index file docs/' + n + '.json has no entry for result ' + ref + '.');
      return { ref: ref, url: row[0], speaker: row[1], title: row[2], kind: row[3], date: row[4], text: row[5],
        asker: row[6] || null, answerers: row[7] || null };
    });
  }

  function loadExtra(path) {
    if (!extraCache.has(path)) {
      var p = load(path);
      p.catch(function () { extraCache.delete(path); });
      extraCache.set(path, p);
    }
    return extraCache.get(path);
  }

  /* The last i in 0..count-1 whose valueAt(i) <= value (values ascending; 0 if none). */
  function lastAtMost(count, valueAt, value) {
    var lo = 0, hi = count - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (valueAt(mid) <= value) lo = mid; else hi = mid - 1; }
    return lo;
  }

  /* Which briefing of briefings.json (first refs ascending) holds `ref`. */
  function briefingOf(br, ref) {
    return lastAtMost(br.first.length, function (i) { return br.first[i]; }, ref);
  }

  function filterFn(m, filters) {
    var tests = [];
    var work = [];
    /* A speaker, a reporter who asked, an outlet: each a list in filters.json and a file
       of refs (deltas) in its folder; interpreted turns, one file. */
    [['speaker', 'speakers', 'speakers'], ['asker', 'askers', 'askers'], ['outlet', 'outlets', 'outlets'],
     ['interpreted', 'interpreted', 'marks']].forEach(function (kind) {
      var value = filters[kind[0]];
      if (!value) return;
      work.push(loadExtra('filters.json').then(function (f) {
        var file = null;
        if (kind[0] === 'interpreted') file = f.interpreted ? f.interpreted[1] : null;
        else {
          var s = (f[kind[1]] || []).filter(function (s) { return s[0] === value; })[0];
          file = s ? s[3] : null;
        }
        if (!file) { tests.push(function () { return false; }); return; }
        return loadExtra(kind[2] + '/' + file + '.json').then(function (deltas) {
          var set = new Set(), ref = 0;
          deltas.forEach(function (d) { ref += d; set.add(ref); });
          tests.push(function (r) { return set.has(r); });
        });
      }));
    });
    if (filters.kind || filters.from || filters.to) {
      work.push(loadExtra('briefings.json').then(function (br) {
        tests.push(function (r) {
          var lo = briefingOf(br, r);
          var date = br.date[lo] || '';
          if (filters.kind && br.kinds[br.kind[lo]] !== filters.kind) return false;
          if (filters.from && !(date >= filters.from)) return false;
          if (filters.to && !(date && date <= filters.to)) return false;
          return true;
        });
      }));
    }
    return Promise.all(work).then(function () {
      return function (ref) { return tests.every(function (t) { return t(ref); }); };
    });
  }

  function hasPhrase(words, phrase) {
    outer: for (var i = 0; i + phrase.length <= words.length; i++) {
      for (var j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
      return true;
    }
    return false;
  }

  /* Character ranges of the words in `text` that match one of the `terms` (lunr terms). */
  function highlights(text, terms) {
    var ranges = [], re = /[^\s\-]+/g, mt;
    while ((mt = re.exec(text))) {
      var raw = mt[0], core = trimWord(raw);
      if (!core) continue;
      var t = lunr.stemmer(new lunr.Token(core.toLowerCase())).toString();
      if (terms.indexOf(t) !== -1 || terms.indexOf(core.toLowerCase()) !== -1) {
        var start = mt.index + raw.indexOf(core.charAt(0));
        ranges.push([start, core.length]);
      }
    }
    return ranges;
  }

  /* Results in date order (sort "newest" or "oldest"): refs are in date order, a
   * briefing's turns in their own order; briefings.json gives each ref its briefing
   * (first refs ascending) and date. Undated transcripts come last either way. */
  function byDate(candidates, br, sort) {
    var keyed = candidates.map(function (r) {
      var ref = Number(r.ref), lo = briefingOf(br, ref);
      return { r: r, ref: ref, briefing: lo, dated: br.date[lo] ? 0 : 1 };
    });
    var way = sort === 'newest' ? -1 : 1;
    keyed.sort(function (a, b) {
      return a.dated - b.dated || way * (a.briefing - b.briefing) || a.ref - b.ref;
    });
    return keyed.map(function (k) { return k.r; });
  }

  /* How many of the matches fall in each year, or each month when they span two
   * years or less: {unit, periods: [[period, count], ...] from the first period with a
   * match to the last, none left out between, undated: count}, from the manifest's
   * period starts (refs are in date order). Exact: every match is counted, not a page. */
  function trend(m, candidates) {
    var p = m.periods;
    if (!p || !p.years.length || !candidates.length) return null;
    var refs = candidates.map(function (r) { return Number(r.ref); });
    var years = countBy(p.years, refs);
    var unit = 'year', counts = years.counts;
    var used = usedRange(counts);
    if (used && Number(p.years[used[1]][0]) - Number(p.years[used[0]][0]) <= 1) {
      unit = 'month';
      counts = countBy(p.months, refs).counts;
      used = usedRange(counts);
    }
    var starts = unit === 'year' ? p.years : p.months;
    var periods = [];
    if (used) for (var i = used[0]; i <= used[1]; i++) periods.push([starts[i][0], counts[i]]);
    return { unit: unit, periods: periods, undated: years.undated };
  }

  function countBy(starts, refs) {
    var counts = starts.map(function () { return 0; }), undated = 0;
    refs.forEach(function (ref) {
      if (ref < starts[0][1]) { undated++; return; }
      counts[lastAtMost(starts.length, function (i) { return starts[i][1]; }, ref)]++;
    });
    return { counts: counts, undated: undated };
  }

  function usedRange(counts) {
    var first = -1, last = -1;
    counts.forEach(function (n, i) { if (n) { if (first < 0) first = i; last = i; } });
    return first < 0 ? null : [first, last];
  }

  /* One page of results: {total, exact, results: [doc + highlights], trend}; `sort` is
   * "newest", "oldest" or empty (by relevance, as lunr ranks them). */
  function search(q, filters, offset, limit, sort) {
    filters = filters || {};
    offset = offset || 0;
    limit = limit || 10;
    if (sort && sort !== 'newest' && sort !== 'oldest') {
      return Promise.reject(userError('Results can be ordered by relevance, newest first or oldest first.'));
    }
    return init().then(function (m) {
      return Promise.all([rank(q), filterFn(m, filters), sort ? loadExtra('briefings.json') : null]).then(function (all) {
        var ranked = all[0], keep = all[1];
        var candidates = ranked.results.filter(function (r) { return keep(Number(r.ref)); });
        if (sort) candidates = byDate(candidates, all[2], sort);
        if (ranked.phrases.length === 0) {
          var page = candidates.slice(offset, offset + limit);
          return Promise.all(page.map(function (r) { return describe(m, r); })).then(function (docs) {
            return { total: candidates.length, exact: true, results: docs,
              trend: offset === 0 ? trend(m, candidates) : null };
          });
        }
        return verifyPhrases(m, candidates, ranked.phrases, offset + limit).then(function (v) {
          return { total: v.found.length, exact: v.exhausted, candidates: candidates.length, results: v.found.slice(offset, offset + limit) };
        });
      });
    });
  }

  function describe(m, r) {
    return loadChunk(m, Number(r.ref)).then(function (doc) {
      var terms = Object.keys(r.matchData.metadata);
      doc.score = r.score;
      doc.highlights = highlights(doc.text, terms);
      return doc;
    });
  }

  /* Check candidates in rank order, a batch at a time, until `needed` match every phrase. */
  function verifyPhrases(m, candidates, phrases, needed) {
    var found = [], i = 0, batch = 16;
    function step() {
      if (found.length >= needed || i >= candidates.length) {
        return Promise.resolve({ found: found, exhausted: i >= candidates.length });
      }
      var slice = candidates.slice(i, i + batch);
      i += batch;
      return Promise.all(slice.map(function (r) { return describe(m, r); })).then(function (docs) {
        docs.forEach(function (doc) {
          var words = splitWords(doc.text);
          if (phrases.every(function (p) { return hasPhrase(words, p); })) found.push(doc);
        });
        return step();
      });
    }
    return step();
  }

  return { init: init, rank: rank, search: search, plan: plan, stripPhrases: stripPhrases, shardPath: shardPath, filters: function () { return loadExtra('filters.json'); } };
}

if (typeof module !== 'undefined' && module.exports) {
  module.exports = createPodiumSearch;
} else if (typeof importScripts === 'function') {
  importScripts('../vendor/lunr.min.js');
  var podium = null;
  self.onmessage = function (event) {
    var msg = event.data;
    if (msg.type === 'init') {
      var base = msg.base;
      podium = createPodiumSearch(lunr, function (path) {
        return fetch(base + path).then(function (response) {
          if (!response.ok) throw new Error('Search index file ' + path + ' could not be loaded (HTTP ' + response.status + ').');
          return response.json().catch(function () {
            throw new Error('Search index file ' + path + ' is damaged.');
          });
        }, function () {
          throw new Error('Search index file ' + path + ' could not be loaded (network error).');
        });
      });
      podium.init().then(function () { self.postMessage({ type: 'ready' }); }, report(null));
      podium.filters().then(function (f) { self.postMessage({ type: 'filters', filters: f }); }, function () {});
    } else if (msg.type === 'search') {
      podium.search(msg.q, msg.filters, msg.offset, msg.limit, msg.sort).then(function (res) {
        res.type = 'results';
        res.id = msg.id;
        self.postMessage(res);
      }, report(msg.id));
    }
  };
  var report = function (id) {
    return function (err) {
      self.postMessage({ type: 'error', id: id, message: String(err && err.message || err), user: !!(err && err.userError) });
    };
  };
}
