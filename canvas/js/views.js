// DOM views: summary tiles, small multiples (grid), the strip for many
// domains, and the drill-down panel. Each view renders from the model only.
import { domainChart, fillLegend, COLORS } from './charts.js';
import { domainSeries, pressure } from './model.js';
import { el, flagList, fmtAgo, fmtClock, fmtDeltaKiB, fmtDuration, fmtKiB, fmtTau, reasonClass } from './format.js';
import { demand, explain, inPool, need, poolExhausted, reasonLabel, starving } from './reasons.js';

const $ = (id) => document.getElementById(id);

export function renderTiles(r) {
  const flagged = r.domains.filter((d) => flagList(d.flags).some((f) => f !== 'capped')).length;
  const capped = r.domains.filter((d) => d.flags.capped).length;
  const starved = r.domains.filter((d) => starving(d, r).length > 0);
  const exhausted = poolExhausted(r);
  const pool = inPool(r), used = pool.used;
  const outside = r.domains.filter((d) => d.reason === 'out_of_scope').length;
  $('t-policy').textContent = r.policy || '–';
  $('t-round').textContent = `round ${r.seq} · ${fmtClock(r.time_ms)}`;
  $('t-tau').textContent = fmtTau(r.tau);
  $('t-goal').textContent = `free goal f ${fmtKiB(r.free_goal_kib)}`;
  $('t-pool').textContent = fmtKiB(r.pool_kib);
  const pct = (k) => (r.pool_kib ? Math.min(100, (100 * k) / r.pool_kib) : 0);
  $('m-pool-used').style.width = pct(used) + '%';
  $('m-pool-target').style.width = pct(pool.target) + '%';
  $('t-pool-s').textContent = (exhausted ? 'EXHAUSTED · ' : '') + `targets ${fmtKiB(pool.target)} · used ${fmtKiB(used)}`;
  $('t-pool-s').classList.toggle('bad', exhausted);
  $('t-pool').classList.toggle('warn', exhausted);
  $('t-pool').parentElement.title = exhausted
    ? `pool exhausted: the guests need ${fmtKiB(demand(r))} (used + f each, allocation of the held ones) but the pool holds ${fmtKiB(r.pool_kib)}; τ ${fmtTau(r.tau)}, ${starved.length} starving`
    : `pool ${fmtKiB(r.pool_kib)}: what the managed guests may hold together` +
      (outside ? ` (${outside} domain${outside === 1 ? '' : 's'} out of scope, not counted)` : '');
  $('t-host').textContent = fmtKiB(r.host_free_kib);
  $('t-host').classList.toggle('warn', r.host_free_kib < r.reserve_kib * 1.5);
  // live reservations (mmctl reserve) are part of the reserve while they hold
  const resv = r.reservations || [];
  $('t-reserve').textContent = resv.length
    ? `reserve ${fmtKiB(r.reserve_kib)} · ${resv.length} reservation${resv.length === 1 ? '' : 's'} ${fmtKiB(r.reserved_kib)}`
    : `reserve ${fmtKiB(r.reserve_kib)}`;
  $('t-reserve').title = resv.map((x) => `#${x.id} ${x.state} ${fmtKiB(x.size_kib)}` +
    ` (found ${fmtKiB(x.found_kib)})${x.for ? ' for ' + x.for : ''}`).join('\n');
  $('t-n').textContent = String(r.n);
  const parts = [`${starved.length} starving`];
  if (flagged) parts.push(`${flagged} held`);
  if (capped) parts.push(`${capped} capped`);
  if (outside) parts.push(`${outside} out of scope`);
  $('t-flags').textContent = parts.join(' · ');
  $('t-flags').classList.toggle('bad', starved.length > 0);
  $('t-n').classList.toggle('warn', starved.length > 0);
  $('t-n').parentElement.title = starved.length
    ? 'starving: ' + starved.slice(0, 12).map((d) => `${d.name} (${starving(d, r).join(', ')})`).join('; ') + (starved.length > 12 ? '; …' : '')
    : 'no guest starving (no swap in use, pressure under the bound, free at least f)';
  document.body.dataset.starving = String(starved.length); // read by the browser test
  $('t-cost').textContent = `${r.cost_us} µs`;
  $('t-writes').textContent = `${r.writes} target write${r.writes === 1 ? '' : 's'}`;
}

