#!/usr/bin/env node
// Self-test of the emulator: starts it in-process and checks every documented behaviour
// with Node's global fetch. Run: node tests/emulator/selftest.mjs  (exit 1 on failure)

import assert from "node:assert/strict";
import { startEmulator } from "./server.mjs";

const emu = await startEmulator();
const CHAT = `${emu.url}/openai/v1/chat/completions`;
const KEY = { authorization: "Bearer sk-test", "content-type": "application/json" };
const USER = [{ role: "user", content: "one two three" }];

function chat(body, headers = {}, init = {}) {
  return fetch(CHAT, { method: "POST", headers: { ...KEY, ...headers }, body: JSON.stringify(body), ...init });
}

/** Parses SSE text into the list of `data:` payloads (JSON where possible). */
function sseData(text) {
  return text
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => e.slice(6))
    .map((d) => {
      try {
        return JSON.parse(d);
      } catch {
        return d;
      }
    });
}

// --- Anthropic Messages helpers ---
const MESSAGES = `${emu.url}/anthropic/v1/messages`;
const AKEY = { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01", "content-type": "application/json" };
const AUSER = [{ role: "user", content: "one two three" }];
const WEATHER_TOOL = { name: "get_weather", description: "", input_schema: { type: "object", properties: { city: { type: "string" } } } };

function messages(body, headers = {}, init = {}) {
  return fetch(MESSAGES, { method: "POST", headers: { ...AKEY, ...headers }, body: JSON.stringify({ max_tokens: 1024, ...body }), ...init });
}

/** Parses Anthropic SSE into [{ event, raw, data }] (data is JSON where possible). */
function sseEvents(text) {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1];
      const raw = /^data: (.*)$/m.exec(chunk)?.[1];
      let data = raw;
      try {
        data = JSON.parse(raw);
      } catch {}
      return { event, raw, data };
    });
}

async function expectAnthropicError(res, status, type, message) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const requestId = res.headers.get("request-id");
  assert.match(requestId, /^req_emu_\d+$/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["type", "error", "request_id"]);
  assert.equal(body.type, "error");
  assert.equal(body.request_id, requestId);
  assert.deepEqual(Object.keys(body.error), ["type", "message"]);
  assert.equal(body.error.type, type);
  if (message instanceof RegExp) assert.match(body.error.message, message);
  else if (message !== undefined) assert.equal(body.error.message, message);
}

// --- Gemini helpers ---
const GEMINI = `${emu.url}/gemini/v1beta/models`;
const GKEY = { "x-goog-api-key": "AIza-test", "content-type": "application/json" };
const GUSER = [{ role: "user", parts: [{ text: "one two three" }] }];
const WEATHER_DECL = { functionDeclarations: [{ name: "get_weather", description: "", parameters: { type: "OBJECT", properties: { city: { type: "STRING" } } } }, { name: "get_time" }] };

/** POST to models/{model}:{method}; body strings are sent as is. */
function gemini(body, { model = "gemini-emu", method = "generateContent", query = "", headers = GKEY, init = {} } = {}) {
  return fetch(`${GEMINI}/${model}:${method}${query}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body), ...init });
}

function geminiStream(body, options = {}) {
  return gemini(body, { method: "streamGenerateContent", query: "?alt=sse", ...options });
}

/** Splits Gemini SSE (CRLF-framed) into its `data:` payloads, JSON where possible; asserts the framing. */
function geminiEvents(text) {
  if (text === "") return [];
  assert.ok(text.endsWith("\r\n\r\n"), `stream ends with CRLF CRLF: ${JSON.stringify(text.slice(-30))}`);
  const chunks = text.slice(0, -4).split("\r\n\r\n");
  return chunks.map((chunk) => {
    assert.ok(chunk.startsWith("data: ") && !chunk.includes("\n"), `one data line per event: ${JSON.stringify(chunk.slice(0, 60))}`);
    try {
      return JSON.parse(chunk.slice(6));
    } catch {
      return chunk.slice(6);
    }
  });
}

function geminiDeltas(fragments, { thought = false, candidate = 0 } = {}) {
  return fragments
    .flatMap((f) => f.candidates?.find((c) => c.index === candidate)?.content?.parts ?? [])
    .filter((p) => typeof p.text === "string" && (p.thought === true) === thought)
    .map((p) => p.text)
    .join("");
}

async function expectGoogleError(res, code, status, message, details) {
  assert.equal(res.status, code);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.equal(body.error.code, code);
  assert.equal(body.error.status, status);
  if (message instanceof RegExp) assert.match(body.error.message, message);
  else if (message !== undefined) assert.equal(body.error.message, message);
  if (details !== undefined) assert.deepEqual(body.error.details, details);
  return body;
}

// --- Cohere v2 chat helpers ---
const COHERE = `${emu.url}/cohere/v2/chat`;
const CKEY = { authorization: "Bearer co-test", "content-type": "application/json" };
const CUSER = [{ role: "user", content: "one two three" }];
const CTOOLS = [{ type: "function", function: { name: "get_weather", description: "", parameters: { type: "object", properties: { city: { type: "string" } } } } }];

/** POST to /cohere/v2/chat; body strings are sent as is. */
function cohere(body, headers = {}, init = {}) {
  return fetch(COHERE, { method: "POST", headers: { ...CKEY, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body), ...init });
}

async function expectCohereError(res, status, message) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["id", "message"]);
  assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  if (message instanceof RegExp) assert.match(body.message, message);
  else if (message !== undefined) assert.equal(body.message, message);
  return body;
}

// --- Azure OpenAI helpers ---
const AZURE = `${emu.url}/azure/openai/deployments`;
const AZKEY = { "api-key": "az-test", "content-type": "application/json" };

function azure(body, { deployment = "gpt4o-prod", query = "?api-version=2024-10-21", headers = AZKEY, init = {} } = {}) {
  return fetch(`${AZURE}/${deployment}/chat/completions${query}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body), ...init });
}

async function expectAzureError(res, status, code, message) {
  assert.equal(res.status, status);
  const body = await res.json();
  assert.deepEqual(body, { error: { code, message } });
}

function deltaText(events) {
  return events.map((e) => e?.choices?.[0]?.delta?.content ?? "").join("");
}

async function expectError(res, status, fields) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const body = await res.json();
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof RegExp) assert.match(body.error[k], v);
    else assert.equal(body.error[k], v, `error.${k}`);
  }
}

