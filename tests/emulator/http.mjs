// onellm provider emulator: HTTP plumbing — reading requests, sending bodies with exact lengths,
// CORS, pacing with backpressure, and the request log. Format-agnostic.

export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  // Per the Fetch spec a bare `*` never covers `Authorization`, so Chromium would reject a
  // preflight for a Bearer request; listing it explicitly next to `*` fixes that.
  "access-control-allow-headers": "*, authorization",
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-expose-headers": "*",
};

const REQUEST_LOG_LIMIT = 50;

export function rememberRequest(state, entry) {
  state.requests.push(entry);
  if (state.requests.length > REQUEST_LOG_LIMIT) state.requests.shift();
}

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Returns { json, ok }: ok=false when the text is not JSON (json is then the raw text). */
export function parseJson(text) {
  if (text === "") return { json: null, ok: false };
  try {
    return { json: JSON.parse(text), ok: true };
  } catch {
    return { json: text, ok: false };
  }
}

export function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Splits a raw request target without `new URL` (which misreads targets such as `//x`). */
export function splitTarget(target = "/") {
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? "" : target.slice(q + 1);
  return { path, query: Object.fromEntries(new URLSearchParams(query)) };
}

/** The provider's timing header (`openai-processing-ms` by default; formats may set ctx.timingHeader = null). */
export function processingHeaders(ctx) {
  if (!ctx.timingHeader) return {};
  return { [ctx.timingHeader]: String(Math.max(1, Math.round(performance.now() - ctx.started))) };
}

/** Sends a complete body with an exact content-length. */
export function sendBody(res, ctx, status, text, contentType, headers = {}) {
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
export function sendJson(res, ctx, status, value, headers = {}) {
  sendBody(res, ctx, status, JSON.stringify(value, null, ctx.jsonIndent), ctx.jsonContentType ?? "application/json", headers);
}

/** Writes one chunk, waiting for 'drain' so long streams respect backpressure. */
export function write(res, ctx, chunk) {
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
export function pause(ms, res, ctx) {
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
