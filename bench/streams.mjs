// Stream consumption: every client reads the same OpenAI, Anthropic and Gemini streams
// of 50 000 and 500 000 chunks from the bench server; the time is from the request to
// the last chunk consumed, median of several rounds. Each client lives in its own
// process (child.mjs) and rounds are interleaved across clients in a rotating order, so
// slow drift of the machine and "who ran first" do not favour anyone.
//
// The AI SDK and @google/genai take 10–30× the floor; at 500 000 chunks one round of
// them would take longer than the rest of the bench, so they are measured at 50 000
// only (the table says so). Deno runs the OpenAI format for the floor, onellm and openai.
import { CLIENTS } from "./clients.mjs";
import { median, startChild } from "./children.mjs";

export const STREAM_PLAN = {
  sizes: [50_000, 500_000],
  rounds: { 50_000: 5, 500_000: 3 },
  slow: ["aisdk", "google"], // measured at the smallest size only
  deno: { formats: ["openai"], clients: ["floor", "onellm", "openai"] },
};

export const QUICK_STREAM_PLAN = {
  sizes: [5_000, 50_000],
  rounds: { 5_000: 3, 50_000: 2 },
  slow: ["aisdk", "google"],
  deno: { formats: ["openai"], clients: ["floor", "onellm", "openai"] },
};

/** The bodies the server should build before the timed rounds. */
export const streamBodies = (plan) => ["openai", "anthropic", "gemini"].flatMap((f) => plan.sizes.map((n) => `${f}:${n}`));

/**
 * Runs the plan against the server at `url`. Returns rows
 * `{ runtime, format, n, client, ms (median), times }`.
 */
export async function runStreams(url, plan = STREAM_PLAN, log = () => {}) {
  const jobs = [];
  for (const format of ["openai", "anthropic", "gemini"]) {
    jobs.push({ runtime: "node", format, clients: Object.keys(CLIENTS).filter((c) => CLIENTS[c].formats.includes(format)) });
  }
  for (const format of plan.deno?.formats ?? []) {
    jobs.push({ runtime: "deno", format, clients: plan.deno.clients.filter((c) => CLIENTS[c].formats.includes(format)) });
  }
  const rows = [];
  for (const { runtime, format, clients } of jobs) {
    const children = {};
    try {
      for (const c of clients) children[c] = await startChild(c, url, runtime);
      // Warm-up: one round each at the smallest size (JIT, connection, first-use costs).
      for (const c of clients) await children[c].run({ op: "stream", format, n: plan.sizes[0] });
      for (const n of plan.sizes) {
        const here = clients.filter((c) => n === plan.sizes[0] || !plan.slow.includes(c));
        const times = Object.fromEntries(here.map((c) => [c, []]));
        for (let r = 0; r < plan.rounds[n]; r++) {
          for (let i = 0; i < here.length; i++) {
            const c = here[(i + r) % here.length]; // rotate who goes first
            times[c].push((await children[c].run({ op: "stream", format, n })).ms);
          }
        }
        for (const c of here) {
          rows.push({ runtime, format, n, client: c, ms: median(times[c]), times: times[c] });
          log(`${runtime} ${format} ${n} ${c}: ${median(times[c]).toFixed(0)} ms (${times[c].map((t) => t.toFixed(0)).join(", ")})`);
        }
      }
    } finally {
      for (const child of Object.values(children)) child.close();
    }
  }
  return rows;
}
