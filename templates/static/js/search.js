/* Podium search page: the form is the URL (?q=&speaker=&asker=&outlet=&interpreted=&kind=&from=&to=&sort=), the index
 * work happens in search-worker.js, and results are built with DOM APIs only:
 * transcripts are data, never markup. */
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  if (!form) return;
  var root = form.getAttribute('data-root') || '';
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var errorBox = document.getElementById('search-error');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var trendBox = document.getElementById('search-trend');
  var PARAMS = ['q', 'speaker', 'asker', 'outlet', 'interpreted', 'kind', 'from', 'to', 'sort'];
  var PAGE = 10;
  var worker = null, ready = false, queued = null, lastId = 0, current = null;

  function start() {
    if (worker) return;
    worker = new Worker(new URL(root + 'static/js/search-worker.js', location.href).href);
    worker.onmessage = onMessage;
    worker.onerror = function (e) {
      showError('Search could not start: ' + (e.message || 'the search script failed to load.'));
    };
    worker.postMessage({ type: 'init', base: new URL(root + 'search/', location.href).href });
  }

  function state() {
    var s = {};
    PARAMS.forEach(function (name) { s[name] = (form.elements[name].value || '').trim(); });
    return s;
  }

  function fill(params) {
    PARAMS.forEach(function (name) {
      var field = form.elements[name], value = params.get(name) || '';
      if (field.tagName === 'SELECT' && value && !hasOption(field, value)) addOption(field, value, value);
      field.value = value;
    });
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function addOption(select, value, label) {
    var option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    select.appendChild(option);
  }

  function fillFilters(filters) {
    var kind = form.elements.kind, keepKind = kind.value;
    [['speaker', 'speakers'], ['asker', 'askers'], ['outlet', 'outlets']].forEach(function (pair) {
      var select = form.elements[pair[0]], keep = select.value;
      (filters[pair[1]] || []).forEach(function (s) {
        if (!hasOption(select, s[0])) addOption(select, s[0], s[1] + ' (' + s[2] + ')');
        else Array.prototype.forEach.call(select.options, function (o) { if (o.value === s[0]) o.textContent = s[1] + ' (' + s[2] + ')'; });
      });
      select.value = keep;
    });
    var interpreted = form.elements.interpreted;
    if (filters.interpreted) interpreted.options[1].textContent = 'Interpreted turns only (' + filters.interpreted[0] + ')';
    filters.kinds.forEach(function (k) {
      if (!hasOption(kind, k[0])) addOption(kind, k[0], k[0].replace(/-/g, ' ') + ' (' + k[1] + ')');
    });
    kind.value = keepKind;
    if (filters.dates) {
      ['from', 'to'].forEach(function (n) { form.elements[n].min = filters.dates[0]; form.elements[n].max = filters.dates[1]; });
    }
  }

  function run(offset) {
    var s = state();
    if (!s.q) { clear(); status.textContent = ''; return; }
    start();
    var message = { type: 'search', id: ++lastId, q: s.q, offset: offset, limit: PAGE, sort: s.sort,
      filters: { speaker: s.speaker, asker: s.asker, outlet: s.outlet, interpreted: s.interpreted, kind: s.kind,
        from: s.from, to: s.to } };
    current = { id: message.id, offset: offset, query: s };
    errorBox.hidden = true;
    list.setAttribute('aria-busy', 'true');
    status.textContent = ready ? 'Searching…' : 'Loading the search index…';
    if (ready) worker.postMessage(message); else queued = message;
  }

  function onMessage(event) {
    var msg = event.data;
    if (msg.type === 'ready') {
      ready = true;
      if (queued) { worker.postMessage(queued); queued = null; status.textContent = 'Searching…'; }
    } else if (msg.type === 'filters') {
      fillFilters(msg.filters);
    } else if (msg.type === 'error') {
      if (msg.id !== null && (!current || msg.id !== current.id)) return;
      list.removeAttribute('aria-busy');
      showError(msg.user ? msg.message : 'Search failed: ' + msg.message + ' Reload the page to try again.');
    } else if (msg.type === 'results' && current && msg.id === current.id) {
      list.removeAttribute('aria-busy');
      show(msg, current);
    }
  }

  function showError(text) {
    clear();
    status.textContent = '';
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  function clear() {
    while (list.firstChild) list.removeChild(list.firstChild);
    more.hidden = true;
    if (trendBox) trendBox.hidden = true;
  }

  /* The matches per year (or month), every match counted: a bar each, a button that
     narrows the date filter to its period. */
  function drawTrend(trend) {
    if (!trendBox) return;
    var bars = trendBox.querySelector('ol');
    while (bars.firstChild) bars.removeChild(bars.firstChild);
    if (!trend || !trend.periods.length) { trendBox.hidden = true; return; }
    document.getElementById('search-trend-heading').textContent = 'Matching turns by ' + trend.unit;
    var most = Math.max.apply(null, trend.periods.map(function (p) { return p[1]; }));
    trend.periods.forEach(function (p) {
      var range = bounds(p[0]), button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('data-from', range[0]);
      button.setAttribute('data-to', range[1]);
      var count = document.createElement('span');
      count.textContent = String(p[1]);
      var fill = document.createElement('span');
      fill.className = 'trend-fill';
      fill.style.height = (p[1] ? Math.max(2, Math.round(80 * p[1] / most)) : 0) + '%';
      var name = document.createElement('span');
      name.textContent = p[0].length > 4 ? p[0].slice(5) + '/' + p[0].slice(2, 4) : p[0];
      var spoken = document.createElement('span');
      spoken.className = 'visually-hidden';
      spoken.textContent = (p[1] === 1 ? ' turn in ' : ' turns in ') + p[0] + '; show only ' + p[0];
      button.appendChild(count);
      button.appendChild(spoken);
      button.appendChild(fill);
      button.appendChild(name);
      var item = document.createElement('li');
      item.appendChild(button);
      bars.appendChild(item);
    });
    document.getElementById('search-trend-note').textContent = trend.undated
      ? 'And ' + trend.undated + ' in undated transcripts.' : '';
    trendBox.hidden = false;
  }

  /* The first and last day of a period: "2014" or "2014-03". */
  function bounds(period) {
    if (period.length === 4) return [period + '-01-01', period + '-12-31'];
    var year = Number(period.slice(0, 4)), month = Number(period.slice(5, 7));
    var last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return [period + '-01', period + '-' + (last < 10 ? '0' : '') + last];
  }

  function show(res, request) {
    if (request.offset === 0) { clear(); drawTrend(res.trend); }
    res.results.forEach(function (doc) { list.appendChild(item(doc)); });
    var shown = list.children.length;
    var count = res.exact ? String(res.total) : 'At least ' + res.total;
    var noun = res.total === 1 && res.exact ? 'result' : 'results';
    status.textContent = res.total === 0 && res.exact ? 'No results for ' + quote(request.query.q) + '.'
      : count + ' ' + noun + ' for ' + quote(request.query.q) + (shown < res.total || !res.exact ? ', showing ' + shown + '.' : '.');
    more.hidden = res.exact ? shown >= res.total : res.results.length < PAGE;
  }

  function quote(q) { return '“' + q + '”'; }

  function item(doc) {
    var li = document.createElement('li');
    var link = document.createElement('a');
    link.href = root + doc.url;
    link.textContent = doc.title;
    var heading = document.createElement('h2');
    heading.appendChild(link);
    var meta = document.createElement('p');
    meta.className = 'search-status';
    meta.textContent = [doc.speaker, doc.date, doc.kind && doc.kind.replace(/-/g, ' ')].filter(Boolean).join(' · ');
    li.appendChild(heading);
    li.appendChild(meta);
    if (doc.asker) {  /* the exchange it is in: who asked, who answered */
      var exchange = document.createElement('p');
      exchange.className = 'search-exchange';
      exchange.textContent = 'Asked by ' + doc.asker + (doc.answerers ? '; answered by ' + doc.answerers : '');
      li.appendChild(exchange);
    }
    li.appendChild(snippet(doc.text, doc.highlights));
    return li;
  }

  /* About 240 characters around the first match, matches in <mark>. */
  function snippet(text, highlights) {
    var p = document.createElement('p');
    var first = highlights.length ? highlights[0][0] : 0;
    var start = Math.max(0, first - 80), end = Math.min(text.length, start + 240);
    if (start > 0) { var sp = text.indexOf(' ', start); if (sp !== -1 && sp < first) start = sp + 1; }
    if (end < text.length) { var ep = text.lastIndexOf(' ', end); if (ep > start) end = ep; }
    var at = start;
    if (start > 0) p.appendChild(document.createTextNode('… '));
    highlights.forEach(function (h) {
      if (h[0] < at || h[0] + h[1] > end) return;
      p.appendChild(document.createTextNode(text.slice(at, h[0])));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(h[0], h[0] + h[1]);
      p.appendChild(mark);
      at = h[0] + h[1];
    });
    p.appendChild(document.createTextNode(text.slice(at, end) + (end < text.length ? ' …' : '')));
    return p;
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll('h2 a')); }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var all = links(), i = all.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && (document.activeElement === input || i !== -1) && all.length) {
      e.preventDefault();
      all[Math.min(i + 1, all.length - 1)].focus();
    } else if (e.key === 'ArrowUp' && i !== -1) {
      e.preventDefault();
      if (i === 0) input.focus(); else all[i - 1].focus();
    } else if (e.key === 'Escape' && i !== -1) {
      input.focus();
    } else if (e.key === '/' && !/^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) {
      e.preventDefault();
      input.focus();
    }
  });

  form.addEventListener('focusin', start);
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var s = state(), params = new URLSearchParams();
    PARAMS.forEach(function (name) { if (s[name]) params.set(name, s[name]); });
    var url = location.pathname + (params.toString() ? '?' + params : '');
    if (url !== location.pathname + location.search) history.pushState(null, '', url);
    run(0);
  });
  form.addEventListener('change', function (e) {
    if (e.target !== input && state().q) form.requestSubmit();
  });
  more.addEventListener('click', function () { run(list.children.length); });
  if (trendBox) trendBox.addEventListener('click', function (e) {
    var button = e.target.closest('button');
    if (!button) return;
    form.elements.from.value = button.getAttribute('data-from');
    form.elements.to.value = button.getAttribute('data-to');
    form.requestSubmit();
  });
  window.addEventListener('popstate', function () { fill(new URLSearchParams(location.search)); run(0); });

  fill(new URLSearchParams(location.search));
  if (state().q) run(0);
  else if (document.activeElement === input) start();
})();
