// Parity with the `openai` package where its own chat tests found gaps (part of the
// end-to-end suite, run in every runtime): error classes' messages and bodies, timeouts
// told apart, logprobs kept as they came, a broken stream said once, hostile values
// from an injected fetch turned into errors, never a crash.

import { check, collect, equal, hello, rejects } from "./assert.mjs";

export function parityTests(test, { onellm }) {
  const { OpenAI, APIError, APIConnectionError, APITimeoutError, APIUserAbortError, AuthenticationError, Stream } = onellm;
  const key = "sk-parity-0123456789abcdef";
  const via = (fetch) => new OpenAI({ apiKey: key, baseURL: "http://parity.test/v1", fetch, maxRetries: 0, dangerouslyAllowBrowser: true });
  const sse = (text) => async () => new Response(text, { headers: { "content-type": "text/event-stream" } });
  const chunk = (delta, extra = {}) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...extra }] })}\n\n`;

  test("parity: error classes made by hand carry openai's default messages", async () => {
    equal([new APIUserAbortError().message, new APIConnectionError({}).message, new APITimeoutError().message],
      ["Request was aborted.", "Connection error.", "Request timed out."], "defaults");
    equal(new APIConnectionError({ message: "x" }).message, "x", "a message given wins");
    check(new APITimeoutError() instanceof APIConnectionError, "a timeout is a connection error");
  });

  test("parity: an error body whose message is an object shows that object", async () => {
    const e = await rejects(via(async () => Response.json({ message: { detail: "short and stout" } }, { status: 418 }))
      .chat.completions.create({ model: "openai/m", messages: hello }), APIError, "418");
    check(e.message.startsWith('418 {"detail":"short and stout"}'), e.message);
    check(e.headers instanceof Headers, "headers, even when the provider sent none worth keeping");
  });

  test("parity: a fetch that fails with a connect timeout is an APITimeoutError", async () => {
    const e = await rejects(via(async () => {
      const err = new TypeError("fetch failed");
      err.cause = Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" });
      throw err;
    }).chat.completions.create({ model: "openai/m", messages: hello }), APITimeoutError, "connect timeout");
    check(e.message.includes("Connect Timeout Error"), e.message);
    await rejects(via(async () => { throw new TypeError("fetch failed"); })
      .chat.completions.create({ model: "openai/m", messages: hello }).catch((x) => {
        if (x instanceof APITimeoutError) throw new Error("a refused connection is no timeout");
        throw x;
      }), APIConnectionError, "refused");
  });

  test("parity: a named error event whose data is null keeps error: null", async () => {
    const stream = await via(sse(`${chunk({ content: "hi" })}event: error\ndata: null\n\n`))
      .chat.completions.create({ model: "openai/m", messages: hello, stream: true });
    const e = await rejects(collect(stream), APIError, "error event");
    check(e.error === null, `error is ${JSON.stringify(e.error)}`);
  });

  test("parity: finalChatCompletion keeps the logprobs object as the chunks carried it", async () => {
    const lp = (t) => ({ content: [{ token: t, logprob: -0.5, bytes: [104], top_logprobs: [] }], refusal: null });
    const stream = await via(sse(chunk({ role: "assistant", content: "h" }, { logprobs: lp("h") }) +
      chunk({ content: "i" }, { logprobs: lp("i") }) + chunk({}, { finish_reason: "stop" }) + "data: [DONE]\n\n"))
      .chat.completions.create({ model: "openai/m", messages: hello, stream: true, logprobs: true });
    const final = await stream.finalChatCompletion();
    equal(final.choices[0].logprobs, { content: [...lp("h").content, ...lp("i").content], refusal: null }, "logprobs");
  });

  test("parity: a stream cut short, re-read through toReadableStream, says so once", async () => {
    const encoder = new TextEncoder();
    const cut = new ReadableStream({ start(c) { c.enqueue(encoder.encode(chunk({ content: "hi" }))); c.close(); } });
    const again = Stream.fromReadableStream(Stream.fromReadableStream(cut).toReadableStream());
    const e = await rejects(collect(again), APIConnectionError, "cut");
    equal(e.message.split("stream ended before completion").length, 2, `said once: ${e.message}`);
  });

  test("parity: a key echoed in a response header is redacted, and the error still made", async () => {
    const e = await rejects(via(async () => Response.json({ error: { message: `bad key ${key}` } },
      { status: 401, headers: { "x-echo": key, "www-authenticate": `Bearer ${key}` } }))
      .chat.completions.create({ model: "openai/m", messages: hello }), AuthenticationError, "401");
    check(!e.headers.get("x-echo").includes(key) && !e.message.includes(key), "no key anywhere");
    check(e.headers.get("x-echo").startsWith("[redacted"), e.headers.get("x-echo"));
  });

  test("parity: a fetch that throws a value whose toString throws is an APIConnectionError", async () => {
    const hostile = { toString() { throw new Error("no toString for you"); } };
    await rejects(via(async () => { throw hostile; }).chat.completions.create({ model: "openai/m", messages: hello }),
      APIConnectionError, "hostile rejection");
  });
}
