// auric-migrations for SST v3 users: the reference's infra helpers (createTable,
// createMigrationBundle, createFargateRunner, attachTaskStoppedRule, createDashboard) adapted to
// the C++ bundle: a deterministic zip made by `auric-migrate-bundle` whose Lambda runtime is
// provided.al2023 (handler `bootstrap`), stored under the content-addressed key
// bundles/bundle-<sha256>.zip. Least privilege: nothing is linked where linking would grant
// more than the runner needs (SST links grant e.g. dynamodb:* on a table); explicit
// permissions are used instead.
//
// Everything SST/Pulumi is injected: `sst` (as in the reference) and `platform` ({aws, util}),
// which defaults to the SST globals `aws` and `$util`. See types.ts.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  ClusterLike,
  FunctionLike,
  Input,
  OutputLike,
  Permission,
  Platform,
  Sst,
  StaticSiteLike,
  TableLike,
  TaskLike,
  VpcLike,
  ApiLike,
  BucketLike,
} from "./types.js";

export type * from "./types.js";

/** Store keys of the dynamodb: backend (docs/table-design.md, src/store/dynamodb_items.hpp). */
export const TABLE_KEYS = { pk: "pk", sk: "sk", gsi: "gsi1", gsiPk: "gsi1pk", gsiSk: "gsi1sk" } as const;
/** What the runner does with the table at run time (no CreateTable: `init` is the deployer's). */
export const STORE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"];
export const DASHBOARD_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query"];
export const DEFAULT_KEY_PREFIX = "bundles/";
export const LAMBDA_RUNTIME = "provided.al2023";
export const LAMBDA_HANDLER = "bootstrap";
/** A runner image must be pinned by digest: `registry/repo@sha256:<64 hex>`. */
export const PINNED_IMAGE = /^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$/;
/** What ctx.backfill does with the tables it scans: the key schema and size, then Scan (of the table or an index). */
export const BACKFILL_SCAN_ACTIONS = ["dynamodb:DescribeTable", "dynamodb:Scan"];
/** The item writes a backfill's fn returns (the engine writes item by item with conditions, never BatchWriteItem). */
export const BACKFILL_WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];
/** A DynamoDB table ARN, without wildcards: what a backfill table given as a string must be. */
export const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table\/[A-Za-z0-9_.-]{3,255}$/;

/** The SST globals as a Platform (inside sst.config.ts `run()`). */
export function platformFromGlobals(): Platform {
  const g = globalThis as unknown as { aws?: Platform["aws"]; $util?: Platform["util"] };
  if (!g.aws || !g.$util) {
    throw new Error("auric-migrations infra: no `aws`/`$util` globals; call inside sst.config.ts run(), or pass `platform: { aws, util: $util }`");
  }
  return { aws: g.aws, util: g.$util };
}

/** The content-addressed key of a bundle. */
export function bundleKey(sha256: string, keyPrefix = DEFAULT_KEY_PREFIX): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a lowercase hex sha256: ${sha256}`);
  const prefix = keyPrefix === "" || keyPrefix.endsWith("/") ? keyPrefix : `${keyPrefix}/`;
  return `${prefix}bundle-${sha256}.zip`;
}

const tableArns = (util: Platform["util"], table: TableLike): Input<string>[] => [table.arn, util.interpolate`${table.arn}/index/${TABLE_KEYS.gsi}`];

const storeUrl = (util: Platform["util"], table: TableLike, region: Input<string>) => util.interpolate`dynamodb:${table.name}?region=${region}`;

// ---- backfill permissions -------------------------------------------------------------------

/**
 * A table a backfill scans or writes: a table component (`sst.aws.Dynamo`, or
 * `aws.dynamodb.getTableOutput({ name })` for a table of another app), or its ARN.
 */
export type BackfillTable = TableLike | string;

export interface BackfillTablesOptions {
  /** The tables `ctx.backfill` scans: DescribeTable and Scan on each and on its indexes (`<arn>/index/*`). */
  backfillTables?: BackfillTable[];
  /** The tables the backfills write (PutItem, UpdateItem, DeleteItem). Default: `backfillTables`. */
  backfillWriteTables?: BackfillTable[];
}

