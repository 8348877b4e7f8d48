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

// The broken event a `malformed` fault injects and the error event `error-event` injects
// (OpenAI's; other formats pass their own to sendAnswer/streamEvents).
const MALFORMED_EVENT = 'data: {"id":"chatcmpl-broken", not json\n\n';
const SERVER_ERROR_BODY = {
  error: {
    message: "The server had an error while processing your request.",
    type: "server_error",
    param: null,
    code: null,
  },
};
const OPENAI_FAULT_BODIES = {
  malformedEvent: MALFORMED_EVENT,
  malformedBody: MALFORMED_EVENT.slice("data: ".length).trim(),
  errorEvent: `data: ${JSON.stringify(SERVER_ERROR_BODY)}\n\n`,
  errorBody: SERVER_ERROR_BODY,
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

/** The provider's timing header (`openai-processing-ms` by default; formats may set ctx.timingHeader = null). */
function processingHeaders(ctx) {
  if (!ctx.timingHeader) return {};
  return { [ctx.timingHeader]: String(Math.max(1, Math.round(performance.now() - ctx.started))) };
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

/** JSON body; compact unless the format set ctx.jsonIndent (Google pretty-prints with 2). */
function sendJson(res, ctx, status, value, headers = {}) {
  sendBody(res, ctx, status, JSON.stringify(value, null, ctx.jsonIndent), ctx.jsonContentType ?? "application/json", headers);
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
      // noRetryHeaders: the format carries the delay in its body instead (Google's RetryInfo).
      const { body, headers = {}, noRetryHeaders = false } = errorFor(fault.status, fault.params);
      sendJson(res, ctx, fault.status, body, { ...headers, ...(noRetryHeaders ? {} : retryHeaders(fault.params)) });
      return true;
    }
    default:
      return false;
  }
}

/**
 * Sends a non-streamed success body, corrupted according to a body fault if any.
 * `bodies` holds the format's { malformedBody, errorBody }.
 */
function sendAnswer(res, ctx, value, fault, bodies = OPENAI_FAULT_BODIES) {
  const text = JSON.stringify(value, null, ctx.jsonIndent);
  switch (fault?.kind) {
    case "cut": {
      // Promise more bytes than we send, then drop the connection mid-body.
      const buf = Buffer.from(text, "utf8");
      res.writeHead(200, { "content-type": ctx.jsonContentType ?? "application/json", "content-length": buf.length, ...processingHeaders(ctx) });
      res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.destroy());
      return;
    }
    case "malformed":
      return sendBody(res, ctx, 200, bodies.malformedBody, ctx.jsonContentType ?? "application/json");
    case "error-event":
      // A 200 whose body is an error object, as some gateways return.
      return sendJson(res, ctx, 200, bodies.errorBody);
    default:
      return sendJson(res, ctx, 200, value);
  }
}

/**
 * Streams SSE events (complete strings) one res.write each, pausing delayMs before each, and
 * applies body faults at the third event (or after `;after=N` good events). `terminator`
 * (e.g. `data: [DONE]`) is what `no-done` drops; malformedEvent/errorEvent are the format's
 * (strings, or functions of the event index they replace). `epilogue(sent)` is written at a
 * clean end after the `sent` events (e.g. a JSON array's `]`); `contentType` overrides SSE's.
 */
async function streamEvents(res, ctx, { events, terminator = null, fault = null, delayMs = 0, malformedEvent = MALFORMED_EVENT, errorEvent = OPENAI_FAULT_BODIES.errorEvent, epilogue = null, contentType = "text/event-stream; charset=utf-8" }) {
  const at = (eventOrFn, i) => (typeof eventOrFn === "function" ? eventOrFn(i) : eventOrFn);
  res.writeHead(200, {
    "content-type": contentType,
    "cache-control": "no-cache",
    ...processingHeaders(ctx),
  });
  res.flushHeaders(); // Headers now, so clients can tell "slow first token" from "no response".
  const all = terminator ? [...events, terminator] : events;
  // `;after=N` moves the fault to the (N+1)th event (default: after 2 good events).
  const after = /^\d+$/.test(fault?.params?.after ?? "") ? Number(fault.params.after) : 2;
  const faultAt = Math.min(after, all.length - 1);
  let sent = 0;
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
        await write(res, ctx, at(errorEvent, i));
        res.end();
        return;
      }
      if (fault?.kind === "malformed") await write(res, ctx, at(malformedEvent, i));
    }
    if (fault?.kind === "no-done" && terminator && i === all.length - 1) break;
    await write(res, ctx, all[i]);
    sent++;
  }
  if (epilogue) await write(res, ctx, epilogue(sent));
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

/** String content, or the `text` parts/blocks of an array joined by a space (OpenAI and Anthropic alike). */
function blocksText(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p) => p && p.type === "text" && typeof p.text === "string")
    .map((p) => p.text)
    .join(" ");
}

function toolCall(id, name, input) {
  return { kind: "tool_call", id, name, input, arguments: JSON.stringify(input) };
}

/**
 * Decides what the "model" answers, on a conversation normalised by the format.
 * messages: [{ role: "user"|"assistant"|"tool"|…, text }], toolNames: [string], jsonMode: bool,
 * repeat: int; optional: forcedTool (name: always call it with {"echo": user text}),
 * toolsAllowed (false = tool_choice none), toolCallId, prefix (put before text answers).
 * Returns { kind: "tool_call", id, name, input, arguments } or { kind: "text", text }.
 */
function planAnswer({ messages, toolNames, jsonMode, repeat, forcedTool = null, toolsAllowed = true, toolCallId = "call_emu_1", prefix = "" }) {
  const last = messages[messages.length - 1];
  const lastUser = messages.findLast((m) => m.role === "user");
  const echo = () => repeatText(lastUser?.text ?? "", repeat);
  if (forcedTool) return toolCall(toolCallId, forcedTool, { echo: echo() });
  if (toolsAllowed && toolNames.length > 0 && last?.role === "user" && /\bweather\b/i.test(last.text)) {
    return toolCall(toolCallId, toolNames[0], { city: "Paris" });
  }
  const text = (t) => ({ kind: "text", text: prefix + t });
  if (jsonMode) return text(JSON.stringify({ echo: echo() }));
  if (last?.role === "tool") return text(repeatText(`The tool said: ${last.text}`, repeat));
  if (lastUser) return text(repeatText(`Echo: ${lastUser.text}`, repeat));
  return text(repeatText(NO_USER_ANSWER, repeat));
}

// ---------------------------------------------------------------------------------------
// The request flow every chat format shares: controls, checks, faults, pacing, answer.
// A format is { validate(req, parsed, ctx) -> {status, body} | null, emulatorError(ctx, msg),
// statusError(ctx, body) -> (status, params) -> {body, headers}, faultBodies,
// answer(ctx, body, controls) -> JSON value, stream(ctx, body, controls) -> {events, terminator, …} }
// and optionally modelOf(ctx) (default body.model) and isStreaming(ctx, body) (default body.stream === true).
// ---------------------------------------------------------------------------------------

