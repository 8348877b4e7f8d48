// ---------------------------------------------------------------------------------------
// Format: Anthropic Messages  (POST /anthropic/v1/messages)
// ---------------------------------------------------------------------------------------

import { blocksText, firstStop, piecesOf, planAnswer, splitEvenly, wordCount } from "../answers.mjs";
import { serveChat } from "../chat.mjs";
import { anthropicReasoningProblem, claudeShowsThinking, claudeThinks } from "../reasoning.mjs";

const ANTHROPIC_THINKING = "Let me think.";
const ANTHROPIC_SIGNATURE = "sig_emu";
const ANTHROPIC_CACHE_READ_TOKENS = 5;
const ANTHROPIC_SYSTEM_ROLE =
  'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
const ANTHROPIC_OVERLOADED = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };
const ANTHROPIC_FAULT_BODIES = {
  malformedEvent: 'event: content_block_delta\ndata: {"type":"content_block_delta", not json\n\n',
  malformedBody: '{"type":"content_block_delta", not json',
  errorEvent: `event: error\ndata: ${JSON.stringify(ANTHROPIC_OVERLOADED)}\n\n`,
  errorBody: ANTHROPIC_OVERLOADED,
  keepAlive: 'event: ping\ndata: {"type": "ping"}\n\n',
};

export function anthropicRequestId(ctx) {
  return `req_emu_${ctx.n}`;
}

export function anthropicError(ctx, type, message) {
  return { type: "error", error: { type, message }, request_id: anthropicRequestId(ctx) };
}

/** Anthropic's real error bodies for an injected `status=<code>` fault. */
function anthropicStatusError(ctx, model) {
  const error = (type, message, headers = {}) => ({ body: anthropicError(ctx, type, message), headers });
  return (status) => {
    switch (status) {
      case 400:
        return error("invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum");
      case 401:
        return error("authentication_error", "invalid x-api-key");
      case 402:
        return error("billing_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.");
      case 403:
        return error("permission_error", "Your API key does not have permission to use the specified resource.");
      case 404:
        return error("not_found_error", `model: ${model}`);
      case 413:
        return error("request_too_large", "Request exceeds the maximum allowed number of bytes.");
      case 429:
        return error(
          "rate_limit_error",
          `This request would exceed the rate limit for your organization (org-emulator) of 50 requests per minute (model: ${model}). For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.`,
          { "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0" },
        );
      case 500:
        return error("api_error", "Internal server error");
      case 504:
        return error("timeout_error", "Request timeout");
      case 529:
        // As recorded from the real API: the overloaded body carries no request_id.
        return { body: ANTHROPIC_OVERLOADED };
      default:
        return status >= 500 ? error("api_error", "Internal server error") : error("invalid_request_error", `Emulated HTTP ${status} error.`);
    }
  };
}

