// onellm provider emulator: the providers' published request definitions
// (tests/conformance/definitions, dated, with SOURCES.md), enforced on the routes that
// have one, so that every runtime's suite meets providers as strict as the real ones.
// The emulator's one npm dependency: ajv (with ajv-formats), the JSON Schema validator.

import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map();

/** The validator of `definitions/<name>.json`, compiled once. */
function validator(name) {
  if (!compiled.has(name)) {
    const url = new URL(`../conformance/definitions/${name}.json`, import.meta.url);
    compiled.set(name, ajv.compile(JSON.parse(readFileSync(url, "utf8"))));
  }
  return compiled.get(name);
}

/**
 * What the definition refuses in `body`: null when nothing, else a list of
 * `{ loc, message, field }` (loc as pydantic writes it: ["body", "messages", 0, ...]).
 */
export function definitionProblems(name, body) {
  const validate = validator(name);
  if (validate(body)) return null;
  // A field the schema lacks is what providers name first; else the deepest errors (an
  // anyOf/oneOf branch's own error says more than the branch's failing). One per place.
  const unknown = validate.errors.filter((e) => e.keyword === "additionalProperties");
  const deepest = Math.max(...validate.errors.map((e) => e.instancePath.length));
  const chosen = unknown.length ? unknown : validate.errors.filter((e) => e.instancePath.length === deepest);
  const seen = new Set();
  const problems = [];
  for (const e of chosen) {
    const loc = ["body", ...e.instancePath.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p))];
    const field = e.params?.additionalProperty;
    const problem = { loc: field ? [...loc, field] : loc, message: e.message, field };
    const key = JSON.stringify(problem.loc);
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}