const checkTableArn = (arn: string): string => {
  if (!TABLE_ARN.test(arn)) throw new Error(`backfill table ${arn} is not a table ARN without wildcards (arn:aws:dynamodb:<region>:<account>:table/<name>)`);
  return arn;
};
const backfillTableArn = (t: BackfillTable): Input<string> => (typeof t === "string" ? checkTableArn(t) : t.arn.apply(checkTableArn));
const backfillIndexArns = (t: BackfillTable): Input<string> =>
  typeof t === "string" ? `${checkTableArn(t)}/index/*` : t.arn.apply((a) => `${checkTableArn(a)}/index/*`);

/**
 * What ctx.backfill needs on the tables it is given (docs/backfills.md), and nothing without
 * tables: DescribeTable + Scan on each scanned table and its indexes, the item writes on the
 * written tables. For the migration function's `permissions` (a run on Lambda, and its lambda:N
 * workers, which also need Invoke on the function itself: attachBackfillPolicy grants both).
 */
export function backfillPermissions(options: BackfillTablesOptions): Permission[] {
  const scanned = options.backfillTables ?? [];
  const written = options.backfillWriteTables ?? scanned;
  const permissions: Permission[] = [];
  if (scanned.length) {
    permissions.push({ actions: [...BACKFILL_SCAN_ACTIONS], resources: [...scanned.map(backfillTableArn), ...scanned.map(backfillIndexArns)] });
  }
  if (written.length) permissions.push({ actions: [...BACKFILL_WRITE_ACTIONS], resources: written.map(backfillTableArn) });
  return permissions;
}

/** An IAM policy document (JSON, outputs resolved) of SST permissions. */
function policyDocument(util: Platform["util"], permissions: Permission[]): OutputLike<string> {
  return util.jsonStringify({
    Version: "2012-10-17",
    Statement: permissions.map((p) => {
      const condition: Record<string, Record<string, Input<string>[]>> = {};
      for (const c of p.conditions ?? []) (condition[c.test] ??= {})[c.variable] = c.values;
      return {
        Effect: p.effect === "deny" ? "Deny" : "Allow",
        Action: p.actions,
        Resource: p.resources,
        ...(p.conditions?.length ? { Condition: condition } : {}),
      };
    }),
  });
}

// ---- createTable ----------------------------------------------------------------------------

export interface CreateTableOptions {
  sst: Sst;
  /** Default `MigrationsTable` (what auric-migrate-dashboard discovers). */
  name?: string;
  /** Default true. */
  deletionProtection?: boolean;
  /** Default true. */
  pointInTimeRecovery?: boolean;
}

/** The migrations table: keys pk/sk, GSI gsi1 (gsi1pk/gsi1sk, projection ALL), on demand. */
export function createTable(options: CreateTableOptions): TableLike {
  const { sst, name = "MigrationsTable", deletionProtection = true, pointInTimeRecovery = true } = options;
  return new sst.aws.Dynamo(name, {
    fields: { pk: "string", sk: "string", gsi1pk: "string", gsi1sk: "string" },
    primaryIndex: { hashKey: TABLE_KEYS.pk, rangeKey: TABLE_KEYS.sk },
    globalIndexes: { [TABLE_KEYS.gsi]: { hashKey: TABLE_KEYS.gsiPk, rangeKey: TABLE_KEYS.gsiSk, projection: "all" } },
    deletionProtection,
    transform: {
      table: (args: Record<string, unknown>) => {
        args.billingMode = "PAY_PER_REQUEST";
        args.pointInTimeRecovery = { enabled: pointInTimeRecovery };
        args.deletionProtectionEnabled = deletionProtection;
      },
    },
  });
}

// ---- createMigrationBundle ------------------------------------------------------------------

export interface CreateMigrationBundleOptions {
  sst: Sst;
  platform?: Platform;
  /** The migrations binary to bundle with `auric-migrate-bundle --entry`. */
  entryPoint?: string;
  /** Or a zip already made by auric-migrate-bundle (then nothing is run). */
  bundleFile?: string;
  bucket?: BucketLike;
  cwd?: string;
  /** Default `MigrationBundle`. */
  namePrefix?: string;
  /** Default `<cwd>/.sst/migrations-bundle`. */
  localOutDir?: string;
  /** Default `bundles/`. */
  keyPrefix?: string;
  /** Default `auric-migrate-bundle` (on PATH). */
  bundleCommand?: string;
  /** Runs the bundler (tests inject one). Default: spawnSync, throwing on failure. */
  run?: (command: string, args: string[], cwd: string) => void;
}

