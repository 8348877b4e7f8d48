// Cold start: what a fresh process pays before its first answer.
//
// Node: a new `node` per run imports the client and constructs it, timed inside the
// process with performance.now() (which counts from the process's own start, so the
// first reading is Node's bootstrap), then makes one small completion against the bench
// server; the parent also times the whole process from spawn to exit. An empty script
// is the baseline. For onellm, a separate run times compiling and instantiating the
// .wasm alone (initSync on bytes already read), the part the Rust build controls.
//
// workerd (through miniflare): workerd freezes timers while a Worker runs, so a Worker
// cannot time its own start; we time from `new Miniflare()` to `ready` (workerd started,
// modules loaded) and then the first fetch (the handler constructs the client and makes
// one completion). An empty Worker is the baseline. onellm is loaded as
// tests/e2e/run-workerd.mjs loads it (pkg/workerd.js, the .wasm as a CompiledWasm
// module); openai is bundled to one ES module by esbuild, as wrangler would.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "../scripts/lib.mjs";
import { SMALL_TEXT } from "./bodies.mjs";
import { median } from "./children.mjs";

const messages = `[{ role: "user", content: "Say something." }]`;

/** Node scripts: each prints {boot, import, construct, first}. `SERVER` is the bench server. */
const NODE_SUBJECTS = {
  "node, empty script": `
    const t0 = performance.now();
    console.log(JSON.stringify({ boot: t0, import: 0, construct: 0, first: 0, text: ${JSON.stringify(SMALL_TEXT)} }));`,
  // What Node's module loader costs before any package's own code: importing, by
  // name, a package whose one module is empty (see emptyPackage()).
  "node, an empty package": `
    const t0 = performance.now();
    await import("empty-package");
    const t1 = performance.now();
    console.log(JSON.stringify({ boot: t0, import: t1 - t0, construct: 0, first: 0, text: ${JSON.stringify(SMALL_TEXT)} }));`,
  onellm: `
    const t0 = performance.now();
    const { OpenAI } = await import("onellm");
    const t1 = performance.now();
    const client = new OpenAI({ apiKey: "sk-bench", baseURL: SERVER + "/openai/v1", maxRetries: 0 });
    const t2 = performance.now();
    const r = await client.chat.completions.create({ model: "openai/bench-small", messages: ${messages} });
    const t3 = performance.now();
    console.log(JSON.stringify({ boot: t0, import: t1 - t0, construct: t2 - t1, first: t3 - t2, text: r.choices[0].message.content }));`,
  openai: `
    const t0 = performance.now();
    const { default: OpenAI } = await import("openai");
    const t1 = performance.now();
    const client = new OpenAI({ apiKey: "sk-bench", baseURL: SERVER + "/openai/v1", maxRetries: 0 });
    const t2 = performance.now();
    const r = await client.chat.completions.create({ model: "bench-small", messages: ${messages} });
    const t3 = performance.now();
    console.log(JSON.stringify({ boot: t0, import: t1 - t0, construct: t2 - t1, first: t3 - t2, text: r.choices[0].message.content }));`,
  "AI SDK (ai + @ai-sdk/openai)": `
    const t0 = performance.now();
    const [{ generateText }, { createOpenAI }] = await Promise.all([import("ai"), import("@ai-sdk/openai")]);
    const t1 = performance.now();
    const model = createOpenAI({ apiKey: "sk-bench", baseURL: SERVER + "/openai/v1" }).chat("bench-small");
    const t2 = performance.now();
    const r = await generateText({ model, prompt: "Say something.", maxRetries: 0 });
    const t3 = performance.now();
    console.log(JSON.stringify({ boot: t0, import: t1 - t0, construct: t2 - t1, first: t3 - t2, text: r.text }));`,
};

const WASM_ONLY = `
  import { readFileSync } from "node:fs";
  const bytes = readFileSync(new URL("pkg/wasm/onellm_bg.wasm", ${JSON.stringify(pathToFileURL(root + "/").href)}));
  const { initSync } = await import(new URL("pkg/wasm/onellm.js", ${JSON.stringify(pathToFileURL(root + "/").href)}));
  const t0 = performance.now();
  initSync({ module: bytes });
  console.log(JSON.stringify({ init: performance.now() - t0 }));`;

/**
 * A directory whose node_modules holds `empty-package` (one empty module, exported
 * as onellm's are): scripts run there import it by name, as a user imports onellm.
 */
function emptyPackage() {
  const dir = join(root, "target", "bench-empty-package");
  const pkg = join(dir, "node_modules", "empty-package");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "empty-package", type: "module", exports: { ".": "./index.js" } }));
  writeFileSync(join(pkg, "index.js"), "export default 1;\n");
  return dir;
}

function runNode(script, url, cwd = root) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ["--input-type=module", "-e", `const SERVER = ${JSON.stringify(url)};\n${script}\nprocess.exit(0);`],
      { cwd, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`cold start script exited with ${code}: ${out}`));
      resolve({ ...JSON.parse(out.trim().split("\n").pop()), wall });
    });
  });
}

