// The table template and the DynamoDB store agree: renders the CreateTable input from
// infra/cloudformation/migrations-table.yaml, then runs `auric_infra_table_tests` (built from
// infra/tests/dynalite), which creates each test's table on dynalite from exactly that input
// and runs the Store conformance suite on it. Then plants a mistake (the GSI renamed) and checks
// that the same test fails.
//
// The binary: $AURIC_INFRA_TABLE_TESTS, else <repo>/build*/infra/tests/dynalite/. Without it the
// check is reported as skipped (exit 0), or fails with --require.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableDefinition } from "./table-definition.mjs";
import { REPO_DIR } from "./lib/templates.mjs";

const BINARY = "auric_infra_table_tests";

export function findBinary() {
  const env = process.env.AURIC_INFRA_TABLE_TESTS;
  if (env) return existsSync(env) ? env : null;
  const candidates = readdirSync(REPO_DIR)
    .filter((d) => d.startsWith("build"))
    .map((d) => join(REPO_DIR, d, "infra", "tests", "dynalite", BINARY))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return candidates[0] ?? null;
}

function run(binary, definition, filter) {
  const dir = mkdtempSync(join(tmpdir(), "auric-infra-table-"));
  const file = join(dir, "migrations-table.json");
  writeFileSync(file, JSON.stringify(definition, null, 2));
  const args = ["--gtest_brief=1", ...(filter ? [`--gtest_filter=${filter}`] : [])];
  let r;
  try {
    r = spawnSync(binary, args, { env: { ...process.env, AURIC_INFRA_TABLE_DEFINITION: file }, encoding: "utf8", timeout: 480_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });  // leave nothing in the temporary folder
  }
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const passed = Number(output.match(/\[  PASSED  \] (\d+) test/)?.[1] ?? 0);
  const failed = (output.match(/^\[  FAILED  \] .* \(\d+ ms\)$/gm) ?? []).length;
  return { status: r.status, passed, failed, output };
}

export function tableConformance({ require = false } = {}) {
  const binary = findBinary();
  if (!binary) {
    const msg = `${BINARY} not found (set AURIC_INFRA_TABLE_TESTS, or build it: add_subdirectory(infra/tests/dynalite) at the top level, then cmake --build <build> --target ${BINARY})`;
    return { skipped: true, ok: !require, message: msg, passed: 0, failed: require ? 1 : 0 };
  }
  const good = run(binary, tableDefinition());
  const ok = good.status === 0 && good.passed > 0;
  // Planted mistake: a template whose index is not the store's must fail.
  const bad = tableDefinition();
  bad.GlobalSecondaryIndexes[0].IndexName = "byExecution";
  const planted = run(binary, bad, "CloudFormationTable.*:*PutStateIsFencedByNewerWriters*:*ExecutionsAreListedNewestFirstAcrossPages*");
  const caught = planted.status !== 0 && planted.failed > 0;
  return {
    skipped: false,
    ok: ok && caught,
    binary,
    passed: good.passed + (caught ? 1 : 0),
    failed: good.failed + (caught ? 0 : 1),
    message: `${good.passed} conformance tests on the template's table passed${good.failed ? `, ${good.failed} failed` : ""}; a planted index mistake ${caught ? "was caught" : "was NOT caught"}`,
    output: ok ? "" : good.output.slice(-4000),
  };
}

if (process.argv[1] && process.argv[1].endsWith("table-conformance.mjs")) {
  const r = tableConformance({ require: process.argv.includes("--require") });
  console.log(r.skipped ? `SKIPPED: ${r.message}` : r.message);
  if (r.output) console.log(r.output);
  process.exit(r.ok ? 0 : 1);
}
