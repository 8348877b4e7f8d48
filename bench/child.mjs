// One client in its own process (Node or Deno), driven over stdin/stdout one JSON line
// at a time, so that the orchestrator can interleave rounds of all clients (ABCD ABCD …:
// any drift of the machine hits every client alike) while each keeps its own heap,
// JIT and connection pool, untouched by the SDKs it is compared with.
//
//   node --expose-gc bench/child.mjs <client> <server url>
//   deno run -A --v8-flags=--expose-gc bench/child.mjs <client> <server url>
// Commands:  {"op":"stream","format":"openai","n":50000}   → {"ms":…}
//            {"op":"sequential","count":2000}               → {"ms":…}
//            {"op":"concurrent","count":200}                → {"ms":…}
// Every command checks the text the client read against what the server sent and
// answers {"error":…} on any difference: a client that silently read less is a failure.
import { createInterface } from "node:readline";
import process from "node:process";
import { expectedText, SMALL_TEXT } from "./bodies.mjs";
import { CLIENTS } from "./clients.mjs";

const [name, url] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const client = await CLIENTS[name].make(url);
const expected = new Map();

function check(text, want, what) {
  if (text === want) return;
  let at = 0;
  while (at < want.length && text[at] === want[at]) at++;
  throw new Error(`${name} ${what}: read ${text?.length} characters, expected ${want.length}; first difference at ${at}: ${JSON.stringify(String(text).slice(at, at + 40))}`);
}

const ops = {
  async stream({ format, n }) {
    if (!expected.has(n)) expected.set(n, expectedText(n));
    globalThis.gc?.(); // start every round with the previous round's garbage gone
    const t0 = performance.now();
    const text = await client.stream(format, n);
    const ms = performance.now() - t0;
    check(text, expected.get(n), `${format} stream of ${n}`);
    return { ms };
  },
  async sequential({ count }) {
    globalThis.gc?.();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) check(await client.complete(), SMALL_TEXT, "completion");
    return { ms: performance.now() - t0 };
  },
  async concurrent({ count }) {
    globalThis.gc?.();
    const t0 = performance.now();
    const texts = await Promise.all(Array.from({ length: count }, () => client.complete()));
    const ms = performance.now() - t0;
    for (const t of texts) check(t, SMALL_TEXT, "completion");
    return { ms };
  },
};

console.log(JSON.stringify({ ready: name }));
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line);
  try {
    console.log(JSON.stringify(await ops[cmd.op](cmd)));
  } catch (e) {
    console.log(JSON.stringify({ error: String(e?.stack ?? e).slice(0, 2000) }));
  }
}
process.exit(0);
