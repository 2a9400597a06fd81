// Modelship dashboard: reads and patches ModelDeployments through the operator's /dashboard/api,
// which passes the user's own token to the API server. Everything that comes from the API is put
// into the page as text (textContent, createElement), never as HTML.
'use strict';

const API = 'api';
const TOKEN_KEY = 'modelship.dashboard.token';
const POLL_MS = 2000;
const MAX_SAMPLES = 600; // 20 minutes of 2 s samples per ModelDeployment, then the oldest go

const $ = (id) => document.getElementById(id);
let pollTimer = null;
let view = null; // {ns} or {ns, name}
const samples = new Map(); // "ns/name" -> [{at: ms, weight, candidate}] sampled while open

function token() { return sessionStorage.getItem(TOKEN_KEY); }

// el('td', {class: 'x'}, 'text', child...): an element; strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
function svg(tag, attrs, text) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function show(id, on) { $(id).hidden = !on; }
function clear(node) { node.replaceChildren(); }
function dash(v) { return v === undefined || v === null || v === '' ? '—' : v; }

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options) {
  const t = token();
  if (!t) throw new ApiError(401, 'sign in with a Kubernetes bearer token');
  const res = await fetch(API + path, {
    ...options,
    headers: { 'Authorization': 'Bearer ' + t, 'Accept': 'application/json' },
    cache: 'no-store',
  });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    throw new ApiError(res.status, (body && body.error) || ('HTTP ' + res.status));
  }
  return body;
}

function showError(message) {
  $('error').textContent = message || '';
  show('error', !!message);
}

// --- routing: #/ns/NS and #/ns/NS/md/NAME ----------------------------------------------------

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'ns' && parts[1]) {
    return parts[2] === 'md' && parts[3] ? { ns: parts[1], name: parts[3] } : { ns: parts[1] };
  }
  return null;
}
function nsHref(ns) { return '#/ns/' + encodeURIComponent(ns); }
function mdHref(ns, name) { return nsHref(ns) + '/md/' + encodeURIComponent(name); }

function route() {
  clearTimeout(pollTimer);
  showError('');
  if (!token()) {
    show('sign-in', true); show('ns-form', false); show('who', false);
    show('list-view', false); show('detail-view', false);
    return;
  }
  show('sign-in', false); show('ns-form', true); show('who', true);
  view = parseHash();
  if (!view) {
    const ns = sessionStorage.getItem('modelship.dashboard.ns') || 'default';
    location.replace(nsHref(ns));
    return;
  }
  sessionStorage.setItem('modelship.dashboard.ns', view.ns);
  $('ns').value = view.ns;
  show('list-view', !view.name);
  show('detail-view', !!view.name);
  $('action-status').textContent = '';
  show('action-error', false);
  refresh();
}

async function refresh() {
  clearTimeout(pollTimer);
  const current = view;
  // A tab in the background asks nothing; it catches up when shown again.
  if (document.hidden) {
    pollTimer = setTimeout(refresh, POLL_MS);
    return;
  }
  try {
    if (current.name) await loadDetail(current); else await loadList(current);
    if (current === view) showError('');
  } catch (e) {
    if (current !== view) return;
    showError(e.message);
    if (e.status === 401) { sessionStorage.removeItem(TOKEN_KEY); route(); showError(e.message); return; }
  }
  if (current === view) pollTimer = setTimeout(refresh, POLL_MS);
}

// --- list -------------------------------------------------------------------------------------

function trafficBar(traffic, stableRev, candidateRev) {
  const s = traffic && traffic.stable != null ? traffic.stable : (stableRev ? 100 : 0);
  const c = traffic && traffic.candidate != null ? traffic.candidate : 0;
  const bar = el('div', { class: 'bar', title: `stable ${s} % / candidate ${c} %` });
  if (s > 0) {
    const part = el('span', { class: 'stable' }, `${s} %`);
    part.style.width = s + '%';
    bar.append(part);
  }
  if (c > 0) {
    const part = el('span', { class: 'candidate' }, `${c} %`);
    part.style.width = c + '%';
    bar.append(part);
  }
  return bar;
}

