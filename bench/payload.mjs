// Payload: what a browser app downloads for its LLM client. A tiny entry per client
// (construct it, stream one answer, collect the text, so tree shaking keeps what a real
// app keeps) is bundled by esbuild the same way for everyone (--bundle --minify
// --format=esm --platform=browser), and the output is gzipped at level 9 together with
// the .wasm files the bundle loads. onellm's browser entry fetches its .wasm by
// `new URL("./wasm/onellm_bg.wasm", import.meta.url)`; bundlers copy that file rather
// than inline it, so it is counted from pkg/ and checked to be referenced by the bundle.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { root } from "../scripts/lib.mjs";

const streamLoop = `let text = ""; for await (const c of stream) text += c.choices[0]?.delta?.content ?? ""; return text;`;

const ENTRIES = {
  onellm: {
    code: `import { OpenAI } from "onellm";
export async function chat(apiKey, content) {
  const client = new OpenAI({ apiKey, dangerouslyAllowBrowser: true });
  const stream = await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content }], stream: true });
  ${streamLoop}
}`,
    wasm: [join(root, "pkg", "wasm", "onellm_bg.wasm")],
  },
  openai: {
    code: `import OpenAI from "openai";
export async function chat(apiKey, content) {
  const client = new OpenAI({ apiKey, dangerouslyAllowBrowser: true });
  const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }], stream: true });
  ${streamLoop}
}`,
  },
  "AI SDK: ai + @ai-sdk/openai, /anthropic, /google": {
    code: `import { streamText } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
export async function chat(provider, apiKey, prompt) {
  const model = provider === "openai" ? createOpenAI({ apiKey }).chat("gpt-4o-mini")
    : provider === "anthropic" ? createAnthropic({ apiKey })("claude-3-5-haiku-latest")
    : createGoogleGenerativeAI({ apiKey })("gemini-2.0-flash");
  let text = "";
  for await (const t of streamText({ model, prompt }).textStream) text += t;
  return text;
}`,
  },
  "openai + @anthropic-ai/sdk + @google/genai": {
    code: `import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
export async function chat(provider, apiKey, content) {
  let text = "";
  if (provider === "openai") {
    const stream = await new OpenAI({ apiKey, dangerouslyAllowBrowser: true }).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }], stream: true });
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
  } else if (provider === "anthropic") {
    const stream = await new Anthropic({ apiKey, dangerouslyAllowBrowser: true }).messages.create({ model: "claude-3-5-haiku-latest", max_tokens: 1024, messages: [{ role: "user", content }], stream: true });
    for await (const e of stream) if (e.type === "content_block_delta" && e.delta.type === "text_delta") text += e.delta.text;
  } else {
    const stream = await new GoogleGenAI({ apiKey }).models.generateContentStream({ model: "gemini-2.0-flash", contents: content });
    for await (const c of stream) text += c.text ?? "";
  }
  return text;
}`,
  },
};

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Rows `{ name, js, jsGz, wasm, wasmGz, totalGz }` in bytes. */
export async function runPayload(log = () => {}) {
  const { build } = await import("esbuild");
  const dir = join(root, "target", "bench", "payload");
  mkdirSync(dir, { recursive: true });
  const rows = [];
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, "-")}.mjs`);
    writeFileSync(file, entry.code);
    const out = await build({
      entryPoints: [file], bundle: true, minify: true, format: "esm", platform: "browser",
      write: false, outdir: join(dir, "out"), nodePaths: [join(root, "node_modules")], logLevel: "error",
    });
    const js = out.outputFiles.filter((f) => f.path.endsWith(".js"));
    const code = Buffer.concat(js.map((f) => Buffer.from(f.contents)));
    // .wasm file names the bundle mentions (wasm-bindgen's glue names its file twice: the
    // default path and ours). The count is only right if they are exactly the ones we add.
    const base = (p) => p.split("/").pop();
    const wasmRefs = [...new Set([...code.toString("utf8").matchAll(/["'`]([^"'`]*\.wasm)["'`]/g)].map((m) => base(m[1])))];
    const wasmFiles = entry.wasm ?? [];
    if (wasmRefs.sort().join() !== wasmFiles.map(base).sort().join()) {
      throw new Error(`payload ${name}: the bundle references .wasm files [${wasmRefs}], counted [${wasmFiles.map(base)}]`);
    }
    const wasm = wasmFiles.map((w) => readFileSync(w));
    const row = {
      name,
      js: code.length,
      jsGz: gz(code),
      wasm: wasm.reduce((a, b) => a + b.length, 0),
      wasmGz: wasm.reduce((a, b) => a + gz(b), 0),
    };
    row.totalGz = row.jsGz + row.wasmGz;
    log(`payload ${name}: ${(row.totalGz / 1000).toFixed(1)} kB gzipped`);
    rows.push(row);
  }
  return rows;
}
