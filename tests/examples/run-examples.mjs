// The `example` suite: every example in examples/ run as its header tells a user to,
// against the emulator, importing "onellm" by name (node_modules/onellm links to pkg/).
import { denoExample } from "./deno.mjs";
import { nodeExample } from "./node.mjs";
import { viteExample } from "./vite-app.mjs";
import { workerExample } from "./worker.mjs";

export async function runExamples(emulator) {
  const results = [];
  for (const example of [nodeExample, denoExample, workerExample, viteExample]) results.push(...[await example(emulator)].flat());
  return { runtime: "example", results };
}
