#!/usr/bin/env node
// onellm provider emulator: a local, deterministic stand-in for LLM provider APIs.
//
// Why it exists: the client's tests (native and in-browser) must be able to assert the
// exact bytes a client sends and to provoke every failure a real provider produces
// (rate limits, HTML error pages, cut streams, malformed events, hangs) without network
// access or API keys. Plain Node 20, ESM, only `node:` built-ins — nothing to install.
//
// Usage: node tests/emulator/server.mjs --port 0 [--host 127.0.0.1]
//        import { startEmulator } from "./server.mjs"; const emu = await startEmulator();
// See README.md beside this file for the full interface.

import http from "node:http";
import { pathToFileURL } from "node:url";

// ---------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------

// Fixed so snapshots of responses are stable across runs.
const CREATED = 1700000000;
const FINGERPRINT = "fp_emulator";
const REQUEST_LOG_LIMIT = 50;
const NO_USER_ANSWER = "Hello from the onellm emulator.";

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  // Per the Fetch spec a bare `*` never covers `Authorization`, so Chromium would reject a
  // preflight for a Bearer request; listing it explicitly next to `*` fixes that.
  "access-control-allow-headers": "*, authorization",
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-expose-headers": "*",
};

const NGINX_502 =
  "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

// Faults that replace the whole response vs. those that corrupt an otherwise normal answer.
const IMMEDIATE_FAULTS = new Set(["status", "html502", "hang"]);
const BODY_FAULTS = new Set(["cut", "malformed", "no-done", "error-event"]);

// The broken event a `malformed` fault injects and the error event `error-event` injects.
const MALFORMED_EVENT = 'data: {"id":"chatcmpl-broken", not json\n\n';
const SERVER_ERROR_BODY = {
  error: {
    message: "The server had an error while processing your request.",
    type: "server_error",
    param: null,
    code: null,
  },
};

// ---------------------------------------------------------------------------------------
// Per-instance state (each startEmulator() gets its own, so parallel tests don't interfere)
// ---------------------------------------------------------------------------------------

function createState({ delayMs = 0 } = {}) {
  return {
    delayMs, // default pace of streams, for the demo; the header overrides it
    counter: 0, // numbers x-request-id and chatcmpl ids
    requests: [], // last REQUEST_LOG_LIMIT requests, newest last
    faultCounts: new Map(), // `times=k;key=id` bookkeeping: key -> requests seen
  };
}

function rememberRequest(state, entry) {
  state.requests.push(entry);
  if (state.requests.length > REQUEST_LOG_LIMIT) state.requests.shift();
}

// ---------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Returns { json, ok }: ok=false when the text is not JSON (json is then the raw text). */
function parseJson(text) {
  if (text === "") return { json: null, ok: false };
  try {
    return { json: JSON.parse(text), ok: true };
  } catch {
    return { json: text, ok: false };
  }
}

/** Splits a raw request target without `new URL` (which misreads targets such as `//x`). */
function splitTarget(target = "/") {
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? "" : target.slice(q + 1);
  return { path, query: Object.fromEntries(new URLSearchParams(query)) };
}

function processingHeaders(ctx) {
  return { "openai-processing-ms": String(Math.max(1, Math.round(performance.now() - ctx.started))) };
}

/** Sends a complete body with an exact content-length. */
function sendBody(res, ctx, status, text, contentType, headers = {}) {
  if (ctx.closed || res.headersSent) return;
  const buf = Buffer.from(text, "utf8");
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": buf.length,
    ...processingHeaders(ctx),
    ...headers,
  });
  res.end(buf);
}

function sendJson(res, ctx, status, value, headers = {}) {
  sendBody(res, ctx, status, JSON.stringify(value), "application/json", headers);
}

/** Writes one chunk, waiting for 'drain' so long streams respect backpressure. */
function write(res, ctx, chunk) {
  if (ctx.closed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve(!ctx.closed);
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

/** Waits ms (or one event-loop turn), but wakes early when the client or server goes away. */
function pause(ms, res, ctx) {
  if (ctx.closed) return Promise.resolve();
  if (!(ms > 0)) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once("close", done);
  });
}

