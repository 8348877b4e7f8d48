// onellm's gateway in Node: `GATEWAY_KEYS=... OPENAI_API_KEY=... node node.mjs`, then point
// any OpenAI client at http://127.0.0.1:8080/v1. The gateway is a fetch handler; these few
// lines of node:http glue turn Node's request into a `Request` and write the `Response`
// back, and a caller that hangs up aborts the provider request.
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGateway } from "onellm/gateway";
import { gatewayConfig } from "./src/config.js";

const gateway = createGateway(gatewayConfig(process.env));

const server = createServer(async (req, res) => {
  const aborted = new AbortController();
  res.on("close", () => aborted.abort());
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
    body: hasBody ? Readable.toWeb(req) : undefined,
    duplex: "half",
    signal: aborted.signal,
  });
  const response = await gateway.fetch(request);
  res.writeHead(response.status, [...response.headers].flat());
  if (response.body) await pipeline(Readable.fromWeb(response.body), res).catch(() => {});
  else res.end();
});

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`onellm gateway on http://127.0.0.1:${server.address().port}/v1`);
});