async function nodeColdStart(url, runs, log) {
  const times = Object.fromEntries(Object.keys(NODE_SUBJECTS).map((k) => [k, []]));
  const names = Object.keys(NODE_SUBJECTS);
  const init = [];
  const emptyDir = emptyPackage();
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const m = await runNode(NODE_SUBJECTS[name], url, name === "node, an empty package" ? emptyDir : root);
      if (m.text !== SMALL_TEXT) throw new Error(`cold start ${name}: wrong answer ${JSON.stringify(m.text)}`);
      times[name].push(m);
    }
    init.push((await runNode(WASM_ONLY, url)).init);
  }
  const rows = names.map((name) => {
    const t = times[name];
    const pick = (k) => median(t.map((m) => m[k]));
    const row = { name, boot: pick("boot"), import: pick("import"), construct: pick("construct"),
      ready: median(t.map((m) => m.import + m.construct)), first: pick("first"), wall: pick("wall") };
    log(`node cold start ${name}: import ${row.import.toFixed(1)} ms, new ${row.construct.toFixed(2)} ms, wall ${row.wall.toFixed(0)} ms`);
    return row;
  });
  return { rows, wasmInit: median(init) };
}

// --- workerd ---

async function workerdSubjects(dir) {
  const { build } = await import("esbuild");
  const handler = (construct, call, text) => `
export default {
  async fetch(request) {
    const url = new URL(request.url).searchParams.get("server");
    ${construct}
    const r = await ${call};
    return new Response(${text});
  },
};`;
  writeFileSync(join(dir, "empty.mjs"), `export default { fetch() { return new Response(${JSON.stringify(SMALL_TEXT)}); } };`);
  writeFileSync(join(dir, "onellm.mjs"), `import { OpenAI } from "../../../pkg/workerd.js";\n` + handler(
    `const client = new OpenAI({ apiKey: "sk-bench", baseURL: url + "/openai/v1", maxRetries: 0 });`,
    `client.chat.completions.create({ model: "openai/bench-small", messages: ${messages} })`, "r.choices[0].message.content"));
  writeFileSync(join(dir, "openai-entry.mjs"), `import OpenAI from "openai";\n` + handler(
    `const client = new OpenAI({ apiKey: "sk-bench", baseURL: url + "/openai/v1", maxRetries: 0 });`,
    `client.chat.completions.create({ model: "bench-small", messages: ${messages} })`, "r.choices[0].message.content"));
  await build({
    entryPoints: [join(dir, "openai-entry.mjs")], outfile: join(dir, "openai.mjs"), bundle: true, format: "esm",
    platform: "browser", conditions: ["workerd", "worker", "browser"], nodePaths: [join(root, "node_modules")], logLevel: "error",
  });
  return { "empty Worker": "empty.mjs", onellm: "onellm.mjs", "openai (esbuild bundle)": "openai.mjs" };
}

async function workerdColdStart(url, runs, log) {
  const { Miniflare } = await import("miniflare");
  const dir = join(root, "target", "bench", "workerd");
  mkdirSync(dir, { recursive: true });
  const subjects = await workerdSubjects(dir);
  const names = Object.keys(subjects);
  const times = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const t0 = performance.now();
      const mf = new Miniflare({
        modules: true,
        modulesRoot: root,
        scriptPath: join(dir, subjects[name]),
        modulesRules: [
          { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
          { type: "CompiledWasm", include: ["**/*.wasm"] },
        ],
        compatibilityDate: "2025-01-01",
      });
      try {
        await mf.ready;
        const t1 = performance.now();
        const res = await mf.dispatchFetch(`http://worker.test/?server=${encodeURIComponent(url)}`);
        const text = await res.text();
        const t2 = performance.now();
        if (text !== SMALL_TEXT) throw new Error(`workerd cold start ${name}: wrong answer ${text.slice(0, 500)}`);
        times[name].push({ ready: t1 - t0, first: t2 - t1 });
      } finally {
        await mf.dispose();
      }
    }
  }
  return names.map((name) => {
    const t = times[name];
    const row = { name, ready: median(t.map((m) => m.ready)), first: median(t.map((m) => m.first)), total: median(t.map((m) => m.ready + m.first)) };
    log(`workerd cold start ${name}: ready ${row.ready.toFixed(0)} ms, first answer ${row.first.toFixed(0)} ms`);
    return row;
  });
}

export const COLDSTART_PLAN = { nodeRuns: 15, workerdRuns: 5 };
export const QUICK_COLDSTART_PLAN = { nodeRuns: 3, workerdRuns: 2 };

export async function runColdStart(url, plan = COLDSTART_PLAN, log = () => {}) {
  const node = await nodeColdStart(url, plan.nodeRuns, log);
  const workerd = await workerdColdStart(url, plan.workerdRuns, log);
  return { node: node.rows, wasmInit: node.wasmInit, workerd, plan };
}
