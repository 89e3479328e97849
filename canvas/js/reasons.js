// Plain words for what the page shows: why a target is what it is (every
// reason code of mm_reason_name, and a fallback for codes this page does not
// know), and whether a guest is starving. Pure functions of a round: no DOM.
import { fmtKiB } from './format.js';

export const DEADBAND_KIB = 1024; // SPEC 3.3: no write for a change under 1 MiB
export const PSI_BOUND = 10;      // PSI "some" avg10, %: above this a guest waits on memory

// Short labels for badges; the server's codes stay the data-reason values.
const LABELS = {
  hold: 'hold', grow: 'grow', shrink: 'shrink', maxmem: 'maxmem', floor: 'floor',
  pool: 'pool exhausted', reserve: 'reserve', deadband: 'dead band', stale: 'stale',
  stuck: 'stuck', no_report: 'no report', out_of_scope: 'out of scope',
  wait: 'wait', pressure: 'pressure', harm: 'harm', rate: 'rate cap',
};

export function reasonLabel(code) {
  return LABELS[code] || String(code || 'unknown').replace(/[_-]+/g, ' ');
}

function names(list) {
  if (!list.length) return 'none';
  if (list.length <= 3) return list.join(', ');
  return `${list[0]}..${list[list.length - 1]} (${list.length})`;
}

// What the host can still give: host free minus the reserve, minus what is
// promised already (targets above allocations, not yet ballooned in).
export function hostBudget(r) {
  let promised = 0;
  const to = [];
  for (const d of r.domains) {
    const gap = d.target_kib - d.actual_kib;
    if (gap > 0) { promised += gap; to.push(d.name); }
  }
  return { spare: r.host_free_kib - r.reserve_kib, promised, to };
}

// One sentence, with the numbers, for domain d's reason in round r.
export function explain(d, r) {
  const T = fmtKiB(d.target_kib), A = fmtKiB(d.actual_kib);
  const delta = d.target_kib - d.prev_target_kib;
  const moved = Math.abs(delta) >= DEADBAND_KIB;
  const uses = d.has_report ? `it uses ${fmtKiB(d.used_kib)} with ${fmtKiB(d.free_kib)} free` : 'it has not reported';
  const goal = `free goal f ${fmtKiB(r.free_goal_kib)}, τ ${r.tau === null ? '–' : r.tau.toFixed(3)}`;
  switch (d.reason) {
    case 'grow':
      return `grow: the policy raised the target ${moved ? `by ${fmtKiB(delta)} ` : ''}to ${T}: ${uses} (${goal}).`;
    case 'shrink':
      return `shrink: the policy lowered the target ${moved ? `by ${fmtKiB(-delta)} ` : ''}to ${T}: ${uses}, more than it needs (${goal}).`;
    case 'hold':
      return `hold: the policy kept the target at ${T}: ${uses} (${goal}).`;
    case 'maxmem':
      return `maxmem: the target is clipped at the guest's static maximum ${fmtKiB(d.maxmem_kib)}; it cannot be given more, the excess goes to the others.`;
    case 'floor':
      return `floor: the policy asked for less, but no target goes below this guest's floor ${fmtKiB(d.floor_kib)}; target ${T}.`;
    case 'pool': {
      let floors = 0;
      for (const e of r.domains) floors += e.floor_kib;
      return `pool exhausted: the floors alone (${fmtKiB(floors)} for ${r.domains.length} domains) exceed the pool ${fmtKiB(r.pool_kib)}; held at its floor ${fmtKiB(d.floor_kib)}.`;
    }
    case 'reserve': {
      const b = hostBudget(r);
      const left = b.spare > 0 ? fmtKiB(b.spare) : 'nothing';
      const head = `grow limited by the reserve: host free ${fmtKiB(r.host_free_kib)} minus reserve ${fmtKiB(r.reserve_kib)} leaves ${left} to give`;
      const promised = b.promised > 0
        ? `, and ${fmtKiB(b.promised)} is already promised to ${names(b.to)} (targets above their allocation)`
        : '';
      return `${head}${promised}; the policy wanted more, the target stays ${T} (allocation ${A}).`;
    }
    case 'deadband':
      return `dead band: the policy's change is under ${fmtKiB(DEADBAND_KIB)}, so the target ${T} is not rewritten (tiny moves only cost balloon work).`;
    case 'stale':
      return `stale: no new report for ${d.report_age_ms === null ? 'ever' : fmtSeconds(d.report_age_ms)}; held at its allocation ${A} so it neither gains nor blocks the others.`;
    case 'stuck':
      return `stuck: the balloon does not follow (under 1% of the gap to the target closed in 5 s); held at its allocation ${A}.`;
    case 'no_report':
      return `no report: this guest never sent a valid report (is mmclient running in it?); held at its allocation ${A}.`;
    case 'out_of_scope':
      return `out of scope: xenmm does not manage this domain (outside the configured scope); its memory ${A} is left as it is.`;
    case 'wait':
      return `wait: the policy is not due this round (it runs at its own cadence), so the target stays ${T}; allocation ${A}.`;
    case 'pressure': {
      const psi = d.psi_some10 === null || d.psi_some10 === undefined ? '' : `, PSI some ${d.psi_some10.toFixed(1)}%`;
      return `pressure: grown ${moved ? `by ${fmtKiB(delta)} ` : ''}to ${T} because the guest is under memory pressure (swap in use ${fmtKiB(d.swap_used_kib)}${psi}); ${uses}.`;
    }
    case 'harm':
      return `harm: a shrink was held back because this guest's own pressure is too high to give memory away (swap in use ${fmtKiB(d.swap_used_kib)}); target ${T}, ${uses}.`;
    case 'rate':
      return `rate cap: the move was limited by the policy's rate cap${moved ? ` to ${fmtKiB(Math.abs(delta))} this round` : ''}; target ${T}, allocation ${A}.`;
    default:
      return `${reasonLabel(d.reason)}: a reason this page does not describe yet (a newer server or a policy's own code); target ${T}, allocation ${A}.`;
  }
}

