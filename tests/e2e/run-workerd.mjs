// Runs the suite in workerd through miniflare: worker.mjs and the modules it imports
// (pkg/workerd.js, its .wasm as a CompiledWasm module, suite.mjs) are loaded as
// workerd loads a deployed Worker.
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export async function runWorkerd(emulator) {
  const mf = new Miniflare({
    modules: true,
    modulesRoot: root,
    scriptPath: fileURLToPath(new URL("./worker.mjs", import.meta.url)),
    // As wrangler does: .js files are ES modules, .wasm files compiled modules.
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-01-01",
  });
  try {
    const res = await mf.dispatchFetch(`http://worker.test/?emulator=${encodeURIComponent(emulator)}`);
    const body = await res.text();
    try {
      return JSON.parse(body);
    } catch {
      return { runtime: "workerd", results: [{ name: "suite ran", ok: false, error: body.slice(0, 2000), ms: 0 }] };
    }
  } finally {
    await mf.dispose();
  }
}