async function serveChat(req, res, ctx, state, format) {
  const controls = readControls(req, format.modelOf ? format.modelOf(ctx) : ctx.parsed.json?.model, state);
  const problem = format.validate(req, ctx.parsed, ctx);
  const body = ctx.parsed.json;
  const streaming = !problem && (format.isStreaming ? format.isStreaming(ctx, body) : body.stream === true);

  let fault = null;
  if (!problem && controls.faultSpec) {
    const parsedFault = parseFault(controls.faultSpec);
    if (parsedFault.error) {
      await pause(controls.delayMs, res, ctx);
      return sendJson(res, ctx, 400, format.emulatorError(ctx, parsedFault.error));
    }
    // Only requests that pass validation consume a `times=` slot.
    fault = takeFault(state, parsedFault);
  }
  if (!streaming && fault?.kind !== "hang") await pause(controls.delayMs, res, ctx);
  if (problem) return sendJson(res, ctx, problem.status, problem.body);
  if (sendImmediateFault(res, ctx, fault, format.statusError(ctx, body))) return;

  if (!streaming) return sendAnswer(res, ctx, format.answer(ctx, body, controls), fault, format.faultBodies);
  await streamEvents(res, ctx, {
    malformedEvent: format.faultBodies.malformedEvent,
    errorEvent: format.faultBodies.errorEvent,
    ...format.stream(ctx, body, controls), // may override the fault events, framing, content type
    fault,
    delayMs: controls.delayMs,
  });
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
    .map((m) => ({ role: String(m.role ?? ""), text: blocksText(m.content) }));
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

const OPENAI_FORMAT = {
  validate: validateOpenAI,
  emulatorError: (ctx, message) => openaiError(message, "emulator_error", "x-emulator-fault"),
  statusError: (ctx, body) => openaiStatusError(body.model),
  faultBodies: OPENAI_FAULT_BODIES,
  answer: (ctx, body, controls) => openaiCompletion(ctx, body.model, openaiOutcome(body, controls)),
  stream: (ctx, body, controls) => ({
    events: openaiStreamEvents(ctx, body.model, openaiOutcome(body, controls), body.stream_options?.include_usage === true),
    terminator: "data: [DONE]\n\n",
  }),
};

function handleOpenAIChat(req, res, ctx, state) {
  return serveChat(req, res, ctx, state, OPENAI_FORMAT);
}

// ---------------------------------------------------------------------------------------
// Format: Azure OpenAI  (POST /azure/openai/deployments/{deployment}/chat/completions?api-version=…)
// The OpenAI wire format; Azure differs in the route, the `api-key` header, the required
// `api-version` query, the deployment in the path (the body's `model` is ignored) and its
// `{"error":{"code","message"}}` bodies for those checks.
// ---------------------------------------------------------------------------------------

const AZURE_ACCESS_DENIED =
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.";
const AZURE_DEPLOYMENT_NOT_FOUND =
  "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.";

function azureError(code, message) {
  return { error: { code, message } };
}

/** Azure's checks, in its order (routing first: without api-version no operation matches). */
function validateAzure(req, parsed, ctx) {
  const { deployment, query } = ctx.azure;
  if (!String(query["api-version"] ?? "").trim()) return { status: 404, body: azureError("404", "Resource not found") };
  const key = String(req.headers["api-key"] ?? "").trim();
  if (!key || key.startsWith("sk-bad")) return { status: 401, body: azureError("401", AZURE_ACCESS_DENIED) };
  if (deployment === "no-such-deployment") return { status: 404, body: azureError("DeploymentNotFound", AZURE_DEPLOYMENT_NOT_FOUND) };
  const body = parsed.json;
  if (!parsed.ok || !isObject(body)) return { status: 400, body: openaiError(OPENAI_BAD_JSON) };
  if (!Array.isArray(body.messages)) {
    return { status: 400, body: openaiError("Missing required parameter: 'messages'.", "invalid_request_error", "messages", "missing_required_parameter") };
  }
  if (body.stream !== true && body.stream_options != null) {
    return { status: 400, body: openaiError("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error", "stream_options", null) };
  }
  return null;
}

const AZURE_FORMAT = {
  validate: validateAzure,
  // A `fault-…` deployment name selects a fault (a `fault-…` body model still works too).
  modelOf: (ctx) => (ctx.azure.deployment.startsWith("fault-") ? ctx.azure.deployment : ctx.parsed.json?.model),
  emulatorError: OPENAI_FORMAT.emulatorError,
  statusError: (ctx) => openaiStatusError(ctx.azure.deployment),
  faultBodies: OPENAI_FAULT_BODIES,
  answer: (ctx, body, controls) => openaiCompletion(ctx, ctx.azure.deployment, openaiOutcome(body, controls)),
  stream: (ctx, body, controls) => ({
    events: openaiStreamEvents(ctx, ctx.azure.deployment, openaiOutcome(body, controls), body.stream_options?.include_usage === true),
    terminator: "data: [DONE]\n\n",
  }),
};

function handleAzureChat(req, res, ctx, state, [rawDeployment]) {
  let deployment = rawDeployment;
  try {
    deployment = decodeURIComponent(rawDeployment);
  } catch {}
  ctx.azure = { deployment, query: splitTarget(req.url).query };
  return serveChat(req, res, ctx, state, AZURE_FORMAT);
}

// ---------------------------------------------------------------------------------------
// Format: Anthropic Messages  (POST /anthropic/v1/messages)
// ---------------------------------------------------------------------------------------

const ANTHROPIC_THINKING = "Let me think.";
const ANTHROPIC_SIGNATURE = "sig_emu";
const ANTHROPIC_CACHE_READ_TOKENS = 5;
const ANTHROPIC_SYSTEM_ROLE =
  'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
const ANTHROPIC_OVERLOADED = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };
const ANTHROPIC_FAULT_BODIES = {
  malformedEvent: 'event: content_block_delta\ndata: {"type":"content_block_delta", not json\n\n',
  malformedBody: '{"type":"content_block_delta", not json',
  errorEvent: `event: error\ndata: ${JSON.stringify(ANTHROPIC_OVERLOADED)}\n\n`,
  errorBody: ANTHROPIC_OVERLOADED,
};

function anthropicRequestId(ctx) {
  return `req_emu_${ctx.n}`;
}

function anthropicError(ctx, type, message) {
  return { type: "error", error: { type, message }, request_id: anthropicRequestId(ctx) };
}

/** Anthropic's real error bodies for an injected `status=<code>` fault. */
function anthropicStatusError(ctx, model) {
  const error = (type, message, headers = {}) => ({ body: anthropicError(ctx, type, message), headers });
  return (status) => {
    switch (status) {
      case 400:
        return error("invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum");
      case 401:
        return error("authentication_error", "invalid x-api-key");
      case 402:
        return error("billing_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.");
      case 403:
        return error("permission_error", "Your API key does not have permission to use the specified resource.");
      case 404:
        return error("not_found_error", `model: ${model}`);
      case 413:
        return error("request_too_large", "Request exceeds the maximum allowed number of bytes.");
      case 429:
        return error(
          "rate_limit_error",
          `This request would exceed the rate limit for your organization (org-emulator) of 50 requests per minute (model: ${model}). For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.`,
          { "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0" },
        );
      case 500:
        return error("api_error", "Internal server error");
      case 504:
        return error("timeout_error", "Request timeout");
      case 529:
        // As recorded from the real API: the overloaded body carries no request_id.
        return { body: ANTHROPIC_OVERLOADED };
      default:
        return status >= 500 ? error("api_error", "Internal server error") : error("invalid_request_error", `Emulated HTTP ${status} error.`);
    }
  };
}

