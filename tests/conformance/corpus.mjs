// Realistic OpenAI chat requests, as code written for the `openai` package sends them:
// every parameter, every role (`developer` included), content parts, names, images,
// tools and tool results, an earlier answer's reasoning fields, provider-only fields.
// tests/conformance/run.mjs builds each one for every preset and translated format and
// validates what would be sent against that provider's published definition.

const tools = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city.",
    parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } }, required: ["city"], additionalProperties: false },
    strict: true,
  },
}];
const image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const toolTurn = [
  { role: "user", content: "What is the weather in Paris?" },
  { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
  { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
];

/** [name, params without `model`, the features it needs (capability names)]. */
export const corpus = [
  ["plain", { messages: [{ role: "user", content: "Hello" }] }, []],
  ["every role, developer included", {
    messages: [
      { role: "developer", content: "Answer briefly." },
      { role: "system", content: "You are helpful." },
      { role: "user", content: "Hi", name: "ann" },
      { role: "assistant", content: "Hello!", name: "bot" },
      { role: "user", content: "And now?" },
    ],
  }, []],
  ["text parts in every role", {
    messages: [
      { role: "system", content: [{ type: "text", text: "Be brief." }] },
      { role: "user", content: [{ type: "text", text: "Part one." }, { type: "text", text: "Part two." }] },
      { role: "assistant", content: [{ type: "text", text: "Noted." }] },
      { role: "user", content: "Go on." },
    ],
  }, []],
  ["image input", { messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: image, detail: "low" } }] }] }, ["vision"]],
  ["sampling parameters", {
    messages: [{ role: "user", content: "Hello" }],
    temperature: 0.7, top_p: 0.9, max_tokens: 100, stop: ["END"], seed: 42, presence_penalty: 0.5, frequency_penalty: 0.25, user: "user-1",
  }, []],
  ["max_completion_tokens and n", { messages: [{ role: "user", content: "Hello" }], max_completion_tokens: 50, n: 1 }, []],
  ["streamed with usage", { messages: [{ role: "user", content: "Hello" }], stream: true, stream_options: { include_usage: true } }, []],
  ["tools, auto", { messages: [{ role: "user", content: "Weather in Paris?" }], tools, tool_choice: "auto", parallel_tool_calls: false }, ["tools"]],
  ["tools, named", { messages: [{ role: "user", content: "Weather in Paris?" }], tools, tool_choice: { type: "function", function: { name: "get_weather" } } }, ["tools"]],
  ["tools, required, one without parameters", {
    messages: [{ role: "user", content: "Weather in Paris?" }], stop: "END",
    tools: [...tools, { type: "function", function: { name: "now" } }], tool_choice: "required",
  }, ["tools"]],
  ["a tool round trip", { messages: toolTurn, tools }, ["tools"]],
  ["tool result as text parts", { messages: [...toolTurn.slice(0, 2), { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: '{"temp":21}' }] }], tools }, ["tools"]],
  ["JSON mode", { messages: [{ role: "user", content: "Reply in JSON." }], response_format: { type: "json_object" } }, ["json_object"]],
  ["JSON schema", {
    messages: [{ role: "user", content: "A city." }],
    response_format: { type: "json_schema", json_schema: { name: "city", strict: true, schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"], additionalProperties: false } } },
  }, ["json_schema"]],
  ["an earlier answer from another provider", {
    messages: [
      { role: "user", content: "Think, then answer." },
      { role: "assistant", content: "42", reasoning_content: "Six times seven.", thinking_blocks: [{ type: "thinking", thinking: "Six times seven.", signature: "sig" }] },
      { role: "user", content: "Why?" },
    ],
  }, []],
  ["Anthropic prompt-caching marks (a chain that falls back from Claude)", {
    messages: [
      { role: "system", content: [{ type: "text", text: "Long rules.", cache_control: { type: "ephemeral" } }] },
      { role: "user", content: [{ type: "text", text: "Big document.", cache_control: { type: "ephemeral" } }, { type: "text", text: "Question?" }] },
    ],
    tools: [{ ...tools[0], cache_control: { type: "ephemeral" } }],
  }, ["tools"]],
  ["OpenAI-only hints", { messages: [{ role: "user", content: "Hello" }], store: false, metadata: { team: "a" }, service_tier: "auto", prompt_cache_key: "k1", verbosity: "low", safety_identifier: "s1" }, []],
  ["logprobs", { messages: [{ role: "user", content: "Hello" }], logprobs: true, top_logprobs: 2 }, ["logprobs"]],
  ["reasoning effort", { messages: [{ role: "user", content: "Think it through." }], reasoning_effort: "medium", max_completion_tokens: 20000 }, ["reasoning"]],
  ["reasoning off", { messages: [{ role: "user", content: "Answer at once." }], reasoning_effort: "none" }, ["reasoning"]],
  ["reasoning on a tool turn", { messages: toolTurn, tools, reasoning_effort: "high" }, ["reasoning", "tools"]],
];
