// The gateway's HTTP face: `createGateway(config)` gives a `fetch(request, env, ctx)`
// handler serving OpenAI's API. Every decision (who may call, which route, which chain
// of models a name stands for, what an error becomes) is made in Rust, in the gateway's
// own Wasm module (src/gateway/); this file reads the request, calls the client and
// writes the answer. The entry files (gateway-*.js) initialise both modules first.

import { GatewayCore } from "./wasm/gateway.js";
import { OpenAI, openAIWithEnvironment } from "./core.js";

/** Options the client takes; everything else is the gateway's (src/gateway/config.rs). */
const CLIENT_OPTIONS = ["providers", "apiKeys", "fetch", "timeout", "idleTimeout", "maxRetries", "defaultHeaders"];
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;
const encoder = new TextEncoder();

/**
 * `config` is the gateway's options, or a function of the Worker's `env` returning them
 * (secrets are bound there, and only there, on Workers). See the README, "A gateway on
 * the edge".
 */
export function createGateway(config) {
  const perEnv = new WeakMap();
  let shared; // for a config object and for runtimes without `env`
  const state = (env) => {
    const envObject = env !== null && typeof env === "object" ? env : undefined;
    if (typeof config !== "function" || envObject === undefined) {
      shared ??= build(typeof config === "function" ? config(envObject ?? {}) : config, envObject);
      return shared;
    }
    let s = perEnv.get(envObject);
    if (!s) perEnv.set(envObject, (s = build(config(envObject), envObject)));
    return s;
  };
  // A config that is wrong is wrong at once, where it is written, when it can be read.
  if (typeof config !== "function") state(undefined);
  return {
    fetch: async (request, env, ctx) => {
      let s;
      try {
        s = state(env);
      } catch (e) {
        console.error(`onellm gateway: ${e.message}`);
        return new Response(JSON.stringify({ error: { message: "the gateway is misconfigured", type: "server_error", param: null, code: null } }),
          { status: 500, headers: { "content-type": "application/json" } });
      }
      try {
        return await serve(s, request);
      } catch (e) {
        // Whatever went wrong (a caller that hung up mid-upload, say) is an answer, not a throw.
        return replyOf(JSON.parse(s.core.failure(thrownOf(e), undefined)));
      }
    },
  };
}

function build(config, env) {
  if (config === null || typeof config !== "object") throw new TypeError("createGateway: expected an options object");
  const clientOptions = {};
  const gatewayOptions = {};
  // The client's own options go to the client, which checks them; the rest to the gateway.
  for (const [k, v] of Object.entries(config)) (CLIENT_OPTIONS.includes(k) ? clientOptions : gatewayOptions)[k] = v;
  const reader = env ? (name) => (typeof env[name] === "string" ? env[name] : undefined) : undefined;
  const client = reader ? openAIWithEnvironment(clientOptions, reader) : new OpenAI(clientOptions);
  const secrets = [];
  for (const p of Object.values(config.providers ?? {})) if (typeof p?.apiKey === "string") secrets.push(p.apiKey);
  for (const k of Object.values(config.apiKeys ?? {})) if (typeof k === "string") secrets.push(k);
  for (const [name, value] of Object.entries(env ?? processEnv())) if (SECRET_NAME.test(name) && typeof value === "string") secrets.push(value);
  let core;
  try {
    core = new GatewayCore(JSON.stringify(gatewayOptions), JSON.stringify(secrets));
  } catch (message) {
    throw new TypeError(`createGateway: ${message}`);
  }
  return { core, client };
}

/** Node's environment, or Deno's where it is granted; nothing elsewhere. */
function processEnv() {
  try {
    return globalThis.process?.env ?? {};
  } catch {
    return {}; // Deno without --allow-env
  }
}

function replyOf({ status, headers, body }) {
  return new Response(status === 204 ? null : body, { status, headers });
}

