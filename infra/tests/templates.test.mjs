// Every CloudFormation template against the resource specification (@aws-cdk/cfnspec), planted
// mistakes that the checker must catch, and what each template must provide.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { SPEC, checkTemplate, renderTemplate, parseTemplate } from "./lib/cfn.mjs";
import { BUCKET, FN_ARN, IMAGE, KEY, REPO_DIR, SHA, TABLE, TEMPLATE_FILES, VARIANTS, load, paramsFor } from "./lib/templates.mjs";

const EXPECTED = ["bundle-bucket.yaml", "dashboard.yaml", "fargate-runner.yaml", "migration-lambda.yaml", "migrations-table.yaml"];

describe("every template", () => {
  test("the five templates exist", () => assert.deepEqual(TEMPLATE_FILES, EXPECTED));

  test(`the specification is the pinned one (${SPEC.ResourceSpecificationVersion})`, () => {
    assert.ok(Object.keys(SPEC.ResourceTypes).length > 1000);
  });

  for (const file of TEMPLATE_FILES) {
    describe(file, () => {
      const { template } = load(file);
      test("matches the CloudFormation resource specification", () => assert.deepEqual(checkTemplate(template), []));
      test("has a description, parameters with descriptions or defaults, and outputs with exports", () => {
        assert.ok(template.Description?.length > 40);
        assert.ok(Object.keys(template.Outputs).length >= 2);
        const exported = Object.values(template.Outputs).filter((o) => o.Export);
        assert.ok(exported.length >= 2, "outputs are exported so that stacks compose");
        for (const o of exported) assert.match(JSON.stringify(o.Export.Name), /\$\{AWS::StackName\}-/);
      });
      for (const [i, variant] of VARIANTS[file].entries()) {
        test(`renders with parameter set ${i} and every rule passes`, () => {
          const r = renderTemplate(template, paramsFor(file, variant));
          for (const [rule, failures] of Object.entries(r.rules)) assert.deepEqual(failures, [], `rule ${rule}`);
          assert.ok(Object.keys(r.resources).length > 0);
        });
      }
      test("AllowedPattern of every parameter accepts its sample value", () => {
        for (const variant of VARIANTS[file]) {
          const values = paramsFor(file, variant);
          for (const [name, p] of Object.entries(template.Parameters ?? {})) {
            if (!p.AllowedPattern || !(name in values)) continue;
            // A list's pattern applies to each of its values.
            const each = p.Type === "CommaDelimitedList" ? String(values[name]).split(",") : [String(values[name])];
            for (const v of each) assert.match(v, new RegExp(p.AllowedPattern), name);
          }
        }
      });
    });
  }
});

