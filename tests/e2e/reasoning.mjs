// Reasoning (part of the end-to-end suite, run in every runtime): `reasoning_effort`
// reaches each provider as its own control, which the emulator checks as the provider
// documents it; reasoning comes back as `reasoning_content`, streamed and not, apart from
// the answer; a fallback chain crosses reasoning models of three providers.

import { check, collect, equal, hello, rejects, text } from "./assert.mjs";

export function reasoningTests(test, { onellm, emulator, requests, clearRequests }) {
  const { OpenAI, InvalidRequestError } = onellm;
  const client = () => new OpenAI({
    apiKey: "sk-test", baseURL: `${emulator}/openai/v1`,
    apiKeys: { anthropic: "sk-ant-test-0123456789", google: "AIza-test-0123456789", cohere: "co-test-0123456789", groq: "gsk-test-0123456789", mistral: "mistral-test-0123456789" },
    providers: {
      mistral: { baseURL: `${emulator}/mistral/v1` },
      anthropic: { baseURL: `${emulator}/anthropic/v1` }, google: { baseURL: `${emulator}/gemini/v1beta` },
      cohere: { baseURL: `${emulator}/cohere/v2` }, groq: { baseURL: `${emulator}/groq/openai/v1` },
    },
    dangerouslyAllowBrowser: true,
    maxRetries: 0,
  });
  const reasoning = (chunks) => chunks.map((c) => c.choices[0]?.delta?.reasoning_content ?? "").join("");

  test("reasoning: Claude thinks with a budget, Opus 4.7 adaptively; reasoning apart from the answer", async () => {
    await clearRequests();
    const r = await client().chat.completions.create({ model: "anthropic/claude-sonnet-4-5", messages: hello, reasoning_effort: "medium" });
    equal([r.choices[0].message.content, r.choices[0].message.reasoning_content], ["Echo: Hello there", "Let me think."], "message");
    equal(r.usage.completion_tokens_details, { reasoning_tokens: 3 }, "thinking tokens");
    const stream = await client().chat.completions.create({ model: "anthropic/claude-opus-4-7", messages: hello, reasoning_effort: "xhigh", stream: true });
    const chunks = await collect(stream);
    equal([reasoning(chunks), text(chunks)], ["Let me think.", "Echo: Hello there"], "streamed apart");
    const [plain, streamed] = await requests();
    equal([plain.body.thinking, plain.body.max_tokens], [{ type: "enabled", budget_tokens: 8192 }, 16384], "budget below a raised max_tokens");
    equal([streamed.body.thinking, streamed.body.output_config], [{ type: "adaptive", display: "summarized" }, { effort: "xhigh" }], "adaptive");
    const off = await client().chat.completions.create({ model: "anthropic/claude-sonnet-4-5", messages: hello, reasoning_effort: "none" });
    equal(off.choices[0].message.reasoning_content, undefined, "none: no thinking");
  });

  test("reasoning: Gemini 2.5 budgets and Gemini 3 levels, thoughts streamed as reasoning", async () => {
    await clearRequests();
    const stream = await client().chat.completions.create({ model: "google/gemini-2.5-flash", messages: hello, reasoning_effort: "low", stream: true });
    const chunks = await collect(stream);
    equal([reasoning(chunks), text(chunks)], ["Let me think.", "Echo: Hello there"], "thoughts apart");
    const r = await client().chat.completions.create({ model: "google/gemini-3-flash-preview", messages: hello, reasoning_effort: "minimal" });
    equal(r.choices[0].message.reasoning_content, "Let me think.", "reasoning_content");
    check(r.usage.completion_tokens_details.reasoning_tokens > 0, "thought tokens");
    const [a, b] = await requests();
    equal(a.body.generationConfig.thinkingConfig, { includeThoughts: true, thinkingBudget: 1024 }, "2.5: a budget");
    equal(b.body.generationConfig.thinkingConfig, { includeThoughts: true, thinkingLevel: "MINIMAL" }, "3: a level");
  });

  test("reasoning: Cohere's reasoning models and Groq's parsed reasoning come back as reasoning_content", async () => {
    const r = await client().chat.completions.create({ model: "cohere/command-a-reasoning-08-2025", messages: hello, reasoning_effort: "high" });
    equal([r.choices[0].message.reasoning_content, r.choices[0].message.content], ["Let me think.", "Echo: Hello there"], "cohere");
    const stream = await client().chat.completions.create({ model: "groq/qwen/qwen3-32b", messages: hello, reasoning_effort: "low", stream: true });
    const chunks = await collect(stream);
    equal([reasoning(chunks), text(chunks)], ["Let me think.", "Echo: Hello there"], "groq streamed");
    check(chunks.every((c) => !("reasoning" in (c.choices[0]?.delta ?? {}))), "the host's own name is gone");
    const final = await client().chat.completions.create({ model: "groq/qwen/qwen3-32b", messages: hello, reasoning_effort: "low" });
    equal(final.choices[0].message.reasoning_content, "Let me think.", "groq plain");
    // Mistral answers `content` as chunks, a thinking one first: flattened.
    const m = await client().chat.completions.create({ model: "mistral/mistral-small-latest", messages: hello, reasoning_effort: "medium" });
    equal([m.choices[0].message.content, m.choices[0].message.reasoning_content], ["Echo: Hello there", "Let me think."], "mistral plain");
    const ms = await collect(await client().chat.completions.create({ model: "mistral/magistral-medium-latest", messages: hello, stream: true }));
    equal([reasoning(ms), text(ms)], ["Let me think.", "Echo: Hello there"], "mistral streamed");
    check(ms.every((c) => typeof (c.choices[0]?.delta?.content ?? "") === "string"), "content always a string");
  });

  test("reasoning: one effort across a fallback chain of three providers' reasoning models", async () => {
    await clearRequests();
    const key = `chain${Math.random()}`;
    const r = await client().chat.completions.create({
      model: "openai/o4-mini", messages: hello, reasoning_effort: "low", retries: 0,
      fallback_models: ["anthropic/claude-opus-4-7", "google/gemini-2.5-pro"],
    }, { headers: { "x-emulator-fault": `status=500;times=2;key=${key}` } });
    equal([r.onellm.model, r.choices[0].message.reasoning_content], ["google/gemini-2.5-pro", "Let me think."], "the last one answered");
    const sent = (await requests()).map((q) => q.body);
    equal(sent[0].reasoning_effort, "low", "openai: as is");
    equal([sent[1].thinking.type, sent[1].output_config], ["adaptive", { effort: "low" }], "anthropic: adaptive");
    equal(sent[2].generationConfig.thinkingConfig, { includeThoughts: true, thinkingBudget: 1024 }, "gemini: a budget");
  });

  test("reasoning: refused before sending, naming the field and the provider", async () => {
    await clearRequests();
    const cases = [
      [{ model: "openai/o3", reasoning_effort: "extreme" }, /one of `none`/],
      [{ model: "openai/gpt-4o-mini", reasoning_effort: "low" }, /openai's gpt-4o-mini has no reasoning control/],
      [{ model: "google/gemini-2.5-pro", reasoning_effort: "none" }, /gemini's gemini-2.5-pro cannot stop reasoning/],
      [{ model: "anthropic/claude-sonnet-4-5", reasoning_effort: "high", thinking: { type: "disabled" } }, /contradicts the anthropic field `thinking`/],
      [{ model: "anthropic/claude-sonnet-4-5", reasoning_effort: "low", temperature: 0.3 }, /while the model thinks/],
    ];
    for (const [params, message] of cases) {
      const e = await rejects(client().chat.completions.create({ messages: hello, ...params }), InvalidRequestError, params.model);
      check(message.test(e.message), `${params.model}: ${e.message}`);
      check(["reasoning_effort", "temperature"].includes(e.param), `param ${e.param}`);
    }
    equal((await requests()).length, 0, "nothing sent");
  });
}
