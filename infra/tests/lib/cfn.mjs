// CloudFormation template tooling for the tests (no AWS, no cfn-lint):
//   loadTemplate   - YAML with the short-form tags (!Ref, !Sub, !GetAtt, ...) -> the long form;
//   checkTemplate  - the template against the CloudFormation resource specification
//                    (@aws-cdk/cfnspec, pinned): resource types, property names and types,
//                    required properties, Ref/GetAtt/Sub/Condition/DependsOn targets, outputs,
//                    parameters, rules;
//   renderTemplate - evaluates conditions and intrinsics for given parameter values, with
//                    deterministic fake physical ids, so tests can assert concrete ARNs;
//   policyDocuments - every IAM policy document in a (rendered or raw) template.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import YAML from "yaml";

const require = createRequire(import.meta.url);
const cfnspec = require("@aws-cdk/cfnspec");
export const SPEC = cfnspec.specification();

// ---- Parsing ----------------------------------------------------------------------------------

const FN_TAGS = [
  ["Ref", "Ref"],
  ["Condition", "Condition"],
  ["Sub", "Fn::Sub"],
  ["GetAtt", "Fn::GetAtt"],
  ["If", "Fn::If"],
  ["Join", "Fn::Join"],
  ["Select", "Fn::Select"],
  ["Split", "Fn::Split"],
  ["Equals", "Fn::Equals"],
  ["Not", "Fn::Not"],
  ["And", "Fn::And"],
  ["Or", "Fn::Or"],
  ["ImportValue", "Fn::ImportValue"],
  ["FindInMap", "Fn::FindInMap"],
  ["Base64", "Fn::Base64"],
  ["Cidr", "Fn::Cidr"],
  ["GetAZs", "Fn::GetAZs"],
];

const customTags = FN_TAGS.flatMap(([tag, fn]) =>
  ["scalar", "seq", "map"].map((kind) => ({
    tag: `!${tag}`,
    collection: kind === "scalar" ? undefined : kind,
    resolve(value) {
      let v = value;
      if (v && typeof v === "object" && typeof v.toJSON === "function") v = v.toJSON();
      if (fn === "Fn::GetAtt" && typeof v === "string") {
        const dot = v.indexOf(".");
        v = dot < 0 ? [v] : [v.slice(0, dot), v.slice(dot + 1)];
      }
      if (fn === "Fn::GetAZs" && v === null) v = "";
      return { [fn]: v };
    },
  })),
);

export function parseTemplate(text) {
  const doc = YAML.parseDocument(text, { customTags, uniqueKeys: true, merge: false });
  if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join("\n"));
  return doc.toJS({ maxAliasCount: 0 });
}

export function loadTemplate(file) {
  const text = readFileSync(file, "utf8");
  return { text, template: parseTemplate(text) };
}

// ---- Helpers ----------------------------------------------------------------------------------

export const PSEUDO = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

const INTRINSICS = new Set([
  "Ref",
  "Condition",
  ...FN_TAGS.filter(([, f]) => f.startsWith("Fn::")).map(([, f]) => f),
]);

export function isIntrinsic(v) {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && INTRINSICS.has(keys[0]);
}

const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// "${Name}" / "${Res.Attr}" references in a Sub string ("${!Literal}" is a literal).
export function subReferences(str) {
  const refs = [];
  const re = /\$\{([^}]*)\}/g;
  let m;
  while ((m = re.exec(str))) {
    const inner = m[1].trim();
    if (inner.startsWith("!")) continue;
    refs.push(inner);
  }
  return refs;
}

// ---- Checking against the specification -------------------------------------------------------

const PARAMETER_TYPES = new Set([
  "String",
  "Number",
  "List<Number>",
  "CommaDelimitedList",
  "AWS::EC2::VPC::Id",
  "AWS::EC2::Subnet::Id",
  "AWS::EC2::SecurityGroup::Id",
  "List<AWS::EC2::Subnet::Id>",
  "List<AWS::EC2::SecurityGroup::Id>",
  "AWS::SSM::Parameter::Value<String>",
]);
const TOP_LEVEL = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
]);
const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "Condition",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
]);
const LIST_RETURNING = new Set(["Fn::Split", "Fn::GetAZs", "Fn::Cidr"]);

/**
 * Checks one parsed template. Returns a list of error strings ("<path>: <problem>"), empty when
 * the template is valid.
 */
