// Request overhead: what a client adds around a small non-streamed completion (the
// OpenAI format, a recorded 600-byte answer). 2 000 calls one after the other measure
// the per-call cost; 200 at once measure how the client behaves under concurrency.
// Same process-per-client and interleaving as the stream benchmark.
import { median, startChild } from "./children.mjs";

export const OVERHEAD_PLAN = {
  sequential: 2000,
  concurrent: 200,
  rounds: { sequential: 3, concurrent: 5 },
  clients: { node: ["floor", "onellm", "openai", "aisdk"], deno: ["floor", "onellm", "openai"] },
};

export const QUICK_OVERHEAD_PLAN = {
  sequential: 200,
  concurrent: 50,
  rounds: { sequential: 2, concurrent: 2 },
  clients: OVERHEAD_PLAN.clients,
};

/** Rows `{ runtime, client, op: "sequential"|"concurrent", count, ms, times }`. */
export async function runOverhead(url, plan = OVERHEAD_PLAN, log = () => {}) {
  const rows = [];
  for (const [runtime, clients] of Object.entries(plan.clients)) {
    const children = {};
    try {
      for (const c of clients) children[c] = await startChild(c, url, runtime);
      // Warm-up: JIT, and a keep-alive pool as large as the concurrent run needs.
      for (const c of clients) {
        await children[c].run({ op: "sequential", count: 200 });
        await children[c].run({ op: "concurrent", count: plan.concurrent });
      }
      for (const op of ["sequential", "concurrent"]) {
        const count = plan[op];
        const times = Object.fromEntries(clients.map((c) => [c, []]));
        for (let r = 0; r < plan.rounds[op]; r++) {
          for (let i = 0; i < clients.length; i++) {
            const c = clients[(i + r) % clients.length];
            times[c].push((await children[c].run({ op, count })).ms);
          }
        }
        for (const c of clients) {
          rows.push({ runtime, client: c, op, count, ms: median(times[c]), times: times[c] });
          log(`${runtime} ${op} ${count} ${c}: ${median(times[c]).toFixed(0)} ms`);
        }
      }
    } finally {
      for (const child of Object.values(children)) child.close();
    }
  }
  return rows;
}
