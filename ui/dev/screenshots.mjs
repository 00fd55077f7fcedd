#!/usr/bin/env node
// Starts dev/mock-server.mjs, drives Debian's /usr/bin/chromium with playwright-core, checks a
// few things a person would (the rollback dialog lists the true plan, the live output shows up,
// nothing is fetched from another host, no console errors) and saves
// dashboard-{overview,migrations,migration-detail,rollback-dialog,executions,execution-detail,
// mobile,signin}.png into out/mock-screenshots (or --out DIR). Run `npm run build` first.
// docs/images holds the browser test's screenshots of the real server instead (tests/e2e), all
// but dashboard-signin.png: only a deployed API asks for a token, so that one comes from here.
//
//   node dev/screenshots.mjs [--out DIR]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const uiDir = resolve(here, '..');
const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : resolve(uiDir, '..', 'out', 'mock-screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!existsSync(join(uiDir, 'dist', 'index.html'))) {
  console.error('ui/dist is missing: run `npm run build` first.');
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

function startMock(extra = []) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(here, 'mock-server.mjs'), '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('mock server did not start in 10 s')), 10_000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = /Dashboard ready: (\S+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1].replace(/\/$/, '') });
      }
    });
    child.on('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
  });
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`  ok  ${message}`);
}

const { child, url } = await startMock();
console.log(`mock server at ${url}`);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
const problems = [];
let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1, colorScheme: 'dark' });
  const page = await context.newPage();
  page.on('console', (msg) => {
    // The browser logs every non-2xx response; the 409 this script provokes on purpose is expected.
    if (msg.type() === 'error' && !/status of 409 \(Conflict\)/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const target = new URL(request.url());
    if (!['http:', 'https:'].includes(target.protocol)) return;
    if (target.origin !== url) problems.push(`request to another origin: ${request.url()}`);
  });
  const shot = async (name, options = {}) => {
    const file = join(outDir, `dashboard-${name}.png`);
    await page.screenshot({ path: file, ...options });
    console.log(`saved ${file}`);
  };
  const api = async (path) => (await fetch(`${url}${path}`)).json();

  // Migrations list
  await page.goto(`${url}/migrations`);
  await page.waitForSelector('table tbody tr[data-row-key]');
  check((await page.locator('tbody tr[data-row-key]').count()) === 16, 'the migrations table lists all 16 migrations');
  await page.getByRole('button', { name: /^Failed/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 1);
  check(page.url().includes('status=failed'), 'the status filter is kept in the URL');
  await page.getByRole('button', { name: /^All/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 16);
  await shot('migrations');

  // Migration detail (markdown description, result JSON, truncated output)
  await page.goto(`${url}/migrations/20240214101010_backfill_order_totals`);
  await page.waitForSelector('.run-details');
  check((await page.locator('.markdown table').count()) === 1, 'the markdown description renders its table');
  check((await page.locator('.markdown script').count()) === 0, 'raw HTML in the description is not rendered');
  check(
    (await page.getByText('[output exceeded the storage cap; oldest lines were dropped]').count()) === 1,
    'the truncation banner is shown',
  );
  await shot('migration-detail', { fullPage: true });

  // Rollback dialog from a detail page: the true plan, every newer applied migration listed.
  const target = '20240420083000_create_audit_log';
  const plan = await api(`/api/plan?direction=down&target=${target}`);
  await page.goto(`${url}/migrations/${target}`);
  await page.getByRole('button', { name: 'Roll back this migration' }).click();
  await page.waitForSelector('[data-testid="plan-headline"]');
  const headline = await page.locator('[data-testid="plan-headline"]').innerText();
  check(headline === `Roll back ${plan.migrations.length} migrations:`, `the dialog says "${headline}" for a ${plan.migrations.length}-migration plan`);
  const listed = await page.locator('.plan-list li').allInnerTexts();
  check(JSON.stringify(listed) === JSON.stringify(plan.migrations), 'the dialog lists exactly the plan, in run order');
  const confirm = page.getByRole('button', { name: `Roll back ${plan.migrations.length} migrations` });
  check(await confirm.isEnabled(), 'the confirm button names the true count and is enabled');
  await shot('rollback-dialog');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Executions
  await page.goto(`${url}/executions`);
  await page.waitForSelector('tbody tr[data-row-key]');
  check((await page.getByRole('button', { name: 'Load older executions' }).count()) === 1, 'older executions can be loaded (cursor pagination)');
  await shot('executions');

  // Execution detail: the one whose second migration failed
  const executions = await api('/api/executions?limit=50');
  const failed = executions.find((e) => e.status === 'failed' && e.planned.length === 2);
  await page.goto(`${url}/executions/${failed.executionId}`);
  await page.waitForSelector('[data-testid="plan-progress"] li');
  check((await page.locator('[data-testid="finished-count"]').innerText()) === '1 / 2 planned', 'planned vs finished shows 1 / 2');
  await page.locator('tbody tr[data-row-key]').nth(1).locator('button[aria-label="Expand details"]').click();
  await shot('execution-detail', { fullPage: true });

  // Deep link reload
  await page.reload();
  await page.waitForSelector('[data-testid="plan-progress"] li');
  check(true, 'a deep link survives a reload');

  // Mobile width
  const mobile = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, colorScheme: 'dark', isMobile: true, hasTouch: true });
  const phone = await mobile.newPage();
  phone.on('pageerror', (error) => problems.push(`page error (mobile): ${error.message}`));
  await phone.goto(`${url}/migrations`);
  await phone.waitForSelector('tbody tr[data-row-key]');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the page does not scroll sideways at 375px (overflow ${overflow}px)`);
  await phone.screenshot({ path: join(outDir, 'dashboard-mobile.png') });
  console.log(`saved ${join(outDir, 'dashboard-mobile.png')}`);
  await mobile.close();

  // Start a run through the UI, then watch it live on the overview.
  await page.goto(`${url}/migrations`);
  await page.getByRole('button', { name: 'Run migrations' }).click();
  await page.waitForSelector('[data-testid="plan-headline"]');
  const upPlan = await api('/api/plan?direction=up');
  check(
    (await page.locator('[data-testid="plan-headline"]').innerText()) === `Run ${upPlan.migrations.length} migrations:`,
    'the run dialog states the pending count',
  );
  await page.getByRole('button', { name: `Run ${upPlan.migrations.length} migrations` }).click();
  await page.waitForSelector('[data-testid="started-notice"]');

  // While it runs, a rollback is refused with the lock holder named.
  await page.getByRole('button', { name: 'Roll back…' }).click();
  const rollbackConfirm = page.locator('dialog button[type="submit"]');
  await page.waitForSelector('[data-testid="plan-headline"]');
  await rollbackConfirm.click();
  const refusal = await page.locator('dialog [role="alert"]').innerText();
  check(/Another run holds the lock: you@localhost/.test(refusal), 'a rollback during a run shows the 409 with the lock holder');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.goto(`${url}/`);
  await page.waitForSelector('[data-testid="live-run"] .output-body');
  await page.waitForFunction(() => (document.querySelector('[data-testid="live-run"] .output-body')?.textContent ?? '').split('\n').length > 5, null, { timeout: 15_000 });
  check((await page.locator('[data-testid="lock-indicator"]').innerText()).includes('Running'), 'the lock indicator shows the running migration');
  await shot('overview');

  // Everything finishes and the polling slows down.
  await page.waitForSelector('.lock-free', { timeout: 60_000 });
  const summary = await api('/api/migrations/summary');
  check(summary.pending === 0 && summary.running === 0, 'after the run nothing is pending');
  await page.waitForFunction(
    (expected) => document.querySelector('[data-testid="count-pending"] .count-value')?.textContent === String(expected),
    summary.pending,
    { timeout: 20_000 },
  );
  check(true, 'the overview counts refresh when the run ends');

  // A deployed API that requires a bearer token: the sign-in form, then data.
  const secured = await startMock(['--bearer', 'let-me-in']);
  try {
    const signin = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signin.goto(`${secured.url}/migrations`);
    await signin.waitForSelector('form.signin');
    await signin.screenshot({ path: join(outDir, 'dashboard-signin.png') });
    console.log(`saved ${join(outDir, 'dashboard-signin.png')}`);
    await signin.fill('input[name="access-token"]', 'let-me-in');
    await signin.getByRole('button', { name: 'Sign in' }).click();
    await signin.waitForSelector('tbody tr[data-row-key]');
    const stored = await signin.evaluate(() => ({
      session: sessionStorage.getItem('auric.dashboard.accessToken'),
      local: Object.keys(localStorage).length,
    }));
    check(stored.session === 'let-me-in' && stored.local === 0, 'the access token is kept in sessionStorage only');
    await signin.close();
  } finally {
    secured.child.kill('SIGTERM');
  }

  check(problems.length === 0, `no console errors and no requests to other hosts${problems.length ? `:\n    ${problems.join('\n    ')}` : ''}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  if (problems.length) console.error(problems.join('\n'));
  exitCode = 1;
} finally {
  await browser.close();
  child.kill('SIGTERM');
}
process.exit(exitCode);