// ---------------------------------------------------------------------------------------
// Controls: x-emulator-* headers, or a `fault-…` model name for clients that can't set headers
// ---------------------------------------------------------------------------------------

function intHeader(req, name, fallback, min, max) {
  const raw = req.headers[name];
  if (raw === undefined) return fallback;
  const n = Number.parseInt(String(raw), 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function readControls(req, model, state) {
  let faultSpec = String(req.headers["x-emulator-fault"] ?? "").trim() || null;
  // `fault-status=429_times=1_key=demo` == header `status=429;times=1;key=demo`.
  if (!faultSpec && typeof model === "string" && model.startsWith("fault-")) {
    faultSpec = model.slice("fault-".length).replaceAll("_", ";");
  }
  return {
    delayMs: intHeader(req, "x-emulator-delay-ms", state.delayMs, 0, 600_000),
    repeat: intHeader(req, "x-emulator-repeat", 1, 1, 100_000),
    faultSpec,
  };
}

function splitPair(part) {
  const eq = part.indexOf("=");
  return eq < 0 ? [part.trim(), ""] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
}

/** Parses `kind[=value][;param=value]*` into { kind, status, params, spec } or { error }. */
function parseFault(spec) {
  const [head = "", ...rest] = spec.split(";").filter((p) => p.trim() !== "");
  const [kind, value] = splitPair(head);
  if (!IMMEDIATE_FAULTS.has(kind) && !BODY_FAULTS.has(kind)) {
    return {
      error: `Unknown emulator fault \`${spec}\`. Known: status=<code>, html502, hang, cut, malformed, no-done, error-event.`,
    };
  }
  const params = Object.fromEntries(rest.map(splitPair));
  let status;
  if (kind === "status") {
    status = Number(value);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      return { error: `Emulator fault \`${spec}\`: status must be an integer in 400..599.` };
    }
  }
  if (params.times !== undefined && !/^\d+$/.test(params.times)) {
    return { error: `Emulator fault \`${spec}\`: times must be a non-negative integer.` };
  }
  return { kind, status, params, spec };
}

/**
 * Applies `times=k;key=id`: the fault hits only the first k requests carrying that key,
 * so a test can script "429 once, then success". Returns the fault or null.
 */
function takeFault(state, fault) {
  if (!fault || fault.params.times === undefined) return fault;
  const key = fault.params.key ?? fault.spec;
  const seen = (state.faultCounts.get(key) ?? 0) + 1;
  state.faultCounts.set(key, seen);
  return seen <= Number(fault.params.times) ? fault : null;
}

function retryHeaders(params) {
  const h = {};
  if (params["retry-after"] !== undefined) h["retry-after"] = params["retry-after"];
  if (params["retry-after-ms"] !== undefined) h["retry-after-ms"] = params["retry-after-ms"];
  return h;
}

// ---------------------------------------------------------------------------------------
// Shared fault + streaming helpers (format-agnostic: formats pass their own bodies/events)
// ---------------------------------------------------------------------------------------

/**
 * Handles faults that replace the response. `errorFor(status, params)` gives the format's
 * error { body, headers }. Returns true when the fault answered (or deliberately didn't).
 */
function sendImmediateFault(res, ctx, fault, errorFor) {
  switch (fault?.kind) {
    case "hang":
      return true; // Never answer; the socket stays open until the client or close() ends it.
    case "html502":
      sendBody(res, ctx, 502, NGINX_502, "text/html");
      return true;
    case "status": {
      const { body, headers = {} } = errorFor(fault.status, fault.params);
      sendJson(res, ctx, fault.status, body, { ...headers, ...retryHeaders(fault.params) });
      return true;
    }
    default:
      return false;
  }
}

/** Sends a non-streamed success body, corrupted according to a body fault if any. */
function sendAnswer(res, ctx, value, fault) {
  const text = JSON.stringify(value);
  switch (fault?.kind) {
    case "cut": {
      // Promise more bytes than we send, then drop the connection mid-body.
      const buf = Buffer.from(text, "utf8");
      res.writeHead(200, { "content-type": "application/json", "content-length": buf.length, ...processingHeaders(ctx) });
      res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.destroy());
      return;
    }
    case "malformed":
      return sendBody(res, ctx, 200, MALFORMED_EVENT.slice("data: ".length).trim(), "application/json");
    case "error-event":
      // A 200 whose body is an error object, as some gateways return.
      return sendJson(res, ctx, 200, SERVER_ERROR_BODY);
    default:
      return sendJson(res, ctx, 200, value);
  }
}