function fmtSeconds(ms) {
  return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

// Why a guest is starving: [] when it is not. Swap in use, PSI above the
// bound, or free memory below f (less 1 MiB: the dead band). Domains out of
// the management scope are not counted: xenmm does not feed them.
export function starving(d, r) {
  if (!d.has_report || d.reason === 'out_of_scope') return []; // not ours to feed
  const why = [];
  if (d.swap_used_kib > 0) why.push(`swap in use ${fmtKiB(d.swap_used_kib)}`);
  if (d.psi_some10 !== null && d.psi_some10 !== undefined && d.psi_some10 > PSI_BOUND) {
    why.push(`memory pressure ${d.psi_some10.toFixed(1)}% > ${PSI_BOUND}%`);
  }
  if (r.free_goal_kib && d.free_kib !== null && d.free_kib + DEADBAND_KIB < r.free_goal_kib) {
    why.push(`free ${fmtKiB(d.free_kib)} < f ${fmtKiB(r.free_goal_kib)}`);
  }
  return why;
}

// How much a guest lacks, for sorting by need: its shortfall below f plus
// swap in use, then its pressure (used / total).
export function need(d, r) {
  if (!d.has_report) return -1;
  const short = Math.max(0, (r.free_goal_kib || 0) - (d.free_kib || 0)) + (d.swap_used_kib || 0);
  return short + (d.tot_kib ? d.used_kib / d.tot_kib : 0);
}

// What the domains in the pool hold: out-of-scope ones are not in it (the
// server's sum_target_kib/sum_actual_kib count every domain).
export function inPool(r) {
  let target = 0, actual = 0, used = 0;
  for (const d of r.domains) {
    if (d.reason === 'out_of_scope') continue;
    target += d.target_kib;
    actual += d.actual_kib;
    used += d.used_kib || 0;
  }
  return { target, actual, used };
}

// What the guests need together: used + f for each one that reports, its
// allocation for each one that does not (it is held there).
export function demand(r) {
  let kib = 0;
  for (const d of r.domains) {
    if (d.reason === 'out_of_scope') continue; // not in the pool
    kib += d.has_report ? d.used_kib + (r.free_goal_kib || 0) : d.actual_kib;
  }
  return kib;
}

// The pool is exhausted when the server says so (reason "pool"), or when
// the guests need more than the pool holds: then no policy can keep f free
// everywhere (τ goes to 1 and someone starves).
export function poolExhausted(r) {
  if (r.domains.some((d) => d.reason === 'pool')) return true;
  return r.pool_kib > 0 && demand(r) > r.pool_kib;
}
