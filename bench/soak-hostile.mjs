// The soak's hostile mix: one request in five answered by a hostile server (an answer
// cut short, a corrupt byte, a million levels of nesting, a flood of empty chunks, a key
// echoed in an error), the others by the emulator, all through one client. A hostile
// answer must end in an APIError that shows no key (a corrupt byte inside a string may
// also read as U+FFFD), a healthy one must answer in full, and nothing may escape as an
// uncaught exception or an unhandled rejection.

const KEY = "sk-soak-secret-0123456789abcdef";
const chunk = (content, finish_reason = null) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1,
  model: "m", choices: [{ index: 0, delta: content === null ? {} : { content }, logprobs: null, finish_reason }] })}\n\n`;
const STREAM = chunk("Hel") + chunk("lo, café ☕") + chunk(null, "stop") + "data: [DONE]\n\n";
const ERROR = JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.`, type: "invalid_request_error", code: "invalid_api_key" } });

// A small deterministic generator, so that a run can be repeated exactly.
function random(seed) {
  let s = seed >>> 0;
  return (n) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s % n; };
}

/** The hostile answers, by kind: each makes a `Response` from a random number source. */
const KINDS = {
  cut: (r) => sseResponse(new TextEncoder().encode(STREAM).subarray(0, r(STREAM.length))),
  corrupt: (r) => { const b = new TextEncoder().encode(STREAM); b[r(b.length)] = 0xff; return sseResponse(b); },
  deep: () => new Response("[".repeat(1e6), { headers: { "content-type": "application/json" } }),
  flood: () => sseResponse(new TextEncoder().encode(chunk("").repeat(20_000))),
  echo: () => new Response(ERROR, { status: 401, headers: { "content-type": "application/json", "x-echo": KEY } }),
};
const sseResponse = (bytes) => new Response(bytes, { headers: { "content-type": "text/event-stream" } });

// What a corrupt byte may leave of the answer: all of it, U+FFFD in it, or (a byte in a
// field name makes a line the event-stream rules ignore) all of it but one chunk.
const DELTAS = ["Hel", "lo, café ☕"];
const acceptable = (text) => text === DELTAS.join("") || text.includes("\ufffd") || DELTAS.some((d) => text === DELTAS.join("").replace(d, ""));

export async function hostileMix({ OpenAI, APIError }, emulatorUrl, requests) {
  const r = random(17);
  let hostileNext = null;
  const fetch = (url, init) => (hostileNext ? Promise.resolve(KINDS[hostileNext](r)) : globalThis.fetch(url, init));
  const client = new OpenAI({ apiKey: KEY, baseURL: `${emulatorUrl}/openai/v1`, maxRetries: 0, idleTimeout: 500, fetch });
  const messages = [{ role: "user", content: "soak" }];
  let crashes = 0, wrong = 0, leaks = 0, lost = 0;
  const onCrash = () => { crashes++; };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  const kinds = Object.keys(KINDS);
  const t0 = performance.now();
  try {
    for (let i = 0; i < requests; i++) {
      hostileNext = i % 5 === 0 ? kinds[(i / 5) % kinds.length] : null;
      const hostile = hostileNext !== null;
      try {
        const stream = await client.chat.completions.create({ model: "openai/m", messages, stream: true });
        let text = "";
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
        if (!hostile && text !== "Echo: soak") lost++;
        if (hostile && !(hostileNext === "corrupt" && acceptable(text))) wrong++;
      } catch (e) {
        if (!hostile) lost++;
        else if (!(e instanceof APIError)) crashes++;
        const shown = `${e?.message}\n${String(e)}\n${JSON.stringify(e)}\n${e?.stack}\n${[...(e?.headers ?? [])].join()}`;
        if (shown.includes(KEY.slice(4, 20))) leaks++;
      }
    }
  } finally {
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
  }
  await new Promise((done) => setTimeout(done, 50));
  return { crashes, wrong, leaks, lost, ms: performance.now() - t0 };
}
