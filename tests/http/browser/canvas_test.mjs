// Real-browser test of the canvas: starts the server command, loads the page in
// Debian's headless Chromium (driven over the DevTools pipe by cdp.mjs), and
// checks what a person watching needs: every domain of /api/v1/state drawn,
// values changing as rounds arrive, pause, starving guests marked (compared
// with this test's own reading of the round), every reason badge explained in
// words with numbers, no doubled badge, one memory unit style, no dead-band
// "moves", the event list filling, and no console error or foreign request.
// Screenshots go to WORKDIR. Usage: node canvas_test.mjs WORKDIR SHOT CMD ARGS...
// Env: MODE=live (default) | finish (the run ends: the page must say
// "finished" with the summary) | replay (mmserver --replay: slider, play, ?at=);
// AT=N (replay: the round of the static view and captures);
// SHOT_AFTER_SEQ=N (picture after round N); EXPECT_STARVING=1 (some guest
// must starve within 90 rounds); EXPECT_EVENTS=arrive~arrived,leave (event
// kinds, with words of their text, that must appear).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, FLAGS, launch } from './cdp.mjs';

const CANVAS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'canvas');

const [work, shot, ...cmd] = process.argv.slice(2);
const MODE = process.env.MODE || 'live';

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exitCode = 1;
  throw new Error(msg);
}

function startServer() {
  const proc = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('server printed no URL in 30 s')), 30000);
    proc.stderr.on('data', (d) => {
      buf += d;
      const m = buf.match(/msg=listening url=(\S+)/);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1] }); }
    });
    proc.on('exit', (c) => reject(new Error(`server exited (${c}): ${buf}`)));
  });
}

async function domainValues(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-domid]')].map((e) => ({
    domid: Number(e.dataset.domid),
    text: [...e.querySelectorAll('[data-key]')].map((c) => c.textContent).join('|'),
    visible: e.offsetParent !== null,
  })));
}

async function waitSeqAbove(page, seq, ms) {
  await page.waitFor(`round > ${seq}`, ms, (s) => Number(document.body.dataset.seq || 0) > s, seq);
  return Number(await page.evaluate(() => document.body.dataset.seq));
}

// This test's own reading of starvation (SPEC 8): swap in use, PSI some avg10
// over 10 %, or free below f by more than the 1 MiB dead band; a domain out
// of the management scope is not xenmm's to feed.
function starvingIds(r) {
  return r.domains.filter((d) => d.has_report && d.reason !== 'out_of_scope' && ((d.swap_used_kib || 0) > 0 ||
    (d.psi_some10 ?? 0) > 10 || (r.free_goal_kib && d.free_kib + 1024 < r.free_goal_kib)))
    .map((d) => d.domid).sort((a, b) => a - b);
}

// What the page shows for the round it draws, read from the DOM.
async function shown(page) {
  return page.evaluate(() => {
    const i = window.xenmmCanvas.model.indexOfSeq(Number(document.body.dataset.shown));
    const round = window.xenmmCanvas.model.rounds[i];
    const doms = [...document.querySelectorAll('[data-domid]')].filter((e) => e.offsetParent !== null);
    return {
      round,
      marked: doms.filter((e) => e.classList.contains('starving')).map((e) => Number(e.dataset.domid)).sort((a, b) => a - b),
      badges: doms.map((e) => ({ domid: Number(e.dataset.domid),
        labels: [...e.querySelectorAll('.reason, .flag')].map((b) => b.textContent),
        reasons: [...e.querySelectorAll('[data-reason]')].map((b) => ({ code: b.dataset.reason, title: b.title })) })),
      tile: document.getElementById('t-flags').textContent,
      text: document.body.innerText,
      events: [...document.querySelectorAll('#events li[data-kind]')].map((e) => ({ kind: e.dataset.kind, text: e.textContent })),
      status: document.getElementById('status-text').textContent,
    };
  });
}

