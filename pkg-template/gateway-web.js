// `onellm/gateway` elsewhere (service workers, bundlers): the .wasm fetched next to
// this module.
import "./web.js";
import init from "./wasm/gateway.js";

await init({ module_or_path: new URL("./wasm/gateway_bg.wasm", import.meta.url) });

export { createGateway } from "./gateway-core.js";