async function loadList(current) {
  const body = await api('/namespaces/' + encodeURIComponent(current.ns) + '/modeldeployments');
  if (current !== view) return;
  $('list-ns').textContent = current.ns;
  const tbody = $('md-list').querySelector('tbody');
  clear(tbody);
  for (const md of body.items) {
    const st = md.status || {};
    const sp = md.spec || {};
    const name = md.metadata.name;
    const strategy = (sp.strategy && sp.strategy.type) || 'RollingUpdate';
    tbody.append(el('tr', { 'data-name': name },
      el('td', {}, el('a', { href: mdHref(current.ns, name) }, name)),
      el('td', {}, strategy),
      el('td', {}, el('span', { class: 'phase ' + (st.phase || '') }, dash(st.phase))),
      el('td', { class: 'stable' }, dash(st.stableRevision)),
      el('td', { class: 'candidate' }, dash(st.candidateRevision)),
      el('td', {}, `${dash(st.readyReplicas)}/${dash(st.replicas)}`),
      el('td', { class: 'traffic' }, trafficBar(st.traffic, st.stableRevision, st.candidateRevision))));
  }
  show('md-list', body.items.length > 0);
  show('list-empty', body.items.length === 0);
}

// --- detail -----------------------------------------------------------------------------------

function stepText(step) {
  if (step.setWeight != null) return `set weight ${step.setWeight} %`;
  if (step.pause) return step.pause.duration ? `pause ${step.pause.duration}` : 'pause until promoted';
  if (step.analysis) return step.analysis.duration ? `analysis for ${step.analysis.duration}` : 'analysis (one interval)';
  return 'step';
}

function strategyNote(strategy) {
  switch (strategy.type) {
    case 'BlueGreen': return 'BlueGreen: the candidate runs in full behind the preview Service; promote switches all traffic'
      + (strategy.blueGreen && strategy.blueGreen.autoPromotionSeconds ? ` (or after ${strategy.blueGreen.autoPromotionSeconds} s)` : '') + '.';
    case 'Shadow': return 'Shadow: the candidate gets a mirrored copy of ' + ((strategy.shadow && strategy.shadow.mirrorPercent) || 100)
      + ' % of requests' + (strategy.shadow && strategy.shadow.duration ? ` for ${strategy.shadow.duration}` : '') + '; its answers are compared, never returned.';
    case 'Recreate': return 'Recreate: the old revision stops before the new one starts.';
    default: return 'RollingUpdate: pods are replaced a few at a time.';
  }
}

function renderSteps(md) {
  const ol = $('steps');
  clear(ol);
  const strategy = (md.spec && md.spec.strategy) || { type: 'RollingUpdate' };
  const st = md.status || {};
  const steps = (strategy.canary && strategy.canary.steps) || [];
  const inRollout = !!st.candidateRevision;
  steps.forEach((step, i) => {
    let cls = '';
    if (inRollout && st.currentStep != null) cls = i < st.currentStep ? 'done' : (i === st.currentStep ? 'current' : '');
    const li = el('li', { class: cls, 'data-step': i }, stepText(step));
    if (cls === 'current') li.setAttribute('aria-current', 'step');
    ol.append(li);
  });
  show('steps', steps.length > 0);
  $('steps-note').textContent = strategy.type === 'Canary'
    ? (inRollout && st.currentStep != null
      ? `At step ${st.currentStep + 1} of ${steps.length} since ${dash(st.stepStartedAt)}.`
      : (inRollout ? 'Rollout starting.' : 'No rollout in progress.'))
    : strategyNote(strategy);
}

// Gates of spec.analysis against the figures of status.analysis (AnalysisSpec / AnalysisStatus).
const GATES = [
  { label: 'samples', now: 'samples', limit: 'minSamples', pass: (n, l) => n >= l, fmt: (v) => v, cmp: '≥' },
  { label: 'error rate', now: 'errorRate', limit: 'maxErrorRate', pass: (n, l) => n <= l, fmt: pct, cmp: '≤' },
  { label: 'p99 latency', now: 'latencyP99Ms', limit: 'maxLatencyP99Ms', pass: (n, l) => n <= l, fmt: (v) => `${round(v)} ms`, cmp: '≤' },
  { label: 'agreement', now: 'agreement', limit: 'minAgreement', pass: (n, l) => n >= l, fmt: pct, cmp: '≥' },
  { label: 'label shift', now: 'labelShift', limit: 'maxLabelShift', pass: (n, l) => n <= l, fmt: pct, cmp: '≤' },
  { label: 'failed evaluations', now: 'failures', limit: 'failureLimit', pass: (n, l) => n <= l, fmt: (v) => v, cmp: '≤' },
];
function round(v) { return Math.round(v * 100) / 100; }
function pct(v) { return `${round(v * 100)} %`; }