// EXPECT_EVENTS=kind[~words],...: event kinds (with words in their text) the list must show.
function expectedEvents() {
  return (process.env.EXPECT_EVENTS || '').split(',').filter(Boolean).map((e) => {
    const [kind, words] = e.split('~');
    return [kind, words || ''];
  });
}

// The checks every picture must pass.
async function checkShown(page, where) {
  const s = await shown(page);
  const want = starvingIds(s.round);
  if (JSON.stringify(want) !== JSON.stringify(s.marked)) {
    fail(`${where}: starving marked ${JSON.stringify(s.marked)}, the round says ${JSON.stringify(want)}`);
  }
  if (!new RegExp(`^${want.length} starving`).test(s.tile)) fail(`${where}: domains tile says "${s.tile}" for ${want.length} starving`);
  if (/all balanced/.test(s.text)) fail(`${where}: the page still says "all balanced"`);
  for (const b of s.badges) {
    if (new Set(b.labels).size !== b.labels.length) fail(`${where}: doubled badge on #${b.domid}: ${b.labels.join(' ')}`);
    for (const r of b.reasons) {
      // a sentence with a number and a unit (or the 1 MiB dead band)
      if (!/\w+.*\d.*(KiB|MiB|GiB| s\b)/.test(r.title)) fail(`${where}: reason "${r.code}" on #${b.domid} is not explained: "${r.title}"`);
    }
  }
  const mib = [...s.text.matchAll(/\b(\d+) MiB\b/g)].map((m) => Number(m[1])).filter((v) => v >= 1024);
  if (mib.length) fail(`${where}: "${mib[0]} MiB" on the page (one formatter: GiB from 1024 MiB up)`);
  if (/(shrink|grow)\s+[+−-]\d+ KiB/.test(s.text)) fail(`${where}: a move under 1 MiB (dead band) is listed as a move`);
  if (!s.events.length) fail(`${where}: the event list is empty`);
  return s;
}

async function openPage(browser, url, origin, path = '') {
  const page = await browser.newPage({ width: 1440, height: 900 });
  // The stream ends when the server stops; during a replay's static views the page never opens it.
  const problems = page.watchProblems(origin, (u) => u.endsWith('/api/v1/events'));
  await page.goto(url + path);
  return { page, problems };
}

