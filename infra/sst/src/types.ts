// The slice of SST v3 and Pulumi that this module calls, described locally so that the module
// type-checks and unit-tests without installing `sst` or `@pulumi/*`. In an SST app, pass the
// globals: `{ sst, aws, $util }` (see index.ts, `platformFromGlobals`).

/** A Pulumi Output (or anything with `apply`). */
export interface OutputLike<T> {
  apply<U>(fn: (value: T) => U | OutputLike<U> | PromiseLike<U>): OutputLike<U>;
}
export type Input<T> = T | PromiseLike<T> | OutputLike<T>;

/** Pulumi resource options used here. */
export interface ResourceOptions {
  /** Forget the cloud resource instead of deleting it when it leaves the program. */
  retainOnDelete?: boolean;
  dependsOn?: unknown[];
}

/** An SST permission (`sst.aws.permission(...)` / `permissions: [...]`). */
export interface Permission {
  actions: string[];
  resources: Input<string>[];
  effect?: "allow" | "deny";
  conditions?: { test: string; variable: string; values: Input<string>[] }[];
}

export interface LinkableArgs {
  properties: Record<string, Input<unknown>>;
  include?: Permission[];
}

export interface BucketLike {
  name: OutputLike<string>;
  arn: OutputLike<string>;
}
export interface TableLike {
  name: OutputLike<string>;
  arn: OutputLike<string>;
}
export interface FunctionLike {
  name: OutputLike<string>;
  arn: OutputLike<string>;
  nodes?: { role?: { name: OutputLike<string>; arn: OutputLike<string> } };
}
export interface VpcLike {
  id: OutputLike<string>;
  privateSubnets?: OutputLike<string[]>;
  securityGroups?: OutputLike<string[]>;
}
export interface ClusterLike {
  /** `sst.aws.Cluster` exposes the underlying aws.ecs.Cluster as nodes.cluster. */
  nodes: { cluster: { arn: OutputLike<string>; name: OutputLike<string> } };
}
export interface TaskLike {
  taskDefinition: OutputLike<string>;
  containers?: OutputLike<string[]>;
  nodes: {
    taskDefinition: { arn: OutputLike<string>; family: OutputLike<string> };
    taskRole: { arn: OutputLike<string>; name: OutputLike<string> };
    executionRole: { arn: OutputLike<string> };
  };
}
export interface ApiLike {
  url: OutputLike<string>;
  route(rawRoute: string, handler: Input<string> | FunctionArgs, args?: Record<string, unknown>): unknown;
}
export interface StaticSiteLike {
  url: OutputLike<string>;
}

export interface FunctionArgs {
  handler: string;
  runtime?: string;
  bundle?: string;
  architecture?: "arm64" | "x86_64";
  timeout?: string;
  memory?: string;
  environment?: Record<string, Input<string>>;
  permissions?: Permission[];
  link?: unknown[];
  [key: string]: unknown;
}

/** The `sst` global, as far as this module uses it. */
export interface Sst {
  Linkable: new (name: string, args: LinkableArgs) => unknown;
  aws: {
    Bucket: new (name: string, args?: Record<string, unknown>) => BucketLike;
    Dynamo: new (name: string, args: Record<string, unknown>) => TableLike;
    Vpc: new (name: string, args?: Record<string, unknown>) => VpcLike;
    Cluster: new (name: string, args: Record<string, unknown>) => ClusterLike;
    Task: new (name: string, args: Record<string, unknown>) => TaskLike;
    Function: new (name: string, args: FunctionArgs) => FunctionLike;
    ApiGatewayV2: new (name: string, args?: Record<string, unknown>) => ApiLike;
    StaticSite: new (name: string, args: Record<string, unknown>) => StaticSiteLike;
  };
}

/** The `aws` global (@pulumi/aws), as far as this module uses it. */
export interface PulumiAws {
  s3: {
    BucketObjectv2: new (name: string, args: Record<string, unknown>, opts?: ResourceOptions) => { key: OutputLike<string>; versionId: OutputLike<string> };
  };
  cloudwatch: {
    EventRule: new (name: string, args: Record<string, unknown>, opts?: ResourceOptions) => { arn: OutputLike<string>; name: OutputLike<string> };
    EventTarget: new (name: string, args: Record<string, unknown>, opts?: ResourceOptions) => unknown;
  };
  lambda: {
    Permission: new (name: string, args: Record<string, unknown>, opts?: ResourceOptions) => unknown;
  };
  iam: {
    RolePolicy: new (name: string, args: Record<string, unknown>, opts?: ResourceOptions) => unknown;
  };
  getRegionOutput(args?: Record<string, unknown>): { name: OutputLike<string> };
}

/** The `$util` global (@pulumi/pulumi), as far as this module uses it. */
export interface PulumiUtil {
  output<T>(value: Input<T>): OutputLike<T>;
  interpolate(strings: TemplateStringsArray, ...values: Input<unknown>[]): OutputLike<string>;
  jsonStringify(value: Input<unknown>): OutputLike<string>;
  asset: { FileAsset: new (path: string) => unknown };
}

export interface Platform {
  aws: PulumiAws;
  util: PulumiUtil;
}