/**
 * Streams SSE events one res.write each, pausing delayMs before each, and applies body
 * faults at the third event (or after `;after=N` good events). `terminator` (e.g. `data: [DONE]`) is what `no-done` drops.
 */
async function streamEvents(res, ctx, { events, terminator = null, fault = null, delayMs = 0 }) {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    ...processingHeaders(ctx),
  });
  res.flushHeaders(); // Headers now, so clients can tell "slow first token" from "no response".
  const all = terminator ? [...events, terminator] : events;
  // `;after=N` moves the fault to the (N+1)th event (default: after 2 good events).
  const after = /^\d+$/.test(fault?.params?.after ?? "") ? Number(fault.params.after) : 2;
  const faultAt = Math.min(after, all.length - 1);
  for (let i = 0; i < all.length; i++) {
    await pause(delayMs, res, ctx);
    if (ctx.closed) return;
    if (i === faultAt) {
      if (fault?.kind === "cut") {
        const buf = Buffer.from(all[i], "utf8");
        res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.destroy());
        return;
      }
      if (fault?.kind === "error-event") {
        await write(res, ctx, `data: ${JSON.stringify(SERVER_ERROR_BODY)}\n\n`);
        res.end();
        return;
      }
      if (fault?.kind === "malformed") await write(res, ctx, MALFORMED_EVENT);
    }
    if (fault?.kind === "no-done" && terminator && i === all.length - 1) break;
    await write(res, ctx, all[i]);
  }
  res.end();
}

// ---------------------------------------------------------------------------------------
// Deterministic answers (format-agnostic: formats normalise their messages to {role, text})
// ---------------------------------------------------------------------------------------

