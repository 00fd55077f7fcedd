#!/usr/bin/env node
// First contentful paint of the dashboard's Overview page in headless Chromium (issue 5).
// Seeds a SQLite store by running the quickstart migrations (`up`), starts the real server
// (`<quickstart-migrations> dashboard --port 0 --no-open`) on 127.0.0.1, then loads `/` RUNS
// times, each in a fresh browser context (no cache, no service state), and reports the median
// of `performance.getEntriesByName('first-contentful-paint')`, plus when the Overview showed
// its data (the summary counts rendered), measured from navigation start.
//
//   node bench/dashboard_fcp.mjs --binary <quickstart-migrations> [--ui-dir ui] [--runs 15]
//                                [--chromium /usr/bin/chromium]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const binary = option('--binary') && resolve(option('--binary'));  // runs with cwd = a scratch folder
const uiDir = resolve(option('--ui-dir', join(here, '..', 'ui')));
const chromiumPath = option('--chromium', '/usr/bin/chromium');
const runs = Number.parseInt(option('--runs', '15'), 10);
if (!binary || !(runs > 0)) {
  console.error('usage: dashboard_fcp.mjs --binary <quickstart-migrations> [--ui-dir ui] [--runs N] [--chromium PATH]');
  process.exit(2);
}
// The pinned playwright-core of the UI (ui/package-lock.json), as the browser test uses.
const { chromium } = createRequire(join(uiDir, 'package.json'))('playwright-core');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const work = mkdtempSync(join(tmpdir(), 'auric-fcp-'));
const store = `sqlite:${join(work, 'migrations.db')}`;

function run(argv) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, argv, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d) => { errors += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${argv.join(' ')} exited ${code}: ${errors}`))));
  });
}

function startServer() {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ['--store', store, 'dashboard', '--port', '0', '--no-open'], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the dashboard did not start in 15 s: ${stdout}`)), 15_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const match = /> Dashboard ready: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`the dashboard exited with ${code}: ${stdout}`)));
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${value.toFixed(1)} ms`;

let server;
let browser;
let exitCode = 0;
try {
  await run(['--store', store, 'up']);
  server = await startServer();
  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
  const fcps = [];
  const ready = [];
  // One unmeasured load first: Chromium's own start-up (disk cache of the binary, fonts).
  for (let i = -1; i < runs; i += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    // The Overview with its data: every summary count rendered.
    await page.waitForFunction(() => document.querySelector('[data-testid="count-total"] .count-value')?.textContent === '4');
    const timing = await page.evaluate(() => new Promise((resolvePaint) => {
      const counted = performance.now();
      const done = (entry) => resolvePaint({ fcp: entry.startTime, counted });
      const [entry] = performance.getEntriesByName('first-contentful-paint');
      if (entry) return done(entry);
      new PerformanceObserver((list) => done(list.getEntriesByName('first-contentful-paint')[0]))
        .observe({ type: 'paint', buffered: true });
      return undefined;
    }));
    await context.close();
    if (i < 0) continue;
    fcps.push(timing.fcp);
    ready.push(timing.counted);
  }
  console.log(`first-contentful-paint of / over ${runs} fresh contexts: median ${ms(median(fcps))} ` +
    `(min ${ms(Math.min(...fcps))}, max ${ms(Math.max(...fcps))})`);
  console.log(`Overview counts rendered (data loaded), observed at: median ${ms(median(ready))} ` +
    `(min ${ms(Math.min(...ready))}, max ${ms(Math.max(...ready))})`);
  console.log(`SUMMARY fcp_median_ms=${median(fcps).toFixed(1)} overview_data_median_ms=${median(ready).toFixed(1)} runs=${runs}`);
} catch (error) {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server && server.child.exitCode === null) {
    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
