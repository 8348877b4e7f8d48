// `onellm/gateway` in Node: both .wasm modules read from disk at import.
import { readFileSync } from "node:fs";
import "./node.js";
import { initSync } from "./wasm/gateway.js";

initSync({ module: readFileSync(new URL("./wasm/gateway_bg.wasm", import.meta.url)) });

export { createGateway } from "./gateway-core.js";