/** Words keeping their trailing whitespace: the pieces concatenate back to the text. */
function piecesOf(text) {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function splitEvenly(text, parts) {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function wordCount(text) {
  return text.split(/\s+/).filter(Boolean).length;
}

function repeatText(text, times) {
  return Array.from({ length: times }, () => text).join(" ");
}

/**
 * Decides what the "model" answers.
 * messages: [{ role, text }], toolNames: [string], jsonMode: bool, repeat: int
 * Returns { kind: "tool_call", id, name, arguments } or { kind: "text", text }.
 */
function planAnswer({ messages, toolNames, jsonMode, repeat }) {
  const last = messages[messages.length - 1];
  const lastUser = messages.findLast((m) => m.role === "user");
  if (toolNames.length > 0 && last?.role === "user" && /\bweather\b/i.test(last.text)) {
    return { kind: "tool_call", id: "call_emu_1", name: toolNames[0], arguments: '{"city":"Paris"}' };
  }
  if (jsonMode) return { kind: "text", text: JSON.stringify({ echo: repeatText(lastUser?.text ?? "", repeat) }) };
  if (last?.role === "tool") return { kind: "text", text: repeatText(`The tool said: ${last.text}`, repeat) };
  if (lastUser) return { kind: "text", text: repeatText(`Echo: ${lastUser.text}`, repeat) };
  return { kind: "text", text: repeatText(NO_USER_ANSWER, repeat) };
}

// ---------------------------------------------------------------------------------------
// Format: OpenAI chat completions  (POST /openai/v1/chat/completions)
// ---------------------------------------------------------------------------------------

const OPENAI_NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
const OPENAI_BAD_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";

function openaiError(message, type = "invalid_request_error", param = null, code = null) {
  return { error: { message, type, param, code } };
}

/** OpenAI's real error bodies for an injected `status=<code>` fault. */
function openaiStatusError(model) {
  return (status, params) => {
    switch (status) {
      case 400:
        return { body: openaiError("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "invalid_request_error", "max_tokens", "unsupported_parameter") };
      case 401:
        return { body: openaiError("Incorrect API key provided: sk-emu***. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key") };
      case 403:
        return { body: openaiError("Country, region, or territory not supported", "request_forbidden", null, "unsupported_country_region_territory") };
      case 404:
        return { body: openaiError(`The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", null, "model_not_found") };
      case 422:
        return { body: openaiError("Invalid request: the request body could not be processed.", "invalid_request_error", null, null) };
      case 429:
        // `code=insufficient_quota` is the non-retryable 429 a client must not retry.
        if (params.code === "insufficient_quota") {
          return { body: openaiError("You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", "insufficient_quota", null, "insufficient_quota") };
        }
        return {
          body: openaiError(`Rate limit reached for ${model} in organization org-emulator on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.`, "requests", null, "rate_limit_exceeded"),
          headers: { "x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20s" },
        };
      case 500:
        return { body: openaiError("The server had an error while processing your request. Sorry about that!", "server_error") };
      case 502:
        return { body: openaiError("Bad gateway.", "server_error") };
      case 503:
        return { body: openaiError("The engine is currently overloaded, please try again later", "server_error") };
      default:
        return { body: openaiError(`Emulated HTTP ${status} error.`, status >= 500 ? "server_error" : "invalid_request_error") };
    }
  };
}

/** The checks a real OpenAI server makes, in its order. Returns { status, body } or null. */
function validateOpenAI(req, parsed) {
  const auth = String(req.headers.authorization ?? "");
  const key = /^Bearer\s+(.*)$/i.exec(auth)?.[1]?.trim();
  if (!key) return { status: 401, body: openaiError(OPENAI_NO_KEY) };
  if (key.startsWith("sk-bad")) {
    return { status: 401, body: openaiError(`Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", null, "invalid_api_key") };
  }
  const body = parsed.json;
  if (!parsed.ok || body === null || typeof body !== "object" || Array.isArray(body)) {
    return { status: 400, body: openaiError(OPENAI_BAD_JSON) };
  }
  if (typeof body.model !== "string" || body.model === "") {
    return { status: 400, body: openaiError("you must provide a model parameter") };
  }
  if (!Array.isArray(body.messages)) {
    return { status: 400, body: openaiError("Missing required parameter: 'messages'.", "invalid_request_error", "messages", "missing_required_parameter") };
  }
  if (body.model === "no-such-model") {
    return { status: 404, body: openaiError(`The model \`${body.model}\` does not exist or you do not have access to it.`, "invalid_request_error", null, "model_not_found") };
  }
  if (body.stream !== true && body.stream_options != null) {
    return { status: 400, body: openaiError("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error", "stream_options", null) };
  }
  return null;
}

/** String content, or the `text` parts of a parts array joined by a space. */
function openaiContentText(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p) => p && p.type === "text" && typeof p.text === "string")
    .map((p) => p.text)
    .join(" ");
}

function openaiUsage(promptTokens, completionTokens) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function openaiTokenLimit(body) {
  const limits = [body.max_tokens, body.max_completion_tokens].filter((v) => Number.isInteger(v) && v >= 0);
  return limits.length ? Math.min(...limits) : null;
}

/** Everything both the JSON and the SSE renderings need. */
function openaiOutcome(body, controls) {
  const messages = body.messages
    .filter((m) => m && typeof m === "object")
    .map((m) => ({ role: String(m.role ?? ""), text: openaiContentText(m.content) }));
  const toolNames = (Array.isArray(body.tools) ? body.tools : [])
    .map((t) => t?.function?.name ?? t?.name)
    .filter((name) => typeof name === "string");
  const formatType = body.response_format?.type;
  const plan = planAnswer({
    messages,
    toolNames,
    jsonMode: formatType === "json_object" || formatType === "json_schema",
    repeat: controls.repeat,
  });
  const n = Number.isInteger(body.n) && body.n >= 1 ? Math.min(body.n, 128) : 1;
  const promptTokens = Math.max(1, messages.reduce((sum, m) => sum + wordCount(m.text), 0));

  let pieces;
  let finishReason;
  if (plan.kind === "tool_call") {
    pieces = splitEvenly(plan.arguments, 3);
    finishReason = "tool_calls";
  } else {
    pieces = piecesOf(plan.text);
    finishReason = "stop";
    const limit = openaiTokenLimit(body);
    if (limit !== null && limit < pieces.length) {
      pieces = pieces.slice(0, limit);
      finishReason = "length";
    }
  }
  return { plan, pieces, finishReason, n, usage: openaiUsage(promptTokens, pieces.length * n) };
}

function openaiCompletion(ctx, model, out) {
  const message =
    out.plan.kind === "tool_call"
      ? {
          role: "assistant",
          content: null,
          tool_calls: [{ id: out.plan.id, type: "function", function: { name: out.plan.name, arguments: out.plan.arguments } }],
          refusal: null,
        }
      : { role: "assistant", content: out.pieces.join(""), refusal: null };
  return {
    id: `chatcmpl-emu-${ctx.n}`,
    object: "chat.completion",
    created: CREATED,
    model,
    choices: Array.from({ length: out.n }, (_, index) => ({ index, message, logprobs: null, finish_reason: out.finishReason })),
    usage: out.usage,
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  };
}

/** The SSE events, interleaving choices per step as OpenAI does for n > 1. */
function openaiStreamEvents(ctx, model, out, includeUsage) {
  const chunk = (choices, usage = null) => ({
    id: `chatcmpl-emu-${ctx.n}`,
    object: "chat.completion.chunk",
    created: CREATED,
    model,
    system_fingerprint: FINGERPRINT,
    choices,
    ...(includeUsage ? { usage } : {}),
  });
  const event = (value) => `data: ${JSON.stringify(value)}\n\n`;
  const perChoice = (delta, finish = null) =>
    Array.from({ length: out.n }, (_, index) => event(chunk([{ index, delta, logprobs: null, finish_reason: finish }])));

  const isTool = out.plan.kind === "tool_call";
  const first = isTool
    ? {
        role: "assistant",
        content: null,
        tool_calls: [{ index: 0, id: out.plan.id, type: "function", function: { name: out.plan.name, arguments: "" } }],
        refusal: null,
      }
    : { role: "assistant", content: "", refusal: null };
  const events = [...perChoice(first)];
  for (const piece of out.pieces) {
    events.push(...perChoice(isTool ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece }));
  }
  events.push(...perChoice({}, out.finishReason));
  if (includeUsage) events.push(event(chunk([], out.usage)));
  return events;
}

async function handleOpenAIChat(req, res, ctx, state) {
  const controls = readControls(req, ctx.parsed.json?.model, state);
  const problem = validateOpenAI(req, ctx.parsed);
  const body = ctx.parsed.json;
  const streaming = !problem && body.stream === true;

  let fault = null;
  if (!problem && controls.faultSpec) {
    const parsedFault = parseFault(controls.faultSpec);
    if (parsedFault.error) {
      await pause(controls.delayMs, res, ctx);
      return sendJson(res, ctx, 400, openaiError(parsedFault.error, "emulator_error", "x-emulator-fault"));
    }
    // Only requests that pass validation consume a `times=` slot.
    fault = takeFault(state, parsedFault);
  }
  if (!streaming && fault?.kind !== "hang") await pause(controls.delayMs, res, ctx);
  if (problem) return sendJson(res, ctx, problem.status, problem.body);
  if (sendImmediateFault(res, ctx, fault, openaiStatusError(body.model))) return;

  const out = openaiOutcome(body, controls);
  if (!streaming) return sendAnswer(res, ctx, openaiCompletion(ctx, body.model, out), fault);
  await streamEvents(res, ctx, {
    events: openaiStreamEvents(ctx, body.model, out, body.stream_options?.include_usage === true),
    terminator: "data: [DONE]\n\n",
    fault,
    delayMs: controls.delayMs,
  });
}

// ---------------------------------------------------------------------------------------
// Emulator control routes
// ---------------------------------------------------------------------------------------

function handleHealth(req, res, ctx) {
  sendJson(res, ctx, 200, { ok: true });
}

function handleListRequests(req, res, ctx, state) {
  sendJson(res, ctx, 200, state.requests);
}

function handleClearRequests(req, res, ctx, state) {
  state.requests.length = 0;
  sendJson(res, ctx, 200, { ok: true });
}

function handleResetFaults(req, res, ctx, state) {
  state.faultCounts.clear();
  sendJson(res, ctx, 200, { ok: true });
}

// ---------------------------------------------------------------------------------------
// Router. One handler per provider format; to add one, write handleXxx(req, res, ctx,
// state, params) reusing validate/plan/stream helpers above and add a row here, e.g.
//   ["POST", /^\/anthropic\/v1\/messages$/, handleAnthropicMessages]
//   ["POST", /^\/gemini\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/, handleGemini]
//   ["POST", /^\/cohere\/v2\/chat$/, handleCohereChat]
// Regex groups arrive as `params`.
// ---------------------------------------------------------------------------------------

const ROUTES = [
  ["GET", /^\/health$/, handleHealth],
  ["GET", /^\/__requests$/, handleListRequests],
  ["DELETE", /^\/__requests$/, handleClearRequests],
  ["DELETE", /^\/__faults$/, handleResetFaults],
  ["POST", /^\/openai\/v1\/chat\/completions$/, handleOpenAIChat],
];

function findRoute(method, path) {
  for (const [m, pattern, handler] of ROUTES) {
    const match = m === method && pattern.exec(path);
    if (match) return { handler, params: match.slice(1) };
  }
  return null;
}

async function handle(req, res, state) {
  const ctx = { n: ++state.counter, started: performance.now(), closed: false, parsed: { json: null, ok: false } };
  res.on("close", () => {
    ctx.closed = true;
  });
  for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
  res.setHeader("x-request-id", `req_${ctx.n}`);
  try {
    const { path, query } = splitTarget(req.url);
    ctx.parsed = parseJson(await readBody(req));
    // Control routes (/__…) are not logged, so reading the log doesn't change it.
    if (!path.startsWith("/__")) {
      rememberRequest(state, { method: req.method, path, query, headers: { ...req.headers }, body: ctx.parsed.json });
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204);
      res.end();
      return;
    }
    const route = findRoute(req.method, path);
    if (!route) return sendJson(res, ctx, 404, openaiError(`Invalid URL (${req.method} ${path})`));
    await route.handler(req, res, ctx, state, route.params);
  } catch (err) {
    // Never crash the process on odd input: answer 500 if we still can, else drop the socket.
    if (!res.headersSent && !ctx.closed) {
      sendJson(res, ctx, 500, openaiError(`Emulator internal error: ${err?.message ?? err}`, "server_error"));
    } else {
      res.destroy();
    }
  }
}

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

function urlHost(host) {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** Starts an emulator; close() destroys open (even hanging) sockets so tests never hang. */
export async function startEmulator({ port = 0, host = "127.0.0.1", delayMs = 0 } = {}) {
  const state = createState({ delayMs });
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    handle(req, res, state).catch(() => res.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  let closing = null;
  const close = () =>
    (closing ??= new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }));
  return { url: `http://${urlHost(host)}:${actualPort}`, port: actualPort, close };
}

// ---------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { port: 0, host: "127.0.0.1", delayMs: 0 };
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s);
    if (value === undefined && ["--port", "--host", "--delay-ms"].includes(flag)) value = argv[++i];
    if (flag === "--port" && /^\d+$/.test(value ?? "") && Number(value) <= 65535) opts.port = Number(value);
    else if (flag === "--delay-ms" && /^\d+$/.test(value ?? "")) opts.delayMs = Number(value);
    else if (flag === "--host" && value) opts.host = value;
    else throw new Error(`bad argument: ${flag}${value === undefined ? "" : ` ${value}`}`);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let emulator;
  try {
    emulator = await startEmulator(parseArgs(process.argv.slice(2)));
  } catch (err) {
    console.error(`onellm emulator: ${err.message}\nusage: node server.mjs --port N [--host 127.0.0.1] [--delay-ms N]`);
    process.exit(2);
  }
  console.log(`onellm emulator listening on ${emulator.url}`);
  const stop = async () => {
    await emulator.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