export interface MigrationBundle {
  bucket: BucketLike;
  key: string;
  url: OutputLike<string>;
  sha256: string;
  file: string;
  object: unknown;
  linkable: unknown;
}

function defaultRun(command: string, args: string[], cwd: string): void {
  const r = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (r.error) throw new Error(`bundle failed: cannot run ${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`bundle failed: ${command} exited with ${r.status}`);
}

export async function createMigrationBundle(options: CreateMigrationBundleOptions): Promise<MigrationBundle> {
  const { sst } = options;
  const { aws, util } = options.platform ?? platformFromGlobals();
  const cwd = resolve(options.cwd ?? process.cwd());
  const prefix = options.namePrefix ?? "MigrationBundle";
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  let file: string;
  if (options.bundleFile) {
    file = resolve(cwd, options.bundleFile);
  } else {
    if (!options.entryPoint) throw new Error("createMigrationBundle: pass entryPoint (the migrations binary) or bundleFile (a zip)");
    const outDir = resolve(cwd, options.localOutDir ?? join(".sst", "migrations-bundle"));
    mkdirSync(outDir, { recursive: true });
    file = join(outDir, "bundle.zip");
    (options.run ?? defaultRun)(options.bundleCommand ?? "auric-migrate-bundle", ["--entry", resolve(cwd, options.entryPoint), "--out", file], cwd);
  }
  // Deterministic bundles: same input, same hash, same key; a no-op deploy changes nothing.
  const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  const key = bundleKey(sha256, keyPrefix);
  const bucket = options.bucket ?? new sst.aws.Bucket(`${prefix}Bucket`, { versioning: true });
  const object = new aws.s3.BucketObjectv2(
    `${prefix}Object-${sha256.slice(0, 8)}`,
    {
      bucket: bucket.name,
      key,
      source: new util.asset.FileAsset(file),
      contentType: "application/zip",
      serverSideEncryption: "AES256",
    },
    // A new bundle gets a new resource; the old object must stay (rollbacks by key), so
    // Pulumi forgets it instead of deleting it.
    { retainOnDelete: true },
  );
  const url = util.interpolate`s3://${bucket.name}/${key}`;
  const linkable = new sst.Linkable(prefix, {
    properties: { url, sha256, bucket: bucket.name, key },
    include: [{ actions: ["s3:GetObject"], resources: [util.interpolate`${bucket.arn}/${key}`] }],
  });
  return { bucket, key, url, sha256, file, object, linkable };
}

// ---- createFargateRunner --------------------------------------------------------------------

export interface CreateFargateRunnerOptions {
  sst: Sst;
  platform?: Platform;
  /** The runner image (entrypoint auric-migrate-runner), pinned by digest. Required. */
  image?: string;
  /** Accept a tag instead of a digest (development only). Default false. */
  allowUnpinnedImage?: boolean;
  bundle?: MigrationBundle;
  link?: unknown[];
  environment?: Record<string, Input<string>>;
  vpc?: VpcLike;
  cluster?: ClusterLike;
  /** The migrations table: AURIC_MIGRATE_STORE plus exactly the store's DynamoDB actions. */
  table?: TableLike;
  /** The tables the task's backfills scan (DescribeTable, Scan on them and their indexes). */
  backfillTables?: BackfillTable[];
  /** The tables the task's backfills write (PutItem, UpdateItem, DeleteItem). Default: `backfillTables`. */
  backfillWriteTables?: BackfillTable[];
  /**
   * fargate:N backfill workers: the task role may start tasks of its own family (any revision)
   * in the cluster and pass exactly the task and execution roles to them. Default false.
   */
  fargateWorkers?: boolean;
  /** Default `1 vCPU`. */
  cpu?: string;
  /** Default `2 GB`. */
  memory?: string;
  /** Default `arm64`. */
  architecture?: "arm64" | "x86_64";
  storage?: string;
  /** Default `Migration`. */
  namePrefix?: string;
}

export interface FargateRunner {
  vpc?: VpcLike;
  cluster: ClusterLike;
  task: TaskLike;
  /** Exactly what the dispatcher (the migration Lambda) needs: add to its `permissions`. */
  dispatcherPermissions: Permission[];
  /** The dispatcher's environment: add to the migration Lambda's `environment`. */
  dispatcherEnvironment: Record<string, Input<string>>;
  /** With `fargateWorkers`: the task role's policy that starts the workers. */
  workersPolicy?: unknown;
}

export function createFargateRunner(options: CreateFargateRunnerOptions): FargateRunner {
  const { sst } = options;
  const { aws, util } = options.platform ?? platformFromGlobals();
  const prefix = options.namePrefix ?? "Migration";
  const image = options.image;
  if (!image) {
    throw new Error(
      "createFargateRunner: pass `image`, the auric-migrate-runner image pinned by digest (registry/repo@sha256:...); build it from deploy/runner/Dockerfile and push it to your registry (docs/deploy.md)",
    );
  }
  if (!options.allowUnpinnedImage && !PINNED_IMAGE.test(image)) {
    throw new Error(`createFargateRunner: image ${image} is not pinned by digest (registry/repo@sha256:<64 hex>); a tag can be moved to other code`);
  }
  // A VPC only when a cluster has to be created and none was given (the reference made one
  // even when a cluster was passed, and never used it).
  const vpc = options.cluster ? options.vpc : (options.vpc ?? new sst.aws.Vpc(`${prefix}Vpc`));
  const cluster = options.cluster ?? new sst.aws.Cluster(`${prefix}Cluster`, { vpc });

  const environment: Record<string, Input<string>> = { ...(options.environment ?? {}) };
  const permissions: Permission[] = [];
  const link = [...(options.link ?? [])];
  if (options.table) {
    const region = aws.getRegionOutput().name;
    environment.AURIC_MIGRATE_STORE = storeUrl(util, options.table, region);
    environment.AWS_REGION = region;
    permissions.push({ actions: [...STORE_ACTIONS], resources: tableArns(util, options.table) });
  }
  permissions.push(...backfillPermissions(options));
  if (options.bundle) {
    link.unshift(options.bundle.linkable);
    environment.MIGRATION_BUNDLE_URL = options.bundle.url;
    environment.MIGRATION_BUNDLE_SHA256 = options.bundle.sha256;
  }
  const taskName = `${prefix}Task`;
  const task = new sst.aws.Task(taskName, {
    cluster,
    image,
    link,
    environment,
    permissions,
    cpu: options.cpu ?? "1 vCPU",
    memory: options.memory ?? "2 GB",
    architecture: options.architecture ?? "arm64",
    ...(options.storage ? { storage: options.storage } : {}),
  });

  const clusterArn = cluster.nodes.cluster.arn;
  const dispatcherPermissions: Permission[] = [
    {
      actions: ["ecs:RunTask"],
      resources: [task.nodes.taskDefinition.arn],
      conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [clusterArn] }],
    },
    {
      actions: ["iam:PassRole"],
      resources: [task.nodes.taskRole.arn, task.nodes.executionRole.arn],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
    },
    {
      actions: ["ecs:DescribeTasks"],
      resources: [clusterArn.apply((arn) => `${arn.replace(":cluster/", ":task/")}/*`)],
    },
  ];
  const dispatcherEnvironment: Record<string, Input<string>> = {
    MIGRATION_DISPATCH: "fargate",
    MIGRATION_CLUSTER: clusterArn,
    MIGRATION_TASK_DEFINITION: task.nodes.taskDefinition.family,
    MIGRATION_CONTAINER_NAME: taskName,
  };
  if (vpc?.privateSubnets) dispatcherEnvironment.MIGRATION_SUBNETS = vpc.privateSubnets.apply((s) => s.join(","));
  if (vpc?.securityGroups) dispatcherEnvironment.MIGRATION_SECURITY_GROUPS = vpc.securityGroups.apply((s) => s.join(","));

  // fargate:N workers: a coordinating task starts tasks of its own family. Any revision
  // (":*"): a coordinator keeps starting the revision it runs, which is not the latest while a
  // deploy replaces it. A policy of its own, since the role cannot name itself when created.
  let workersPolicy: unknown;
  if (options.fargateWorkers) {
    const family = task.nodes.taskDefinition.arn.apply((arn) => {
      const m = /^(arn:[^:]+:ecs:[^:]+:[0-9]{12}:task-definition\/[A-Za-z0-9_-]+):[0-9]+$/.exec(arn);
      if (!m) throw new Error(`createFargateRunner: unexpected task definition ARN ${arn}`);
      return `${m[1]}:*`;
    });
    workersPolicy = new aws.iam.RolePolicy(`${prefix}WorkersPolicy`, {
      role: task.nodes.taskRole.name,
      policy: policyDocument(util, [
        { actions: ["ecs:RunTask"], resources: [family], conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [clusterArn] }] },
        {
          actions: ["iam:PassRole"],
          resources: [task.nodes.taskRole.arn, task.nodes.executionRole.arn],
          conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
        },
      ]),
    });
  }
  return { vpc, cluster, task, dispatcherPermissions, dispatcherEnvironment, workersPolicy };
}

