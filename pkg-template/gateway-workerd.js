// `onellm/gateway` on Cloudflare Workers: wrangler imports each .wasm as a compiled
// module. Provider keys come from the Worker's `env` (secrets), per request.
import gatewayModule from "./wasm/gateway_bg.wasm";
import "./workerd.js";
import { initSync } from "./wasm/gateway.js";

initSync({ module: gatewayModule });

export { createGateway } from "./gateway-core.js";
