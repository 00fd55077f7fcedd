// Every IAM policy document in the templates (role policies, AWS::IAM::Policy, trust policies,
// bucket policies), raw (every Fn::If branch) and rendered for every parameter set:
//   - no wildcard actions in Allow statements ("*" never; "svc:*" only in Deny statements,
//     which take privilege away, e.g. the TLS-only bucket policies);
//   - "*" resources only on statements whose Sid ends in StarResourceRequired and that carry a
//     comment saying why; no other wildcard beyond a trailing "/*" or ":*" under a named thing;
//   - no NotAction/NotResource, Principal "*" only in Deny;
//   - the task role reaches exactly the bundle key; the dispatcher can pass only its two roles.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asList, policyDocuments, renderTemplate, statements } from "./lib/cfn.mjs";
import { policyProblems } from "./lib/policy-rules.mjs";
import { BUCKET, FN_ARN, KEY, TABLE, TEMPLATE_FILES, VARIANTS, load, paramsFor } from "./lib/templates.mjs";

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