// ---- attachBackfillPolicy -------------------------------------------------------------------

export interface AttachBackfillPolicyOptions extends BackfillTablesOptions {
  platform?: Platform;
  /** The migration function (its role gets the policy). */
  fn: FunctionLike;
  /** Default `Migration`. */
  namePrefix?: string;
}

/**
 * The migration function's backfill grants, as a policy on its role (a function cannot name
 * itself in its own `permissions`): Invoke on itself (continuation hops, and the lambda:N
 * workers it starts and that continue themselves) and backfillPermissions on the tables.
 */
export function attachBackfillPolicy(options: AttachBackfillPolicyOptions): unknown {
  const { util, aws } = options.platform ?? platformFromGlobals();
  const role = options.fn.nodes?.role;
  if (!role) throw new Error("attachBackfillPolicy: the function has no role node (nodes.role); pass an sst.aws.Function");
  const tables = backfillPermissions(options);
  if (!tables.length) throw new Error("attachBackfillPolicy: pass backfillTables (and backfillWriteTables for other tables written)");
  return new aws.iam.RolePolicy(`${options.namePrefix ?? "Migration"}BackfillPolicy`, {
    role: role.name,
    policy: policyDocument(util, [{ actions: ["lambda:InvokeFunction"], resources: [options.fn.arn] }, ...tables]),
  });
}

