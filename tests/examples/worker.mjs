// examples/worker, as it would be deployed: `wrangler deploy --dry-run` bundles it
// (offline: no login, no metrics), and the bundle wrangler wrote runs in workerd
// through miniflare with the vars of its wrangler.toml and the emulator as provider.
// A POSTed question must come back as server-sent events that onellm's
// Stream.fromReadableStream reads as the streamed answer, as a browser would; a
// body without messages, as a 400 naming the field.
import { Miniflare } from "miniflare";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Stream } from "onellm";
import { unstable_readConfig } from "wrangler";
import { bin, exec, root, timed } from "./lib.mjs";

const dir = join(root, "examples", "worker");

export async function workerExample(emulator) {
  const out = mkdtempSync(join(tmpdir(), "onellm-worker-"));
  try {
    const built = await timed("examples/worker: wrangler deploy --dry-run bundles it, offline", async () => {
      const { ok, stdout, stderr } = await exec(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out], {
        cwd: dir,
        env: { CI: "1", WRANGLER_SEND_METRICS: "false" },
      });
      if (!ok || !existsSync(join(out, "index.js"))) return `${stdout}\n${stderr}`;
    });
    if (!built.ok) return [built];
    return [built, await timed("examples/worker streams the answer as SSE in workerd; a bad request is a 400", () => answer(out, emulator))];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function answer(out, emulator) {
  const config = unstable_readConfig({ config: join(dir, "wrangler.toml") });
  const mf = new Miniflare({
    modules: true,
    modulesRoot: out, // module names relative to the bundle's folder, as when deployed
    scriptPath: join(out, "index.js"),
    // As wrangler deploys the bundle: its .wasm is a compiled module.
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    // The toml's vars, then what `wrangler secret put` / .dev.vars would add.
    bindings: { ...config.vars, OPENAI_BASE_URL: `${emulator}/openai/v1`, OPENAI_API_KEY: "sk-example" },
  });
  try {
    const res = await mf.dispatchFetch("http://worker.test/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "ping from the Worker" }] }),
    });
    const type = res.headers.get("content-type");
    if (res.status !== 200 || type !== "text/event-stream") return `status ${res.status}, ${type}: ${await res.text()}`;
    const stream = Stream.fromReadableStream(res.body);
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    const finish = (await stream.finalChatCompletion()).choices[0]?.finish_reason;
    if (text !== "Echo: ping from the Worker" || chunks < 2 || finish !== "stop") {
      return `read back ${JSON.stringify(text)} in ${chunks} chunks, finish_reason ${finish}`;
    }
    // A request onellm refuses comes back as a 400 that names the field.
    const bad = await mf.dispatchFetch("http://worker.test/", { method: "POST", body: "{}" });
    const body = await bad.text();
    if (bad.status !== 400 || !body.includes("messages")) return `a body without messages: ${bad.status} ${body}`;
  } finally {
    await mf.dispose();
  }
}
