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
    let body = await (await chat({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "image_url" }, { type: "text", text: "b" }] }] })).json();
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

  async "delay paces the stream"() {
    const t0 = performance.now();
    const res = await chat({ model: "m", stream: true, messages: USER }, { "x-emulator-delay-ms": "30" });
    await res.text(); // role + 4 pieces + finish + [DONE] = 7 events
    assert.ok(performance.now() - t0 >= 7 * 30 - 5, "stream finished too fast");
  },

  async "hang until the client aborts"() {
    await assert.rejects(chat({ model: "m", messages: USER }, { "x-emulator-fault": "hang" }, { signal: AbortSignal.timeout(150) }), { name: "TimeoutError" });
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
