// Real-browser test of the canvas: starts the server command, loads the page in
// Debian's headless Chromium (driven over the DevTools pipe by cdp.mjs), checks
// that every domain of /api/v1/state is drawn, that values change as rounds
// arrive, that nothing is loaded from elsewhere and nothing logs an error,
// and saves screenshots. Usage: node canvas_test.mjs WORKDIR SHOT CMD ARGS...
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { launch } from './cdp.mjs';

const [work, shot, ...cmd] = process.argv.slice(2);

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

async function run() {
  const { proc, url } = await startServer();
  const origin = new URL(url).origin;
  const browser = await launch();
  try {
    const page = await browser.newPage({ width: 1440, height: 900 });
    const problems = page.watchProblems(origin, (u) => u.endsWith('/api/v1/events'));
    await page.goto(url);
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

    // Let a live run develop before the picture (SHOT_AFTER_SEQ, default now).
    const settle = Number(process.env.SHOT_AFTER_SEQ || 0);
    if (settle) await waitSeqAbove(page, settle, settle * 2000 + 20000);
    await page.screenshot(join(work, `${shot}.png`));
    await page.click(`[data-domid="${state.domains[0].domid}"]`);
    await page.waitFor('the drill-down', 5000, () => !!document.querySelector('#drill:not([hidden]) canvas'));
    await waitSeqAbove(page, seq1 + 2, 20000);
    await page.screenshot(join(work, `${shot}-drill.png`));
    if (problems.length) fail(problems.join('\n'));
    console.log(`ok: ${state.domains.length} domains drawn, ${changed.length} changed between ` +
      `rounds ${seq0} and ${seq1}, ${charts} charts; screenshots in ${work}/${shot}*.png`);
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
  }
}

run().catch((e) => { if (!process.exitCode) console.error('FAIL: ' + (e.stack || e)); process.exitCode = 1; });
