// The page's pure modules under Node (no browser): the memory formatter, a
// sentence for every reason code the server has (read from mm_reason.c, so
// a new code without words fails here), a graceful fallback for unknown
// codes, starvation and pool exhaustion, the event list, and the model
// (dead-band changes are not moves). Usage: node units_test.mjs SOURCE_DIR
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const src = process.argv[2];
const js = (f) => import(pathToFileURL(join(src, 'canvas', 'js', f)).href);
const { fmtKiB } = await js('format.js');
const { explain, reasonLabel, starving, poolExhausted, need, inPool } = await js('reasons.js');
const { diffRounds } = await js('events.js');
const { Model } = await js('model.js');

let checks = 0;
function t(name, fn) {
  try { fn(); checks++; } catch (e) { console.error(`FAIL ${name}: ${e.message}`); process.exitCode = 1; }
}

const MiB = 1024, GiB = 1048576;
function dom(domid, over = {}) {
  return { domid, name: `vm${domid}`, has_report: true, actual_kib: GiB, prev_target_kib: GiB, target_kib: GiB,
    maxmem_kib: 3 * GiB, floor_kib: 200 * MiB, reason: 'hold', flags: { stale: false, stuck: false, no_report: false, capped: false },
    invalid_reports: 0, tot_kib: GiB, free_kib: 400 * MiB, used_kib: 624 * MiB, avail_kib: null, swap_total_kib: GiB,
    swap_used_kib: 0, report_seq: 1, psi_some10: null, report_age_ms: 500, ...over };
}
function round(seq, domains, over = {}) {
  let st = 0, sa = 0;
  for (const d of domains) { st += d.target_kib; sa += d.actual_kib; }
  return { v: 1, seq, time_ms: 1700000000000 + seq * 1000, policy: 'tax', tau: 0.25, pool_kib: 8 * GiB,
    free_goal_kib: 150 * MiB, host_free_kib: 2 * GiB, reserve_kib: 64 * MiB, cost_us: 10, writes: 0,
    n: domains.length, sum_target_kib: st, sum_actual_kib: sa, domains, ...over };
}

t('one memory formatter', () => {
  assert.equal(fmtKiB(1048525), '1 GiB'); // the "1024 MiB"
  assert.equal(fmtKiB(1048575), '1 GiB');
  assert.equal(fmtKiB(1023 * MiB), '1023 MiB');
  assert.equal(fmtKiB(512), '512 KiB');
  assert.equal(fmtKiB(3.25 * GiB), '3.25 GiB');
  assert.equal(fmtKiB(10.5 * GiB), '10.5 GiB');
  assert.equal(fmtKiB(-18 * MiB), '−18 MiB');
  assert.equal(fmtKiB(null), '–');
  assert.equal(fmtKiB(0), '0 KiB');
});

// Every code of the server's enum, from the source itself.
const codes = [...readFileSync(join(src, 'server', 'core', 'mm_reason.c'), 'utf8')
  .matchAll(/\]\s*=\s*"([a-z_0-9:-]+)"/g)].map((m) => m[1]);
t('reason codes found in mm_reason.c', () => assert.ok(codes.length >= 11, codes.join(',')));
for (const code of [...codes, 'out_of_scope']) {
  t(`reason ${code} in words`, () => {
    const d = dom(1, { reason: code, target_kib: GiB + 40 * MiB });
    const r = round(2, [d, dom(2, { target_kib: GiB + 20 * MiB })]);
    const s = explain(d, r);
    assert.ok(!/does not describe/.test(s), `"${code}" has no sentence of its own: ${s}`);
    assert.ok(/\d/.test(s) && /(KiB|MiB|GiB)/.test(s), `no numbers: ${s}`);
    assert.ok(s.startsWith(reasonLabel(code)) || s.startsWith('grow limited'), s);
  });
}
t('unknown reason codes are named, not dropped', () => {
  const d = dom(1, { reason: 'qmemman-prefmem' });
  const s = explain(d, round(1, [d]));
  assert.match(s, /^qmemman prefmem: a reason this page does not describe yet/);
  assert.equal(reasonLabel(undefined), 'unknown');
});
t('reserve names who the memory is promised to', () => {
  const a = dom(1, { reason: 'reserve' });
  const others = [12, 13, 14, 40].map((i) => dom(i, { target_kib: GiB + 100 * MiB }));
  const s = explain(a, round(3, [a, ...others], { host_free_kib: 3.25 * GiB, reserve_kib: 256 * MiB }));
  assert.match(s, /host free 3.25 GiB minus reserve 256 MiB leaves 3 GiB to give, and 400 MiB is already promised to vm12\.\.vm40 \(4\)/);
});