async function live(page, origin, problems) {
  const seq0 = await waitSeqAbove(page, 0, 20000);
  const state = await (await fetch(origin + '/api/v1/state')).json();
  const before = await domainValues(page);
  const drawn = new Set(before.filter((d) => d.visible).map((d) => d.domid));
  const missing = state.domains.filter((d) => !drawn.has(d.domid));
  if (!state.domains.length) fail('the server has no domain');
  if (missing.length) fail(`${missing.length} domain(s) not drawn, e.g. ${missing[0].name}`);
  const charts = await page.evaluate(() => [...document.querySelectorAll('canvas')].filter((e) => e.width > 0).length);
  if (charts < 2) fail(`only ${charts} chart canvases`);

  const seq1 = await waitSeqAbove(page, seq0 + 1, 20000);
  const after = await domainValues(page);
  const changed = after.filter((a) => before.find((b) => b.domid === a.domid)?.text !== a.text);
  if (!changed.length) fail(`no value changed between rounds ${seq0} and ${seq1}`);
  const tau = await page.text('#t-tau');
  if (!/^\d\.\d{3}$/.test(tau)) fail(`tau tile shows "${tau}"`);

  // Pause freezes the view while rounds still arrive; resume catches up.
  await page.click('#pause');
  const frozen = Number(await page.evaluate(() => document.body.dataset.seq));
  await page.waitFor('rounds while paused', 20000, (s) => window.xenmmCanvas.model.lastSeq > s + 1, frozen);
  if (Number(await page.evaluate(() => document.body.dataset.seq)) !== frozen) fail('pause did not freeze');
  await page.click('#pause');
  await waitSeqAbove(page, frozen + 1, 5000);

  if (process.env.EXPECT_STARVING) {
    await page.waitFor('a starving guest', 120000, () => Number(document.body.dataset.starving) > 0);
    await page.evaluate(() => { const s = document.getElementById('sort'); s.value = 'need'; s.dispatchEvent(new Event('change')); });
    await waitSeqAbove(page, Number(await page.evaluate(() => document.body.dataset.seq)), 5000);
    const first = await page.evaluate(() => document.querySelector('[data-domid]').classList.contains('starving'));
    if (!first) fail('sorted by need, the first domain is not a starving one');
  }
  const settle = Number(process.env.SHOT_AFTER_SEQ || 0);
  if (settle) await waitSeqAbove(page, settle, settle * 2000 + 20000);
  const s = await checkShown(page, `round ${await page.evaluate(() => document.body.dataset.seq)}`);
  for (const [kind, words] of expectedEvents()) {
    await page.waitFor(`a "${kind}" event`, 90000, (k, w) => window.xenmmCanvas.model.events.some((e) => e.kind === k && e.text.includes(w)), kind, words);
  }
  await page.screenshot(join(work, `${shot}.png`));
  const target = s.marked[0] ?? state.domains[0].domid;
  await page.click(`[data-domid="${target}"]`);
  await page.waitFor('the drill-down', 5000, () => !!document.querySelector('#drill:not([hidden]) canvas'));
  await waitSeqAbove(page, seq1 + 2, 20000);
  const why = await page.text('#drill-why');
  if (!/\d/.test(why) || why.length < 30) fail(`drill-down gives no reason in words: "${why}"`);
  await page.screenshot(join(work, `${shot}-drill.png`));
  if (problems.length) fail(problems.join('\n'));
  console.log(`ok: ${state.domains.length} domains drawn, ${changed.length} changed between rounds ${seq0} and ${seq1}, ` +
    `${charts} charts, ${s.marked.length} starving marked, ${s.events.length} events; screenshots in ${work}/${shot}*.png`);
}

// The run ends while the page is open: "finished", the summary, and the page
// still works on the last data (drill-down, slider).
async function finish(page, origin, problems) {
  await waitSeqAbove(page, 0, 20000);
  const settle = Number(process.env.SHOT_AFTER_SEQ || 0);
  if (settle) {
    await waitSeqAbove(page, settle, settle * 2000 + 20000);
    await checkShown(page, `live round ${settle}`);
    await page.screenshot(join(work, `${shot}-live.png`));
  }
  await page.waitFor('"finished"', 240000, () => document.body.dataset.finished === 'simulation');
  const st = await page.text('#status-text');
  if (!/^finished/.test(st)) fail(`status says "${st}" after the run`);
  const body = await page.text('#finished-body');
  for (const w of ['shortfall', 'reaction', 'churn']) if (!body.includes(w)) fail(`summary lacks ${w}: "${body}"`);
  const state = await (await fetch(origin + '/api/v1/state')).json();
  if (!state.finished || state.finished.kind !== 'simulation') fail('/api/v1/state has no "finished"');
  await new Promise((r) => setTimeout(r, 3000)); // a reconnect would show by now
  if (!/^finished/.test(await page.text('#status-text'))) fail('the page went back to reconnecting');
  const s = await checkShown(page, 'finished');
  for (const [kind, words] of expectedEvents()) {
    if (!s.events.some((e) => e.kind === kind && e.text.includes(words))) fail(`no "${kind}" event saying "${words}" in the list`);
  }
  await page.screenshot(join(work, `${shot}.png`));
  await page.click(`[data-domid="${state.domains[0].domid}"]`);
  await page.waitFor('the drill-down after the end', 5000, () => !!document.querySelector('#drill:not([hidden]) canvas'));
  await page.screenshot(join(work, `${shot}-drill.png`));
  if (problems.length) fail(problems.join('\n'));
  console.log(`ok: finished shown ("${st}"), summary "${body.slice(0, 120)}", ${s.events.length} events`);
}

