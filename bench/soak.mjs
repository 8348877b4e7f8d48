// Soak: thousands of sequential requests and a few hundred concurrent streams against
// the emulator (in its own process, so its memory is not counted), a tenth of them
// stalling mid-answer, reporting any request lost, any stall missed, and how the
// client's memory moved. Run by `npm run bench`.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { hostileMix } from "./soak-hostile.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

async function startEmulatorProcess() {
  const child = spawn(process.execPath, ["tests/emulator/server.mjs", "--port", "0"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      const m = String(d).match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, close: () => child.kill() };
}

const mib = (bytes) => (bytes / 1048576).toFixed(1);

let wasmMemory;
function memory() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, wasm: wasmMemory?.buffer.byteLength ?? 0 };
}

export async function soak({ sequential = 5000, concurrent = 300, stalled = 30, hostile = 2000 } = {}) {
  const onellm = await import("../pkg/node.js");
  const { OpenAI } = onellm;
  // Already initialised by node.js: initSync hands back the instance's exports.
  // Its exports' names are minified (scripts/minify-names.mjs): find the memory by type.
  wasmMemory = Object.values((await import("../pkg/wasm/onellm.js")).initSync()).find((x) => x instanceof WebAssembly.Memory);
  if (!wasmMemory) throw new Error("onellm's Wasm exports no memory");
  const emulator = await startEmulatorProcess();
  // The idle limit short, so that the stalled streams end within the run.
  const client = new OpenAI({ apiKey: "sk-soak", baseURL: `${emulator.url}/openai/v1`, maxRetries: 0, idleTimeout: 500 });
  const messages = [{ role: "user", content: "soak" }];
  let lost = 0;
  const check = (text) => { if (text !== "Echo: soak") lost++; };
  try {
    // Warm-up, so the baseline includes the compiled Wasm and JIT state.
    for (let i = 0; i < 200; i++) check((await client.chat.completions.create({ model: "openai/m", messages })).choices[0].message.content);
    const before = memory();
    const t0 = performance.now();
    for (let i = 0; i < sequential; i++) {
      try {
        check((await client.chat.completions.create({ model: "openai/m", messages })).choices[0].message.content);
      } catch { lost++; }
    }
    const t1 = performance.now();
    const afterSequential = memory();
    const streams = await Promise.allSettled(Array.from({ length: concurrent }, async () => {
      const stream = await client.chat.completions.create({ model: "openai/m", messages, stream: true },
        { headers: { "x-emulator-repeat": "50" } });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      return text;
    }));
    const t2 = performance.now();
    const want = Array(50).fill("Echo: soak").join(" ");
    const lostStreams = streams.filter((s) => s.status !== "fulfilled" || s.value !== want).length;
    const after = memory();
    // Streams that stop sending after a few chunks, alongside healthy ones: each must
    // end in APITimeoutError, none may hang or take the others down.
    const mixed = await Promise.allSettled(Array.from({ length: concurrent }, async (_, i) => {
      const stall = i % Math.round(concurrent / stalled) === 0;
      const headers = { "x-emulator-repeat": "50", ...(stall ? { "x-emulator-fault": "stall;after=5" } : {}) };
      const stream = await client.chat.completions.create({ model: "openai/m", messages, stream: true }, { headers });
      let text = "";
      try {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      } catch (e) {
        return stall && e.name === "APITimeoutError" ? "stall detected" : `error ${e.name}`;
      }
      return stall ? "stall missed" : text;
    }));
    const t3 = performance.now();
    const stallCount = mixed.filter((_, i) => i % Math.round(concurrent / stalled) === 0).length;
    const detected = mixed.filter((s) => s.value === "stall detected").length;
    const lostMixed = mixed.filter((s) => s.status !== "fulfilled" || (s.value !== want && s.value !== "stall detected")).length;
    const afterMixed = memory();
    // A warm-up round first: the first million-level body grows the Wasm memory once.
    const warm = await hostileMix(onellm, emulator.url, 50);
    const beforeHostile = memory();
    const bad = await hostileMix(onellm, emulator.url, hostile);
    for (const k of ["crashes", "wrong", "leaks", "lost"]) bad[k] += warm[k];
    const afterHostile = memory();
    return {
      rows: [
        ["sequential requests", sequential, lost, `${(t1 - t0).toFixed(0)} ms`, `${mib(afterSequential.rss - before.rss)} MiB`, `${mib(afterSequential.heap - before.heap)} MiB`, `${mib(afterSequential.wasm - before.wasm)} MiB`],
        ["concurrent streams (50 answers each)", concurrent, lostStreams, `${(t2 - t1).toFixed(0)} ms`, `${mib(after.rss - afterSequential.rss)} MiB`, `${mib(after.heap - afterSequential.heap)} MiB`, `${mib(after.wasm - afterSequential.wasm)} MiB`],
        [`concurrent streams, ${stallCount} of them stalling (idleTimeout 500 ms): ${detected} stalls detected`, concurrent, lostMixed, `${(t3 - t2).toFixed(0)} ms`, `${mib(afterMixed.rss - after.rss)} MiB`, `${mib(afterMixed.heap - after.heap)} MiB`, `${mib(afterMixed.wasm - after.wasm)} MiB`],
        [`sequential streams, 1 in 5 from a hostile server (cut, corrupt byte, 10⁶-deep, flood, key echoed): ${bad.crashes} crashes, ${bad.wrong} wrong answers, ${bad.leaks} keys shown`, hostile, bad.lost, `${bad.ms.toFixed(0)} ms`, `${mib(afterHostile.rss - beforeHostile.rss)} MiB`, `${mib(afterHostile.heap - beforeHostile.heap)} MiB`, `${mib(afterHostile.wasm - beforeHostile.wasm)} MiB`],
      ],
      // A crash, a wrong answer or a key shown fails the run as a lost request does.
      lost: lost + lostStreams + lostMixed + bad.lost + bad.crashes + bad.wrong + bad.leaks,
    };
  } finally {
    emulator.close();
  }
}

export function soakTable({ rows }) {
  const head = "| soak (Node, emulator in its own process) | requests | lost | time | RSS growth | JS heap growth | Wasm memory growth |\n| --- | --- | --- | --- | --- | --- | --- |";
  return `${head}\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}`;
}
