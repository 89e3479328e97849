// The canvas page: loads recent history, follows /api/v1/events (one event
// per round, then "finished" when a simulation or replay ends), and redraws at
// most once per animation frame. Pause stops the drawing, not the collecting.
// The time slider shows any round the page holds (and plays them back at a
// chosen speed); ?at=ROUND opens a static view of that round for a capture.
import { hostChart, tauChart, fillLegend, COLORS } from './charts.js';
import { hostSeries, tauSeries, Model, MAX_WINDOW_S } from './model.js';
import { DrillView, GridView, StripView, renderEvents, renderFinished, renderTiles, sortDomains } from './views.js';
import { fmtClock } from './format.js';

const GRID_MAX = 16; // above this many domains "auto" shows the strip
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const AT = params.has('at') ? Number(params.get('at')) : null; // static view of one round

const state = { paused: false, windowS: 300, view: params.get('view') || 'auto',
  sort: params.get('sort') || 'domid', filter: '', pending: 0, drawQueued: false,
  connected: false, cursor: null, playing: 0, playTimer: null, es: null };
const model = new Model();
let grid, strip, drill, host, tau;

function status(kind, text) {
  $('status').className = 'status ' + kind;
  $('status-text').textContent = text;
}

function liveStatus() {
  if (model.finished) {
    const f = model.finished;
    status('finished', f.kind === 'replay' ? `replay · ${f.rounds} rounds` : `finished · ${f.scenario || 'simulation'}`);
  } else if (AT !== null) status('paused', `round ${AT} (static)`);
  else if (state.paused) status('paused', 'paused');
  else status(state.connected ? 'live' : 'down', state.connected ? 'live' : 'reconnecting…');
}

function sized(id, height) {
  const w = $(id).clientWidth || 600;
  return [Math.max(260, w), height];
}

// The round index shown: the slider's, or the latest.
function shownIndex() {
  if (state.cursor === null) return model.rounds.length - 1;
  return Math.max(0, model.indexOfSeq(state.cursor));
}

function draw() {
  state.drawQueued = false;
  if (!model.rounds.length || state.paused) return;
  const idx = shownIndex();
  const last = model.rounds[idx];
  const rounds = model.windowed(state.windowS, idx);
  renderTiles(last);
  host.setData(hostSeries(rounds));
  tau.setData(tauSeries(rounds));
  const domains = sortDomains(last.domains.slice(), state.sort, state.filter, last);
  const mode = state.view === 'auto' ? (last.domains.length > GRID_MAX ? 'strip' : 'grid') : state.view;
  $('grid').hidden = mode !== 'grid';
  $('strip').hidden = mode !== 'strip';
  $('empty').hidden = last.domains.length > 0;
  document.body.dataset.view = mode;
  const open = (id) => { drill.open(id); schedule(); };
  if (mode === 'grid') { strip.clear(); grid.render(model, rounds, domains, open, last); }
  else { grid.clear(); strip.render(model, domains, open, drill.domid, last); }
  drill.render(model, rounds, last);
  renderEvents(model, last, drill.domid);
  renderFinished(model.finished, model);
  timeline(idx);
  document.body.dataset.seq = String(last.seq); // read by the browser test
  document.body.dataset.shown = String(last.seq);
  document.body.dataset.finished = model.finished ? model.finished.kind || 'yes' : '';
}

function timeline(idx) {
  const s = $('slider');
  const first = model.rounds[0], lastR = model.rounds[model.rounds.length - 1];
  s.min = String(first.seq);
  s.max = String(lastR.seq);
  if (document.activeElement !== s) s.value = String(model.rounds[idx].seq);
  const live = state.cursor === null;
  $('slider-label').textContent = `${live ? 'latest' : 'round'} ${model.rounds[idx].seq} · ${fmtClock(model.rounds[idx].time_ms)}` +
    ` (${first.seq}–${lastR.seq})`;
  $('live').disabled = live;
  $('play').textContent = state.playing ? 'Stop' : 'Play';
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
}

function onFinished(info) {
  model.finish(info);
  if (state.es) { state.es.close(); state.es = null; }
  state.connected = false;
  liveStatus();
  schedule();
}

function follow() {
  const es = new EventSource('/api/v1/events');
  state.es = es;
  es.addEventListener('round', (ev) => {
    if (!state.connected) { state.connected = true; if (!state.paused) liveStatus(); }
    onRound(JSON.parse(ev.data));
  });
  es.addEventListener('finished', (ev) => onFinished(JSON.parse(ev.data)));
  es.onopen = () => { if (!state.paused && !model.finished) { state.connected = true; liveStatus(); } };
  es.onerror = () => { if (!model.finished) { state.connected = false; if (!state.paused) liveStatus(); } };
}