function renderAnalysis(md) {
  const spec = (md.spec && md.spec.analysis) || {};
  const now = (md.status && md.status.analysis) || {};
  const tbody = $('analysis').querySelector('tbody');
  clear(tbody);
  for (const g of GATES) {
    const limit = spec[g.limit];
    const value = now[g.now];
    if (limit == null && value == null) continue;
    let verdict = '';
    let cls = '';
    if (limit != null && value != null) {
      const ok = g.pass(value, limit);
      verdict = ok ? 'pass' : 'fail';
      cls = verdict;
    }
    tbody.append(el('tr', { 'data-gate': g.now },
      el('td', {}, g.label),
      el('td', {}, value == null ? '—' : g.fmt(value)),
      el('td', {}, limit == null ? '—' : `${g.cmp} ${g.fmt(limit)}`),
      el('td', { class: cls }, verdict)));
  }
  show('analysis', tbody.children.length > 0);
  $('analysis-note').textContent = tbody.children.length === 0
    ? 'No analysis gates in spec.analysis.'
    : (now.evaluatedAt ? `Evaluated at ${now.evaluatedAt}.` : 'Not evaluated yet in this rollout.');
}

function renderConditions(md) {
  const tbody = $('conditions').querySelector('tbody');
  clear(tbody);
  for (const c of (md.status && md.status.conditions) || []) {
    tbody.append(el('tr', { 'data-type': c.type }, el('td', {}, c.type), el('td', {}, c.status),
      el('td', {}, dash(c.reason)), el('td', {}, dash(c.message))));
  }
}

function renderEvents(body) {
  const tbody = $('events').querySelector('tbody');
  clear(tbody);
  for (const e of body.events || []) {
    tbody.append(el('tr', { class: e.type === 'Warning' ? 'fail' : '' },
      el('td', {}, dash(e.lastSeen)), el('td', {}, dash(e.type)), el('td', {}, dash(e.reason)),
      el('td', {}, dash(e.message) + (e.count > 1 ? ` (×${e.count})` : ''))));
  }
  $('events-note').textContent = body.eventsError || ((body.events || []).length ? '' : 'No recent events.');
}

function renderHistory(md) {
  const history = (md.status && md.status.history) || [];
  const tbody = $('history').querySelector('tbody');
  clear(tbody);
  for (const h of history.slice().reverse()) {
    tbody.append(el('tr', {},
      el('td', {}, dash(h.startedAt)), el('td', {}, dash(h.finishedAt)),
      el('td', {}, `${dash(h.previousRevision)} → ${dash(h.revision)}`), el('td', {}, dash(h.model)),
      el('td', {}, dash(h.strategy)), el('td', {}, h.outcome || 'in progress'), el('td', {}, dash(h.reason))));
  }
  show('history-section', history.length > 0);
}

function renderTraffic(md) {
  const st = md.status || {};
  const t = st.traffic || {};
  const box = $('traffic');
  clear(box);
  box.append(trafficBar(t, st.stableRevision, st.candidateRevision));
  const legend = el('p', { class: 'legend' },
    'stable ', el('strong', { id: 'stable-revision' }, dash(st.stableRevision)), ': ',
    el('strong', { id: 'stable-weight' }, `${t.stable != null ? t.stable : (st.stableRevision ? 100 : 0)} %`));
  if (st.candidateRevision) {
    legend.append(' · candidate ', el('strong', { id: 'candidate-revision' }, st.candidateRevision), ': ',
      el('strong', { id: 'candidate-weight' }, `${t.candidate != null ? t.candidate : 0} %`));
  }
  if (t.mirrored) legend.append(` · mirrored ${t.mirrored} %`);
  box.append(legend);
}

