// A fake `sst` and Pulumi platform that record every resource created. Outputs are resolved
// eagerly (FakeOutput), so tests can read the final values of names, ARNs, environments and
// policies with `resolveDeep`.
import type { Input, OutputLike, Platform, Sst } from "../src/types.js";

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";

export class FakeOutput<T> implements OutputLike<T> {
  constructor(readonly value: T) {}
  apply<U>(fn: (value: T) => U | OutputLike<U> | PromiseLike<U>): OutputLike<U> {
    const r = fn(this.value);
    return r instanceof FakeOutput ? (r as FakeOutput<U>) : new FakeOutput(r as U);
  }
}
const out = <T>(v: T) => new FakeOutput(v);

export interface Created {
  kind: string;
  name: string;
  args: any;
  opts?: any;
  instance: any;
}

export function resolveDeep(v: unknown): any {
  if (v instanceof FakeOutput) return resolveDeep(v.value);
  if (Array.isArray(v)) return v.map(resolveDeep);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveDeep(x)]));
  }
  return v;
}

export class FakeFileAsset {
  constructor(readonly path: string) {}
}

export function fakeSst() {
  const created: Created[] = [];
  const record = (kind: string, name: string, args: any, opts: any, instance: any) => {
    if (created.some((c) => c.name === name)) throw new Error(`duplicate resource name ${name}`);
    created.push({ kind, name, args, opts, instance });
    return instance;
  };
  const lower = (n: string) => n.toLowerCase();
  const klass = (kind: string, make: (name: string, args: any) => any) =>
    class {
      constructor(name: string, args?: any, opts?: any) {
        const instance = make(name, args ?? {});
        Object.assign(this, instance);
        record(kind, name, args ?? {}, opts, this);
      }
    } as any;

  const sst = {
    Linkable: klass("sst.Linkable", () => ({})),
    aws: {
      Bucket: klass("sst.aws.Bucket", (n) => ({ name: out(`${lower(n)}-abc123`), arn: out(`arn:aws:s3:::${lower(n)}-abc123`) })),
      Dynamo: klass("sst.aws.Dynamo", (n) => ({ name: out(`app-dev-${n}`), arn: out(`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/app-dev-${n}`) })),
      Vpc: klass("sst.aws.Vpc", (n) => ({ id: out(`vpc-${lower(n)}`), privateSubnets: out(["subnet-a", "subnet-b"]), securityGroups: out(["sg-1"]) })),
      Cluster: klass("sst.aws.Cluster", (n) => ({
        nodes: { cluster: { arn: out(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/app-dev-${n}`), name: out(`app-dev-${n}`) } },
      })),
      Task: klass("sst.aws.Task", (n) => ({
        taskDefinition: out(`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/app-dev-${n}:3`),
        nodes: {
          taskDefinition: { arn: out(`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/app-dev-${n}:3`), family: out(`app-dev-${n}`) },
          taskRole: { arn: out(`arn:aws:iam::${ACCOUNT}:role/app-dev-${n}TaskRole`), name: out(`app-dev-${n}TaskRole`) },
          executionRole: { arn: out(`arn:aws:iam::${ACCOUNT}:role/app-dev-${n}ExecutionRole`) },
        },
      })),
      Function: klass("sst.aws.Function", (n) => ({
        name: out(`app-dev-${n}`),
        arn: out(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-dev-${n}`),
        nodes: { role: { name: out(`app-dev-${n}Role`), arn: out(`arn:aws:iam::${ACCOUNT}:role/app-dev-${n}Role`) } },
      })),
      ApiGatewayV2: class {
        url = out(`https://api123.execute-api.${REGION}.amazonaws.com`);
        routes: any[] = [];
        constructor(name: string, args?: any) {
          record("sst.aws.ApiGatewayV2", name, args ?? {}, undefined, this);
        }
        route(route: string, handler: unknown, args?: unknown) {
          this.routes.push({ route, handler, args });
        }
      },
      StaticSite: klass("sst.aws.StaticSite", () => ({ url: out("https://d111111abcdef8.cloudfront.net") })),
    },
  } as unknown as Sst;

  const platform: Platform = {
    aws: {
      s3: { BucketObjectv2: klass("aws.s3.BucketObjectv2", (_n, a) => ({ key: out(a.key), versionId: out("v1") })) },
      cloudwatch: {
        EventRule: klass("aws.cloudwatch.EventRule", (n) => ({ arn: out(`arn:aws:events:${REGION}:${ACCOUNT}:rule/${n}-x`), name: out(`${n}-x`) })),
        EventTarget: klass("aws.cloudwatch.EventTarget", () => ({})),
      },
      lambda: { Permission: klass("aws.lambda.Permission", () => ({})) },
      iam: { RolePolicy: klass("aws.iam.RolePolicy", () => ({})) },
      getRegionOutput: () => ({ name: out(REGION) }),
    } as unknown as Platform["aws"],
    util: {
      output: <T>(v: Input<T>) => (v instanceof FakeOutput ? v : out(v as T)) as OutputLike<T>,
      interpolate: (strings: TemplateStringsArray, ...values: Input<unknown>[]) =>
        out(strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(resolveDeep(values[i])) : ""), "")),
      jsonStringify: (v: Input<unknown>) => out(JSON.stringify(resolveDeep(v))),
      asset: { FileAsset: FakeFileAsset },
    } as unknown as Platform["util"],
  };

  const find = (kind: string) => created.filter((c) => c.kind === kind);
  const one = (kind: string) => {
    const all = find(kind);
    if (all.length !== 1) throw new Error(`expected one ${kind}, got ${all.length}`);
    return all[0]!;
  };
  return { sst, platform, created, find, one };
}
