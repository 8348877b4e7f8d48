// Deno: the .wasm is read from disk when local, fetched otherwise. Keys missing from the
// options come from the environment when --allow-env grants it.
import { initSync } from "./wasm/onellm.js";
import { setEnvironment } from "./core.js";

const url = new URL("./wasm/onellm_bg.wasm", import.meta.url);
const bytes = url.protocol === "file:"
  ? Deno.readFileSync(url)
  : new Uint8Array(await (await fetch(url)).arrayBuffer());
initSync({ module: bytes });
setEnvironment((name) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: keys must be passed as options
  }
});

export * from "./core.js";
export { default } from "./core.js";
