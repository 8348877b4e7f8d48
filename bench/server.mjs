// The bench server: a local provider that answers as fast as a socket can carry bytes,
// so the clients' own work is what the benchmark times. It runs in its own process
// (startServerProcess), so that its CPU and memory are not counted against the client
// being measured; on a two-core machine server and client each get a core.
//
// Routes, named as each client calls them (the model id picks the stream length):
//   POST …/chat/completions              OpenAI (body `model: "bench-<n>"`, `stream`)
//   POST …/messages                      Anthropic (body `model`, `stream`)
//   POST …/models/bench-<n>:streamGenerateContent?alt=sse   Gemini stream
//   POST …/models/<m>:generateContent    Gemini, not streamed
// Prefixes before those suffixes are free: clients use /openai/v1, /anthropic(/v1) and
// /gemini/v1beta as their base URLs. A non-streamed request gets a small recorded answer.
//
// Stream bodies up to CACHE_MAX chunks are built once per (format, n) and written as
// 64 KiB slices of one Buffer; longer ones (the 1 000 000-chunk memory run) are generated
// block by block as the socket drains, so the server never holds them whole.
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isMain } from "../scripts/lib.mjs";
import { BLOCK, SMALL_ANSWERS, streamBlocks } from "./bodies.mjs";

const CACHE_MAX = 500_000;
const cache = new Map();

function cachedBody(format, n) {
  const key = `${format}:${n}`;
  let body = cache.get(key);
  if (!body) {
    body = Buffer.concat([...streamBlocks(format, n)]);
    cache.set(key, body);
  }
  return body;
}

/** Writes blocks in order, waiting for 'drain' when the socket's buffer is full. */
async function writeBlocks(res, blocks) {
  for (const block of blocks) {
    if (res.destroyed) return;
    if (!res.write(block)) {
      await new Promise((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  res.end();
}

function* slices(buffer) {
  for (let i = 0; i < buffer.length; i += BLOCK) yield buffer.subarray(i, i + BLOCK);
}

function route(path) {
  if (path.endsWith("/chat/completions")) return { format: "openai" };
  if (path.endsWith("/messages")) return { format: "anthropic" };
  const g = path.match(/\/models\/([^/:]+):(streamGenerateContent|generateContent)$/);
  if (g) return { format: "gemini", model: g[1], stream: g[2] === "streamGenerateContent" };
  return null;
}

async function handle(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const url = new URL(req.url, "http://bench");
  const r = req.method === "POST" ? route(url.pathname) : null;
  if (!r) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: `bench server: no route for ${req.method} ${url.pathname}` } }));
    return;
  }
  let { format, model, stream } = r;
  if (format !== "gemini") {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    model = body.model;
    stream = body.stream === true;
  }
  if (!stream) {
    const answer = SMALL_ANSWERS[format];
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
    res.end(answer);
    return;
  }
  const n = Number(/^bench-(\d+)$/.exec(model ?? "")?.[1]);
  if (!Number.isInteger(n) || n < 1) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: `bench server: a streamed model must be bench-<n>, not ${model}` } }));
    return;
  }
  // No content-length: providers stream with chunked transfer encoding, and so do we.
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  await writeBlocks(res, n <= CACHE_MAX ? slices(cachedBody(format, n)) : streamBlocks(format, n));
}

/** Starts the server in this process: `{ url, close }`. */
export function startServer({ port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e?.stack ?? e));
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}`;
      resolve({ url, close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }) });
    });
  });
}

/**
 * Starts the server in a child process and waits for its URL. `warm` lists
 * `format:n` bodies to build before it reports ready, so no timed round pays for that.
 */
export function startServerProcess({ warm = [] } = {}) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...warm], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        resolve({ url: m[1], close: () => child.kill() });
      }
    });
    child.on("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

// CLI: node bench/server.mjs [format:n ...] — prints "bench server listening on URL".
if (isMain(import.meta.url)) {
  for (const spec of process.argv.slice(2)) {
    const [format, n] = spec.split(":");
    if (Number(n) <= CACHE_MAX) cachedBody(format, Number(n));
  }
  const { url } = await startServer();
  console.log(`bench server listening on ${url}`);
}
