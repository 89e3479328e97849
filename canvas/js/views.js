// DOM views: summary tiles, small multiples (grid), the strip for many
// domains, and the drill-down panel. Each view renders from the model only.
import { domainChart, fillLegend, COLORS } from './charts.js';
import { domainSeries, pressure } from './model.js';
import { el, flagList, fmtAgo, fmtClock, fmtDeltaKiB, fmtKiB, fmtTau, reasonClass } from './format.js';

const $ = (id) => document.getElementById(id);

export function renderTiles(r) {
  const flagged = r.domains.filter((d) => flagList(d.flags).some((f) => f !== 'capped')).length;
  const capped = r.domains.filter((d) => d.flags.capped).length;
  let used = 0;
  for (const d of r.domains) used += d.used_kib || 0;
  $('t-policy').textContent = r.policy || '–';
  $('t-round').textContent = `round ${r.seq} · ${fmtClock(r.time_ms)}`;
  $('t-tau').textContent = fmtTau(r.tau);
  $('t-goal').textContent = `free goal f ${fmtKiB(r.free_goal_kib)}`;
  $('t-pool').textContent = fmtKiB(r.pool_kib);
  const pct = (k) => (r.pool_kib ? Math.min(100, (100 * k) / r.pool_kib) : 0);
  $('m-pool-used').style.width = pct(used) + '%';
  $('m-pool-target').style.width = pct(r.sum_target_kib) + '%';
  $('t-pool-s').textContent = `targets ${fmtKiB(r.sum_target_kib)} · used ${fmtKiB(used)}`;
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
  $('t-flags').textContent = flagged || capped ? `${flagged} held · ${capped} capped` : 'all balanced';
  $('t-cost').textContent = `${r.cost_us} µs`;
  $('t-writes').textContent = `${r.writes} target write${r.writes === 1 ? '' : 's'}`;
}

export function sortDomains(domains, key, filter) {
  const f = filter.trim().toLowerCase();
  const list = domains.filter((d) => !f || d.name.toLowerCase().includes(f) || String(d.domid) === f);
  const by = {
    domid: (a, b) => a.domid - b.domid,
    name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
    pressure: (a, b) => pressure(b) - pressure(a),
    target: (a, b) => b.target_kib - a.target_kib,
  }[key] || ((a, b) => a.domid - b.domid);
  return list.sort(by);
}

function badges(parent, d, move) {
  const reason = move ? move.reason : d.reason;
  parent.append(el('span', reasonClass(reason), reason));
  for (const f of flagList(d.flags)) parent.append(el('span', 'flag f-' + f, f));
}

function moveText(move, nowMs) {
  if (!move) return 'no move yet';
  return `${move.reason} ${fmtDeltaKiB(move.to - move.from)} · ${fmtAgo(nowMs - move.time_ms)}`;
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

  render(model, rounds, domains, onOpen) {
    const keep = new Set(domains.map((d) => d.domid));
    for (const [id, c] of this.cards) {
      if (!keep.has(id)) { c.chart && c.chart.destroy(); c.card.remove(); this.cards.delete(id); }
    }
    const now = model.latest().time_ms;
    for (const d of domains) {
      const c = this.card(d, onOpen);
      this.root.append(c.card); // keeps the sort order
      const width = Math.max(200, c.card.clientWidth - 18);
      if (!c.chart) c.chart = domainChart(c.plot, width, 120, true);
      else if (Math.abs(c.chart.width - width) > 2) c.chart.setSize({ width, height: 120 });
      c.chart.setData(domainSeries(rounds, d.domid));
      c.tags.replaceChildren();
      badges(c.tags, d, null);
      c.nums.replaceChildren(...numberCells(d));
      c.move.textContent = 'last move: ' + moveText(model.lastMove(d.domid), now);
      c.card.classList.toggle('held', d.flags.stale || d.flags.stuck || d.flags.no_report);
    }
  }

  clear() {
    for (const c of this.cards.values()) c.chart && c.chart.destroy();
    this.cards.clear();
    this.root.replaceChildren();
  }
}

function numberCells(d) {
  const cell = (k, v, cls) => {
    const e = el('div', 'num ' + (cls || ''));
    e.append(el('span', 'k', k), el('span', 'v', v));
    e.dataset.key = k;
    return e;
  };
  return [cell('used', fmtKiB(d.used_kib), 'c-used'), cell('free', fmtKiB(d.free_kib), 'c-free'),
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

  render(model, domains, onOpen, selected) {
    const keep = new Set(domains.map((d) => d.domid));
    for (const [id, r] of this.rows) if (!keep.has(id)) { r.row.remove(); this.rows.delete(id); }
    const scale = Math.max(1, ...domains.map((d) => d.maxmem_kib));
    const pc = (k) => (100 * Math.max(0, k || 0)) / scale + '%';
    const now = model.latest().time_ms;
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
      r.move.replaceChildren();
      const mv = model.lastMove(d.domid);
      badges(r.move, d, mv);
      r.move.append(el('span', 'ago', mv ? `${fmtDeltaKiB(mv.to - mv.from)} · ${fmtAgo(now - mv.time_ms)}` : ''));
      r.row.classList.toggle('held', d.flags.stale || d.flags.stuck || d.flags.no_report);
      r.row.classList.toggle('selected', d.domid === selected);
      r.row.title = `pressure ${(100 * pressure(d)).toFixed(0)}% · reason now: ${d.reason}`;
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

  render(model, rounds) {
    if (this.domid === null) return;
    const d = model.latest().domains.find((e) => e.domid === this.domid);
    if (!d) { this.close(); return; }
    $('drill-title').textContent = `${d.name}  #${d.domid}`;
    const host = $('drill-chart');
    const w = Math.max(300, host.clientWidth || 560);
    if (!this.chart) this.chart = domainChart(host, w, 260, false);
    this.chart.setData(domainSeries(rounds, d.domid));
    const facts = [['reason now', d.reason], ['flags', flagList(d.flags).join(', ') || 'none'],
      ['report age', d.report_age_ms === null ? 'never' : `${d.report_age_ms} ms`],
      ['swap used', fmtKiB(d.swap_used_kib)], ['available', fmtKiB(d.avail_kib)],
      ['pressure', `${(100 * pressure(d)).toFixed(0)}%`], ['invalid reports', String(d.invalid_reports)]];
    $('drill-facts').replaceChildren(...numberCells(d), ...facts.map(([k, v]) => {
      const e = el('div', 'num');
      e.append(el('span', 'k', k), el('span', 'v', v));
      return e;
    }));
    const rows = (model.moves.get(d.domid) || []).slice(-12).reverse().map((m) => {
      const tr = el('tr');
      const rc = el('td');
      rc.append(el('span', reasonClass(m.reason), m.reason));
      tr.append(el('td', '', fmtClock(m.time_ms)), rc, el('td', '', fmtKiB(m.from)),
        el('td', '', fmtKiB(m.to)), el('td', '', fmtDeltaKiB(m.to - m.from)));
      return tr;
    });
    if (!rows.length) {
      const td = el('td', 'muted', 'no target move in this page\'s history yet');
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
