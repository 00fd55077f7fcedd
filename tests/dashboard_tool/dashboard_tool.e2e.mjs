#!/usr/bin/env node
// Browser part of the dashboard tool's end-to-end test (driven by server_test.cpp, which
// starts auric-migrate-dashboard's server against dynalite and a recording fake Lambda):
// Debian's Chromium through playwright-core shows the table's data, rolls back the newest
// migration from its detail page, and a page on another origin tries to POST a rollback.
// The C++ side then counts the Invoke requests the fake Lambda received.
//
//   node dashboard_tool.e2e.mjs --url <dashboard url> --ui-dir <ui> --newest <id>
//        --ids <id,id,...> [--chromium /usr/bin/chromium] [--out <screenshots dir>]
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { startEvilSite } from '../e2e/evil_site.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const url = option('--url', '').replace(/\/$/, '');
const uiDir = resolve(option('--ui-dir', '.'));
const newest = option('--newest');
const ids = option('--ids', '').split(',').filter(Boolean);
const chromiumPath = option('--chromium', '/usr/bin/chromium');
const outDir = resolve(option('--out', 'e2e-artifacts'));

let chromium;
try {
  ({ chromium } = createRequire(join(uiDir, 'package.json'))('playwright-core'));
} catch (error) {
  console.error(`playwright-core is not installed in ${uiDir}/node_modules: ${error.message}`);
  process.exit(3);
}

const check = (condition, message) => {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`  ok  ${message}`);
};

mkdirSync(outDir, { recursive: true });
let browser;
let code = 0;
try {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();

  await page.goto(`${url}/migrations`);
  await page.waitForFunction((n) => document.querySelectorAll('tbody tr[data-row-key]').length === n, ids.length, { timeout: 20_000 });
  const text = await page.locator('tbody').innerText();
  for (const id of ids) check(text.includes(id.replace(/^\d+_/, '')) || text.includes(id), `migrations page shows ${id}`);
  await page.screenshot({ path: join(outDir, 'tool-migrations.png'), fullPage: true });

  await page.goto(`${url}/migrations/${newest}`);
  await page.getByRole('button', { name: 'Roll back this migration' }).click();
  await page.waitForSelector('[data-testid="plan-headline"]');
  check((await page.locator('[data-testid="plan-headline"]').innerText()) === 'Roll back 1 migration:', 'rollback dialog: 1 migration');
  await page.getByRole('button', { name: 'Roll back 1 migration' }).click();
  await page.waitForSelector('[data-testid="started-notice"]', { timeout: 20_000 });
  check(true, 'rollback started from the UI');
  await page.screenshot({ path: join(outDir, 'tool-rollback.png'), fullPage: true });

  const evil = await startEvilSite(url, 1);
  try {
    const evilPage = await context.newPage();
    await evilPage.goto(`http://127.0.0.1:${evil.address().port}/`);
    await evilPage.waitForFunction(() => window.done === true, null, { timeout: 15_000 });
    const results = await evilPage.evaluate(() => window.results);
    const read = results.find((r) => r[0] === 'read');
    check(read && read[1] === 'error', 'cross-origin: the API cannot be read from another origin');
  } finally {
    evil.close();
  }
  await new Promise((r) => setTimeout(r, 500));
} catch (error) {
  console.error(error.stack || String(error));
  code = 1;
} finally {
  if (browser) await browser.close();
}
process.exit(code);
