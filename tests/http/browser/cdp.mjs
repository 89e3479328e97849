// A small Chrome DevTools Protocol client for Debian's /usr/bin/chromium over
// --remote-debugging-pipe (NUL-terminated JSON on fds 3 and 4): no npm package,
// no websocket, only node:child_process and node:fs, so it runs on Debian 12's
// Node.js 18 and on newer ones alike. It is not a general browser driver: it
// opens pages, evaluates, waits by polling, clicks and takes screenshots.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--hide-scrollbars', '--mute-audio'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Browser {
  constructor(proc, profile) {
    this.proc = proc;
    this.profile = profile;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map(); // sessionId -> [fn(method, params)]
    this.buf = '';
    this.exited = new Promise((r) => proc.on('exit', r));
    proc.stdio[4].on('data', (d) => this.onData(d));
    proc.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('chromium exited'));
      this.pending.clear();
    });
  }

  onData(d) {
    this.buf += d.toString('utf8');
    let end;
    while ((end = this.buf.indexOf('\0')) >= 0) {
      const msg = JSON.parse(this.buf.slice(0, end));
      this.buf = this.buf.slice(end + 1);
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!p) continue;
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result);
      } else {
        for (const fn of this.listeners.get(msg.sessionId || '') || []) fn(msg.method, msg.params);
      }
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.proc.stdio[3].write(JSON.stringify(msg) + '\0');
    });
  }

  listen(sessionId, fn) {
    const list = this.listeners.get(sessionId) || [];
    list.push(fn);
    this.listeners.set(sessionId, list);
  }

  async newPage({ width = 1440, height = 900 } = {}) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    for (const d of ['Page', 'Runtime', 'Network', 'Log']) await page.send(d + '.enable');
    await page.send('Emulation.setDeviceMetricsOverride',
      { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  async close() {
    let t;
    try {
      await Promise.race([this.send('Browser.close'), new Promise((r) => { t = setTimeout(r, 3000); })]);
    } catch { /* already gone */ }
    clearTimeout(t);
    const kill = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(kill);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(browser, sessionId) {
    this.browser = browser;
    this.sessionId = sessionId;
    this.handlers = [];
    browser.listen(sessionId, (m, p) => { for (const h of this.handlers) h(m, p); });
  }

  send(method, params = {}) { return this.browser.send(method, params, this.sessionId); }

  // fn(method, params) for every CDP event of this page.
  on(fn) { this.handlers.push(fn); }

  // Collects what a test must fail on: console errors, uncaught exceptions,
  // error log entries (CSP reports, failed loads), requests to other origins.
  watchProblems(origin, ignoreFailed = () => false) {
    const problems = [];
    const urls = new Map();
    this.on((m, p) => {
      if (m === 'Runtime.consoleAPICalled' && p.type === 'error') {
        problems.push('console: ' + p.args.map((a) => a.value ?? a.description).join(' '));
      } else if (m === 'Runtime.exceptionThrown') {
        const e = p.exceptionDetails;
        problems.push('page error: ' + (e.exception?.description || e.text));
      } else if (m === 'Log.entryAdded' && p.entry.level === 'error') {
        if (!ignoreFailed(p.entry.url || '')) problems.push('log: ' + p.entry.text + ' ' + (p.entry.url || ''));
      } else if (m === 'Network.requestWillBeSent') {
        urls.set(p.requestId, p.request.url);
        const u = p.request.url;
        if (!u.startsWith(origin) && !u.startsWith('data:')) problems.push('foreign request: ' + u);
      } else if (m === 'Network.loadingFailed') {
        const u = urls.get(p.requestId) || '?';
        if (!ignoreFailed(u) && !p.canceled) problems.push(`failed: ${u} (${p.errorText})`);
      }
    });
    return problems;
  }

  async goto(url, timeoutMs = 20000) {
    const loaded = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no load event for ${url} in ${timeoutMs} ms`)), timeoutMs);
      this.on((m) => { if (m === 'Page.loadEventFired') { clearTimeout(t); resolve(); } });
    });
    const r = await this.send('Page.navigate', { url });
    if (r.errorText) throw new Error(`navigate ${url}: ${r.errorText}`);
    await loaded;
  }

  // Runs fn(...args) in the page (fn is serialised: no closures) and returns its value.
  async evaluate(fn, ...args) {
    const expression = typeof fn === 'string' ? fn : `(${fn})(...${JSON.stringify(args)})`;
    const r = await this.send('Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) {
      const e = r.exceptionDetails;
      throw new Error('evaluate: ' + (e.exception?.description || e.text));
    }
    return r.result.value;
  }

  // Polls fn(...args) every 100 ms until it returns something truthy.
  async waitFor(what, timeoutMs, fn, ...args) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.evaluate(fn, ...args);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
  }

  text(selector) {
    return this.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
  }

  // A real mouse click in the middle of the first element matching selector.
  async click(selector) {
    const box = await this.evaluate((s) => {
      const e = document.querySelector(s);
      if (!e) return null;
      e.scrollIntoView({ block: 'center' });
      const r = e.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + Math.min(r.height / 2, 10) };
    }, selector);
    if (!box) throw new Error(`click: no element ${selector}`);
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent',
        { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
    }
  }

  // Moves the mouse over the element (hover), returns its box.
  async hover(selector) {
    const box = await this.evaluate((s) => {
      const e = document.querySelector(s);
      if (!e) return null;
      const r = e.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }, selector);
    if (!box) throw new Error(`hover: no element ${selector}`);
    await this.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: box.x, y: box.y });
    return box;
  }

  async screenshot(path) {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
    writeFileSync(path, Buffer.from(data, 'base64'));
  }
}

// Starts a fresh headless Chromium (its own profile, removed on close).
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'xenmm-chromium-'));
  const proc = spawn(CHROMIUM, [...FLAGS, '--remote-debugging-pipe', `--user-data-dir=${profile}`,
    'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { if (err.length < 4000) err += d; });
  const browser = new Browser(proc, profile);
  let timer;
  try {
    browser.product = await Promise.race([
      browser.send('Browser.getVersion').then((v) => v.product),
      browser.exited.then((c) => { throw new Error(`${CHROMIUM} exited (${c}): ${err}`); }),
      new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${CHROMIUM} did not answer in 30 s: ${err}`)), 30000);
      }),
    ]);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return browser;
}
