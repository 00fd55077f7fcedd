// The CreateTable input that infra/cloudformation/migrations-table.yaml describes, taken from
// the template itself (rendered with its defaults): keys, attribute definitions, GSIs, billing.
// `node tests/table-definition.mjs [out.json]` writes it as JSON (stdout without a path); the
// table conformance test creates its tables on dynalite from exactly this.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderTemplate } from "./lib/cfn.mjs";
import { load } from "./lib/templates.mjs";

export function tableDefinition() {
  const { template } = load("migrations-table.yaml");
  const p = renderTemplate(template).resources.MigrationsTable.Properties;
  const def = {
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    BillingMode: p.BillingMode,
  };
  if (p.GlobalSecondaryIndexes) def.GlobalSecondaryIndexes = p.GlobalSecondaryIndexes;
  if (p.LocalSecondaryIndexes) def.LocalSecondaryIndexes = p.LocalSecondaryIndexes;
  return def;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = JSON.stringify(tableDefinition(), null, 2) + "\n";
  if (process.argv[2]) writeFileSync(process.argv[2], json);
  else process.stdout.write(json);
}