// ---- attachTaskStoppedRule ------------------------------------------------------------------

export interface AttachTaskStoppedRuleOptions {
  platform?: Platform;
  /** The runner's cluster (or its ARN). */
  cluster: ClusterLike | Input<string>;
  /** The migration function (dispatcher): receives the events. */
  dispatcherFn: FunctionLike;
  /** Only this task definition family's tasks (e.g. runner.task.nodes.taskDefinition.family). */
  taskFamily?: Input<string>;
  /** Default `Migration`. */
  namePrefix?: string;
}

const isCluster = (c: unknown): c is ClusterLike => typeof c === "object" && c !== null && "nodes" in c;

export async function attachTaskStoppedRule(options: AttachTaskStoppedRuleOptions) {
  const { aws, util } = options.platform ?? platformFromGlobals();
  const prefix = options.namePrefix ?? "Migration";
  const clusterArn = isCluster(options.cluster) ? options.cluster.nodes.cluster.arn : util.output(options.cluster as Input<string>);
  const detail: Record<string, unknown> = { clusterArn: [clusterArn], lastStatus: ["STOPPED"] };
  if (options.taskFamily !== undefined) {
    // arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>
    detail.taskDefinitionArn = [
      { prefix: util.interpolate`${clusterArn.apply((a) => a.split(":cluster/")[0])}:task-definition/${options.taskFamily}:` },
    ];
  }
  const rule = new aws.cloudwatch.EventRule(`${prefix}TaskStoppedRule`, {
    description: "Stopped auric-migrations runner tasks, to the migration function",
    eventPattern: util.jsonStringify({ source: ["aws.ecs"], "detail-type": ["ECS Task State Change"], detail }),
  });
  const target = new aws.cloudwatch.EventTarget(`${prefix}TaskStoppedTarget`, { rule: rule.name, arn: options.dispatcherFn.arn });
  const permission = new aws.lambda.Permission(`${prefix}TaskStoppedPermission`, {
    action: "lambda:InvokeFunction",
    function: options.dispatcherFn.name,
    principal: "events.amazonaws.com",
    sourceArn: rule.arn,
  });
  return { rule, target, permission };
}

