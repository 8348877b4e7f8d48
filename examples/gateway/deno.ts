// onellm's gateway on Deno (and Deno Deploy): `deno run --allow-net --allow-read --allow-env deno.ts`.
// `Deno.serve` takes the gateway's fetch handler as it is.
import { createGateway } from "npm:onellm/gateway";
import { gatewayConfig } from "./src/config.js";

const gateway = createGateway(gatewayConfig(Deno.env.toObject()));
Deno.serve({ port: Number(Deno.env.get("PORT") ?? 8000), hostname: "127.0.0.1" }, (request) => gateway.fetch(request));
