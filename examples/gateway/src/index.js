// onellm as an OpenAI-compatible gateway on Cloudflare Workers: any OpenAI client, in any
// language, calls https://<your worker>/v1 with one of GATEWAY_KEYS and reaches every
// provider; provider keys stay in the Worker's secrets. `npx wrangler deploy` ships it.
import { createGateway } from "onellm/gateway";
import { gatewayConfig } from "./config.js";

// Options are a function of `env`: on Workers, secrets exist only there.
export default createGateway(gatewayConfig);