export function checkTemplate(template, spec = SPEC) {
  const errors = [];
  const err = (path, msg) => errors.push(`${path}: ${msg}`);
  if (!isPlainObject(template)) return ["template: not a mapping"];

  for (const key of Object.keys(template)) if (!TOP_LEVEL.has(key)) err(key, "unknown top-level section");
  if (template.AWSTemplateFormatVersion !== undefined && template.AWSTemplateFormatVersion !== "2010-09-09") {
    err("AWSTemplateFormatVersion", "must be 2010-09-09");
  }
  const params = template.Parameters ?? {};
  const resources = template.Resources ?? {};
  const conditions = template.Conditions ?? {};
  const mappings = template.Mappings ?? {};
  if (!isPlainObject(resources) || Object.keys(resources).length === 0) err("Resources", "at least one resource is required");

  const resourceTypeOf = (name) => resources[name]?.Type;

  // Parameters
  for (const [name, p] of Object.entries(params)) {
    const path = `Parameters.${name}`;
    if (!isPlainObject(p)) {
      err(path, "must be a mapping");
      continue;
    }
    if (!PARAMETER_TYPES.has(p.Type)) err(path, `unsupported parameter type ${JSON.stringify(p.Type)}`);
    if (resources[name]) err(path, "a parameter and a resource share this logical id");
    if (p.Default !== undefined && p.AllowedValues && !p.AllowedValues.map(String).includes(String(p.Default))) {
      err(path, `Default ${JSON.stringify(p.Default)} is not in AllowedValues`);
    }
    if (p.Default !== undefined && p.AllowedPattern && p.Type === "String") {
      if (!new RegExp(p.AllowedPattern).test(String(p.Default))) err(path, `Default does not match AllowedPattern`);
    }
    // CloudFormation matches a list's pattern against each of its values, the default's too.
    if (p.Default !== undefined && p.AllowedPattern && p.Type === "CommaDelimitedList") {
      if (!String(p.Default).split(",").every((v) => new RegExp(p.AllowedPattern).test(v))) err(path, `Default does not match AllowedPattern`);
    }
    if (p.NoEcho !== undefined && typeof p.NoEcho !== "boolean") err(path, "NoEcho must be a boolean");
  }

  // Walks any value, checking intrinsic references. `ctx` tells what may be referenced.
  const checkRefs = (value, path, ctx) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => checkRefs(v, `${path}[${i}]`, ctx));
      return;
    }
    if (!isPlainObject(value)) return;
    const keys = Object.keys(value);
    if (keys.length === 1 && INTRINSICS.has(keys[0])) {
      const fn = keys[0];
      const arg = value[fn];
      switch (fn) {
        case "Ref":
          if (typeof arg !== "string") err(path, "Ref takes a logical id");
          else if (!PSEUDO.has(arg) && !(arg in params) && !(ctx.resources && arg in resources)) {
            err(path, `Ref to undeclared ${ctx.resources ? "parameter or resource" : "parameter"} '${arg}'`);
          }
          return;
        case "Condition":
          if (!ctx.conditions) err(path, "Condition is only allowed inside Conditions");
          else if (typeof arg !== "string" || !(arg in conditions)) err(path, `Condition '${arg}' is not declared`);
          return;
        case "Fn::GetAtt": {
          if (!ctx.resources) return err(path, "Fn::GetAtt is not allowed here");
          if (!Array.isArray(arg) || arg.length !== 2) return err(path, "Fn::GetAtt takes [resource, attribute]");
          const [res, attr] = arg;
          if (!(res in resources)) return err(path, `Fn::GetAtt on undeclared resource '${res}'`);
          checkAttribute(res, attr, path);
          return;
        }
        case "Fn::Sub": {
          let str = arg;
          let vars = {};
          if (Array.isArray(arg)) {
            if (arg.length !== 2 || typeof arg[0] !== "string" || !isPlainObject(arg[1])) {
              return err(path, "Fn::Sub takes a string or [string, {variables}]");
            }
            [str, vars] = arg;
            for (const [k, v] of Object.entries(vars)) checkRefs(v, `${path}.${k}`, ctx);
          } else if (typeof arg !== "string") return err(path, "Fn::Sub takes a string or [string, {variables}]");
          for (const ref of subReferences(str)) {
            if (ref in vars) continue;
            const dot = ref.indexOf(".");
            if (dot < 0) {
              if (!PSEUDO.has(ref) && !(ref in params) && !(ctx.resources && ref in resources)) {
                err(path, `Fn::Sub references undeclared '${ref}'`);
              }
            } else {
              const res = ref.slice(0, dot);
              if (!ctx.resources || !(res in resources)) err(path, `Fn::Sub references undeclared resource '${res}'`);
              else checkAttribute(res, ref.slice(dot + 1), path);
            }
          }
          return;
        }
        case "Fn::If": {
          if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== "string") {
            return err(path, "Fn::If takes [condition, then, else]");
          }
          if (!(arg[0] in conditions)) err(path, `Fn::If on undeclared condition '${arg[0]}'`);
          checkRefs(arg[1], `${path}.then`, ctx);
          checkRefs(arg[2], `${path}.else`, ctx);
          return;
        }
        case "Fn::FindInMap": {
          if (!Array.isArray(arg) || arg.length !== 3) return err(path, "Fn::FindInMap takes 3 arguments");
          if (typeof arg[0] === "string" && !(arg[0] in mappings)) err(path, `Fn::FindInMap on undeclared mapping '${arg[0]}'`);
          arg.forEach((v, i) => checkRefs(v, `${path}[${i}]`, ctx));
          return;
        }
        case "Fn::Join":
          if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== "string") return err(path, "Fn::Join takes [delimiter, list]");
          checkRefs(arg[1], `${path}[1]`, ctx);
          return;
        case "Fn::Select":
        case "Fn::Split":
          if (!Array.isArray(arg) || arg.length !== 2) return err(path, `${fn} takes 2 arguments`);
          checkRefs(arg, path + `.${fn}`, ctx);
          return;
        case "Fn::Equals":
          if (!Array.isArray(arg) || arg.length !== 2) return err(path, "Fn::Equals takes 2 arguments");
          checkRefs(arg, path + ".Fn::Equals", ctx);
          return;
        case "Fn::Not":
          if (!Array.isArray(arg) || arg.length !== 1) return err(path, "Fn::Not takes 1 argument");
          checkRefs(arg, path + ".Fn::Not", ctx);
          return;
        case "Fn::And":
        case "Fn::Or":
          if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) return err(path, `${fn} takes 2 to 10 arguments`);
          checkRefs(arg, path + `.${fn}`, ctx);
          return;
        default:
          checkRefs(arg, `${path}.${fn}`, ctx);
          return;
      }
    }
    for (const [k, v] of Object.entries(value)) checkRefs(v, `${path}.${k}`, ctx);
  };

  const checkAttribute = (res, attr, path) => {
    const type = resourceTypeOf(res);
    const rs = spec.ResourceTypes[type];
    if (!rs) return; // the unknown type is reported on the resource
    if (typeof attr !== "string" || !rs.Attributes || !(attr in rs.Attributes)) {
      err(path, `${type} has no attribute '${attr}' for Fn::GetAtt`);
    }
  };

  // Conditions
  for (const [name, c] of Object.entries(conditions)) {
    checkRefs(c, `Conditions.${name}`, { resources: false, conditions: true });
    if (!isIntrinsic(c)) err(`Conditions.${name}`, "a condition must be an intrinsic function");
  }

  // Rules: only parameters may be referenced.
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    const path = `Rules.${name}`;
    if (!Array.isArray(rule.Assertions) || rule.Assertions.length === 0) err(path, "a rule needs Assertions");
    if (rule.RuleCondition !== undefined) checkRefs(rule.RuleCondition, `${path}.RuleCondition`, { resources: false });
    for (const [i, a] of (rule.Assertions ?? []).entries()) {
      if (a.Assert === undefined) err(`${path}.Assertions[${i}]`, "missing Assert");
      checkRefs(a.Assert, `${path}.Assertions[${i}].Assert`, { resources: false });
    }
  }

  // Resources
  for (const [name, res] of Object.entries(resources)) {
    const path = `Resources.${name}`;
    if (!isPlainObject(res)) {
      err(path, "must be a mapping");
      continue;
    }
    for (const k of Object.keys(res)) if (!RESOURCE_KEYS.has(k)) err(path, `unknown resource attribute '${k}'`);
    if (!/^[A-Za-z0-9]+$/.test(name)) err(path, "logical ids are alphanumeric");
    const rs = spec.ResourceTypes[res.Type];
    if (!rs) {
      err(path, `unknown resource type ${JSON.stringify(res.Type)}`);
      continue;
    }
    if (res.Condition !== undefined && !(res.Condition in conditions)) err(path, `Condition '${res.Condition}' is not declared`);
    const deps = res.DependsOn === undefined ? [] : [].concat(res.DependsOn);
    for (const d of deps) if (!(d in resources)) err(path, `DependsOn undeclared resource '${d}'`);
    for (const policy of ["DeletionPolicy", "UpdateReplacePolicy"]) {
      if (res[policy] !== undefined && !["Delete", "Retain", "Snapshot", "RetainExceptOnCreate"].includes(res[policy])) {
        err(path, `bad ${policy}`);
      }
    }
    const props = res.Properties ?? {};
    checkRefs(props, `${path}.Properties`, { resources: true });
    checkProperties(props, rs.Properties ?? {}, res.Type, `${path}.Properties`, err, spec);
  }

  // Circular dependencies between resources (CloudFormation refuses them).
  const edges = {};
  for (const [name, res] of Object.entries(resources)) {
    edges[name] = new Set([...resourceReferences(res.Properties ?? {}), ...[].concat(res.DependsOn ?? [])].filter((r) => r in resources));
  }
  const state = {};
  const visit = (n, stack) => {
    if (state[n] === "done") return;
    if (state[n] === "active") {
      err("Resources", `circular dependency: ${[...stack.slice(stack.indexOf(n)), n].join(" -> ")}`);
      return;
    }
    state[n] = "active";
    for (const m of edges[n] ?? []) visit(m, [...stack, n]);
    state[n] = "done";
  };
  for (const n of Object.keys(edges)) visit(n, []);

  // Outputs
  for (const [name, out] of Object.entries(template.Outputs ?? {})) {
    const path = `Outputs.${name}`;
    if (!isPlainObject(out) || out.Value === undefined) {
      err(path, "an output needs a Value");
      continue;
    }
    if (out.Condition !== undefined && !(out.Condition in conditions)) err(path, `Condition '${out.Condition}' is not declared`);
    checkRefs(out.Value, `${path}.Value`, { resources: true });
    if (out.Export !== undefined) {
      if (!isPlainObject(out.Export) || out.Export.Name === undefined) err(path, "Export needs a Name");
      else checkRefs(out.Export.Name, `${path}.Export.Name`, { resources: true });
    }
  }
  return errors;
}

// Logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub.
export function resourceReferences(value, out = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => resourceReferences(v, out));
  else if (isPlainObject(value)) {
    if (typeof value.Ref === "string") out.add(value.Ref);
    if (Array.isArray(value["Fn::GetAtt"])) out.add(value["Fn::GetAtt"][0]);
    if (value["Fn::Sub"] !== undefined) {
      const [str, vars] = Array.isArray(value["Fn::Sub"]) ? value["Fn::Sub"] : [value["Fn::Sub"], {}];
      if (typeof str === "string") for (const r of subReferences(str)) if (!(r in (vars ?? {}))) out.add(r.split(".")[0]);
    }
    for (const v of Object.values(value)) resourceReferences(v, out);
  }
  return out;
}

// Properties of one resource or property type against the spec.
function checkProperties(props, specProps, resourceType, path, err, spec) {
  if (isIntrinsic(props)) {
    if (props["Fn::If"]) {
      const [, a, b] = props["Fn::If"];
      for (const branch of [a, b]) if (!isNoValue(branch)) checkProperties(branch, specProps, resourceType, path, err, spec);
    }
    return;
  }
  if (!isPlainObject(props)) return err(path, "must be a mapping");
  for (const [pname, pspec] of Object.entries(specProps)) {
    if (pspec.Required && !(pname in props)) err(path, `missing required property '${pname}'`);
  }
  for (const [pname, value] of Object.entries(props)) {
    const pspec = specProps[pname];
    if (!pspec) {
      err(path, `unknown property '${pname}' (${resourceType})`);
      continue;
    }
    checkValue(value, pspec, resourceType, `${path}.${pname}`, err, spec);
  }
}

