// File: web/src/app.js
// The taskmesh web UI: submit tasks, watch them over Server-Sent Events
// (GET /task/{id}/events), chart GET /events. Plain JS, no framework; uPlot
// is the only library. Streams are read with fetch() (not EventSource) so
// the API token can travel in the Authorization header.
'use strict';

const $ = (sel) => document.querySelector(sel);
const MAX_ROWS = 200;     // rows kept in the table
const MAX_TASK_STREAMS = 4; // browsers allow 6 connections per host: keep some free
const CHART_POINTS = 120; // seconds of history in the charts

// --- token (only sent when set; kept for this tab in sessionStorage) ---------
const tokenInput = $('#token');
tokenInput.value = sessionStorage.getItem('taskmesh.token') || '';
$('#token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('taskmesh.token', tokenInput.value.trim());
  restartStats();
});
function headers(extra = {}) {
  const token = sessionStorage.getItem('taskmesh.token');
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

// --- Server-Sent Events over fetch ----------------------------------------------
// Calls onEvent(name, data, id) per event; resolves when the stream ends.
async function readEvents(url, onEvent, { lastEventId, signal } = {}) {
  const h = headers({ Accept: 'text/event-stream' });
  if (lastEventId !== undefined) h['Last-Event-ID'] = String(lastEventId);
  const res = await fetch(url, { headers: h, signal, cache: 'no-store' });
  if (!res.ok) {
    const text = await res.text();
    throw new Error(`${res.status} ${text}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let name = 'message', data = '', id;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue; // heartbeat comment
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = val;
        else if (field === 'data') data += (data ? '\n' : '') + val;
        else if (field === 'id') id = val;
      }
      if (data) onEvent(name, JSON.parse(data), id);
    }
  }
}

// --- the task table -----------------------------------------------------------
const rows = new Map(); // id -> { tr, task }
const tbody = $('#tasks tbody');
const fmtTime = (t) => (t ? new Date(t).toLocaleTimeString() : '');
function took(task) {
  if (!task.finished_at || !task.submitted_at) return '';
  return `${Date.parse(task.finished_at) - Date.parse(task.submitted_at)} ms`;
}
function cell(tr, i, text, cls) {
  const td = tr.children[i];
  td.textContent = text;
  if (cls !== undefined) td.className = cls;
}
function upsert(task) {
  let row = rows.get(task.id);
  if (!row) {
    const tr = document.createElement('tr');
    tr.dataset.id = task.id;
    tr.innerHTML = '<td class="id"><button type="button"></button></td><td></td><td></td><td></td><td></td><td></td>' +
      '<td><button type="button" class="secondary cancel">Cancel</button></td>';
    const idButton = tr.querySelector('td.id button');
    idButton.textContent = task.id.slice(0, 13) + '…';
    idButton.title = `Show task ${task.id}`;
    idButton.setAttribute('aria-label', `Show task ${task.id}`);
    idButton.addEventListener('click', () => showDetail(task.id));
    tr.querySelector('.cancel').addEventListener('click', () => cancelTask(task.id));
    tbody.prepend(tr);
    row = { tr, task: {} };
    rows.set(task.id, row);
    while (rows.size > MAX_ROWS) {
      const [oldest] = rows.keys();
      rows.get(oldest).tr.remove();
      rows.delete(oldest);
    }
  }
  row.task = { ...row.task, ...task };
  const t = row.task;
  const tr = row.tr;
  cell(tr, 1, t.type || '');
  cell(tr, 2, t.status || '', `status status-${t.status}`);
  if (t.progress !== undefined && t.status === 'running') tr.children[2].textContent = `running ${t.progress}%`;
  cell(tr, 3, t.attempts !== undefined ? `${t.attempts}/${t.max_attempts}` : '');
  cell(tr, 4, fmtTime(t.submitted_at));
  cell(tr, 5, took(t));
  tr.querySelector('.cancel').disabled = !(t.status === 'queued' || t.status === 'running');
  if (detailId === t.id) renderDetail(t);
}

let detailId = null;
function renderDetail(t) {
  $('#detail-h').textContent = `Task ${t.id}`;
  $('#detail-body').textContent = JSON.stringify(t, null, 2);
}
function showDetail(id) {
  detailId = id;
  const panel = $('#detail');
  panel.hidden = false;
  renderDetail(rows.get(id).task);
  panel.focus();
}

async function cancelTask(id) {
  const res = await fetch(`/task/${id}`, { method: 'DELETE', headers: headers() });
  const body = await res.json();
  if (res.ok) upsert(body);
  else if (body.task) upsert(body.task);
  $('#submit-status').textContent = res.ok ? `cancelled ${id}` : body.error.message;
}

// --- per-task streams, at most MAX_TASK_STREAMS at once --------------------------
const waiting = [];
let open = 0;
function watch(id) {
  waiting.push(id);
  pump();
}
function pump() {
  while (open < MAX_TASK_STREAMS && waiting.length) {
    const id = waiting.shift();
    open++;
    follow(id).finally(() => { open--; pump(); });
  }
}
// Follows one task to its terminal event; reconnects with Last-Event-ID.
async function follow(id) {
  let last;
  for (let tries = 0; tries < 5; tries++) {
    let terminal = false;
    try {
      await readEvents(`/task/${id}/events`, (name, data, eventId) => {
        if (eventId !== undefined) last = eventId;
        if (name === 'status') {
          upsert(data);
          terminal = ['succeeded', 'failed', 'dead', 'cancelled'].includes(data.status);
        } else if (name === 'progress') {
          upsert({ id, progress: data.progress });
        }
      }, { lastEventId: last });
    } catch (e) {
      if (String(e).startsWith('Error: 404')) return;
    }
    if (terminal) return;
  }
}

// --- submit ------------------------------------------------------------------
const payload = $('#payload');
async function loadFile(file) {
  if (!file) return;
  payload.value = await file.text();
  $('#file-info').textContent = `${file.name}: ${file.size} bytes`;
}
$('#file').addEventListener('change', (e) => loadFile(e.target.files[0]));
payload.addEventListener('dragover', (e) => { e.preventDefault(); payload.classList.add('dragging'); });
payload.addEventListener('dragleave', () => payload.classList.remove('dragging'));
payload.addEventListener('drop', (e) => {
  e.preventDefault();
  payload.classList.remove('dragging');
  loadFile(e.dataTransfer.files[0]);
});

$('#submit-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const status = $('#submit-status');
  let params = {};
  const paramsText = $('#params').value.trim();
  try {
    if (paramsText) params = JSON.parse(paramsText);
  } catch {
    status.textContent = 'params: not valid JSON';
    return;
  }
  const delay = Number($('#delay').value || 0);
  if (delay > 0) params.delay_ms = delay;
  const task = { type: $('#op').value, payload: payload.value, priority: $('#priority').value, params };
  const copies = Math.max(1, Math.min(1000, Number($('#copies').value || 1)));
  const batch = copies > 1;
  const res = await fetch(batch ? '/tasks' : '/task', {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify(batch ? Array(copies).fill(task) : task),
  });
  const body = await res.json();
  if (!res.ok) {
    status.textContent = `${res.status}: ${body.error.message}`;
    return;
  }
  const ids = batch ? body.ids : [body.id];
  status.textContent = `submitted ${ids.length} task${ids.length > 1 ? 's' : ''}`;
  for (const id of ids) {
    upsert({ id, type: task.type, status: 'queued', submitted_at: new Date().toISOString() });
    watch(id);
  }
});

// --- live stats and charts (GET /events) ----------------------------------------
function chart(el, series) {
  const opts = {
    width: Math.max(260, el.clientWidth), height: 180,
    scales: { x: { time: true } },
    series: [{}, ...series.map((label, i) => ({ label, stroke: ['#2458c6', '#1d7a3a', '#b42318', '#9a6700'][i], width: 2 }))],
    axes: [{}, { size: 50 }],
  };
  return new uPlot(opts, [[], ...series.map(() => [])], el);
}
let charts;
const history = { t: [], sub: [], fin: [], high: [], normal: [], inflight: [], qw50: [], qw99: [], pr50: [], pr99: [] };
function push(key, v) {
  history[key].push(v);
  if (history[key].length > CHART_POINTS) history[key].shift();
}
const NUMBERS = [['submitted', 'submitted'], ['succeeded', 'succeeded'], ['failed', 'failed'], ['dead', 'dead'],
  ['cancelled', 'cancelled'], ['retried', 'retried'], ['backlog_high', 'backlog high'],
  ['backlog_normal', 'backlog normal'], ['in_flight', 'in flight'], ['workers', 'workers']];
function renderStats(s) {
  $('#mode').textContent = `${s.mode} mode · up ${Math.round(s.uptime_s)} s`;
  const lanes = s.backlog_by_lane || { high: 0, normal: s.queue_backlog_length };
  const values = { ...s, backlog_high: lanes.high, backlog_normal: lanes.normal };
  const dl = $('#numbers');
  dl.replaceChildren(...NUMBERS.map(([key, label]) => {
    const div = document.createElement('div');
    div.innerHTML = '<dt></dt><dd></dd>';
    div.firstChild.textContent = label;
    div.lastChild.textContent = values[key] ?? 0;
    div.lastChild.id = `n-${key}`;
    return div;
  }));
  renderPods(s);
  push('t', Date.now() / 1000);
  push('sub', s.throughput.submitted);
  push('fin', s.throughput.finished);
  push('high', lanes.high);
  push('normal', lanes.normal);
  push('inflight', s.in_flight);
  push('qw50', s.queue_wait_ms.p50);
  push('qw99', s.queue_wait_ms.p99);
  push('pr50', s.processing_ms.p50);
  push('pr99', s.processing_ms.p99);
  if (!charts) {
    charts = {
      throughput: chart($('#chart-throughput'), ['submitted/s', 'finished/s']),
      backlog: chart($('#chart-backlog'), ['backlog high', 'backlog normal', 'in flight']),
      latency: chart($('#chart-latency'), ['queue wait p50', 'queue wait p99', 'processing p50', 'processing p99']),
    };
  }
  const h = history;
  charts.throughput.setData([h.t, h.sub, h.fin]);
  charts.backlog.setData([h.t, h.high, h.normal, h.inflight]);
  charts.latency.setData([h.t, h.qw50, h.qw99, h.pr50, h.pr99]);
  document.body.dataset.statsEvents = String(Number(document.body.dataset.statsEvents || 0) + 1);
  fillOps(s.by_type);
}
// Cluster mode: the live worker pods by id (their heartbeats), as a list.
function renderPods(s) {
  const box = $('#workers');
  if (s.mode !== 'cluster') {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const pods = s.worker_pods || [];
  const more = s.workers > pods.length ? ` (${pods.length} listed)` : '';
  $('#workers-h').textContent = `Worker pods alive: ${s.workers}${more}`;
  $('#worker-pods').replaceChildren(...pods.map((id) => {
    const li = document.createElement('li');
    li.textContent = id;
    return li;
  }));
}

let opsFilled = false;
function fillOps(byType) {
  if (opsFilled || !byType) return;
  opsFilled = true;
  const select = $('#op');
  const current = select.value;
  select.replaceChildren(...Object.keys(byType).map((name) => new Option(name, name, false, name === current)));
}

let statsAbort;
async function restartStats() {
  if (statsAbort) statsAbort.abort();
  statsAbort = new AbortController();
  const signal = statsAbort.signal;
  while (!signal.aborted) {
    try {
      await readEvents('/events', (name, data) => { if (name === 'stats') renderStats(data); }, { signal });
    } catch (e) {
      if (signal.aborted) return;
      $('#mode').textContent = `stats stream: ${e.message}`;
    }
    await new Promise((r) => setTimeout(r, 2000)); // server restarting: try again shortly
  }
}
restartStats();
