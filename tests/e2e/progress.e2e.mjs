#!/usr/bin/env node
// Browser test of the live progress bars (issue 14): the progress fixture's `dashboard` command
// on 127.0.0.1:<ephemeral> against a SQLite store, and `up` of the same binary as a separate
// process against that store. Its migration counts 40 items and waits at half way until a gate
// file exists, so the test can look at the bar while it runs: Debian's Chromium (through
// playwright-core from ui/node_modules) must show 50% and 20/40 items in the migrations list
// (opened before the run started, so the bar appears without a reload), the lock indicator, the
// Overview and the migration's page. Then the gate opens, and the page must show the migration
// completed with no bar left. Screenshots go to the artifacts folder; the test stops the
// server and the run itself.
//
//   node progress.e2e.mjs --binary <progress_fixture> --ui-dir <ui> --out <artifacts dir>
//                         [--chromium /usr/bin/chromium]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, CHROMIUM_ARGS, check, checksPassed, loadChromium, parseOptions, startDashboard, stopProcess, waitFor }
  from './e2e_support.mjs';

const { binary, uiDir, outDir, chromiumPath } =
  parseOptions('progress.e2e.mjs --binary <progress_fixture> --ui-dir <ui> --out <dir>');
const chromium = loadChromium(uiDir);

const ID = '20250101000000_count-items';
// Generous: the machine may be busy. The fixture itself gives up waiting for the gate after 120 s.
const LIVE_TIMEOUT_MS = 60_000;

mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'auric-progress-e2e-'));
const gate = join(work, 'gate');
// Both processes find the store through the config in their working folder.
writeFileSync(join(work, 'migrate.config.toml'), `store = "sqlite:${join(work, 'state.db')}"\n`);
const startServer = () => startDashboard(binary, ['dashboard', '--port', '0', '--no-open'], work);

