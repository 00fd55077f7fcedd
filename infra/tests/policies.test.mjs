// Every IAM policy document in the templates (role policies, AWS::IAM::Policy, trust policies,
// bucket policies), raw (every Fn::If branch) and rendered for every parameter set:
//   - no wildcard actions in Allow statements ("*" never; "svc:*" only in Deny statements,
//     which take privilege away, e.g. the TLS-only bucket policies);
//   - "*" resources only on statements whose Sid ends in StarResourceRequired and that carry a
//     comment saying why; no other wildcard beyond a trailing "/*" or ":*" under a named thing;
//   - no NotAction/NotResource, Principal "*" only in Deny;
//   - the task role reaches exactly the bundle key; the dispatcher can pass only its two roles;
//   - backfills get DescribeTable/Scan and the item writes on exactly the tables named in the
//     Backfill* parameters (nothing without them); the runner starts workers of its own family
//     only, passing only its two roles.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asList, policyDocuments, renderTemplate, statements } from "./lib/cfn.mjs";
import { policyProblems } from "./lib/policy-rules.mjs";
import { BUCKET, FN_ARN, KEY, ORDERS, ORDERS_V2, TABLE, TEMPLATE_FILES, USERS, VARIANTS, load, paramsFor } from "./lib/templates.mjs";

import { STAR_SID } from "./lib/policy-rules.mjs";

function allStatements(resources) {
  return policyDocuments(resources).flatMap((doc) => statements(doc.document).map((s) => ({ ...doc, s })));
}

describe("policy rules, raw templates (every Fn::If branch)", () => {
  for (const file of TEMPLATE_FILES) {
    const { template, text } = load(file);
    test(`${file}: no wildcard actions in Allow, "*" resources only where required and commented, no NotAction/NotResource, Principal "*" only in Deny`, () => {
      assert.deepEqual(policyProblems(template, text), []);
    });
    test(`${file}: trust policies name one service; identity policies name no principal`, () => {
      for (const { resource, kind, s } of allStatements(template.Resources)) {
        if (kind === "trust") {
          assert.deepEqual(asList(s.Action), ["sts:AssumeRole"]);
          assert.deepEqual(Object.keys(s.Principal), ["Service"]);
          assert.equal(asList(s.Principal.Service).length, 1);
        }
        if (kind === "identity") assert.equal(s.Principal, undefined, resource);
        if (s.Effect === "Deny") for (const a of asList(s.Action)) assert.match(a, /^[a-z0-9-]+:[A-Za-z*]+$/);
      }
    });
  }

  describe("planted mistakes are caught", () => {
    const planted = (mutate, pattern) => {
      const { template, text } = load("fargate-runner.yaml");
      const t = structuredClone(template);
      const out = mutate(t, text) ?? text;
      const problems = policyProblems(t, out);
      assert.ok(problems.some((p) => pattern.test(p)), `expected ${pattern} in ${JSON.stringify(problems)}`);
    };
    const taskStatements = (t) => t.Resources.TaskRole.Properties.Policies[0].PolicyDocument.Statement;
    test('Action "*"', () => planted((t) => void (taskStatements(t)[0].Action = "*"), /Action "\*"/));
    test("a service wildcard in an Allow", () => planted((t) => void (taskStatements(t)[0].Action = "s3:Get*"), /wildcard action s3:Get\*/));
    test('Resource "*" without the Sid', () => planted((t) => void (taskStatements(t)[0].Resource = "*"), /without a \.\.\.StarResourceRequired Sid/));
    test('Resource "*" with the Sid but no comment', () =>
      planted((t, text) => {
        taskStatements(t)[0].Resource = "*";
        taskStatements(t)[0].Sid = "BundleStarResourceRequired";
        return text.replace("Sid: ReadExactlyTheBundle\n", "Sid: BundleStarResourceRequired\n");
      }, /needs a comment/));
    test("NotResource", () => planted((t) => void (taskStatements(t)[0].NotResource = "arn:aws:s3:::x"), /NotResource/));
    test('Principal "*" in an Allow', () =>
      planted((t) => {
        t.Resources.TaskRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal = "*";
      }, /Principal "\*" in an Allow/));
  });

  test("the only '*' resource is ecr:GetAuthorizationToken", () => {
    const stars = TEMPLATE_FILES.flatMap((f) => allStatements(load(f).template.Resources)).filter(({ s }) => asList(s.Resource).includes("*"));
    assert.deepEqual(
      stars.map(({ s }) => [s.Sid, s.Action]),
      [["EcrAuthTokenStarResourceRequired", "ecr:GetAuthorizationToken"]],
    );
  });
});

