// Streams that stall (part of the end-to-end suite, run in every runtime): a stream
// starts at its first content, so a failure right after a role chunk is retried; after
// the start, a stream that sends no byte for `idleTimeout` throws APITimeoutError, while
// one that stays quiet but alive (keep-alives) is never cut; and nothing is left behind:
// no live timer, no unhandled rejection.

import { check, collect, equal, hello, rejects, text } from "./assert.mjs";

/**
 * Counts the timers the package leaves running. Every timer onellm sets goes through
 * `globalThis.setTimeout` (looked up at call time, as in Workers), so wrapping it sees
 * them all; timers of the emulator (in this process under Node) and of Node's own fetch
 * (undici's keep-alive sockets) are left out by their stack.
 */
function timerWatch() {
  const set = globalThis.setTimeout, clear = globalThis.clearTimeout;
  const live = new Map(); // id -> where it was set
  globalThis.setTimeout = function (fn, ms, ...args) {
    const stack = new Error().stack ?? "";
    const id = set.call(globalThis, (...a) => { live.delete(id); fn(...a); }, ms, ...args);
    if (!/[\\/]emulator[\\/]|undici/.test(stack)) live.set(id, `${ms} ms ${stack.split("\n").slice(2, 5).join(" ")}`);
    return id;
  };
  globalThis.clearTimeout = function (id) {
    live.delete(id);
    return clear.call(globalThis, id);
  };
  const sleep = (ms) => new Promise((resolve) => set.call(globalThis, resolve, ms));
  return {
    sleep,
    /** Resolves to the timers still live once `ms` have passed (where each was set). */
    async liveAfter(ms) {
      await sleep(ms);
      return [...live.values()];
    },
    restore() {
      globalThis.setTimeout = set;
      globalThis.clearTimeout = clear;
    },
  };
}

/**
 * Unhandled rejections, wherever the runtime reports them. A rejection reported and
 * then handled (`rejectionhandled`) is no leak: workerd reports a fetch body's read
 * rejected by an abort that way, even in plain JS whose handler is attached.
 */
function rejectionWatch() {
  const seen = new Map(); // promise -> reason
  const onEvent = (e) => seen.set(e.promise, e.reason);
  const onHandled = (e) => seen.delete(e.promise);
  const onNode = (reason, promise) => seen.set(promise, reason);
  const onNodeHandled = (promise) => seen.delete(promise);
  globalThis.addEventListener?.("unhandledrejection", onEvent);
  globalThis.addEventListener?.("rejectionhandled", onHandled);
  globalThis.process?.on?.("unhandledRejection", onNode);
  globalThis.process?.on?.("rejectionHandled", onNodeHandled);
  return {
    reasons: () => [...seen.values()].map(String),
    stop() {
      globalThis.removeEventListener?.("unhandledrejection", onEvent);
      globalThis.removeEventListener?.("rejectionhandled", onHandled);
      globalThis.process?.off?.("unhandledRejection", onNode);
      globalThis.process?.off?.("rejectionHandled", onNodeHandled);
    },
  };
}

