#!/usr/bin/env node
// A development stand-in for the C++ dashboard server: serves ui/dist and an in-memory
// implementation of the API in docs/dashboard-api.md, with a simulated runner (migrations take
// a few seconds and stream output into GET /api/lock). Node built-ins only.
//
//   node dev/mock-server.mjs [--port N] [--bearer SECRET] [--no-function] [--seed N] [--quiet]
//                            [--env NAME] (GET /api/identity's environment; default staging, '' for none)
//
// Listens on 127.0.0.1 (an ephemeral port unless --port), prints `> Dashboard ready: <url>`,
// and stops on SIGTERM / SIGINT. It follows the local server's security rules so the UI is
// exercised against them: Host must be the server's own address, every POST needs the
// per-start token (X-Auric-Token) and a same-origin (or absent) Origin, and JSON content type.
// --bearer SECRET additionally requires `Authorization: Bearer SECRET` on every /api request,
// like the deployed API Gateway variant.
import { createServer } from 'node:http';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const distDir = resolve(here, '..', 'dist');

// ---- options ------------------------------------------------------------------------------
const args = process.argv.slice(2);
function option(name, fallback) {
  const index = args.indexOf(name);
  return index >= 0 && index + 1 < args.length ? args[index + 1] : fallback;
}
const port = Number(option('--port', '0'));
const bearer = option('--bearer', '');
const hasFunction = !args.includes('--no-function');
const quiet = args.includes('--quiet');
const speed = Number(option('--speed', '1')); // >1 runs migrations faster
const envName = option('--env', 'staging');
const identity = {
  store: { scheme: 'dynamodb', table: 'migrations-demo', region: 'eu-west-1', label: 'dynamodb: migrations-demo (eu-west-1)' },
  ...(envName ? { env: envName } : {}),
};
const token = randomBytes(24).toString('hex');

// ---- the "binary": migrations it knows ----------------------------------------------------
const binary = [
  ['20240105093000_create_users_table', 'Creates the `users` table.\n\n- `id` (uuid, primary key)\n- `email` (unique, case-insensitive)\n- `created_at`'],
  ['20240112141500_add_user_email_index', 'Adds a GSI on `email` so sign-in lookups stop scanning.'],
  ['20240130080000_create_orders_table', '## Orders\n\nOne item per order, partitioned by `customer_id`.\n\n| attribute | type |\n|---|---|\n| `customer_id` | S |\n| `order_id` | S |\n| `total_cents` | N |'],
  ['20240214101010_backfill_order_totals', 'Recomputes `total_cents` for orders created before the\ntax fix (see **INC-2231**). Idempotent: it checkpoints every 500 items.\n\n| phase | items |\n|---|---|\n| scan | ~48k |\n| update | ~2k |\n\n<script>alert("raw HTML is never rendered")</script>'],
  ['20240301120000_create_sessions_table', 'Sessions with a TTL attribute `expires_at`.'],
  ['20240318094500_add_orders_status_index', 'Index on `status` for the fulfilment dashboard.'],
  ['20240402170000_split_user_names', 'Splits `name` into `given_name` and `family_name`.\n\n> Rolling back joins them with a single space.'],
  ['20240420083000_create_audit_log', 'Append-only audit log table; stream enabled.'],
  ['20240509110000_migrate_legacy_sessions', 'Moves sessions from the legacy table. Large: expect several Lambda hops.'],
  ['20240527150000_add_customer_tier', 'Adds `tier` to customers (`free` by default).'],
  ['20240611093000_reindex_search', 'Rebuilds the search index from the orders table.'],
  ['20240625090000_add_refund_reasons', 'Adds `refund_reason` to orders. Merged late: its timestamp is older than migrations that already ran.'],
  ['20240702121500_drop_legacy_sessions', 'Deletes the legacy sessions table once the copy is verified.'],
  ['20240715080000_add_invoice_numbers', 'Allocates sequential invoice numbers per customer.'],
  ['20240801100000_create_feature_flags', 'Feature flags table, seeded with the current flags.'],
].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, description]) => ({
  id,
  name: id.slice(15),
  description,
  checksum: createHash('sha256').update(id).digest('hex'),
}));
const binaryIds = new Set(binary.map((m) => m.id));