/** The checks the real Messages API makes, in its order. Returns { status, body } or null. */
function validateAnthropic(req, parsed, ctx) {
  const fail = (status, type, message) => ({ status, body: anthropicError(ctx, type, message) });
  const invalid = (message) => fail(400, "invalid_request_error", message);

  const key = String(req.headers["x-api-key"] ?? "").trim();
  if (!key) return fail(401, "authentication_error", "x-api-key header is required");
  if (key.startsWith("sk-bad")) return fail(401, "authentication_error", "invalid x-api-key");
  if (!String(req.headers["anthropic-version"] ?? "").trim()) return invalid("anthropic-version: header is required");

  const body = parsed.json;
  if (!parsed.ok) return invalid("The request body is not valid JSON: expected value: line 1 column 1 (char 0)");
  if (body === null || typeof body !== "object" || Array.isArray(body)) return invalid("body: Input should be a valid dictionary");
  if (body.model === undefined) return invalid("model: Field required");
  if (typeof body.model !== "string") return invalid("model: Input should be a valid string");
  if (body.messages === undefined) return invalid("messages: Field required");
  if (!Array.isArray(body.messages)) return invalid("messages: Input should be a valid list");
  if (body.max_tokens === undefined) return invalid("max_tokens: Field required");
  if (!Number.isInteger(body.max_tokens)) return invalid("max_tokens: Input should be a valid integer");
  if (body.max_tokens < 1) return invalid("max_tokens: Input should be greater than or equal to 1");

  const messages = body.messages;
  for (const [i, m] of messages.entries()) {
    if (m === null || typeof m !== "object" || Array.isArray(m)) return invalid(`messages.${i}: Input should be a valid dictionary`);
    if (m.role === "system") return invalid(ANTHROPIC_SYSTEM_ROLE);
    if (m.role !== "user" && m.role !== "assistant") return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    if (m.content === undefined) return invalid(`messages.${i}.content: Field required`);
    if (typeof m.content !== "string" && !Array.isArray(m.content)) return invalid(`messages.${i}.content: Input should be a valid string or list`);
  }
  if (messages.length === 0) return invalid("messages: at least one message is required");
  if (messages[0].role !== "user") return invalid('messages: first message must use the "user" role');
  // Consecutive same-role turns are accepted (the API merges them nowadays).

  // Every tool_result must answer a tool_use of the immediately preceding assistant message.
  for (const [i, m] of messages.entries()) {
    if (m.role !== "user" || !Array.isArray(m.content)) continue;
    const prev = messages[i - 1];
    const ids = new Set(
      prev?.role === "assistant" && Array.isArray(prev.content)
        ? prev.content.filter((b) => b?.type === "tool_use").map((b) => b.id)
        : [],
    );
    const stray = [];
    m.content.forEach((b, j) => {
      if (b?.type === "tool_result" && !ids.has(b.tool_use_id)) stray.push({ j, id: b.tool_use_id });
    });
    if (stray.length) {
      return invalid(
        `messages.${i}.content.${stray[0].j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.map((s) => s.id).join(", ")}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
  }

  if (body.model === "no-such-model") return fail(404, "not_found_error", `model: ${body.model}`);
  return null;
}

/** Normalises messages to { role, text }: a user turn holding tool_result blocks becomes a `tool` turn. */
function anthropicConversation(body) {
  return body.messages.map((m) => {
    if (m.role === "user" && Array.isArray(m.content)) {
      const result = m.content.find((b) => b?.type === "tool_result");
      if (result) return { role: "tool", text: blocksText(result.content) };
    }
    return { role: m.role, text: blocksText(m.content) };
  });
}

function anthropicUsesCache(body) {
  const blocks = [
    ...(Array.isArray(body.system) ? body.system : []),
    ...(Array.isArray(body.tools) ? body.tools : []),
    ...body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])),
  ];
  return blocks.some((b) => b && typeof b === "object" && b.cache_control != null);
}

/** Earliest stop sequence found in text, or null. */
function firstStop(text, stopSequences) {
  let hit = null;
  for (const s of Array.isArray(stopSequences) ? stopSequences : []) {
    if (typeof s !== "string" || s === "") continue;
    const at = text.indexOf(s);
    if (at >= 0 && (hit === null || at < hit.at)) hit = { at, sequence: s };
  }
  return hit;
}

/** Content blocks (each with its stream `pieces`), stop reason and usage, shared by JSON and SSE. */
function anthropicOutcome(body, controls) {
  const messages = anthropicConversation(body);
  const system = blocksText(body.system);
  const choice = body.tool_choice && typeof body.tool_choice === "object" ? body.tool_choice : {};
  const plan = planAnswer({
    messages,
    toolNames: (Array.isArray(body.tools) ? body.tools : []).map((t) => t?.name).filter((n) => typeof n === "string"),
    jsonMode: false,
    repeat: controls.repeat,
    forcedTool: choice.type === "tool" && typeof choice.name === "string" ? choice.name : null,
    toolsAllowed: choice.type !== "none",
    toolCallId: "toolu_emu_1",
    prefix: /pirate/i.test(system) ? "Arr! " : "",
  });

  const blocks = [];
  if (body.thinking?.type === "enabled") {
    blocks.push({ type: "thinking", thinking: ANTHROPIC_THINKING, signature: ANTHROPIC_SIGNATURE, pieces: piecesOf(ANTHROPIC_THINKING) });
  }
  let stopReason = "end_turn";
  let stopSequence = null;
  if (plan.kind === "tool_call") {
    blocks.push({ type: "tool_use", id: plan.id, name: plan.name, input: plan.input, pieces: splitEvenly(plan.arguments, 3) });
    stopReason = "tool_use";
  } else {
    let text = plan.text;
    const stop = firstStop(text, body.stop_sequences);
    if (stop) {
      text = text.slice(0, stop.at);
      stopReason = "stop_sequence";
      stopSequence = stop.sequence;
    }
    let pieces = piecesOf(text);
    if (body.max_tokens < pieces.length) {
      pieces = pieces.slice(0, body.max_tokens);
      stopReason = "max_tokens";
      stopSequence = null;
    }
    blocks.push({ type: "text", text: pieces.join(""), pieces });
  }
  const inputTokens = Math.max(1, wordCount(system) + messages.reduce((sum, m) => sum + wordCount(m.text), 0));
  const outputTokens = Math.max(1, blocks.reduce((sum, b) => sum + b.pieces.length, 0));
  return {
    blocks,
    stopReason,
    stopSequence,
    inputTokens,
    outputTokens,
    cacheRead: anthropicUsesCache(body) ? ANTHROPIC_CACHE_READ_TOKENS : 0,
  };
}

function anthropicUsage(out, outputTokens) {
  return {
    input_tokens: out.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: out.cacheRead,
    output_tokens: outputTokens,
  };
}

function anthropicMessage(ctx, model, out, { streaming = false } = {}) {
  return {
    model,
    id: `msg_emu_${ctx.n}`,
    type: "message",
    role: "assistant",
    content: streaming ? [] : out.blocks.map(({ pieces, ...block }) => block),
    stop_reason: streaming ? null : out.stopReason,
    stop_sequence: streaming ? null : out.stopSequence,
    usage: anthropicUsage(out, streaming ? 1 : out.outputTokens),
  };
}

/**
 * One SSE event as the real API writes it: `event: <type>`, then the JSON with a run of
 * spaces before its final `}` (deterministic length per event position).
 */
function anthropicEvent(position, value) {
  const json = JSON.stringify(value);
  const pad = " ".repeat(3 + ((position * 5) % 13));
  return `event: ${value.type}\ndata: ${json.slice(0, -1)}${pad}}\n\n`;
}

const ANTHROPIC_PING = 'event: ping\ndata: {"type": "ping"}\n\n';

function anthropicStreamEvents(ctx, model, out) {
  const values = [{ type: "message_start", message: anthropicMessage(ctx, model, out, { streaming: true }) }];
  const pingAt = [];
  out.blocks.forEach((block, index) => {
    const delta = (d) => values.push({ type: "content_block_delta", index, delta: d });
    if (block.type === "thinking") {
      values.push({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } });
    } else if (block.type === "tool_use") {
      values.push({ type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
    } else {
      values.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
    }
    if (index === 0) pingAt.push(values.length);
    for (const piece of block.pieces) {
      if (block.type === "thinking") delta({ type: "thinking_delta", thinking: piece });
      else if (block.type === "tool_use") delta({ type: "input_json_delta", partial_json: piece });
      else delta({ type: "text_delta", text: piece });
    }
    if (block.type === "thinking") delta({ type: "signature_delta", signature: block.signature });
    values.push({ type: "content_block_stop", index });
  });
  values.push({ type: "message_delta", delta: { stop_reason: out.stopReason, stop_sequence: out.stopSequence }, usage: { output_tokens: out.outputTokens } });
  const events = values.map((v, i) => anthropicEvent(i, v));
  for (const at of pingAt) events.splice(at, 0, ANTHROPIC_PING);
  return { events, terminator: anthropicEvent(events.length, { type: "message_stop" }) };
}

const ANTHROPIC_FORMAT = {
  validate: validateAnthropic,
  emulatorError: (ctx, message) => anthropicError(ctx, "emulator_error", message),
  statusError: (ctx, body) => anthropicStatusError(ctx, body.model),
  faultBodies: ANTHROPIC_FAULT_BODIES,
  answer: (ctx, body, controls) => anthropicMessage(ctx, body.model, anthropicOutcome(body, controls)),
  stream: (ctx, body, controls) => anthropicStreamEvents(ctx, body.model, anthropicOutcome(body, controls)),
};

function handleAnthropicMessages(req, res, ctx, state) {
  ctx.timingHeader = null; // Anthropic sends no processing-time header.
  res.setHeader("request-id", anthropicRequestId(ctx));
  return serveChat(req, res, ctx, state, ANTHROPIC_FORMAT);
}

// ---------------------------------------------------------------------------------------
// Format: Google Gemini API, generativelanguage v1beta
//   POST /gemini/v1beta/models/{model}:generateContent
//   POST /gemini/v1beta/models/{model}:streamGenerateContent[?alt=sse]
// ---------------------------------------------------------------------------------------

const GEMINI_THOUGHT = "Let me think.";
const GEMINI_THOUGHT_TOKENS = 3;
const GEMINI_THOUGHT_SIGNATURE = "c2lnX2VtdQ=="; // base64("sig_emu")
const GEMINI_CACHED_TOKENS = 4;
const GEMINI_NO_KEY =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
const GEMINI_BAD_KEY = "API key not valid. Please pass a valid API key.";
const GEMINI_OVERLOADED = "The model is overloaded. Please try again later.";
const GEMINI_ERROR_EVENT = { error: { code: 503, message: GEMINI_OVERLOADED, status: "UNAVAILABLE" } };
const GEMINI_MALFORMED = '{"candidates": [ not json';
// Fields Google's JSON parser knows; anything else is "Unknown name … Cannot find field."
// (camelCase only: Google also takes the proto snake_case names, the emulator doesn't, so the
// client sticks to the documented spelling).
const GEMINI_REQUEST_FIELDS = ["model", "contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig", "cachedContent"];
const GEMINI_GENERATION_FIELDS = [
  "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences", "presencePenalty", "frequencyPenalty",
  "seed", "responseMimeType", "responseSchema", "responseJsonSchema", "responseLogprobs", "logprobs", "thinkingConfig", "responseModalities",
];
const GEMINI_THINKING_FIELDS = ["includeThoughts", "thinkingBudget", "thinkingLevel"];
const GEMINI_PART_DATA = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"];
const GEMINI_PART_FIELDS = [...GEMINI_PART_DATA, "thought", "thoughtSignature", "videoMetadata", "partMetadata"];
const GEMINI_NUMBER_FIELDS = { temperature: "TYPE_FLOAT", topP: "TYPE_FLOAT", presencePenalty: "TYPE_FLOAT", frequencyPenalty: "TYPE_FLOAT", topK: "TYPE_INT32", candidateCount: "TYPE_INT32", maxOutputTokens: "TYPE_INT32", seed: "TYPE_INT32", logprobs: "TYPE_INT32" };
const GEMINI_MODES = ["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"];
// As recorded (prompt_blocked_safety.json): the whole body of a blocked prompt.
const GEMINI_PROMPT_BLOCKED = {
  promptFeedback: {
    blockReason: "SAFETY",
    safetyRatings: [
      { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
      { category: "HARM_CATEGORY_HATE_SPEECH", probability: "HIGH" },
      { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
      { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "NEGLIGIBLE" },
    ],
  },
};
const GEMINI_UNSAFE_RATINGS = [
  { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "NEGLIGIBLE" },
];

function googleError(code, status, message, details) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

function googleInvalid(message, details) {
  return { status: 400, body: googleError(400, "INVALID_ARGUMENT", message, details) };
}

/** A JSON-parser rejection, with the BadRequest detail Google attaches. */
function googleParseError(message, field) {
  return googleInvalid(message, [
    { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ ...(field ? { field } : {}), description: message }] },
  ]);
}

function snakeCase(name) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function unknownField(object, known, where) {
  const name = Object.keys(object).find((k) => !known.includes(k));
  if (name === undefined) return null;
  const at = where ? ` at '${where}'` : "";
  return googleParseError(`Invalid JSON payload received. Unknown name ${JSON.stringify(name)}${at}: Cannot find field.`, where || undefined);
}

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function geminiNotFound(model, method) {
  const message = `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`;
  return googleError(404, "NOT_FOUND", message, [
    { "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: `[ORIGINAL ERROR] generic::not_found: ${message} [google.rpc.error_details_ext] { message: ${JSON.stringify(message)} }` },
    { "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: message },
  ]);
}

/** Google's bodies for an injected `status=<code>` fault. */
function geminiStatusError(ctx) {
  return (status, params) => {
    const error = (code, message, details) => ({ body: googleError(status, code, message, details) });
    switch (status) {
      case 400:
        return error("INVALID_ARGUMENT", "Request contains an invalid argument.");
      case 401:
        return error("UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
      case 403:
        return error("PERMISSION_DENIED", "The caller does not have permission");
      case 404:
        return { body: geminiNotFound(ctx.gemini.model, ctx.gemini.method) };
      case 429: {
        // Google sends no Retry-After header: the delay is the RetryInfo detail.
        const seconds = params["retry-after"] !== undefined ? Number(params["retry-after"]) : params["retry-after-ms"] !== undefined ? Number(params["retry-after-ms"]) / 1000 : null;
        const details = [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }] },
          ...(Number.isFinite(seconds) ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${seconds}s` }] : []),
        ];
        return { ...error("RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", details), noRetryHeaders: true };
      }
      case 500:
        return error("INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
      case 503:
        return error("UNAVAILABLE", GEMINI_OVERLOADED);
      case 504:
        return error("DEADLINE_EXCEEDED", "Deadline expired before operation could complete.");
      default:
        return status >= 500 ? error("INTERNAL", "Internal error encountered.") : error("INVALID_ARGUMENT", `Emulated HTTP ${status} error.`);
    }
  };
}