/** The checks the real Messages API makes, in its order. Returns { status, body } or null. */
function validateAnthropic(req, parsed, ctx) {
  const fail = (status, type, message) => ({ status, body: anthropicError(ctx, type, message) });
  const invalid = (message) => fail(400, "invalid_request_error", message);

  const key = String(req.headers["x-api-key"] ?? "").trim();
  if (!key) return fail(401, "authentication_error", "x-api-key header is required");
  if (key.startsWith("sk-bad")) return fail(401, "authentication_error", "invalid x-api-key");
  if (!String(req.headers["anthropic-version"] ?? "").trim()) return invalid("anthropic-version: header is required");

  const body = parsed.json;
  if (!parsed.ok) return invalid("The request body is not valid JSON: expected value: line 1 column 1 (char 0)");
  if (body === null || typeof body !== "object" || Array.isArray(body)) return invalid("body: Input should be a valid dictionary");
  if (body.model === undefined) return invalid("model: Field required");
  if (typeof body.model !== "string") return invalid("model: Input should be a valid string");
  if (body.messages === undefined) return invalid("messages: Field required");
  if (!Array.isArray(body.messages)) return invalid("messages: Input should be a valid list");
  if (body.max_tokens === undefined) return invalid("max_tokens: Field required");
  if (!Number.isInteger(body.max_tokens)) return invalid("max_tokens: Input should be a valid integer");
  if (body.max_tokens < 1) return invalid("max_tokens: Input should be greater than or equal to 1");

  const messages = body.messages;
  for (const [i, m] of messages.entries()) {
    if (m === null || typeof m !== "object" || Array.isArray(m)) return invalid(`messages.${i}: Input should be a valid dictionary`);
    if (m.role === "system") return invalid(ANTHROPIC_SYSTEM_ROLE);
    if (m.role !== "user" && m.role !== "assistant") return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    if (m.content === undefined) return invalid(`messages.${i}.content: Field required`);
    if (typeof m.content !== "string" && !Array.isArray(m.content)) return invalid(`messages.${i}.content: Input should be a valid string or list`);
  }
  if (messages.length === 0) return invalid("messages: at least one message is required");
  if (messages[0].role !== "user") return invalid('messages: first message must use the "user" role');
  // Consecutive same-role turns are accepted (the API merges them nowadays).

  // Every tool_result must answer a tool_use of the immediately preceding assistant message.
  for (const [i, m] of messages.entries()) {
    if (m.role !== "user" || !Array.isArray(m.content)) continue;
    const prev = messages[i - 1];
    const ids = new Set(
      prev?.role === "assistant" && Array.isArray(prev.content)
        ? prev.content.filter((b) => b?.type === "tool_use").map((b) => b.id)
        : [],
    );
    const stray = [];
    m.content.forEach((b, j) => {
      if (b?.type === "tool_result" && !ids.has(b.tool_use_id)) stray.push({ j, id: b.tool_use_id });
    });
    if (stray.length) {
      return invalid(
        `messages.${i}.content.${stray[0].j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.map((s) => s.id).join(", ")}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
  }

  const reasoning = anthropicReasoningProblem(body);
  if (reasoning) return invalid(reasoning);
  if (body.model === "no-such-model") return fail(404, "not_found_error", `model: ${body.model}`);
  return null;
}

/** Normalises messages to { role, text }: a user turn holding tool_result blocks becomes a `tool` turn. */
function anthropicConversation(body) {
  return body.messages.map((m) => {
    if (m.role === "user" && Array.isArray(m.content)) {
      const result = m.content.find((b) => b?.type === "tool_result");
      if (result) return { role: "tool", text: blocksText(result.content) };
    }
    return { role: m.role, text: blocksText(m.content) };
  });
}

function anthropicUsesCache(body) {
  const blocks = [
    ...(Array.isArray(body.system) ? body.system : []),
    ...(Array.isArray(body.tools) ? body.tools : []),
    ...body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])),
  ];
  return blocks.some((b) => b && typeof b === "object" && b.cache_control != null);
}

/** Content blocks (each with its stream `pieces`), stop reason and usage, shared by JSON and SSE. */
function anthropicOutcome(body, controls) {
  const messages = anthropicConversation(body);
  const system = blocksText(body.system);
  const choice = body.tool_choice && typeof body.tool_choice === "object" ? body.tool_choice : {};
  const plan = planAnswer({
    messages,
    toolNames: (Array.isArray(body.tools) ? body.tools : []).map((t) => t?.name).filter((n) => typeof n === "string"),
    jsonMode: false,
    repeat: controls.repeat,
    forcedTool: choice.type === "tool" && typeof choice.name === "string" ? choice.name : null,
    toolsAllowed: choice.type !== "none",
    toolCallId: "toolu_emu_1",
    prefix: /pirate/i.test(system) ? "Arr! " : "",
  });

  const blocks = [];
  let thinkingTokens = 0;
  if (claudeThinks(body)) {
    // Billed whether shown or omitted (4.7 and later omit it unless asked).
    thinkingTokens = piecesOf(ANTHROPIC_THINKING).length;
    const shown = claudeShowsThinking(body) ? ANTHROPIC_THINKING : "";
    blocks.push({ type: "thinking", thinking: shown, signature: ANTHROPIC_SIGNATURE, pieces: shown ? piecesOf(shown) : [] });
  }
  let stopReason = "end_turn";
  let stopSequence = null;
  if (plan.kind === "tool_call") {
    blocks.push({ type: "tool_use", id: plan.id, name: plan.name, input: plan.input, pieces: splitEvenly(plan.arguments, 3) });
    stopReason = "tool_use";
  } else {
    let text = plan.text;
    const stop = firstStop(text, body.stop_sequences);
    if (stop) {
      text = text.slice(0, stop.at);
      stopReason = "stop_sequence";
      stopSequence = stop.sequence;
    }
    let pieces = piecesOf(text);
    if (body.max_tokens < pieces.length) {
      pieces = pieces.slice(0, body.max_tokens);
      stopReason = "max_tokens";
      stopSequence = null;
    }
    blocks.push({ type: "text", text: pieces.join(""), pieces });
  }
  const inputTokens = Math.max(1, wordCount(system) + messages.reduce((sum, m) => sum + wordCount(m.text), 0));
  const outputTokens = Math.max(1, thinkingTokens + blocks.reduce((sum, b) => sum + (b.type === "thinking" ? 0 : b.pieces.length), 0));
  return {
    blocks,
    stopReason,
    stopSequence,
    inputTokens,
    outputTokens,
    cacheRead: anthropicUsesCache(body) ? ANTHROPIC_CACHE_READ_TOKENS : 0,
    thinkingTokens,
  };
}

function anthropicUsage(out, outputTokens) {
  return {
    input_tokens: out.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: out.cacheRead,
    output_tokens: outputTokens,
    // GA since 2026-05-28: thinking tokens, within output_tokens.
    ...(out.thinkingTokens ? { output_tokens_details: { thinking_tokens: out.thinkingTokens } } : {}),
  };
}

function anthropicMessage(ctx, model, out, { streaming = false } = {}) {
  return {
    model,
    id: `msg_emu_${ctx.n}`,
    type: "message",
    role: "assistant",
    content: streaming ? [] : out.blocks.map(({ pieces, ...block }) => block),
    stop_reason: streaming ? null : out.stopReason,
    stop_sequence: streaming ? null : out.stopSequence,
    usage: anthropicUsage(out, streaming ? 1 : out.outputTokens),
  };
}

/**
 * One SSE event as the real API writes it: `event: <type>`, then the JSON with a run of
 * spaces before its final `}` (deterministic length per event position).
 */
function anthropicEvent(position, value) {
  const json = JSON.stringify(value);
  const pad = " ".repeat(3 + ((position * 5) % 13));
  return `event: ${value.type}\ndata: ${json.slice(0, -1)}${pad}}\n\n`;
}

const ANTHROPIC_PING = 'event: ping\ndata: {"type": "ping"}\n\n';

function anthropicStreamEvents(ctx, model, out) {
  const values = [{ type: "message_start", message: anthropicMessage(ctx, model, out, { streaming: true }) }];
  const pingAt = [];
  out.blocks.forEach((block, index) => {
    const delta = (d) => values.push({ type: "content_block_delta", index, delta: d });
    if (block.type === "thinking") {
      values.push({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } });
    } else if (block.type === "tool_use") {
      values.push({ type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
    } else {
      values.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
    }
    if (index === 0) pingAt.push(values.length);
    for (const piece of block.pieces) {
      if (block.type === "thinking") delta({ type: "thinking_delta", thinking: piece });
      else if (block.type === "tool_use") delta({ type: "input_json_delta", partial_json: piece });
      else delta({ type: "text_delta", text: piece });
    }
    if (block.type === "thinking") delta({ type: "signature_delta", signature: block.signature });
    values.push({ type: "content_block_stop", index });
  });
  const finalUsage = { output_tokens: out.outputTokens, ...(out.thinkingTokens ? { output_tokens_details: { thinking_tokens: out.thinkingTokens } } : {}) };
  values.push({ type: "message_delta", delta: { stop_reason: out.stopReason, stop_sequence: out.stopSequence }, usage: finalUsage });
  const events = values.map((v, i) => anthropicEvent(i, v));
  for (const at of pingAt) events.splice(at, 0, ANTHROPIC_PING);
  return { events, terminator: anthropicEvent(events.length, { type: "message_stop" }) };
}

const ANTHROPIC_FORMAT = {
  validate: validateAnthropic,
  definition: "anthropic.messages-request",
  // Anthropic's pydantic wording: "messages.0.content.0.foo: Extra inputs are not permitted".
  definitionError: (ctx, [first]) => ({
    status: 400,
    body: anthropicError(ctx, "invalid_request_error",
      `${first.loc.slice(1).join(".")}: ${first.field ? "Extra inputs are not permitted" : first.message}`),
  }),
  emulatorError: (ctx, message) => anthropicError(ctx, "emulator_error", message),
  statusError: (ctx, body) => anthropicStatusError(ctx, body.model),
  faultBodies: ANTHROPIC_FAULT_BODIES,
  answer: (ctx, body, controls) => anthropicMessage(ctx, body.model, anthropicOutcome(body, controls)),
  stream: (ctx, body, controls) => anthropicStreamEvents(ctx, body.model, anthropicOutcome(body, controls)),
};

export function handleAnthropicMessages(req, res, ctx, state) {
  ctx.timingHeader = null; // Anthropic sends no processing-time header.
  res.setHeader("request-id", anthropicRequestId(ctx));
  return serveChat(req, res, ctx, state, ANTHROPIC_FORMAT);
}
