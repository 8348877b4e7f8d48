// Hostile servers and odd callers (part of the end-to-end suite, run in every runtime):
// an injected fetch that ignores its signal, Responses that lie or throw, 2xx bodies that
// are no answer, URLs and model ids that would carry a secret or leave the API root.
// Each case ends in the documented error class, never a hang, a crash or a leak.

import { check, collect, equal, hello, rejects } from "./assert.mjs";

export function hostileTests(test, { onellm, emulator, requests, clearRequests }) {
  const { OpenAI, APIError, APIConnectionError, APITimeoutError, InvalidRequestError } = onellm;
  const withFetch = (fetch, extra = {}) => new OpenAI({
    apiKey: "sk-test-0123456789", apiKeys: { anthropic: "sk-ant-test-0123456789", google: "AIza-test-0123456789" },
    fetch, maxRetries: 0, dangerouslyAllowBrowser: true, ...extra,
  });
  const completion = JSON.stringify({
    id: "c", object: "chat.completion", created: 1, model: "m",
    choices: [{ index: 0, message: { role: "assistant", content: "hi", refusal: null }, logprobs: null, finish_reason: "stop" }],
  });

  test("hostile: an injected fetch that ignores its signal is still timed out, and so is its body", async () => {
    const never = () => new Promise(() => {});
    const e = await rejects(withFetch(never).chat.completions.create({ model: "openai/m", messages: hello }, { timeout: 60 }),
      APITimeoutError, "fetch that never settles");
    check(/timed out after 60 ms/.test(e.message), e.message);
    const silent = () => Promise.resolve(new Response(new ReadableStream({ start() {} }), { headers: { "content-type": "text/event-stream" } }));
    await rejects(withFetch(silent).chat.completions.create({ model: "openai/m", messages: hello, stream: true }, { timeout: 60 })
      .then(collect), APITimeoutError, "a body that never sends");
  });

  test("hostile: a Response whose status is no HTTP status, or whose getters throw", async () => {
    for (const status of [70000, -200, 200.5, NaN]) {
      const fake = async () => ({ status, headers: new Headers(), text: async () => completion, body: null });
      const e = await rejects(withFetch(fake).chat.completions.create({ model: "openai/m", messages: hello }),
        APIConnectionError, `status ${status}`);
      check(/not an HTTP status/.test(e.message), e.message);
    }
    const throwing = async () => ({
      status: 200, text: async () => completion,
      get headers() { throw new Error("headers getter"); },
    });
    const r = await withFetch(throwing).chat.completions.create({ model: "openai/m", messages: hello });
    equal(r.choices[0].message.content, "hi", "an answer without readable headers");
    const noBody = async () => ({ status: 200, headers: new Headers(), text: async () => "", get body() { throw new Error("body getter"); } });
    await rejects(withFetch(noBody).chat.completions.create({ model: "openai/m", messages: hello, stream: true }).then(collect),
      APIConnectionError, "a body getter that throws");
    const bad = { toString() { throw new Error("no string for you"); } };
    await rejects(withFetch(() => Promise.reject(bad)).chat.completions.create({ model: "openai/m", messages: hello }),
      APIConnectionError, "a rejection whose toString throws");
  });

  test("hostile: a key echoed in an error after the first chunk is redacted, as before it", async () => {
    const key = "sk-live-secret-0123456789abcdef";
    const chunk = (content) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m",
      choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }] })}\n\n`;
    const echo = `data: ${JSON.stringify({ error: { message: `Incorrect API key provided: ${key}.`, type: "invalid_request_error" } })}\n\n`;
    const sse = async () => new Response(chunk("Hel") + echo, { headers: { "content-type": "text/event-stream" } });
    const client = new OpenAI({ apiKey: key, fetch: sse, maxRetries: 0, dangerouslyAllowBrowser: true });
    const stream = await client.chat.completions.create({ model: "openai/m", messages: hello, stream: true });
    const e = await rejects(collect(stream), APIError, "error event after a chunk");
    const seen = [e.message, String(e), JSON.stringify(e), e.stack ?? "", JSON.stringify(e.error ?? null)].join("\n");
    check(!seen.includes(key) && !seen.includes("0123456789abcdef"), `key shown: ${seen}`);
    check(/redacted/.test(e.message), e.message);
  });

  test("hostile: params JSON.stringify writes are read: lone surrogates as U+FFFD; past 128 levels, refused by name", async () => {
    await clearRequests();
    const client = new OpenAI({ apiKey: "sk-test", baseURL: `${emulator}/openai/v1`, maxRetries: 0, dangerouslyAllowBrowser: true });
    const half = "half an emoji \ud83d";
    const r = await client.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: half }] });
    equal(r.choices[0].message.content, "Echo: half an emoji \ufffd", "sent as fetch would send it");
    let deep = { type: "string" };
    for (let i = 0; i < 200; i++) deep = { type: "object", properties: { a: deep } };
    const tools = [{ type: "function", function: { name: "f", parameters: deep } }];
    const e = await rejects(client.chat.completions.create({ model: "openai/m", messages: hello, tools }), InvalidRequestError, "deep schema");
    check(/128 levels of nesting/.test(e.message), e.message);
  });

  test("hostile: params past 64 Mi characters and more than 8 fallbacks are refused before anything is sent", async () => {
    await clearRequests();
    const client = new OpenAI({ apiKey: "sk-test", baseURL: `${emulator}/openai/v1`, maxRetries: 0, dangerouslyAllowBrowser: true });
    const huge = "x".repeat(64 * 1024 * 1024);
    const e = await rejects(client.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: huge }] }),
      InvalidRequestError, "params past the limit");
    check(/64 Mi characters/.test(e.message), e.message);
    const fallback_models = Array.from({ length: 9 }, (_, i) => `openai/m${i}`);
    const f = await rejects(client.chat.completions.create({ model: "openai/m", messages: hello, fallback_models }),
      InvalidRequestError, "nine fallbacks");
    equal(f.param, "fallback_models", "named");
    equal((await requests()).length, 0, "nothing sent");
    const r = await client.chat.completions.create({ model: "openai/m", messages: hello, fallback_models: fallback_models.slice(1) });
    equal(r.choices[0].message.content, "Echo: Hello there", "eight are fine, and the client goes on");
  });

  test("hostile: a 2xx body that is no answer is an error, never an empty completion", async () => {
    for (const [model, body] of [["anthropic/claude-sonnet-4-5", "{}"], ["anthropic/claude-sonnet-4-5", "[]"], ["google/gemini-2.5-flash", "{}"], ["openai/m", "{}"]]) {
      const fake = async () => new Response(body, { headers: { "content-type": "application/json" } });
      await rejects(withFetch(fake).chat.completions.create({ model, messages: hello }), APIError, `${model} ${body}`);
    }
    const overloaded = JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const e = await rejects(withFetch(async () => new Response(overloaded)).chat.completions.create({ model: "anthropic/claude-sonnet-4-5", messages: hello }),
      APIError, "anthropic's error object with a 200");
    equal(e.status, 529, "the status its type calls for");
  });

  test("hostile: credentials in a baseURL and model ids that would leave the API root are refused", async () => {
    const e = await rejects((async () => new OpenAI({ apiKey: "sk-test", baseURL: "http://user:hunter2@127.0.0.1:1/v1" })
      .chat.completions.create({ model: "openai/m", messages: hello }))(), InvalidRequestError, "credentials in baseURL");
    check(e.param === "baseURL" && !JSON.stringify({ ...e, message: e.message }).includes("hunter2"), `${e.param}: ${e.message}`);
    await clearRequests();
    const google = new OpenAI({ apiKeys: { google: "AIza-test-0123456789" }, providers: { google: { baseURL: `${emulator}/gemini/v1beta` } },
      maxRetries: 0, dangerouslyAllowBrowser: true });
    await rejects(google.chat.completions.create({ model: "google/../../v1beta/files", messages: hello }), InvalidRequestError, "dot segments");
    equal((await requests()).length, 0, "nothing sent");
    // `?` and `#` stay inside the model's path segment: the emulator sees the whole id.
    await google.chat.completions.create({ model: "google/gemini-2.5-flash?alt=json#x", messages: hello });
    const [sent] = await requests();
    equal(sent.path, "/gemini/v1beta/models/gemini-2.5-flash%3Falt%3Djson%23x:generateContent", "encoded path");
  });
}