const isNoValue = (v) => isPlainObject(v) && v.Ref === "AWS::NoValue";

function checkValue(value, pspec, resourceType, path, err, spec) {
  if (isIntrinsic(value)) {
    const fn = Object.keys(value)[0];
    if (fn === "Fn::If") {
      const [, a, b] = value[fn];
      for (const [i, branch] of [a, b].entries()) {
        if (!isNoValue(branch)) checkValue(branch, pspec, resourceType, `${path}.${i ? "else" : "then"}`, err, spec);
      }
      return;
    }
    // A list property may come from a list-returning function or a list parameter; a scalar
    // from anything else. Deeper type checking of intrinsic results needs the parameter values.
    if (pspec.Type === "List" && !(LIST_RETURNING.has(fn) || fn === "Ref" || fn === "Fn::FindInMap" || fn === "Fn::GetAtt")) {
      err(path, `${fn} does not return a list`);
    }
    return;
  }
  if (pspec.PrimitiveType) return checkPrimitive(value, pspec.PrimitiveType, path, err);
  if (pspec.Type === "List") {
    if (!Array.isArray(value)) return err(path, "must be a list");
    value.forEach((item, i) => {
      if (isNoValue(item)) return;
      const ipath = `${path}[${i}]`;
      if (pspec.PrimitiveItemType) {
        if (!isIntrinsic(item)) checkPrimitive(item, pspec.PrimitiveItemType, ipath, err);
      } else checkComplex(item, pspec.ItemType, resourceType, ipath, err, spec);
    });
    return;
  }
  if (pspec.Type === "Map") {
    if (!isPlainObject(value)) return err(path, "must be a mapping");
    for (const [k, item] of Object.entries(value)) {
      if (isNoValue(item)) continue;
      const ipath = `${path}.${k}`;
      if (pspec.PrimitiveItemType) {
        if (!isIntrinsic(item)) checkPrimitive(item, pspec.PrimitiveItemType, ipath, err);
      } else checkComplex(item, pspec.ItemType, resourceType, ipath, err, spec);
    }
    return;
  }
  checkComplex(value, pspec.Type, resourceType, path, err, spec);
}