// mmserver --replay: every round arrives, then "finished" (replay); the slider
// shows any round and Play moves through them; ?at=N is a static view.
async function replay(browser, page, url, origin, problems) {
  await page.waitFor('the replay to end', 30000, () => document.body.dataset.finished === 'replay');
  const info = (await (await fetch(origin + '/api/v1/state')).json()).finished;
  const rounds = await page.evaluate(() => window.xenmmCanvas.model.rounds.length);
  if (rounds !== info.rounds) fail(`page holds ${rounds} rounds, the replay had ${info.rounds}`);
  const mid = Math.round(info.rounds * 0.6);
  await page.evaluate((m) => { const s = document.getElementById('slider'); s.value = String(m); s.dispatchEvent(new Event('input')); }, mid);
  await page.waitFor(`round ${mid} shown`, 5000, (m) => Number(document.body.dataset.shown) === m, mid);
  await checkShown(page, `replay round ${mid}`);
  await page.screenshot(join(work, `${shot}.png`));
  await page.click('#play');
  await page.waitFor('play to move on', 10000, (m) => Number(document.body.dataset.shown) > m + 2, mid);
  await page.click('#play');
  if (problems.length) fail(problems.join('\n'));

  // The static view a capture uses: ready flag, the asked round, no stream.
  const at = Number(process.env.AT || Math.round(info.rounds / 2));
  const { page: p2, problems: pr2 } = await openPage(browser, url, origin, `?at=${at}&view=strip&sort=need`);
  await p2.waitFor('?at ready', 15000, () => document.body.dataset.ready === '1');
  const got = Number(await p2.evaluate(() => document.body.dataset.shown));
  if (got !== at) fail(`?at=${at} shows round ${got}`);
  await checkShown(p2, `?at=${at}`);
  await p2.screenshot(join(work, `${shot}-at${at}.png`));
  if (pr2.length) fail(pr2.join('\n'));
  await captures(url, at);
  console.log(`ok: replay of ${info.rounds} rounds, slider to ${mid}, play moved, ?at=${at} static view, both captures`);
}

function runFile(file, args, ms) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: ms }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

// The two documented ways to get a PNG of round N (canvas/README.md), each
// must finish and write a picture: canvas/capture.mjs, and Chromium's own
// --screenshot with a virtual time budget on the static ?at= view.
async function captures(url, at) {
  const png1 = join(work, `${shot}-capture${at}.png`);
  const out = await runFile('node', [join(CANVAS, 'capture.mjs'), url, png1, '--at', String(at)], 60000);
  if (!out.includes(`(round ${at})`)) fail(`capture.mjs said: ${out}`);
  if (statSync(png1).size < 20000) fail(`${png1} is only ${statSync(png1).size} bytes`);
  const png2 = join(work, `${shot}-screenshot${at}.png`);
  const profile = mkdtempSync(join(tmpdir(), 'xenmm-shot-'));
  try {
    rmSync(png2, { force: true });
    await runFile(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, '--window-size=1440,900',
      '--virtual-time-budget=5000', `--screenshot=${png2}`, `${url}?at=${at}`], 60000);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  if (statSync(png2).size < 20000) fail(`${png2} is only ${statSync(png2).size} bytes`);
}

async function run() {
  const { proc, url } = await startServer();
  const origin = new URL(url).origin;
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, url, origin);
    if (MODE === 'finish') await finish(page, origin, problems);
    else if (MODE === 'replay') await replay(browser, page, url, origin, problems);
    else await live(page, origin, problems);
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
  }
}

run().catch((e) => { if (!process.exitCode) console.error('FAIL: ' + (e.stack || e)); process.exitCode = 1; });
