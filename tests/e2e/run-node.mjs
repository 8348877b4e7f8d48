// The suite in Node, against pkg/ as Node resolves it (the "node" export condition).
import { inspect } from "node:util";
import { startEmulator } from "../emulator/server.mjs";
import { runEnvCheck, runSuite } from "./suite.mjs";
import { report } from "./report.mjs";
import { isMain } from "../../scripts/lib.mjs";

export async function runNode(emulator) {
  const onellm = await import("../../pkg/node.js");
  // The instance node.js initialised; its exports' names are minified, so the memory
  // is found by what it is (the hostile suite checks that it stays flat).
  const exports = (await import("../../pkg/wasm/onellm.js")).initSync();
  const memory = Object.values(exports).find((x) => x instanceof WebAssembly.Memory);
  const out = await runSuite(onellm, { emulator, runtime: "node", wasmBytes: () => memory.buffer.byteLength, inspect });
  const saved = process.env.OPENAI_API_KEY;
  const env = { set: (k, v) => { process.env[k] = v; }, delete: (k) => { delete process.env[k]; } };
  out.results.push(await runEnvCheck(onellm, { emulator, env }));
  if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
  return out;
}

if (isMain(import.meta.url)) {
  const emu = await startEmulator();
  const ok = report(await runNode(emu.url));
  await emu.close();
  process.exit(ok ? 0 : 1);
}