function togglePause() {
  state.paused = !state.paused;
  $('pause').textContent = state.paused ? 'Resume' : 'Pause';
  $('pause').classList.toggle('on', state.paused);
  if (!state.paused) state.pending = 0;
  liveStatus();
  schedule();
}

// The slider: any round the page holds. Play steps through them at the
// chosen speed (recorded time / speed, at most 20 frames a second).
function seek(seq) {
  state.cursor = seq >= model.lastSeq ? null : seq;
  schedule();
}

function stopPlay() {
  clearTimeout(state.playTimer);
  state.playing = 0;
  schedule();
}

function playStep() {
  const idx = shownIndex();
  if (idx >= model.rounds.length - 1) { state.cursor = null; stopPlay(); return; }
  const speed = Number($('speed').value);
  const gap = model.rounds[idx + 1].time_ms - model.rounds[idx].time_ms;
  let next = idx + 1;
  // at high speed, skip rounds instead of drawing faster than 20 frames/s
  while (next < model.rounds.length - 1 && (model.rounds[next].time_ms - model.rounds[idx].time_ms) / speed < 50) next++;
  state.cursor = model.rounds[next].seq;
  schedule();
  state.playTimer = setTimeout(playStep, Math.max(50, Math.min(2000, gap / speed)));
}

function togglePlay() {
  if (state.playing) { stopPlay(); return; }
  if (state.cursor === null && model.rounds.length) state.cursor = model.rounds[0].seq;
  state.playing = 1;
  playStep();
}

function controls() {
  $('pause').addEventListener('click', togglePause);
  $('window').addEventListener('change', (e) => { state.windowS = Number(e.target.value); schedule(); });
  $('view').value = state.view;
  $('view').addEventListener('change', (e) => { state.view = e.target.value; schedule(); });
  $('sort').value = state.sort;
  $('sort').addEventListener('change', (e) => { state.sort = e.target.value; schedule(); });
  $('filter').addEventListener('input', (e) => { state.filter = e.target.value; schedule(); });
  $('drill-close').addEventListener('click', () => { drill.close(); schedule(); });
  $('slider').addEventListener('input', (e) => { stopPlay(); seek(Number(e.target.value)); });
  $('live').addEventListener('click', () => { stopPlay(); seek(Infinity); });
  $('play').addEventListener('click', togglePlay);
  document.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT') return;
    if (e.key === 'p' || e.key === ' ') { e.preventDefault(); togglePause(); }
    if (e.key === 'Escape') { drill.close(); schedule(); }
  });
  new ResizeObserver(() => {
    host.setSize({ width: sized('host-chart', 220)[0], height: 220 });
    tau.setSize({ width: sized('tau-chart', 220)[0], height: 220 });
    schedule();
  }).observe(document.querySelector('.host'));
}

// ?at=ROUND: no stream; draw that round from history and say it is ready.
async function staticView() {
  await loadHistory();
  if (!model.rounds.length) { status('down', 'no round in the server\'s history'); return; }
  const first = model.rounds[0].seq, last = model.lastSeq;
  if (!(AT >= first && AT <= last)) {
    status('down', `round ${AT} is not in the server's history (it holds ${first}–${last})`);
  }
  state.cursor = Math.min(Math.max(AT, first), last);
  if (params.has('drill')) drill.open(Number(params.get('drill')));
  liveStatus();
  draw();
  // two frames: layout and the charts' canvases are painted before "ready"
  requestAnimationFrame(() => requestAnimationFrame(() => { document.body.dataset.ready = '1'; }));
}

function start() {
  host = hostChart($('host-chart'), ...sized('host-chart', 220));
  tau = tauChart($('tau-chart'), ...sized('tau-chart', 220));
  fillLegend($('host-legend'), [['used', COLORS.used], ['targets', COLORS.target],
    ['actual', COLORS.actual, true], ['pool', COLORS.pool, true]]);
  fillLegend($('tau-legend'), [['τ', COLORS.tau], ['host free', COLORS.hostFree],
    ['reserve', COLORS.reserve, true]]);
  grid = new GridView($('grid'));
  strip = new StripView($('strip-rows'));
  drill = new DrillView();
  controls();
  window.xenmmCanvas = { model, state }; // for debugging and the browser test
  if (AT !== null && Number.isFinite(AT)) { staticView(); return; }
  loadHistory().then(() => { schedule(); follow(); });
}

// uPlot is a deferred classic script; modules run after it, but be safe.
if (window.uPlot) start();
else window.addEventListener('load', start);
