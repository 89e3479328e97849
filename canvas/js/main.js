// The canvas page: loads recent history, follows /api/v1/events (one event
// per round), and redraws at most once per animation frame. Pause stops the
// drawing, not the collecting: resume shows everything that arrived.
import { hostChart, tauChart, fillLegend, COLORS } from './charts.js';
import { hostSeries, tauSeries, Model, MAX_WINDOW_S } from './model.js';
import { DrillView, GridView, StripView, renderTiles, sortDomains } from './views.js';

const GRID_MAX = 16; // above this many domains "auto" shows the strip
const $ = (id) => document.getElementById(id);

const state = { paused: false, windowS: 300, view: 'auto', sort: 'domid', filter: '',
  pending: 0, drawQueued: false, connected: false };
const model = new Model();
let grid, strip, drill, host, tau;

function status(kind, text) {
  $('status').className = 'status ' + kind;
  $('status-text').textContent = text;
}

function sized(id, height) {
  const w = $(id).clientWidth || 600;
  return [Math.max(260, w), height];
}

function draw() {
  state.drawQueued = false;
  const last = model.latest();
  if (!last || state.paused) return;
  const rounds = model.windowed(state.windowS);
  renderTiles(last);
  host.setData(hostSeries(rounds));
  tau.setData(tauSeries(rounds));
  const domains = sortDomains(last.domains.slice(), state.sort, state.filter);
  const mode = state.view === 'auto' ? (last.domains.length > GRID_MAX ? 'strip' : 'grid') : state.view;
  $('grid').hidden = mode !== 'grid';
  $('strip').hidden = mode !== 'strip';
  $('empty').hidden = last.domains.length > 0;
  document.body.dataset.view = mode;
  const open = (id) => { drill.open(id); schedule(); };
  if (mode === 'grid') { strip.clear(); grid.render(model, rounds, domains, open); }
  else { grid.clear(); strip.render(model, domains, open, drill.domid); }
  drill.render(model, rounds);
  document.body.dataset.seq = String(last.seq); // read by the browser test
}

function schedule() {
  if (!state.drawQueued) {
    state.drawQueued = true;
    requestAnimationFrame(draw);
  }
}

function onRound(round) {
  if (!model.add(round)) return;
  if (state.paused) {
    state.pending++;
    status('paused', `paused · ${state.pending} new round${state.pending === 1 ? '' : 's'}`);
  } else {
    schedule();
  }
}

async function loadHistory() {
  try {
    const res = await fetch(`/api/v1/history?seconds=${MAX_WINDOW_S}`, { cache: 'no-store' });
    if (res.ok) for (const r of (await res.json()).rounds) model.add(r);
  } catch (e) {
    status('down', 'history unavailable');
  }
  schedule();
}

function follow() {
  const es = new EventSource('/api/v1/events');
  es.addEventListener('round', (ev) => {
    if (!state.connected && !state.paused) status('live', 'live');
    state.connected = true;
    onRound(JSON.parse(ev.data));
  });
  es.onopen = () => { if (!state.paused) status('live', 'live'); };
  es.onerror = () => { state.connected = false; status('down', 'reconnecting…'); };
}

function togglePause() {
  state.paused = !state.paused;
  $('pause').textContent = state.paused ? 'Resume' : 'Pause';
  $('pause').classList.toggle('on', state.paused);
  if (state.paused) status('paused', 'paused');
  else { state.pending = 0; status(state.connected ? 'live' : 'down', state.connected ? 'live' : 'reconnecting…'); schedule(); }
}

function controls() {
  $('pause').addEventListener('click', togglePause);
  $('window').addEventListener('change', (e) => { state.windowS = Number(e.target.value); schedule(); });
  $('view').addEventListener('change', (e) => { state.view = e.target.value; schedule(); });
  $('sort').addEventListener('change', (e) => { state.sort = e.target.value; schedule(); });
  $('filter').addEventListener('input', (e) => { state.filter = e.target.value; schedule(); });
  $('drill-close').addEventListener('click', () => { drill.close(); schedule(); });
  document.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'INPUT') return;
    if (e.key === 'p' || e.key === ' ') { e.preventDefault(); togglePause(); }
    if (e.key === 'Escape') { drill.close(); schedule(); }
  });
  new ResizeObserver(() => {
    host.setSize({ width: sized('host-chart', 220)[0], height: 220 });
    tau.setSize({ width: sized('tau-chart', 220)[0], height: 220 });
    schedule();
  }).observe(document.querySelector('.host'));
}

function start() {
  host = hostChart($('host-chart'), ...sized('host-chart', 220));
  tau = tauChart($('tau-chart'), ...sized('tau-chart', 220));
  fillLegend($('host-legend'), [['used', COLORS.used], ['targets', COLORS.target],
    ['actual', COLORS.actual, true], ['pool', COLORS.pool, true]]);
  grid = new GridView($('grid'));
  strip = new StripView($('strip-rows'));
  drill = new DrillView();
  controls();
  window.xenmmCanvas = { model, state }; // for debugging and the browser test
  loadHistory().then(follow);
}

// uPlot is a deferred classic script; modules run after it, but be safe.
if (window.uPlot) start();
else window.addEventListener('load', start);