// ---- createDashboard ------------------------------------------------------------------------

export type DashboardAuth = { token: Input<string> } | { disabled: true };

export interface CreateDashboardOptions {
  sst: Sst;
  platform?: Platform;
  table: TableLike;
  /** Directory holding the unpacked bundle (`bootstrap` at its top), e.g. `unzip bundle.zip -d dir`. */
  bundleDir: string;
  migrationFn?: FunctionLike;
  domain?: string | Record<string, unknown>;
  /** Bearer secret of the API (e.g. `new sst.Secret("DashboardToken").value`), or `{disabled: true}`. Required. */
  auth: DashboardAuth;
  /** `$app.stage`: "prod"/"production" are refused unless allowProduction. */
  stage?: string;
  allowProduction?: boolean;
  /** The UI package (with a built dist/). Default: this repository's ui/. */
  siteDir?: string;
  architecture?: "arm64" | "x86_64";
}

export const PRODUCTION_STAGES = /^(prod|production)$/;
const here = dirname(fileURLToPath(import.meta.url));

/** The shell step that writes the API origin into the built site. */
export const SITE_BUILD_COMMAND =
  'rm -rf _deploy && cp -R dist _deploy && sed -i.bak "s#<meta name=\\"auric-api-url\\" content=\\"\\" />#<meta name=\\"auric-api-url\\" content=\\"$AURIC_API_URL\\" />#" _deploy/index.html && rm _deploy/index.html.bak';

export function createDashboard(options: CreateDashboardOptions): { api: ApiLike; site: StaticSiteLike; fn: FunctionLike } {
  const { sst, table } = options;
  const { aws, util } = options.platform ?? platformFromGlobals();
  if (options.stage !== undefined && PRODUCTION_STAGES.test(options.stage) && !options.allowProduction) {
    throw new Error(
      `createDashboard: no deployed dashboard in stage ${options.stage}; use the local auric-migrate-dashboard with your SSO identity, or pass allowProduction: true`,
    );
  }
  if (!options.auth || (!("token" in options.auth) && !("disabled" in options.auth && options.auth.disabled === true))) {
    throw new Error("createDashboard: auth is required: { token } (the bearer secret) or { disabled: true }");
  }
  if ("disabled" in options.auth && options.stage !== undefined && PRODUCTION_STAGES.test(options.stage)) {
    throw new Error("createDashboard: a production dashboard cannot run without authentication");
  }

  // CORS is answered by the Lambda for the site origin only; API Gateway adds none.
  const api = new sst.aws.ApiGatewayV2("MigrationsApi", { cors: false });
  const site = new sst.aws.StaticSite("Migrations", {
    path: options.siteDir ?? resolve(here, "..", "..", "..", "ui"),
    build: { command: SITE_BUILD_COMMAND, output: "_deploy" },
    environment: { AURIC_API_URL: api.url },
    ...(options.domain ? { domain: options.domain } : {}),
  });

  const region = aws.getRegionOutput().name;
  const environment: Record<string, Input<string>> = {
    AURIC_LAMBDA_MODE: "dashboard-api",
    AURIC_MIGRATE_STORE: storeUrl(util, table, region),
    AURIC_DASHBOARD_ORIGIN: site.url.apply((u) => new URL(u).origin),
  };
  if ("token" in options.auth) environment.AURIC_DASHBOARD_TOKEN = options.auth.token;
  else environment.AURIC_DASHBOARD_AUTH = "off";
  const permissions: Permission[] = [{ actions: [...DASHBOARD_TABLE_ACTIONS], resources: tableArns(util, table) }];
  if (options.migrationFn) {
    environment.MIGRATION_FUNCTION_NAME = options.migrationFn.name;
    permissions.push({ actions: ["lambda:InvokeFunction"], resources: [options.migrationFn.arn] });
  }
  const fnArgs = {
    handler: LAMBDA_HANDLER,
    runtime: LAMBDA_RUNTIME,
    bundle: options.bundleDir,
    architecture: options.architecture ?? "arm64",
    timeout: "29 seconds",
    memory: "512 MB",
    environment,
    permissions,
  };
  const fn = new sst.aws.Function("MigrationsDashboardFn", fnArgs);
  api.route("$default", fn.arn);
  return { api, site, fn };
}