describe("the checker catches planted mistakes", () => {
  const base = () => structuredClone(load("fargate-runner.yaml").template);
  const expectError = (mutate, pattern) => {
    const t = base();
    mutate(t);
    const errors = checkTemplate(t);
    assert.ok(errors.some((e) => pattern.test(e)), `expected ${pattern} in:\n${errors.join("\n")}`);
  };
  test("a wrong property name", () =>
    expectError((t) => {
      t.Resources.RunnerTaskDefinition.Properties.Cpus = "1024";
    }, /unknown property 'Cpus'/));
  test("a wrong nested property name", () =>
    expectError((t) => {
      t.Resources.RunnerTaskDefinition.Properties.ContainerDefinitions[0].Enviroment = [];
    }, /ContainerDefinitions\[0\]: unknown property 'Enviroment'/));
  test("a missing required property", () =>
    expectError((t) => {
      delete t.Resources.TaskStoppedPermission.Properties.Principal;
    }, /missing required property 'Principal'/));
  test("a missing required nested property", () =>
    expectError((t) => {
      delete t.Resources.RunnerTaskDefinition.Properties.ContainerDefinitions[0].Image;
    }, /ContainerDefinitions\[0\]: missing required property 'Image'/));
  test("a dangling Ref", () =>
    expectError((t) => {
      t.Resources.TaskStoppedPermission.Properties.FunctionName = { Ref: "MigrationFunctionArm" };
    }, /Ref to undeclared parameter or resource 'MigrationFunctionArm'/));
  test("a dangling Ref inside Fn::Sub", () =>
    expectError((t) => {
      t.Outputs.BundleUrl.Value = { "Fn::Sub": "s3://${BundleBuckett}/${BundleKey}" };
    }, /Fn::Sub references undeclared 'BundleBuckett'/));
  test("a GetAtt of an attribute the type does not have", () =>
    expectError((t) => {
      t.Outputs.TaskRoleArn.Value = { "Fn::GetAtt": ["TaskRole", "Name"] };
    }, /has no attribute 'Name'/));
  test("a GetAtt of an undeclared resource", () =>
    expectError((t) => {
      t.Outputs.TaskRoleArn.Value = { "Fn::GetAtt": ["TaskRol", "Arn"] };
    }, /undeclared resource 'TaskRol'/));
  test("an undeclared condition", () =>
    expectError((t) => {
      t.Resources.MigrationCluster.Condition = "MakeCluster";
    }, /Condition 'MakeCluster' is not declared/));
  test("a property of the wrong type", () =>
    expectError((t) => {
      t.Resources.RunnerTaskDefinition.Properties.RequiresCompatibilities = "FARGATE";
    }, /RequiresCompatibilities: must be a list/));
  test("a primitive of the wrong type", () =>
    expectError((t) => {
      t.Resources.RunnerTaskDefinition.Properties.ContainerDefinitions[0].Essential = "yes";
    }, /Essential: expected Boolean/));
  test("an unknown resource type", () =>
    expectError((t) => {
      t.Resources.RunnerLogGroup.Type = "AWS::Logs::Group";
    }, /unknown resource type/));
  test("a circular dependency", () =>
    expectError((t) => {
      t.Resources.TaskRole.Properties.Description = { "Fn::Sub": "${RunnerTaskDefinition}" };
    }, /circular dependency/));
  test("short-form tags parse to the long form", () => {
    const t = parseTemplate("A: !GetAtt X.Y.Z\nB: !Sub [\"${a}\", {a: !Ref P}]\nC: !If [c, !Ref AWS::NoValue, 1]\n");
    assert.deepEqual(t, { A: { "Fn::GetAtt": ["X", "Y.Z"] }, B: { "Fn::Sub": ["${a}", { a: { Ref: "P" } }] }, C: { "Fn::If": ["c", { Ref: "AWS::NoValue" }, 1] } });
  });
});

