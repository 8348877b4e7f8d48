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
// See README.md beside this file for the full interface. This file holds the HTTP server,
// the router and the CLI; the shared helpers and the formats (formats/*.mjs) live beside it.

import http from "node:http";
import { pathToFileURL } from "node:url";
import { anthropicError, anthropicRequestId, handleAnthropicMessages } from "./formats/anthropic.mjs";
import { azureError, handleAzureChat } from "./formats/azure.mjs";
import { cohereError, handleCohereChat } from "./formats/cohere.mjs";
import { googleError, handleGemini } from "./formats/gemini.mjs";
import { handleOpenAIChat, openaiError } from "./formats/openai.mjs";
import { handleDeepSeekChat, handleGroqChat, handleMistralChat } from "./formats/compatible.mjs";
import { CORS_HEADERS, parseJson, readBody, rememberRequest, sendJson, splitTarget } from "./http.mjs";

// ---------------------------------------------------------------------------------------
// Per-instance state (each startEmulator() gets its own, so parallel tests don't interfere)
// ---------------------------------------------------------------------------------------

function createState({ delayMs = 0 } = {}) {
  return {
    delayMs, // default pace of streams, for the demo; the header overrides it
    counter: 0, // numbers x-request-id and chatcmpl ids
    requests: [], // last REQUEST_LOG_LIMIT (http.mjs) requests, newest last
    faultCounts: new Map(), // `times=k;key=id` bookkeeping: key -> requests seen
  };
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
// Router. One handler per provider format; to add one, write formats/<name>.mjs with a format
// object for serveChat (chat.mjs: validate/answer/stream/errors, reusing planAnswer from
// answers.mjs), import its handler and add a row here, e.g.
//   ["POST", /^\/mistral\/v1\/chat\/completions$/, handleMistralChat]
//   ["POST", /^\/groq\/openai\/v1\/chat\/completions$/, handleGroqChat]
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
  ["POST", /^\/mistral\/v1\/chat\/completions$/, handleMistralChat],
  ["POST", /^\/deepseek\/chat\/completions$/, handleDeepSeekChat],
  ["POST", /^\/groq\/openai\/v1\/chat\/completions$/, handleGroqChat],
  ["POST", /^\/hostile\/lying-length\//, handleLyingLength],
];

/**
 * A server that lies: it announces a Content-Length of 4096 bytes, sends the start of
 * an answer, and closes the connection (what a crashed proxy does). Written on the
 * raw socket, since Node's own response refuses a body shorter than its length. Any
 * provider's path under it: a cut is a cut in every wire format.
 */
function handleLyingLength(req, res, ctx) {
  const stream = ctx.parsed.json?.stream === true || /:streamGenerateContent/.test(req.url);
  // An OpenAI stream gets its first chunk; the other formats a comment, which each reads.
  const start = stream
    ? (/\/chat\/completions$/.test(req.url)
      ? 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n'
      : ": the start of an answer\n\n")
    : '{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hel';
  const head = [
    "HTTP/1.1 200 OK",
    `content-type: ${stream ? "text/event-stream" : "application/json"}`,
    "content-length: 4096",
    ...Object.entries(CORS_HEADERS).map(([k, v]) => `${k}: ${v}`),
    "connection: close",
  ].join("\r\n");
  res.socket.end(`${head}\r\n\r\n${start}`);
}

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
      const entry = { method: req.method, path, query, headers: { ...req.headers }, body: ctx.parsed.json };
      rememberRequest(state, entry);
      // A client that hangs up before the answer ends (an abort reaching the provider).
      res.on("close", () => {
        if (!res.writableFinished) entry.cancelled = true;
      });
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
