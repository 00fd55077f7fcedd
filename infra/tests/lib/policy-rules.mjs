// The generic least-privilege rules, as a function so that planted mistakes can be tested:
// returns a list of problems for one template (raw: every Fn::If branch counts).
import { asList, policyDocuments, statements } from "./cfn.mjs";

export const STAR_SID = /StarResourceRequired$/;
const WHY = /only accepts|no resource-level|accepts only|no narrower/i;

export function policyProblems(template, text) {
  const problems = [];
  const lines = text.split("\n");
  for (const doc of policyDocuments(template.Resources ?? {})) {
    for (const s of statements(doc.document)) {
      const where = `${doc.resource}${s.Sid ? ` ${s.Sid}` : ""}`;
      if (s.NotAction !== undefined) problems.push(`${where}: NotAction`);
      if (s.NotResource !== undefined) problems.push(`${where}: NotResource`);
      for (const a of asList(s.Action)) {
        if (typeof a !== "string") problems.push(`${where}: actions must be literal strings`);
        else if (a === "*") problems.push(`${where}: Action "*"`);
        else if (s.Effect === "Allow" && a.includes("*")) problems.push(`${where}: wildcard action ${a} in an Allow statement`);
      }
      const allPrincipals = s.Principal === "*" || s.Principal?.AWS === "*";
      if (allPrincipals && s.Effect !== "Deny") problems.push(`${where}: Principal "*" in an Allow statement`);
      if (doc.kind === "trust") continue;
      if (asList(s.Resource).includes("*")) {
        if (!STAR_SID.test(s.Sid ?? "")) problems.push(`${where}: Resource "*" without a ...StarResourceRequired Sid`);
        else {
          const at = lines.findIndex((l) => l.includes(`Sid: ${s.Sid}`));
          const comments = lines.slice(Math.max(0, at - 6), at).filter((l) => l.trim().startsWith("#"));
          if (!comments.some((l) => WHY.test(l))) problems.push(`${where}: Resource "*" needs a comment saying why the service allows nothing narrower`);
        }
      }
    }
  }
  return problems;
}
