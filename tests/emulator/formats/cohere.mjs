// ---------------------------------------------------------------------------------------
// Format: Cohere v2 chat  (POST /cohere/v2/chat)
// Shapes from the recorded fixtures (shared/fixtures/cohere, vercel/ai's cohere-*.json and
// *.chunks.txt); mid-stream errors as cohere-python's ChatMessageEndEventDelta describes them
// (`message-end` with `finish_reason: "ERROR"` and `delta.error`).
// ---------------------------------------------------------------------------------------

import { blocksText, firstStop, piecesOf, planAnswer, splitEvenly, wordCount } from "../answers.mjs";
import { serveChat } from "../chat.mjs";
import { isObject } from "../http.mjs";

const COHERE_ROLES = ["system", "user", "assistant", "tool"];
const COHERE_TEMPLATE_TOKENS = 8; // `usage.tokens.input_tokens` counts the prompt template too; billed_units doesn't
const COHERE_TOOL_CALL_ID = "weather_emu1";
const COHERE_MODEL_REQUIRED = "a model parameter is required for this endpoint.";
const COHERE_INTERNAL = "internal server error";

/** Cohere ids are UUIDs; the emulator's are fixed but for the request number. */
function cohereId(ctx) {
  return `c0e0e000-0000-4000-8000-${String(ctx.n).padStart(12, "0")}`;
}

export function cohereError(ctx, message) {
  return { id: cohereId(ctx), message };
}

/** Cohere's bodies for an injected `status=<code>` fault. */
function cohereStatusError(ctx, model) {
  return (status) => {
    const error = (message) => ({ body: cohereError(ctx, message) });
    switch (status) {
      case 400:
        return error("too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292. Try using a shorter prompt, or enabling prompt truncating. See https://docs.cohere.com/reference/generate for more details.");
      case 401:
        return error("invalid api token");
      case 402:
        return error("Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue");
      case 404:
        return error(`model '${model}' not found, make sure the correct model ID was used and that you have access to the model.`);
      case 429:
        return error("You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions");
      case 499:
        return error("request cancelled");
      case 500:
        return error(COHERE_INTERNAL);
      case 503:
        return error("service unavailable");
      default:
        return error(status >= 500 ? COHERE_INTERNAL : `Emulated HTTP ${status} error.`);
    }
  };
}

/** A content list or string is "empty" when it holds no text at all. */
function cohereIsEmpty(content) {
  return content === "" || (Array.isArray(content) && content.length === 0);
}

/** The checks the real API makes, in its order. Returns { status, body } or null. */
const COHERE_THINKING = "Let me think.";

function validateCohere(req, parsed, ctx) {
  const fail = (status, message) => ({ status, body: cohereError(ctx, message) });
  const invalid = (message) => fail(400, `invalid request: ${message}`);

  const key = /^Bearer\s+(.*)$/i.exec(String(req.headers.authorization ?? ""))?.[1]?.trim();
  if (!key) return fail(401, "no api key supplied");
  if (key.startsWith("sk-bad")) return fail(401, "invalid api token");

  const body = parsed.json;
  if (!parsed.ok || !isObject(body)) return invalid("the request body must be a valid JSON object.");
  if (typeof body.model !== "string" || body.model === "") return fail(400, COHERE_MODEL_REQUIRED);
  if (body.messages === undefined) return invalid("messages is a required field.");
  if (!Array.isArray(body.messages)) return invalid("messages must be a list of messages.");
  if (body.messages.length === 0) return invalid("messages must not be empty.");

  const callIds = new Set(); // tool call ids of the assistant messages seen so far
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m)) return invalid(`messages[${i}] must be an object.`);
    if (!COHERE_ROLES.includes(m.role)) {
      return invalid(`invalid role '${m.role}' in messages at index ${i}. Role must be one of the following: system, user, assistant, tool`);
    }
    const content = m.content;
    if (content !== undefined && typeof content !== "string" && !Array.isArray(content)) {
      return invalid(`messages[${i}].content must be a string or a list of content items.`);
    }
    if (m.role === "user" || m.role === "system") {
      if (content === undefined || cohereIsEmpty(content)) return fail(400, "message must not be empty in a turn");
    } else if (m.role === "assistant") {
      if (m.tool_calls !== undefined && !Array.isArray(m.tool_calls)) return invalid(`messages[${i}].tool_calls must be a list.`);
      for (const call of m.tool_calls ?? []) if (typeof call?.id === "string") callIds.add(call.id);
      if ((m.tool_calls ?? []).length === 0 && (content === undefined || cohereIsEmpty(content))) {
        return fail(400, "message must not be empty in a turn");
      }
    } else {
      if (typeof m.tool_call_id !== "string" || m.tool_call_id === "") return invalid(`messages[${i}].tool_call_id is required for tool messages.`);
      if (!callIds.has(m.tool_call_id)) {
        return invalid(`tool message at index ${i} has tool_call_id '${m.tool_call_id}', which does not match any tool call of a preceding assistant message.`);
      }
      if (content === undefined || cohereIsEmpty(content)) return fail(400, "message must not be empty in a turn");
    }
  }
  if (body.thinking !== undefined) {
    // Cohere's reasoning models take `thinking` (its v2 chat reference); others refuse it.
    if (!/^command-a-reasoning/.test(body.model)) return invalid(`thinking is not supported for model '${body.model}'.`);
    if (!isObject(body.thinking) || !["enabled", "disabled"].includes(body.thinking.type)) return invalid("thinking.type must be one of: enabled, disabled.");
    const budget = body.thinking.token_budget;
    if (budget !== undefined && (!Number.isInteger(budget) || budget < 1)) return invalid("thinking.token_budget must be a positive integer.");
  }
  if (body.model === "no-such-model") {
    return fail(404, `model '${body.model}' not found, make sure the correct model ID was used and that you have access to the model.`);
  }
  return null;
}