describe("policy rules, rendered for every parameter set", () => {
  for (const file of TEMPLATE_FILES) {
    for (const [i, variant] of VARIANTS[file].entries()) {
      test(`${file} set ${i}: every Allow resource is a concrete ARN (wildcards only as a trailing /* or :*)`, () => {
        const { resources } = renderTemplate(load(file).template, paramsFor(file, variant));
        for (const { resource, kind, s } of allStatements(resources)) {
          if (kind === "trust" || s.Effect !== "Allow") continue;
          for (const r of asList(s.Resource)) {
            if (r === "*") {
              assert.match(s.Sid, STAR_SID);
              continue;
            }
            assert.match(r, /^arn:aws:[a-z0-9-]+:/, `${resource}: ${r}`);
            const inner = r.replace(/(\/\*|:\*)$/, "");
            assert.ok(!inner.includes("*"), `${resource}: wildcard inside ${r}`);
            if (r !== inner) assert.match(inner, /(task\/[^/]+|log-group:[^:]+|\/[^/]+|:::[^/]+)$/, `${resource}: ${r} is wildcard below a named thing`);
          }
        }
      });
    }
  }
});

const roleStatements = (resources, role) =>
  allStatements(resources).filter(({ resource, roles, kind }) => kind === "identity" && (resource === role || asList(roles).includes(role) || asList(roles).includes(resources[role]?.physical)));

