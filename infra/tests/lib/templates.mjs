// The templates under test and sample parameter values for rendering them.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTemplate } from "./cfn.mjs";

export const INFRA_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_DIR = join(INFRA_DIR, "..");
export const TEMPLATE_DIR = join(INFRA_DIR, "cloudformation");

export const TEMPLATE_FILES = readdirSync(TEMPLATE_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

export function load(name) {
  return loadTemplate(join(TEMPLATE_DIR, name.endsWith(".yaml") ? name : `${name}.yaml`));
}

export const SHA = "0123456789abcdef".repeat(4);
export const KEY = `bundles/bundle-${SHA}.zip`;
export const BUCKET = "acme-migration-bundles";
export const TABLE = "acme-MigrationsTable";
export const FN_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:acme-MigrationFn";
export const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/auric-migrate-runner@sha256:${"ab".repeat(32)}`;
// Tables a backfill scans or writes (the Backfill* parameters).
export const ORDERS = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders";
export const USERS = "arn:aws:dynamodb:eu-west-1:123456789012:table/users";
export const ORDERS_V2 = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders.v2";

// Values for the required parameters of each template.
export const REQUIRED = {
  "bundle-bucket.yaml": {},
  "migrations-table.yaml": {},
  "migration-lambda.yaml": { TableName: TABLE, BundleBucket: BUCKET, BundleKey: KEY },
  "fargate-runner.yaml": {
    RunnerImage: IMAGE,
    BundleBucket: BUCKET,
    BundleKey: KEY,
    BundleSha256: SHA,
    TableName: TABLE,
    MigrationFunctionArn: FN_ARN,
    MigrationFunctionRoleName: "acme-MigrationFnRole",
  },
  "dashboard.yaml": { TableName: TABLE, BundleBucket: BUCKET, BundleKey: KEY, AuthToken: "t".repeat(40), MigrationFunctionArn: FN_ARN },
};

// Parameter sets that switch every condition of each template both ways.
export const VARIANTS = {
  "bundle-bucket.yaml": [{}, { BucketName: "my-bundles", KmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", NoncurrentVersionExpirationDays: 30 }],
  "migrations-table.yaml": [{}, { TableName: "custom-table", DeletionProtection: "false", PointInTimeRecovery: "false" }],
  "migration-lambda.yaml": [
    {},
    { Architecture: "x86_64", FunctionName: "named-fn", BundleObjectVersion: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", AdditionalPolicyArns: "arn:aws:iam::123456789012:policy/app" },
    { DispatchToFargate: "true", DispatchCluster: "c", DispatchTaskDefinition: "fam", DispatchSubnets: "subnet-1,subnet-2", DispatchSecurityGroups: "sg-1" },
    { BackfillTableArns: `${ORDERS},${USERS}` },
    { BackfillTableArns: ORDERS, BackfillWriteTableArns: `${ORDERS},${ORDERS_V2}` },
    { BackfillWriteTableArns: ORDERS_V2 },
  ],
  "fargate-runner.yaml": [
    {},
    {
      ClusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/existing",
      TaskFamily: "fam",
      BundleObjectVersion: "v1",
      BundleKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
      ImageRepositoryArn: "arn:aws:ecr:eu-west-1:123456789012:repository/auric-migrate-runner",
      VpcId: "vpc-1",
      AdditionalTaskPolicyArns: "arn:aws:iam::123456789012:policy/app",
      Architecture: "X86_64",
      BackfillTableArns: ORDERS,
      BackfillWriteTableArns: `${ORDERS},${ORDERS_V2}`,
      BackfillFargateWorkers: "true",
    },
    { BackfillTableArns: `${ORDERS},${USERS}`, BackfillFargateWorkers: "true" },
    { BackfillWriteTableArns: ORDERS_V2 },
  ],
  "dashboard.yaml": [
    {},
    { MigrationFunctionArn: "", AuthToken: "", AuthTokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dash-AbCdEf", SiteDomainName: "migrations.example.com", SiteCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c", BundleObjectVersion: "v" },
    { AuthToken: "", DisableAuth: "true" },
  ],
};

export function paramsFor(file, variant = {}) {
  return { ...REQUIRED[file], ...variant };
}