/** A tool message's content: a string, or text items and documents (their `data` as JSON), joined by a space. */
function cohereToolText(content) {
  if (typeof content === "string") return content;
  return (Array.isArray(content) ? content : [])
    .map((item) => {
      if (item?.type === "document") return JSON.stringify(item.document?.data ?? null);
      if (item?.type === "text" && typeof item.text === "string") return item.text;
      return null;
    })
    .filter((t) => t !== null)
    .join(" ");
}

/** Text and tool-call plan, pieces, finish reason and usage, shared by JSON and SSE. */
function cohereOutcome(body, controls) {
  const turns = body.messages.map((m) => ({ role: m.role, text: m.role === "tool" ? cohereToolText(m.content) : blocksText(m.content) }));
  const system = turns.filter((t) => t.role === "system").map((t) => t.text).join(" ");
  const toolNames = (Array.isArray(body.tools) ? body.tools : []).map((t) => t?.function?.name).filter((n) => typeof n === "string");
  const jsonMode = body.response_format?.type === "json_object";
  const plan = planAnswer({
    messages: turns.filter((t) => t.role !== "system"),
    toolNames,
    jsonMode,
    repeat: controls.repeat,
    // REQUIRED must call a tool: without "weather" it echoes, like Gemini's mode ANY.
    forcedTool: body.tool_choice === "REQUIRED" && toolNames.length && !/\bweather\b/i.test(turns.at(-1)?.text ?? "") ? toolNames[0] : null,
    toolsAllowed: body.tool_choice !== "NONE",
    toolCallId: COHERE_TOOL_CALL_ID,
    prefix: !jsonMode && /pirate/i.test(system) ? "Arr! " : "",
  });
  const inputTokens = Math.max(1, turns.reduce((sum, t) => sum + wordCount(t.text), 0));
  const usage = (outputTokens) => ({
    billed_units: { input_tokens: inputTokens, output_tokens: outputTokens },
    tokens: { input_tokens: inputTokens + COHERE_TEMPLATE_TOKENS, output_tokens: outputTokens },
    cached_tokens: 0,
  });

  if (plan.kind === "tool_call") {
    const toolPlan = plan.input.city ? `I will use ${plan.name} to look up the weather in ${plan.input.city}.` : `I will use ${plan.name}.`;
    const planPieces = piecesOf(toolPlan);
    const argPieces = splitEvenly(plan.arguments, 3);
    return { plan, toolPlan, planPieces, argPieces, finishReason: "TOOL_CALL", usage: usage(planPieces.length + argPieces.length) };
  }
  let text = plan.text;
  let finishReason = "COMPLETE";
  const stop = firstStop(text, body.stop_sequences);
  if (stop) {
    text = text.slice(0, stop.at);
    finishReason = "STOP_SEQUENCE";
  }
  let pieces = piecesOf(text);
  if (Number.isInteger(body.max_tokens) && body.max_tokens >= 0 && body.max_tokens < pieces.length) {
    pieces = pieces.slice(0, body.max_tokens);
    finishReason = "MAX_TOKENS";
  }
  // Reasoning models think unless told not to, in a `thinking` content block first.
  const thinks = /^command-a-reasoning/.test(body.model) && body.thinking?.type !== "disabled";
  const thoughtPieces = thinks ? piecesOf(COHERE_THINKING) : [];
  return { plan, pieces, thoughtPieces, finishReason, usage: usage(pieces.length + thoughtPieces.length) };
}