export function sortDomains(domains, key, filter, r) {
  const f = filter.trim().toLowerCase();
  const list = domains.filter((d) => !f || d.name.toLowerCase().includes(f) || String(d.domid) === f);
  const by = {
    domid: (a, b) => a.domid - b.domid,
    name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
    pressure: (a, b) => pressure(b) - pressure(a),
    target: (a, b) => b.target_kib - a.target_kib,
    need: (a, b) => need(b, r) - need(a, r) || a.domid - b.domid,
  }[key] || ((a, b) => a.domid - b.domid);
  return list.sort(by);
}

// Badges: starving first, then the reason now (its sentence on hover), then
// the flags that the reason does not already say (never "stuck stuck").
function badges(parent, d, r) {
  const why = starving(d, r);
  if (why.length) {
    const s = el('span', 'flag f-starving', 'starving');
    s.title = 'starving: ' + why.join(', ');
    parent.append(s);
  }
  const b = el('span', reasonClass(d.reason), reasonLabel(d.reason));
  b.dataset.reason = d.reason;
  b.title = explain(d, r);
  parent.append(b);
  for (const f of flagList(d.flags)) {
    if (f === d.reason || (f === 'capped' && d.reason === 'maxmem')) continue;
    const e = el('span', 'flag f-' + f, reasonLabel(f));
    e.title = f === 'capped' ? `capped: the policy wanted more than maxmem ${fmtKiB(d.maxmem_kib)}` : explain({ ...d, reason: f }, r);
    parent.append(e);
  }
}

function moveText(move, nowMs) {
  if (!move) return 'no move yet';
  return `${reasonLabel(move.reason)} ${fmtDeltaKiB(move.to - move.from)} · ${fmtAgo(nowMs - move.time_ms)}`;
}

// Small multiples: one card and one uPlot per domain.
export class GridView {
  constructor(root) {
    this.root = root;
    this.cards = new Map(); // domid -> {card, chart, ...}
  }

  card(d, onOpen) {
    let c = this.cards.get(d.domid);
    if (c) return c;
    const card = el('div', 'card');
    card.dataset.domid = d.domid;
    card.dataset.name = d.name;
    const head = el('div', 'card-head');
    const title = el('div', 'card-title');
    title.append(el('span', 'name', d.name), el('span', 'domid', `#${d.domid}`));
    const tags = el('div', 'tags');
    head.append(title, tags);
    const plot = el('div', 'card-chart');
    const nums = el('div', 'nums');
    const move = el('div', 'move');
    card.append(head, plot, nums, move);
    card.addEventListener('click', () => onOpen(d.domid));
    this.root.append(card);
    c = { card, tags, nums, move, plot, chart: null };
    this.cards.set(d.domid, c);
    return c;
  }

  render(model, rounds, domains, onOpen, r) {
    const keep = new Set(domains.map((d) => d.domid));
    for (const [id, c] of this.cards) {
      if (!keep.has(id)) { c.chart && c.chart.destroy(); c.card.remove(); this.cards.delete(id); }
    }
    const now = r.time_ms;
    for (const d of domains) {
      const c = this.card(d, onOpen);
      this.root.append(c.card); // keeps the sort order
      const width = Math.max(200, c.card.clientWidth - 18);
      if (!c.chart) c.chart = domainChart(c.plot, width, 120, true);
      else if (Math.abs(c.chart.width - width) > 2) c.chart.setSize({ width, height: 120 });
      c.chart.setData(domainSeries(rounds, d.domid));
      c.tags.replaceChildren();
      badges(c.tags, d, r);
      c.nums.replaceChildren(...numberCells(d, r));
      const mv = model.lastMove(d.domid, r.seq);
      c.move.textContent = 'last move: ' + moveText(mv, now);
      c.move.title = mv ? mv.why : '';
      c.card.classList.toggle('held', d.flags.stale || d.flags.stuck || d.flags.no_report);
      c.card.classList.toggle('starving', starving(d, r).length > 0);
      c.card.title = explain(d, r);
    }
  }

  clear() {
    for (const c of this.cards.values()) c.chart && c.chart.destroy();
    this.cards.clear();
    this.root.replaceChildren();
  }
}

function numberCells(d, r) {
  const cell = (k, v, cls) => {
    const e = el('div', 'num ' + (cls || ''));
    e.append(el('span', 'k', k), el('span', 'v', v));
    e.dataset.key = k;
    return e;
  };
  const low = d.has_report && r.free_goal_kib && d.free_kib + 1024 < r.free_goal_kib;
  return [cell('used', fmtKiB(d.used_kib), 'c-used'), cell('free', fmtKiB(d.free_kib), low ? 'c-low' : 'c-free'),
    cell('target', fmtKiB(d.target_kib), 'c-target'), cell('actual', fmtKiB(d.actual_kib), 'c-actual'),
    cell('maxmem', fmtKiB(d.maxmem_kib), 'c-maxmem'), cell('floor', fmtKiB(d.floor_kib), 'c-floor')];
}