// The candidate's weight over time. With status.history (the operator records each step's weight),
// the chart is the latest rollout's record, drawn up to now while it runs; without it, what this
// page sampled every 2 s while open. The two are not mixed: a sample and a recorded step a moment
// apart can disagree on which came first.
function chartPoints(key, md, now) {
  const st = md.status || {};
  const list = samples.get(key) || [];
  if (st.candidateRevision) {
    const w = st.traffic && st.traffic.candidate != null ? st.traffic.candidate : 0;
    list.push({ at: now, weight: w, candidate: st.candidateRevision });
  } else if (list.length) {
    // After a rollout ends the stable revision serves everything: 100 % to the candidate just
    // sampled if it became the stable one, 0 % if it was rolled back.
    const last = list[list.length - 1];
    list.push({ at: now, weight: last.candidate === st.stableRevision ? 100 : 0, candidate: last.candidate });
  }
  while (list.length > MAX_SAMPLES) list.shift();
  samples.set(key, list);

  const history = st.history || [];
  const rollout = history.length ? history[history.length - 1] : null;
  const recorded = [];
  for (const p of (rollout && rollout.traffic) || []) {
    const at = Date.parse(p.at);
    if (!Number.isNaN(at) && p.weight != null) recorded.push({ at, weight: p.weight });
  }
  if (recorded.length) {
    recorded.sort((a, b) => a.at - b.at);
    const finished = rollout.finishedAt ? Date.parse(rollout.finishedAt) : NaN;
    const end = Number.isNaN(finished) ? now : Math.max(finished, recorded[recorded.length - 1].at);
    const running = !rollout.outcome && st.candidateRevision === rollout.revision;
    if (running && st.traffic && st.traffic.candidate != null) recorded.push({ at: now, weight: st.traffic.candidate });
    return {
      points: recorded, end,
      note: running
        ? `Percent of traffic to candidate ${rollout.revision} during this rollout (status.history).`
        : `Last rollout, to ${dash(rollout.revision)}: ${rollout.outcome || 'in progress'} (status.history).`,
    };
  }
  return {
    points: list.map((p) => ({ at: p.at, weight: p.weight })), end: now,
    note: list.length ? 'Percent of traffic to the candidate, sampled by this page every 2 s.'
      : 'No rollout seen yet: the chart fills in while a rollout runs and this page is open.',
  };
}

