// The `gateway` suite: onellm/gateway as deployed — examples/gateway bundled by
// `wrangler deploy --dry-run` and served by workerd (miniflare, on a local port), and
// examples/gateway/node.mjs and deno.ts run by Node and Deno — backed by the emulator, and driven by real
// clients: the `openai` npm package, the official Python `openai` SDK (tests/gateway/
// client.py, in a project-local virtual environment) and curl.
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { setupPython } from "../../scripts/setup.mjs";
import { bin, exec, root, timed } from "../examples/lib.mjs";
import { serveGatewayInWorkerd } from "./workerd.mjs";

const dir = join(root, "examples", "gateway");
const KEY = "gw-suite-key-0123456789";
// Provider keys: none may ever reach a caller. Groq's is one the emulator refuses, echoing it.
const PROVIDER_KEYS = { OPENAI_API_KEY: "sk-openai-gw-secret-1234", ANTHROPIC_API_KEY: "sk-ant-gw-secret-1234", GROQ_API_KEY: "sk-bad-groq-gw-secret-1234" };
const MODELS = {
  fast: { model: "openai/fault-status=503", fallback_models: ["openai/gpt-4o-mini"], retries: 0 },
  mini: "openai/gpt-4o-mini",
  smart: "anthropic/claude-sonnet-4-5",
  stalled: "openai/fault-stall_after=2",
  locked: "groq/llama-3.1-8b-instant",
};

function environment(emulator) {
  return {
    GATEWAY_KEYS: `${KEY},gw-other-key-0123456789`,
    GATEWAY_MODELS: JSON.stringify(MODELS),
    GATEWAY_CORS_ORIGINS: "https://app.example",
    GATEWAY_KEEPALIVE_MS: "200",
    OPENAI_BASE_URL: `${emulator}/openai/v1`,
    ANTHROPIC_BASE_URL: `${emulator}/anthropic/v1`,
    GROQ_BASE_URL: `${emulator}/groq/openai/v1`,
    ...PROVIDER_KEYS,
  };
}

