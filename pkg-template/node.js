// Node: the .wasm is read from disk, synchronously, at import.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/onellm.js";
import { setEnvironment } from "./core.js";

initSync({ module: readFileSync(new URL("./wasm/onellm_bg.wasm", import.meta.url)) });
setEnvironment((name) => process.env[name]);

export * from "./core.js";
export { default } from "./core.js";
