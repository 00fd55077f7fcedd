#!/usr/bin/env node
// Browser test of `<migrations binary> dashboard`: seeds a SQLite store by running the quickstart
// migrations (examples/quickstart), starts the real server on 127.0.0.1:<ephemeral>, drives Debian's Chromium with
// playwright-core (from ui/node_modules) through every page, runs and rolls back migrations
// through the dialogs, reloads a deep link, checks that a page from another origin cannot start
// a rollback, keeps a screenshot of each page (also at phone width), and stops the server itself.
// The screenshots are the ones in docs/images (docs/dashboard.md says how to refresh them).
//
//   node dashboard.e2e.mjs --binary <quickstart-migrations> --ui-dir <ui> --out <artifacts dir>
//                          [--chromium /usr/bin/chromium]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, CHROMIUM_ARGS, check, checksPassed, loadChromium, parseOptions, startDashboard, stopProcess,
  waitFor as waitForWithin } from './e2e_support.mjs';
import { startEvilSite } from './evil_site.mjs';

const { binary, uiDir, outDir, chromiumPath } =
  parseOptions('dashboard.e2e.mjs --binary <quickstart-migrations> --ui-dir <ui> --out <dir>');
const chromium = loadChromium(uiDir);

const IDS = ['20250101090000_create-users', '20250102090000_add-user-roles', '20250103090000_add-display-names',
  '20250104090000_add-email-index'];

mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'auric-e2e-'));
const store = `sqlite:${join(work, 'migrations.db')}`;
// The server runs with --env staging (an [env.staging] of the work folder's config), so the
// header and the title name an environment.
writeFileSync(join(work, 'migrate.config.toml'), '[env.staging]\n[env.staging.context]\napp_db = "app.db"\n');
function run(argv) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, argv, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`${argv.join(' ')} exited ${code}: ${output}`))));
  });
}

const startServer = () =>
  startDashboard(binary, ['--store', store, '--env', 'staging', 'dashboard', '--port', '0', '--no-open'], work);

const waitFor = (what, predicate, timeoutMs = 20_000) => waitForWithin(what, predicate, timeoutMs);

