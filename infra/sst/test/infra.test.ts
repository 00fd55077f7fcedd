import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  attachBackfillPolicy,
  attachTaskStoppedRule,
  backfillPermissions,
  bundleKey,
  createDashboard,
  createFargateRunner,
  createMigrationBundle,
  createTable,
  type MigrationBundle,
} from "../src/index.js";
import { ACCOUNT, FakeFileAsset, REGION, fakeSst, resolveDeep } from "./fake-sst.js";

const DIGEST_IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/auric-migrate-runner@sha256:${"ab".repeat(32)}`;
let dir: string;
let zip: string;
let sha: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "auric-sst-"));
  zip = join(dir, "bundle.zip");
  writeFileSync(zip, "PK\u0003\u0004 not really a zip, but bytes to hash");
  sha = createHash("sha256").update("PK\u0003\u0004 not really a zip, but bytes to hash").digest("hex");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ARN_STAR = (v: unknown) => JSON.stringify(resolveDeep(v)).includes('"*"');

describe("createTable", () => {
  test("pk/sk, gsi1 (gsi1pk/gsi1sk, ALL), on demand, PITR and deletion protection by default", () => {
    const f = fakeSst();
    createTable({ sst: f.sst });
    const t = f.one("sst.aws.Dynamo");
    expect(t.name).toBe("MigrationsTable");
    expect(t.args.fields).toEqual({ pk: "string", sk: "string", gsi1pk: "string", gsi1sk: "string" });
    expect(t.args.primaryIndex).toEqual({ hashKey: "pk", rangeKey: "sk" });
    expect(t.args.globalIndexes).toEqual({ gsi1: { hashKey: "gsi1pk", rangeKey: "gsi1sk", projection: "all" } });
    const args: Record<string, unknown> = {};
    t.args.transform.table(args);
    expect(args).toEqual({ billingMode: "PAY_PER_REQUEST", pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true });
  });
  test("options", () => {
    const f = fakeSst();
    createTable({ sst: f.sst, name: "Other", deletionProtection: false, pointInTimeRecovery: false });
    const t = f.one("sst.aws.Dynamo");
    const args: Record<string, unknown> = {};
    t.args.transform.table(args);
    expect(t.name).toBe("Other");
    expect(args).toMatchObject({ pointInTimeRecovery: { enabled: false }, deletionProtectionEnabled: false });
  });
});

describe("createMigrationBundle", () => {
  test("runs auric-migrate-bundle into <cwd>/.sst/migrations-bundle/bundle.zip and keys the upload by its sha256", async () => {
    const f = fakeSst();
    const calls: [string, string[], string][] = [];
    const bundle = await createMigrationBundle({
      sst: f.sst,
      platform: f.platform,
      entryPoint: "build/my-migrations",
      cwd: dir,
      run: (cmd, args, cwd) => {
        calls.push([cmd, args, cwd]);
        writeFileSync(args[3]!, "PK\u0003\u0004 not really a zip, but bytes to hash");
      },
    });
    const out = join(dir, ".sst", "migrations-bundle", "bundle.zip");
    expect(calls).toEqual([["auric-migrate-bundle", ["--entry", join(dir, "build/my-migrations"), "--out", out], dir]]);
    expect(bundle.sha256).toBe(sha);
    expect(bundle.key).toBe(`bundles/bundle-${sha}.zip`);
    expect(bundle.file).toBe(out);
    expect(resolveDeep(bundle.url)).toBe(`s3://migrationbundlebucket-abc123/bundles/bundle-${sha}.zip`);
  });

  test("creates a versioned bucket, the object (retained on delete), and a linkable granting only s3:GetObject on the key", async () => {
    const f = fakeSst();
    await createMigrationBundle({ sst: f.sst, platform: f.platform, bundleFile: zip });
    const bucket = f.one("sst.aws.Bucket");
    expect(bucket.name).toBe("MigrationBundleBucket");
    expect(bucket.args).toEqual({ versioning: true });
    const obj = f.one("aws.s3.BucketObjectv2");
    expect(obj.name).toBe(`MigrationBundleObject-${sha.slice(0, 8)}`);
    expect(resolveDeep(obj.args.bucket)).toBe("migrationbundlebucket-abc123");
    expect(obj.args.key).toBe(`bundles/bundle-${sha}.zip`);
    expect(obj.args.contentType).toBe("application/zip");
    expect(obj.args.serverSideEncryption).toBe("AES256");
    expect(obj.args.source).toBeInstanceOf(FakeFileAsset);
    expect((obj.args.source as FakeFileAsset).path).toBe(zip);
    // The reference deleted the previous bundle on the next deploy; rollbacks need it.
    expect(obj.opts).toEqual({ retainOnDelete: true });
    const link = f.one("sst.Linkable");
    expect(link.name).toBe("MigrationBundle");
    expect(resolveDeep(link.args)).toEqual({
      properties: {
        url: `s3://migrationbundlebucket-abc123/bundles/bundle-${sha}.zip`,
        sha256: sha,
        bucket: "migrationbundlebucket-abc123",
        key: `bundles/bundle-${sha}.zip`,
      },
      include: [{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::migrationbundlebucket-abc123/bundles/bundle-${sha}.zip`] }],
    });
  });

  test("an existing bucket, another prefix and key prefix", async () => {
    const f = fakeSst();
    const bucket = new f.sst.aws.Bucket("Mine");
    const b = await createMigrationBundle({ sst: f.sst, platform: f.platform, bundleFile: zip, bucket, namePrefix: "Mig", keyPrefix: "team/x" });
    expect(f.find("sst.aws.Bucket").map((c) => c.name)).toEqual(["Mine"]);
    expect(b.key).toBe(`team/x/bundle-${sha}.zip`);
    expect(f.one("aws.s3.BucketObjectv2").name).toBe(`MigObject-${sha.slice(0, 8)}`);
    expect(f.one("sst.Linkable").name).toBe("Mig");
  });

  test("the same bytes give the same key; different bytes another", async () => {
    const a = await createMigrationBundle({ sst: fakeSst().sst, platform: fakeSst().platform, bundleFile: zip });
    const b = await createMigrationBundle({ sst: fakeSst().sst, platform: fakeSst().platform, bundleFile: zip });
    expect(a.key).toBe(b.key);
    writeFileSync(zip, "other");
    const c = await createMigrationBundle({ sst: fakeSst().sst, platform: fakeSst().platform, bundleFile: zip });
    expect(c.key).not.toBe(a.key);
    expect(c.key).toMatch(/^bundles\/bundle-[0-9a-f]{64}\.zip$/);
  });

  test("bundleKey refuses what is not a sha256; a bundler failure is reported", async () => {
    expect(() => bundleKey("ABC")).toThrow(/sha256/);
    await expect(createMigrationBundle({ sst: fakeSst().sst, platform: fakeSst().platform })).rejects.toThrow(/entryPoint/);
    await expect(
      createMigrationBundle({ sst: fakeSst().sst, platform: fakeSst().platform, entryPoint: "x", cwd: dir, bundleCommand: join(dir, "no-such-bundler") }),
    ).rejects.toThrow(/bundle failed/);
  });
});

describe("createFargateRunner", () => {
  let bundle: MigrationBundle;
  let f: ReturnType<typeof fakeSst>;
  beforeEach(async () => {
    f = fakeSst();
    bundle = await createMigrationBundle({ sst: f.sst, platform: f.platform, bundleFile: zip });
  });

  test("defaults: a VPC, a cluster on it, the task with 1 vCPU / 2 GB / arm64", () => {
    const r = createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE });
    expect(f.one("sst.aws.Vpc").name).toBe("MigrationVpc");
    const cluster = f.one("sst.aws.Cluster");
    expect(cluster.name).toBe("MigrationCluster");
    expect(cluster.args.vpc).toBe(r.vpc);
    const task = f.one("sst.aws.Task");
    expect(task.name).toBe("MigrationTask");
    expect(task.args).toMatchObject({ cluster: r.cluster, image: DIGEST_IMAGE, cpu: "1 vCPU", memory: "2 GB", architecture: "arm64" });
    expect(task.args.storage).toBeUndefined();
  });

  test("with a cluster: no VPC at all (the reference made an unused one)", () => {
    const cluster = new f.sst.aws.Cluster("Shared", {});
    const r = createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE, cluster });
    expect(f.find("sst.aws.Vpc")).toEqual([]);
    expect(f.find("sst.aws.Cluster").map((c) => c.name)).toEqual(["Shared"]);
    expect(r.vpc).toBeUndefined();
    expect(f.one("sst.aws.Task").args.cluster).toBe(cluster);
  });

  test("a given VPC is used for the created cluster", () => {
    const vpc = new f.sst.aws.Vpc("Net");
    createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE, vpc, namePrefix: "Mig", cpu: "2 vCPU", memory: "4 GB", architecture: "x86_64", storage: "50 GB" });
    expect(f.find("sst.aws.Vpc").map((c) => c.name)).toEqual(["Net"]);
    expect(f.one("sst.aws.Cluster").args.vpc).toBe(vpc);
    expect(f.one("sst.aws.Task").name).toBe("MigTask");
    expect(f.one("sst.aws.Task").args).toMatchObject({ cpu: "2 vCPU", memory: "4 GB", architecture: "x86_64", storage: "50 GB" });
  });

  test("the image is required and must be pinned by digest", () => {
    expect(() => createFargateRunner({ sst: f.sst, platform: f.platform })).toThrow(/pass `image`.*pinned by digest/);
    expect(() => createFargateRunner({ sst: f.sst, platform: f.platform, image: "docker.io/acme/runner:1" })).toThrow(/not pinned by digest/);
    expect(() => createFargateRunner({ sst: f.sst, platform: f.platform, image: "docker.io/acme/runner:1", allowUnpinnedImage: true })).not.toThrow();
  });

  test("with a bundle: its linkable first, and MIGRATION_BUNDLE_URL / MIGRATION_BUNDLE_SHA256 override the consumer's", () => {
    const mine = { name: "my-link" };
    createFargateRunner({
      sst: f.sst,
      platform: f.platform,
      image: DIGEST_IMAGE,
      bundle,
      link: [mine],
      environment: { FOO: "bar", MIGRATION_BUNDLE_URL: "s3://evil/x", MIGRATION_BUNDLE_SHA256: "0" },
    });
    const task = f.one("sst.aws.Task");
    expect(task.args.link).toEqual([bundle.linkable, mine]);
    expect(resolveDeep(task.args.environment)).toEqual({
      FOO: "bar",
      MIGRATION_BUNDLE_URL: `s3://migrationbundlebucket-abc123/bundles/bundle-${sha}.zip`,
      MIGRATION_BUNDLE_SHA256: sha,
    });
    // The task's only S3 access is the linkable's s3:GetObject on the exact key.
    expect(task.args.permissions).toEqual([]);
    const s3 = resolveDeep(f.one("sst.Linkable").args.include);
    expect(s3).toEqual([{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::migrationbundlebucket-abc123/bundles/bundle-${sha}.zip`] }]);
  });

  test("with the table: the store URL and exactly the store's actions on the table and gsi1", () => {
    const table = createTable({ sst: f.sst });
    createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE, bundle, table });
    const task = f.one("sst.aws.Task");
    const env = resolveDeep(task.args.environment);
    expect(env.AURIC_MIGRATE_STORE).toBe(`dynamodb:app-dev-MigrationsTable?region=${REGION}`);
    expect(env.AWS_REGION).toBe(REGION);
    const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/app-dev-MigrationsTable`;
    expect(resolveDeep(task.args.permissions)).toEqual([
      {
        actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
        resources: [tableArn, `${tableArn}/index/gsi1`],
      },
    ]);
    expect(task.args.link).toEqual([bundle.linkable]);
  });

  test("the dispatcher gets RunTask on the task definition in this cluster, PassRole on exactly two roles, and nothing of S3", () => {
    const r = createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE, bundle });
    const clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/app-dev-MigrationCluster`;
    expect(resolveDeep(r.dispatcherPermissions)).toEqual([
      {
        actions: ["ecs:RunTask"],
        resources: [`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/app-dev-MigrationTask:3`],
        conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [clusterArn] }],
      },
      {
        actions: ["iam:PassRole"],
        resources: [`arn:aws:iam::${ACCOUNT}:role/app-dev-MigrationTaskTaskRole`, `arn:aws:iam::${ACCOUNT}:role/app-dev-MigrationTaskExecutionRole`],
        conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
      },
      { actions: ["ecs:DescribeTasks"], resources: [`arn:aws:ecs:${REGION}:${ACCOUNT}:task/app-dev-MigrationCluster/*`] },
    ]);
    expect(ARN_STAR(r.dispatcherPermissions)).toBe(false);
    for (const p of r.dispatcherPermissions) for (const a of p.actions) expect(a).not.toMatch(/\*|^s3:/);
    expect(resolveDeep(r.dispatcherEnvironment)).toEqual({
      MIGRATION_DISPATCH: "fargate",
      MIGRATION_CLUSTER: clusterArn,
      MIGRATION_TASK_DEFINITION: "app-dev-MigrationTask",
      MIGRATION_CONTAINER_NAME: "MigrationTask",
      MIGRATION_SUBNETS: "subnet-a,subnet-b",
      MIGRATION_SECURITY_GROUPS: "sg-1",
    });
  });
});

describe("attachTaskStoppedRule", () => {
  test("a rule on this cluster's STOPPED tasks, targeting the dispatcher, invokable only by that rule", async () => {
    const f = fakeSst();
    const cluster = new f.sst.aws.Cluster("MigrationCluster", {});
    const fn = new f.sst.aws.Function("MigrationFn", { handler: "bootstrap" });
    const { rule } = await attachTaskStoppedRule({ platform: f.platform, cluster, dispatcherFn: fn });
    const r = f.one("aws.cloudwatch.EventRule");
    expect(r.name).toBe("MigrationTaskStoppedRule");
    expect(JSON.parse(resolveDeep(r.args.eventPattern))).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { clusterArn: [`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/app-dev-MigrationCluster`], lastStatus: ["STOPPED"] },
    });
    const t = f.one("aws.cloudwatch.EventTarget");
    expect(t.name).toBe("MigrationTaskStoppedTarget");
    expect(resolveDeep(t.args)).toEqual({ rule: "MigrationTaskStoppedRule-x", arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-dev-MigrationFn` });
    const p = f.one("aws.lambda.Permission");
    expect(p.name).toBe("MigrationTaskStoppedPermission");
    expect(resolveDeep(p.args)).toEqual({
      action: "lambda:InvokeFunction",
      function: "app-dev-MigrationFn",
      principal: "events.amazonaws.com",
      sourceArn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/MigrationTaskStoppedRule-x`,
    });
    expect(rule).toBe(r.instance);
  });

  test("a cluster ARN, a family filter and a prefix", async () => {
    const f = fakeSst();
    const fn = new f.sst.aws.Function("MigrationFn", { handler: "bootstrap" });
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/shared`;
    await attachTaskStoppedRule({ platform: f.platform, cluster: arn, dispatcherFn: fn, namePrefix: "Mig", taskFamily: "app-dev-MigrationTask" });
    const r = f.one("aws.cloudwatch.EventRule");
    expect(r.name).toBe("MigTaskStoppedRule");
    expect(JSON.parse(resolveDeep(r.args.eventPattern)).detail).toEqual({
      clusterArn: [arn],
      lastStatus: ["STOPPED"],
      taskDefinitionArn: [{ prefix: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/app-dev-MigrationTask:` }],
    });
    expect(f.one("aws.cloudwatch.EventTarget").name).toBe("MigTaskStoppedTarget");
    expect(f.one("aws.lambda.Permission").name).toBe("MigTaskStoppedPermission");
  });
});

describe("createDashboard", () => {
  const setup = () => {
    const f = fakeSst();
    const table = createTable({ sst: f.sst });
    const migrationFn = new f.sst.aws.Function("MigrationFn", { handler: "bootstrap" });
    return { f, table, migrationFn };
  };

  test("HTTP API + dashboard-api Lambda on provided.al2023 + static site with the API URL", () => {
    const { f, table, migrationFn } = setup();
    const { api, fn } = createDashboard({ sst: f.sst, platform: f.platform, table, migrationFn, bundleDir: "/b", auth: { token: "s3cret-token" }, domain: "m.example.com" });
    const apiRec = f.one("sst.aws.ApiGatewayV2");
    expect(apiRec.name).toBe("MigrationsApi");
    expect(apiRec.args).toEqual({ cors: false });
    expect((api as any).routes).toEqual([{ route: "$default", handler: fn.arn, args: undefined }]);
    const site = f.one("sst.aws.StaticSite");
    expect(site.name).toBe("Migrations");
    expect(site.args.path).toMatch(/\/ui$/);
    expect(site.args.build.output).toBe("_deploy");
    expect(site.args.build.command).toContain('<meta name=\\"auric-api-url\\" content=\\"$AURIC_API_URL\\" />');
    expect(resolveDeep(site.args.environment)).toEqual({ AURIC_API_URL: `https://api123.execute-api.${REGION}.amazonaws.com` });
    expect(site.args.domain).toBe("m.example.com");
    const fnRec = f.find("sst.aws.Function").find((c) => c.name === "MigrationsDashboardFn")!;
    expect(fnRec.args).toMatchObject({ handler: "bootstrap", runtime: "provided.al2023", bundle: "/b", architecture: "arm64" });
  });

  test("environment: mode, store, site origin, bearer token, MIGRATION_FUNCTION_NAME", () => {
    const { f, table, migrationFn } = setup();
    createDashboard({ sst: f.sst, platform: f.platform, table, migrationFn, bundleDir: "/b", auth: { token: "s3cret-token" } });
    const fnRec = f.find("sst.aws.Function").find((c) => c.name === "MigrationsDashboardFn")!;
    expect(resolveDeep(fnRec.args.environment)).toEqual({
      AURIC_LAMBDA_MODE: "dashboard-api",
      AURIC_MIGRATE_STORE: `dynamodb:app-dev-MigrationsTable?region=${REGION}`,
      AURIC_DASHBOARD_ORIGIN: "https://d111111abcdef8.cloudfront.net",
      AURIC_DASHBOARD_TOKEN: "s3cret-token",
      MIGRATION_FUNCTION_NAME: "app-dev-MigrationFn",
    });
  });

  test("permissions: read the table and index, invoke the migration function; nothing linked", () => {
    const { f, table, migrationFn } = setup();
    createDashboard({ sst: f.sst, platform: f.platform, table, migrationFn, bundleDir: "/b", auth: { token: "t" } });
    const fnRec = f.find("sst.aws.Function").find((c) => c.name === "MigrationsDashboardFn")!;
    const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/app-dev-MigrationsTable`;
    expect(resolveDeep(fnRec.args.permissions)).toEqual([
      { actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [tableArn, `${tableArn}/index/gsi1`] },
      { actions: ["lambda:InvokeFunction"], resources: [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-dev-MigrationFn`] },
    ]);
    expect(fnRec.args.link).toBeUndefined();
  });

  test("without a migration function: read-only, no MIGRATION_FUNCTION_NAME", () => {
    const { f, table } = setup();
    createDashboard({ sst: f.sst, platform: f.platform, table, bundleDir: "/b", auth: { disabled: true } });
    const fnRec = f.find("sst.aws.Function").find((c) => c.name === "MigrationsDashboardFn")!;
    const env = resolveDeep(fnRec.args.environment);
    expect(env.MIGRATION_FUNCTION_NAME).toBeUndefined();
    expect(env.AURIC_DASHBOARD_AUTH).toBe("off");
    expect(env.AURIC_DASHBOARD_TOKEN).toBeUndefined();
    expect(fnRec.args.permissions).toHaveLength(1);
  });

  test("auth is required; production is refused unless allowed, and never without auth", () => {
    const { f, table } = setup();
    const base = { sst: f.sst, platform: f.platform, table, bundleDir: "/b" };
    expect(() => createDashboard({ ...base, auth: undefined as never })).toThrow(/auth is required/);
    expect(() => createDashboard({ ...base, auth: { token: "t" }, stage: "production" })).toThrow(/auric-migrate-dashboard/);
    expect(() => createDashboard({ ...base, auth: { disabled: true }, stage: "prod", allowProduction: true })).toThrow(/without authentication/);
    expect(f.find("sst.aws.ApiGatewayV2")).toEqual([]);
    expect(() => createDashboard({ ...base, auth: { token: "t" }, stage: "prod", allowProduction: true })).not.toThrow();
  });
});

describe("backfill permissions", () => {
  const ORDERS = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`;
  const USERS = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/users`;
  const ARCHIVE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders.archive`;
  const SCAN = ["dynamodb:DescribeTable", "dynamodb:Scan"];
  const WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

  test("DescribeTable + Scan on each table and its indexes, the writes on the same tables by default", () => {
    const f = fakeSst();
    const users = createTable({ sst: f.sst, name: "Users" });
    const usersArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/app-dev-Users`;
    expect(resolveDeep(backfillPermissions({ backfillTables: [ORDERS, users] }))).toEqual([
      { actions: SCAN, resources: [ORDERS, usersArn, `${ORDERS}/index/*`, `${usersArn}/index/*`] },
      { actions: WRITE, resources: [ORDERS, usersArn] },
    ]);
  });

  test("other write tables replace the default; no tables, no permissions", () => {
    expect(resolveDeep(backfillPermissions({ backfillTables: [ORDERS], backfillWriteTables: [ORDERS, ARCHIVE] }))).toEqual([
      { actions: SCAN, resources: [ORDERS, `${ORDERS}/index/*`] },
      { actions: WRITE, resources: [ORDERS, ARCHIVE] },
    ]);
    expect(resolveDeep(backfillPermissions({ backfillWriteTables: [ARCHIVE] }))).toEqual([{ actions: WRITE, resources: [ARCHIVE] }]);
    expect(backfillPermissions({})).toEqual([]);
    expect(backfillPermissions({ backfillTables: [] })).toEqual([]);
  });

  test("a table given as a string must be a table ARN without wildcards", () => {
    for (const bad of [
      "orders",
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/*`,
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders*`,
      `arn:aws:dynamodb:*:${ACCOUNT}:table/orders`,
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders/index/*`,
      "*",
    ]) {
      expect(() => backfillPermissions({ backfillTables: [bad] }), bad).toThrow(/not a table ARN without wildcards/);
      expect(() => backfillPermissions({ backfillWriteTables: [bad] }), bad).toThrow(/not a table ARN without wildcards/);
    }
    // A component whose ARN is not a table's is refused too (when its output resolves).
    expect(() => backfillPermissions({ backfillTables: [{ name: fakeSst().platform.util.output("x"), arn: fakeSst().platform.util.output("arn:aws:s3:::x") }] })).toThrow(
      /not a table ARN/,
    );
  });

  test("attachBackfillPolicy: Invoke on the function itself (continuations, lambda:N workers) and the tables, on its role", () => {
    const f = fakeSst();
    const fn = new f.sst.aws.Function("MigrationFn", { handler: "bootstrap" });
    attachBackfillPolicy({ platform: f.platform, fn, backfillTables: [ORDERS], backfillWriteTables: [ARCHIVE] });
    const p = f.one("aws.iam.RolePolicy");
    expect(p.name).toBe("MigrationBackfillPolicy");
    expect(resolveDeep(p.args.role)).toBe("app-dev-MigrationFnRole");
    expect(JSON.parse(resolveDeep(p.args.policy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-dev-MigrationFn`] },
        { Effect: "Allow", Action: SCAN, Resource: [ORDERS, `${ORDERS}/index/*`] },
        { Effect: "Allow", Action: WRITE, Resource: [ARCHIVE] },
      ],
    });
  });

  test("attachBackfillPolicy needs tables and a function with a role", () => {
    const f = fakeSst();
    const fn = new f.sst.aws.Function("MigrationFn", { handler: "bootstrap" });
    expect(() => attachBackfillPolicy({ platform: f.platform, fn })).toThrow(/pass backfillTables/);
    expect(() => attachBackfillPolicy({ platform: f.platform, fn: { name: fn.name, arn: fn.arn }, backfillTables: [ORDERS] })).toThrow(/no role/);
    expect(f.find("aws.iam.RolePolicy")).toEqual([]);
  });

  describe("createFargateRunner", () => {
    test("backfill tables add exactly their grants to the task, after the store's", () => {
      const f = fakeSst();
      const table = createTable({ sst: f.sst });
      createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE, table, backfillTables: [ORDERS, USERS], backfillWriteTables: [ARCHIVE] });
      const perms = resolveDeep(f.one("sst.aws.Task").args.permissions);
      expect(perms.slice(1)).toEqual([
        { actions: SCAN, resources: [ORDERS, USERS, `${ORDERS}/index/*`, `${USERS}/index/*`] },
        { actions: WRITE, resources: [ARCHIVE] },
      ]);
      expect(perms[0].actions).toEqual(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"]);
      expect(ARN_STAR(perms)).toBe(false);
    });

    test("without fargateWorkers the task role can start nothing", () => {
      const f = fakeSst();
      const r = createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE, backfillTables: [ORDERS] });
      expect(f.find("aws.iam.RolePolicy")).toEqual([]);
      expect(r.workersPolicy).toBeUndefined();
      const actions = resolveDeep(f.one("sst.aws.Task").args.permissions).flatMap((p: { actions: string[] }) => p.actions);
      expect(actions.filter((a: string) => /^(ecs|iam):/.test(a))).toEqual([]);
    });

    test("fargateWorkers: RunTask of its own family (any revision) in its cluster, PassRole on its two roles to ECS tasks only", () => {
      const f = fakeSst();
      const r = createFargateRunner({ sst: f.sst, platform: f.platform, image: DIGEST_IMAGE, fargateWorkers: true });
      const p = f.one("aws.iam.RolePolicy");
      expect(r.workersPolicy).toBe(p.instance);
      expect(p.name).toBe("MigrationWorkersPolicy");
      expect(resolveDeep(p.args.role)).toBe("app-dev-MigrationTaskTaskRole");
      expect(JSON.parse(resolveDeep(p.args.policy))).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["ecs:RunTask"],
            Resource: [`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/app-dev-MigrationTask:*`],
            Condition: { ArnEquals: { "ecs:cluster": [`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/app-dev-MigrationCluster`] } },
          },
          {
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: [`arn:aws:iam::${ACCOUNT}:role/app-dev-MigrationTaskTaskRole`, `arn:aws:iam::${ACCOUNT}:role/app-dev-MigrationTaskExecutionRole`],
            Condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com"] } },
          },
        ],
      });
    });
  });
});