function checkComplex(value, typeName, resourceType, path, err, spec) {
  const tspec = spec.PropertyTypes[`${resourceType}.${typeName}`] ?? spec.PropertyTypes[typeName];
  if (!tspec) return err(path, `no specification for property type ${typeName}`);
  if (isIntrinsic(value) && !value["Fn::If"]) return;
  if (tspec.PrimitiveType) return checkPrimitive(value, tspec.PrimitiveType, path, err);
  checkProperties(value, tspec.Properties ?? {}, resourceType, path, err, spec);
}

function checkPrimitive(value, type, path, err) {
  const ok = {
    String: () => ["string", "number", "boolean"].includes(typeof value),
    Integer: () => Number.isInteger(value) || (typeof value === "string" && /^-?\d+$/.test(value)),
    Long: () => Number.isInteger(value) || (typeof value === "string" && /^-?\d+$/.test(value)),
    Double: () => typeof value === "number" || (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))),
    Boolean: () => typeof value === "boolean" || value === "true" || value === "false",
    Json: () => isPlainObject(value) || typeof value === "string" || Array.isArray(value),
    Timestamp: () => typeof value === "string",
  }[type];
  if (!ok) return err(path, `unknown primitive type ${type}`);
  if (!ok()) err(path, `expected ${type}, got ${JSON.stringify(value)}`);
}

// ---- Rendering --------------------------------------------------------------------------------

export const FAKE = { region: "eu-west-1", account: "123456789012", partition: "aws", stackName: "test-stack" };

/**
 * Evaluates the template for `values` (parameter values; defaults fill the rest): conditions,
 * resources and outputs with every intrinsic resolved. Resources get fake physical ids and
 * attributes of the right shape (ARNs in FAKE's region/account). Returns
 * { conditions, resources, outputs, physical } where resources omit those whose condition is
 * false and values omit AWS::NoValue.
 */