function renderChart(key, md) {
  const now = Date.now();
  const { points, end, note } = chartPoints(key, md, now);
  const chart = $('traffic-chart');
  clear(chart);
  const W = 400, H = 140, L = 30, R = 8, T = 8, B = 20;
  chart.append(svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
  chart.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
  for (const y of [0, 50, 100]) {
    const py = H - B - (H - B - T) * y / 100;
    chart.append(svg('text', { x: 2, y: py + 3 }, `${y} %`));
  }
  $('chart-note').textContent = note;
  if (points.length === 0) return;
  const t0 = points[0].at;
  const t1 = Math.max(end, points[points.length - 1].at);
  const span = Math.max(t1 - t0, 1000);
  const x = (at) => L + (W - L - R) * (at - t0) / span;
  const y = (w) => H - B - (H - B - T) * w / 100;
  // A step line: each weight holds until the next point.
  let d = '';
  points.forEach((p, i) => {
    d += i === 0 ? `M${x(p.at)},${y(p.weight)}` : `H${x(p.at)}V${y(p.weight)}`;
  });
  d += `H${x(t1)}`;
  chart.append(svg('path', { class: 'line', d }));
  chart.append(svg('text', { x: L, y: H - 5 }, new Date(t0).toLocaleTimeString()));
  chart.append(svg('text', { x: W - R - 45, y: H - 5 }, new Date(t1).toLocaleTimeString()));
}

async function loadDetail(current) {
  const path = '/namespaces/' + encodeURIComponent(current.ns) + '/modeldeployments/' + encodeURIComponent(current.name);
  const body = await api(path);
  if (current !== view) return;
  const md = body.object;
  const st = md.status || {};
  const sp = md.spec || {};
  $('md-name').textContent = md.metadata.name;
  $('md-phase').textContent = dash(st.phase);
  $('md-phase').className = 'phase ' + (st.phase || '');
  const model = sp.model || {};
  $('md-summary').textContent = `${(sp.strategy && sp.strategy.type) || 'RollingUpdate'} · model ${dash(model.name)}:${dash(model.version)}`
    + ` · ready ${dash(st.readyReplicas)}/${dash(st.replicas)}` + (sp.paused ? ' · paused' : '')
    + (st.rejectedRevision ? ` · rejected revision ${st.rejectedRevision}` : '');
  renderWeightControl(md);
  renderTraffic(md);
  renderChart(current.ns + '/' + current.name, md);
  renderSteps(md);
  renderAnalysis(md);
  renderConditions(md);
  renderEvents(body);
  renderHistory(md);
}

// Set weight: offered where the operator takes it, a Canary waiting at a pause step (not paused by
// spec.paused); the operator checks again and says why when it does not.
function renderWeightControl(md) {
  const sp = md.spec || {};
  const st = md.status || {};
  const steps = (sp.strategy && sp.strategy.canary && sp.strategy.canary.steps) || [];
  const at = st.currentStep != null ? steps[st.currentStep] : null;
  const offered = !!(sp.strategy && sp.strategy.type === 'Canary' && st.candidateRevision && at && at.pause && !sp.paused);
  show('weight-control', offered);
  if (offered && document.activeElement !== $('weight')) {
    $('weight').placeholder = String((st.traffic && st.traffic.candidate) || 0);
  }
}

async function setWeight() {
  const current = view;
  if (!current || !current.name) return;
  const raw = $('weight').value.trim();
  show('action-error', false);
  if (!/^\d{1,3}$/.test(raw) || Number(raw) > 100) {
    $('action-error').textContent = `set-weight refused: ${raw || 'nothing'} is not a whole percent from 0 to 100`;
    show('action-error', true);
    return;
  }
  $('action-status').textContent = `set-weight ${raw} %…`;
  try {
    await api('/namespaces/' + encodeURIComponent(current.ns) + '/modeldeployments/'
      + encodeURIComponent(current.name) + '/set-weight/' + raw, { method: 'POST' });
    $('action-status').textContent = `set-weight ${raw} % requested; the traffic moves once the candidate has the pods for it.`;
    $('weight').value = '';
    if (current === view) refresh();
  } catch (e) {
    $('action-status').textContent = '';
    $('action-error').textContent = `set-weight refused: ${e.message}`;
    show('action-error', true);
  }
}

async function act(action) {
  const current = view;
  if (!current || !current.name) return;
  if (action === 'abort' && !confirm(`Abort the rollout of ${current.name} and return to the stable revision?`)) return;
  $('action-status').textContent = `${action}…`;
  show('action-error', false);
  try {
    await api('/namespaces/' + encodeURIComponent(current.ns) + '/modeldeployments/'
      + encodeURIComponent(current.name) + '/actions/' + encodeURIComponent(action), { method: 'POST' });
    $('action-status').textContent = `${action} requested; the operator acts on it at once.`;
    if (current === view) refresh();
  } catch (e) {
    $('action-status').textContent = '';
    $('action-error').textContent = `${action} refused: ${e.message}`;
    show('action-error', true);
  }
}

function loadNamespaces() {
  // Listing namespaces is a cluster-wide right many users lack: then the field stays free text.
  api('/namespaces').then((body) => {
    const list = $('ns-list');
    clear(list);
    for (const n of body.items) list.append(el('option', { value: n }));
  }).catch(() => {});
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    $('token').value = '';
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    loadNamespaces();
    route();
  });
  $('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    samples.clear();
    route();
  });
  $('ns-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ns = $('ns').value.trim();
    if (ns) location.hash = nsHref(ns);
  });
  $('back').addEventListener('click', (ev) => {
    ev.preventDefault();
    if (view) location.hash = nsHref(view.ns);
  });
  for (const b of document.querySelectorAll('button[data-action]')) {
    b.addEventListener('click', () => act(b.dataset.action));
  }
  $('set-weight').addEventListener('click', setWeight);
  window.addEventListener('hashchange', route);
  if (token()) loadNamespaces();
  route();
});
