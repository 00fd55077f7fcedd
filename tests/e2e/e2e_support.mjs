// What the browser tests share: their command line, Chromium through playwright-core from
// ui/node_modules, the checks they count, starting `<binary> ... dashboard --port 0` and
// learning its URL, stopping a child process, reading the API, and waiting for a condition.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/** `--binary`, `--ui-dir`, `--out`, `--chromium` from argv; exits 2 with `usage` without --binary. */
export function parseOptions(usage) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const binary = option('--binary');
  if (!binary) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return {
    binary,
    uiDir: resolve(option('--ui-dir', join(import.meta.dirname ?? '.', '..', '..', 'ui'))),
    outDir: resolve(option('--out', 'e2e-artifacts')),
    chromiumPath: option('--chromium', '/usr/bin/chromium'),
  };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** playwright-core's `chromium` from `uiDir`/node_modules; exits 1 naming the fix when missing. */
export function loadChromium(uiDir) {
  try {
    const require = createRequire(join(uiDir, 'package.json'));
    return require('playwright-core').chromium;
  } catch (error) {
    console.error(`playwright-core is not installed in ${uiDir}/node_modules (run \`npm ci\` in ui/): ${error.message}`);
    process.exit(1);
  }
}

let passed = 0;

/** Throws when `condition` is false; otherwise counts and prints the check. */
export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  passed += 1;
  console.log(`  ok  ${message}`);
}

export const checksPassed = () => passed;

/**
 * Starts `binary argv...` (argv ends with `dashboard --port 0 --no-open`) in `cwd` and resolves
 * once it prints `> Dashboard ready: <url>`: {child, url, output(), errors()}.
 */
export function startDashboard(binary, argv, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`the dashboard did not start in 15 s: ${stdout}${stderr}`)), 15_000);
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      stdout += d;
      const match = /> Dashboard ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1].replace(/\/$/, ''), output: () => stdout, errors: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`the dashboard exited with ${code}: ${stdout}${stderr}`)));
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code (at once if it has exited). */
export async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = await exited;
  clearTimeout(timer);
  return code;
}

/** GET `url + path` as JSON; throws on a non-2xx status. */
export async function api(url, path) {
  const response = await fetch(`${url}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return response.json();
}

/** Polls `predicate` every 100 ms until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function waitFor(what, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