export function renderTemplate(template, values = {}, env = FAKE) {
  const params = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    let v = name in values ? values[name] : p.Default;
    if (v === undefined) throw new Error(`parameter ${name} has no value and no default`);
    if (p.Type === "CommaDelimitedList") v = Array.isArray(v) ? v : String(v).split(",");
    else v = String(v);
    params[name] = v;
  }
  const pseudo = {
    "AWS::Region": env.region,
    "AWS::AccountId": env.account,
    "AWS::Partition": env.partition,
    "AWS::StackName": env.stackName,
    "AWS::StackId": `arn:aws:cloudformation:${env.region}:${env.account}:stack/${env.stackName}/00000000`,
    "AWS::URLSuffix": "amazonaws.com",
  };
  const conds = {};
  const NOVALUE = Symbol("NoValue");
  const resources = template.Resources ?? {};

  const evalCondition = (name) => {
    if (!(name in conds)) conds[name] = Boolean(ev(template.Conditions[name]));
    return conds[name];
  };
  const physical = {};
  for (const [name, res] of Object.entries(resources)) physical[name] = fakeResource(name, res, params, env);

  function ev(v) {
    if (Array.isArray(v)) return v.map(ev).filter((x) => x !== NOVALUE);
    if (!isPlainObject(v)) return v;
    if (isIntrinsic(v)) {
      const fn = Object.keys(v)[0];
      const a = v[fn];
      switch (fn) {
        case "Ref":
          if (a === "AWS::NoValue") return NOVALUE;
          if (a in pseudo) return pseudo[a];
          if (a in params) return params[a];
          return physical[a].ref;
        case "Condition":
          return evalCondition(a);
        case "Fn::GetAtt":
          return physical[a[0]].attrs[a[1]] ?? `${physical[a[0]].ref}.${a[1]}`;
        case "Fn::Sub": {
          const [str, vars] = Array.isArray(a) ? [a[0], ev(a[1])] : [a, {}];
          return str.replace(/\$\{([^}]*)\}/g, (whole, inner) => {
            if (inner.startsWith("!")) return "${" + inner.slice(1) + "}";
            if (inner in vars) return vars[inner];
            if (inner in pseudo) return pseudo[inner];
            if (inner in params) return params[inner];
            const dot = inner.indexOf(".");
            if (dot < 0) return physical[inner].ref;
            return physical[inner.slice(0, dot)].attrs[inner.slice(dot + 1)];
          });
        }
        case "Fn::If":
          return ev(evalCondition(a[0]) ? a[1] : a[2]);
        case "Fn::Join":
          return ev(a[1]).join(a[0]);
        case "Fn::Select":
          return ev(a[1])[Number(ev(a[0]))];
        case "Fn::Split":
          return String(ev(a[1])).split(a[0]);
        case "Fn::Equals":
          return String(ev(a[0])) === String(ev(a[1]));
        case "Fn::Not":
          return !ev(a[0]);
        case "Fn::And":
          return a.every((x) => ev(x));
        case "Fn::Or":
          return a.some((x) => ev(x));
        case "Fn::ImportValue":
          return `imported:${ev(a)}`;
        case "Fn::FindInMap":
          return template.Mappings[ev(a[0])][ev(a[1])][ev(a[2])];
        case "Fn::Base64":
          return Buffer.from(String(ev(a))).toString("base64");
        case "Fn::GetAZs":
          return [`${env.region}a`, `${env.region}b`];
        default:
          throw new Error(`cannot render ${fn}`);
      }
    }
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const r = ev(x);
      if (r !== NOVALUE) out[k] = r;
    }
    return out;
  }

  for (const name of Object.keys(template.Conditions ?? {})) evalCondition(name);
  const rendered = {};
  for (const [name, res] of Object.entries(resources)) {
    if (res.Condition && !conds[res.Condition]) continue;
    rendered[name] = { ...res, Properties: ev(res.Properties ?? {}) };
  }
  const outputs = {};
  for (const [name, out] of Object.entries(template.Outputs ?? {})) {
    if (out.Condition && !conds[out.Condition]) continue;
    outputs[name] = ev(out.Value);
  }
  const rules = {};
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    const applies = rule.RuleCondition === undefined || Boolean(ev(rule.RuleCondition));
    rules[name] = applies ? rule.Assertions.filter((x) => !ev(x.Assert)).map((x) => x.AssertDescription) : [];
  }
  return { params, conditions: conds, resources: rendered, outputs, physical, rules };
}