const tests = {
  async "health and CORS preflight"() {
    assert.deepEqual(await (await fetch(`${emu.url}/health`)).json(), { ok: true });
    const res = await fetch(CHAT, { method: "OPTIONS" });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.equal(res.headers.get("access-control-allow-methods"), "GET, POST, DELETE, OPTIONS");
    assert.match(res.headers.get("access-control-allow-headers"), /\*/);
    assert.equal(res.headers.get("access-control-expose-headers"), "*");
  },

  async "plain completion"() {
    const res = await chat({ model: "gpt-emu", messages: [{ role: "system", content: "be brief" }, ...USER] });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.match(res.headers.get("x-request-id"), /^req_\d+$/);
    assert.ok(res.headers.get("openai-processing-ms"));
    const body = await res.json();
    assert.match(body.id, /^chatcmpl-emu-\d+$/);
    assert.equal(body.object, "chat.completion");
    assert.equal(body.created, 1700000000);
    assert.equal(body.model, "gpt-emu");
    assert.equal(body.system_fingerprint, "fp_emulator");
    assert.deepEqual(body.choices, [
      { index: 0, message: { role: "assistant", content: "Echo: one two three", refusal: null }, logprobs: null, finish_reason: "stop" },
    ]);
    assert.equal(body.usage.prompt_tokens, 5);
    assert.equal(body.usage.completion_tokens, 4);
    assert.equal(body.usage.total_tokens, 9);
  },

  async "parts content, no user message, n, max_tokens"() {
    let body = await (await chat({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "image_url", image_url: { url: "https://example.com/a.png" } }, { type: "text", text: "b" }] }] })).json();
    assert.equal(body.choices[0].message.content, "Echo: a b");
    body = await (await chat({ model: "m", messages: [{ role: "system", content: "x" }] })).json();
    assert.equal(body.choices[0].message.content, "Hello from the onellm emulator.");
    body = await (await chat({ model: "m", n: 3, messages: USER })).json();
    assert.deepEqual(body.choices.map((c) => c.index), [0, 1, 2]);
    body = await (await chat({ model: "m", max_completion_tokens: 2, messages: USER })).json();
    assert.equal(body.choices[0].message.content, "Echo: one ");
    assert.equal(body.choices[0].finish_reason, "length");
    assert.equal(body.usage.completion_tokens, 2);
  },

  async "tool call, tool result, json mode"() {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: {} } }];
    let body = await (await chat({ model: "m", tools, messages: [{ role: "user", content: "What is the weather?" }] })).json();
    assert.deepEqual(body.choices[0].message, {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "call_emu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
      refusal: null,
    });
    assert.equal(body.choices[0].finish_reason, "tool_calls");
    body = await (await chat({ model: "m", tools, messages: [{ role: "user", content: "weather?" }, { role: "tool", tool_call_id: "call_emu_1", content: "sunny" }] })).json();
    assert.equal(body.choices[0].message.content, "The tool said: sunny");
    body = await (await chat({ model: "m", response_format: { type: "json_object" }, messages: USER })).json();
    assert.deepEqual(JSON.parse(body.choices[0].message.content), { echo: "one two three" });
  },

  async "stream deltas equal non-stream content"() {
    const headers = { "x-emulator-repeat": "20" };
    const plain = await (await chat({ model: "m", messages: USER }, headers)).json();
    const res = await chat({ model: "m", stream: true, messages: USER }, headers);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const events = sseData(await res.text());
    assert.deepEqual(events[0].choices[0].delta, { role: "assistant", content: "", refusal: null });
    assert.equal(events.at(-1), "[DONE]");
    const finish = events.at(-2);
    assert.deepEqual(finish.choices[0].delta, {});
    assert.equal(finish.choices[0].finish_reason, "stop");
    assert.ok(!("usage" in finish));
    assert.equal(deltaText(events), plain.choices[0].message.content);
    assert.equal(events.length - 3, plain.usage.completion_tokens);
  },

  async "stream include_usage"() {
    const res = await chat({ model: "m", stream: true, stream_options: { include_usage: true }, messages: USER });
    const events = sseData(await res.text());
    const usageChunk = events.at(-2);
    assert.deepEqual(usageChunk.choices, []);
    assert.equal(usageChunk.usage.total_tokens, 7);
    for (const e of events.slice(0, -2)) assert.equal(e.usage, null);
  },

  async "stream tool call"() {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: {} } }];
    const events = sseData(await (await chat({ model: "m", stream: true, tools, messages: [{ role: "user", content: "weather in Paris" }] })).text());
    assert.equal(events[0].choices[0].delta.tool_calls[0].function.name, "get_weather");
    const args = events.slice(1, -2).map((e) => e.choices[0].delta.tool_calls[0].function.arguments).join("");
    assert.equal(args, '{"city":"Paris"}');
    assert.equal(events.at(-2).choices[0].finish_reason, "tool_calls");
  },

  async "validation errors"() {
    await expectError(await fetch(CHAT, { method: "POST", body: "{}" }), 401, { message: /^You didn't provide an API key/, type: "invalid_request_error", code: null });
    await expectError(await chat({ model: "m", messages: USER }, { authorization: "Bearer sk-bad" }), 401, { message: /^Incorrect API key provided: sk-bad\./, code: "invalid_api_key" });
    await expectError(await fetch(CHAT, { method: "POST", headers: KEY, body: "{nope" }), 400, { message: /^We could not parse the JSON body/, type: "invalid_request_error" });
    await expectError(await chat({ messages: USER }), 400, { message: "you must provide a model parameter", param: null });
    await expectError(await chat({ model: "m" }), 400, { message: "Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter" });
    await expectError(await chat({ model: "no-such-model", messages: USER }), 404, { code: "model_not_found" });
    await expectError(await fetch(`${emu.url}/nope`), 404, { message: "Invalid URL (GET /nope)" });
  },

  async "status faults, retry headers, times/key, model-name faults"() {
    const fault = { "x-emulator-fault": "status=429;retry-after=2;retry-after-ms=1500;times=1;key=selftest" };
    const first = await chat({ model: "m", messages: USER }, fault);
    assert.equal(first.headers.get("retry-after"), "2");
    assert.equal(first.headers.get("retry-after-ms"), "1500");
    await expectError(first, 429, { type: "requests", code: "rate_limit_exceeded", message: /^Rate limit reached for m/ });
    assert.equal((await chat({ model: "m", messages: USER }, fault)).status, 200);
    await expectError(await chat({ model: "m", messages: USER }, { "x-emulator-fault": "status=500" }), 500, { type: "server_error" });
    await expectError(await chat({ model: "m", messages: USER }, { "x-emulator-fault": "status=503" }), 503, { message: "The engine is currently overloaded, please try again later" });
    const viaModel = { model: "fault-status=503_times=1_key=selftest-model", messages: USER };
    assert.equal((await chat(viaModel)).status, 503);
    const ok = await (await chat(viaModel)).json();
    assert.equal(ok.model, viaModel.model);
  },

  async "html502"() {
    const res = await chat({ model: "m", messages: USER }, { "x-emulator-fault": "html502" });
    assert.equal(res.status, 502);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    assert.match(await res.text(), /<title>502 Bad Gateway<\/title>/);
  },

  async "stream faults: malformed, no-done, error-event, cut"() {
    const stream = { model: "m", stream: true, messages: USER };
    let text = await (await chat(stream, { "x-emulator-fault": "malformed" })).text();
    assert.ok(text.includes('data: {"id":"chatcmpl-broken", not json\n\n'));
    assert.ok(text.endsWith("data: [DONE]\n\n"));
    text = await (await chat(stream, { "x-emulator-fault": "no-done" })).text();
    assert.ok(!text.includes("[DONE]"));
    assert.equal(sseData(text).at(-1).choices[0].finish_reason, "stop");
    text = await (await chat(stream, { "x-emulator-fault": "error-event" })).text();
    const events = sseData(text);
    assert.equal(events.length, 3);
    assert.equal(events[2].error.type, "server_error");
    await assert.rejects((await chat(stream, { "x-emulator-fault": "cut" })).text());
    await assert.rejects((await chat({ model: "m", messages: USER }, { "x-emulator-fault": "cut" })).text());
  },

  async "stream faults: stall holds the connection, trickle keeps it alive"() {
    const stream = { model: "m", stream: true, messages: USER };
    const res = await chat(stream, { "x-emulator-fault": "stall;after=1" });
    const reader = res.body.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.equal(sseData(first).length, 1, "one event, then nothing");
    const quiet = await Promise.race([reader.read().then(() => "data"), new Promise((r) => setTimeout(() => r("quiet"), 150))]);
    assert.equal(quiet, "quiet");
    await reader.cancel();
    const t0 = performance.now();
    const text = await (await chat(stream, { "x-emulator-fault": "trickle;after=1;every=40;count=3" })).text();
    assert.ok(performance.now() - t0 >= 3 * 40 - 5, "the keep-alives are paced");
    assert.equal(text.split(": keep-alive\n\n").length, 4, "three keep-alive comments");
    assert.ok(text.endsWith("data: [DONE]\n\n"), "then the rest of the stream");
    const bad = await chat(stream, { "x-emulator-fault": "trickle;every=x" });
    assert.equal(bad.status, 400);
  },

  async "definitions: OpenAI's, Mistral's and DeepSeek's refuse what their providers refuse"() {
    const post = (path, body) => fetch(`${emu.url}${path}`, { method: "POST", headers: { authorization: "Bearer sk-test", "content-type": "application/json" }, body: JSON.stringify(body) });
    let res = await chat({ model: "m", messages: USER, temperature: "hot" });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.param, "temperature");
    res = await post("/mistral/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "hi", name: "ann" }], store: true });
    assert.equal(res.status, 422);
    const detail = (await res.json()).message.detail;
    assert.deepEqual(detail.map((d) => d.loc), [["body", "store"], ["body", "messages", 0, "name"]]);
    assert.equal(detail[0].msg, "Extra inputs are not permitted");
    res = await post("/mistral/v1/chat/completions", { model: "m", messages: [{ role: "developer", content: "hi" }] });
    assert.equal(res.status, 422);
    const weather = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const asked = { model: "m", messages: [{ role: "user", content: "What is the weather?" }], tools: weather };
    const plain = await (await post("/mistral/v1/chat/completions", asked)).json();
    const call = plain.choices[0].message.tool_calls[0];
    assert.deepEqual([call.type, "logprobs" in plain.choices[0], "refusal" in plain.choices[0].message], [undefined, false, false]);
    const streamed = sseData(await (await post("/mistral/v1/chat/completions", { ...asked, stream: true })).text());
    const delta = streamed.find((c) => c.choices?.[0]?.delta?.tool_calls).choices[0].delta.tool_calls[0];
    assert.deepEqual([delta.index, delta.type, JSON.parse(delta.function.arguments)], [undefined, undefined, { city: "Paris" }]);
    res = await post("/deepseek/chat/completions", { model: "m", messages: [{ role: "developer", content: "hi" }] });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error.message, /^Failed to deserialize the JSON body/);
    res = await post("/deepseek/chat/completions", { model: "m", messages: [{ role: "system", content: [{ type: "text", text: "x" }] }, { role: "user", content: "hi" }] });
    assert.equal(res.status, 400);
    assert.equal((await post("/deepseek/chat/completions", { model: "m", messages: USER })).status, 200);
  },

  async "delay paces the stream"() {
    const t0 = performance.now();
    const res = await chat({ model: "m", stream: true, messages: USER }, { "x-emulator-delay-ms": "30" });
    await res.text(); // role + 4 pieces + finish + [DONE] = 7 events
    assert.ok(performance.now() - t0 >= 7 * 30 - 5, "stream finished too fast");
  },

  async "hang until the client aborts"() {
    await assert.rejects(chat({ model: "m", messages: USER }, { "x-emulator-fault": "hang" }, { signal: AbortSignal.timeout(150) }), { name: "TimeoutError" });
  },

  async "anthropic: validation errors"() {
    const ok = { model: "claude-emu", max_tokens: 10, messages: AUSER };
    const send = (body, headers = AKEY) => fetch(MESSAGES, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
    const { "x-api-key": _k, ...noKey } = AKEY;
    const { "anthropic-version": _v, ...noVersion } = AKEY;
    await expectAnthropicError(await send(ok, noKey), 401, "authentication_error", "x-api-key header is required");
    await expectAnthropicError(await send(ok, { ...AKEY, "x-api-key": "sk-bad-1" }), 401, "authentication_error", "invalid x-api-key");
    await expectAnthropicError(await send(ok, noVersion), 400, "invalid_request_error", "anthropic-version: header is required");
    await expectAnthropicError(await send("{nope"), 400, "invalid_request_error", /^The request body is not valid JSON/);
    await expectAnthropicError(await send("[1]"), 400, "invalid_request_error");
    await expectAnthropicError(await send({ max_tokens: 10, messages: AUSER }), 400, "invalid_request_error", "model: Field required");
    await expectAnthropicError(await send({ model: 1, max_tokens: 10, messages: AUSER }), 400, "invalid_request_error", "model: Input should be a valid string");
    await expectAnthropicError(await send({ model: "m", max_tokens: 10 }), 400, "invalid_request_error", "messages: Field required");
    await expectAnthropicError(await send({ model: "m", max_tokens: 10, messages: {} }), 400, "invalid_request_error", "messages: Input should be a valid list");
    await expectAnthropicError(await send({ model: "m", messages: AUSER }), 400, "invalid_request_error", "max_tokens: Field required");
    await expectAnthropicError(await send({ ...ok, max_tokens: 0 }), 400, "invalid_request_error", /^max_tokens: /);
    await expectAnthropicError(await send({ ...ok, max_tokens: 1.5 }), 400, "invalid_request_error", /^max_tokens: /);
    await expectAnthropicError(await send({ ...ok, messages: [{ role: "system", content: "x" }, ...AUSER] }), 400, "invalid_request_error",
      'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.');
    await expectAnthropicError(await send({ ...ok, messages: [...AUSER, { role: "tool", content: "x" }] }), 400, "invalid_request_error", /^messages\.1\.role: /);
    await expectAnthropicError(await send({ ...ok, messages: [] }), 400, "invalid_request_error", /^messages: /);
    await expectAnthropicError(await send({ ...ok, messages: [{ role: "assistant", content: "hi" }, ...AUSER] }), 400, "invalid_request_error", 'messages: first message must use the "user" role');
    // Consecutive same-role turns are fine.
    assert.equal((await send({ ...ok, messages: [...AUSER, ...AUSER, { role: "assistant", content: "a" }, { role: "assistant", content: "b" }] })).status, 200);
    // tool_result must answer a tool_use of the immediately preceding assistant message.
    const toolUse = { role: "assistant", content: [{ type: "tool_use", id: "toolu_a", name: "get_weather", input: {} }] };
    const result = (id) => ({ role: "user", content: [{ type: "text", text: "here" }, { type: "tool_result", tool_use_id: id, content: "sunny" }] });
    await expectAnthropicError(await send({ ...ok, messages: [...AUSER, toolUse, result("toolu_b")] }), 400, "invalid_request_error",
      "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_b. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
    await expectAnthropicError(await send({ ...ok, messages: [...AUSER, toolUse, ...AUSER, result("toolu_a")] }), 400, "invalid_request_error", /^messages\.3\.content\.1: unexpected `tool_use_id`/);
    assert.equal((await send({ ...ok, messages: [...AUSER, toolUse, result("toolu_a")] })).status, 200);
    await expectAnthropicError(await send({ ...ok, model: "no-such-model" }), 404, "not_found_error", "model: no-such-model");
    await expectAnthropicError(await fetch(`${emu.url}/anthropic/v1/nope`, { method: "POST", headers: AKEY, body: "{}" }), 404, "not_found_error");
    // Checks come before faults: an invalid request is not faulted.
    assert.equal((await send({ ...ok, model: "fault-status=500" }, noVersion)).status, 400);
  },

  async "anthropic: message shape, text blocks, pirate system, cache"() {
    const res = await messages({ model: "claude-emu", messages: AUSER });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.match(res.headers.get("request-id"), /^req_emu_\d+$/);
    assert.equal(res.headers.get("openai-processing-ms"), null);
    const body = await res.json();
    assert.match(body.id, /^msg_emu_\d+$/);
    assert.deepEqual(body, {
      model: "claude-emu",
      id: body.id,
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "Echo: one two three" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 4 },
    });
    const blocks = [{ role: "user", content: [{ type: "text", text: "a" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }, { type: "text", text: "b" }] }];
    let out = await (await messages({ model: "m", messages: blocks })).json();
    assert.equal(out.content[0].text, "Echo: a b");
    out = await (await messages({ model: "m", system: "You are a pirate.", messages: AUSER })).json();
    assert.equal(out.content[0].text, "Arr! Echo: one two three");
    assert.equal(out.usage.cache_read_input_tokens, 0);
    const cachedSystem = [{ type: "text", text: "Talk like a pirate", cache_control: { type: "ephemeral" } }];
    out = await (await messages({ model: "m", system: cachedSystem, messages: AUSER })).json();
    assert.equal(out.content[0].text, "Arr! Echo: one two three");
    assert.equal(out.usage.cache_read_input_tokens, 5);
    out = await (await messages({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "ephemeral" } }] }] })).json();
    assert.equal(out.usage.cache_read_input_tokens, 5);
  },

  async "anthropic: tool use, tool_choice none, forced tool, tool results, thinking"() {
    const ask = [{ role: "user", content: "What is the weather in Paris?" }];
    let out = await (await messages({ model: "m", tools: [WEATHER_TOOL], messages: ask })).json();
    assert.deepEqual(out.content, [{ type: "tool_use", id: "toolu_emu_1", name: "get_weather", input: { city: "Paris" } }]);
    assert.equal(out.stop_reason, "tool_use");
    out = await (await messages({ model: "m", tools: [WEATHER_TOOL], tool_choice: { type: "none" }, messages: ask })).json();
    assert.equal(out.content[0].text, "Echo: What is the weather in Paris?");
    out = await (await messages({ model: "m", tools: [WEATHER_TOOL, { name: "answer", input_schema: { type: "object" } }], tool_choice: { type: "tool", name: "answer" }, system: "pirate", messages: AUSER })).json();
    assert.deepEqual(out.content, [{ type: "tool_use", id: "toolu_emu_1", name: "answer", input: { echo: "one two three" } }]);
    assert.equal(out.stop_reason, "tool_use");
    const turn = { role: "assistant", content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "toolu_emu_1", name: "get_weather", input: { city: "Paris" } }] };
    const result = (content) => ({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_emu_1", content }] });
    out = await (await messages({ model: "m", tools: [WEATHER_TOOL], messages: [...ask, turn, result("sunny")] })).json();
    assert.deepEqual(out.content, [{ type: "text", text: "The tool said: sunny" }]);
    out = await (await messages({ model: "m", tools: [WEATHER_TOOL], messages: [...ask, turn, result([{ type: "text", text: "20C" }, { type: "text", text: "dry" }])] })).json();
    assert.equal(out.content[0].text, "The tool said: 20C dry");
    out = await (await messages({ model: "m", max_tokens: 2048, thinking: { type: "enabled", budget_tokens: 1024 }, messages: AUSER })).json();
    assert.deepEqual(out.content, [
      { type: "thinking", thinking: "Let me think.", signature: "sig_emu" },
      { type: "text", text: "Echo: one two three" },
    ]);
  },

  async "anthropic: stop_sequences and max_tokens"() {
    let out = await (await messages({ model: "m", stop_sequences: ["zzz", "three", "two"], messages: AUSER })).json();
    assert.equal(out.content[0].text, "Echo: one ");
    assert.equal(out.stop_reason, "stop_sequence");
    assert.equal(out.stop_sequence, "two");
    out = await (await messages({ model: "m", max_tokens: 2, messages: AUSER })).json();
    assert.equal(out.content[0].text, "Echo: one ");
    assert.equal(out.stop_reason, "max_tokens");
    assert.equal(out.stop_sequence, null);
    assert.equal(out.usage.output_tokens, 2);
    const text = await (await messages({ model: "m", max_tokens: 2, stream: true, messages: AUSER })).text();
    assert.deepEqual(sseEvents(text).find((e) => e.event === "message_delta").data.delta, { stop_reason: "max_tokens", stop_sequence: null });
  },

  async "anthropic: stream event order, padding, deltas equal non-stream"() {
    const headers = { "x-emulator-repeat": "5" };
    const plain = await (await messages({ model: "m", messages: AUSER }, headers)).json();
    const res = await messages({ model: "m", stream: true, messages: AUSER }, headers);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.match(res.headers.get("request-id"), /^req_emu_\d+$/);
    const text = await res.text();
    assert.ok(text.endsWith("}\n\n"));
    const events = sseEvents(text);
    const pieces = plain.usage.output_tokens;
    assert.deepEqual(events.map((e) => e.event), [
      "message_start", "content_block_start", "ping", ...Array(pieces).fill("content_block_delta"), "content_block_stop", "message_delta", "message_stop",
    ]);
    assert.equal(events[2].raw, '{"type": "ping"}');
    for (const e of events) {
      assert.equal(e.data.type, e.event);
      if (e.event !== "ping") assert.match(e.raw, /[^ ] {3,}\}$/, `padding in ${e.raw}`);
    }
    const start = events[0].data.message;
    assert.deepEqual(start.content, []);
    assert.equal(start.stop_reason, null);
    assert.equal(start.usage.output_tokens, 1);
    assert.equal(start.usage.input_tokens, plain.usage.input_tokens);
    assert.match(start.id, /^msg_emu_\d+$/);
    assert.deepEqual(events[1].data, { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta);
    assert.ok(deltas.every((d) => d.type === "text_delta"));
    assert.equal(deltas.map((d) => d.text).join(""), plain.content[0].text);
    assert.deepEqual(events.at(-2).data, { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: pieces } });
    assert.deepEqual(events.at(-1).data, { type: "message_stop" });
  },

  async "anthropic: tool-use and thinking streams"() {
    const text = await (await messages({ model: "m", max_tokens: 2048, stream: true, thinking: { type: "enabled", budget_tokens: 1024 }, tools: [WEATHER_TOOL], messages: [{ role: "user", content: "weather?" }] })).text();
    const events = sseEvents(text);
    assert.deepEqual(events.map((e) => e.event).filter((e) => e !== "content_block_delta"), [
      "message_start", "content_block_start", "ping", "content_block_stop", "content_block_start", "content_block_stop", "message_delta", "message_stop",
    ]);
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block);
    assert.deepEqual(starts, [
      { type: "thinking", thinking: "", signature: "" },
      { type: "tool_use", id: "toolu_emu_1", name: "get_weather", input: {} },
    ]);
    const deltas = (index) => events.filter((e) => e.event === "content_block_delta" && e.data.index === index).map((e) => e.data.delta);
    const thinking = deltas(0);
    assert.equal(thinking.filter((d) => d.type === "thinking_delta").map((d) => d.thinking).join(""), "Let me think.");
    assert.deepEqual(thinking.at(-1), { type: "signature_delta", signature: "sig_emu" });
    const json = deltas(1);
    assert.ok(json.length >= 2 && json.every((d) => d.type === "input_json_delta"));
    assert.deepEqual(JSON.parse(json.map((d) => d.partial_json).join("")), { city: "Paris" });
    assert.equal(events.at(-2).data.delta.stop_reason, "tool_use");
    // Forced tool (JSON mode emulation) streams the same way.
    const forced = sseEvents(await (await messages({ model: "m", stream: true, tools: [WEATHER_TOOL], tool_choice: { type: "tool", name: "get_weather" }, messages: AUSER })).text());
    const partial = forced.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta.partial_json).join("");
    assert.deepEqual(JSON.parse(partial), { echo: "one two three" });
  },

  async "anthropic: status faults, retry-after, times/key, model-name faults, html502"() {
    const fault = { "x-emulator-fault": "status=429;retry-after=3;times=1;key=anthropic-selftest" };
    const first = await messages({ model: "m", messages: AUSER }, fault);
    assert.equal(first.headers.get("retry-after"), "3");
    await expectAnthropicError(first, 429, "rate_limit_error", /rate limit/);
    assert.equal((await messages({ model: "m", messages: AUSER }, fault)).status, 200);
    const kinds = { 400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error", 413: "request_too_large", 500: "api_error" };
    for (const [status, type] of Object.entries(kinds)) {
      await expectAnthropicError(await messages({ model: "m", messages: AUSER }, { "x-emulator-fault": `status=${status}` }), Number(status), type);
    }
    const overloaded = await messages({ model: "fault-status=529_times=1_key=anthropic-model", messages: AUSER });
    assert.equal(overloaded.status, 529);
    assert.deepEqual(await overloaded.json(), { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    assert.equal((await messages({ model: "fault-status=529_times=1_key=anthropic-model", messages: AUSER })).status, 200);
    const html = await messages({ model: "m", messages: AUSER }, { "x-emulator-fault": "html502" });
    assert.equal(html.status, 502);
    assert.match(await html.text(), /502 Bad Gateway/);
    await expectAnthropicError(await messages({ model: "m", messages: AUSER }, { "x-emulator-fault": "bogus" }), 400, "emulator_error", /^Unknown emulator fault/);
    await assert.rejects(messages({ model: "m", messages: AUSER }, { "x-emulator-fault": "hang" }, { signal: AbortSignal.timeout(100) }), { name: "TimeoutError" });
  },

  async "anthropic: stream and body faults"() {
    const stream = { model: "m", stream: true, messages: AUSER };
    let text = await (await messages(stream, { "x-emulator-fault": "malformed;after=3" })).text();
    let events = sseEvents(text);
    assert.deepEqual(events.slice(0, 4).map((e) => e.event), ["message_start", "content_block_start", "ping", "content_block_delta"]);
    assert.equal(events[3].raw, '{"type":"content_block_delta", not json');
    assert.ok(text.includes('event: content_block_delta\ndata: {"type":"content_block_delta", not json\n\n'));
    assert.equal(events.at(-1).event, "message_stop");
    text = await (await messages(stream, { "x-emulator-fault": "no-done" })).text();
    events = sseEvents(text);
    assert.ok(!text.includes("message_stop"));
    assert.equal(events.at(-1).event, "message_delta");
    text = await (await messages(stream, { "x-emulator-fault": "error-event;after=4" })).text();
    events = sseEvents(text);
    assert.equal(events.length, 5);
    assert.ok(text.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'));
    assert.equal(events[3].event, "content_block_delta");
    const faulty = { "x-emulator-fault": "error-event;times=1;key=anthropic-stream" };
    assert.ok((await (await messages(stream, faulty)).text()).includes("event: error"));
    assert.ok((await (await messages(stream, faulty)).text()).includes("event: message_stop"));
    await assert.rejects((await messages(stream, { "x-emulator-fault": "cut;after=1" })).text());
    await assert.rejects((await messages({ model: "m", messages: AUSER }, { "x-emulator-fault": "cut" })).text());
    assert.equal(await (await messages({ model: "m", messages: AUSER }, { "x-emulator-fault": "malformed" })).text(), '{"type":"content_block_delta", not json');
    const errorBody = await messages({ model: "m", messages: AUSER }, { "x-emulator-fault": "error-event" });
    assert.equal(errorBody.status, 200);
    assert.deepEqual(await errorBody.json(), { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  },

  async "anthropic: delay paces the stream"() {
    const t0 = performance.now();
    const text = await (await messages({ model: "m", stream: true, messages: AUSER }, { "x-emulator-delay-ms": "20" })).text();
    const count = sseEvents(text).length; // start, block start, ping, 4 deltas, block stop, message_delta, message_stop = 10
    assert.equal(count, 10);
    assert.ok(performance.now() - t0 >= count * 20 - 5, "stream finished too fast");
  },

  async "gemini: API key checks"() {
    const noKey = { "content-type": "application/json" };
    await expectGoogleError(await gemini({ contents: GUSER }, { headers: noKey }), 403, "PERMISSION_DENIED",
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    assert.equal((await gemini({ contents: GUSER }, { headers: noKey, query: "?key=AIza-query" })).status, 200);
    const message = "API key not valid. Please pass a valid API key.";
    await expectGoogleError(await gemini({ contents: GUSER }, { headers: { ...GKEY, "x-goog-api-key": "sk-bad-9" } }), 400, "INVALID_ARGUMENT", message, [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
      { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message },
      { "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: "Invalid API key: sk-bad-9" },
    ]);
    assert.equal((await gemini({ contents: GUSER }, { headers: noKey, query: "?key=sk-bad" })).status, 400);
  },

  async "gemini: request checks"() {
    const invalid = (res, message) => expectGoogleError(res, 400, "INVALID_ARGUMENT", message);
    await invalid(await gemini("{nope"), /^Invalid JSON payload received\. Unexpected token\./);
    await invalid(await gemini("[1]"), /Root element must be a message/);
    await invalid(await gemini(""), "* GenerateContentRequest.contents: contents is not specified\n");
    await invalid(await gemini({}), "* GenerateContentRequest.contents: contents is not specified\n");
    await invalid(await gemini({ contents: [] }), "* GenerateContentRequest.contents: contents is not specified\n");
    await invalid(await gemini({ contents: GUSER, stream: true }), 'Invalid JSON payload received. Unknown name "stream": Cannot find field.');
    await invalid(await gemini({ contents: [{ role: "assistant", parts: [{ text: "x" }] }] }), "Please use a valid role: user, model.");
    await invalid(await gemini({ contents: [{ role: "system", parts: [{ text: "x" }] }] }), "Please use a valid role: user, model.");
    assert.equal((await gemini({ contents: [{ parts: [{ text: "no role" }] }] })).status, 200);
    await invalid(await gemini({ contents: [{ role: "user", parts: [] }] }), /^\* GenerateContentRequest\.contents\[0\]\.parts: contents\.parts must not be empty/);
    await invalid(await gemini({ contents: [{ role: "user", parts: [{}] }] }), /^\* GenerateContentRequest\.contents\[0\]\.parts\[0\]\.data: required oneof field 'data'/);
    await invalid(await gemini({ contents: [{ role: "user", parts: [{ text: "a", inlineData: { mimeType: "image/png", data: "" } }] }] }), /Oneof field 'data' is already set/);
    await invalid(await gemini({ contents: [{ role: "user", parts: [{ type: "text", text: "a" }] }] }), `Invalid JSON payload received. Unknown name "type" at 'contents[0].parts[0]': Cannot find field.`);
    const badConfig = await invalid(await gemini({ contents: GUSER, generationConfig: { maxTokens: 5 } }), `Invalid JSON payload received. Unknown name "maxTokens" at 'generation_config': Cannot find field.`);
    assert.equal(badConfig.error.details[0]["@type"], "type.googleapis.com/google.rpc.BadRequest");
    await invalid(await gemini({ contents: GUSER, generationConfig: { thinkingConfig: { budget: 1 } } }), /Unknown name "budget" at 'generation_config\.thinking_config'/);
    await invalid(await gemini({ contents: GUSER, generationConfig: { maxOutputTokens: "5" } }), `Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), "5"`);
    await invalid(await gemini({ contents: GUSER, generationConfig: { candidateCount: 9 } }), /candidate_count/);
    await invalid(await gemini({ contents: GUSER, tools: [WEATHER_DECL], toolConfig: { functionCallingConfig: { mode: "any" } } }), /^Invalid value at 'tool_config\.function_calling_config\.mode'/);
    await invalid(await gemini({ contents: GUSER, systemInstruction: "be brief" }), /system_instruction/);
    const known = { temperature: 0.5, topP: 1, topK: 3, candidateCount: 1, maxOutputTokens: 50, stopSequences: ["zz"], presencePenalty: 0, frequencyPenalty: 0, seed: 7,
      responseMimeType: "text/plain", responseModalities: ["TEXT"], responseLogprobs: false, thinkingConfig: { thinkingBudget: 0 } };
    assert.equal((await gemini({ contents: GUSER, generationConfig: known, safetySettings: [], systemInstruction: { parts: [{ text: "hi" }] } }, { model: "gemini-2.5-flash" })).status, 200);
    // functionResponse parts must answer, by name and all together, the calls of the model turn just before.
    const call = { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] };
    const reply = (name) => ({ role: "user", parts: [{ functionResponse: { name, response: { temp: 20 } } }] });
    await invalid(await gemini({ contents: [...GUSER, call, reply("get_time")] }), /function_response\.name: function response name "get_time" does not match/);
    await invalid(await gemini({ contents: [...GUSER, reply("get_weather")] }), "Please ensure that function response turn comes immediately after a function call turn.");
    await invalid(await gemini({ contents: [...GUSER, call, { role: "user", parts: [reply("get_weather").parts[0], reply("get_weather").parts[0]] }] }), /number of function response parts/);
    await invalid(await gemini({ contents: [call] }), /function call turn comes immediately after a user turn/);
    assert.equal((await gemini({ contents: [...GUSER, call, reply("get_weather")] })).status, 200);
    await expectGoogleError(await gemini({ contents: GUSER }, { model: "no-such-model" }), 404, "NOT_FOUND",
      "models/no-such-model is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.");
    await expectGoogleError(await gemini({ contents: GUSER }, { method: "countTokens" }), 404, "NOT_FOUND");
    // Checks come before faults.
    assert.equal((await gemini({}, { model: "fault-status=500" })).status, 400);
  },

  async "gemini: response shape and answers"() {
    const res = await gemini({ contents: GUSER });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json; charset=UTF-8");
    const text = await res.text();
    assert.ok(text.startsWith('{\n  "candidates": ['), "pretty-printed like Google");
    const body = JSON.parse(text);
    assert.match(body.responseId, /^emu-\d+$/);
    assert.deepEqual(body, {
      candidates: [{ content: { parts: [{ text: "Echo: one two three" }], role: "model" }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7, promptTokensDetails: [{ modality: "TEXT", tokenCount: 3 }] },
      modelVersion: "gemini-emu",
      responseId: body.responseId,
    });
    const answer = async (request, options) => (await (await gemini(request, options)).json()).candidates[0];
    const multi = [{ role: "user", parts: [{ text: "a" }, { inlineData: { mimeType: "image/png", data: "AA==" } }, { text: "b" }] }];
    assert.deepEqual((await answer({ contents: multi })).content.parts, [{ text: "Echo: a b" }]);
    assert.equal((await answer({ contents: GUSER, systemInstruction: { parts: [{ text: "You are a pirate." }] } })).content.parts[0].text, "Arr! Echo: one two three");
    const json = await answer({ contents: GUSER, generationConfig: { responseMimeType: "application/json", responseSchema: { type: "OBJECT" } } });
    assert.deepEqual(JSON.parse(json.content.parts[0].text), { echo: "one two three" });
    const two = await (await gemini({ contents: GUSER, generationConfig: { candidateCount: 2 } })).json();
    assert.deepEqual(two.candidates.map((c) => [c.index, c.content.parts[0].text]), [[0, "Echo: one two three"], [1, "Echo: one two three"]]);
    assert.equal(two.usageMetadata.candidatesTokenCount, 8);
    let cut = await (await gemini({ contents: GUSER, generationConfig: { maxOutputTokens: 2 } })).json();
    assert.deepEqual([cut.candidates[0].content.parts[0].text, cut.candidates[0].finishReason, cut.usageMetadata.candidatesTokenCount], ["Echo: one ", "MAX_TOKENS", 2]);
    cut = await (await gemini({ contents: GUSER, generationConfig: { stopSequences: ["zzz", "three", "two"] } })).json();
    assert.deepEqual([cut.candidates[0].content.parts[0].text, cut.candidates[0].finishReason], ["Echo: one ", "STOP"]);
    const thinking = await (await gemini({ contents: GUSER, generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } }, { model: "gemini-2.5-flash" })).json();
    assert.deepEqual(thinking.candidates[0].content.parts, [{ text: "Let me think.", thought: true }, { text: "Echo: one two three" }]);
    assert.deepEqual([thinking.usageMetadata.thoughtsTokenCount, thinking.usageMetadata.totalTokenCount], [3, 10]);
    const cached = await (await gemini({ contents: GUSER, cachedContent: "cachedContents/abc" })).json();
    assert.deepEqual([cached.usageMetadata.cachedContentTokenCount, cached.usageMetadata.promptTokenCount], [4, 7]);
  },

  async "gemini: function calling"() {
    const ask = [{ role: "user", parts: [{ text: "What is the weather in Paris?" }] }];
    const first = async (request, options) => (await (await gemini(request, options)).json()).candidates[0];
    let c = await first({ contents: ask, tools: [WEATHER_DECL] });
    assert.deepEqual(c, { content: { parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }], role: "model" }, finishReason: "STOP", index: 0 });
    c = await first({ contents: ask, tools: [WEATHER_DECL], toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_time"] } } });
    assert.deepEqual(c.content.parts, [{ functionCall: { name: "get_time", args: { city: "Paris" } } }]);
    c = await first({ contents: ask, tools: [WEATHER_DECL], toolConfig: { functionCallingConfig: { mode: "NONE" } } });
    assert.deepEqual(c.content.parts, [{ text: "Echo: What is the weather in Paris?" }]);
    c = await first({ contents: GUSER, tools: [WEATHER_DECL], toolConfig: { functionCallingConfig: { mode: "ANY" } } });
    assert.deepEqual(c.content.parts, [{ functionCall: { name: "get_weather", args: { echo: "one two three" } } }]);
    c = await first({ contents: ask, tools: [WEATHER_DECL], generationConfig: { thinkingConfig: { includeThoughts: true } } }, { model: "gemini-3-flash-preview" });
    assert.deepEqual(c.content.parts[1], { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "c2lnX2VtdQ==" });
    const call = { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] };
    const reply = { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temp: 20, sky: "clear" } } }] };
    c = await first({ contents: [...ask, call, reply], tools: [WEATHER_DECL] });
    assert.deepEqual(c.content.parts, [{ text: 'The tool said: {"temp":20,"sky":"clear"}' }]);
  },

  async "gemini: blocked prompt and SAFETY candidate"() {
    const blocked = await gemini({ contents: [{ role: "user", parts: [{ text: "something forbidden" }] }] });
    assert.equal(blocked.status, 200);
    assert.deepEqual(await blocked.json(), {
      promptFeedback: {
        blockReason: "SAFETY",
        safetyRatings: [
          { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
          { category: "HARM_CATEGORY_HATE_SPEECH", probability: "HIGH" },
          { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
          { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "NEGLIGIBLE" },
        ],
      },
    });
    const streamed = geminiEvents(await (await geminiStream({ contents: [{ role: "user", parts: [{ text: "forbidden" }] }] })).text());
    assert.deepEqual(streamed.map((f) => Object.keys(f)), [["promptFeedback"]]);
    const unsafe = await (await gemini({ contents: [{ role: "user", parts: [{ text: "unsafe stuff" }] }] })).json();
    assert.equal(unsafe.candidates[0].finishReason, "SAFETY");
    assert.equal(unsafe.candidates[0].content, undefined);
    assert.ok(unsafe.candidates[0].safetyRatings.some((r) => r.blocked === true));
    assert.equal(unsafe.usageMetadata.candidatesTokenCount, undefined);
  },

  async "gemini: SSE framing, fragments, deltas equal non-stream"() {
    const headers = { ...GKEY, "x-emulator-repeat": "5" };
    const plain = await (await gemini({ contents: GUSER }, { headers })).json();
    const res = await geminiStream({ contents: GUSER }, { headers });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const text = await res.text();
    assert.ok(!/[^\r]\n/.test(text), "only CRLF line ends");
    assert.ok(!text.includes("[DONE]"));
    assert.ok(text.startsWith('data: {"candidates": [{"content": {"parts": [{"text": "Echo: "}],"role": "model"},"index": 0}],'), "Google's SSE JSON spacing");
    const fragments = geminiEvents(text);
    assert.equal(fragments.length, plain.usageMetadata.candidatesTokenCount);
    assert.equal(geminiDeltas(fragments), plain.candidates[0].content.parts[0].text);
    for (const f of fragments.slice(0, -1)) {
      assert.equal(f.candidates[0].finishReason, undefined);
      assert.deepEqual(f.usageMetadata, { promptTokenCount: 3, totalTokenCount: 3, promptTokensDetails: [{ modality: "TEXT", tokenCount: 3 }] });
      assert.equal(f.responseId, fragments[0].responseId);
    }
    const last = fragments.at(-1);
    assert.equal(last.candidates[0].finishReason, "STOP");
    assert.deepEqual(last.usageMetadata, plain.usageMetadata);
    assert.equal(last.modelVersion, "gemini-emu");
    // Thoughts first, then text; two candidates ride in every fragment.
    const thinking = geminiEvents(await (await geminiStream({ contents: GUSER, generationConfig: { candidateCount: 2, maxOutputTokens: 3, thinkingConfig: { includeThoughts: true } } }, { model: "gemini-2.5-flash" })).text());
    assert.equal(geminiDeltas(thinking, { thought: true }), "Let me think.");
    assert.equal(geminiDeltas(thinking, { candidate: 1 }), "Echo: one two ");
    assert.deepEqual(thinking.at(-1).candidates.map((c) => c.finishReason), ["MAX_TOKENS", "MAX_TOKENS"]);
    assert.equal(thinking.at(-1).usageMetadata.thoughtsTokenCount, 3);
    // A function call arrives whole, in the final fragment.
    const call = geminiEvents(await (await geminiStream({ contents: [{ role: "user", parts: [{ text: "weather?" }] }], tools: [WEATHER_DECL] })).text());
    assert.equal(call.length, 1);
    assert.deepEqual(call[0].candidates[0].content.parts, [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }]);
    assert.equal(call[0].candidates[0].finishReason, "STOP");
  },

  async "gemini: streamGenerateContent without alt=sse is a JSON array"() {
    const sse = geminiEvents(await (await geminiStream({ contents: GUSER })).text());
    const res = await gemini({ contents: GUSER }, { method: "streamGenerateContent" });
    assert.equal(res.headers.get("content-type"), "application/json; charset=UTF-8");
    const array = JSON.parse(await res.text());
    assert.deepEqual(array.map(({ responseId, ...f }) => f), sse.map(({ responseId, ...f }) => f));
  },

  async "gemini: status faults, RetryInfo, times/key, model-name faults, html502, hang"() {
    const fault = (spec) => ({ headers: { ...GKEY, "x-emulator-fault": spec } });
    const limited = await expectGoogleError(await gemini({ contents: GUSER }, fault("status=429;retry-after=7;times=1;key=gemini-selftest")), 429, "RESOURCE_EXHAUSTED");
    assert.deepEqual(limited.error.details.at(-1), { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" });
    assert.equal((await gemini({ contents: GUSER }, fault("status=429;retry-after=7;times=1;key=gemini-selftest"))).status, 200);
    const ms = await gemini({ contents: GUSER }, fault("status=429;retry-after-ms=1500"));
    assert.equal(ms.headers.get("retry-after"), null, "Google sends no Retry-After header");
    assert.equal((await ms.json()).error.details.at(-1).retryDelay, "1.5s");
    const plain429 = await expectGoogleError(await gemini({ contents: GUSER }, fault("status=429")), 429, "RESOURCE_EXHAUSTED");
    assert.ok(!plain429.error.details.some((d) => d["@type"].endsWith("RetryInfo")));
    const kinds = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 500: "INTERNAL", 504: "DEADLINE_EXCEEDED" };
    for (const [code, status] of Object.entries(kinds)) await expectGoogleError(await gemini({ contents: GUSER }, fault(`status=${code}`)), Number(code), status);
    await expectGoogleError(await gemini({ contents: GUSER }, fault("status=503")), 503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
    const model = "fault-status=503_times=1_key=gemini-model";
    assert.equal((await gemini({ contents: GUSER }, { model })).status, 503);
    assert.equal((await (await gemini({ contents: GUSER }, { model })).json()).modelVersion, model);
    const html = await gemini({ contents: GUSER }, fault("html502"));
    assert.equal(html.status, 502);
    assert.match(await html.text(), /502 Bad Gateway/);
    await expectGoogleError(await gemini({ contents: GUSER }, fault("bogus")), 400, "INVALID_ARGUMENT", /^Unknown emulator fault/);
    await assert.rejects(gemini({ contents: GUSER }, { ...fault("hang"), init: { signal: AbortSignal.timeout(100) } }), { name: "TimeoutError" });
  },

  async "gemini: stream and body faults"() {
    const fault = (spec, query = "?alt=sse") => ({ query, headers: { ...GKEY, "x-emulator-fault": spec } });
    const stream = (spec, query) => geminiStream({ contents: GUSER }, fault(spec, query));
    let text = await (await stream("malformed")).text();
    assert.ok(text.includes('\r\n\r\ndata: {"candidates": [ not json\r\n\r\ndata: '));
    let events = geminiEvents(text);
    assert.equal(events[2], '{"candidates": [ not json');
    assert.equal(events.at(-1).candidates[0].finishReason, "STOP");
    events = geminiEvents(await (await stream("no-done")).text());
    assert.equal(events.length, 3);
    assert.ok(events.every((f) => f.candidates[0].finishReason === undefined));
    text = await (await stream("error-event;after=1")).text();
    assert.ok(text.endsWith('\r\n\r\ndata: {"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}\r\n\r\n'));
    assert.equal(geminiEvents(text).length, 2);
    const once = "error-event;times=1;key=gemini-stream";
    assert.ok((await (await stream(once)).text()).includes('"error"'));
    assert.ok(!(await (await stream(once)).text()).includes('"error"'));
    await assert.rejects((await stream("cut;after=1")).text());
    // The JSON-array stream: a valid array without the finishing fragment, a broken one, an error element.
    const noDone = JSON.parse(await (await stream("no-done", "")).text());
    assert.equal(noDone.length, 3);
    assert.ok(noDone.every((f) => f.candidates[0].finishReason === undefined));
    const malformed = await (await stream("malformed", "")).text();
    assert.ok(malformed.includes('{"candidates": [ not json'));
    assert.throws(() => JSON.parse(malformed), SyntaxError);
    const errored = JSON.parse(await (await stream("error-event", "")).text());
    assert.deepEqual(errored.at(-1), { error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } });
    assert.equal(errored.length, 3);
    // Non-streamed bodies.
    const plain = (spec) => gemini({ contents: GUSER }, { headers: { ...GKEY, "x-emulator-fault": spec } });
    await assert.rejects((await plain("cut")).text());
    assert.equal(await (await plain("malformed")).text(), '{"candidates": [ not json');
    const errorBody = await plain("error-event");
    assert.equal(errorBody.status, 200);
    assert.equal((await errorBody.json()).error.status, "UNAVAILABLE");
  },

  async "gemini: delay paces the stream; the key travels in the header"() {
    await fetch(`${emu.url}/__requests`, { method: "DELETE" });
    const t0 = performance.now();
    const text = await (await geminiStream({ contents: GUSER }, { headers: { ...GKEY, "x-emulator-delay-ms": "25" } })).text();
    assert.equal(geminiEvents(text).length, 4);
    assert.ok(performance.now() - t0 >= 4 * 25 - 5, "stream finished too fast");
    const [entry] = await (await fetch(`${emu.url}/__requests`)).json();
    assert.equal(entry.path, "/gemini/v1beta/models/gemini-emu:streamGenerateContent");
    assert.deepEqual(entry.query, { alt: "sse" });
    assert.equal(entry.headers["x-goog-api-key"], "AIza-test");
  },

  async "cohere: auth and request checks"() {
    await expectCohereError(await cohere({ model: "m", messages: CUSER }, { authorization: "" }), 401, "no api key supplied");
    await expectCohereError(await cohere({ model: "m", messages: CUSER }, { authorization: "Bearer sk-bad-1" }), 401, "invalid api token");
    await expectCohereError(await cohere("{nope"), 400, /^invalid request: .*JSON object/);
    await expectCohereError(await cohere("[1]"), 400, /^invalid request: .*JSON object/);
    await expectCohereError(await cohere({ messages: CUSER }), 400, "a model parameter is required for this endpoint.");
    await expectCohereError(await cohere({ model: "m" }), 400, "invalid request: messages is a required field.");
    await expectCohereError(await cohere({ model: "m", messages: {} }), 400, "invalid request: messages must be a list of messages.");
    await expectCohereError(await cohere({ model: "m", messages: [] }), 400, "invalid request: messages must not be empty.");
    await expectCohereError(await cohere({ model: "m", messages: [...CUSER, { role: "chatbot", content: "x" }] }), 400,
      "invalid request: invalid role 'chatbot' in messages at index 1. Role must be one of the following: system, user, assistant, tool");
    await expectCohereError(await cohere({ model: "m", messages: [{ role: "user", content: "" }] }), 400, "message must not be empty in a turn");
    await expectCohereError(await cohere({ model: "m", messages: [{ role: "user", content: 5 }] }), 400, /content must be a string or a list/);
    const call = { role: "assistant", tool_plan: "p", tool_calls: [{ id: "weather_emu1", type: "function", function: { name: "get_weather", arguments: "{}" } }] };
    await expectCohereError(await cohere({ model: "m", messages: [...CUSER, call, { role: "tool", content: "sunny" }] }), 400, /tool_call_id is required/);
    await expectCohereError(await cohere({ model: "m", messages: [...CUSER, call, { role: "tool", tool_call_id: "other_1", content: "sunny" }] }), 400,
      "invalid request: tool message at index 2 has tool_call_id 'other_1', which does not match any tool call of a preceding assistant message.");
    // The call must come earlier: a tool message before its assistant call is rejected.
    await expectCohereError(await cohere({ model: "m", messages: [...CUSER, { role: "tool", tool_call_id: "weather_emu1", content: "x" }, call] }), 400, /does not match/);
    assert.equal((await cohere({ model: "m", messages: [...CUSER, call, { role: "tool", tool_call_id: "weather_emu1", content: "sunny" }] })).status, 200);
    await expectCohereError(await cohere({ model: "no-such-model", messages: CUSER }), 404,
      "model 'no-such-model' not found, make sure the correct model ID was used and that you have access to the model.");
    await expectCohereError(await fetch(`${emu.url}/cohere/v1/chat`, { method: "POST", headers: CKEY, body: "{}" }), 404, "Not Found");
  },

  async "cohere: response shape and answers"() {
    const res = await cohere({ model: "command-a", messages: [{ role: "system", content: "be brief" }, ...CUSER] });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.ok(res.headers.get("x-envoy-upstream-service-time"));
    const body = await res.json();
    assert.deepEqual(Object.keys(body), ["id", "message", "finish_reason", "usage"]);
    assert.match(body.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(body.message, { role: "assistant", content: [{ type: "text", text: "Echo: one two three" }] });
    assert.equal(body.finish_reason, "COMPLETE");
    assert.deepEqual(body.usage, { billed_units: { input_tokens: 5, output_tokens: 4 }, tokens: { input_tokens: 13, output_tokens: 4 }, cached_tokens: 0 });
    const text = async (b) => (await (await cohere({ model: "m", ...b })).json()).message.content[0].text;
    assert.equal(await text({ messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }] }), "Echo: a b");
    assert.equal(await text({ messages: [{ role: "system", content: "Talk like a pirate." }, ...CUSER] }), "Arr! Echo: one two three");
    assert.deepEqual(JSON.parse(await text({ response_format: { type: "json_object" }, messages: [{ role: "system", content: "pirate" }, ...CUSER] })), { echo: "one two three" });

    const weather = await (await cohere({ model: "m", tools: CTOOLS, messages: [{ role: "user", content: "What is the weather?" }] })).json();
    assert.equal(weather.finish_reason, "TOOL_CALL");
    assert.deepEqual(Object.keys(weather.message), ["role", "tool_plan", "tool_calls"]);
    assert.equal(typeof weather.message.tool_plan, "string");
    assert.deepEqual(weather.message.tool_calls, [{ id: "weather_emu1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    assert.equal((await (await cohere({ model: "m", tools: CTOOLS, tool_choice: "NONE", messages: [{ role: "user", content: "weather?" }] })).json()).finish_reason, "COMPLETE");

    const history = [{ role: "user", content: "weather?" }, { role: "assistant", tool_plan: weather.message.tool_plan, tool_calls: weather.message.tool_calls }];
    const result = (content) => text({ tools: CTOOLS, messages: [...history, { role: "tool", tool_call_id: "weather_emu1", content }] });
    assert.equal(await result("sunny"), "The tool said: sunny");
    assert.equal(await result([{ type: "document", document: { data: { temp: 21 } } }]), 'The tool said: {"temp":21}');
    assert.equal(await result([{ type: "text", text: "warm" }, { type: "document", document: { data: { sky: "dry" } } }]), 'The tool said: warm {"sky":"dry"}');
    // Cohere's definition: a document's data is an object.
    assert.equal((await cohere({ model: "m", tools: CTOOLS, messages: [...history, { role: "tool", tool_call_id: "weather_emu1", content: [{ type: "document", document: { data: "dry" } }] }] })).status, 400);

    const capped = await (await cohere({ model: "m", max_tokens: 2, messages: CUSER })).json();
    assert.equal(capped.message.content[0].text, "Echo: one ");
    assert.equal(capped.finish_reason, "MAX_TOKENS");
    assert.equal(capped.usage.billed_units.output_tokens, 2);
    const stopped = await (await cohere({ model: "m", stop_sequences: ["two"], messages: CUSER })).json();
    assert.equal(stopped.message.content[0].text, "Echo: one ");
    assert.equal(stopped.finish_reason, "STOP_SEQUENCE");
  },

  async "cohere: stream event order, deltas equal non-stream"() {
    const headers = { "x-emulator-repeat": "5" };
    const plain = await (await cohere({ model: "m", messages: CUSER }, headers)).json();
    const res = await cohere({ model: "m", stream: true, messages: CUSER }, headers);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const text = await res.text();
    assert.ok(text.endsWith("}\n\n"));
    const events = sseEvents(text);
    const pieces = plain.usage.billed_units.output_tokens;
    assert.deepEqual(events.map((e) => e.event), ["message-start", "content-start", ...Array(pieces).fill("content-delta"), "content-end", "message-end"]);
    for (const e of events) assert.equal(e.data.type, e.event);
    assert.deepEqual(Object.keys(events[0].data), ["id", "type", "delta"]);
    assert.match(events[0].data.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(events[0].data.delta, { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] } });
    assert.deepEqual(events[1].data, { type: "content-start", index: 0, delta: { message: { content: { type: "text", text: "" } } } });
    const deltas = events.filter((e) => e.event === "content-delta").map((e) => e.data);
    assert.ok(deltas.every((d) => d.index === 0 && Object.keys(d.delta.message.content).join() === "text"));
    assert.equal(deltas.map((d) => d.delta.message.content.text).join(""), plain.message.content[0].text);
    assert.deepEqual(events.at(-2).data, { type: "content-end", index: 0 });
    assert.deepEqual(events.at(-1).data, { type: "message-end", delta: { finish_reason: "COMPLETE", usage: plain.usage } });
    const capped = sseEvents(await (await cohere({ model: "m", stream: true, max_tokens: 1, messages: CUSER })).text());
    assert.equal(capped.at(-1).data.delta.finish_reason, "MAX_TOKENS");
  },

  async "cohere: tool-call stream"() {
    const body = { model: "m", tools: CTOOLS, messages: [{ role: "user", content: "weather in Paris?" }] };
    const plain = await (await cohere(body)).json();
    const events = sseEvents(await (await cohere({ ...body, stream: true })).text());
    const names = events.map((e) => e.event);
    const plans = names.filter((n) => n === "tool-plan-delta").length;
    const argDeltas = names.filter((n) => n === "tool-call-delta").length;
    assert.ok(plans >= 2 && argDeltas >= 2);
    assert.deepEqual(names, ["message-start", ...Array(plans).fill("tool-plan-delta"), "tool-call-start", ...Array(argDeltas).fill("tool-call-delta"), "tool-call-end", "message-end"]);
    for (const e of events) assert.equal(e.data.type, e.event);
    const plan = events.filter((e) => e.event === "tool-plan-delta").map((e) => e.data.delta.message.tool_plan).join("");
    assert.equal(plan, plain.message.tool_plan);
    const start = events.find((e) => e.event === "tool-call-start").data;
    assert.deepEqual(start, { type: "tool-call-start", index: 0, delta: { message: { tool_calls: { id: "weather_emu1", type: "function", function: { name: "get_weather", arguments: "" } } } } });
    const args = events.filter((e) => e.event === "tool-call-delta").map((e) => {
      assert.equal(e.data.index, 0);
      return e.data.delta.message.tool_calls.function.arguments;
    });
    assert.equal(args.join(""), plain.message.tool_calls[0].function.arguments);
    assert.deepEqual(events.at(-2).data, { type: "tool-call-end", index: 0 });
    assert.deepEqual(events.at(-1).data.delta, { finish_reason: "TOOL_CALL", usage: plain.usage });
  },

  async "cohere: status faults, retry-after, times/key, model-name faults, html502, hang"() {
    const fault = { "x-emulator-fault": "status=429;retry-after=4;times=1;key=cohere-selftest" };
    const first = await cohere({ model: "m", messages: CUSER }, fault);
    assert.equal(first.headers.get("retry-after"), "4");
    await expectCohereError(first, 429, /^You are using a Trial key/);
    assert.equal((await cohere({ model: "m", messages: CUSER }, fault)).status, 200);
    const messages = { 400: /^too many tokens/, 401: "invalid api token", 402: /payment method/, 404: /^model 'm' not found/, 499: "request cancelled", 500: "internal server error", 503: "service unavailable" };
    for (const [status, message] of Object.entries(messages)) {
      await expectCohereError(await cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": `status=${status}` }), Number(status), message);
    }
    const viaModel = { model: "fault-status=503_times=1_key=cohere-model", messages: CUSER };
    assert.equal((await cohere(viaModel)).status, 503);
    assert.equal((await cohere(viaModel)).status, 200);
    const html = await cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": "html502" });
    assert.equal(html.status, 502);
    assert.match(await html.text(), /502 Bad Gateway/);
    await expectCohereError(await cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": "bogus" }), 400, /^Unknown emulator fault/);
    // Checks come first: a faulted request without a key is still a 401.
    await expectCohereError(await cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": "status=500", authorization: "" }), 401);
    await assert.rejects(cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": "hang" }, { signal: AbortSignal.timeout(100) }), { name: "TimeoutError" });
  },

  async "cohere: stream and body faults"() {
    const stream = { model: "m", stream: true, messages: CUSER };
    let text = await (await cohere(stream, { "x-emulator-fault": "malformed;after=3" })).text();
    let events = sseEvents(text);
    assert.deepEqual(events.slice(0, 4).map((e) => e.event), ["message-start", "content-start", "content-delta", "content-delta"]);
    assert.equal(events[3].raw, '{"type":"content-delta", not json');
    assert.equal(events.at(-1).event, "message-end");
    text = await (await cohere(stream, { "x-emulator-fault": "no-done" })).text();
    assert.ok(!text.includes("message-end"));
    assert.equal(sseEvents(text).at(-1).event, "content-end");
    text = await (await cohere(stream, { "x-emulator-fault": "error-event;after=3" })).text();
    events = sseEvents(text);
    assert.equal(events.length, 4);
    assert.equal(events[2].event, "content-delta");
    assert.ok(text.endsWith('event: message-end\ndata: {"type":"message-end","delta":{"error":"internal server error","finish_reason":"ERROR"}}\n\n'));
    const faulty = { "x-emulator-fault": "error-event;times=1;key=cohere-stream" };
    assert.ok((await (await cohere(stream, faulty)).text()).includes('"finish_reason":"ERROR"'));
    assert.ok((await (await cohere(stream, faulty)).text()).includes('"finish_reason":"COMPLETE"'));
    await assert.rejects((await cohere(stream, { "x-emulator-fault": "cut;after=1" })).text());
    await assert.rejects((await cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": "cut" })).text());
    assert.match(await (await cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": "malformed" })).text(), /^\{"id":"[0-9a-f-]{36}", not json$/);
    const errorBody = await cohere({ model: "m", messages: CUSER }, { "x-emulator-fault": "error-event" });
    assert.equal(errorBody.status, 200);
    assert.equal((await errorBody.json()).message, "internal server error");
    const t0 = performance.now();
    const paced = sseEvents(await (await cohere(stream, { "x-emulator-delay-ms": "15" })).text());
    assert.equal(paced.length, 8); // message-start, content-start, 4 deltas, content-end, message-end
    assert.ok(performance.now() - t0 >= 8 * 15 - 5, "stream finished too fast");
  },

  async "azure: route, api-key, api-version, deployment checks"() {
    await expectAzureError(await azure({ messages: USER }, { query: "" }), 404, "404", "Resource not found");
    await expectAzureError(await azure({ messages: USER }, { query: "?foo=1" }), 404, "404", "Resource not found");
    const denied = "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.";
    await expectAzureError(await azure({ messages: USER }, { headers: { "content-type": "application/json" } }), 401, "401", denied);
    await expectAzureError(await azure({ messages: USER }, { headers: { authorization: "Bearer sk-test" } }), 401, "401", denied);
    await expectAzureError(await azure({ messages: USER }, { headers: { ...AZKEY, "api-key": "sk-bad-2" } }), 401, "401", denied);
    await expectAzureError(await azure({ messages: USER }, { deployment: "no-such-deployment" }), 404, "DeploymentNotFound",
      "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.");
    await expectError(await azure("{nope"), 400, { message: /^We could not parse the JSON body/ });
    await expectError(await azure({ model: "x" }), 400, { code: "missing_required_parameter" });
    await expectError(await azure({ messages: USER, stream_options: { include_usage: true } }), 400, { param: "stream_options" });
    await expectAzureError(await fetch(`${emu.url}/azure/openai/deployments/d/completions?api-version=1`, { method: "POST", headers: AZKEY, body: "{}" }), 404, "404", "Resource not found");
    // No body model needed; a body model is ignored (even no-such-model): the deployment is the model.
    for (const body of [{ messages: USER }, { model: "no-such-model", messages: USER }]) {
      const res = await azure(body);
      assert.equal(res.status, 200);
      const json = await res.json();
      assert.equal(json.model, "gpt4o-prod");
      assert.equal(json.object, "chat.completion");
      assert.equal(json.choices[0].message.content, "Echo: one two three");
    }
    const entry = (await (await fetch(`${emu.url}/__requests`)).json()).at(-1);
    assert.equal(entry.path, "/azure/openai/deployments/gpt4o-prod/chat/completions");
    assert.deepEqual(entry.query, { "api-version": "2024-10-21" });
    assert.equal(entry.headers["api-key"], "az-test");
  },

  async "azure: answers, streams and faults as OpenAI"() {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: {} } }];
    const call = await (await azure({ tools, messages: [{ role: "user", content: "weather?" }] })).json();
    assert.equal(call.choices[0].finish_reason, "tool_calls");
    assert.equal(call.choices[0].message.tool_calls[0].function.arguments, '{"city":"Paris"}');
    const plain = await (await azure({ messages: USER })).json();
    const res = await azure({ stream: true, stream_options: { include_usage: true }, messages: USER });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const events = sseData(await res.text());
    assert.equal(events.at(-1), "[DONE]");
    assert.ok(events.slice(0, -1).every((e) => e.model === "gpt4o-prod"));
    assert.equal(deltaText(events), plain.choices[0].message.content);
    assert.equal(events.at(-2).usage.total_tokens, plain.usage.total_tokens);
    const fault = { ...AZKEY, "x-emulator-fault": "status=429;retry-after=1;times=1;key=azure-selftest" };
    const limited = await azure({ messages: USER }, { headers: fault });
    assert.equal(limited.headers.get("retry-after"), "1");
    await expectError(limited, 429, { code: "rate_limit_exceeded", message: /^Rate limit reached for gpt4o-prod/ });
    assert.equal((await azure({ messages: USER }, { headers: fault })).status, 200);
    const viaDeployment = { deployment: "fault-status=503_times=1_key=azure-deployment" };
    assert.equal((await azure({ messages: USER }, viaDeployment)).status, 503);
    assert.equal((await (await azure({ messages: USER }, viaDeployment)).json()).model, "fault-status=503_times=1_key=azure-deployment");
    const text = await (await azure({ stream: true, messages: USER }, { headers: { ...AZKEY, "x-emulator-fault": "no-done" } })).text();
    assert.ok(!text.includes("[DONE]"));
    await assert.rejects((await azure({ stream: true, messages: USER }, { headers: { ...AZKEY, "x-emulator-fault": "cut" } })).text());
  },

  async "reasoning: each provider refuses what its documentation refuses"() {
    // Anthropic: budgets within [1024, max_tokens), adaptive-only and always-on families,
    // effort levels by family, sampling while thinking, forced tools while thinking.
    const anthropic = async (body, message) =>
      expectAnthropicError(await messages({ messages: AUSER, ...body }), 400, "invalid_request_error", message);
    await anthropic({ model: "claude-sonnet-4-5", thinking: { type: "enabled", budget_tokens: 1000 } }, /budget_tokens: Input should be greater than or equal to 1024/);
    await anthropic({ model: "claude-sonnet-4-5", max_tokens: 1024, thinking: { type: "enabled", budget_tokens: 1024 } }, /^`max_tokens` must be greater than `thinking.budget_tokens`/);
    await anthropic({ model: "claude-opus-4-7", max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 1024 } }, /"thinking.type.enabled" is not supported for this model/);
    await anthropic({ model: "claude-sonnet-4-5", thinking: { type: "adaptive" } }, /"thinking.type.adaptive" is not supported/);
    await anthropic({ model: "claude-opus-5-5", thinking: { type: "disabled" } }, /thinking is always on/);
    await anthropic({ model: "claude-sonnet-4-5", output_config: { effort: "low" } }, /does not support the effort parameter/);
    await anthropic({ model: "claude-sonnet-4-6", output_config: { effort: "xhigh" } }, /output_config.effort: Input should be 'low', 'medium', 'high', 'max'/);
    await anthropic({ model: "claude-sonnet-4-5", max_tokens: 4096, temperature: 0.5, thinking: { type: "enabled", budget_tokens: 1024 } }, /^`temperature` may only be set to 1/);
    await anthropic({ model: "claude-opus-4-7", temperature: 0.5 }, "`temperature` is deprecated for this model.");
    await anthropic({ model: "claude-opus-4-7", thinking: { type: "adaptive" }, tools: [WEATHER_TOOL], tool_choice: { type: "any" } }, "Thinking may not be enabled when tool_choice forces tool use.");
    let out = await (await messages({ model: "claude-opus-4-7", messages: AUSER, thinking: { type: "adaptive" }, output_config: { effort: "high" } })).json();
    assert.deepEqual(out.content[0], { type: "thinking", thinking: "", signature: "sig_emu" }, "4.7 omits the text unless asked");
    assert.equal(out.usage.output_tokens_details.thinking_tokens, 3);
    out = await (await messages({ model: "claude-opus-4-7", messages: AUSER, thinking: { type: "adaptive", display: "summarized" } })).json();
    assert.equal(out.content[0].thinking, "Let me think.");
    // Gemini: budget ranges per 2.5 model, levels on 3, never both.
    const invalid = (res, message) => expectGoogleError(res, 400, "INVALID_ARGUMENT", message);
    const gem = (model, thinkingConfig) => gemini({ contents: GUSER, generationConfig: { thinkingConfig } }, { model });
    await invalid(await gem("gemini-2.5-pro", { thinkingBudget: 0 }), /This model only works in thinking mode/);
    await invalid(await gem("gemini-2.5-flash", { thinkingBudget: 52428 }), "The thinking budget (52428) is invalid.");
    await invalid(await gem("gemini-2.5-flash-lite", { thinkingBudget: 100 }), "The thinking budget (100) is invalid.");
    await invalid(await gem("gemini-2.5-flash", { thinkingLevel: "LOW" }), "Thinking level is not supported for this model.");
    await invalid(await gem("gemini-3-flash-preview", { thinkingLevel: "LOW", thinkingBudget: 1024 }), /only set one of thinking budget and thinking level/);
    await invalid(await gem("gemini-3-pro-preview", { thinkingLevel: "MEDIUM" }), "Thinking level MEDIUM is not supported for this model.");
    await invalid(await gem("gemini-2.0-flash", { includeThoughts: true }), "Thinking is not supported for this model.");
    const off = await (await gem("gemini-2.5-flash", { includeThoughts: true, thinkingBudget: 0 })).json();
    assert.deepEqual(off.candidates[0].content.parts, [{ text: "Echo: one two three" }], "budget 0: no thoughts");
    // OpenAI: reasoning_effort only on reasoning models, and only their levels.
    await expectError(await chat({ model: "gpt-4o", messages: USER, reasoning_effort: "low" }), 400,
      { message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.", param: "reasoning_effort", code: "unsupported_parameter" });
    await expectError(await chat({ model: "o3", messages: USER, reasoning_effort: "minimal" }), 400,
      { message: "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: 'low', 'medium', and 'high'.", code: "unsupported_value" });
    const o3 = await (await chat({ model: "o3", messages: USER, reasoning_effort: "high" })).json();
    assert.equal(o3.usage.completion_tokens_details.reasoning_tokens, 8);
    // Cohere: `thinking` on its reasoning models only; they think in a `thinking` block.
    await expectCohereError(await cohere({ model: "command-a-03-2025", messages: CUSER, thinking: { type: "enabled" } }), 400, /thinking is not supported/);
    const thought = await (await cohere({ model: "command-a-reasoning-08-2025", messages: CUSER, thinking: { type: "enabled", token_budget: 1024 } })).json();
    assert.deepEqual(thought.message.content[0], { type: "thinking", thinking: "Let me think." });
    // Groq and DeepSeek answer reasoning beside the content, each under its own name.
    const groq = await (await fetch(`${emu.url}/groq/openai/v1/chat/completions`, { method: "POST", headers: KEY,
      body: JSON.stringify({ model: "qwen/qwen3-32b", messages: USER, reasoning_effort: "default", reasoning_format: "parsed" }) })).json();
    assert.equal(groq.choices[0].message.reasoning, "Let me think.");
    const deepseek = await (await fetch(`${emu.url}/deepseek/chat/completions`, { method: "POST", headers: KEY,
      body: JSON.stringify({ model: "deepseek-v4-pro", messages: USER, thinking: { type: "enabled" } }) })).json();
    assert.equal(deepseek.choices[0].message.reasoning_content, "Let me think.");
  },

  async "request log"() {
    assert.equal((await fetch(`${emu.url}/__requests`, { method: "DELETE" })).status, 200);
    await chat({ model: "logged", messages: USER }, { "x-custom": "Yes" });
    await fetch(`${CHAT}?debug=1`, { method: "POST", headers: KEY, body: "raw text" });
    const log = await (await fetch(`${emu.url}/__requests`)).json();
    assert.equal(log.length, 2);
    assert.deepEqual(log[0].body, { model: "logged", messages: USER });
    assert.equal(log[0].method, "POST");
    assert.equal(log[0].path, "/openai/v1/chat/completions");
    assert.equal(log[0].headers["x-custom"], "Yes");
    assert.equal(log[0].headers.authorization, "Bearer sk-test");
    assert.deepEqual(log[1].query, { debug: "1" });
    assert.equal(log[1].body, "raw text");
  },
};

// A request left hanging must not keep close() (or this process) waiting.
const hanging = chat({ model: "m", messages: USER }, { "x-emulator-fault": "hang" }).catch(() => "closed");

let failures = 0;
for (const [name, test] of Object.entries(tests)) {
  try {
    await test();
    console.log(`ok   ${name}`);
  } catch (err) {
    failures++;
    console.log(`FAIL ${name}\n     ${String(err?.stack ?? err).split("\n").slice(0, 6).join("\n     ")}`);
  }
}

const t0 = performance.now();
await emu.close();
assert.equal(await hanging, "closed");
console.log(`${performance.now() - t0 < 1000 ? "ok  " : "FAIL"} close() with a hanging request`);
console.log(failures ? `${failures} failure(s)` : "all ok");
process.exit(failures ? 1 : 0);
