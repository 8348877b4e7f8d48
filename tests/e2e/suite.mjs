// The end-to-end suite, run unchanged against the built package in Node, Deno,
// workerd and Chromium (see run-*.mjs). It uses only what every runtime has: fetch,
// AbortController, timers. `onellm` is the imported package; `emulator` the URL of
// tests/emulator/server.mjs.

import { check, collect, equal, hello, rejects, text } from "./assert.mjs";
import { livenessTests } from "./liveness.mjs";
import { parityTests } from "./parity.mjs";
import { dialectTests } from "./dialects.mjs";
import { reasoningTests } from "./reasoning.mjs";
import { hostileTests } from "./hostile.mjs";
import { hostileWireTests } from "./hostile-wire.mjs";

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

export async function runSuite(onellm, { emulator, runtime, wasmBytes, inspect }) {
  const {
    OpenAI, APIError, APIConnectionError, APITimeoutError, APIUserAbortError, AuthenticationError,
    BadRequestError, InternalServerError, InvalidRequestError, NotFoundError, RateLimitError,
  } = onellm;
  const base = `${emulator}/openai/v1`;
  // What reached the emulator; a browser's CORS preflights are not requests of ours.
  const requests = async () =>
    (await (await fetch(`${emulator}/__requests`)).json()).filter((r) => r.method !== "OPTIONS");
  const clearRequests = () => fetch(`${emulator}/__requests`, { method: "DELETE" }).then((r) => r.arrayBuffer());
  const fault = (f) => ({ headers: { "x-emulator-fault": f } });
  // Keys in a browser need the explicit opt-in, exactly as in the `openai` package.
  const client = (extra = {}) =>
    new OpenAI({ apiKey: "sk-test", baseURL: base, dangerouslyAllowBrowser: true, ...extra });

  test("plain completion through the openai preset", async () => {
    await clearRequests();
    const r = await client().chat.completions.create({
      model: "openai/gpt-4o-mini", messages: hello, temperature: 0.5,
      retries: 1, fallback_models: ["openai/gpt-4o"], timeout: 30, vendor_extra: { keep: [1, 2] },
    });
    equal(r.object, "chat.completion", "object");
    equal(r.choices[0].message, { role: "assistant", content: "Echo: Hello there", refusal: null }, "message");
    equal(r.choices[0].finish_reason, "stop", "finish_reason");
    check(r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens, "usage adds up");
    const [sent] = await requests();
    equal(sent.path, "/openai/v1/chat/completions", "path");
    equal(sent.headers.authorization, "Bearer sk-test", "auth header");
    equal(sent.body.model, "gpt-4o-mini", "model without its prefix");
    equal(sent.body.vendor_extra, { keep: [1, 2] }, "unknown field passed through");
    equal(sent.body.temperature, 0.5, "temperature passed through");
    for (const own of ["retries", "fallback_models", "timeout"]) check(!(own in sent.body), `${own} not sent`);
  });

  test("custom OpenAI-compatible provider by name, with its own headers", async () => {
    await clearRequests();
    const c = new OpenAI({
      providers: { local: { baseURL: base, apiKey: "sk-local", headers: { "x-tenant": "t1" } } },
      dangerouslyAllowBrowser: true,
    });
    const r = await c.chat.completions.create({ model: "local/meta-llama/llama-3.1-8b", messages: hello });
    equal(r.model, "meta-llama/llama-3.1-8b", "model split at the first slash");
    const [sent] = await requests();
    equal(sent.headers["x-tenant"], "t1", "provider header");
    equal(sent.headers.authorization, "Bearer sk-local", "provider key");
  });

  test("stream: deltas add up to the plain answer, finalChatCompletion, usage chunk", async () => {
    const params = { model: "openai/gpt-4o-mini", messages: hello };
    const plain = await client().chat.completions.create(params);
    const stream = await client().chat.completions.create({
      ...params, stream: true, stream_options: { include_usage: true },
    });
    check(stream.controller instanceof AbortController, "stream.controller is an AbortController");
    const chunks = await collect(stream);
    equal(text(chunks), plain.choices[0].message.content, "streamed text");
    equal(chunks[0].object, "chat.completion.chunk", "chunk object");
    const last = chunks[chunks.length - 1];
    equal(last.choices, [], "usage chunk has no choices");
    equal(last.usage.total_tokens, plain.usage.total_tokens, "usage chunk");
    const final = await stream.finalChatCompletion();
    equal(final.object, "chat.completion", "final object");
    equal(final.choices[0].message.content, plain.choices[0].message.content, "final content");
    equal(final.choices[0].finish_reason, "stop", "final finish_reason");
    equal(final.usage, plain.usage, "final usage");
    check((await stream.finalChatCompletion()) === final, "asked again, the same completion (built once, on demand)");
  });

  test("stream: toReadableStream() re-encodes as OpenAI SSE, fromReadableStream() reads it back", async () => {
    const stream = await client().chat.completions.create({ model: "openai/m", messages: hello, stream: true,
      stream_options: { include_usage: true } });
    const body = stream.toReadableStream();
    check(body instanceof ReadableStream, "a ReadableStream");
    // As a Worker would: hand the bytes on in a Response, read them on the other side.
    const response = new Response(body, { headers: { "content-type": "text/event-stream" } });
    const back = onellm.Stream.fromReadableStream(response.body);
    const chunks = await collect(back);
    equal(text(chunks), "Echo: Hello there", "same text");
    check(chunks[chunks.length - 1].usage.total_tokens > 0, "usage chunk kept");
    equal((await back.finalChatCompletion()).choices[0].message.content, "Echo: Hello there", "final");
    const raw = new TextDecoder().decode(await new Response((await client().chat.completions.create(
      { model: "openai/m", messages: hello, stream: true })).toReadableStream()).arrayBuffer());
    check(raw.startsWith("data: {") && raw.endsWith("data: [DONE]\n\n"), "OpenAI's SSE framing");
  });

  test("stream: finalChatCompletion alone reads the whole stream", async () => {
    const stream = await client().chat.completions.create({ model: "openai/m", messages: hello, stream: true });
    const final = await stream.finalChatCompletion();
    equal(final.choices[0].message.content, "Echo: Hello there", "content");
  });

  test("stream: tool call deltas assemble into tool_calls", async () => {
    const stream = await client().chat.completions.create({
      model: "openai/m", stream: true,
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
    });
    const final = await stream.finalChatCompletion();
    equal(final.choices[0].finish_reason, "tool_calls", "finish_reason");
    equal(final.choices[0].message.tool_calls, [
      { id: "call_emu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    ], "tool_calls");
  });

  test("stream: breaking out early stops the request", async () => {
    const stream = await client().chat.completions.create(
      { model: "openai/m", messages: hello, stream: true },
      { headers: { "x-emulator-repeat": "5000", "x-emulator-delay-ms": "2" } },
    );
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    equal(n, 3, "chunks read");
    check(stream.controller.signal.aborted, "the request was aborted");
    await rejects(stream.finalChatCompletion(), onellm.OpenAIError, "an unfinished stream has no final completion");
  });

  test("stream: controller.abort() mid-stream throws APIUserAbortError", async () => {
    const stream = await client().chat.completions.create(
      { model: "openai/m", messages: hello, stream: true },
      { headers: { "x-emulator-repeat": "5000", "x-emulator-delay-ms": "2" } },
    );
    const seen = [];
    await rejects((async () => {
      for await (const c of stream) {
        seen.push(c);
        if (seen.length === 2) stream.controller.abort();
      }
    })(), APIUserAbortError, "abort mid-stream");
    equal(seen.length, 2, "no chunk after the abort");
  });

  test("signal aborts a request waiting for its answer, with no retry", async () => {
    await clearRequests();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await rejects(client().chat.completions.create({ model: "openai/m", messages: hello },
      { signal: ac.signal, ...fault("hang") }), APIUserAbortError, "abort");
    equal((await requests()).length, 1, "one attempt");
  });

  test("timeout (params, seconds) ends a hung attempt with APITimeoutError", async () => {
    const e = await rejects(client().chat.completions.create(
      { model: "openai/m", messages: hello, timeout: 0.2, retries: 0 }, fault("hang")),
    APITimeoutError, "timeout");
    check(e instanceof APIConnectionError, "APITimeoutError is an APIConnectionError");
  });

  test("provider errors become the openai classes, with status, headers and body", async () => {
    const e = await rejects(client().chat.completions.create({ model: "openai/m", messages: hello },
      fault("status=400")), BadRequestError, "400");
    equal(e.status, 400, "status");
    check(e instanceof APIError, "is an APIError");
    check(typeof e.error?.message === "string" && e.message.includes(e.error.message), "provider message kept");
    check(e.headers.get("x-request-id")?.startsWith("req_"), "headers kept");
    equal(e.requestID, e.headers.get("x-request-id"), "requestID");
    equal(e.provider, "openai", "provider");
    await rejects(client({ apiKey: "sk-bad" }).chat.completions.create({ model: "openai/m", messages: hello }),
      AuthenticationError, "401");
    await rejects(client().chat.completions.create({ model: "openai/no-such-model", messages: hello }),
      NotFoundError, "404");
    const html = await rejects(client().chat.completions.create({ model: "openai/m", messages: hello, retries: 0 },
      fault("html502")), InternalServerError, "HTML 502");
    equal(html.status, 502, "502 status");
    check(html.message.includes("502 Bad Gateway"), "HTML body shown");
    // openai's README checks `err instanceof OpenAI.APIError`: the classes hang off the client class too.
    check(e instanceof OpenAI.APIError && e instanceof OpenAI.BadRequestError, "OpenAI.APIError is the exported APIError");
    for (const name of ["OpenAIError", "APIConnectionError", "APITimeoutError", "APIUserAbortError", "RateLimitError", "InvalidRequestError"]) {
      equal(OpenAI[name] === onellm[name], true, `OpenAI.${name} is the exported ${name}`);
    }
  });

  test("a 429 with retry-after is retried, then succeeds", async () => {
    await clearRequests();
    const key = `k${Math.random()}`;
    const r = await client().chat.completions.create({ model: "openai/m", messages: hello },
      fault(`status=429;retry-after-ms=10;times=1;key=${key}`));
    equal(r.choices[0].message.content, "Echo: Hello there", "answer after retry");
    equal((await requests()).length, 2, "two attempts");
  });

  test("retries spent: the last error is thrown; maxRetries: 0 means one attempt", async () => {
    await clearRequests();
    const e = await rejects(client({ maxRetries: 1 }).chat.completions.create({ model: "openai/m", messages: hello },
      fault("status=503;retry-after-ms=1")), InternalServerError, "503");
    equal(e.status, 503, "status");
    equal((await requests()).length, 2, "1 + maxRetries attempts");
    await clearRequests();
    await rejects(client().chat.completions.create({ model: "openai/m", messages: hello },
      { maxRetries: 0, ...fault("status=429") }), RateLimitError, "429");
    equal((await requests()).length, 1, "no retry");
  });

  test("fallback_models answer when the primary fails", async () => {
    await clearRequests();
    const r = await client().chat.completions.create({
      model: "openai/fault-status=500", messages: hello, retries: 0, fallback_models: ["openai/backup"],
    });
    equal(r.model, "backup", "the fallback answered");
    equal((await requests()).map((q) => q.body.model), ["fault-status=500", "backup"], "models tried");
  });

  test("invalid requests are rejected before any network call", async () => {
    await clearRequests();
    const c = client();
    const bad = [
      [{ model: "gpt-4o", messages: hello }, "model"],
      [{ model: "nosuch/gpt-4o", messages: hello }, "model"],
      [{ model: "openai/gpt-4o" }, "messages"],
      [{ model: "openai/gpt-4o", messages: hello, temperature: "hot" }, "temperature"],
      [{ model: "openai/gpt-4o", messages: [{ role: "robot", content: "x" }] }, "messages[0].role"],
      [{ model: "openai/gpt-4o", messages: hello, fallback_models: ["nope"] }, "fallback_models[0]"],
    ];
    for (const [params, param] of bad) {
      const e = await rejects(c.chat.completions.create(params), InvalidRequestError, param);
      equal(e.param, param, "param");
      check(e.message.includes(param.replace(/\[.*$/, "")), `message names ${param}: ${e.message}`);
      check(!e.message.includes("sk-test"), "no key in the message");
    }
    const e = await rejects(c.chat.completions.create({ model: "openai/gpt-4o", messages: hello, temperature: "hot" }),
      InvalidRequestError, "temperature");
    equal(e.provider, "openai", "provider named");
    equal((await requests()).length, 0, "nothing was sent");
  });

  test("streams that go wrong raise errors, never a short answer", async () => {
    const cases = [
      ["cut", APIConnectionError], ["no-done", APIConnectionError],
      ["malformed", APIError], ["error-event", APIError],
    ];
    for (const [f, cls] of cases) {
      // Whether the error comes from create() or from the loop depends on whether a
      // chunk reached the caller first, that is on how the network split the bytes.
      const read = async () => collect(await client().chat.completions.create(
        { model: "openai/m", messages: hello, stream: true, retries: 0 }, fault(f)));
      const e = await rejects(read(), cls, f);
      check(e.message.includes("[openai/m]"), `${f}: message names the provider: ${e.message}`);
    }
  });

  test("a stream failing before its first chunk is retried; after it, never", async () => {
    for (const f of ["cut;after=0", "error-event;after=0"]) {
      await clearRequests();
      const key = `first${Math.random()}`;
      const stream = await client().chat.completions.create(
        { model: "openai/m", messages: hello, stream: true }, fault(`${f};times=1;key=${key}`));
      equal(text(await collect(stream)), "Echo: Hello there", `${f}: answer after a retry`);
      equal((await requests()).length, 2, `${f}: attempts`);
      equal(stream.onellm.attempts.length, 1, `${f}: the failed attempt is reported`);
      check(stream.onellm.attempts[0].error instanceof APIError, `${f}: as an APIError`);
    }
    await clearRequests();
    // Paced, so the first chunks surely reach the caller before the cut.
    const started = await client().chat.completions.create(
      { model: "openai/m", messages: hello, stream: true },
      { headers: { "x-emulator-fault": "cut;after=2", "x-emulator-delay-ms": "50" } });
    await rejects(collect(started), APIConnectionError, "cut after two chunks");
    equal((await requests()).length, 1, "a started stream is not retried");
  });

  test("a stream's timeout covers the wait for its first chunk", async () => {
    await rejects(client().chat.completions.create(
      { model: "openai/m", messages: hello, stream: true, timeout: 0.2, retries: 0 },
      { headers: { "x-emulator-delay-ms": "3000" } }), APITimeoutError, "slow first chunk");
  });

  test("the final error carries every failed attempt; a success names its model", async () => {
    // `retries` counts for the primary only; each fallback gets `maxRetries`.
    const e = await rejects(client({ maxRetries: 1 }).chat.completions.create({
      model: "openai/fault-status=500", messages: hello, retries: 0,
      fallback_models: ["openai/fault-status=503"],
    }, fault("status=502;retry-after-ms=1")), InternalServerError, "all fail");
    equal(e.status, 502, "the last model's error");
    equal(e.attempts.map((a) => [a.model, a.error.status]),
      [["openai/fault-status=500", 502], ["openai/fault-status=503", 502]],
      "earlier attempts, oldest first");
    check(e.attempts.every((a) => a.error instanceof InternalServerError), "attempt errors are class instances");
    const r = await client().chat.completions.create({
      model: "openai/fault-status=500", messages: hello, retries: 0, fallback_models: ["openai/backup"],
    });
    equal(r.onellm.model, "openai/backup", "which model answered");
    equal(r.onellm.attempts.map((a) => [a.model, a.error.status]), [["openai/fault-status=500", 500]], "what failed first");
    check(!Object.keys(r).includes("onellm"), "the completion keeps OpenAI's fields only");
  });

  test("an abort during a backoff sleep ends the call at once", async () => {
    await clearRequests();
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    const e = await rejects(client().chat.completions.create({ model: "openai/m", messages: hello },
      { signal: ac.signal, ...fault("status=503;retry-after=30") }), APIUserAbortError, "abort");
    check(Date.now() - started < 20_000, "did not sleep out the 30 s retry-after");
    equal((await requests()).length, 1, "no attempt after the abort");
    equal(e.attempts.length, 1, "the 503 before the abort is reported");
  });

  test("retry-after as an HTTP date; too far ahead returns the error at once", async () => {
    await clearRequests();
    const soon = new Date(Date.now() + 1000).toUTCString();
    const key = `date${Math.random()}`;
    await client().chat.completions.create({ model: "openai/m", messages: hello },
      fault(`status=429;retry-after=${soon};times=1;key=${key}`));
    equal((await requests()).length, 2, "retried after the date");
    await clearRequests();
    const later = new Date(Date.now() + 3_600_000).toUTCString();
    await rejects(client().chat.completions.create({ model: "openai/m", messages: hello },
      fault(`status=429;retry-after=${later}`)), RateLimitError, "an hour away");
    equal((await requests()).length, 1, "no hour-long sleep");
  });

  test("a key echoed by the provider never reaches an error", async () => {
    const key = "sk-bad-0123456789abcdef";
    const e = await rejects(client({ apiKey: key }).chat.completions.create({ model: "openai/m", messages: hello }),
      AuthenticationError, "401");
    check(e.error.code === "invalid_api_key", "the provider's error is kept");
    for (const [where, shown] of [["message", e.message], ["String", String(e)], ["JSON", JSON.stringify(e)],
      ["stack", e.stack], ["error", JSON.stringify(e.error)], ["headers", JSON.stringify([...e.headers])]]) {
      check(!shown.includes(key), `${where} shows the key: ${shown}`);
    }
  });

  test("a success body that is no completion is an APIError, not a crash", async () => {
    await rejects(client().chat.completions.create({ model: "openai/m", messages: hello, retries: 0 },
      fault("malformed")), APIError, "malformed 200");
    await rejects(client().chat.completions.create({ model: "openai/m", messages: hello, retries: 0 },
      fault("cut")), APIConnectionError, "truncated 200");
  });

  test("an injected fetch is used for every request", async () => {
    const urls = [];
    const c = client({ fetch: (url, init) => { urls.push(url); return fetch(url, init); } });
    await c.chat.completions.create({ model: "openai/m", messages: hello });
    equal(urls, [`${base}/chat/completions`], "fetch calls");
  });

  test("client options are validated with the option named, never its value", async () => {
    const construct = (options) => { try { new OpenAI(options); } catch (err) { return err; } };
    let e = construct({ maxRetries: "lots" });
    check(e instanceof InvalidRequestError, `InvalidRequestError, got ${e}`);
    equal(e.param, "maxRetries", "param");
    const secret = "sk-secret-0123456789";
    for (const options of [{ providers: { openai: secret } }, { apiKeys: secret }, secret, { maxRetries: secret }]) {
      e = construct(options);
      check(e instanceof InvalidRequestError, `InvalidRequestError for ${typeof options}, got ${e}`);
      check(!e.message.includes(secret), `the value stays out of the message: ${e.message}`);
    }
    await rejects(client().chat.completions.create({ model: "openai/m", messages: hello }, { signal: "stop" }),
      InvalidRequestError, "a signal that is no AbortSignal");
  });

  test("stream: after [DONE] the body is read to its end, not aborted; one that never ends is let go", async () => {
    const encoder = new TextEncoder();
    const chunk = JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m",
      choices: [{ index: 0, delta: { content: "hi" }, logprobs: null, finish_reason: null }] });
    // A fetch answering with a body that sends the answer and [DONE], then (if `ends`)
    // a trailing comment and its end a moment later, as a server closing the response.
    const serve = (ends) => {
      const seen = {};
      const fetch = async (url, init) => {
        seen.signal = init.signal;
        const body = new ReadableStream({
          start(c) {
            c.enqueue(encoder.encode(`data: ${chunk}\n\ndata: [DONE]\n\n`));
            if (ends) setTimeout(() => { c.enqueue(encoder.encode(": bye\n\n")); c.close(); seen.closed = true; }, 20);
          },
          cancel() { seen.cancelled = true; },
        });
        return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
      };
      return { seen, fetch };
    };
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const ending = serve(true);
    const s1 = await client({ fetch: ending.fetch }).chat.completions.create({ model: "openai/m", messages: hello, stream: true });
    equal(text(await collect(s1)), "hi", "the answer");
    await sleep(200);
    check(ending.seen.closed && !ending.seen.cancelled && !ending.seen.signal.aborted,
      "the rest of the body was read to its end; nothing cancelled or aborted");
    equal((await s1.finalChatCompletion()).choices[0].message.content, "hi", "the final completion, after the body went");
    const hanging = serve(false);
    const s2 = await client({ fetch: hanging.fetch }).chat.completions.create({ model: "openai/m", messages: hello, stream: true });
    equal(text(await collect(s2)), "hi", "the answer, though the body never ends");
    await sleep(1500);
    check(hanging.seen.cancelled && hanging.seen.signal.aborted, "a body still open a second after [DONE] is cancelled and aborted");
  });

  test("an injected fetch may return any Response-like object; garbage is refused at once", async () => {
    const like = async (url, init) => {
      const r = await fetch(url, init);
      return { status: r.status, ok: r.ok, headers: r.headers, text: () => r.text(), body: r.body };
    };
    const r = await client({ fetch: like }).chat.completions.create({ model: "openai/m", messages: hello });
    equal(r.choices[0].message.content, "Echo: Hello there", "plain");
    const stream = await client({ fetch: like }).chat.completions.create({ model: "openai/m", messages: hello, stream: true });
    equal(text(await collect(stream)), "Echo: Hello there", "streamed");
    let calls = 0;
    const e = await rejects(client({ fetch: async () => { calls++; return { nope: true }; } }).chat.completions.create(
      { model: "openai/m", messages: hello }), InvalidRequestError, "not a Response");
    equal(e.param, "fetch", "param");
    equal(calls, 1, "not retried");
  });

  test("organization and project reach OpenAI as headers", async () => {
    await clearRequests();
    await client({ organization: "org_1", project: "proj_1" }).chat.completions.create({ model: "openai/m", messages: hello });
    const [sent] = await requests();
    equal([sent.headers["openai-organization"], sent.headers["openai-project"]], ["org_1", "proj_1"], "headers");
  });

  // Anthropic, through the emulator's Messages API.
  const anthropic = (extra = {}) => new OpenAI({
    apiKeys: { anthropic: "sk-ant-test-0123456789" },
    providers: { anthropic: { baseURL: `${emulator}/anthropic/v1` }, openai: { baseURL: base, apiKey: "sk-test" } },
    dangerouslyAllowBrowser: true,
    ...extra,
  });
  const claude = "anthropic/claude-3-5-sonnet-20241022";

  test("anthropic: a plain answer in OpenAI's shape, from Anthropic's request", async () => {
    await clearRequests();
    const r = await anthropic().chat.completions.create({
      model: claude, messages: [{ role: "system", content: "You are a pirate." }, ...hello],
      temperature: 0.3, stop: ["zzz"], user: "u-1",
    });
    equal(r.object, "chat.completion", "object");
    equal(r.choices[0].message.content, "Arr! Echo: Hello there", "the system prompt arrived");
    equal(r.choices[0].finish_reason, "stop", "finish_reason");
    check(r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens, "usage adds up");
    check(typeof r.created === "number" && r.created > 1_600_000_000, "created is stamped");
    const [sent] = await requests();
    equal(sent.path, "/anthropic/v1/messages", "path");
    equal([sent.headers["x-api-key"], sent.headers["anthropic-version"]], ["sk-ant-test-0123456789", "2023-06-01"], "auth");
    equal(sent.headers["anthropic-dangerous-direct-browser-access"], "true", "browser access header");
    equal(sent.body.model, "claude-3-5-sonnet-20241022", "model without its prefix");
    equal(sent.body.max_tokens, 8192, "default max_tokens");
    equal(sent.body.system, "You are a pirate.", "system at the top level");
    equal(sent.body.metadata, { user_id: "u-1" }, "user as metadata");
    equal(sent.body.stop_sequences, ["zzz"], "stop as stop_sequences");
  });

  test("anthropic: a stream in OpenAI chunks, with the usage chunk", async () => {
    const params = { model: claude, messages: hello };
    const plain = await anthropic().chat.completions.create(params);
    const stream = await anthropic().chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    equal(chunks[0].choices[0].delta.role, "assistant", "the first chunk carries the role");
    equal(text(chunks), plain.choices[0].message.content, "streamed text");
    // Text deltas cross the Wasm boundary as their text alone and are rebuilt in JS:
    // each must still be the whole chunk, keys in OpenAI's order.
    const head = chunks[0];
    const deltas = chunks.slice(1).filter((c) => c.choices.length && c.choices[0].delta.content);
    check(deltas.length > 1, "several text deltas");
    for (const c of deltas) {
      equal(JSON.stringify(c), JSON.stringify({ id: head.id, object: "chat.completion.chunk", created: head.created, model: head.model,
        choices: [{ index: 0, delta: { content: c.choices[0].delta.content }, logprobs: null, finish_reason: null }] }), "a whole text chunk");
    }
    const last = chunks[chunks.length - 1];
    equal([last.choices, last.usage.completion_tokens], [[], plain.usage.completion_tokens], "usage chunk");
    const final = await stream.finalChatCompletion();
    equal([final.choices[0].message.content, final.choices[0].finish_reason], [plain.choices[0].message.content, "stop"], "final");
  });

  test("anthropic: a tool round trip, plain and streamed", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const ask = { role: "user", content: "What is the weather in Paris?" };
    const r = await anthropic().chat.completions.create({ model: claude, messages: [ask], tools });
    equal(r.choices[0].finish_reason, "tool_calls", "finish_reason");
    const call = r.choices[0].message.tool_calls[0];
    equal([call.type, call.function.name, JSON.parse(call.function.arguments)], ["function", "get_weather", { city: "Paris" }], "tool call");
    const stream = await anthropic().chat.completions.create({ model: claude, messages: [ask], tools, stream: true });
    const final = await stream.finalChatCompletion();
    equal(final.choices[0].message.tool_calls[0].function, call.function, "streamed tool call");
    const answer = await anthropic().chat.completions.create({ model: claude, tools, messages: [
      ask, r.choices[0].message, { role: "tool", tool_call_id: call.id, content: "22 degrees and sunny" },
    ] });
    equal(answer.choices[0].message.content, "The tool said: 22 degrees and sunny", "answer after the tool");
  });

  test("anthropic: JSON mode returns JSON", async () => {
    const r = await anthropic().chat.completions.create({ model: claude, messages: hello, response_format: { type: "json_object" } });
    equal(JSON.parse(r.choices[0].message.content), { echo: "Hello there" }, "content is JSON");
    equal(r.choices[0].finish_reason, "stop", "finish_reason");
    const stream = await anthropic().chat.completions.create({ model: claude, messages: hello, stream: true,
      response_format: { type: "json_schema", json_schema: { name: "echo", schema: { type: "object", properties: { echo: { type: "string" } } } } } });
    equal(JSON.parse(text(await collect(stream))), { echo: "Hello there" }, "streamed JSON");
  });

  test("anthropic: errors, overload retries and cross-provider fallback", async () => {
    await rejects(anthropic({ apiKeys: { anthropic: "sk-bad-0123456789" } }).chat.completions.create({ model: claude, messages: hello }),
      AuthenticationError, "401");
    const e = await rejects(anthropic().chat.completions.create({ model: claude, messages: hello, retries: 0 },
      fault("status=529")), InternalServerError, "529");
    equal([e.status, e.error.type], [529, "overloaded_error"], "529 overloaded");
    await clearRequests();
    const key = `ov${Math.random()}`;
    const stream = await anthropic().chat.completions.create({ model: claude, messages: hello, stream: true },
      fault(`error-event;after=0;times=1;key=${key}`));
    equal(text(await collect(stream)), "Echo: Hello there", "retried after an overloaded event");
    equal((await requests()).length, 2, "two attempts");
    const late = await anthropic().chat.completions.create({ model: claude, messages: hello, stream: true },
      { headers: { "x-emulator-fault": "error-event;after=4", "x-emulator-delay-ms": "30" } });
    const lateError = await rejects(collect(late), InternalServerError, "overloaded mid-stream");
    equal(lateError.status, 529, "status from the error type");
    const r = await anthropic().chat.completions.create({ model: "anthropic/fault-status=529", messages: hello,
      retries: 0, fallback_models: ["openai/backup"] });
    equal([r.onellm.model, r.choices[0].message.content], ["openai/backup", "Echo: Hello there"], "fell back to openai");
    await clearRequests();
    const bad = await rejects(anthropic().chat.completions.create({ model: claude, messages: hello, temperature: 1.5 }),
      InvalidRequestError, "temperature range");
    equal([bad.param, bad.provider], ["temperature", "anthropic"], "named");
    equal((await requests()).length, 0, "nothing sent");
  });

  // Gemini, through the emulator's generateContent.
  const google = (extra = {}) => new OpenAI({
    apiKeys: { google: "AIza-test-0123456789" },
    providers: { google: { baseURL: `${emulator}/gemini/v1beta` }, gemini: { baseURL: `${emulator}/gemini/v1beta` } },
    dangerouslyAllowBrowser: true,
    ...extra,
  });
  const flash = "google/gemini-1.5-flash";

  test("gemini: a plain answer from generateContent, key in a header", async () => {
    await clearRequests();
    const r = await google().chat.completions.create({
      model: flash, messages: [{ role: "system", content: "You are a pirate." }, ...hello], temperature: 0.4, max_tokens: 50,
    });
    equal([r.object, r.choices[0].message.content, r.choices[0].finish_reason],
      ["chat.completion", "Arr! Echo: Hello there", "stop"], "completion");
    check(r.usage.total_tokens > 0, "usage");
    const [sent] = await requests();
    equal(sent.path, "/gemini/v1beta/models/gemini-1.5-flash:generateContent", "path");
    equal(sent.headers["x-goog-api-key"], "AIza-test-0123456789", "key header");
    check(!JSON.stringify(sent.query ?? {}).includes("AIza"), "no key in the URL");
    equal(sent.body.systemInstruction, { parts: [{ text: "You are a pirate." }] }, "systemInstruction");
    equal(sent.body.generationConfig, { temperature: 0.4, maxOutputTokens: 50 }, "generationConfig");
    const alias = await new OpenAI({ apiKeys: { gemini: "AIza-test-0123456789" },
      providers: { gemini: { baseURL: `${emulator}/gemini/v1beta` } }, dangerouslyAllowBrowser: true })
      .chat.completions.create({ model: "gemini/gemini-1.5-flash", messages: hello });
    equal(alias.choices[0].message.content, "Echo: Hello there", "gemini/ is an alias");
  });

  test("gemini: a stream with no end marker, candidates as choices, usage chunk", async () => {
    const stream = await google().chat.completions.create({ model: flash, messages: hello, stream: true,
      stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    equal(text(chunks), "Echo: Hello there", "streamed text");
    equal(chunks[0].choices[0].delta.role, "assistant", "role first");
    const last = chunks[chunks.length - 1];
    check(last.choices.length === 0 && last.usage.total_tokens > 0, "usage chunk");
    const two = await google().chat.completions.create({ model: flash, messages: hello, n: 2 });
    equal(two.choices.map((c) => c.index), [0, 1], "n candidates");
    const cut = await rejects((async () => collect(await google().chat.completions.create(
      { model: flash, messages: hello, stream: true, retries: 0 }, fault("no-done"))))(), APIConnectionError, "no finishReason");
    check(cut.message.includes("[google/gemini-1.5-flash]"), "named");
  });

  test("gemini: tools, JSON schema, safety blocks and errors", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object",
      properties: { city: { type: "string" } }, additionalProperties: false } } }];
    const ask = { role: "user", content: "What is the weather in Paris?" };
    const r = await google().chat.completions.create({ model: flash, messages: [ask], tools, tool_choice: "auto" });
    const call = r.choices[0].message.tool_calls[0];
    equal([r.choices[0].finish_reason, call.function.name, JSON.parse(call.function.arguments)],
      ["tool_calls", "get_weather", { city: "Paris" }], "function call");
    const answer = await google().chat.completions.create({ model: flash, tools, messages: [
      ask, r.choices[0].message, { role: "tool", tool_call_id: call.id, content: "{\"temp\":22}" }] });
    equal(answer.choices[0].message.content, 'The tool said: {"temp":22}', "function response named after its call");
    const json = await google().chat.completions.create({ model: flash, messages: hello, response_format: { type: "json_schema",
      json_schema: { name: "echo", schema: { type: "object", additionalProperties: false, properties: { echo: { type: ["string", "null"] } } } } } });
    equal(JSON.parse(json.choices[0].message.content), { echo: "Hello there" }, "JSON");
    const blocked = await google().chat.completions.create({ model: flash, messages: [{ role: "user", content: "forbidden words" }] });
    equal([blocked.choices[0].finish_reason, blocked.choices[0].message.content], ["content_filter", null], "blocked prompt");
    const e = await rejects(google({ apiKeys: { google: "sk-bad-0123456789" } }).chat.completions.create({ model: flash, messages: hello }),
      AuthenticationError, "API_KEY_INVALID");
    equal(e.status, 400, "keeps its 400");
    await rejects(google().chat.completions.create({ model: flash, messages: hello, retries: 0 }, fault("status=429")),
      RateLimitError, "RESOURCE_EXHAUSTED");
    await clearRequests();
    const key = `ri${Math.random()}`;
    const retried = await google().chat.completions.create({ model: flash, messages: hello },
      fault(`status=429;retry-after-ms=20;times=1;key=${key}`));
    equal([retried.choices[0].message.content, (await requests()).length], ["Echo: Hello there", 2], "retried after RetryInfo");
    await rejects(google().chat.completions.create({ model: flash, messages: hello, temperature: 3 }), InvalidRequestError, "range");
  });

  test("every preset: the request that reaches its default endpoint", async () => {
    // An injected fetch records each request and answers in the provider's own format.
    const seen = [];
    const answers = {
      "api.anthropic.com": { id: "msg_1", model: "m", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 } },
      "generativelanguage.googleapis.com": { candidates: [{ content: { parts: [{ text: "ok" }] }, finishReason: "STOP" }] },
      "api.cohere.com": { id: "c", message: { role: "assistant", content: [{ type: "text", text: "ok" }] }, finish_reason: "COMPLETE" },
    };
    const fetch = async (url, init) => {
      seen.push({ url, headers: init.headers, body: JSON.parse(init.body) });
      const host = new URL(url).host;
      const body = answers[host] ?? { id: "x", object: "chat.completion", created: 1, model: "m",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] };
      return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
    };
    const key = "test-key-0123456789";
    const names = ["openai", "anthropic", "google", "gemini", "mistral", "groq", "together", "fireworks", "deepseek",
      "xai", "openrouter", "perplexity", "moonshot", "cerebras", "cohere", "azure", "ollama", "llamacpp", "lmstudio"];
    const c = new OpenAI({ fetch, dangerouslyAllowBrowser: true, maxRetries: 0,
      apiKeys: Object.fromEntries(names.map((n) => [n, key])), providers: { azure: { resource: "my-res" } } });
    const want = {
      openai: ["https://api.openai.com/v1/chat/completions", "authorization", `Bearer ${key}`],
      anthropic: ["https://api.anthropic.com/v1/messages", "x-api-key", key],
      google: ["https://generativelanguage.googleapis.com/v1beta/models/some-model:generateContent", "x-goog-api-key", key],
      gemini: ["https://generativelanguage.googleapis.com/v1beta/models/some-model:generateContent", "x-goog-api-key", key],
      mistral: ["https://api.mistral.ai/v1/chat/completions", "authorization", `Bearer ${key}`],
      groq: ["https://api.groq.com/openai/v1/chat/completions", "authorization", `Bearer ${key}`],
      together: ["https://api.together.xyz/v1/chat/completions", "authorization", `Bearer ${key}`],
      fireworks: ["https://api.fireworks.ai/inference/v1/chat/completions", "authorization", `Bearer ${key}`],
      deepseek: ["https://api.deepseek.com/chat/completions", "authorization", `Bearer ${key}`],
      xai: ["https://api.x.ai/v1/chat/completions", "authorization", `Bearer ${key}`],
      openrouter: ["https://openrouter.ai/api/v1/chat/completions", "authorization", `Bearer ${key}`],
      perplexity: ["https://api.perplexity.ai/chat/completions", "authorization", `Bearer ${key}`],
      moonshot: ["https://api.moonshot.ai/v1/chat/completions", "authorization", `Bearer ${key}`],
      cerebras: ["https://api.cerebras.ai/v1/chat/completions", "authorization", `Bearer ${key}`],
      cohere: ["https://api.cohere.com/v2/chat", "authorization", `Bearer ${key}`],
      azure: ["https://my-res.openai.azure.com/openai/deployments/some-model/chat/completions?api-version=2024-10-21", "api-key", key],
      ollama: ["http://localhost:11434/v1/chat/completions", "authorization", `Bearer ${key}`],
      llamacpp: ["http://localhost:8080/v1/chat/completions", "authorization", `Bearer ${key}`],
      lmstudio: ["http://localhost:1234/v1/chat/completions", "authorization", `Bearer ${key}`],
    };
    for (const name of names) {
      seen.length = 0;
      const r = await c.chat.completions.create({ model: `${name}/some-model`, messages: hello, seed: 5, user: "u" });
      equal(r.choices[0].message.content, "ok", `${name}: answer`);
      const [url, header, value] = want[name];
      equal(seen[0].url, url, `${name}: url`);
      equal(seen[0].headers[header], value, `${name}: auth header`);
    }
    // Quirks as data: Mistral's random_seed, an unhonoured seed dropped, user dropped where rejected.
    const body = async (model, extra = {}) => {
      seen.length = 0;
      await c.chat.completions.create({ model, messages: hello, seed: 5, user: "u", ...extra });
      return seen[0].body;
    };
    const mistral = await body("mistral/m", { max_completion_tokens: 9, stream_options: undefined });
    equal([mistral.random_seed, "seed" in mistral, "user" in mistral, mistral.max_tokens], [5, false, false, 9], "mistral quirks");
    equal("seed" in (await body("perplexity/sonar")), false, "perplexity: seed dropped");
    equal((await body("groq/llama")).seed, 5, "groq keeps seed");
    // The capability table refuses before sending.
    seen.length = 0;
    const e = await rejects(c.chat.completions.create({ model: "perplexity/sonar", messages: hello,
      tools: [{ type: "function", function: { name: "f" } }] }), InvalidRequestError, "perplexity tools");
    equal([e.param, seen.length], ["tools", 0], "refused by name, nothing sent");
    await rejects(c.chat.completions.create({ model: "groq/llama", messages: hello, n: 2 }), InvalidRequestError, "groq n");
  });

  test("cohere and azure through the emulator", async () => {
    const c = new OpenAI({ dangerouslyAllowBrowser: true,
      apiKeys: { cohere: "co-test-0123456789", azure: "azure-test-0123456789" },
      providers: { cohere: { baseURL: `${emulator}/cohere/v2` }, azure: { baseURL: `${emulator}/azure/openai`, apiVersion: "2024-10-21" } } });
    const r = await c.chat.completions.create({ model: "cohere/command-a-03-2025",
      messages: [{ role: "system", content: "You are a pirate." }, ...hello] });
    equal([r.choices[0].message.content, r.choices[0].finish_reason, r.model], ["Arr! Echo: Hello there", "stop", "command-a-03-2025"], "cohere plain");
    const stream = await c.chat.completions.create({ model: "cohere/command-a-03-2025", messages: hello, stream: true,
      stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    equal(text(chunks), "Echo: Hello there", "cohere stream");
    check(chunks[chunks.length - 1].usage.total_tokens > 0, "cohere usage chunk");
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const ask = { role: "user", content: "What is the weather in Paris?" };
    const calls = await (await c.chat.completions.create({ model: "cohere/command-a-03-2025", messages: [ask], tools, stream: true })).finalChatCompletion();
    const call = calls.choices[0].message.tool_calls[0];
    equal([calls.choices[0].finish_reason, call.function.name, JSON.parse(call.function.arguments)], ["tool_calls", "get_weather", { city: "Paris" }], "cohere tool call");
    const after = await c.chat.completions.create({ model: "cohere/command-a-03-2025", tools,
      messages: [ask, calls.choices[0].message, { role: "tool", tool_call_id: call.id, content: "sunny" }] });
    equal(after.choices[0].message.content, "The tool said: sunny", "cohere tool result");
    await rejects(c.chat.completions.create({ model: "cohere/command-a-03-2025", messages: hello, retries: 0 }, fault("status=429")),
      RateLimitError, "cohere 429");
    await clearRequests();
    const az = await c.chat.completions.create({ model: "azure/my-gpt4o", messages: hello });
    equal([az.choices[0].message.content, az.model], ["Echo: Hello there", "my-gpt4o"], "azure");
    const [sent] = await requests();
    equal([sent.path, sent.query["api-version"], sent.headers["api-key"]], ["/azure/openai/deployments/my-gpt4o/chat/completions", "2024-10-21", "azure-test-0123456789"], "azure request");
    const azs = await c.chat.completions.create({ model: "azure/my-gpt4o", messages: hello, stream: true });
    equal(text(await collect(azs)), "Echo: Hello there", "azure stream");
    await rejects(c.chat.completions.create({ model: "azure/no-such-deployment", messages: hello }), NotFoundError, "azure 404");
  });

  test("a key in a browser page needs dangerouslyAllowBrowser", async () => {
    const inBrowser = typeof document !== "undefined";
    let e;
    try { new OpenAI({ apiKey: "sk-secret" }); } catch (err) { e = err; }
    if (inBrowser) {
      check(e instanceof InvalidRequestError, `refused in a browser, got ${e}`);
      equal(e.param, "dangerouslyAllowBrowser", "param");
      check(!e.message.includes("sk-secret"), "no key in the message");
    } else {
      check(e === undefined, `allowed outside a browser, got ${e}`);
    }
    new OpenAI({ apiKey: "sk-secret", dangerouslyAllowBrowser: true });
    new OpenAI({ providers: { local: { baseURL: base } } }); // no key, nothing to leak
  });

  livenessTests(test, { onellm, emulator, requests, clearRequests });
  parityTests(test, { onellm });
  dialectTests(test, { onellm, emulator, requests, clearRequests });
  reasoningTests(test, { onellm, emulator, requests, clearRequests });
  hostileTests(test, { onellm, emulator, requests, clearRequests });
  hostileWireTests(test, { onellm, emulator, wasmBytes, inspect });

  const results = [];
  for (const t of tests) {
    const started = Date.now();
    try {
      await t.fn();
      results.push({ name: t.name, ok: true, ms: Date.now() - started });
    } catch (e) {
      results.push({ name: t.name, ok: false, error: `${e?.name}: ${e?.message}`, ms: Date.now() - started });
    }
  }
  return { runtime, results };
}

/**
 * Node and Deno read missing keys from the environment; `env` sets and deletes a
 * variable in the runtime at hand. Returns one result in the suite's format.
 */
export async function runEnvCheck(onellm, { emulator, env }) {
  const name = "keys from OPENAI_API_KEY; a missing key names it; a blank OPENAI_BASE_URL is unset";
  const started = Date.now();
  try {
    env.set("OPENAI_API_KEY", "sk-from-env");
    const c = new onellm.OpenAI({ baseURL: `${emulator}/openai/v1` });
    const r = await c.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: "env" }] });
    const seen = await (await fetch(`${emulator}/__requests`)).json();
    equal(seen[seen.length - 1].headers.authorization, "Bearer sk-from-env", "key from the environment");
    equal(r.choices[0].message.content, "Echo: env", "answer");
    env.delete("OPENAI_API_KEY");
    const e = await rejects(c.chat.completions.create({ model: "openai/m", messages: [] }),
      onellm.InvalidRequestError, "no key anywhere");
    check(e.message.includes("OPENAI_API_KEY"), `the message names the variable: ${e.message}`);
    env.set("OPENAI_BASE_URL", "  ");
    const urls = [];
    const blank = new onellm.OpenAI({ apiKey: "sk-x", fetch: async (url) => { urls.push(url); return Response.json({}); } });
    await blank.chat.completions.create({ model: "openai/m", messages: [] }).catch(() => {});
    equal(urls, ["https://api.openai.com/v1/chat/completions"], "blank OPENAI_BASE_URL is unset, as in openai");
    return { name, ok: true, ms: Date.now() - started };
  } catch (e) {
    return { name, ok: false, error: `${e?.name}: ${e?.message}`, ms: Date.now() - started };
  } finally {
    env.delete("OPENAI_API_KEY");
    env.delete("OPENAI_BASE_URL");
  }
}
