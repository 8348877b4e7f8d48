// Browsers and bundlers (Vite, esbuild, webpack): the .wasm is fetched next to this
// module, a URL pattern bundlers recognise and copy.
import init from "./wasm/onellm.js";

await init({ module_or_path: new URL("./wasm/onellm_bg.wasm", import.meta.url) });

export * from "./core.js";
export { default } from "./core.js";