/** `up` in a process of its own, as from another terminal; it pauses at 20 of 40 until the gate exists. */
function startRun() {
  const child = spawn(binary, ['up'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', PROGRESS_TOTAL: '40', PROGRESS_STEP_MS: '25', PROGRESS_GATE: gate },
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  return { child, exited, output: () => output };
}

const waitLive = (what, predicate) => waitFor(what, predicate, LIVE_TIMEOUT_MS);

/** The attributes and text of the progress bar inside `scope` (a CSS selector). */
async function barIn(page, scope) {
  const root = page.locator(`${scope} [data-testid="progress"]`).first();
  const bar = root.locator('[role="progressbar"]');
  return {
    valueNow: await bar.getAttribute('aria-valuenow'),
    valueMin: await bar.getAttribute('aria-valuemin'),
    valueMax: await bar.getAttribute('aria-valuemax'),
    name: await bar.getAttribute('aria-label'),
    label: await root.locator('[data-testid="progress-label"]').innerText(),
  };
}

const halfWay = (scope) => `${scope} [role="progressbar"][aria-valuenow="50"]`;

let server;
let browser;
let run;
let exitCode = 0;
const problems = [];
try {
  server = await startServer();
  const { url } = server;
  console.log(`dashboard at ${url}`);

  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const shot = (name) => page.screenshot({ path: join(outDir, `progress-${name}.png`), fullPage: true });

  // Before the run: the migration is pending and no bar is shown anywhere.
  const row = `tr[data-row-key="${ID}"]`;
  await page.goto(`${url}/migrations`);
  await page.waitForSelector(`${row} [data-status="pending"]`);
  check((await page.locator('[role="progressbar"]').count()) === 0, 'before the run: no progress bar');

  // The run, from another process. The page stays open: the lock poller (every 15 s while idle,
  // then 2 s) must bring the bar in without a reload.
  run = startRun();
  const lock = await waitLive('the lock to show the run paused at 20 of 40', async () => {
    const value = await api(url, '/api/lock');
    return value.held && value.current?.migrationId === ID && value.current.progress?.done === 20 ? value : null;
  });
  check(lock.current.progress.total === 40 && lock.current.progress.unit === 'items' && lock.current.progress.updatedAt > 0,
    `API: the lock reports the running migration's progress (${JSON.stringify(lock.current.progress)})`);

  await page.waitForSelector(halfWay(row), { timeout: LIVE_TIMEOUT_MS });
  const inRow = await barIn(page, row);
  check(inRow.valueMin === '0' && inRow.valueMax === '100' && inRow.name === `Progress of ${ID}`,
    `migrations list: the running row has an accessible progress bar (${JSON.stringify(inRow)})`);
  check(inRow.label === '50% · 20/40 items', `migrations list: the row reads "50% · 20/40 items" (${inRow.label})`);
  check((await page.locator(`${row} [data-status="running"]`).count()) === 1, 'migrations list: the row is running');
  await page.waitForSelector(halfWay('[data-testid="lock-indicator"]'), { timeout: LIVE_TIMEOUT_MS });
  check((await barIn(page, '[data-testid="lock-indicator"]')).label.includes('20/40'), 'lock indicator: shows the bar at 20/40');
  await shot('migrations');

  await page.goto(`${url}/`);
  await page.waitForSelector(halfWay('[data-testid="live-run"]'), { timeout: LIVE_TIMEOUT_MS });
  check((await barIn(page, '[data-testid="live-run"]')).label === '50% · 20/40 items', 'overview: "Running now" shows the bar at 50%');

  await page.goto(`${url}/migrations/${ID}`);
  await page.waitForSelector(halfWay('[data-testid="live-run"]'), { timeout: LIVE_TIMEOUT_MS });
  const onDetail = await barIn(page, '[data-testid="live-run"]');
  check(onDetail.valueNow === '50' && onDetail.label === '50% · 20/40 items',
    `migration detail: the live panel shows 50% · 20/40 items (${JSON.stringify(onDetail)})`);
  const age = await page.locator('[data-testid="live-run"] [data-testid="progress-age"]').innerText();
  check(/^updated (just now|\d+s ago|\d+m ago)$/.test(age), `migration detail: says how old the report is (${age})`);
  // No backfill in this migration: the segments route has no jobs, and the page no panel.
  const segments = await api(url, `/api/migrations/${ID}/segments`);
  check(segments.running === true && Array.isArray(segments.jobs) && segments.jobs.length === 0,
    `API: the segments route knows the run and lists no backfill job (${JSON.stringify(segments)})`);
  check((await page.locator('[data-testid="backfill"]').count()) === 0, 'migration detail: no Backfill panel without backfill jobs');
  await shot('running');

  // Open the gate: the migration finishes; the page (not reloaded) shows it completed, bar gone.
  writeFileSync(gate, '');
  const { code, signal } = await Promise.race([
    run.exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`up did not end in 60 s: ${run.output()}`)), LIVE_TIMEOUT_MS)),
  ]);
  check(code === 0, `up completed (exit ${code}${signal ? `, ${signal}` : ''})${code === 0 ? '' : `: ${run.output()}`}`);
  await page.waitForSelector('.stats .badge[data-status="completed"]', { timeout: LIVE_TIMEOUT_MS });
  await page.waitForFunction(() => !document.querySelector('[data-testid="live-run"]'), null, { timeout: LIVE_TIMEOUT_MS });
  check((await page.locator('[role="progressbar"]').count()) === 0, 'migration detail: completed, and no progress bar is left');
  await shot('completed');

  const rows = await api(url, '/api/migrations');
  const done = rows.find((m) => m.id === ID);
  check(done?.status === 'completed' && done.progress === undefined, 'API: the row is completed and carries no live progress');
  const runs = await api(url, `/api/migrations/${ID}`);
  check(runs[0]?.progress?.done === 40 && runs[0].progress.total === 40, 'API: the finished run keeps its last progress (40/40)');

  await page.goto(`${url}/migrations`);
  await page.waitForSelector(`${row} [data-status="completed"]`);
  check((await page.locator('[role="progressbar"]').count()) === 0, 'migrations list: no bar once nothing runs');

  check(problems.length === 0, `no console errors in the app${problems.length ? `:\n    ${problems.join('\n    ')}` : ''}`);
} catch (error) {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  if (problems.length) console.error(problems.join('\n'));
  if (run) console.error(`up output:\n${run.output()}`);
  exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (run) {
    // A failed check must not leave the run waiting for its gate.
    writeFileSync(gate, '');
    await stopProcess(run.child);
  }
  if (server) {
    const code = await stopProcess(server.child);
    if (exitCode === 0) {
      try {
        check(code === 0 && server.output().includes('> Shutting down...'), 'the server shuts down cleanly on SIGTERM');
      } catch (error) {
        console.error(error.message, server.output(), server.errors());
        exitCode = 1;
      }
    }
  }
  rmSync(work, { recursive: true, force: true });
}
console.log(exitCode === 0 ? `e2e: ${checksPassed()} checks passed; screenshots in ${outDir}` : 'e2e: FAILED');
process.exit(exitCode);