function cohereToolCall(out, args) {
  return { id: out.plan.id, type: "function", function: { name: out.plan.name, arguments: args } };
}

function cohereResponse(ctx, out) {
  const message =
    out.plan.kind === "tool_call"
      ? { role: "assistant", tool_plan: out.toolPlan, tool_calls: [cohereToolCall(out, out.plan.arguments)] }
      : {
          role: "assistant",
          content: [
            ...(out.thoughtPieces.length ? [{ type: "thinking", thinking: out.thoughtPieces.join("") }] : []),
            { type: "text", text: out.pieces.join("") },
          ],
        };
  return { id: cohereId(ctx), message, finish_reason: out.finishReason, usage: out.usage };
}

/** One SSE event: `event: <type>` then the payload, whose `type` is the same name. */
function cohereEvent(value) {
  return `event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`;
}

function cohereStream(ctx, body, controls) {
  const out = cohereOutcome(body, controls);
  const values = [
    { id: cohereId(ctx), type: "message-start", delta: { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] } } },
  ];
  if (out.plan.kind === "tool_call") {
    for (const piece of out.planPieces) values.push({ type: "tool-plan-delta", delta: { message: { tool_plan: piece } } });
    values.push({ type: "tool-call-start", index: 0, delta: { message: { tool_calls: cohereToolCall(out, "") } } });
    for (const piece of out.argPieces) {
      values.push({ type: "tool-call-delta", index: 0, delta: { message: { tool_calls: { function: { arguments: piece } } } } });
    }
    values.push({ type: "tool-call-end", index: 0 });
  } else {
    let index = 0;
    if (out.thoughtPieces.length) {
      values.push({ type: "content-start", index, delta: { message: { content: { type: "thinking", thinking: "" } } } });
      for (const piece of out.thoughtPieces) values.push({ type: "content-delta", index, delta: { message: { content: { thinking: piece } } } });
      values.push({ type: "content-end", index: index++ });
    }
    values.push({ type: "content-start", index, delta: { message: { content: { type: "text", text: "" } } } });
    for (const piece of out.pieces) values.push({ type: "content-delta", index, delta: { message: { content: { text: piece } } } });
    values.push({ type: "content-end", index });
  }
  // message-end is Cohere's end marker: what `no-done` drops.
  return {
    events: values.map(cohereEvent),
    terminator: cohereEvent({ type: "message-end", delta: { finish_reason: out.finishReason, usage: out.usage } }),
  };
}

const COHERE_STREAM_ERROR = { type: "message-end", delta: { error: COHERE_INTERNAL, finish_reason: "ERROR" } };

const COHERE_FORMAT = {
  validate: validateCohere,
  definition: "cohere.chat-request",
  definitionError: (ctx, [first]) => ({ status: 400, body: cohereError(ctx, `invalid request: ${first.loc.slice(1).join(".")}: ${first.message}`) }),
  emulatorError: (ctx, message) => cohereError(ctx, message),
  statusError: (ctx, body) => cohereStatusError(ctx, body.model),
  answer: (ctx, body, controls) => cohereResponse(ctx, cohereOutcome(body, controls)),
  stream: cohereStream,
};

export function handleCohereChat(req, res, ctx, state) {
  ctx.timingHeader = "x-envoy-upstream-service-time"; // Cohere's timing header
  ctx.internalError = (message) => cohereError(ctx, message);
  const format = {
    ...COHERE_FORMAT,
    faultBodies: {
      malformedEvent: 'event: content-delta\ndata: {"type":"content-delta", not json\n\n',
      malformedBody: `{"id":"${cohereId(ctx)}", not json`,
      errorEvent: cohereEvent(COHERE_STREAM_ERROR),
      errorBody: cohereError(ctx, COHERE_INTERNAL),
      // Cohere documents no keep-alive: a bare line end, one byte of life.
      keepAlive: "\n",
    },
  };
  return serveChat(req, res, ctx, state, format);
}
