// The data the page holds: recent rounds (bounded by the largest time window),
// and per domain the last target move. No DOM here.
export const MAX_WINDOW_S = 3600;
const MAX_ROUNDS = 4000;

export class Model {
  constructor() {
    this.rounds = [];
    this.lastSeq = 0;
    this.moves = new Map(); // domid -> [{time_ms, reason, from, to}], newest last
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
    this.rounds.push(round);
    this.lastSeq = round.seq;
    for (const d of round.domains) {
      if (d.prev_target_kib === d.target_kib) continue;
      let list = this.moves.get(d.domid);
      if (!list) this.moves.set(d.domid, (list = []));
      list.push({ time_ms: round.time_ms, reason: d.reason, from: d.prev_target_kib, to: d.target_kib });
      if (list.length > 50) list.shift();
    }
    const horizon = round.time_ms - MAX_WINDOW_S * 1000;
    let cut = 0;
    while (cut < this.rounds.length && (this.rounds[cut].time_ms < horizon || this.rounds.length - cut > MAX_ROUNDS)) cut++;
    if (cut) this.rounds.splice(0, cut);
    return true;
  }

  lastMove(domid) {
    const l = this.moves.get(domid);
    return l && l.length ? l[l.length - 1] : null;
  }

  // Rounds inside the window, ending at the latest round.
  windowed(seconds) {
    const last = this.latest();
    if (!last) return [];
    const since = last.time_ms - seconds * 1000;
    let i = this.rounds.length;
    while (i > 0 && this.rounds[i - 1].time_ms >= since) i--;
    return this.rounds.slice(i);
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
    let u = 0;
    for (const d of r.domains) u += d.used_kib || 0;
    x.push(r.time_ms / 1000);
    used.push(u);
    target.push(r.sum_target_kib);
    actual.push(r.sum_actual_kib);
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
