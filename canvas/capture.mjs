#!/usr/bin/env node
// Scripted capture of the canvas: a PNG of the page at a given round, in
// headless Chromium, that always finishes. It opens URL?at=ROUND (a static
// view: history only, no event stream), waits until the page says it has
// drawn (body data-ready), and saves the picture.
//   node canvas/capture.mjs URL OUT.png [--at ROUND] [--view grid|strip]
//        [--sort need|domid|...] [--drill DOMID] [--size 1440x900]
// Without --at it shows the latest round the server holds. Exit 0 on
// success, 1 on failure (with the reason on stderr), 2 on bad usage.
import { launch } from '../tests/http/browser/cdp.mjs';

function usage(msg) {
  process.stderr.write(`capture: ${msg}\nusage: node capture.mjs URL OUT.png [--at ROUND] [--view grid|strip] [--sort KEY] [--drill DOMID] [--size WxH]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const [url, out] = args;
if (!url || !out || url.startsWith('--')) usage('URL and OUT.png are required');
const opt = { size: '1440x900' };
for (let i = 2; i < args.length; i += 2) {
  const k = args[i].replace(/^--/, '');
  if (!['at', 'view', 'sort', 'drill', 'size'].includes(k) || args[i + 1] === undefined) usage(`bad option ${args[i]}`);
  opt[k] = args[i + 1];
}
const m = /^(\d{3,5})x(\d{3,5})$/.exec(opt.size);
if (!m) usage(`--size ${opt.size}: expected WxH, e.g. 1440x900`);

async function main() {
  const base = new URL(url);
  let at = opt.at;
  if (at === undefined) { // the latest round the server has
    const st = await (await fetch(new URL('/api/v1/state', base))).json();
    at = String(st.seq);
  }
  base.searchParams.set('at', at);
  for (const k of ['view', 'sort', 'drill']) if (opt[k] !== undefined) base.searchParams.set(k, opt[k]);
  const browser = await launch();
  try {
    const page = await browser.newPage({ width: Number(m[1]), height: Number(m[2]) });
    const problems = page.watchProblems(base.origin);
    await page.goto(base.href);
    await page.waitFor('the page to draw', 30000, () => document.body.dataset.ready === '1');
    const shown = await page.evaluate(() => document.body.dataset.shown);
    await page.screenshot(out);
    if (shown !== String(at)) process.stderr.write(`capture: round ${at} is not in the server's history; showing ${shown}\n`);
    if (problems.length) process.stderr.write(`capture: page problems:\n${problems.join('\n')}\n`);
    console.log(`capture: ${out} (round ${shown})`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => { process.stderr.write(`capture: ${e.message}\n`); process.exit(1); });
