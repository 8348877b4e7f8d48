// The gateway's added latency: examples/gateway as deployed (bundled by `wrangler deploy
// --dry-run`, served by workerd through miniflare on a local port) in front of the bench
// server, against calling the bench server directly with the same `fetch`, in one run.
// Per request: small non-streamed completions one after the other. Per chunk: one
// OpenAI-format stream read to its end. Rounds interleave direct and gateway; medians.
import { median } from "./children.mjs";

export const GATEWAY_PLAN = { requests: 500, chunks: 50_000, rounds: 5 };
export const QUICK_GATEWAY_PLAN = { requests: 100, chunks: 5_000, rounds: 2 };

const KEY = "gw-bench-key-0123456789";
const messages = [{ role: "user", content: "bench" }];

/** `{ plan, direct: {request, stream}, gateway: {request, stream} }`, milliseconds (medians). */
export async function runGatewayBench(url, plan = GATEWAY_PLAN, log = () => {}) {
  // Imported when run: the bench's other parts do not need miniflare or wrangler.
  const { serveGatewayInWorkerd } = await import("../tests/gateway/workerd.mjs");
  const served = await serveGatewayInWorkerd({
    GATEWAY_KEYS: KEY,
    GATEWAY_MODELS: JSON.stringify({ small: "openai/bench-1", long: `openai/bench-${plan.chunks}` }),
    OPENAI_BASE_URL: `${url}/openai/v1`,
    OPENAI_API_KEY: "sk-bench",
  });
  try {
    const gateway = served.url;
    const call = (base, model, stream, auth) => fetch(`${base}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${KEY}` } : {}) },
      body: JSON.stringify({ model, messages, stream }),
    }).then(async (res) => {
      if (res.status !== 200) throw new Error(`${base}: ${res.status} ${await res.text()}`);
      return res.arrayBuffer();
    });
    const ways = {
      direct: { request: () => call(`${url}/openai/v1`, "bench-1", false), stream: () => call(`${url}/openai/v1`, `bench-${plan.chunks}`, true) },
      gateway: { request: () => call(gateway, "small", false, true), stream: () => call(gateway, "long", true, true) },
    };
    const times = { direct: { request: [], stream: [] }, gateway: { request: [], stream: [] } };
    // Warm-up: JIT on both sides, the gateway's per-env state, the keep-alive pools.
    for (const w of Object.values(ways)) {
      for (let i = 0; i < 50; i++) await w.request();
      await w.stream();
    }
    for (let r = 0; r < plan.rounds; r++) {
      for (const name of r % 2 ? ["gateway", "direct"] : ["direct", "gateway"]) {
        let t = performance.now();
        for (let i = 0; i < plan.requests; i++) await ways[name].request();
        times[name].request.push(performance.now() - t);
        t = performance.now();
        await ways[name].stream();
        times[name].stream.push(performance.now() - t);
      }
    }
    const result = { plan };
    for (const name of ["direct", "gateway"]) {
      result[name] = { request: median(times[name].request), stream: median(times[name].stream), times: times[name] };
      log(`gateway bench ${name}: ${plan.requests} requests ${result[name].request.toFixed(0)} ms, ${plan.chunks}-chunk stream ${result[name].stream.toFixed(0)} ms`);
    }
    return result;
  } finally {
    await served.close();
  }
}
