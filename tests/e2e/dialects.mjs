// Dialects (part of the end-to-end suite, run in every runtime): ordinary OpenAI requests
// routed to providers stricter than OpenAI reach the emulator's routes that enforce those
// providers' published definitions (tests/conformance/definitions) and are accepted; the
// answers come back in OpenAI's exact shape; what a format lacks is refused before sending.

import { check, collect, equal, hello, rejects, text } from "./assert.mjs";

export function dialectTests(test, { onellm, emulator, requests, clearRequests }) {
  const { OpenAI, InvalidRequestError } = onellm;
  const client = () => new OpenAI({
    apiKeys: { mistral: "mistral-test-0123456789", deepseek: "deepseek-test-0123456789", anthropic: "sk-ant-test-0123456789" },
    providers: {
      mistral: { baseURL: `${emulator}/mistral/v1` },
      deepseek: { baseURL: `${emulator}/deepseek` },
      anthropic: { baseURL: `${emulator}/anthropic/v1` },
    },
    dangerouslyAllowBrowser: true,
    maxRetries: 0,
  });
  const weather = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
  // What code written for the `openai` package sends, an earlier Anthropic answer included.
  const conversation = [
    { role: "developer", content: "Answer briefly." },
    { role: "user", content: [{ type: "text", text: "Think first." }], name: "ann" },
    { role: "assistant", content: "Done.", reasoning_content: "I thought.", thinking_blocks: [{ type: "thinking", thinking: "I thought.", signature: "s" }] },
    { role: "user", content: "Hello there" },
  ];

  test("dialects: Mistral accepts what OpenAI code sends, and its tool calls come back typed and numbered", async () => {
    await clearRequests();
    const r = await client().chat.completions.create({ model: "mistral/mistral-small-latest", messages: conversation,
      seed: 7, user: "u", store: true, verbosity: "low", max_completion_tokens: 100 });
    equal(r.choices[0].message.content, "Echo: Hello there", "answered (the emulator holds Mistral's closed schema)");
    equal([r.choices[0].logprobs, r.choices[0].message.refusal], [null, null], "OpenAI's members filled in");
    const [sent] = await requests();
    equal([sent.body.messages[0].role, "name" in sent.body.messages[1], sent.body.random_seed], ["system", false, 7], "rewritten");
    const ask = { model: "mistral/mistral-small-latest", messages: [{ role: "user", content: "What is the weather in Paris?" }], tools: weather };
    const plain = await client().chat.completions.create(ask);
    const call = plain.choices[0].message.tool_calls[0];
    equal([call.type, JSON.parse(call.function.arguments)], ["function", { city: "Paris" }], "typed tool call");
    const stream = await client().chat.completions.create({ ...ask, stream: true });
    const deltas = (await collect(stream)).flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    equal(deltas.map((d) => [d.index, d.type]), [[0, "function"]], "streamed deltas numbered and typed");
    equal((await stream.finalChatCompletion()).choices[0].message.tool_calls[0].function.name, "get_weather", "final");
  });

  test("dialects: DeepSeek gets strings for content parts and system for developer", async () => {
    await clearRequests();
    const r = await client().chat.completions.create({ model: "deepseek/deepseek-chat", messages: conversation });
    equal(r.choices[0].message.content, "Echo: Hello there", "accepted by DeepSeek's definition");
    const [sent] = await requests();
    equal([sent.body.messages[0].role, sent.body.messages[1].content], ["system", "Think first."], "rewritten");
    equal(sent.body.messages[2].reasoning_content, "I thought.", "DeepSeek keeps its reasoning back");
    const stream = await client().chat.completions.create({ model: "deepseek/deepseek-chat", messages: conversation, stream: true });
    equal(text(await collect(stream)), "Echo: Hello there", "streamed too");
  });

  test("dialects: an OpenAI parameter a translated format lacks is refused before sending, or dropped as a hint", async () => {
    await clearRequests();
    const e = await rejects(client().chat.completions.create({ model: "anthropic/claude-sonnet-4-5", messages: hello,
      web_search_options: {} }), InvalidRequestError, "web search");
    equal([e.param, e.provider], ["web_search_options", "anthropic"], "named");
    equal((await requests()).length, 0, "nothing sent");
    const r = await client().chat.completions.create({ model: "anthropic/claude-sonnet-4-5", messages: hello,
      store: true, metadata: { team: "a" }, prompt_cache_key: "k" });
    equal(r.choices[0].message.content, "Echo: Hello there", "hints dropped");
    const [sent] = await requests();
    check(!("store" in sent.body) && !("metadata" in sent.body) && !("prompt_cache_key" in sent.body), JSON.stringify(sent.body));
  });
}