describe("fargate-runner.yaml", () => {
  const { template } = load("fargate-runner.yaml");
  const arn = `arn:aws:s3:::${BUCKET}/${KEY}`;

  for (const [i, variant] of VARIANTS["fargate-runner.yaml"].entries()) {
    test(`the task role reaches exactly the bundle key (set ${i})`, () => {
      const { resources } = renderTemplate(template, paramsFor("fargate-runner.yaml", variant));
      const task = allStatements({ TaskRole: resources.TaskRole }).filter(({ kind }) => kind === "identity").map(({ s }) => s);
      const s3 = task.filter((s) => asList(s.Action).some((a) => a.startsWith("s3:")));
      const expected = [{ Sid: "ReadExactlyTheBundle", Effect: "Allow", Action: "s3:GetObject", Resource: arn }];
      if (variant.BundleObjectVersion) expected.push({ Sid: "ReadExactlyTheBundleVersion", Effect: "Allow", Action: "s3:GetObjectVersion", Resource: arn });
      assert.deepEqual(s3, expected);
      // The rest: the table (and the KMS key through S3 only).
      const ddb = task.find((s) => s.Sid === "MigrationsTableReadWrite");
      assert.deepEqual(ddb.Resource, [
        `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`,
        `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}/index/gsi1`,
      ]);
      const others = task.filter((s) => !s3.includes(s) && s !== ddb);
      if (variant.BundleKmsKeyArn) {
        assert.deepEqual(others, [
          { Sid: "DecryptBundleViaS3", Effect: "Allow", Action: "kms:Decrypt", Resource: variant.BundleKmsKeyArn, Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } },
        ]);
      } else assert.deepEqual(others, []);
      // No other role of the stack touches S3.
      for (const { resource, s } of allStatements(resources)) {
        if (resource === "TaskRole") continue;
        assert.ok(!asList(s.Action).some((a) => a.startsWith("s3:")), `${resource} has S3 access`);
      }
    });

    test(`the dispatcher may start only that task definition and pass only its two roles (set ${i})`, () => {
      const r = renderTemplate(template, paramsFor("fargate-runner.yaml", variant));
      const policy = r.resources.DispatcherPolicy.Properties;
      assert.deepEqual(policy.Roles, ["acme-MigrationFnRole"]);
      const st = policy.PolicyDocument.Statement;
      const clusterArn = variant.ClusterArn ?? r.physical.MigrationCluster.attrs.Arn;
      const clusterName = clusterArn.split("cluster/")[1];
      assert.deepEqual(st, [
        { Sid: "RunTheRunnerTask", Effect: "Allow", Action: "ecs:RunTask", Resource: r.physical.RunnerTaskDefinition.ref, Condition: { ArnEquals: { "ecs:cluster": clusterArn } } },
        {
          Sid: "PassOnlyTheRunnerRoles",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: [r.physical.TaskRole.attrs.Arn, r.physical.TaskExecutionRole.attrs.Arn],
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        { Sid: "DescribeRunnerTasks", Effect: "Allow", Action: "ecs:DescribeTasks", Resource: `arn:aws:ecs:eu-west-1:123456789012:task/${clusterName}/*` },
      ]);
    });

    test(`the execution role: its log group, and the ECR repository only when used (set ${i})`, () => {
      const { resources, physical } = renderTemplate(template, paramsFor("fargate-runner.yaml", variant));
      const st = allStatements({ TaskExecutionRole: resources.TaskExecutionRole }).filter(({ kind }) => kind === "identity").map(({ s }) => s);
      const expected = [{ Sid: "WriteRunnerLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: physical.RunnerLogGroup.attrs.Arn }];
      if (variant.ImageRepositoryArn) {
        expected.push(
          { Sid: "PullRunnerImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: variant.ImageRepositoryArn },
          { Sid: "EcrAuthTokenStarResourceRequired", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        );
      }
      assert.deepEqual(st, expected);
    });
  }

  test("both task roles can be assumed only by ECS tasks of this account", () => {
    const { resources } = renderTemplate(template, paramsFor("fargate-runner.yaml"));
    for (const role of ["TaskRole", "TaskExecutionRole"]) {
      assert.deepEqual(resources[role].Properties.AssumeRolePolicyDocument.Statement, [
        { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } },
      ]);
    }
  });
});

describe("migration-lambda.yaml", () => {
  test("the table and its index, its own log group, and Invoke on itself only", () => {
    const { resources, physical } = renderTemplate(load("migration-lambda.yaml").template, paramsFor("migration-lambda.yaml"));
    const st = allStatements(resources).filter(({ kind }) => kind === "identity").map(({ s }) => s);
    assert.deepEqual(st, [
      {
        Sid: "MigrationsTableReadWrite",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"],
        Resource: [`arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`, `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}/index/gsi1`],
      },
      { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: physical.MigrationFnLogGroup.attrs.Arn },
      { Sid: "InvokeSelfForContinuation", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: physical.MigrationFn.attrs.Arn },
    ]);
    assert.deepEqual(resources.MigrationFnRuntimePolicy.Properties.Roles, [physical.MigrationFnRole.ref]);
  });
});

describe("dashboard.yaml", () => {
  const { template } = load("dashboard.yaml");
  test("read-only on the table, Invoke on the migration function only", () => {
    const { resources, physical } = renderTemplate(template, paramsFor("dashboard.yaml"));
    const st = allStatements({ DashboardFnRole: resources.DashboardFnRole, DashboardFnLogsPolicy: resources.DashboardFnLogsPolicy })
      .filter(({ kind }) => kind === "identity")
      .map(({ s }) => s);
    assert.deepEqual(st, [
      {
        Sid: "ReadMigrationsTable",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:Query"],
        Resource: [`arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`, `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}/index/gsi1`],
      },
      { Sid: "InvokeMigrationFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FN_ARN },
      { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: physical.DashboardFnLogGroup.attrs.Arn },
    ]);
  });
  test("no Invoke at all without a migration function", () => {
    const { resources } = renderTemplate(template, { ...paramsFor("dashboard.yaml"), MigrationFunctionArn: "" });
    assert.ok(!JSON.stringify(resources.DashboardFnRole).includes("lambda:InvokeFunction"));
  });
});

describe("bucket policies", () => {
  test("they grant nothing but the distribution's read of the site", () => {
    for (const file of TEMPLATE_FILES) {
      const { resources } = renderTemplate(load(file).template, paramsFor(file));
      for (const { resource, kind, s } of allStatements(resources)) {
        if (kind !== "bucket" || s.Effect !== "Allow") continue;
        assert.equal(resource, "SiteBucketPolicy");
        assert.deepEqual(s.Principal, { Service: "cloudfront.amazonaws.com" });
        assert.ok(s.Condition.StringEquals["AWS:SourceArn"]);
      }
    }
  });
});

// The Backfill* parameters of migration-lambda.yaml (the function's role) and
// fargate-runner.yaml (the task role).
const BACKFILL_ROLE = { "migration-lambda.yaml": "MigrationFnRole", "fargate-runner.yaml": "TaskRole" };
const list = (v) => (v ? String(v).split(",") : []);

function expectedBackfill(variant) {
  const reads = list(variant.BackfillTableArns);
  const writes = variant.BackfillWriteTableArns ? list(variant.BackfillWriteTableArns) : reads;
  const st = [];
  if (reads.length) {
    st.push({ Sid: "BackfillScanSourceTables", Effect: "Allow", Action: ["dynamodb:DescribeTable", "dynamodb:Scan"], Resource: [...reads, ...reads.map((a) => `${a}/index/*`)] });
  }
  if (writes.length) st.push({ Sid: "BackfillWriteTables", Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], Resource: writes });
  return st;
}

describe("backfill permissions (Backfill* parameters)", () => {
  for (const file of Object.keys(BACKFILL_ROLE)) {
    const { template } = load(file);
    const migrationsTable = [`arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`, `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}/index/gsi1`];

    for (const [i, variant] of VARIANTS[file].entries()) {
      const expected = expectedBackfill(variant);
      test(`${file} set ${i}: ${expected.length ? "exactly the named tables (and their indexes for Scan), on the role" : "no backfill statement at all"}`, () => {
        const { resources, physical } = renderTemplate(template, paramsFor(file, variant));
        if (!expected.length) assert.equal(resources.BackfillPolicy, undefined);
        else {
          assert.deepEqual(resources.BackfillPolicy.Properties.Roles, [physical[BACKFILL_ROLE[file]].ref]);
          assert.deepEqual(resources.BackfillPolicy.Properties.PolicyDocument.Statement, expected);
        }
        // Nowhere else: every other DynamoDB statement is the store's, on the migrations table
        // only, and nothing anywhere may DescribeTable or Scan but the backfill statement.
        for (const { resource, s } of allStatements(resources)) {
          if (resource === "BackfillPolicy") continue;
          const actions = asList(s.Action);
          assert.ok(!actions.some((a) => a === "dynamodb:Scan" || a === "dynamodb:DescribeTable" || a === "dynamodb:BatchWriteItem"), `${resource} ${s.Sid}`);
          if (actions.some((a) => a.startsWith("dynamodb:"))) assert.deepEqual(asList(s.Resource), migrationsTable, `${resource} ${s.Sid}`);
        }
      });
    }

    test(`${file}: the table ARN pattern refuses wildcards, names and non-table ARNs`, () => {
      for (const name of ["BackfillTableArns", "BackfillWriteTableArns"]) {
        const p = template.Parameters[name];
        assert.equal(p.Type, "CommaDelimitedList");
        assert.equal(p.Default, "");
        const re = new RegExp(p.AllowedPattern);
        for (const ok of ["", ORDERS, USERS, ORDERS_V2, "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/my_table-1"]) assert.match(ok, re, ok);
        for (const bad of [
          "arn:aws:dynamodb:eu-west-1:123456789012:table/*",
          "arn:aws:dynamodb:eu-west-1:123456789012:table/orders*",
          "arn:aws:dynamodb:*:123456789012:table/orders",
          "arn:aws:dynamodb:eu-west-1:*:table/orders",
          "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*",
          "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026",
          "arn:aws:dynamodb:eu-west-1:123456789012:table/ab",
          "arn:aws:s3:::orders",
          "orders",
          "*",
        ]) {
          assert.doesNotMatch(bad, re, bad);
        }
      }
    });

    test(`${file}: write tables only, without tables to scan: the writes and no Scan`, () => {
      const { resources } = renderTemplate(template, paramsFor(file, { BackfillWriteTableArns: `${ORDERS_V2},${USERS}` }));
      assert.deepEqual(resources.BackfillPolicy.Properties.PolicyDocument.Statement, [
        { Sid: "BackfillWriteTables", Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], Resource: [ORDERS_V2, USERS] },
      ]);
    });
  }

  test("the lambda:N workers' self-invoke is the continuation grant: the function itself, unqualified, nothing else", () => {
    const { resources, physical } = renderTemplate(load("migration-lambda.yaml").template, paramsFor("migration-lambda.yaml", { BackfillTableArns: ORDERS }));
    const invoke = allStatements(resources).filter(({ s }) => asList(s.Action).some((a) => a.startsWith("lambda:")));
    assert.deepEqual(
      invoke.map(({ resource, s }) => [resource, s.Action, s.Resource]),
      [["MigrationFnRuntimePolicy", "lambda:InvokeFunction", physical.MigrationFn.attrs.Arn]],
    );
  });
});

describe("fargate-runner.yaml: fargate:N workers (BackfillFargateWorkers)", () => {
  const { template } = load("fargate-runner.yaml");
  const taskRoleStatements = (r) =>
    allStatements(r.resources).filter(({ resource, roles, kind }) => kind === "identity" && (resource === "TaskRole" || asList(roles).includes(r.physical.TaskRole.ref)));

  for (const [i, variant] of VARIANTS["fargate-runner.yaml"].entries()) {
    const on = variant.BackfillFargateWorkers === "true";
    test(`set ${i}: ${on ? "RunTask of its own family in its cluster, PassRole on its two roles to ECS tasks only" : "the task role can start nothing and pass nothing"}`, () => {
      const r = renderTemplate(template, paramsFor("fargate-runner.yaml", variant));
      const ecsOrIam = taskRoleStatements(r).filter(({ s }) => asList(s.Action).some((a) => /^(ecs|iam):/.test(a)));
      if (!on) {
        assert.equal(r.resources.RunnerWorkersPolicy, undefined);
        assert.deepEqual(ecsOrIam, []);
        return;
      }
      const clusterArn = variant.ClusterArn ?? r.physical.MigrationCluster.attrs.Arn;
      const family = variant.TaskFamily ?? "test-stack-runner";
      assert.deepEqual(r.resources.RunnerWorkersPolicy.Properties.Roles, [r.physical.TaskRole.ref]);
      assert.deepEqual(
        ecsOrIam.map(({ resource, s }) => [resource, s]),
        [
          ["RunnerWorkersPolicy", { Sid: "RunWorkerTasksOfThisFamily", Effect: "Allow", Action: "ecs:RunTask", Resource: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:*`, Condition: { ArnEquals: { "ecs:cluster": clusterArn } } }],
          [
            "RunnerWorkersPolicy",
            {
              Sid: "PassOnlyTheRunnerRolesToWorkers",
              Effect: "Allow",
              Action: "iam:PassRole",
              Resource: [r.physical.TaskRole.attrs.Arn, r.physical.TaskExecutionRole.attrs.Arn],
              Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
            },
          ],
        ],
      );
      // The family in the ARN is the task definition's own.
      assert.equal(r.resources.RunnerTaskDefinition.Properties.Family, family);
    });
  }

  test("every iam:PassRole in every template names only the runner's two roles, for ECS tasks only", () => {
    for (const file of TEMPLATE_FILES) {
      for (const variant of VARIANTS[file]) {
        const r = renderTemplate(load(file).template, paramsFor(file, variant));
        for (const { resource, s } of allStatements(r.resources)) {
          if (!asList(s.Action).includes("iam:PassRole")) continue;
          assert.deepEqual(asList(s.Action), ["iam:PassRole"], `${file} ${resource}`);
          assert.deepEqual(s.Resource, [r.physical.TaskRole.attrs.Arn, r.physical.TaskExecutionRole.attrs.Arn], `${file} ${resource}`);
          assert.deepEqual(s.Condition, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }, `${file} ${resource}`);
        }
      }
    }
  });
});
