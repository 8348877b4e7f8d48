// What the packed package.json must say, checked against the tarball's own file list:
// the fields a registry page and a consumer's tools read, an export condition for each
// runtime, and no entry point that names a file the tarball lacks (npm pack would ship
// such a package without a word).

// The runtimes and tools each condition is for: workerd/worker (wrangler, workerd),
// deno, node, browser/import (bundlers, pages), types (TypeScript), default (the rest).
const CONDITIONS = ["types", "workerd", "worker", "deno", "node", "browser", "import", "default"];
const FIELDS = ["name", "version", "description", "license", "repository", "keywords", "types", "sideEffects", "files", "exports", "engines"];

/** Every problem found, as a sentence; none means the manifest is sound. */
export function manifestProblems(manifest, tarballFiles) {
  const problems = [];
  const has = new Set(tarballFiles.map((f) => f.replace(/^\.\//, "")));
  for (const field of FIELDS) {
    const v = manifest[field];
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) problems.push(`package.json has no ${field}`);
  }
  if (manifest.repository && !manifest.repository.url) problems.push("repository has no url");
  if (manifest.engines && !manifest.engines.node) problems.push("engines has no node range");
  const root = manifest.exports?.["."] ?? {};
  for (const condition of CONDITIONS) {
    if (!(condition in root)) problems.push(`exports["."] has no "${condition}" condition`);
  }
  // TypeScript takes the first condition that matches, so "types" must come first.
  if (Object.keys(root)[0] !== "types") problems.push(`exports["."] lists "${Object.keys(root)[0]}" before "types"`);
  const pointed = [
    ...["main", "module", "browser", "types"].map((f) => [f, manifest[f]]),
    ...Object.entries(manifest.exports ?? {}).flatMap(([sub, target]) =>
      typeof target === "string" ? [[`exports["${sub}"]`, target]] : Object.entries(target).map(([c, t]) => [`exports["${sub}"].${c}`, t])),
    ...(Array.isArray(manifest.sideEffects) ? manifest.sideEffects.map((f) => ["sideEffects", f]) : []),
  ];
  for (const [where, path] of pointed) {
    if (typeof path !== "string") continue; // absent fields are reported above
    if (!has.has(path.replace(/^\.\//, ""))) problems.push(`${where} points to ${path}, which is not in the tarball`);
  }
  return problems;
}
