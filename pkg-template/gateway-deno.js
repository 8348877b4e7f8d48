// `onellm/gateway` in Deno (and Deno Deploy): the .wasm read from disk when local,
// fetched otherwise.
import "./deno.js";
import { initSync } from "./wasm/gateway.js";

const url = new URL("./wasm/gateway_bg.wasm", import.meta.url);
const bytes = url.protocol === "file:"
  ? Deno.readFileSync(url)
  : new Uint8Array(await (await fetch(url)).arrayBuffer());
initSync({ module: bytes });

export { createGateway } from "./gateway-core.js";
