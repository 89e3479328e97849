// The event list: what changed between two rounds, in words with a time:
// domains arriving and leaving, flags raised and cleared, starvation, the
// pool running out, policy or settings reloads, a server restart. Pure: the
// caller keeps the list.
import { fmtKiB, fmtTau } from './format.js';
import { demand, poolExhausted, starving } from './reasons.js';

const FLAG_WORDS = {
  stale: ['stale: no new report', 'reports again'], stuck: ['stuck: the balloon does not follow', 'balloon follows again'],
  no_report: ['no report yet', 'first report'], capped: ['capped at maxmem', 'no longer capped'],
};

// kind: arrive | leave | flag | clear | starve | fed | pool | reload | restart | finished
function ev(time_ms, kind, text, domid) {
  return { time_ms, kind, text, domid: domid ?? null };
}

function settingsOf(r) {
  return `${r.policy}|${r.free_goal_kib}|${r.reserve_kib}`;
}

// More than three guests starting (or stopping) to starve in one round make
// one line, so arrivals and flags stay visible at 100 domains.
function grouped(out, t, kind, words) {
  const same = out.filter((e) => e.kind === kind);
  if (same.length <= 3) return;
  const names = same.map((e) => e.text.split(' ')[0]);
  for (const e of same) out.splice(out.indexOf(e), 1);
  out.push(ev(t, kind, `${same.length} guests ${words}: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`));
}

// Events from prev (null: the first round seen) to r.
export function diffRounds(prev, r) {
  const t = r.time_ms, out = [];
  if (!prev) {
    out.push(ev(t, 'arrive', `${r.domains.length} domain${r.domains.length === 1 ? '' : 's'} at the first round seen (policy ${r.policy || '–'})`));
    for (const d of r.domains) {
      const why = starving(d, r);
      if (why.length) out.push(ev(t, 'starve', `${d.name} starving: ${why.join(', ')}`, d.domid));
    }
    grouped(out, t, 'starve', 'starving');
    if (poolExhausted(r)) out.push(ev(t, 'pool', `pool exhausted: guests need ${fmtKiB(demand(r))} (used + f), the pool holds ${fmtKiB(r.pool_kib)}; τ ${fmtTau(r.tau)}`));
    return out;
  }
  if (r.seq < prev.seq) out.push(ev(t, 'restart', `server restarted (round ${prev.seq} → ${r.seq})`));
  if (settingsOf(prev) !== settingsOf(r)) {
    out.push(ev(t, 'reload', `settings now: policy ${r.policy}, f ${fmtKiB(r.free_goal_kib)}, reserve ${fmtKiB(r.reserve_kib)} ` +
      `(were ${prev.policy}, ${fmtKiB(prev.free_goal_kib)}, ${fmtKiB(prev.reserve_kib)})`));
  }
  const before = new Map(prev.domains.map((d) => [d.domid, d]));
  const now = new Set();
  for (const d of r.domains) {
    now.add(d.domid);
    const p = before.get(d.domid);
    if (!p) {
      out.push(ev(t, 'arrive', `${d.name} (#${d.domid}) arrived: allocation ${fmtKiB(d.actual_kib)}, maxmem ${fmtKiB(d.maxmem_kib)}`, d.domid));
      continue;
    }
    for (const f of Object.keys(FLAG_WORDS)) {
      if (d.flags[f] && !p.flags[f]) out.push(ev(t, 'flag', `${d.name} ${FLAG_WORDS[f][0]}`, d.domid));
      if (!d.flags[f] && p.flags[f]) out.push(ev(t, 'clear', `${d.name} ${FLAG_WORDS[f][1]}`, d.domid));
    }
    const was = starving(p, prev).length > 0, why = starving(d, r);
    if (why.length && !was) out.push(ev(t, 'starve', `${d.name} starving: ${why.join(', ')}`, d.domid));
    if (!why.length && was) out.push(ev(t, 'fed', `${d.name} no longer starving (free ${fmtKiB(d.free_kib)})`, d.domid));
  }
  for (const p of prev.domains) {
    if (!now.has(p.domid)) out.push(ev(t, 'leave', `${p.name} (#${p.domid}) left`, p.domid));
  }
  const ex = poolExhausted(r), was = poolExhausted(prev);
  grouped(out, t, 'starve', 'starving');
  grouped(out, t, 'fed', 'no longer starving');
  if (ex && !was) out.push(ev(t, 'pool', `pool exhausted: guests need ${fmtKiB(demand(r))} (used + f), the pool holds ${fmtKiB(r.pool_kib)}; τ ${fmtTau(r.tau)}`));
  if (!ex && was) out.push(ev(t, 'pool', `pool no longer exhausted (guests need ${fmtKiB(demand(r))} of ${fmtKiB(r.pool_kib)})`));
  return out;
}