function validateGenerationConfig(config) {
  if (config === undefined) return null;
  if (!isObject(config)) return googleParseError(`Invalid value at 'generation_config' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig), ${JSON.stringify(config)}`, "generation_config");
  const unknown = unknownField(config, GEMINI_GENERATION_FIELDS, "generation_config");
  if (unknown) return unknown;
  for (const [name, type] of Object.entries(GEMINI_NUMBER_FIELDS)) {
    const v = config[name];
    if (v === undefined) continue;
    if (typeof v !== "number" || (type === "TYPE_INT32" && !Number.isInteger(v))) {
      const where = `generation_config.${snakeCase(name)}`;
      return googleParseError(`Invalid value at '${where}' (${type}), ${JSON.stringify(v)}`, where);
    }
  }
  if (config.stopSequences !== undefined && (!Array.isArray(config.stopSequences) || config.stopSequences.some((s) => typeof s !== "string"))) {
    return googleParseError(`Invalid value at 'generation_config.stop_sequences' (TYPE_STRING), ${JSON.stringify(config.stopSequences)}`, "generation_config.stop_sequences");
  }
  if (config.candidateCount !== undefined && (config.candidateCount < 1 || config.candidateCount > 8)) {
    return googleInvalid("* GenerateContentRequest.generation_config.candidate_count: must be in the range [1, 8].\n");
  }
  if (config.thinkingConfig !== undefined) {
    if (!isObject(config.thinkingConfig)) return googleParseError("Invalid value at 'generation_config.thinking_config'", "generation_config.thinking_config");
    const unknownThinking = unknownField(config.thinkingConfig, GEMINI_THINKING_FIELDS, "generation_config.thinking_config");
    if (unknownThinking) return unknownThinking;
  }
  return null;
}