export function livenessTests(test, { onellm, emulator, requests, clearRequests }) {
  const { OpenAI, APITimeoutError, APIUserAbortError, InternalServerError } = onellm;
  const client = (extra = {}) => new OpenAI({
    apiKey: "sk-test",
    baseURL: `${emulator}/openai/v1`,
    apiKeys: { anthropic: "sk-ant-test-0123456789", google: "AIza-test-0123456789", cohere: "co-test-0123456789" },
    providers: {
      anthropic: { baseURL: `${emulator}/anthropic/v1` },
      google: { baseURL: `${emulator}/gemini/v1beta` },
      cohere: { baseURL: `${emulator}/cohere/v2` },
    },
    dangerouslyAllowBrowser: true,
    ...extra,
  });
  // One model per wire format, and the number of events each sends before its first
  // content (OpenAI's role chunk; Anthropic's message_start, content_block_start, ping;
  // Cohere's message-start, content-start; Gemini's first fragment is content).
  const formats = [
    { model: "openai/gpt-4o-mini", before: 1 },
    { model: "anthropic/claude-sonnet-4-5", before: 3 },
    { model: "google/gemini-2.5-flash", before: 0 },
    { model: "cohere/command-a-03-2025", before: 2 },
  ];
  const long = [{ role: "user", content: "one two three four five six seven eight" }];
  const faulted = (f) => ({ headers: { "x-emulator-fault": f } });
  const key = () => `live${Math.random()}`;
  // A broken limit would hang the loop, not throw: bound each wait, so it fails instead.
  const within = (ms, promise, what) => Promise.race([promise,
    timers.sleep(ms).then(() => { throw new Error(`${what}: still waiting after ${ms} ms`); })]);

  let timers, rejections;
  test("liveness: (watching timers and unhandled rejections from here on)", async () => {
    timers = timerWatch();
    rejections = rejectionWatch();
  });

  test("liveness: an error right after the content-less first chunks is retried, then falls back", async () => {
    for (const { model, before } of formats.filter((f) => f.before > 0)) {
      await clearRequests();
      const stream = await client().chat.completions.create({ model, messages: hello, stream: true },
        faulted(`error-event;after=${before};times=1;key=${key()}`));
      const chunks = await collect(stream);
      equal(text(chunks), "Echo: Hello there", `${model}: the retried answer`);
      equal((await requests()).length, 2, `${model}: two attempts`);
      equal(stream.onellm.attempts.length, 1, `${model}: the failed attempt is reported`);
      // The held first chunks come out before the first content, in order.
      check(chunks[0].choices[0]?.delta?.role === "assistant", `${model}: the role chunk comes first`);
    }
    // The fault by model name, so that it hits the primary only.
    const r = await client().chat.completions.create({ model: "anthropic/fault-error-event_after=3", messages: hello,
      stream: true, retries: 0, fallback_models: ["openai/backup"] });
    equal(text(await collect(r)), "Echo: Hello there", "fell back after message_start + overloaded");
    equal([r.onellm.model, r.onellm.attempts[0].error.status], ["openai/backup", 529], "which model, which failure");
    check(r.onellm.attempts[0].error instanceof InternalServerError, "the overloaded error as its class");
  });

  test("liveness: a stall before the first content is the attempt's timeout, and is retried", async () => {
    for (const { model, before } of formats.filter((f) => f.before > 0)) {
      await clearRequests();
      const stream = await client().chat.completions.create(
        { model, messages: hello, stream: true, timeout: 1, retries: 1 },
        faulted(`stall;after=${before};times=1;key=${key()}`));
      await collect(stream);
      equal((await requests()).length, 2, `${model}: retried`);
      check(stream.onellm.attempts[0].error instanceof APITimeoutError, `${model}: the stalled attempt timed out`);
    }
  });

  test("liveness: a stall after content throws APITimeoutError from the loop, naming what was seen", async () => {
    for (const { model, before } of formats) {
      await clearRequests();
      const stream = await client({ idleTimeout: 300 }).chat.completions.create(
        { model, messages: long, stream: true }, faulted(`stall;after=${before + 2}`));
      const seen = [];
      const loop = (async () => { for await (const c of stream) seen.push(c); })();
      const e = await rejects(within(5000, loop, model), APITimeoutError, model);
      check(/^Stream stalled: no data for 300 ms after \d+ chunks \[/.test(e.message), `${model}: ${e.message}`);
      check(text(seen).length > 0, `${model}: the content before the stall was handed out`);
      equal((await requests()).length, 1, `${model}: a started stream is not retried`);
    }
    // The per-call option and the param (seconds) set it too.
    const byCall = await client().chat.completions.create({ model: "openai/m", messages: long, stream: true },
      { idleTimeout: 200, headers: { "x-emulator-fault": "stall;after=3" } });
    await rejects(within(5000, collect(byCall), "per call"), APITimeoutError, "idleTimeout per call");
    const byParam = await client().chat.completions.create(
      { model: "openai/m", messages: long, stream: true, idle_timeout: 0.2 }, faulted("stall;after=3"));
    const e = await rejects(within(5000, collect(byParam), "param"), APITimeoutError, "idle_timeout param");
    check(e.message.includes("no data for 200 ms"), e.message);
  });

  test("liveness: a quiet stream that stays alive (keep-alives, pings, line ends) is never cut", async () => {
    for (const { model, before } of formats) {
      const stream = await client({ idleTimeout: 300 }).chat.completions.create(
        { model, messages: hello, stream: true }, faulted(`trickle;after=${before + 1};every=120;count=6`));
      equal(text(await collect(stream)), "Echo: Hello there", `${model}: the whole answer after 720 ms of keep-alives`);
    }
  });

  test("liveness: a backoff longer than idleTimeout is no stall; idleTimeout 0 turns the limit off", async () => {
    await clearRequests();
    // A 429 whose retry-after (500 ms) outlasts the idle limit: the limit runs only
    // while a started stream's read waits, never during a backoff.
    const retried = await client({ idleTimeout: 200 }).chat.completions.create(
      { model: "openai/m", messages: hello, stream: true },
      faulted(`status=429;retry-after-ms=500;times=1;key=${key()}`));
    equal(text(await collect(retried)), "Echo: Hello there", "the retried attempt's answer");
    equal(retried.onellm.attempts.map((a) => a.error.status), [429], "the 429 before it");
    const off = await client({ idleTimeout: 0 }).chat.completions.create(
      { model: "openai/m", messages: long, stream: true }, faulted("stall;after=3"));
    const it = off[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await it.next(); // the role chunk and two texts, all that was sent
    const pending = it.next();
    const quiet = await Promise.race([pending.then(() => "read"), timers.sleep(400).then(() => "waiting")]);
    equal(quiet, "waiting", "no limit: still waiting after 400 ms");
    off.controller.abort();
    await rejects(pending, APIUserAbortError, "the abort still ends it");
  });

  test("liveness: fromReadableStream(body, controller) and toReadableStream().cancel() end a quiet read", async () => {
    const encoder = new TextEncoder();
    const quietBody = () => new ReadableStream({
      start(c) {
        c.enqueue(encoder.encode('data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n'));
      },
    });
    const ac = new AbortController();
    const back = onellm.Stream.fromReadableStream(quietBody(), ac);
    check(back.controller === ac, "the caller's controller is stream.controller");
    const it = back[Symbol.asyncIterator]();
    equal((await it.next()).value.choices[0].delta.content, "hi", "the chunk that came");
    const pending = it.next();
    timers.sleep(50).then(() => ac.abort());
    await rejects(within(5000, pending, "abort"), APIUserAbortError, "abort ends the quiet read");

    const upstream = await client().chat.completions.create({ model: "openai/m", messages: long, stream: true },
      faulted("stall;after=3"));
    const reader = upstream.toReadableStream().getReader();
    await reader.read();
    const waiting = reader.read();
    const cancelled = await Promise.race([reader.cancel().then(() => "settled"), timers.sleep(1000).then(() => "hung")]);
    equal(cancelled, "settled", "cancel() settles while a read waits");
    await waiting.catch(() => {});
    check(upstream.controller.signal.aborted, "the upstream request is aborted");
  });

  test("liveness: no timer left running, no unhandled rejection", async () => {
    try {
      // A finished stream's body drain may take a moment to see the end of its body.
      equal(await timers.liveAfter(100), [], "live timers");
      equal(rejections.reasons(), [], "unhandled rejections");
    } finally {
      timers.restore();
      rejections.stop();
    }
  });
}
