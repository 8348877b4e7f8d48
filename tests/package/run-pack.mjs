// The package as published: `npm pack` pkg/, check its package.json against the
// tarball's files, install the tarball into a fresh project outside the repository,
// and use it there from Node and from Deno (each through its own export condition),
// from TypeScript, and through esbuild and Vite in Chromium, against the emulator.
// Nothing may depend on repository files (the tools are the repository's binaries).
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBundlers } from "./bundlers.mjs";
import { manifestProblems } from "./manifest.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

function exec(cmd, args, cwd, env = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ ok: !error, stdout, stderr: `${error?.message ?? ""}\n${stderr}` }));
  });
}

// What a user writes: the import by name, keys from the environment, a stream.
const USE = `import { OpenAI, RateLimitError } from "onellm";
const client = new OpenAI({ baseURL: process.env.EMU + "/openai/v1", maxRetries: 0 });
const r = await client.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: "packed" }] });
let streamed = "";
for await (const c of await client.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: "packed" }], stream: true }))
  streamed += c.choices[0]?.delta?.content ?? "";
let limited = false;
try { await client.chat.completions.create({ model: "openai/fault-status=429", messages: [{ role: "user", content: "hi" }] }); } catch (e) { limited = e instanceof RateLimitError; }
console.log(JSON.stringify({ plain: r.choices[0].message.content, streamed, limited }));
`;

// What a TypeScript user writes; tsc must find the types as Node resolves the package.
const TYPED = `import OpenAI, { RateLimitError, type ChatCompletion } from "onellm";
const client = new OpenAI({ maxRetries: 0 });
export function ask(): Promise<ChatCompletion> {
  return client.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: "typed" }] });
}
export const limited = (e: unknown): boolean => e instanceof RateLimitError || e instanceof OpenAI.APIError;
import { createGateway } from "onellm/gateway";
export const gateway = createGateway((env) => ({ keys: [String(env.GATEWAY_KEY)], models: { fast: { model: "groq/llama-3.1-8b-instant", fallback_models: ["openai/gpt-4o-mini"] } }, cors: ["https://app.example"] }));
export const served: Promise<Response> = gateway.fetch(new Request("https://gw.example/v1/models"), {});
`;
const TSCONFIG = { compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022", "dom"] }, files: ["typed.ts"] };

export async function runPackage(emulator) {
  const results = [];
  const record = (name, ok, error, started) => results.push({ name, ok, error: ok ? undefined : error, ms: Date.now() - started });
  const work = mkdtempSync(join(tmpdir(), "onellm-pack-"));
  try {
    let started = Date.now();
    const packed = await exec("npm", ["pack", "--pack-destination", work, join(root, "pkg")], work);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    record("npm pack pkg/", packed.ok && !!tarball, packed.stderr, started);
    if (!tarball) return { runtime: "package", results };
    started = Date.now();
    const listed = await exec("tar", ["-tzf", tarball], work);
    const manifest = await exec("tar", ["-xzOf", tarball, "package/package.json"], work);
    const problems = listed.ok && manifest.ok
      ? manifestProblems(JSON.parse(manifest.stdout), listed.stdout.split("\n").filter(Boolean).map((f) => f.replace(/^package\//, "")))
      : [`could not read the tarball: ${listed.stderr}${manifest.stderr}`];
    record("package.json: every field and runtime condition, every entry point in the tarball", problems.length === 0, problems.join("\n"), started);
    const project = join(work, "app");
    await exec("mkdir", ["-p", project], work);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    writeFileSync(join(project, "use.mjs"), USE.replaceAll("process.env.EMU", "(globalThis.Deno ? Deno.env.get('EMU') : process.env.EMU)"));
    started = Date.now();
    const installed = await exec("npm", ["install", "--no-audit", "--no-fund", "--offline", join(work, tarball)], project);
    record("the tarball installs into a fresh project", installed.ok, installed.stderr, started);
    const want = JSON.stringify({ plain: "Echo: packed", streamed: "Echo: packed", limited: true });
    const env = { EMU: emulator, OPENAI_API_KEY: "sk-packed" };
    started = Date.now();
    const node = await exec(process.execPath, ["use.mjs"], project, env);
    record("used from Node by name", node.stdout.trim() === want, `${node.stdout}\n${node.stderr}`, started);
    started = Date.now();
    const deno = await exec(join(root, "node_modules", ".bin", "deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "use.mjs"], project, env);
    record("used from Deno by name", deno.stdout.trim() === want, `${deno.stdout}\n${deno.stderr}`, started);
    writeFileSync(join(project, "typed.ts"), TYPED);
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG));
    started = Date.now();
    const typed = await exec(join(root, "node_modules", ".bin", "tsc"), ["-p", "."], project);
    record("typed by its index.d.ts under tsc --strict (nodenext resolution)", typed.ok, `${typed.stdout}\n${typed.stderr}`, started);
    await runBundlers(project, emulator, exec, record);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { runtime: "package", results };
}
