// The data the page holds: recent rounds (bounded by the largest time window),
// per domain its target moves (with the reason in words), and the event list.
// No DOM here.
import { diffRounds } from './events.js';
import { DEADBAND_KIB, explain, inPool } from './reasons.js';

export const MAX_WINDOW_S = 3600;
const MAX_ROUNDS = 4000;
const MAX_EVENTS = 500;

export class Model {
  constructor() {
    this.rounds = [];
    this.lastSeq = 0;
    this.moves = new Map(); // domid -> [{time_ms, seq, reason, from, to, why}], newest last
    this.events = [];       // [{time_ms, kind, text, domid}], oldest first
    this.finished = null;   // the server's "finished" object once the run ended
  }

  latest() {
    return this.rounds.length ? this.rounds[this.rounds.length - 1] : null;
  }

  // Adds a round from history or SSE; duplicates are ignored.
  add(round) {
    if (round.seq <= this.lastSeq) {
      const last = this.latest();
      if (!last || round.time_ms <= last.time_ms) return false; // a duplicate
      this.rounds = []; // a lower seq with a newer time: the server restarted
      this.moves.clear();
    }
    this.addEvents(diffRounds(this.latest(), round));
    this.rounds.push(round);
    this.lastSeq = round.seq;
    for (const d of round.domains) {
      // changes under the dead band are not written by the server: not moves
      if (Math.abs(d.target_kib - d.prev_target_kib) < DEADBAND_KIB) continue;
      let list = this.moves.get(d.domid);
      if (!list) this.moves.set(d.domid, (list = []));
      list.push({ time_ms: round.time_ms, seq: round.seq, reason: d.reason, from: d.prev_target_kib,
        to: d.target_kib, why: explain(d, round) });
      if (list.length > 50) list.shift();
    }
    const horizon = round.time_ms - MAX_WINDOW_S * 1000;
    let cut = 0;
    while (cut < this.rounds.length && (this.rounds[cut].time_ms < horizon || this.rounds.length - cut > MAX_ROUNDS)) cut++;
    if (cut) this.rounds.splice(0, cut);
    return true;
  }

  addEvents(list) {
    if (!list.length) return;
    this.events.push(...list);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  finish(info) {
    if (this.finished) return;
    this.finished = info;
    const last = this.latest();
    this.addEvents([{ time_ms: last ? last.time_ms : Date.now(), kind: 'finished',
      text: info.kind === 'replay' ? 'replay: end of the recorded run' : 'simulation finished', domid: null }]);
  }

  // Moves of a domain up to round seq (the time slider), newest last.
  movesUpTo(domid, seq) {
    return (this.moves.get(domid) || []).filter((m) => m.seq <= seq);
  }

  lastMove(domid, seq = Infinity) {
    const l = this.moves.get(domid);
    if (!l) return null;
    for (let i = l.length - 1; i >= 0; i--) if (l[i].seq <= seq) return l[i];
    return null;
  }

  // Index of the round with this seq, or of the last one before it; -1 if none.
  indexOfSeq(seq) {
    let lo = 0, hi = this.rounds.length - 1, at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.rounds[mid].seq <= seq) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return at;
  }

  // Rounds inside the window, ending at round index end (default: the latest).
  windowed(seconds, end = this.rounds.length - 1) {
    if (end < 0 || !this.rounds.length) return [];
    const last = this.rounds[end];
    const since = last.time_ms - seconds * 1000;
    let i = end + 1;
    while (i > 0 && this.rounds[i - 1].time_ms >= since) i--;
    return this.rounds.slice(i, end + 1);
  }
}

// uPlot data for one domain: x (s), used, free top (= tot), target, actual, floor, maxmem (KiB).
export function domainSeries(rounds, domid) {
  const x = [], used = [], tot = [], target = [], actual = [], floor = [], maxmem = [];
  for (const r of rounds) {
    const d = r.domains.find((e) => e.domid === domid);
    x.push(r.time_ms / 1000);
    used.push(d ? d.used_kib : null);
    tot.push(d ? d.tot_kib : null);
    target.push(d ? d.target_kib : null);
    actual.push(d ? d.actual_kib : null);
    floor.push(d ? d.floor_kib : null);
    maxmem.push(d ? d.maxmem_kib : null);
  }
  return [x, used, tot, target, actual, floor, maxmem];
}

export function hostSeries(rounds) {
  const x = [], used = [], target = [], actual = [], pool = [];
  for (const r of rounds) {
    const p = inPool(r);
    x.push(r.time_ms / 1000);
    used.push(p.used);
    target.push(p.target);
    actual.push(p.actual);
    pool.push(r.pool_kib);
  }
  return [x, used, target, actual, pool];
}

export function tauSeries(rounds) {
  return [rounds.map((r) => r.time_ms / 1000), rounds.map((r) => r.tau),
    rounds.map((r) => r.host_free_kib), rounds.map((r) => r.reserve_kib)];
}

// Pressure: how much of its allocation a guest uses (used / tot), 0..1+.
export function pressure(d) {
  return d.has_report && d.tot_kib ? d.used_kib / d.tot_kib : 0;
}
