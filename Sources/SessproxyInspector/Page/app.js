// The sessproxy inspector page. The server filters, diffs and checks amounts; this only renders.
const api = (path, params = {}) => {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  const text = query.toString();
  return `/__sessproxy/api/${path}${text ? `?${text}` : ''}`;
};
const $ = (selector) => document.querySelector(selector);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children.flat()) if (child != null) node.append(child.nodeType ? child : String(child));
  return node;
};
const getJSON = async (url) => {
  const response = await fetch(url, { credentials: 'same-origin' });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error || `HTTP ${response.status}`), { status: response.status });
  return body;
};

// `generation` changes with every reload: an answer that comes back for an older one is dropped.
// While a catch-up page (`after`) is in flight, live rows wait in `pending`: inserted before it
// lands, they would move `lastID` past rows the page has yet to bring.
const state = {
  mode: '', instance: '', rows: [], lastID: 0, more: false, older: false, selected: -1, marked: [], events: null, follow: true, openID: null,
  generation: 0, catchingUp: false, loadingOlder: false, pending: [],
  ids: new Set(), incoming: [], flushing: false, detailRequest: 0,
};
// The filters the list was loaded with: every page and the live feed ask for these, not for what
// the form holds while someone types.
const loadedFilters = () => JSON.parse(state.loadedFilters ?? '{}');
// A list left open on a busy recorder keeps its newest rows: past this many, the oldest leave the
// top while the list follows the newest (and come back with "Load older").
const KEPT_ROWS = 2000;
const filterValues = () => Object.fromEntries(new FormData($('#filters')).entries());

// The address keeps what the page shows — filters and the open exchange — after `#`, so a view
// can be reloaded, bookmarked or sent to a colleague (`#status=4xx&session=…&open=42`). After
// `#`, it never reaches the server.
// A change of filters is a step Back undoes; opening or closing an exchange only updates it.
function showInAddress({ step = false } = {}) {
  const params = new URLSearchParams(Object.entries(filterValues()).filter(([name, value]) => value !== '' && !(name === 'cassette' && value === 'a')));
  if (state.openID != null && !$('#detail').hidden) params.set('open', state.openID);
  const text = params.toString();
  const address = location.pathname + (text ? `#${text}` : '');
  if (address === location.pathname + location.hash) return;
  if (step) history.pushState(null, '', address); else history.replaceState(null, '', address);
}
function fromAddress() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const field of $('#filters').elements) {
    if (!field.name) continue;
    const fallback = field.name === 'cassette' ? 'a' : '';
    // The second cassette exists only with `inspect A B`.
    const value = field.name === 'cassette' && $('#which').hidden ? fallback : (params.get(field.name) ?? fallback);
    // An exact status (`status=400`) is a filter the API takes, though the menu lists classes.
    if (field.tagName === 'SELECT' && field.name === 'status' && value && ![...field.options].some((o) => o.value === value)) field.add(new Option(value, value));
    field.value = value;
  }
  const open = params.get('open');
  return /^[0-9]+$/.test(open ?? '') ? open : null;
}

