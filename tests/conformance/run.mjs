// Conformance: the providers' published definitions are the judge, not our emulator.
// 1. Every request of corpus.mjs, built by the package for each preset and translated
//    format that has a definition in definitions/ (dated, with SOURCES.md), is either
//    refused before sending (only where the provider cannot honour it, as listed below)
//    or validated against that provider's request schema: closed objects refuse unknown
//    fields as the provider does.
// 2. Every answer and stream chunk, from every wire format (through the emulator) and
//    from recorded answers of presets that depart from OpenAI's shape, validates against
//    OpenAI's own CreateChatCompletionResponse / CreateChatCompletionStreamResponse.
// Run by `npm test` in Node, against the built package.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { corpus } from "./corpus.mjs";

const definition = (name) => JSON.parse(readFileSync(new URL(`./definitions/${name}.json`, import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const schema = (name) => ajv.compile(definition(name));

/**
 * Where each request goes, the definition that judges it, and the corpus entries the
 * provider is expected to refuse before sending (what its capability row says it
 * cannot honour).
 */
const REASONING = ["reasoning effort", "reasoning off", "reasoning on a tool turn"];
const targets = [
  { provider: "openai", model: "openai/gpt-4o", def: "openai.chat-request", refuses: REASONING },
  { provider: "azure", model: "azure/my-deployment", def: "openai.chat-request", refuses: [] },
  { provider: "mistral", model: "mistral/mistral-small-latest", def: "mistral.chat-request", refuses: ["logprobs"] },
  { provider: "deepseek", model: "deepseek/deepseek-chat", def: "deepseek.chat-request", refuses: ["image input", "JSON schema"] },
  { provider: "groq", model: "groq/llama-3.3-70b-versatile", def: "groq.chat-request", refuses: ["logprobs", ...REASONING] },
  { provider: "cohere", model: "cohere/command-a-03-2025", def: "cohere.chat-request", refuses: ["image input", "tools, named", "logprobs", ...REASONING] },
  { provider: "cohere", model: "cohere/command-a-vision-07-2025", def: "cohere.chat-request", refuses: ["tools, named", "logprobs", ...REASONING] },
  { provider: "anthropic", model: "anthropic/claude-sonnet-4-5", def: "anthropic.messages-request", refuses: ["logprobs"] },
  { provider: "google", model: "google/gemini-2.5-flash", def: "gemini.generate-content-request", refuses: [] },
  // Reasoning models, on the reasoning entries: each family's own control, as defined.
  { provider: "openai", model: "openai/o4-mini", def: "openai.chat-request", only: REASONING, refuses: ["reasoning off"] },
  { provider: "groq", model: "groq/qwen/qwen3-32b", def: "groq.chat-request", only: REASONING, refuses: [] },
  { provider: "cohere", model: "cohere/command-a-reasoning-08-2025", def: "cohere.chat-request", only: REASONING, refuses: [] },
  { provider: "anthropic", model: "anthropic/claude-opus-4-7", def: "anthropic.messages-request", only: REASONING, refuses: [] },
  { provider: "anthropic", model: "anthropic/claude-opus-4-5", def: "anthropic.messages-request", only: REASONING, refuses: [] },
  { provider: "google", model: "google/gemini-2.5-pro", def: "gemini.generate-content-request", only: REASONING, refuses: ["reasoning off"] },
  { provider: "google", model: "google/gemini-3-flash-preview", def: "gemini.generate-content-request", only: REASONING, refuses: [] },
];

function failure(errors) {
  return errors.slice(0, 6).map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""}`).join("; ");
}

async function requestConformance(onellm) {
  const results = [];
  for (const t of targets) {
    const validate = schema(t.def);
    const started = Date.now();
    const problems = [];
    let sentCount = 0;
    for (const [name, params] of corpus) {
      if (t.only && !t.only.includes(name)) continue;
      const sent = [];
      const client = new onellm.OpenAI({
        apiKeys: { [t.provider]: "sk-conformance-0123456789" },
        providers: { azure: { resource: "conformance" } },
        maxRetries: 0,
        fetch: async (url, init) => {
          sent.push(JSON.parse(init.body));
          return Response.json({ error: { message: "conformance: not answered" } }, { status: 400 });
        },
      });
      let refused;
      try {
        await client.chat.completions.create({ model: t.model, ...params });
      } catch (e) {
        if (e instanceof onellm.InvalidRequestError) refused = e;
      }
      const expected = t.refuses.includes(name);
      if (refused && !expected) problems.push(`${name}: refused before sending (${refused.message})`);
      if (!refused && expected) problems.push(`${name}: sent, though ${t.provider} cannot honour it`);
      for (const body of sent) {
        sentCount++;
        if (!validate(body)) problems.push(`${name}: ${failure(validate.errors)}`);
      }
    }
    results.push({
      name: `${t.model}: ${sentCount} bodies valid against ${t.def}.json, ${t.refuses.length} refused as expected`,
      ok: problems.length === 0, error: problems.join("\n"), ms: Date.now() - started,
    });
  }
  return results;
}

async function answerConformance(onellm, emulator) {
  const completion = schema("openai.chat-response");
  const chunk = schema("openai.chat-chunk");
  const results = [];
  const client = new onellm.OpenAI({
    apiKey: "sk-test", baseURL: `${emulator}/openai/v1`,
    apiKeys: { anthropic: "sk-ant-test-0123456789", google: "AIza-test-0123456789", cohere: "co-test-0123456789", azure: "azure-test-0123456789" },
    providers: {
      anthropic: { baseURL: `${emulator}/anthropic/v1` }, google: { baseURL: `${emulator}/gemini/v1beta` },
      cohere: { baseURL: `${emulator}/cohere/v2` }, azure: { baseURL: `${emulator}/azure/openai` },
    },
  });
  const weather = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
  const cases = [
    ["plain", { messages: [{ role: "user", content: "Hello there" }] }],
    ["tool call", { messages: [{ role: "user", content: "What is the weather in Paris?" }], tools: weather }],
    ["JSON mode", { messages: [{ role: "user", content: "Hello" }], response_format: { type: "json_object" } }],
    ["cut by max_tokens", { messages: [{ role: "user", content: "one two three four" }], max_tokens: 2 }],
  ];
  const models = ["openai/gpt-4o-mini", "azure/deployment-1", "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash", "cohere/command-a-03-2025"];
  for (const model of models) {
    const started = Date.now();
    const problems = [];
    let checked = 0;
    const judge = (validate, value, what) => {
      checked++;
      if (!validate(value)) problems.push(`${what}: ${failure(validate.errors)}`);
    };
    for (const [name, params] of cases) {
      judge(completion, await client.chat.completions.create({ model, ...params }), `${name}, completion`);
      const stream = await client.chat.completions.create({ model, ...params, stream: true, stream_options: { include_usage: true } });
      for await (const c of stream) judge(chunk, c, `${name}, chunk`);
      judge(completion, await stream.finalChatCompletion(), `${name}, finalChatCompletion()`);
    }
    results.push({ name: `${model}: ${checked} answers and chunks valid against OpenAI's response schemas`,
      ok: problems.length === 0, error: problems.join("\n"), ms: Date.now() - started });
  }
  return results;
}