function validateContents(contents) {
  const where = (i, rest = "") => `* GenerateContentRequest.contents[${i}]${rest}`;
  for (const [i, c] of contents.entries()) {
    if (!isObject(c)) return googleParseError(`Invalid value at 'contents[${i}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), ${JSON.stringify(c)}`, `contents[${i}]`);
    const unknown = unknownField(c, ["role", "parts"], `contents[${i}]`);
    if (unknown) return unknown;
    // Role is optional (a lone turn without one is the user's); set, it must be user or model.
    if (c.role !== undefined && c.role !== "user" && c.role !== "model") return googleInvalid("Please use a valid role: user, model.");
    if (!Array.isArray(c.parts) || c.parts.length === 0) return googleInvalid(`${where(i, ".parts")}: contents.parts must not be empty.\n`);
    for (const [j, p] of c.parts.entries()) {
      const at = `contents[${i}].parts[${j}]`;
      if (!isObject(p)) return googleParseError(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part), ${JSON.stringify(p)}`, at);
      const unknownPart = unknownField(p, GEMINI_PART_FIELDS, at);
      if (unknownPart) return unknownPart;
      const data = GEMINI_PART_DATA.filter((k) => p[k] !== undefined);
      if (data.length === 0) return googleInvalid(`${where(i, `.parts[${j}].data`)}: required oneof field 'data' must have one initialized field\n`);
      if (data.length > 1) return googleParseError(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${data[1]}'`, at);
      if (p.text !== undefined && typeof p.text !== "string") return googleParseError(`Invalid value at '${at}.text' (TYPE_STRING), ${JSON.stringify(p.text)}`, `${at}.text`);
      for (const kind of ["functionCall", "functionResponse"]) {
        if (p[kind] !== undefined && (!isObject(p[kind]) || typeof p[kind].name !== "string" || p[kind].name === "")) {
          return googleInvalid(`${where(i, `.parts[${j}].${snakeCase(kind)}.name`)}: Name cannot be empty.\n`);
        }
      }
    }
  }
  // Function calls follow a user turn; function responses answer, all in one turn and by
  // name, the calls of the model turn immediately before them.
  const calls = (c) => (c?.role === "model" ? c.parts.filter((p) => p.functionCall).map((p) => p.functionCall.name) : []);
  for (const [i, c] of contents.entries()) {
    if (c.role === "model" && calls(c).length && (i === 0 || contents[i - 1].role === "model")) {
      return googleInvalid("Please ensure that function call turn comes immediately after a user turn or after a function response turn.");
    }
    const responses = c.role === "model" ? [] : c.parts.map((p, j) => ({ j, name: p.functionResponse?.name })).filter((r) => r.name !== undefined);
    if (responses.length === 0) continue;
    const names = calls(contents[i - 1]);
    if (names.length === 0) return googleInvalid("Please ensure that function response turn comes immediately after a function call turn.");
    const stray = responses.find((r) => !names.includes(r.name));
    if (stray) {
      return googleInvalid(`${where(i, `.parts[${stray.j}].function_response.name`)}: function response name ${JSON.stringify(stray.name)} does not match any function call name of the preceding model turn (${names.join(", ")}).\n`);
    }
    if (responses.length !== names.length) {
      return googleInvalid("Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.");
    }
  }
  return null;
}