async function serve({ core, client }, request) {
  const url = new URL(request.url);
  const h = request.headers;
  const origin = h.get("origin") ?? undefined;
  const length = h.get("content-length");
  const decision = JSON.parse(core.route(request.method, url.pathname, h.get("authorization") ?? undefined, origin,
    h.get("access-control-request-headers") ?? undefined, length === null ? undefined : Number(length)));
  if (decision.reply) return replyOf(decision.reply);
  if (decision.models !== undefined) return replyOf(JSON.parse(core.models(decision.models, decision.id ?? undefined, origin)));
  const body = await readBounded(request, decision.maxBody);
  if (body === null) return replyOf(JSON.parse(core.bodyTooLarge(origin)));
  const plan = JSON.parse(core.chat(decision.chat, body, origin));
  if (plan.reply) return replyOf(plan.reply);
  let result;
  try {
    result = await client.chat.completions.create(JSON.parse(plan.params), { signal: request.signal });
  } catch (e) {
    return replyOf(JSON.parse(core.failure(thrownOf(e), origin)));
  }
  const meta = result.onellm;
  const headers = new Headers(JSON.parse(core.corsHeaders(origin)));
  if (meta) {
    headers.set("x-onellm-model", meta.model); // "provider/model"
    headers.set("x-onellm-attempts", String(meta.attempts.length));
  }
  if (!plan.stream) {
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify(result), { status: 200, headers });
  }
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  return new Response(sse(result, core, decision.keepAlive), { status: 200, headers });
}

const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");

const TICK = Symbol("tick");
const tick = () => new Promise((resolve) => setTimeout(resolve, 0, TICK));
/** A write gathers chunks up to about this many characters. */
const BATCH = 1 << 16;

/**
 * OpenAI's event stream: `data: <chunk>` per chunk, then `data: [DONE]`. The chunks
 * ready at once (one network read brings many) go out as one write, not one per chunk:
 * each write costs the runtime far more than the chunk's own encoding. While the
 * provider is quiet, a comment about every `keepAlive` ms (SSE clients skip comments):
 * proxies keep the connection, and the write is how workerd finds a caller gone, which
 * cancels this body and so the provider request.
 */
function sse(stream, core, keepAlive) {
  const iterator = stream[Symbol.asyncIterator]();
  let timer;
  let pending; // a next() not yet answered when the last write went out
  let last = Date.now();
  const stop = () => clearInterval(timer);
  return new ReadableStream({
    start(controller) {
      if (keepAlive > 0) {
        timer = setInterval(() => {
          if (Date.now() - last < keepAlive) return;
          last = Date.now();
          controller.enqueue(KEEP_ALIVE);
        }, Math.max(keepAlive / 2, 10));
      }
    },
    async pull(controller) {
      let text = "";
      try {
        while (text.length < BATCH) {
          if (!pending) {
            pending = iterator.next();
            pending.catch(() => {}); // awaited here or by the next pull: never unhandled
          }
          // The first chunk is waited for; the rest only while they are ready.
          const next = text ? await Promise.race([pending, tick()]) : await pending;
          if (next === TICK) break;
          pending = undefined;
          last = Date.now();
          if (next.done) {
            stop();
            controller.enqueue(encoder.encode(`${text}data: [DONE]\n\n`));
            controller.close();
            return;
          }
          text += `data: ${JSON.stringify(next.value)}\n\n`;
        }
        controller.enqueue(encoder.encode(text));
      } catch (e) {
        // After the first chunk the status is sent: the error goes as OpenAI sends one.
        stop();
        controller.enqueue(encoder.encode(text + core.streamError(thrownOf(e))));
        controller.close();
      }
    },
    // The caller went away: so does the provider request.
    cancel() {
      stop();
      stream.controller.abort();
    },
  });
}

/** The error's fields, for the Rust side to map (src/gateway/reply.rs). */
function thrownOf(e) {
  return JSON.stringify({
    name: e?.name, message: String(e?.message ?? e), status: e?.status, param: e?.param ?? e?.error?.param,
    code: typeof e?.code === "string" ? e.code : undefined, retryAfter: e?.headers?.get?.("retry-after") ?? undefined,
    attempts: Array.isArray(e?.attempts) ? e.attempts.length : 0,
  });
}

/** The body as text, or null once it is longer than `max` bytes, whatever its length header said. */
async function readBounded(request, max) {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