// Redacted values (`redacted:<hex>~hint`, `redacted`) become <span class="redacted">.
const redactedPattern = /redacted(?::[0-9a-f]{8,}(?:~[A-Za-z0-9=_.-]+)?)?/g;
function withRedactions(text) {
  const parts = [];
  let last = 0;
  for (const match of String(text).matchAll(redactedPattern)) {
    if (match.index > last) parts.push(String(text).slice(last, match.index));
    parts.push(el('span', { class: 'redacted', title: 'redacted by sessproxy' }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < String(text).length) parts.push(String(text).slice(last));
  return parts;
}

const LARGE = 64 * 1024;
function jsonNode(value, key, depth = 0) {
  const label = key === undefined ? [] : [el('span', { class: 'key' }, `${JSON.stringify(key)}: `)];
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const open = Array.isArray(value) ? '[' : '{';
    const close = Array.isArray(value) ? ']' : '}';
    const details = el('details', depth < 3 ? { open: '' } : {},
      el('summary', {}, ...label, `${open} ${entries.length} ${Array.isArray(value) ? 'items' : 'keys'}`));
    for (const [k, v] of entries) details.append(el('div', {}, jsonNode(v, Array.isArray(value) ? undefined : k, depth + 1)));
    details.append(el('div', {}, close));
    return details;
  }
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return el('span', {}, ...label, ...withRedactions(text));
}

function bodyView(body) {
  if (body === null || body === undefined) return el('p', { class: 'muted' }, '(no body)');
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  if (text.length > LARGE) {
    const box = el('pre', {}, ...withRedactions(text.slice(0, LARGE)), '\n…');
    const button = el('button', { type: 'button', onclick: () => { box.replaceChildren(...withRedactions(text)); button.remove(); } },
      `Load all (${Math.round(text.length / 1024)} KiB)`);
    return el('div', {}, box, button);
  }
  if (typeof body === 'string') return el('pre', {}, ...withRedactions(body));
  return el('div', { class: 'json' }, jsonNode(body));
}

function headersView(headers) {
  return el('div', { class: 'kv' }, headers.flatMap(([name, value]) => [el('span', {}, name), el('span', {}, ...withRedactions(value))]));
}

// ---- list ---------------------------------------------------------------------------------
function rowFor(row) {
  const status = Number(row.status);
  const tr = el('tr', {
    'data-exchange-id': row.id, 'data-operation': row.operation, 'data-status': status,
    ...(row.replay ? { 'data-replay': row.replay } : {}),
    onclick: (event) => { if (event.target.type !== 'checkbox') select(state.rows.findIndex((r) => r.id === row.id), true); },
  },
  el('td', {}, el('input', {
    type: 'checkbox', 'aria-label': 'mark for compare', onchange: () => toggleMark(row.id), ...(isMarked(row.id) ? { checked: '' } : {}),
  })),
  el('td', {}, row.id),
  el('td', { title: row.started_at }, (row.started_at || '').slice(11, 23)),
  el('td', {}, row.operation),
  el('td', {}, row.method),
  el('td', { class: 'path', title: row.path }, ...withRedactions(row.path)),
  el('td', { class: 'session', title: row.session_id || '' }, row.session_id || '–'),
  el('td', { class: `status-${String(status)[0]}` }, status),
  el('td', {}, Number(row.duration_ms).toFixed(1)),
  el('td', { class: 'replay replay-only' }, row.replay || ''));
  return tr;
}

// Rows stay in id order whichever way they come: a page of older ones, a catch-up page, a live one.
function insertRows(rows) {
  const list = $('#list');
  const body = $('#rows');
  const heightBefore = list.scrollHeight;
  let above = false;
  for (const row of rows) {
    const id = Number(row.id);
    if (state.ids.has(id)) continue;
    state.ids.add(id);
    let index = state.rows.length;
    while (index > 0 && Number(state.rows[index - 1].id) > id) index -= 1;
    state.rows.splice(index, 0, row);
    body.insertBefore(rowFor(row), body.children[index] || null);
    if (state.selected >= index) state.selected += 1;
    if (index < state.rows.length - 1) above = true;
    state.lastID = Math.max(state.lastID, id);
  }
  listEnds();
  if (state.follow) list.scrollTop = list.scrollHeight;
  else if (above) list.scrollTop += list.scrollHeight - heightBefore; // keep the rows in view where they were
}

function trimOldest() {
  const excess = state.rows.length - KEPT_ROWS;
  if (excess <= 0) return;
  const body = $('#rows');
  for (const row of state.rows.splice(0, excess)) {
    state.ids.delete(Number(row.id));
    body.firstElementChild.remove();
  }
  state.selected = state.selected >= excess ? state.selected - excess : -1;
  state.older = true;
}

// Live rows are put in a few times a second, however fast they come: each time lays the list
// out again, which on a long list costs more than the rows themselves. Only they push the oldest
// rows out; rows brought by "Load older" stay.
function receive(row) {
  state.incoming.push(row);
  if (state.flushing) return;
  state.flushing = true;
  const generation = state.generation;
  // A timer, not an animation frame: a hidden tab runs no frames and would pile rows up.
  setTimeout(() => {
    state.flushing = false;
    if (generation !== state.generation) return;
    let rows = state.incoming;
    state.incoming = [];
    // As when they arrived: behind a gap "Load more" brings them in order, and during a catch-up
    // they wait for its page.
    if (state.more) return;
    if (state.catchingUp) { state.pending.push(...rows); return; }
    if (state.follow && !state.loadingOlder && rows.length >= KEPT_ROWS) {
      // More came than the list keeps (a tab in the background): the newest replace the list,
      // and "Load older" reaches everything before them.
      rows = rows.slice(-KEPT_ROWS);
      state.rows = []; state.ids = new Set(); state.selected = -1; state.older = true;
      $('#rows').replaceChildren();
    }
    insertRows(rows);
    if (state.follow && !state.loadingOlder) { // rows "Load older" is bringing must find their place
      trimOldest();
      listEnds();
    }
  }, 200);
}

// The page opens on the newest rows: "Load older" above them, "Load more" below when a catch-up
// page left some behind. The buttons stay in place (only shown or hidden), so a live feed never
// swaps one out from under a click or the keyboard focus.
function listEnds() {
  $('#list-count').replaceChildren(`${state.rows.length} exchange(s)${state.older ? ' · older ones above' : ''}${state.more ? ' · newer ones below' : ''}`);
  $('#load-more').hidden = !state.more;
  $('#list-header').hidden = !state.older;
}
function listProblem(message) {
  $('#list-count').replaceChildren(el('span', { class: 'finding' }, message));
}

async function loadMore() {
  if (state.catchingUp) return;
  const generation = state.generation;
  state.catchingUp = true;
  try {
    const page = await getJSON(api('exchanges', { ...loadedFilters(), after: state.lastID || '' }));
    if (generation !== state.generation) return;
    state.more = page.more;
    insertRows(page.exchanges);
    // Live rows that came meanwhile follow the page when it reached the end; otherwise
    // "Load more" brings them in order.
    if (!state.more) insertRows(state.pending);
  } catch (error) {
    // Rows may be missing after the last one shown: "Load more" asks again from there.
    if (generation === state.generation) { state.more = true; listEnds(); }
    throw error;
  } finally {
    if (generation === state.generation) { state.catchingUp = false; state.pending = []; }
  }
}

async function loadOlder() {
  if (state.loadingOlder) return;
  const generation = state.generation;
  state.loadingOlder = true;
  try {
    const anchor = state.rows.length ? state.rows[0].id : 'end';
    const page = await getJSON(api('exchanges', { ...loadedFilters(), before: anchor }));
    // The list changed under the request (a new filter, or its oldest rows pushed out): the page
    // would leave a hole; the next click asks again from the new top.
    if (generation !== state.generation || (state.rows.length ? state.rows[0].id : 'end') !== anchor) return;
    state.older = page.older;
    insertRows(page.exchanges);
  } finally {
    if (generation === state.generation) state.loadingOlder = false;
  }
}

async function reload({ followingAddress = false } = {}) {
  const first = state.loadedFilters === undefined;
  state.loadedFilters = JSON.stringify(filterValues());
  showInAddress({ step: !first && !followingAddress });
  state.generation += 1;
  if (state.events) { state.events.close(); state.events = null; }
  $('#live').textContent = 'offline'; $('#live').classList.remove('on');
  state.rows = []; state.lastID = 0; state.selected = -1; state.follow = true; state.more = false; state.older = false;
  state.catchingUp = false; state.loadingOlder = false; state.pending = []; state.ids = new Set(); state.incoming = []; state.flushing = false;
  $('#rows').replaceChildren();
  updateCompare();
  listEnds();
  const generation = state.generation;
  try {
    await loadOlder();
  } catch (error) {
    if (generation !== state.generation) return;
    listProblem(error.message);
    if (error.status === 400) return; // a filter the server refuses: no feed would take it either
  }
  if (generation !== state.generation) return; // a newer reload took over
  $('#export').href = api('export.har', loadedFilters());
  connect();
}

// Live rows arrive as server-sent events, filtered by the server like the list.
function connect() {
  if (state.events) state.events.close();
  const source = new EventSource(api('events', loadedFilters()));
  state.events = source;
  source.addEventListener('open', () => {
    // `inspect` reads a file at rest: nothing arrives live there (a reload shows what a
    // recorder in another process added meanwhile).
    const live = state.mode !== 'inspect';
    $('#live').textContent = live ? 'live' : 'at rest';
    $('#live').title = live ? 'new rows arrive as they are recorded' : 'reload to see rows recorded since';
    $('#live').classList.toggle('on', live);
  });
  // Every stream opens by naming the sessproxy process it comes from.
  source.addEventListener('hello', (event) => {
    if (state.events !== source) return;
    const { instance } = JSON.parse(event.data);
    // Another process on the same address and token (a replay restarted, whose ids start over,
    // or a recorder restarted on another cassette): the list is not its list any more.
    if (state.instance && instance !== state.instance) { restarted(); return; }
    state.instance = instance;
    // Catch up with what came before the feed opened (or while it was away).
    if (!state.more) loadMore().catch(() => {});
  });
  source.addEventListener('error', async () => {
    $('#live').textContent = 'reconnecting…'; $('#live').classList.remove('on');
    // The browser retries a dropped stream itself, but gives up on a refused one: after a
    // restart with a new token, say so instead of "reconnecting…" for ever.
    if (source.readyState !== EventSource.CLOSED || state.events !== source) return;
    const answer = await fetch(api('info'), { credentials: 'same-origin' }).catch(() => null);
    if (state.events !== source) return;
    if (answer && (answer.status === 401 || answer.status === 403)) {
      $('#live').textContent = 'signed out: sessproxy restarted with a new token; open the address it printed';
    } else {
      setTimeout(() => { if (state.events === source) connect(); }, 2000);
    }
  });
  source.addEventListener('exchange', (event) => {
    if (state.events !== source) return;
    if (state.more) return; // a catch-up page is still behind: "Load more" brings this row in order
    if (state.catchingUp) { state.pending.push(JSON.parse(event.data)); return; }
    receive(JSON.parse(event.data));
  });
}

$('#list').addEventListener('scroll', () => {
  const list = $('#list');
  state.follow = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
});

function select(index, open) {
  const rows = [...$('#rows').children];
  if (index < 0 || index >= rows.length) return;
  rows[state.selected]?.classList.remove('selected');
  state.selected = index;
  rows[index].classList.add('selected');
  rows[index].scrollIntoView({ block: 'nearest' });
  if (open) openDetail(state.rows[index].id);
}

// A mark remembers which cassette its row came from (`inspect A B` compares across them).
function toggleMark(id) {
  const cassette = filterValues().cassette || 'a';
  const same = (mark) => mark.id === id && mark.cassette === cassette;
  state.marked = state.marked.some(same) ? state.marked.filter((mark) => !same(mark)) : [...state.marked, { id, cassette }].slice(-2);
  showMarks();
  updateCompare();
}
function isMarked(id) {
  const cassette = filterValues().cassette || 'a';
  return state.marked.some((mark) => String(mark.id) === String(id) && mark.cassette === cassette);
}
function showMarks() {
  for (const tr of $('#rows').children) tr.querySelector('input').checked = isMarked(tr.dataset.exchangeId);
}
function updateCompare() { $('#compare').disabled = state.marked.length !== 2; }

// ---- detail -------------------------------------------------------------------------------
async function openDetail(id, path = 'exchanges') {
  const detail = $('#detail');
  detail.hidden = false;
  detail.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  const request = ++state.detailRequest; // only the latest click's answer is shown
  try {
    const doc = await getJSON(api(`${path}/${id}`, { cassette: filterValues().cassette }));
    if (request !== state.detailRequest) return;
    state.openID = path === 'exchanges' ? id : null; // the address names rows of the list only
    detail.replaceChildren(renderDetail(doc, path));
    detail.dataset.detailFor = String(id);
    showInAddress();
    // The timeline is of the rows listed: a replay run's served requests, not its recording.
    if (doc.session_id && path === 'exchanges') loadTimeline(doc.session_id, request);
  } catch (error) {
    if (request === state.detailRequest) detail.replaceChildren(el('p', { class: 'finding' }, error.message));
  }
}

function renderDetail(doc, path) {
  const request = doc.request; const response = doc.response;
  const findings = doc.findings || { amount_rules: [], klarna_error: null };
  const parts = [
    el('h2', {}, `${path === 'recorded' ? 'Recorded exchange' : 'Exchange'} #${doc.id} · ${doc.operation} · `,
      el('span', { class: `status-${String(response.status)[0]}` }, response.status)),
    el('p', { class: 'muted' }, `${doc.started_at} · ${Number(doc.duration_ms).toFixed(1)} ms · ${doc.upstream}`),
  ];
  if (doc.session_id) {
    parts.push(el('p', {}, 'Session ', el('a', { href: '#', onclick: (e) => { e.preventDefault(); filterBySession(doc.session_id); } }, doc.session_id)));
  }
  if (doc.replay === 'hit' && doc.recorded_exchange_id != null) {
    parts.push(el('p', {}, 'Answered from recorded exchange ',
      el('a', { href: '#', 'data-recorded-link': doc.recorded_exchange_id, onclick: (e) => { e.preventDefault(); openDetail(doc.recorded_exchange_id, 'recorded'); } },
        `#${doc.recorded_exchange_id}`)));
  }
  if (doc.replay === 'miss' && doc.miss) parts.push(missView(doc.miss));
  if (doc.proxy_error) parts.push(el('p', { class: 'finding' }, `Answered by sessproxy: ${doc.proxy_error}`));
  if (findings.amount_rules.length) {
    parts.push(el('h3', {}, 'Broken amount rules'), el('ul', {}, findings.amount_rules.map((rule) => el('li', {
      class: 'finding', 'data-rule': rule.rule, 'data-line-reference': rule.line_reference ?? '',
    }, `${rule.rule}: ${rule.line_reference ? `line ${rule.line_reference}, ` : ''}${rule.field} is ${rule.actual}, expected ${rule.expected} (${rule.explanation})`))));
  }
  if (findings.klarna_error) {
    parts.push(el('h3', {}, `Klarna error ${findings.klarna_error.error_code}`),
      el('ul', {}, findings.klarna_error.error_messages.map((message) => el('li', { class: 'finding klarna-error' }, message))));
  }
  parts.push(
    el('h3', {}, 'Request'), el('pre', {}, `${request.method} `, ...withRedactions(request.path)), headersView(request.headers), bodyView(request.body),
    el('h3', {}, 'Response'), headersView(response.headers), bodyView(response.body));
  if (doc.redactions?.length) parts.push(el('h3', {}, 'Redacted'), el('p', { class: 'muted' }, doc.redactions.join(', ')));
  if (doc.curl) {
    const curl = el('pre', { class: 'curl' }, ...withRedactions(doc.curl));
    parts.push(el('h3', {}, 'cURL'), curl, el('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(doc.curl) }, 'Copy as cURL'));
  }
  parts.push(el('div', { id: 'timeline' }));
  return el('article', { 'data-detail-for': doc.id }, parts);
}

// A miss: what was asked, then the nearest recordings, each with why it was not used (a
// rejection) or the fields that differ; each links to the recorded exchange.
function missView(miss) {
  const request = miss.request || {};
  const candidates = miss.candidates || [];
  let lead = `No recorded exchange matches ${request.method ?? ''} ${request.target ?? ''} (${request.operation ?? ''}).`;
  if (request.session_forwarded) lead = `Session ${request.session_id} went to the upstream with an earlier miss, so the cassette no longer answers it.`;
  else if (request.session_id && request.session_known === false) lead += ` Session ${request.session_id} is not in the cassette.`;
  const nearest = candidates.map((candidate) => el('li', { 'data-candidate': candidate.exchange_id },
    el('a', { href: '#', onclick: (e) => { e.preventDefault(); openDetail(candidate.exchange_id, state.mode === 'replay' ? 'recorded' : 'exchanges'); } },
      `#${candidate.exchange_id}`),
    ` ${candidate.method} ${candidate.target}: `,
    candidate.rejection ? el('span', { class: 'finding' }, candidate.rejection)
      : el('ul', {}, (candidate.differences || []).map((difference) => el('li', {}, difference)),
        candidate.difference_count > (candidate.differences || []).length ? el('li', { class: 'muted' }, `+${candidate.difference_count - candidate.differences.length} more`) : null)));
  return el('div', { class: 'miss' },
    el('h3', {}, 'Replay miss'),
    el('p', { class: 'finding' }, lead),
    candidates.length ? el('h3', {}, 'Nearest recordings') : el('p', { class: 'muted' }, request.session_forwarded ? '' : 'Nothing recorded to compare with.'),
    candidates.length ? el('ol', { class: 'candidates' }, nearest) : null,
    el('details', {}, el('summary', {}, 'Miss report (JSON)'), el('pre', {}, JSON.stringify(miss, null, 2))));
}

async function loadTimeline(sessionID, request) {
  try {
    const timeline = await getJSON(api(`sessions/${encodeURIComponent(sessionID)}`, { cassette: filterValues().cassette }));
    const node = $('#timeline');
    if (!node || request !== state.detailRequest) return;
    node.replaceChildren(el('h3', {}, 'Session timeline'), el('ol', { class: 'timeline' }, timeline.steps.map((step) => el('li', {
      'data-step-exchange': step.exchange_id,
    }, el('a', { href: '#', onclick: (e) => { e.preventDefault(); openDetail(step.exchange_id); } }, `#${step.exchange_id}`),
    ` ${step.operation} `, el('span', { class: `status-${String(step.status)[0]}` }, step.status),
    step.order_amount != null ? ` · order_amount ${step.order_amount}` : '',
    step.error_messages.length ? el('span', { class: 'finding' }, ` · ${step.error_messages.join('; ')}`) : ''))));
  } catch { /* a session only in the other cassette */ }
}

function filterBySession(sessionID) {
  $('#filters').elements.session.value = sessionID;
  reload();
}

async function compare() {
  const [first, second] = state.marked;
  const [a, b] = [first.id, second.id];
  const detail = $('#detail');
  detail.hidden = false;
  state.openID = null; // a comparison is not a row the address can name
  showInAddress();
  const request = ++state.detailRequest;
  try {
    const result = await getJSON(api('compare', { a, b, a_cassette: first.cassette, b_cassette: second.cassette }));
    if (request !== state.detailRequest) return;
    const names = $('#which').hidden ? ['', ''] : [first.cassette.toUpperCase(), second.cassette.toUpperCase()];
    detail.replaceChildren(el('article', { 'data-compare': `${a}-${b}` },
      el('h2', {}, `Compare ${names[0]} #${a} ↔ ${names[1]} #${b}`),
      el('p', {}, result.equal ? 'No differences that matter.' : `${result.summary.findings} finding(s)`),
      el('pre', {}, result.text)));
  } catch (error) {
    detail.replaceChildren(el('p', { class: 'finding' }, error.message));
  }
}

// ---- start --------------------------------------------------------------------------------
document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return; // Ctrl+C copies; it marks nothing
  if (event.target.matches('input:not([type="checkbox"]), select, textarea')) {
    if (event.key === 'Escape') event.target.blur();
    return;
  }
  const key = event.key;
  if (key === 'Enter' && event.target.matches('button, a')) return; // the button's or link's own
  // Nothing selected yet: the first move lands on the newest row, where the list opens.
  const none = state.selected < 0;
  if (key === 'j' || key === 'ArrowDown') { select(none ? state.rows.length - 1 : state.selected + 1, false); event.preventDefault(); }
  else if (key === 'k' || key === 'ArrowUp') { select(none ? state.rows.length - 1 : Math.max(0, state.selected - 1), false); event.preventDefault(); }
  else if (key === 'Enter' && state.selected >= 0) openDetail(state.rows[state.selected].id);
  else if (key === 'c' && state.selected >= 0) toggleMark(state.rows[state.selected].id);
  else if (key === 'Escape') { $('#detail').hidden = true; state.openID = null; showInAddress(); }
  else if (key === '/') { $('#filters').elements.q.focus(); event.preventDefault(); }
});

// Typing waits for a pause; a filter left as it was loads nothing again.
let typing;
const filtersChanged = (event) => {
  clearTimeout(typing);
  // Another cassette of `inspect A B`: the open detail is the other cassette's, so close it.
  if (event.target.name === 'cassette') { $('#detail').hidden = true; state.openID = null; }
  typing = setTimeout(() => { if (JSON.stringify(filterValues()) !== state.loadedFilters) reload(); },
    event.target.name === 'q' || event.target.name === 'session' ? 250 : 0);
};
$('#filters').addEventListener('input', filtersChanged);
$('#filters').addEventListener('change', filtersChanged);
$('#filters').addEventListener('submit', (event) => { event.preventDefault(); reload(); });
$('#compare').addEventListener('click', compare);
$('#load-older').addEventListener('click', () => loadOlder().catch((error) => listProblem(error.message)));
$('#load-more').addEventListener('click', () => loadMore().catch((error) => listProblem(error.message)));

// What the page shows about the process it talks to.
async function loadInfo() {
  const info = await getJSON(api('info'));
  state.mode = info.mode;
  state.instance = info.instance;
  $('#mode').textContent = info.mode;
  $('#source').textContent = info.cassettes.join(' ↔ ');
  document.body.classList.toggle('replay', info.mode === 'replay');
  $('#which').hidden = !info.compare_across;
}

// The feed came back from another process: its rows, marks and open exchange belonged to the
// one before, so the page starts over with the filters it has.
async function restarted() {
  if (state.events) { state.events.close(); state.events = null; }
  $('#live').textContent = 'reconnecting…'; $('#live').classList.remove('on');
  state.marked = []; showMarks(); updateCompare();
  $('#detail').hidden = true; state.openID = null; showInAddress();
  try {
    await loadInfo();
  } catch (error) {
    // The new process went away again, or the network did: the feed, once back, says which
    // process answers, and this runs again if it is still another one.
    listProblem(error.message);
    setTimeout(() => { if (!state.events) connect(); }, 2000);
    return;
  }
  fromAddress(); // the filters again, as the new process takes them (no second cassette after `inspect A B`)
  await reload({ followingAddress: true });
}

(async () => {
  // The token came in the URL once; the cookie carries it from here, so drop it from the address bar.
  if (location.search.includes('token=')) history.replaceState(null, '', location.pathname + location.hash);
  try {
    await loadInfo();
  } catch (error) {
    listProblem(error.message);
    return;
  }
  const open = fromAddress();
  await reload();
  if (open) openDetail(open);
})();

// An address edited by hand, a link followed from within the page, or Back: show what it names.
function followAddress() {
  const cassette = filterValues().cassette;
  const open = fromAddress();
  if (filterValues().cassette !== cassette) { $('#detail').hidden = true; state.openID = null; }
  if (JSON.stringify(filterValues()) !== state.loadedFilters) reload({ followingAddress: true });
  if (open && open !== String(state.openID)) openDetail(open);
  if (!open && state.openID != null) { $('#detail').hidden = true; state.openID = null; }
}
// Back and Forward between the page's own entries, and an edited address, all change what
// follows `#` (the entries differ in nothing else), and each fires `hashchange` once; listening to
// `popstate` as well asked for the same exchange twice.
window.addEventListener('hashchange', followAddress);