let server;
let browser;
let exitCode = 0;
const problems = [];
try {
  // Seed: one migration applied from the CLI, three pending. The migrations change app.db in
  // the work folder (their default when no migrate.config.toml names one).
  await run(['--store', store, 'up', '--steps', '1']);
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
  page.on('request', (request) => {
    const target = new URL(request.url());
    if (['http:', 'https:'].includes(target.protocol) && target.origin !== url) problems.push(`request to another origin: ${request.url()}`);
  });
  const shot = (name) => page.screenshot({ path: join(outDir, `dashboard-${name}.png`), fullPage: true });

  // Overview: the counts of the real store.
  await page.goto(`${url}/`);
  await page.waitForFunction(() => document.querySelector('[data-testid="count-pending"] .count-value')?.textContent === '3');
  check((await page.locator('[data-testid="count-completed"] .count-value').innerText()) === '1', 'overview: 1 applied (seeded from the CLI)');
  check((await page.locator('[data-testid="count-total"] .count-value').innerText()) === '4', 'overview: 4 in total');
  check((await page.locator('[data-testid="lock-indicator"]').innerText()).length > 0, 'overview: the lock indicator renders');
  // Which deployment this is: the header and the title name the store and the environment.
  const identity = await api(url, '/api/identity');
  check(identity.env === 'staging' && identity.store.scheme === 'sqlite' && identity.store.path === join(work, 'migrations.db'),
    `identity: the API names the store and the environment (${JSON.stringify(identity)})`);
  await page.waitForSelector('[data-testid="identity"]');
  check((await page.locator('[data-testid="identity-env"]').innerText()).toLowerCase() === 'staging', 'header: shows the environment');
  check((await page.locator('[data-testid="identity-store"]').innerText()) === `sqlite: ${join(work, 'migrations.db')}`, 'header: shows the store');
  check((await page.locator('[data-testid="identity"]').getAttribute('class')).includes('env-staging'), 'header: staging has its own colour');
  await page.waitForFunction(() => document.title !== 'Migrations Dashboard');
  check((await page.title()) === 'staging · migrations.db — auric', `title: names the environment and the store (${await page.title()})`);
  await page.waitForSelector('tbody tr[data-row-key]');
  check((await page.locator('tbody tr[data-row-key]').count()) === 1, 'overview: the seeding execution is listed');
  await shot('overview');

  // Migrations: real rows, filters.
  await page.goto(`${url}/migrations`);
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 4);
  check(true, 'migrations: all 4 migrations, never-run ones included');
  await page.getByRole('button', { name: /^Pending/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 3);
  check(page.url().includes('status=pending'), 'migrations: the Pending filter shows 3 and lives in the URL');
  await page.getByRole('button', { name: /^Completed/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 1);
  check((await page.locator('tbody tr[data-row-key]').innerText()).includes('create-users'), 'migrations: the Completed filter shows the applied one');
  await page.getByRole('button', { name: /^All/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 4);
  await shot('migrations');

  // Run migrations: the dialog lists exactly the server's plan, and running it applies them.
  const upPlan = await api(url, '/api/plan?direction=up');
  check(JSON.stringify(upPlan.migrations) === JSON.stringify(IDS.slice(1)), 'plan: the 3 pending migrations, in id order');
  await page.getByRole('button', { name: 'Run migrations' }).click();
  await page.waitForSelector('[data-testid="plan-headline"]');
  check((await page.locator('[data-testid="plan-headline"]').innerText()) === 'Run 3 migrations:', 'run dialog: "Run 3 migrations:"');
  const listed = await page.locator('.plan-list li').allInnerTexts();
  check(JSON.stringify(listed) === JSON.stringify(upPlan.migrations), 'run dialog: lists exactly the plan, in run order');
  await shot('run-dialog');
  await page.getByRole('button', { name: 'Run 3 migrations' }).click();
  await page.waitForSelector('[data-testid="started-notice"]');
  await waitFor('the run to finish', async () => {
    const lock = await api(url, '/api/lock');
    const summary = await api(url, '/api/migrations/summary');
    return !lock.held && summary.completed === 4 && summary.pending === 0;
  });
  check(true, 'run: all migrations applied by the in-process runner');
  await page.goto(`${url}/migrations?status=completed`);
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 4);
  check(true, 'migrations: the page shows all 4 as completed');
  const executions = await api(url, '/api/executions');
  check(executions.length === 2 && executions[0].status === 'completed' && executions[0].migrationCount === 3,
    'executions: the dashboard run is recorded (3 runs, completed)');

  // Executions and execution detail.
  await page.goto(`${url}/executions`);
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 2);
  check(true, 'executions: both executions listed');
  await shot('executions');
  await page.goto(`${url}/executions/${executions[0].executionId}`);
  await page.waitForSelector('[data-testid="plan-progress"] li');
  check((await page.locator('[data-testid="finished-count"]').innerText()).startsWith('3 / 3'), 'execution detail: 3 / 3 planned finished');
  await shot('execution-detail');

  // Migration detail of one that logs and returns a result: the latest run opens expanded with
  // its captured output and result.
  await page.goto(`${url}/migrations/${IDS[1]}`);
  await page.waitForSelector('.output-body');
  const output = await page.locator('.output-body').first().innerText();
  check(output.includes('seeded roles 2') && output.includes('existing users now have the viewer role'),
    'detail: the latest run shows its captured ctx.log output');
  check((await page.locator('.json').first().innerText()).includes('usersUpdated'), 'detail: the result JSON is shown');
  await shot('migration-detail');

  // Phone width: the sidebar becomes a top bar and the page never scrolls sideways.
  const phoneContext = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2,
    colorScheme: 'dark', isMobile: true, hasTouch: true });
  const phone = await phoneContext.newPage();
  phone.on('pageerror', (error) => problems.push(`page error (phone): ${error.message}`));
  await phone.goto(`${url}/migrations`);
  await phone.waitForFunction(() => document.querySelectorAll('tbody tr[data-row-key]').length === 4);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `phone: the page does not scroll sideways at 375 px (overflow ${overflow} px)`);
  await phone.screenshot({ path: join(outDir, 'dashboard-mobile.png') });
  await phoneContext.close();

  // Migration detail: markdown description, result; rollback dialog = the exact plan.
  const oldest = IDS[0];
  await page.goto(`${url}/migrations/${oldest}`);
  await page.waitForSelector('.markdown h2');
  check((await page.locator('.markdown h2').innerText()) === 'Create the users table', 'detail: the markdown description renders');
  check((await page.locator('.markdown table').count()) === 1, 'detail: the description\'s table renders');
  const downPlan = await api(url, `/api/plan?direction=down&target=${oldest}`);
  check(downPlan.migrations.length === 4 && downPlan.migrations[3] === oldest, 'plan: rolling back the oldest means all 4, newest first');
  await page.getByRole('button', { name: 'Roll back this migration' }).click();
  await page.waitForSelector('[data-testid="plan-headline"]');
  check((await page.locator('[data-testid="plan-headline"]').innerText()) === 'Roll back 4 migrations:', 'rollback dialog: states the true count (4)');
  check(JSON.stringify(await page.locator('.plan-list li').allInnerTexts()) === JSON.stringify(downPlan.migrations),
    'rollback dialog: lists exactly the plan, in run order');
  await shot('rollback-dialog');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Roll back the newest from its page: exactly that one, and the page updates.
  const newest = IDS[3];
  await page.goto(`${url}/migrations/${newest}`);
  await page.getByRole('button', { name: 'Roll back this migration' }).click();
  await page.waitForSelector('[data-testid="plan-headline"]');
  check((await page.locator('[data-testid="plan-headline"]').innerText()) === 'Roll back 1 migration:', 'rollback dialog: 1 migration for the newest');
  await page.getByRole('button', { name: 'Roll back 1 migration' }).click();
  await page.waitForSelector('[data-testid="started-notice"]');
  await page.getByRole('button', { name: 'Run up to this migration' }).waitFor({ timeout: 20_000 });
  check(true, 'detail: after the rollback the page offers to run it again');
  const status = await api(url, '/api/status');
  check(JSON.stringify(status.completed) === JSON.stringify(IDS.slice(0, 3)) && JSON.stringify(status.pending) === JSON.stringify([newest]),
    'rollback: exactly that migration was rolled back');
  await shot('migration-detail-rolled-back');

  // Deep link reload.
  await page.reload();
  await page.waitForFunction((id) => document.querySelector('.id-line')?.textContent === id, newest);
  await page.waitForSelector('tbody tr[data-row-key]');
  check(page.url().endsWith(newest), 'a deep link survives a reload (SPA fallback)');

  // An unknown migration's page says only that it is unknown, and what was probably meant.
  await page.goto(`${url}/migrations/20250102090000_add-user-role`);
  await page.waitForSelector('[data-testid="unknown-migration"]');
  const unknownText = await page.locator('main').innerText();
  check(unknownText.includes('Unknown migration') && !/never run/i.test(unknownText) && !/pending/i.test(unknownText),
    'unknown migration: says it is unknown, not "never run"');
  check((await page.locator('[data-testid="did-you-mean"] a').allInnerTexts()).join() === IDS[1], 'unknown migration: did you mean the known id');
  await shot('unknown-migration');
  await page.locator('[data-testid="did-you-mean"] a').click();
  await page.waitForFunction((id) => document.querySelector('.id-line')?.textContent === id, IDS[1]);
  check(true, 'unknown migration: the suggestion leads to the migration');

  // A page on another origin cannot trigger a rollback (nor read the API).
  const before = (await api(url, '/api/executions')).length;
  const evil = await startEvilSite(url, 3);
  try {
    const evilPage = await context.newPage();
    await evilPage.goto(`http://127.0.0.1:${evil.address().port}/`);
    await evilPage.waitForFunction(() => window.done === true, null, { timeout: 15_000 });
    const results = await evilPage.evaluate(() => window.results);
    const read = results.find((r) => r[0] === 'read');
    check(read && read[1] === 'error', 'cross-origin: the API cannot be read from another origin (no CORS)');
    await evilPage.close();
  } finally {
    evil.close();
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = await api(url, '/api/executions');
  check(after.length === before, 'cross-origin: no form, simple or JSON POST started a rollback');
  check((await api(url, '/api/status')).completed.length === 3, 'cross-origin: nothing was rolled back');

  // The cross-origin attempts above log failed requests in that page only; the app's page is clean.
  check(problems.filter((p) => !p.includes('evil')).length === 0, `no console errors or foreign requests in the app${problems.length ? `:\n    ${problems.join('\n    ')}` : ''}`);
} catch (error) {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  if (problems.length) console.error(problems.join('\n'));
  exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
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
