// `npm test` in infra/: the template checks (resource specification + planted mistakes), the
// policy checks, the SST module (npm ci in sst/ when needed, tsc --noEmit, vitest), and the
// table conformance run on dynalite. Prints one summary; exits 1 if anything failed.
// --require-table: fail (instead of skip) when the C++ table conformance binary is missing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INFRA_DIR } from "./lib/templates.mjs";
import { tableConformance } from "./table-conformance.mjs";

const results = [];
// The checks clean up after themselves: what they leave in the temporary folder is a failure.
const leftovers = () => new Set(readdirSync(tmpdir()).filter((n) => /^auric-(sst|infra-table)-/.test(n)));
const before = leftovers();
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function step(name, command, args, cwd, parse) {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" }, timeout: 540_000 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const counts = parse ? parse(output) : { passed: 0, failed: 0 };
  const ok = r.status === 0 && counts.failed === 0;
  results.push({ name, ok, ...counts, seconds: (Date.now() - started) / 1000 });
  if (!ok) {
    console.log(`\n---- ${name}: FAILED (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}) ----`);
    console.log(output.slice(-12000));
  }
  return ok;
}

const nodeTest = (output) => ({
  passed: Number(output.match(/^# pass (\d+)/m)?.[1] ?? 0),
  failed: Number(output.match(/^# fail (\d+)/m)?.[1] ?? 0),
});
const vitest = (output) => ({
  passed: Number(output.match(/Tests\s+(?:\d+ failed \| )?(\d+) passed/)?.[1] ?? 0),
  failed: Number(output.match(/Tests\s+(\d+) failed/)?.[1] ?? 0),
});

step("templates vs the CloudFormation spec", process.execPath, ["--test", "--test-reporter=tap", "tests/templates.test.mjs"], INFRA_DIR, nodeTest);
step("IAM policies", process.execPath, ["--test", "--test-reporter=tap", "tests/policies.test.mjs"], INFRA_DIR, nodeTest);

const sst = join(INFRA_DIR, "sst");
const stamp = join(sst, "node_modules", ".package-lock.json");
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(join(sst, "package-lock.json")).mtimeMs) {
  step("sst: npm ci", npm, ["ci", "--no-audit", "--no-fund"], sst);
}
step("sst: tsc --noEmit", npm, ["exec", "--", "tsc", "--noEmit", "-p", "."], sst);
step("sst: vitest", npm, ["exec", "--", "vitest", "run"], sst, vitest);

const table = tableConformance({ require: process.argv.includes("--require-table") });
results.push({ name: "table template on dynalite (Store conformance)", ok: table.ok, passed: table.passed, failed: table.failed, skipped: table.skipped, note: table.message });
if (!table.ok && table.output) console.log(table.output);

const left = [...leftovers()].filter((n) => !before.has(n));
results.push({ name: "nothing left in the temporary folder", ok: left.length === 0, passed: left.length === 0 ? 1 : 0, failed: left.length, note: left.length ? `left behind in ${tmpdir()}: ${left.join(", ")}` : "" });

console.log("\ninfra checks");
for (const r of results) {
  const status = r.skipped ? "SKIP" : r.ok ? "ok  " : "FAIL";
  const counts = r.passed || r.failed ? `  ${r.passed} passed, ${r.failed} failed` : "";
  console.log(`  ${status}  ${r.name}${counts}${r.seconds ? `  (${r.seconds.toFixed(1)} s)` : ""}`);
  if (r.skipped || (r.note && !r.ok)) console.log(`        ${r.note}`);
}
const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
const failed = results.filter((r) => !r.ok).length;
console.log(`\n${failed ? "FAILED" : "PASSED"}: ${passed} tests passed${failed ? `, ${failed} step(s) failed` : ""}`);
process.exit(failed ? 1 : 0);