export async function runGateway(emulator) {
  const python = setupPython();
  const stops = [];
  try {
    const started = await Promise.all([
      startWorkerd(emulator, stops),
      startServer("node", process.execPath, [join(dir, "node.mjs")], emulator, stops),
      startServer("deno", bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", join(dir, "deno.ts")], emulator, stops),
    ]);
    const results = started.flatMap((s) => s.results);
    const drives = started.filter((s) => s.url).map((s) => drive(s.runtime, s.url, emulator, python));
    for (const r of await Promise.all(drives)) results.push(...r);
    // Alone, after the rest: the emulator's log keeps only its last 50 requests.
    for (const s of started.filter((s) => s.url)) results.push(await abortCase(s, emulator));
    return { runtime: "gateway", results };
  } finally {
    for (const stop of stops) await stop();
  }
}

async function startWorkerd(emulator, stops) {
  let url, mf;
  const built = await timed("workerd: examples/gateway bundles with wrangler deploy --dry-run and serves on a port", async () => {
    const served = await serveGatewayInWorkerd(environment(emulator));
    stops.push(served.close);
    ({ url, mf } = served);
  });
  return { runtime: "workerd", url, mf, results: [built] };
}

/** node.mjs or deno.ts, run as their headers say, on a free port. */
async function startServer(runtime, cmd, args, emulator, stops) {
  let url;
  const started = await timed(`${runtime}: examples/gateway/${args.at(-1).split("/").pop()} serves on a port`, async () => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...environment(emulator), PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    stops.push(() => new Promise((r) => (child.exitCode !== null ? r() : (child.once("exit", r), child.kill()))));
    let log = "";
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address within 10 s:\n${log}`)), 10_000);
      const read = (d) => {
        log += d;
        // node.mjs prints its /v1 URL; Deno.serve prints "Listening on http://…/".
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(`${m[1]}/v1`);
        }
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      child.once("exit", (code) => reject(new Error(`exited ${code}:\n${log}`)));
    });
  });
  return { runtime, url, results: [started] };
}

const user = (content) => [{ role: "user", content }];
const noSecret = (text) => Object.values(PROVIDER_KEYS).find((k) => text.includes(k));

/** Every case against one running gateway. */
async function drive(runtime, url, emulator, python) {
  const client = new OpenAI({ apiKey: KEY, baseURL: url, maxRetries: 0 });
  const rejected = async (promise) => {
    try {
      await promise;
    } catch (e) {
      return e;
    }
    throw new Error("no error");
  };
  const cases = [
    [`${runtime}: openai npm, plain answer; the fallback is named in x-onellm-model and x-onellm-attempts`, async () => {
      const { data, response } = await client.chat.completions.create({ model: "fast", messages: user("hi") }).withResponse();
      const got = [data.choices[0].message.content, response.headers.get("x-onellm-model"), response.headers.get("x-onellm-attempts")];
      if (JSON.stringify(got) !== JSON.stringify(["Echo: hi", "openai/gpt-4o-mini", "1"])) return `got ${JSON.stringify(got)}`;
    }],
    [`${runtime}: openai npm, streamed answer ends as OpenAI's stream does`, async () => {
      const stream = await client.chat.completions.create({ model: "smart", messages: user("stream me"), stream: true, stream_options: { include_usage: true } });
      let text = "", usage;
      for await (const c of stream) {
        text += c.choices[0]?.delta?.content ?? "";
        usage ??= c.usage ?? undefined;
      }
      if (text !== "Echo: stream me" || !usage?.total_tokens) return `text ${JSON.stringify(text)}, usage ${JSON.stringify(usage)}`;
    }],
    [`${runtime}: openai npm, a forced tool through Anthropic comes back as tool_calls`, async () => {
      const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
      const r = await client.chat.completions.create({ model: "smart", messages: user("Paris"), tools, tool_choice: { type: "function", function: { name: "get_weather" } } });
      const call = r.choices[0].message.tool_calls?.[0];
      if (call?.function.name !== "get_weather" || call.function.arguments !== '{"echo":"Paris"}' || r.choices[0].finish_reason !== "tool_calls") return JSON.stringify(r.choices[0]);
    }],
    [`${runtime}: openai npm, a bad gateway key is a 401 AuthenticationError`, async () => {
      const e = await rejected(new OpenAI({ apiKey: "gw-wrong-key-0123456789", baseURL: url, maxRetries: 0 }).chat.completions.create({ model: "mini", messages: user("x") }));
      if (!(e instanceof OpenAI.AuthenticationError) || e.code !== "invalid_api_key" || e.message.includes("gw-wrong")) return `${e.constructor.name} ${e.message}`;
    }],
    [`${runtime}: openai npm, bad input is a 400 naming the param; an unknown model a 404`, async () => {
      const bad = await rejected(client.chat.completions.create({ model: "mini", messages: user("x"), temperature: "hot" }));
      if (!(bad instanceof OpenAI.BadRequestError) || bad.param !== "temperature") return `${bad.constructor.name} ${bad.param} ${bad.message}`;
      const own = await rejected(client.chat.completions.create({ model: "mini", messages: user("x"), fallback_models: ["openai/o3"] }));
      if (own.status !== 400 || own.param !== "fallback_models") return `fallback_models: ${own.status} ${own.param}`;
      const missing = await rejected(client.chat.completions.create({ model: "gpt-5-secret", messages: user("x") }));
      if (!(missing instanceof OpenAI.NotFoundError) || missing.code !== "model_not_found") return `${missing.constructor.name} ${missing.message}`;
    }],
    [`${runtime}: a provider refusing the gateway's key is a 502, and the key is nowhere in it`, async () => {
      const res = await fetch(`${url}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify({ model: "locked", messages: user("x") }) });
      const text = `${[...res.headers].join("\n")}\n${await res.text()}`;
      if (res.status !== 502 || noSecret(text) || !text.includes("refused the gateway's credentials")) return `${res.status} ${text}`;
    }],
    [`${runtime}: CORS preflight for an allowed origin, none for another; models.list`, async () => {
      const pre = (origin) => fetch(`${url}/chat/completions`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,x-stainless-os" } });
      const ok = await pre("https://app.example");
      const other = await pre("https://evil.example");
      if (ok.status !== 204 || ok.headers.get("access-control-allow-origin") !== "https://app.example" || other.headers.get("access-control-allow-origin")) {
        return `preflight ${ok.status} ${ok.headers.get("access-control-allow-origin")} / ${other.headers.get("access-control-allow-origin")}`;
      }
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      if (ids.join() !== Object.keys(MODELS).join()) return `models ${ids}`;
    }],
    [`${runtime}: curl, plain and streamed, a 401 without a key, a 413 for a body over the limit`, async () => {
      const body = JSON.stringify({ model: "mini", messages: user("curl") });
      const curl = (args) => exec("curl", ["-sS", "-w", "\n%{http_code}", ...args]);
      const plain = await curl(["-H", `Authorization: Bearer ${KEY}`, "-H", "content-type: application/json", "-d", body, `${url}/chat/completions`]);
      if (!plain.stdout.endsWith("\n200") || JSON.parse(plain.stdout.split("\n")[0]).choices[0].message.content !== "Echo: curl") return plain.stdout + plain.stderr;
      const streamed = await curl(["-N", "-H", `Authorization: Bearer ${KEY}`, "-d", JSON.stringify({ model: "mini", messages: user("curl"), stream: true }), `${url}/chat/completions`]);
      if (!streamed.stdout.includes("data: {") || !streamed.stdout.includes("data: [DONE]\n\n\n200")) return streamed.stdout + streamed.stderr;
      const anon = await curl(["-d", body, `${url}/chat/completions`]);
      if (!anon.stdout.endsWith("\n401")) return anon.stdout;
      // Over the 4 MiB default: refused by its length, and, sent chunked without one, while read.
      const big = join(tmpdir(), `onellm-gateway-big-${runtime}.json`);
      writeFileSync(big, JSON.stringify({ model: "mini", messages: user("x".repeat(5 << 20)) }));
      try {
        for (const extra of [[], ["-H", "Transfer-Encoding: chunked"]]) {
          const large = await curl(["-H", `Authorization: Bearer ${KEY}`, ...extra, "--data-binary", `@${big}`, `${url}/chat/completions`]);
          if (!large.stdout.endsWith("\n413") || !large.stdout.includes("larger than this gateway accepts")) return `${extra.join(" ")}: ${large.stdout.slice(-300)}`;
        }
      } finally {
        rmSync(big, { force: true });
      }
    }],
  ];
  const results = await Promise.all(cases.map(([name, check]) => timed(name, check)));
  results.push(...(await pythonCases(runtime, url, python)));
  return results;
}

/**
 * The caller's abort reaches the provider: the emulator sees its request cancelled. In
 * Node the openai client aborts over HTTP. In workerd the caller cancels the body through
 * miniflare's dispatchFetch: workerd notices a socket closed by a client only when it next
 * writes to it, and a stalled upstream gives it nothing to write, so over HTTP the test
 * would measure workerd's socket handling rather than the gateway's.
 */
function abortCase({ runtime, url, mf }, emulator) {
  return timed(`${runtime}: a caller that aborts mid-stream cancels the provider request`, async () => {
    const marker = `abort-${runtime}-${Date.now()}`;
    const params = { model: "stalled", messages: user(marker), stream: true };
    if (mf) {
      const res = await mf.dispatchFetch(new URL(`${url}/chat/completions`), { method: "POST", headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(params) });
      const reader = res.body.getReader();
      await reader.read();
      await reader.cancel();
    } else {
      const stream = await new OpenAI({ apiKey: KEY, baseURL: url, maxRetries: 0 }).chat.completions.create(params);
      await stream[Symbol.asyncIterator]().next();
      stream.controller.abort();
    }
    for (let i = 0; i < 100; i++) {
      const log = await (await fetch(`${emulator}/__requests`)).json();
      const entry = log.find((r) => JSON.stringify(r.body ?? {}).includes(marker));
      if (entry?.cancelled) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    const log = await (await fetch(`${emulator}/__requests`)).json();
    return `the emulator's request was never cancelled: ${JSON.stringify(log.find((r) => JSON.stringify(r.body ?? {}).includes(marker)) ?? "no entry")?.slice(0, 300)} of ${log.length}`;
  });
}

async function pythonCases(runtime, url, python) {
  if (!python) {
    console.log("gateway suite: no Python 3 on this machine; the Python openai SDK cases are skipped");
    return [];
  }
  const { ok, stdout, stderr } = await exec(python, [join(root, "tests", "gateway", "client.py"), url, KEY]);
  try {
    return JSON.parse(stdout.trim().split("\n").pop()).map((r) => ({ ...r, name: `${runtime}: ${r.name}`, ms: 0 }));
  } catch {
    return [{ name: `${runtime}: python openai client ran`, ok: false, error: `${ok}\n${stdout}\n${stderr}`, ms: 0 }];
  }
}