// The strip: one row per domain with a bar scaled to the largest maxmem.
export class StripView {
  constructor(root) {
    this.root = root;
    this.rows = new Map();
  }

  row(d, onOpen) {
    let r = this.rows.get(d.domid);
    if (r) return r;
    const row = el('div', 'srow');
    row.dataset.domid = d.domid;
    row.dataset.name = d.name;
    const name = el('div', 'sname');
    name.append(el('span', 'name', d.name), el('span', 'domid', `#${d.domid}`));
    const bar = el('div', 'bar');
    const parts = {};
    for (const p of ['track', 'used', 'free', 'floor', 'target', 'actual']) {
      parts[p] = el('div', 'b-' + p);
      bar.append(parts[p]);
    }
    const cells = ['used', 'free', 'target', 'actual', 'maxmem', 'floor'].map((k) => {
      const c = el('div', 'scell c-' + k);
      c.dataset.key = k;
      return c;
    });
    const move = el('div', 'smove');
    row.append(name, bar, ...cells, move);
    row.addEventListener('click', () => onOpen(d.domid));
    r = { row, parts, cells, move };
    this.rows.set(d.domid, r);
    return r;
  }

  render(model, domains, onOpen, selected, round) {
    const keep = new Set(domains.map((d) => d.domid));
    for (const [id, r] of this.rows) if (!keep.has(id)) { r.row.remove(); this.rows.delete(id); }
    const scale = Math.max(1, ...domains.map((d) => d.maxmem_kib));
    const pc = (k) => (100 * Math.max(0, k || 0)) / scale + '%';
    const now = round.time_ms;
    for (const d of domains) {
      const r = this.row(d, onOpen);
      this.root.append(r.row);
      const p = r.parts;
      p.track.style.width = pc(d.maxmem_kib);
      p.used.style.width = pc(d.used_kib);
      p.free.style.left = pc(d.used_kib);
      p.free.style.width = pc(d.free_kib);
      p.floor.style.left = pc(d.floor_kib);
      p.target.style.left = pc(d.target_kib);
      p.actual.style.left = pc(d.actual_kib);
      const vals = [d.used_kib, d.free_kib, d.target_kib, d.actual_kib, d.maxmem_kib, d.floor_kib];
      r.cells.forEach((c, i) => { c.textContent = fmtKiB(vals[i]); });
      const low = d.has_report && round.free_goal_kib && d.free_kib + 1024 < round.free_goal_kib;
      r.cells[1].classList.toggle('c-low', !!low);
      r.move.replaceChildren();
      const mv = model.lastMove(d.domid, round.seq);
      badges(r.move, d, round);
      const ago = el('span', 'ago', mv ? `${fmtDeltaKiB(mv.to - mv.from)} · ${fmtAgo(now - mv.time_ms)}` : '');
      if (mv) ago.title = 'last move: ' + mv.why;
      r.move.append(ago);
      const why = starving(d, round);
      r.row.classList.toggle('held', d.flags.stale || d.flags.stuck || d.flags.no_report);
      r.row.classList.toggle('starving', why.length > 0);
      r.row.classList.toggle('selected', d.domid === selected);
      r.row.title = (why.length ? `STARVING: ${why.join(', ')}\n` : '') +
        `pressure ${(100 * pressure(d)).toFixed(0)}% · ${explain(d, round)}`;
    }
  }

  clear() {
    this.rows.clear();
    this.root.replaceChildren();
  }
}

// Drill-down: one domain, a large chart, its facts and its recent moves.
export class DrillView {
  constructor() {
    this.domid = null;
    this.chart = null;
    fillLegend($('dom-legend'), LEGEND);
  }

  open(domid) { this.domid = domid; $('drill').hidden = false; }

  close() {
    this.domid = null;
    $('drill').hidden = true;
    if (this.chart) { this.chart.destroy(); this.chart = null; }
  }