/** The checks the real API makes. Returns { status, body } or null. */
function validateGemini(req, parsed, ctx) {
  const { model, method, query } = ctx.gemini;
  // Google takes the key from the header or `?key=`; the client must use the header.
  const key = String(req.headers["x-goog-api-key"] ?? query.key ?? "").trim();
  if (!key) return { status: 403, body: googleError(403, "PERMISSION_DENIED", GEMINI_NO_KEY) };
  if (key.startsWith("sk-bad")) {
    return {
      status: 400,
      body: googleError(400, "INVALID_ARGUMENT", GEMINI_BAD_KEY, [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
        { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: GEMINI_BAD_KEY },
        { "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: `Invalid API key: ${key}` },
      ]),
    };
  }
  const body = parsed.json;
  if (!parsed.ok && body !== null) return googleParseError(`Invalid JSON payload received. Unexpected token.\n${String(body).slice(0, 40)}\n^`);
  if (body !== null && !isObject(body)) return googleParseError('Invalid JSON payload received. Unknown name "": Root element must be a message.');
  const request = body ?? {};
  const unknown = unknownField(request, GEMINI_REQUEST_FIELDS, "");
  if (unknown) return unknown;
  if (request.contents !== undefined && !Array.isArray(request.contents)) {
    return googleParseError(`Invalid value at 'contents' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), ${JSON.stringify(request.contents)}`, "contents");
  }
  const badConfig = validateGenerationConfig(request.generationConfig);
  if (badConfig) return badConfig;
  const mode = request.toolConfig?.functionCallingConfig?.mode;
  if (mode !== undefined && !GEMINI_MODES.includes(mode)) {
    const where = "tool_config.function_calling_config.mode";
    return googleParseError(`Invalid value at '${where}' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(mode)}`, where);
  }
  if (!Array.isArray(request.contents) || request.contents.length === 0) return googleInvalid("* GenerateContentRequest.contents: contents is not specified\n");
  const badContents = validateContents(request.contents);
  if (badContents) return badContents;
  const system = request.systemInstruction;
  if (system !== undefined && (!isObject(system) || !Array.isArray(system.parts) || system.parts.some((p) => !isObject(p) || typeof p.text !== "string"))) {
    return googleInvalid("* GenerateContentRequest.system_instruction: system_instruction must be a Content whose parts are text parts.\n");
  }
  if (model === "no-such-model") return { status: 404, body: geminiNotFound(model, method) };
  return null;
}

function geminiText(parts) {
  return (Array.isArray(parts) ? parts : [])
    .filter((p) => typeof p?.text === "string" && p.thought !== true)
    .map((p) => p.text)
    .join(" ");
}

/** Normalises contents to { role, text }: a turn holding functionResponse parts becomes a `tool` turn. */
function geminiConversation(body) {
  return body.contents.map((c) => {
    const response = c.parts.find((p) => p.functionResponse)?.functionResponse;
    if (c.role !== "model" && response) return { role: "tool", text: JSON.stringify(response.response ?? {}) };
    return { role: c.role === "model" ? "assistant" : "user", text: geminiText(c.parts) };
  });
}

/** Candidate parts (each with its stream `pieces`), finish reason and usage, shared by JSON and SSE. */
function geminiOutcome(body, controls) {
  const config = body.generationConfig ?? {};
  const messages = geminiConversation(body);
  const system = geminiText(body.systemInstruction?.parts);
  const promptTokens =
    Math.max(1, wordCount(system) + messages.reduce((sum, m) => sum + wordCount(m.text), 0)) + (body.cachedContent ? GEMINI_CACHED_TOKENS : 0);
  const base = { promptTokens, cached: body.cachedContent ? GEMINI_CACHED_TOKENS : 0, n: config.candidateCount ?? 1 };
  const lastUser = messages.findLast((m) => m.role === "user")?.text ?? "";
  if (/forbidden/i.test(lastUser)) return { ...base, blocked: true };
  if (/unsafe/i.test(lastUser)) return { ...base, parts: [], finishReason: "SAFETY", thoughts: 0 };

  const calling = body.toolConfig?.functionCallingConfig ?? {};
  const declared = (Array.isArray(body.tools) ? body.tools : [])
    .flatMap((t) => (Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []))
    .map((d) => d?.name)
    .filter((n) => typeof n === "string");
  const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames.filter((n) => typeof n === "string") : [];
  const anyName = calling.mode === "ANY" ? (allowed[0] ?? declared[0]) : undefined;
  const jsonMode = config.responseMimeType === "application/json";
  const weather = messages.at(-1)?.role === "user" && /\bweather\b/i.test(messages.at(-1).text);
  const plan = planAnswer({
    messages,
    toolNames: anyName ? [anyName] : declared,
    jsonMode,
    repeat: controls.repeat,
    // Mode ANY must call a function: without "weather" it echoes, like Anthropic's forced tool.
    forcedTool: anyName && declared.length && !weather ? anyName : null,
    toolsAllowed: calling.mode !== "NONE",
    prefix: !jsonMode && /pirate/i.test(system) ? "Arr! " : "",
  });

  const thinking = config.thinkingConfig?.includeThoughts === true;
  const parts = thinking ? [{ part: { text: GEMINI_THOUGHT, thought: true }, pieces: piecesOf(GEMINI_THOUGHT), thought: true }] : [];
  let finishReason = "STOP";
  if (plan.kind === "tool_call") {
    const call = { functionCall: { name: plan.name, args: plan.input } };
    if (thinking) call.thoughtSignature = GEMINI_THOUGHT_SIGNATURE;
    parts.push({ part: call, pieces: [null], whole: true, tokens: 1 });
  } else {
    let text = plan.text;
    const stop = firstStop(text, config.stopSequences);
    if (stop) text = text.slice(0, stop.at);
    let pieces = piecesOf(text);
    if (Number.isInteger(config.maxOutputTokens) && config.maxOutputTokens < pieces.length) {
      pieces = pieces.slice(0, config.maxOutputTokens);
      finishReason = "MAX_TOKENS";
    }
    parts.push({ part: { text: pieces.join("") }, pieces: pieces.length ? pieces : [""], tokens: pieces.length });
  }
  const outputPieces = parts.filter((p) => !p.thought).reduce((sum, p) => sum + p.tokens, 0);
  return { ...base, parts, finishReason, candidatesTokens: outputPieces * base.n, thoughts: thinking ? GEMINI_THOUGHT_TOKENS : 0 };
}

function geminiUsage(out, { final = true } = {}) {
  const candidates = final ? (out.candidatesTokens ?? 0) : 0;
  const usage = { promptTokenCount: out.promptTokens };
  if (candidates) usage.candidatesTokenCount = candidates; // zero values are omitted, as proto3 JSON does
  usage.totalTokenCount = out.promptTokens + candidates + (final ? out.thoughts : 0);
  if (out.cached) usage.cachedContentTokenCount = out.cached;
  usage.promptTokensDetails = [{ modality: "TEXT", tokenCount: out.promptTokens }];
  if (final && out.thoughts) usage.thoughtsTokenCount = out.thoughts;
  return usage;
}

/** A response (or stream fragment) whose candidates all hold `parts` (or none: a SAFETY stop). */
function geminiResponse(ctx, out, parts, finishReason, final) {
  const candidates = Array.from({ length: out.n }, (_, index) => ({
    ...(parts.length ? { content: { parts, role: "model" } } : {}),
    ...(finishReason ? { finishReason } : {}),
    ...(finishReason === "SAFETY" ? { safetyRatings: GEMINI_UNSAFE_RATINGS } : {}),
    index,
  }));
  return { candidates, usageMetadata: geminiUsage(out, { final }), modelVersion: ctx.gemini.model, responseId: `emu-${ctx.n}` };
}

function geminiAnswer(ctx, body, controls) {
  const out = geminiOutcome(body, controls);
  if (out.blocked) return GEMINI_PROMPT_BLOCKED;
  return geminiResponse(ctx, out, out.parts.map((p) => p.part), out.finishReason, true);
}

/** The stream's fragments: one per piece (a function call whole); the last carries finishReason and full usage. */
function geminiFragments(ctx, out) {
  if (out.blocked) return [GEMINI_PROMPT_BLOCKED];
  if (out.parts.length === 0) return [geminiResponse(ctx, out, [], out.finishReason, true)];
  const steps = out.parts.flatMap((p) => (p.whole ? [p.part] : p.pieces.map((piece) => ({ ...p.part, text: piece }))));
  return steps.map((part, i) => {
    const final = i === steps.length - 1;
    return geminiResponse(ctx, out, [part], final ? out.finishReason : null, final);
  });
}

/** JSON the way Google's SSE writes it: a space after each colon, none after commas. */
function googleSseJson(value) {
  if (Array.isArray(value)) return `[${value.map(googleSseJson).join(",")}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${googleSseJson(v)}`).join(",")}}`;
  return JSON.stringify(value);
}

function geminiStream(ctx, body, controls) {
  const fragments = geminiFragments(ctx, geminiOutcome(body, controls));
  // The last fragment (the one with finishReason) is what `no-done` drops: Gemini has no end marker.
  if (ctx.gemini.sse) {
    const events = fragments.map((f) => `data: ${googleSseJson(f)}\r\n\r\n`);
    return { events: events.slice(0, -1), terminator: events.at(-1), contentType: "text/event-stream" };
  }
  // Without alt=sse: one JSON array, streamed element by element.
  const open = (i) => (i === 0 ? "[" : ",\r\n");
  const events = fragments.map((f, i) => open(i) + JSON.stringify(f, null, 2));
  return {
    events: events.slice(0, -1),
    terminator: events.at(-1),
    contentType: "application/json; charset=UTF-8",
    epilogue: (sent) => (sent === 0 ? "[]" : "\r\n]"),
    malformedEvent: (i) => open(i) + GEMINI_MALFORMED,
    errorEvent: (i) => `${open(i)}${JSON.stringify(GEMINI_ERROR_EVENT, null, 2)}\r\n]`,
  };
}

const GEMINI_FORMAT = {
  validate: validateGemini,
  modelOf: (ctx) => ctx.gemini.model,
  isStreaming: (ctx) => ctx.gemini.method === "streamGenerateContent",
  emulatorError: (ctx, message) => googleError(400, "INVALID_ARGUMENT", message, [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "EMULATOR_ERROR", domain: "onellm.emulator" }]),
  statusError: (ctx) => geminiStatusError(ctx),
  faultBodies: {
    malformedEvent: `data: ${GEMINI_MALFORMED}\r\n\r\n`,
    malformedBody: GEMINI_MALFORMED,
    errorEvent: `data: ${JSON.stringify(GEMINI_ERROR_EVENT)}\r\n\r\n`,
    errorBody: GEMINI_ERROR_EVENT,
  },
  answer: geminiAnswer,
  stream: geminiStream,
};

function handleGemini(req, res, ctx, state, [rawModel, method]) {
  let model = rawModel;
  try {
    model = decodeURIComponent(rawModel);
  } catch {}
  const { query } = splitTarget(req.url);
  ctx.gemini = { model, method, query, sse: query.alt === "sse" };
  ctx.timingHeader = null;
  ctx.jsonIndent = 2; // Google pretty-prints its JSON bodies
  ctx.jsonContentType = "application/json; charset=UTF-8";
  return serveChat(req, res, ctx, state, GEMINI_FORMAT);
}

// ---------------------------------------------------------------------------------------
// Format: Cohere v2 chat  (POST /cohere/v2/chat)
// Shapes from the recorded fixtures (shared/fixtures/cohere, vercel/ai's cohere-*.json and
// *.chunks.txt); mid-stream errors as cohere-python's ChatMessageEndEventDelta describes them
// (`message-end` with `finish_reason: "ERROR"` and `delta.error`).
// ---------------------------------------------------------------------------------------

const COHERE_ROLES = ["system", "user", "assistant", "tool"];
const COHERE_TEMPLATE_TOKENS = 8; // `usage.tokens.input_tokens` counts the prompt template too; billed_units doesn't
const COHERE_TOOL_CALL_ID = "weather_emu1";
const COHERE_MODEL_REQUIRED = "a model parameter is required for this endpoint.";
const COHERE_INTERNAL = "internal server error";

/** Cohere ids are UUIDs; the emulator's are fixed but for the request number. */
function cohereId(ctx) {
  return `c0e0e000-0000-4000-8000-${String(ctx.n).padStart(12, "0")}`;
}

function cohereError(ctx, message) {
  return { id: cohereId(ctx), message };
}

/** Cohere's bodies for an injected `status=<code>` fault. */
function cohereStatusError(ctx, model) {
  return (status) => {
    const error = (message) => ({ body: cohereError(ctx, message) });
    switch (status) {
      case 400:
        return error("too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292. Try using a shorter prompt, or enabling prompt truncating. See https://docs.cohere.com/reference/generate for more details.");
      case 401:
        return error("invalid api token");
      case 402:
        return error("Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue");
      case 404:
        return error(`model '${model}' not found, make sure the correct model ID was used and that you have access to the model.`);
      case 429:
        return error("You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions");
      case 499:
        return error("request cancelled");
      case 500:
        return error(COHERE_INTERNAL);
      case 503:
        return error("service unavailable");
      default:
        return error(status >= 500 ? COHERE_INTERNAL : `Emulated HTTP ${status} error.`);
    }
  };
}

/** A content list or string is "empty" when it holds no text at all. */
function cohereIsEmpty(content) {
  return content === "" || (Array.isArray(content) && content.length === 0);
}

/** The checks the real API makes, in its order. Returns { status, body } or null. */
function validateCohere(req, parsed, ctx) {
  const fail = (status, message) => ({ status, body: cohereError(ctx, message) });
  const invalid = (message) => fail(400, `invalid request: ${message}`);

  const key = /^Bearer\s+(.*)$/i.exec(String(req.headers.authorization ?? ""))?.[1]?.trim();
  if (!key) return fail(401, "no api key supplied");
  if (key.startsWith("sk-bad")) return fail(401, "invalid api token");

  const body = parsed.json;
  if (!parsed.ok || !isObject(body)) return invalid("the request body must be a valid JSON object.");
  if (typeof body.model !== "string" || body.model === "") return fail(400, COHERE_MODEL_REQUIRED);
  if (body.messages === undefined) return invalid("messages is a required field.");
  if (!Array.isArray(body.messages)) return invalid("messages must be a list of messages.");
  if (body.messages.length === 0) return invalid("messages must not be empty.");

  const callIds = new Set(); // tool call ids of the assistant messages seen so far
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m)) return invalid(`messages[${i}] must be an object.`);
    if (!COHERE_ROLES.includes(m.role)) {
      return invalid(`invalid role '${m.role}' in messages at index ${i}. Role must be one of the following: system, user, assistant, tool`);
    }
    const content = m.content;
    if (content !== undefined && typeof content !== "string" && !Array.isArray(content)) {
      return invalid(`messages[${i}].content must be a string or a list of content items.`);
    }
    if (m.role === "user" || m.role === "system") {
      if (content === undefined || cohereIsEmpty(content)) return fail(400, "message must not be empty in a turn");
    } else if (m.role === "assistant") {
      if (m.tool_calls !== undefined && !Array.isArray(m.tool_calls)) return invalid(`messages[${i}].tool_calls must be a list.`);
      for (const call of m.tool_calls ?? []) if (typeof call?.id === "string") callIds.add(call.id);
      if ((m.tool_calls ?? []).length === 0 && (content === undefined || cohereIsEmpty(content))) {
        return fail(400, "message must not be empty in a turn");
      }
    } else {
      if (typeof m.tool_call_id !== "string" || m.tool_call_id === "") return invalid(`messages[${i}].tool_call_id is required for tool messages.`);
      if (!callIds.has(m.tool_call_id)) {
        return invalid(`tool message at index ${i} has tool_call_id '${m.tool_call_id}', which does not match any tool call of a preceding assistant message.`);
      }
      if (content === undefined || cohereIsEmpty(content)) return fail(400, "message must not be empty in a turn");
    }
  }
  if (body.model === "no-such-model") {
    return fail(404, `model '${body.model}' not found, make sure the correct model ID was used and that you have access to the model.`);
  }
  return null;
}

/** A tool message's content: a string, or text items and documents (their `data` as JSON), joined by a space. */
function cohereToolText(content) {
  if (typeof content === "string") return content;
  return (Array.isArray(content) ? content : [])
    .map((item) => {
      if (item?.type === "document") return JSON.stringify(item.document?.data ?? null);
      if (item?.type === "text" && typeof item.text === "string") return item.text;
      return null;
    })
    .filter((t) => t !== null)
    .join(" ");
}

/** Text and tool-call plan, pieces, finish reason and usage, shared by JSON and SSE. */
function cohereOutcome(body, controls) {
  const turns = body.messages.map((m) => ({ role: m.role, text: m.role === "tool" ? cohereToolText(m.content) : blocksText(m.content) }));
  const system = turns.filter((t) => t.role === "system").map((t) => t.text).join(" ");
  const toolNames = (Array.isArray(body.tools) ? body.tools : []).map((t) => t?.function?.name).filter((n) => typeof n === "string");
  const jsonMode = body.response_format?.type === "json_object";
  const plan = planAnswer({
    messages: turns.filter((t) => t.role !== "system"),
    toolNames,
    jsonMode,
    repeat: controls.repeat,
    // REQUIRED must call a tool: without "weather" it echoes, like Gemini's mode ANY.
    forcedTool: body.tool_choice === "REQUIRED" && toolNames.length && !/\bweather\b/i.test(turns.at(-1)?.text ?? "") ? toolNames[0] : null,
    toolsAllowed: body.tool_choice !== "NONE",
    toolCallId: COHERE_TOOL_CALL_ID,
    prefix: !jsonMode && /pirate/i.test(system) ? "Arr! " : "",
  });
  const inputTokens = Math.max(1, turns.reduce((sum, t) => sum + wordCount(t.text), 0));
  const usage = (outputTokens) => ({
    billed_units: { input_tokens: inputTokens, output_tokens: outputTokens },
    tokens: { input_tokens: inputTokens + COHERE_TEMPLATE_TOKENS, output_tokens: outputTokens },
    cached_tokens: 0,
  });

  if (plan.kind === "tool_call") {
    const toolPlan = plan.input.city ? `I will use ${plan.name} to look up the weather in ${plan.input.city}.` : `I will use ${plan.name}.`;
    const planPieces = piecesOf(toolPlan);
    const argPieces = splitEvenly(plan.arguments, 3);
    return { plan, toolPlan, planPieces, argPieces, finishReason: "TOOL_CALL", usage: usage(planPieces.length + argPieces.length) };
  }
  let text = plan.text;
  let finishReason = "COMPLETE";
  const stop = firstStop(text, body.stop_sequences);
  if (stop) {
    text = text.slice(0, stop.at);
    finishReason = "STOP_SEQUENCE";
  }
  let pieces = piecesOf(text);
  if (Number.isInteger(body.max_tokens) && body.max_tokens >= 0 && body.max_tokens < pieces.length) {
    pieces = pieces.slice(0, body.max_tokens);
    finishReason = "MAX_TOKENS";
  }
  return { plan, pieces, finishReason, usage: usage(pieces.length) };
}

function cohereToolCall(out, args) {
  return { id: out.plan.id, type: "function", function: { name: out.plan.name, arguments: args } };
}

function cohereResponse(ctx, out) {
  const message =
    out.plan.kind === "tool_call"
      ? { role: "assistant", tool_plan: out.toolPlan, tool_calls: [cohereToolCall(out, out.plan.arguments)] }
      : { role: "assistant", content: [{ type: "text", text: out.pieces.join("") }] };
  return { id: cohereId(ctx), message, finish_reason: out.finishReason, usage: out.usage };
}

/** One SSE event: `event: <type>` then the payload, whose `type` is the same name. */
function cohereEvent(value) {
  return `event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`;
}

function cohereStream(ctx, body, controls) {
  const out = cohereOutcome(body, controls);
  const values = [
    { id: cohereId(ctx), type: "message-start", delta: { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] } } },
  ];
  if (out.plan.kind === "tool_call") {
    for (const piece of out.planPieces) values.push({ type: "tool-plan-delta", delta: { message: { tool_plan: piece } } });
    values.push({ type: "tool-call-start", index: 0, delta: { message: { tool_calls: cohereToolCall(out, "") } } });
    for (const piece of out.argPieces) {
      values.push({ type: "tool-call-delta", index: 0, delta: { message: { tool_calls: { function: { arguments: piece } } } } });
    }
    values.push({ type: "tool-call-end", index: 0 });
  } else {
    values.push({ type: "content-start", index: 0, delta: { message: { content: { type: "text", text: "" } } } });
    for (const piece of out.pieces) values.push({ type: "content-delta", index: 0, delta: { message: { content: { text: piece } } } });
    values.push({ type: "content-end", index: 0 });
  }
  // message-end is Cohere's end marker: what `no-done` drops.
  return {
    events: values.map(cohereEvent),
    terminator: cohereEvent({ type: "message-end", delta: { finish_reason: out.finishReason, usage: out.usage } }),
  };
}

const COHERE_STREAM_ERROR = { type: "message-end", delta: { error: COHERE_INTERNAL, finish_reason: "ERROR" } };

const COHERE_FORMAT = {
  validate: validateCohere,
  emulatorError: (ctx, message) => cohereError(ctx, message),
  statusError: (ctx, body) => cohereStatusError(ctx, body.model),
  answer: (ctx, body, controls) => cohereResponse(ctx, cohereOutcome(body, controls)),
  stream: cohereStream,
};

function handleCohereChat(req, res, ctx, state) {
  ctx.timingHeader = "x-envoy-upstream-service-time"; // Cohere's timing header
  ctx.internalError = (message) => cohereError(ctx, message);
  const format = {
    ...COHERE_FORMAT,
    faultBodies: {
      malformedEvent: 'event: content-delta\ndata: {"type":"content-delta", not json\n\n',
      malformedBody: `{"id":"${cohereId(ctx)}", not json`,
      errorEvent: cohereEvent(COHERE_STREAM_ERROR),
      errorBody: cohereError(ctx, COHERE_INTERNAL),
    },
  };
  return serveChat(req, res, ctx, state, format);
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
// Router. One handler per provider format; to add one, write a format object for
// serveChat (validate/answer/stream/errors, reusing planAnswer) and add a row here, e.g.
//   ["POST", /^\/mistral\/v1\/chat\/completions$/, handleMistralChat]
// Regex groups arrive as `params`.
// ---------------------------------------------------------------------------------------

const ROUTES = [
  ["GET", /^\/health$/, handleHealth],
  ["GET", /^\/__requests$/, handleListRequests],
  ["DELETE", /^\/__requests$/, handleClearRequests],
  ["DELETE", /^\/__faults$/, handleResetFaults],
  ["POST", /^\/openai\/v1\/chat\/completions$/, handleOpenAIChat],
  ["POST", /^\/anthropic\/v1\/messages$/, handleAnthropicMessages],
  ["POST", /^\/gemini\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/, handleGemini],
  ["POST", /^\/cohere\/v2\/chat$/, handleCohereChat],
  ["POST", /^\/azure\/openai\/deployments\/([^/]+)\/chat\/completions$/, handleAzureChat],
];

function findRoute(method, path) {
  for (const [m, pattern, handler] of ROUTES) {
    const match = m === method && pattern.exec(path);
    if (match) return { handler, params: match.slice(1) };
  }
  return null;
}

async function handle(req, res, state) {
  const ctx = {
    n: ++state.counter,
    started: performance.now(),
    closed: false,
    parsed: { json: null, ok: false },
    timingHeader: "openai-processing-ms",
  };
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
    if (!route && path.startsWith("/anthropic/")) {
      res.setHeader("request-id", anthropicRequestId(ctx));
      return sendJson(res, ctx, 404, anthropicError(ctx, "not_found_error", "Not Found"));
    }
    if (!route && path.startsWith("/gemini/")) {
      ctx.jsonIndent = 2;
      return sendJson(res, ctx, 404, googleError(404, "NOT_FOUND", `Method not found: ${req.method} ${path}`));
    }
    if (!route && path.startsWith("/cohere/")) return sendJson(res, ctx, 404, cohereError(ctx, "Not Found"));
    if (!route && path.startsWith("/azure/")) return sendJson(res, ctx, 404, azureError("404", "Resource not found"));
    if (!route) return sendJson(res, ctx, 404, openaiError(`Invalid URL (${req.method} ${path})`));
    await route.handler(req, res, ctx, state, route.params);
  } catch (err) {
    // Never crash the process on odd input: answer 500 if we still can, else drop the socket.
    if (!res.headersSent && !ctx.closed) {
      const message = `Emulator internal error: ${err?.message ?? err}`;
      const body = ctx.internalError ? ctx.internalError(message) : ctx.gemini ? googleError(500, "INTERNAL", message) : openaiError(message, "server_error");
      sendJson(res, ctx, 500, body);
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