t('starving: swap, pressure, free below f (beyond the dead band)', () => {
  const r = round(1, []);
  assert.deepEqual(starving(dom(1), r), []);
  assert.equal(starving(dom(1, { swap_used_kib: 4 }), r).length, 1);
  assert.equal(starving(dom(1, { psi_some10: 10.5 }), r).length, 1);
  assert.equal(starving(dom(1, { psi_some10: 9.9 }), r).length, 0);
  assert.equal(starving(dom(1, { free_kib: 150 * MiB - 512 }), r).length, 0); // within 1 MiB
  assert.equal(starving(dom(1, { free_kib: 36 * MiB }), r).length, 1);
  assert.deepEqual(starving(dom(1, { has_report: false, free_kib: null, swap_used_kib: 9 }), r), []);
  assert.deepEqual(starving(dom(1, { reason: 'out_of_scope', free_kib: 1 }), r), []);
  assert.ok(need(dom(1, { free_kib: 36 * MiB }), r) > need(dom(2), r));
});

t('pool exhausted: the guests need more than the pool', () => {
  const ds = [1, 2, 3, 4].map((i) => dom(i, { used_kib: 1.9 * GiB, free_kib: 36 * MiB, tot_kib: 1.94 * GiB }));
  assert.ok(poolExhausted(round(1, ds)));
  assert.ok(!poolExhausted(round(1, [dom(1), dom(2)])));
  assert.ok(poolExhausted(round(1, [dom(1, { reason: 'pool' })])));
  const out = round(1, [dom(1), dom(2, { reason: 'out_of_scope', target_kib: 5 * GiB })]);
  assert.equal(inPool(out).target, GiB); // out of scope: not in the pool
});

t('events: arrive, leave, flags raised and cleared, reload, grouped starving', () => {
  const r1 = round(1, [dom(1), dom(2)]);
  assert.equal(diffRounds(null, r1)[0].kind, 'arrive');
  const r2 = round(2, [dom(1, { flags: { stale: true, stuck: false, no_report: false, capped: false }, reason: 'stale' }), dom(3)],
    { policy: 'tax:0.5' });
  const e2 = diffRounds(r1, r2);
  const kinds = e2.map((e) => e.kind).sort();
  assert.deepEqual(kinds, ['arrive', 'flag', 'leave', 'reload']);
  assert.match(e2.find((e) => e.kind === 'leave').text, /vm2 \(#2\) left/);
  const r3 = round(3, [dom(1), dom(3)], { policy: 'tax:0.5' });
  assert.deepEqual(diffRounds(r2, r3).map((e) => e.kind), ['clear']);
  const many = [1, 2, 3, 4, 5].map((i) => dom(i));
  const hungry = [1, 2, 3, 4, 5].map((i) => dom(i, { free_kib: 10 * MiB }));
  const e4 = diffRounds(round(4, many), round(5, hungry));
  assert.equal(e4.filter((e) => e.kind === 'starve').length, 1);
  assert.match(e4.find((e) => e.kind === 'starve').text, /^5 guests starving: vm1, vm2/);
});

t('model: dead-band changes are not moves; moves carry their reason in words', () => {
  const m = new Model();
  m.add(round(1, [dom(1)]));
  m.add(round(2, [dom(1, { prev_target_kib: GiB, target_kib: GiB - 395, reason: 'shrink' })]));
  assert.equal(m.lastMove(1), null);
  m.add(round(3, [dom(1, { prev_target_kib: GiB, target_kib: GiB - 18 * MiB, reason: 'shrink' })]));
  const mv = m.lastMove(1);
  assert.equal(mv.to - mv.from, -18 * MiB);
  assert.match(mv.why, /^shrink: the policy lowered the target by 18 MiB/);
  assert.equal(m.lastMove(1, 2), null); // as of round 2 (the slider)
  assert.equal(m.indexOfSeq(2), 1);
  assert.equal(m.windowed(3600, 1).length, 2);
  m.finish({ kind: 'simulation' });
  assert.equal(m.events[m.events.length - 1].kind, 'finished');
});

console.log(`${process.exitCode ? 'FAIL' : 'ok'}: ${checks} checks of the canvas modules (${codes.length} server reason codes)`);
