// onellm provider emulator: faults — the x-emulator-* controls, fault parsing and
// `times=`/`key=` bookkeeping, and the faults that replace or corrupt a non-streamed answer
// (streams apply theirs in streaming.mjs). Formats pass their own error bodies.

import { processingHeaders, sendBody, sendJson } from "./http.mjs";

const NGINX_502 =
  "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

// Faults that replace the whole response vs. those that corrupt an otherwise normal answer.
const IMMEDIATE_FAULTS = new Set(["status", "html502", "hang"]);
const BODY_FAULTS = new Set(["cut", "malformed", "no-done", "error-event", "stall", "trickle"]);

// The broken event a `malformed` fault injects and the error event `error-event` injects
// (OpenAI's; other formats pass their own to sendAnswer/streamEvents).
export const MALFORMED_EVENT = 'data: {"id":"chatcmpl-broken", not json\n\n';
const SERVER_ERROR_BODY = {
  error: {
    message: "The server had an error while processing your request.",
    type: "server_error",
    param: null,
    code: null,
  },
};
export const OPENAI_FAULT_BODIES = {
  malformedEvent: MALFORMED_EVENT,
  malformedBody: MALFORMED_EVENT.slice("data: ".length).trim(),
  errorEvent: `data: ${JSON.stringify(SERVER_ERROR_BODY)}\n\n`,
  errorBody: SERVER_ERROR_BODY,
  // What OpenAI-compatible hosts send to keep a quiet stream open (DeepSeek's and
  // OpenRouter's documented SSE comments).
  keepAlive: ": keep-alive\n\n",
};

// ---------------------------------------------------------------------------------------
// Controls: x-emulator-* headers, or a `fault-…` model name for clients that can't set headers
// ---------------------------------------------------------------------------------------

function intHeader(req, name, fallback, min, max) {
  const raw = req.headers[name];
  if (raw === undefined) return fallback;
  const n = Number.parseInt(String(raw), 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

export function readControls(req, model, state) {
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
export function parseFault(spec) {
  const [head = "", ...rest] = spec.split(";").filter((p) => p.trim() !== "");
  const [kind, value] = splitPair(head);
  if (!IMMEDIATE_FAULTS.has(kind) && !BODY_FAULTS.has(kind)) {
    return {
      error: `Unknown emulator fault \`${spec}\`. Known: status=<code>, html502, hang, cut, malformed, no-done, error-event, stall, trickle.`,
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
  for (const name of ["times", "every", "count"]) {
    if (params[name] !== undefined && !/^\d+$/.test(params[name])) {
      return { error: `Emulator fault \`${spec}\`: ${name} must be a non-negative integer.` };
    }
  }
  return { kind, status, params, spec };
}

/**
 * Applies `times=k;key=id`: the fault hits only the first k requests carrying that key,
 * so a test can script "429 once, then success". Returns the fault or null.
 */
export function takeFault(state, fault) {
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
// Faults that replace or corrupt a whole answer (format-agnostic: formats pass their own bodies)
// ---------------------------------------------------------------------------------------

/**
 * Handles faults that replace the response. `errorFor(status, params)` gives the format's
 * error { body, headers }. Returns true when the fault answered (or deliberately didn't).
 */
export function sendImmediateFault(res, ctx, fault, errorFor) {
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
export function sendAnswer(res, ctx, value, fault, bodies = OPENAI_FAULT_BODIES) {
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