describe("bundle-bucket.yaml", () => {
  const { template } = load("bundle-bucket.yaml");
  for (const [i, variant] of VARIANTS["bundle-bucket.yaml"].entries()) {
    test(`private, versioned, encrypted, TLS-only (parameter set ${i})`, () => {
      const r = renderTemplate(template, variant);
      const b = r.resources.BundleBucket;
      assert.equal(b.DeletionPolicy, "Retain");
      assert.deepEqual(b.Properties.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      assert.equal(b.Properties.VersioningConfiguration.Status, "Enabled");
      assert.deepEqual(b.Properties.OwnershipControls.Rules, [{ ObjectOwnership: "BucketOwnerEnforced" }]);
      const sse = b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
      if (variant.KmsKeyArn) assert.deepEqual(sse, { SSEAlgorithm: "aws:kms", KMSMasterKeyID: variant.KmsKeyArn });
      else assert.deepEqual(sse, { SSEAlgorithm: "AES256" });
      // Nothing ever expires current bundles: old keys stay for rollbacks.
      for (const rule of b.Properties.LifecycleConfiguration.Rules) {
        assert.equal(rule.ExpirationInDays, undefined);
        assert.equal(rule.ExpirationDate, undefined);
      }
      const policy = r.resources.BundleBucketPolicy.Properties.PolicyDocument.Statement;
      const tls = policy.find((s) => s.Condition?.Bool?.["aws:SecureTransport"] === "false");
      assert.equal(tls.Effect, "Deny");
      assert.deepEqual(tls.Resource, [`arn:aws:s3:::${r.physical.BundleBucket.ref}`, `arn:aws:s3:::${r.physical.BundleBucket.ref}/*`]);
      assert.ok(policy.every((s) => s.Effect === "Deny"), "the bucket policy grants nothing to anyone");
    });
  }
});

describe("migrations-table.yaml", () => {
  const { template } = load("migrations-table.yaml");
  // The store's own names (src/store/dynamodb_items.hpp) are the source of truth.
  const header = readFileSync(join(REPO_DIR, "src/store/dynamodb_items.hpp"), "utf8");
  const constant = (name) => header.match(new RegExp(`${name} = "([^"]+)"`))[1];
  const names = { pk: constant("kPk"), sk: constant("kSk"), gsi: constant("kGsi1"), gpk: constant("kGsi1Pk"), gsk: constant("kGsi1Sk") };

  test("keys and index are the store's (src/store/dynamodb_items.hpp)", () => {
    const p = renderTemplate(template).resources.MigrationsTable.Properties;
    assert.deepEqual(p.KeySchema, [
      { AttributeName: names.pk, KeyType: "HASH" },
      { AttributeName: names.sk, KeyType: "RANGE" },
    ]);
    assert.deepEqual(
      p.AttributeDefinitions,
      [names.pk, names.sk, names.gpk, names.gsk].map((n) => ({ AttributeName: n, AttributeType: "S" })),
    );
    assert.deepEqual(p.GlobalSecondaryIndexes, [
      {
        IndexName: names.gsi,
        KeySchema: [
          { AttributeName: names.gpk, KeyType: "HASH" },
          { AttributeName: names.gsk, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ]);
    assert.deepEqual([names.pk, names.sk, names.gsi, names.gpk, names.gsk], ["pk", "sk", "gsi1", "gsi1pk", "gsi1sk"]);
  });

  test("docs/table-design.md, when present, names the same keys", { skip: !existsSync(join(REPO_DIR, "docs/table-design.md")) }, () => {
    const doc = readFileSync(join(REPO_DIR, "docs/table-design.md"), "utf8");
    for (const n of Object.values(names)) assert.ok(doc.includes(n), `docs/table-design.md mentions ${n}`);
    // Its CloudFormation snippet, if any, describes the same keys and index as the template.
    const block = doc.match(/```yaml\n([\s\S]*?AWS::DynamoDB::Table[\s\S]*?)```/);
    if (block) {
      const snippet = Object.values(parseTemplate(block[1]))[0].Properties;
      const p = renderTemplate(template).resources.MigrationsTable.Properties;
      for (const k of ["AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"]) assert.deepEqual(snippet[k], p[k], k);
    }
  });

  test("on-demand, point-in-time recovery, deletion protection on by default, retained", () => {
    const r = renderTemplate(template).resources.MigrationsTable;
    assert.equal(r.Properties.BillingMode, "PAY_PER_REQUEST");
    assert.equal(r.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled, "true");
    assert.equal(r.Properties.DeletionProtectionEnabled, "true");
    assert.equal(r.DeletionPolicy, "Retain");
    assert.equal(r.Properties.ProvisionedThroughput, undefined);
    assert.equal(template.Parameters.DeletionProtection.Default, "true");
  });

  test("deletion protection is a parameter", () => {
    assert.equal(renderTemplate(template, { DeletionProtection: "false" }).resources.MigrationsTable.Properties.DeletionProtectionEnabled, "false");
  });

  test("a generated name contains MigrationsTable (auric-migrate-dashboard discovery)", () => {
    assert.ok("MigrationsTable" in template.Resources);
    assert.equal(renderTemplate(template).resources.MigrationsTable.Properties.TableName, undefined);
  });
});

describe("migration-lambda.yaml", () => {
  const { template } = load("migration-lambda.yaml");
  const params = paramsFor("migration-lambda.yaml");

  test("provided.al2023, handler bootstrap, arm64 and x86_64 allowed", () => {
    assert.deepEqual(template.Parameters.Architecture.AllowedValues, ["arm64", "x86_64"]);
    for (const arch of ["arm64", "x86_64"]) {
      const fn = renderTemplate(template, { ...params, Architecture: arch }).resources.MigrationFn.Properties;
      assert.equal(fn.Runtime, "provided.al2023");
      assert.equal(fn.Handler, "bootstrap");
      assert.deepEqual(fn.Architectures, [arch]);
    }
  });

  test("code from the bundle key, with the object version only when given", () => {
    const fn = renderTemplate(template, params).resources.MigrationFn.Properties;
    assert.deepEqual(fn.Code, { S3Bucket: BUCKET, S3Key: KEY });
    const v = renderTemplate(template, { ...params, BundleObjectVersion: "abc" }).resources.MigrationFn.Properties;
    assert.deepEqual(v.Code, { S3Bucket: BUCKET, S3Key: KEY, S3ObjectVersion: "abc" });
  });

  test("the bundle key must be content-addressed", () => {
    const re = new RegExp(template.Parameters.BundleKey.AllowedPattern);
    assert.match(KEY, re);
    assert.match(`team/prefix/bundle-${SHA}.zip`, re);
    for (const bad of ["bundles/latest.zip", `bundles/bundle-${SHA}.mjs`, `bundles/bundle-${SHA.slice(1)}.zip`]) assert.doesNotMatch(bad, re);
  });

  test("timeout, memory and the store URL", () => {
    const fn = renderTemplate(template, { ...params, Timeout: 600, MemorySize: 2048 }).resources.MigrationFn.Properties;
    assert.equal(fn.Timeout, "600");
    assert.equal(fn.MemorySize, "2048");
    assert.deepEqual(fn.Environment.Variables, { AURIC_MIGRATE_STORE: `dynamodb:${TABLE}?region=eu-west-1` });
    assert.equal(template.Parameters.Timeout.MaxValue, 900);
  });

  test("dispatcher environment only in dispatch mode", () => {
    const r = renderTemplate(template, paramsFor("migration-lambda.yaml", VARIANTS["migration-lambda.yaml"][2]));
    assert.deepEqual(r.resources.MigrationFn.Properties.Environment.Variables, {
      AURIC_MIGRATE_STORE: `dynamodb:${TABLE}?region=eu-west-1`,
      MIGRATION_DISPATCH: "fargate",
      MIGRATION_CLUSTER: "c",
      MIGRATION_TASK_DEFINITION: "fam",
      MIGRATION_CONTAINER_NAME: "migrations",
      MIGRATION_SUBNETS: "subnet-1,subnet-2",
      MIGRATION_SECURITY_GROUPS: "sg-1",
      MIGRATION_ASSIGN_PUBLIC_IP: "DISABLED",
    });
    const bad = renderTemplate(template, { ...params, DispatchToFargate: "true" });
    assert.equal(bad.rules.DispatchNeedsTarget.length, 3);
  });

  test("asynchronous retries off by default (continuation hops are delivered once)", () => {
    const r = renderTemplate(template, params).resources.MigrationFnAsyncConfig.Properties;
    assert.equal(r.MaximumRetryAttempts, "0");
  });

  test("a generated name contains MigrationFn (auric-migrate-dashboard discovery)", () => {
    assert.ok("MigrationFn" in template.Resources);
    assert.equal(renderTemplate(template, params).resources.MigrationFn.Properties.FunctionName, undefined);
  });
});

describe("fargate-runner.yaml", () => {
  const { template } = load("fargate-runner.yaml");
  const params = paramsFor("fargate-runner.yaml");

  test("the runner image must be pinned by digest", () => {
    const re = new RegExp(template.Parameters.RunnerImage.AllowedPattern);
    assert.match(IMAGE, re);
    assert.match(`docker.io/acme/auric-migrate-runner@sha256:${"0".repeat(64)}`, re);
    for (const bad of ["docker.io/acme/auric-migrate-runner:1", "auric-migrate-runner:latest", "auric-migrate-runner"]) assert.doesNotMatch(bad, re);
    assert.equal(template.Parameters.RunnerImage.Default, undefined);
  });

  test("task definition: Fargate, awsvpc, 1 vCPU / 2 GB ARM64 by default, both roles, the image", () => {
    const td = renderTemplate(template, params).resources.RunnerTaskDefinition.Properties;
    assert.deepEqual(td.RequiresCompatibilities, ["FARGATE"]);
    assert.equal(td.NetworkMode, "awsvpc");
    assert.equal(td.Cpu, "1024");
    assert.equal(td.Memory, "2048");
    assert.deepEqual(td.RuntimePlatform, { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" });
    assert.match(td.TaskRoleArn, /role\/test-stack-TaskRole-GEN$/);
    assert.match(td.ExecutionRoleArn, /role\/test-stack-TaskExecutionRole-GEN$/);
    assert.equal(td.ContainerDefinitions[0].Image, IMAGE);
    assert.equal(td.Family, "test-stack-runner");
  });

  test("the container environment names the bundle and its sha256", () => {
    const env = renderTemplate(template, params).resources.RunnerTaskDefinition.Properties.ContainerDefinitions[0].Environment;
    assert.deepEqual(Object.fromEntries(env.map((e) => [e.Name, e.Value])), {
      MIGRATION_BUNDLE_URL: `s3://${BUCKET}/${KEY}`,
      MIGRATION_BUNDLE_SHA256: SHA,
      AURIC_MIGRATE_STORE: `dynamodb:${TABLE}?region=eu-west-1`,
      AWS_REGION: "eu-west-1",
    });
    // MIGRATION_DIRECTION/TARGET/EXECUTION_ID come per task from the RunTask overrides.
    assert.ok(!env.some((e) => /^MIGRATION_(DIRECTION|TARGET|EXECUTION_ID)$/.test(e.Name)));
  });

  test("creates a cluster, or uses the given one (and never a VPC)", () => {
    const created = renderTemplate(template, params);
    assert.ok(created.resources.MigrationCluster);
    const existing = renderTemplate(template, { ...params, ClusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/existing" });
    assert.equal(existing.resources.MigrationCluster, undefined);
    assert.equal(existing.outputs.ClusterArn, "arn:aws:ecs:eu-west-1:123456789012:cluster/existing");
    for (const r of [created, existing]) {
      assert.ok(!Object.values(r.resources).some((x) => /^AWS::EC2::(VPC|Subnet|NatGateway|InternetGateway)$/.test(x.Type)));
    }
    assert.equal(created.resources.RunnerSecurityGroup, undefined);
    const sg = renderTemplate(template, { ...params, VpcId: "vpc-1" }).resources.RunnerSecurityGroup.Properties;
    assert.equal(sg.SecurityGroupIngress, undefined);
    assert.deepEqual(sg.SecurityGroupEgress.map((e) => [e.IpProtocol, e.FromPort, e.ToPort]), [["tcp", 443, 443]]);
  });

  for (const [label, extra, clusterArn, family] of [
    ["a created cluster", {}, "arn:aws:ecs:eu-west-1:123456789012:cluster/test-stack-MigrationCluster-GEN", "test-stack-runner"],
    ["an existing cluster", { ClusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/existing", TaskFamily: "fam" }, "arn:aws:ecs:eu-west-1:123456789012:cluster/existing", "fam"],
  ]) {
    test(`the task-stopped rule filters on the cluster ARN, STOPPED and the family (${label})`, () => {
      const r = renderTemplate(template, { ...params, ...extra });
      const rule = r.resources.TaskStoppedRule.Properties;
      assert.deepEqual(rule.EventPattern, {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
          clusterArn: [clusterArn],
          lastStatus: ["STOPPED"],
          taskDefinitionArn: [{ prefix: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:` }],
        },
      });
      assert.deepEqual(rule.Targets, [{ Id: "MigrationFn", Arn: FN_ARN }]);
      assert.equal(rule.State, "ENABLED");
      const perm = r.resources.TaskStoppedPermission.Properties;
      assert.deepEqual(perm, {
        Action: "lambda:InvokeFunction",
        FunctionName: FN_ARN,
        Principal: "events.amazonaws.com",
        SourceArn: r.physical.TaskStoppedRule.attrs.Arn,
      });
      assert.equal(r.outputs.ClusterArn, clusterArn);
    });
  }
});

describe("dashboard.yaml", () => {
  const { template } = load("dashboard.yaml");
  const params = paramsFor("dashboard.yaml");

  test("the auth token parameter is NoEcho", () => {
    assert.equal(template.Parameters.AuthToken.NoEcho, true);
  });

  test("auth is required unless explicitly disabled", () => {
    const r = renderTemplate(template, { ...params, AuthToken: "" });
    assert.equal(r.rules.AuthConfigured.length, 1);
    const env = renderTemplate(template, params).resources.DashboardFn.Properties.Environment.Variables;
    assert.equal(env.AURIC_DASHBOARD_TOKEN, "t".repeat(40));
    assert.equal(env.AURIC_DASHBOARD_AUTH, undefined);
    const off = renderTemplate(template, { ...params, AuthToken: "", DisableAuth: "true" }).resources.DashboardFn.Properties.Environment.Variables;
    assert.equal(off.AURIC_DASHBOARD_AUTH, "off");
    assert.equal(off.AURIC_DASHBOARD_TOKEN, undefined);
  });

  test("the token can come from Secrets Manager", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dash-AbCdEf";
    const env = renderTemplate(template, { ...params, AuthToken: "", AuthTokenSecretArn: arn }).resources.DashboardFn.Properties.Environment.Variables;
    assert.equal(env.AURIC_DASHBOARD_TOKEN, `{{resolve:secretsmanager:${arn}:SecretString}}`);
  });

  test("production is refused unless allowed, and never without auth", () => {
    for (const stage of ["prod", "production"]) {
      assert.equal(renderTemplate(template, { ...params, EnvironmentName: stage }).rules.ProductionGate.length, 1);
      assert.deepEqual(renderTemplate(template, { ...params, EnvironmentName: stage, AllowProduction: "true" }).rules.ProductionGate, []);
      assert.equal(renderTemplate(template, { ...params, EnvironmentName: stage, AllowProduction: "true", DisableAuth: "true" }).rules.ProductionGate.length, 1);
    }
    assert.deepEqual(renderTemplate(template, { ...params, EnvironmentName: "staging" }).rules.ProductionGate, []);
  });

  test("dashboard-api mode on the same bundle; MIGRATION_FUNCTION_NAME only with a migration function", () => {
    const fn = renderTemplate(template, params).resources.DashboardFn.Properties;
    assert.equal(fn.Runtime, "provided.al2023");
    assert.equal(fn.Handler, "bootstrap");
    assert.deepEqual(fn.Code, { S3Bucket: BUCKET, S3Key: KEY });
    assert.equal(fn.Environment.Variables.AURIC_LAMBDA_MODE, "dashboard-api");
    assert.equal(fn.Environment.Variables.MIGRATION_FUNCTION_NAME, FN_ARN);
    assert.equal(fn.Environment.Variables.AURIC_MIGRATE_STORE, `dynamodb:${TABLE}?region=eu-west-1`);
    const ro = renderTemplate(template, { ...params, MigrationFunctionArn: "" }).resources.DashboardFn.Properties;
    assert.equal(ro.Environment.Variables.MIGRATION_FUNCTION_NAME, undefined);
  });

  test("CORS names the site origin only", () => {
    const r = renderTemplate(template, params);
    assert.equal(r.resources.DashboardFn.Properties.Environment.Variables.AURIC_DASHBOARD_ORIGIN, "https://d111111abcdef8.cloudfront.net");
    assert.equal(r.resources.HttpApi.Properties.CorsConfiguration, undefined);
    const custom = renderTemplate(template, paramsFor("dashboard.yaml", VARIANTS["dashboard.yaml"][1]));
    assert.equal(custom.resources.DashboardFn.Properties.Environment.Variables.AURIC_DASHBOARD_ORIGIN, "https://migrations.example.com");
    assert.doesNotMatch(JSON.stringify(r.resources), /"Access-Control-Allow-Origin"|"AllowOrigins":\["\*"\]/);
  });

  test("HTTP API v2 with a $default route to the Lambda, invoke permission limited to this API", () => {
    const r = renderTemplate(template, params).resources;
    assert.equal(r.HttpApi.Properties.ProtocolType, "HTTP");
    assert.equal(r.HttpApiIntegration.Properties.PayloadFormatVersion, "2.0");
    assert.equal(r.HttpApiIntegration.Properties.IntegrationType, "AWS_PROXY");
    assert.equal(r.HttpApiDefaultRoute.Properties.RouteKey, "$default");
    assert.equal(r.HttpApiInvokePermission.Properties.Principal, "apigateway.amazonaws.com");
    assert.equal(r.HttpApiInvokePermission.Properties.SourceArn, "arn:aws:execute-api:eu-west-1:123456789012:apiid01/*/$default");
    assert.ok(Number(r.HttpApiStage.Properties.DefaultRouteSettings.ThrottlingRateLimit) > 0);
  });

  test("the site bucket is private and read only by the distribution through origin access control", () => {
    const r = renderTemplate(template, params).resources;
    assert.deepEqual(r.SiteBucket.Properties.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    const origin = r.SiteDistribution.Properties.DistributionConfig.Origins[0];
    assert.equal(origin.OriginAccessControlId, "E2OACEXAMPLE");
    assert.deepEqual(origin.S3OriginConfig, { OriginAccessIdentity: "" });
    assert.equal(r.SiteOriginAccessControl.Properties.OriginAccessControlConfig.SigningBehavior, "always");
    const allow = r.SiteBucketPolicy.Properties.PolicyDocument.Statement.filter((s) => s.Effect === "Allow");
    assert.deepEqual(allow, [
      {
        Sid: "ReadByThisDistributionOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::test-stack-sitebucket-gen/*",
        Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE" } },
      },
    ]);
    assert.equal(r.SiteDistribution.Properties.DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy, "redirect-to-https");
    const csp = r.SiteHeadersPolicy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    assert.match(csp, /connect-src 'self' https:\/\/apiid01\.execute-api\.eu-west-1\.amazonaws\.com;/);
  });
});