// ---- the store ----------------------------------------------------------------------------
/** @type {Map<string, any>} id -> state */
const states = new Map();
/** @type {any[]} */
const runs = [];
/** @type {Map<string, any>} */
const executions = new Map();
let lock = { owner: '', fence: 0, acquiredAt: 0, expiresAt: 0, executionId: '', who: undefined, current: undefined };

const DAY = 86_400_000;
const now0 = Date.now();
const people = [
  { user: 'maria', host: 'mbp-maria', pid: 48211 },
  { user: 'ci', host: 'runner-7', pid: 2231, awsPrincipal: 'arn:aws:sts::123456789012:assumed-role/ci-deploy/gha' },
  { lambdaRequestId: '6f1c2d3e-9a8b-4c7d-8e6f-5a4b3c2d1e0f', awsPrincipal: 'arn:aws:sts::123456789012:assumed-role/migrations-fn/auric-migrations' },
  { user: 'tom', host: 'devbox-tom', pid: 777 },
];

function outputFor(id, direction, lines = 6, startedAt = Date.now()) {
  const out = [];
  for (let i = 0; i < lines; i += 1) {
    const ts = new Date(startedAt + i * 137).toISOString();
    const level = i === lines - 1 ? 'info' : i % 5 === 3 ? 'debug' : 'info';
    out.push(`[${ts}] [${level}] ${direction === 'up' ? 'applying' : 'reverting'} ${id.slice(15)}: step ${i + 1}/${lines}${i % 3 === 1 ? ` { batch: ${i * 500}, written: ${i * 497} }` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

function addRun({ id, direction, status, executionId, startedAt, duration, who, error, output, outputTruncated, metadata, hop = 0 }) {
  const m = binary.find((b) => b.id === id);
  const run = {
    runId: randomUUID(),
    id,
    name: m ? m.name : id.slice(15),
    status,
    direction,
    executionId,
    startedAt,
    ...(duration !== undefined && status !== 'running' ? { completedAt: startedAt + duration, duration } : {}),
    ...(m ? { description: m.description, checksum: m.checksum } : {}),
    ...(output ? { output } : {}),
    ...(outputTruncated ? { outputTruncated: true } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(error ? { error } : {}),
    hop,
    who,
  };
  runs.push(run);
  const state = states.get(id) ?? { id, applied: false };
  state.status = status;
  state.direction = direction;
  state.executionId = executionId;
  state.lastRun = run;
  if (status === 'completed') {
    state.applied = direction === 'up';
    if (direction === 'up') {
      state.checksum = m ? m.checksum : createHash('sha256').update(`old:${id}`).digest('hex');
      state.appliedAt = run.completedAt;
    }
  }
  states.set(id, state);
  return run;
}

function addExecution({ direction, startedAt, who, planned, target, hop = 0 }) {
  const execution = {
    executionId: randomUUID(),
    direction,
    ...(target ? { target } : {}),
    status: 'running',
    startedAt,
    migrationCount: 0,
    planned: [...planned],
    hop,
    who,
  };
  executions.set(execution.executionId, execution);
  return execution;
}

function finishExecution(execution, status, error) {
  const own = runs.filter((r) => r.executionId === execution.executionId);
  execution.migrationCount = own.length;
  execution.status = status;
  const last = own[own.length - 1];
  execution.completedAt = last?.completedAt ?? execution.startedAt + 50;
  if (error) execution.error = error;
}

function seedExecution(direction, ids, startedAt, who, { failAt, interruptAt, target, hop = 0, errorText, truncate } = {}) {
  const execution = addExecution({ direction, startedAt, who, planned: ids, target, hop });
  let t = startedAt + 40;
  for (const id of ids) {
    const duration = 180 + ((id.charCodeAt(16) * 97) % 4200);
    if (failAt === id) {
      addRun({ id, direction, status: 'failed', executionId: execution.executionId, startedAt: t, duration, who, error: errorText ?? 'ConditionalCheckFailedException: The conditional request failed', output: outputFor(id, direction, 4, t) });
      finishExecution(execution, 'failed', `${id} failed: ${errorText ?? 'ConditionalCheckFailedException: The conditional request failed'}`);
      return execution;
    }
    if (interruptAt === id) {
      addRun({ id, direction, status: 'interrupted', executionId: execution.executionId, startedAt: t, duration: 900_000, who, error: 'The runner stopped during this migration (Lambda timeout after 900s); its lease expired.', output: outputFor(id, direction, 12, t) });
      finishExecution(execution, 'interrupted', 'Lambda timed out during 20240509110000_migrate_legacy_sessions');
      return execution;
    }
    const big = truncate === id;
    addRun({
      id,
      direction,
      status: 'completed',
      executionId: execution.executionId,
      startedAt: t,
      duration,
      who,
      output: outputFor(id, direction, big ? 40 : 3 + (id.length % 6), t),
      outputTruncated: big || undefined,
      metadata: direction === 'up' && id.includes('backfill') ? { scanned: 48213, updated: 1920, skipped: 46293, checkpoint: null } : direction === 'up' && id.includes('index') ? { indexName: `${id.slice(15)}`, status: 'ACTIVE' } : undefined,
    });
    t += duration + 25;
  }
  finishExecution(execution, 'completed');
  return execution;
}

function seed() {
  const I = (name) => binary.find((b) => b.name === name).id;
  const first4 = ['create_users_table', 'add_user_email_index', 'create_orders_table', 'backfill_order_totals'].map(I);
  seedExecution('up', first4, now0 - 400 * DAY, people[0], { truncate: I('backfill_order_totals') });
  seedExecution('up', ['create_sessions_table', 'add_orders_status_index', 'split_user_names'].map(I), now0 - 120 * DAY, people[1]);
  seedExecution('down', [I('split_user_names')], now0 - 95 * DAY, people[0]);
  seedExecution('up', [I('split_user_names'), I('create_audit_log')], now0 - 94 * DAY, people[1]);
  seedExecution('up', [I('migrate_legacy_sessions'), I('add_customer_tier')], now0 - 40 * DAY, people[2], { interruptAt: I('migrate_legacy_sessions') });
  seedExecution('up', [I('migrate_legacy_sessions'), I('add_customer_tier')], now0 - 39 * DAY, people[2], { hop: 2 });
  // Applied, then removed from the binary: shows as "missing".
  seedExecution('up', ['20240620120000_temp_fix_customer_emails'], now0 - 30 * DAY, people[0]);
  seedExecution('up', [I('reindex_search'), I('drop_legacy_sessions')], now0 - 6 * DAY, people[1], {
    failAt: I('drop_legacy_sessions'),
    errorText: 'ResourceInUseException: Table legacy_sessions is being updated; retry later',
  });
  seedExecution('up', [I('drop_legacy_sessions')], now0 - 5 * DAY, people[3]);
  seedExecution('down', [I('drop_legacy_sessions'), I('reindex_search')], now0 - 3 * DAY, people[3], { target: I('reindex_search') });
  seedExecution('up', [I('reindex_search'), I('drop_legacy_sessions')], now0 - 2 * DAY, people[1]);
  // A failed run of a migration that is still pending.
  seedExecution('up', [I('add_invoice_numbers')], now0 - 3 * 3600_000, people[3], {
    failAt: I('add_invoice_numbers'),
    errorText: 'ValidationException: One or more parameter values were invalid: Missing the key customer_id in the item',
  });
  // Checksum drift: applied from an older source.
  const drifted = states.get(I('create_orders_table'));
  if (drifted) drifted.checksum = createHash('sha256').update('an older source').digest('hex');
  // Many older no-op executions so the executions list paginates.
  for (let i = 0; i < 60; i += 1) {
    const e = addExecution({ direction: 'up', startedAt: now0 - (401 + i) * DAY, who: people[i % people.length], planned: [] });
    finishExecution(e, 'completed');
  }
}
seed();

// ---- derived views ------------------------------------------------------------------------
function appliedInOrder() {
  // Applied migrations, most recently applied first (ties by id, newest id first).
  return [...states.values()]
    .filter((s) => s.applied)
    .sort((a, b) => (b.appliedAt ?? 0) - (a.appliedAt ?? 0) || (a.id < b.id ? 1 : -1))
    .map((s) => s.id);
}

function pendingInOrder() {
  return binary.filter((m) => !states.get(m.id)?.applied).map((m) => m.id);
}

function migrationViews() {
  const ids = new Set([...binary.map((m) => m.id), ...states.keys()]);
  const newestApplied = [...states.values()].filter((s) => s.applied).map((s) => s.id).sort().pop() ?? '';
  return [...ids].sort().map((id) => {
    const m = binary.find((b) => b.id === id);
    const s = states.get(id);
    const run = s?.lastRun;
    let status = 'pending';
    if (s) {
      if (run.status === 'completed') status = run.direction === 'up' ? 'completed' : 'rolled_back';
      else status = run.status;
    }
    const view = {
      id,
      name: m?.name ?? run?.name ?? id.slice(15),
      status,
      applied: Boolean(s?.applied),
    };
    if (run) {
      Object.assign(view, {
        direction: run.direction,
        executionId: run.executionId,
        startedAt: run.startedAt,
        ...(run.completedAt ? { completedAt: run.completedAt, duration: run.duration } : {}),
        ...(run.error ? { error: run.error } : {}),
        ...(run.outputTruncated ? { outputTruncated: true } : {}),
      });
    }
    const description = m?.description ?? run?.description;
    if (description) view.description = description;
    if (s?.checksum) view.checksum = s.checksum;
    if (s?.applied && m && s.checksum && s.checksum !== m.checksum) view.drift = true;
    if (!m) view.missing = true;
    if (m && !s?.applied && id < newestApplied) view.outOfOrder = true;
    return view;
  });
}

function summary() {
  const out = { pending: 0, completed: 0, failed: 0, running: 0, total: 0 };
  for (const v of migrationViews()) {
    out.total += 1;
    if (v.status === 'completed') out.completed += 1;
    else if (v.status === 'running') out.running += 1;
    else if (v.status === 'failed' || v.status === 'interrupted') out.failed += 1;
    else out.pending += 1;
  }
  return out;
}

function resolveTarget(target) {
  const known = [...new Set([...binary.map((m) => m.id), ...states.keys()])];
  if (known.includes(target)) return { id: target };
  const byName = known.filter((id) => id.slice(15) === target);
  if (byName.length === 1) return { id: byName[0] };
  if (byName.length > 1) return { error: `Ambiguous target "${target}": ${byName.join(', ')}` };
  return { error: `Unknown target "${target}": no migration has this id or name` };
}

function computePlan(direction, target, steps) {
  if (target !== undefined && steps !== undefined) return { error: 'Give either target or steps, not both' };
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) return { error: 'steps must be a positive integer' };
  let resolved;
  if (target !== undefined) {
    const r = resolveTarget(target);
    if (r.error) return { error: r.error };
    resolved = r.id;
  }
  if (direction === 'up') {
    let list = pendingInOrder();
    if (resolved) list = list.filter((id) => id <= resolved);
    if (steps !== undefined) list = list.slice(0, steps);
    return { migrations: list };
  }
  let list = appliedInOrder();
  if (resolved) {
    const index = list.indexOf(resolved);
    list = index < 0 ? [] : list.slice(0, index + 1);
  } else {
    list = list.slice(0, steps ?? 1);
  }
  return { migrations: list };
}

function lockView() {
  const held = Boolean(lock.owner) && lock.expiresAt > Date.now();
  if (!held) return { held: false };
  return {
    held: true,
    owner: lock.owner,
    who: lock.who,
    acquiredAt: lock.acquiredAt,
    expiresAt: lock.expiresAt,
    executionId: lock.executionId,
    ...(lock.current ? { current: { ...lock.current } } : {}),
  };
}

// ---- the simulated runner -----------------------------------------------------------------
const timers = new Set();
function later(ms, fn) {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms / speed);
  timers.add(t);
}

function startRun(direction, target, steps) {
  const plan = computePlan(direction, target, steps);
  if (plan.error) return { status: 400, body: { error: plan.error } };
  if (lockView().held) return { status: 409, body: { error: 'Another run holds the migration lock', holder: lockView() } };
  const who = { user: 'you', host: 'localhost', pid: process.pid };
  const execution = addExecution({ direction, startedAt: Date.now(), who, planned: plan.migrations, target });
  lock = {
    owner: `localhost:${process.pid}:${randomUUID().slice(0, 8)}`,
    fence: lock.fence + 1,
    acquiredAt: Date.now(),
    expiresAt: Date.now() + 30_000,
    executionId: execution.executionId,
    who,
    current: undefined,
  };
  const queue = [...plan.migrations];
  const next = () => {
    const id = queue.shift();
    if (!id) {
      finishExecution(execution, 'completed');
      lock = { ...lock, owner: '', expiresAt: 0, current: undefined };
      return;
    }
    const startedAt = Date.now();
    const runId = randomUUID();
    lock.current = { migrationId: id, runId, direction, startedAt, output: '' };
    lock.expiresAt = Date.now() + 30_000;
    const state = states.get(id) ?? { id, applied: false };
    state.status = 'running';
    states.set(id, state);
    const placeholder = { runId, id, name: id.slice(15), status: 'running', direction, executionId: execution.executionId, startedAt, hop: 0, who };
    const m = binary.find((b) => b.id === id);
    if (m) Object.assign(placeholder, { description: m.description, checksum: m.checksum });
    runs.push(placeholder);
    const prevLastRun = state.lastRun;
    state.lastRun = placeholder;
    const total = 8 + (id.length % 5);
    let line = 0;
    const tick = () => {
      line += 1;
      const ts = new Date().toISOString();
      lock.current.output += `[${ts}] [info] ${direction === 'up' ? 'applying' : 'reverting'} ${id.slice(15)}: step ${line}/${total}\n`;
      lock.expiresAt = Date.now() + 30_000;
      if (line < total) {
        later(350, tick);
        return;
      }
      // finished: replace the placeholder with the final record
      runs.splice(runs.indexOf(placeholder), 1);
      state.lastRun = prevLastRun;
      addRun({
        id,
        direction,
        status: 'completed',
        executionId: execution.executionId,
        startedAt,
        duration: Date.now() - startedAt,
        who,
        output: lock.current.output,
        metadata: direction === 'up' ? { steps: total } : undefined,
      });
      lock.current = undefined;
      later(200, next);
    };
    later(350, tick);
  };
  later(300, next);
  return {
    status: 200,
    body: { message: direction === 'up' ? 'Migration initiated' : 'Rollback initiated', invoked: true, executionId: execution.executionId },
  };
}

// ---- HTTP ---------------------------------------------------------------------------------
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...SECURITY_HEADERS, ...headers });
  res.end(text);
}

function encodeCursor(offset) {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}
function decodeCursor(cursor) {
  if (!cursor) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Number.isInteger(o) && o >= 0 ? o : null;
  } catch {
    return null;
  }
}

function paginate(res, items, query) {
  const limitText = query.get('limit');
  const limit = limitText === null ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) return send(res, 400, { error: 'limit must be an integer from 1 to 200' });
  const offset = decodeCursor(query.get('cursor'));
  if (offset === null) return send(res, 400, { error: 'Invalid cursor' });
  const page = items.slice(offset, offset + limit);
  const headers = offset + limit < items.length ? { 'X-Next-Cursor': encodeCursor(offset + limit) } : {};
  return send(res, 200, page, headers);
}

function readBody(req) {
  return new Promise((resolvePromise, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(Object.assign(new Error('too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let indexHtml = null;
function serveIndex(res) {
  if (indexHtml === null) {
    const file = join(distDir, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('ui/dist is missing: run `npm run build` in ui/ first.\n');
      return;
    }
    indexHtml = readFileSync(file, 'utf8');
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(indexHtml.replace('__AURIC_TOKEN__', token));
}

function serveStatic(req, res, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return send(res, 400, { error: 'Bad path' });
  }
  if (decoded.includes('\0')) return send(res, 400, { error: 'Bad path' });
  const file = normalize(join(distDir, decoded));
  if (!file.startsWith(distDir + sep)) return send(res, 404, { error: 'Not found' });
  if (decoded !== '/' && existsSync(file) && statSync(file).isFile() && !file.endsWith('index.html')) {
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    const cache = decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache, ...SECURITY_HEADERS });
    res.end(readFileSync(file));
    return undefined;
  }
  if (decoded.startsWith('/assets/')) return send(res, 404, { error: 'Not found' });
  return serveIndex(res); // SPA fallback for deep links
}

let selfHost = '';
async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;

  // DNS-rebinding guard: the Host must be this server's own address.
  if (req.headers.host !== selfHost && req.headers.host !== selfHost.replace('127.0.0.1', 'localhost')) {
    return send(res, 403, { error: 'Forbidden: unexpected Host header' });
  }
  if (!path.startsWith('/api/') && path !== '/api') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 404, { error: 'Not found' });
    return serveStatic(req, res, url.pathname);
  }

  if (bearer) {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${bearer}`) return send(res, 401, { error: 'Unauthorized: a valid access token is required' }, { 'WWW-Authenticate': 'Bearer' });
  }

  if (req.method === 'POST') {
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) return send(res, 403, { error: 'Forbidden: cross-origin request' });
    if (req.headers['x-auric-token'] !== token) return send(res, 403, { error: 'Forbidden: missing or invalid dashboard token' });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, { error: 'Content-Type must be application/json' });
    }
    let raw;
    try {
      raw = await readBody(req);
    } catch (error) {
      return send(res, error.status ?? 400, { error: 'Request body too large' });
    }
    let body = {};
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, 400, { error: 'Invalid JSON' });
      }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return send(res, 400, { error: 'Invalid JSON' });
    const direction = path === '/api/migrate' ? 'up' : path === '/api/rollback' ? 'down' : null;
    if (!direction) return send(res, 404, { error: 'Not found' });
    if (!hasFunction) {
      return send(res, 400, {
        message: `${direction === 'up' ? 'Migrate' : 'Rollback'} is not available. Set MIGRATION_FUNCTION_NAME to enable it.`,
        invoked: false,
      });
    }
    if (body.target !== undefined && typeof body.target !== 'string') return send(res, 400, { error: 'target must be a string' });
    if (body.steps !== undefined && !Number.isInteger(body.steps)) return send(res, 400, { error: 'steps must be an integer' });
    const result = startRun(direction, body.target, body.steps);
    return send(res, result.status, result.body);
  }

  if (req.method !== 'GET') return send(res, 404, { error: 'Not found' });
  const q = url.searchParams;
  let match;
  if (path === '/api/migrations') return send(res, 200, migrationViews());
  if (path === '/api/migrations/summary') return send(res, 200, summary());
  if ((match = /^\/api\/migrations\/(.+)$/.exec(path))) {
    const id = decodeURIComponent(match[1]);
    const own = runs.filter((r) => r.id === id).sort((a, b) => b.startedAt - a.startedAt);
    return paginate(res, own, q);
  }
  if (path === '/api/executions') {
    const list = [...executions.values()].sort((a, b) => b.startedAt - a.startedAt).map((e) => ({
      ...e,
      migrationCount: runs.filter((r) => r.executionId === e.executionId).length,
    }));
    return paginate(res, list, q);
  }
  if ((match = /^\/api\/executions\/(.+)\/summary$/.exec(path))) {
    const e = executions.get(decodeURIComponent(match[1]));
    if (!e) return send(res, 404, { error: 'Execution not found' });
    return send(res, 200, { ...e, migrationCount: runs.filter((r) => r.executionId === e.executionId).length });
  }
  if ((match = /^\/api\/executions\/(.+)$/.exec(path))) {
    const id = decodeURIComponent(match[1]);
    return send(res, 200, runs.filter((r) => r.executionId === id).sort((a, b) => a.startedAt - b.startedAt));
  }
  if (path === '/api/status') {
    const views = migrationViews();
    return send(res, 200, {
      pending: views.filter((v) => !v.applied && !v.missing && v.status !== 'failed' && v.status !== 'interrupted').map((v) => v.id),
      completed: views.filter((v) => v.applied).map((v) => v.id),
      failed: views.filter((v) => v.status === 'failed' || v.status === 'interrupted').map((v) => v.id),
    });
  }
  if (path === '/api/plan') {
    const direction = q.get('direction');
    if (direction !== 'up' && direction !== 'down') return send(res, 400, { error: 'direction must be up or down' });
    const target = q.get('target') ?? undefined;
    const stepsText = q.get('steps');
    const steps = stepsText === null ? undefined : Number(stepsText);
    const plan = computePlan(direction, target, steps);
    if (plan.error) return send(res, 400, { error: plan.error });
    return send(res, 200, { direction, ...(target !== undefined ? { target } : {}), ...(steps !== undefined ? { steps } : {}), migrations: plan.migrations });
  }
  if (path === '/api/lock') return send(res, 200, lockView());
  if (path === '/api/identity') return send(res, 200, identity);
  return send(res, 404, { error: 'Not found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    if (!quiet) console.error('[mock]', error);
    if (!res.headersSent) send(res, 500, { error: 'Internal server error' });
  });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  selfHost = `127.0.0.1:${address.port}`;
  console.log(`> Dashboard ready: http://${selfHost}/`);
});

function stop() {
  for (const t of timers) clearTimeout(t);
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
