// Real-browser test of the canvas: starts the server command, loads the page in
// Debian's headless Chromium (playwright-core, no browser download), checks
// that every domain of /api/v1/state is drawn, that values change as rounds
// arrive, that nothing is loaded from elsewhere and nothing logs an error,
// and saves screenshots. Usage: node canvas_test.mjs WORKDIR SHOT CMD ARGS...
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(join(process.argv[2], 'node_modules', 'x.js'));
const { chromium } = require('playwright-core');
const [work, shot, ...cmd] = process.argv.slice(2);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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
  return page.$$eval('[data-domid]', (els) => els.map((e) => ({
    domid: Number(e.dataset.domid),
    text: [...e.querySelectorAll('[data-key]')].map((c) => c.textContent).join('|'),
    visible: e.offsetParent !== null,
  })));
}

async function waitSeqAbove(page, seq, ms) {
  await page.waitForFunction((s) => Number(document.body.dataset.seq || 0) > s, seq, { timeout: ms });
  return Number(await page.evaluate(() => document.body.dataset.seq));
}

async function run() {
  const { proc, url } = await startServer();
  const origin = new URL(url).origin;
  const profile = mkdtempSync(join(tmpdir(), 'xenmm-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS,
    viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1,
  });
  const problems = [];
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push('foreign request: ' + r.url()); });
    page.on('requestfailed', (r) => { if (!r.url().endsWith('/api/v1/events')) problems.push('failed: ' + r.url()); });

    await page.goto(url, { waitUntil: 'load' });
    const seq0 = await waitSeqAbove(page, 0, 20000);
    const state = await (await fetch(origin + '/api/v1/state')).json();
    const before = await domainValues(page);
    const drawn = new Set(before.filter((d) => d.visible).map((d) => d.domid));
    const missing = state.domains.filter((d) => !drawn.has(d.domid));
    if (!state.domains.length) fail('the server has no domain');
    if (missing.length) fail(`${missing.length} domain(s) not drawn, e.g. ${missing[0].name}`);
    const charts = await page.$$eval('canvas', (c) => c.filter((e) => e.width > 0).length);
    if (charts < 2) fail(`only ${charts} chart canvases`);

    const seq1 = await waitSeqAbove(page, seq0 + 1, 20000);
    const after = await domainValues(page);
    const changed = after.filter((a) => before.find((b) => b.domid === a.domid)?.text !== a.text);
    if (!changed.length) fail(`no value changed between rounds ${seq0} and ${seq1}`);
    const tau = await page.textContent('#t-tau');
    if (!/^\d\.\d{3}$/.test(tau)) fail(`tau tile shows "${tau}"`);

    // Pause freezes the view while rounds still arrive; resume catches up.
    await page.click('#pause');
    const frozen = Number(await page.evaluate(() => document.body.dataset.seq));
    await page.waitForFunction((s) => window.xenmmCanvas.model.lastSeq > s + 1, frozen, { timeout: 20000 });
    if (Number(await page.evaluate(() => document.body.dataset.seq)) !== frozen) fail('pause did not freeze');
    await page.click('#pause');
    await waitSeqAbove(page, frozen + 1, 5000);

    // Let a live run develop before the picture (SHOT_AFTER_SEQ, default now).
    const settle = Number(process.env.SHOT_AFTER_SEQ || 0);
    if (settle) await waitSeqAbove(page, settle, settle * 2000 + 20000);
    await page.screenshot({ path: join(work, `${shot}.png`), fullPage: false });
    await page.click(`[data-domid="${state.domains[0].domid}"]`);
    await page.waitForSelector('#drill:not([hidden]) canvas', { timeout: 5000 });
    await waitSeqAbove(page, seq1 + 2, 20000);
    await page.screenshot({ path: join(work, `${shot}-drill.png`), fullPage: false });
    if (problems.length) fail(problems.join('\n'));
    console.log(`ok: ${state.domains.length} domains drawn, ${changed.length} changed between ` +
      `rounds ${seq0} and ${seq1}, ${charts} charts; screenshots in ${work}/${shot}*.png`);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
    proc.kill('SIGTERM');
  }
}

run().catch((e) => { if (!process.exitCode) console.error('FAIL: ' + (e.stack || e)); process.exitCode = 1; });