/**
 * Mistral's tool calls as its API sends them (no `type`; streamed without `index`):
 * given OpenAI's shape back, so that `call.type === "function"` and `calls[d.index]` hold.
 */
async function mistralToolCalls(onellm) {
  const started = Date.now();
  const call = (id, city) => ({ id, function: { name: "get_weather", arguments: JSON.stringify({ city }) } });
  const head = { id: "cmpl-1", object: "chat.completion.chunk", created: 1732018464, model: "mistral-small-latest" };
  const body = {
    id: "cmpl-1", object: "chat.completion", created: 1732018464, model: "mistral-small-latest",
    usage: { prompt_tokens: 93, completion_tokens: 22, total_tokens: 115 },
    choices: [{ index: 0, message: { role: "assistant", content: "", tool_calls: [call("a1", "Paris"), call("a2", "Rome")] }, finish_reason: "tool_calls" }],
  };
  const events = [
    { ...head, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: { tool_calls: [call("a1", "Paris")] }, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: { tool_calls: [call("a2", "Rome")] }, finish_reason: "tool_calls" }], usage: body.usage },
  ];
  const sse = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") + "data: [DONE]\n\n";
  const client = new onellm.OpenAI({
    apiKeys: { mistral: "mistral-test-0123456789" },
    fetch: async (url, init) => JSON.parse(init.body).stream
      ? new Response(sse, { headers: { "content-type": "text/event-stream" } })
      : Response.json(body),
  });
  const problems = [];
  const params = { model: "mistral/mistral-small-latest", messages: [{ role: "user", content: "Weather?" }], tools: [{ type: "function", function: { name: "get_weather", parameters: {} } }] };
  const r = await client.chat.completions.create(params);
  const types = r.choices[0].message.tool_calls.map((c) => c.type);
  if (types.join() !== "function,function") problems.push(`completion tool call types: ${types}`);
  const validate = schema("openai.chat-response");
  if (!validate(r)) problems.push(`completion: ${failure(validate.errors)}`);
  const stream = await client.chat.completions.create({ ...params, stream: true });
  const indexes = [];
  for await (const c of stream) for (const d of c.choices[0]?.delta?.tool_calls ?? []) indexes.push([d.index, d.type]);
  if (JSON.stringify(indexes) !== JSON.stringify([[0, "function"], [1, "function"]])) problems.push(`streamed deltas: ${JSON.stringify(indexes)}`);
  const final = await stream.finalChatCompletion();
  const cities = final.choices[0].message.tool_calls.map((c) => JSON.parse(c.function.arguments).city);
  if (cities.join() !== "Paris,Rome") problems.push(`finalChatCompletion kept ${cities}`);
  return { name: "mistral: tool calls come back typed and, streamed, numbered", ok: problems.length === 0, error: problems.join("\n"), ms: Date.now() - started };
}

export async function runConformance(emulator) {
  const onellm = await import("../../pkg/node.js");
  const results = [...await requestConformance(onellm), ...await answerConformance(onellm, emulator), await mistralToolCalls(onellm)];
  return { runtime: "conformance", results };
}