  render(model, rounds, r) {
    if (this.domid === null) return;
    const d = r.domains.find((e) => e.domid === this.domid);
    if (!d) {
      $('drill-title').textContent = `domain #${this.domid}`;
      $('drill-why').textContent = `not in round ${r.seq}: it left (or had not arrived yet). See the event list.`;
      return;
    }
    $('drill-title').textContent = `${d.name}  #${d.domid}`;
    const host = $('drill-chart');
    const w = Math.max(300, host.clientWidth || 560);
    if (!this.chart) this.chart = domainChart(host, w, 260, false);
    this.chart.setData(domainSeries(rounds, d.domid));
    const why = starving(d, r);
    const box = $('drill-why');
    box.replaceChildren();
    if (why.length) box.append(el('p', 'starve-line', `Starving: ${why.join(', ')}.`));
    const line = el('p', 'why-line');
    line.append(el('span', reasonClass(d.reason), reasonLabel(d.reason)), ' ', explain(d, r));
    box.append(line);
    const facts = [['reason now', reasonLabel(d.reason)], ['flags', flagList(d.flags).map(reasonLabel).join(', ') || 'none'],
      ['report age', d.report_age_ms === null ? 'never' : `${(d.report_age_ms / 1000).toFixed(1)} s`],
      ['swap used', fmtKiB(d.swap_used_kib)], ['available', fmtKiB(d.avail_kib)],
      ['pressure', `${(100 * pressure(d)).toFixed(0)}%`], ['invalid reports', String(d.invalid_reports)]];
    $('drill-facts').replaceChildren(...numberCells(d, r), ...facts.map(([k, v]) => {
      const e = el('div', 'num');
      e.append(el('span', 'k', k), el('span', 'v', v));
      return e;
    }));
    const rows = model.movesUpTo(d.domid, r.seq).slice(-12).reverse().map((m) => {
      const tr = el('tr');
      const rc = el('td');
      rc.append(el('span', reasonClass(m.reason), reasonLabel(m.reason)));
      tr.append(el('td', '', fmtClock(m.time_ms)), rc, el('td', '', fmtDeltaKiB(m.to - m.from)),
        el('td', '', fmtKiB(m.to)), el('td', 'why', m.why.replace(/^[^:]*: /, '')));
      tr.title = m.why;
      return tr;
    });
    if (!rows.length) {
      const td = el('td', 'muted', 'no target move (1 MiB or more) in this page\'s history yet');
      td.colSpan = 5;
      rows.push(el('tr'));
      rows[0].append(td);
    }
    $('drill-moves').replaceChildren(...rows);
  }
}

export const LEGEND = [['used', COLORS.used], ['total (used + free)', 'rgba(52,211,153,0.7)'],
  ['target', COLORS.target], ['actual', COLORS.actual, true], ['floor', COLORS.floor, true],
  ['maxmem', COLORS.maxmem, true]];

// The event list, newest first, up to the round shown.
export function renderEvents(model, r, filterId) {
  const list = model.events.filter((e) => e.time_ms <= r.time_ms && (filterId === null || e.domid === null || e.domid === filterId));
  const rows = list.slice(-200).reverse().map((e) => {
    const li = el('li', 'ev ev-' + e.kind);
    li.dataset.kind = e.kind;
    li.append(el('span', 'ev-time', fmtClock(e.time_ms)), el('span', 'ev-text', e.text));
    return li;
  });
  if (!rows.length) rows.push(el('li', 'muted', 'nothing yet'));
  $('events').replaceChildren(...rows);
  $('events-count').textContent = `${list.length}${model.events.length >= 500 ? '+' : ''}`;
}

// The end of a run: the server's "finished" object in words.
export function renderFinished(info, model) {
  const box = $('finished');
  box.hidden = !info;
  if (!info) return;
  const kv = (k, v) => { const e = el('span', 'fin-kv'); e.append(el('span', 'k', k), ' ', el('b', '', v)); return e; };
  const items = [];
  if (info.kind === 'replay') {
    let writes = 0;
    for (const r of model.rounds) writes += r.writes || 0;
    items.push(kv('replay of', info.dir), kv('rounds', String(info.rounds)), kv('domains', String(info.domains)),
      kv('recorded', fmtDuration(info.duration_s)), kv('target writes', String(writes)));
  } else {
    const t = info.total || {};
    items.push(kv('scenario', info.scenario || '–'), kv('policy', info.policy || '–'),
      kv('simulated', fmtDuration(info.simulated_s)),
      kv('shortfall', `${(t.shortfall_mib_s ?? 0).toFixed(1)} MiB·s`),
      kv('reaction', `${(t.reaction_mean_s ?? 0).toFixed(1)} s mean, ${(t.reaction_max_s ?? 0).toFixed(1)} s max`),
      kv('churn', `${t.writes ?? 0} writes, ${fmtKiB(Math.round((t.moved_mib ?? 0) * 1024))} moved`),
      kv('OOM events', String(t.oom_events ?? 0)));
  }
  $('finished-body').replaceChildren(...items);
  $('finished-title').textContent = info.kind === 'replay' ? 'Replay finished' : 'Simulation finished';
}
