// Cloudflare Workers (workerd): wrangler and other Worker bundlers import a .wasm file
// as a compiled WebAssembly.Module. Workers have no process environment: pass keys
// from the Worker's `env` bindings as options.
import wasmModule from "./wasm/onellm_bg.wasm";
import { initSync } from "./wasm/onellm.js";

initSync({ module: wasmModule });

export * from "./core.js";
export { default } from "./core.js";