// Deterministic physical ids and attributes for a resource.
function fakeResource(name, res, params, env) {
  const { region, account } = env;
  const lower = name.toLowerCase();
  const nameProp = (k) => {
    const v = res.Properties?.[k];
    if (typeof v === "string") return v;
    // Only a parameter's value is resolved here (rendering order); others get generated names.
    if (v && v["Fn::If"] && v["Fn::If"][1]?.Ref && params[v["Fn::If"][1].Ref]) return params[v["Fn::If"][1].Ref];
    return `${env.stackName}-${name}-GEN`;
  };
  switch (res.Type) {
    case "AWS::S3::Bucket": {
      const b = nameProp("BucketName").toLowerCase();
      return { ref: b, attrs: { Arn: `arn:aws:s3:::${b}`, RegionalDomainName: `${b}.s3.${region}.amazonaws.com`, DomainName: `${b}.s3.amazonaws.com` } };
    }
    case "AWS::DynamoDB::Table": {
      const t = nameProp("TableName");
      return { ref: t, attrs: { Arn: `arn:aws:dynamodb:${region}:${account}:table/${t}`, StreamArn: `arn:aws:dynamodb:${region}:${account}:table/${t}/stream/x` } };
    }
    case "AWS::Lambda::Function": {
      const f = nameProp("FunctionName");
      return { ref: f, attrs: { Arn: `arn:aws:lambda:${region}:${account}:function:${f}` } };
    }
    case "AWS::IAM::Role": {
      const r = `${env.stackName}-${name}-GEN`;
      return { ref: r, attrs: { Arn: `arn:aws:iam::${account}:role/${r}`, RoleId: `AROA${name.toUpperCase()}` } };
    }
    case "AWS::Logs::LogGroup":
      return { ref: `loggroup-${lower}`, attrs: { Arn: `arn:aws:logs:${region}:${account}:log-group:loggroup-${lower}:*` } };
    case "AWS::ECS::Cluster": {
      const c = `${env.stackName}-${name}-GEN`;
      return { ref: c, attrs: { Arn: `arn:aws:ecs:${region}:${account}:cluster/${c}` } };
    }
    case "AWS::ECS::TaskDefinition":
      return { ref: `arn:aws:ecs:${region}:${account}:task-definition/FAMILY:1`, attrs: {} };
    case "AWS::Events::Rule":
      return { ref: `${name}-GEN`, attrs: { Arn: `arn:aws:events:${region}:${account}:rule/${name}-GEN` } };
    case "AWS::ApiGatewayV2::Api":
      return { ref: "apiid01", attrs: { ApiEndpoint: `https://apiid01.execute-api.${region}.amazonaws.com`, ApiId: "apiid01" } };
    case "AWS::CloudFront::Distribution":
      return { ref: "EDFDVBD6EXAMPLE", attrs: { DomainName: "d111111abcdef8.cloudfront.net", Id: "EDFDVBD6EXAMPLE" } };
    case "AWS::CloudFront::OriginAccessControl":
      return { ref: "E2OACEXAMPLE", attrs: { Id: "E2OACEXAMPLE" } };
    default:
      return { ref: `${name}-GEN`, attrs: { Arn: `arn:aws:fake:${region}:${account}:${lower}`, Id: `${name}-ID` } };
  }
}

// ---- IAM policies -----------------------------------------------------------------------------

/**
 * Every policy document of a template's resources: identity policies (roles' inline policies,
 * AWS::IAM::Policy, AWS::IAM::ManagedPolicy), trust policies and bucket policies.
 * Returns [{resource, kind, name, document}].
 */
export function policyDocuments(resources) {
  const out = [];
  for (const [name, res] of Object.entries(resources)) {
    const p = res.Properties ?? {};
    switch (res.Type) {
      case "AWS::IAM::Role":
        if (p.AssumeRolePolicyDocument) out.push({ resource: name, kind: "trust", name: "AssumeRolePolicyDocument", document: p.AssumeRolePolicyDocument });
        for (const pol of p.Policies ?? []) out.push({ resource: name, kind: "identity", name: pol.PolicyName, document: pol.PolicyDocument });
        break;
      case "AWS::IAM::Policy":
      case "AWS::IAM::ManagedPolicy":
        out.push({ resource: name, kind: "identity", name: p.PolicyName ?? name, document: p.PolicyDocument, roles: p.Roles });
        break;
      case "AWS::S3::BucketPolicy":
        out.push({ resource: name, kind: "bucket", name, document: p.PolicyDocument });
        break;
      default:
        break;
    }
  }
  return out;
}

// Statements of a document, with Fn::If statements expanded to both branches (raw templates)
// and AWS::NoValue dropped.
export function statements(document) {
  const list = [].concat(document?.Statement ?? []);
  const out = [];
  for (const s of list) {
    if (isPlainObject(s) && s["Fn::If"]) {
      for (const branch of [s["Fn::If"][1], s["Fn::If"][2]]) if (!isNoValue(branch)) out.push(branch);
    } else if (!isNoValue(s)) out.push(s);
  }
  return out;
}

export const asList = (v) => (v === undefined ? [] : [].concat(v));
