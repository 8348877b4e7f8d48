// ---------------------------------------------------------------------------------------
// Format: OpenAI chat completions  (POST /openai/v1/chat/completions)
// ---------------------------------------------------------------------------------------

import { openaiEffortProblem, reasoningTokens } from "../reasoning.mjs";
import { blocksText, piecesOf, planAnswer, splitEvenly, wordCount } from "../answers.mjs";
import { serveChat } from "../chat.mjs";
import { OPENAI_FAULT_BODIES } from "../faults.mjs";

// Fixed so snapshots of responses are stable across runs.
export const CREATED = 1700000000;
const FINGERPRINT = "fp_emulator";

const OPENAI_NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
export const OPENAI_BAD_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";

export function openaiError(message, type = "invalid_request_error", param = null, code = null) {
  return { error: { message, type, param, code } };
}

/** OpenAI's real error bodies for an injected `status=<code>` fault. */
export function openaiStatusError(model) {
  return (status, params) => {
    switch (status) {
      case 400:
        return { body: openaiError("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "invalid_request_error", "max_tokens", "unsupported_parameter") };
      case 401:
        return { body: openaiError("Incorrect API key provided: sk-emu***. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key") };
      case 403:
        return { body: openaiError("Country, region, or territory not supported", "request_forbidden", null, "unsupported_country_region_territory") };
      case 404:
        return { body: openaiError(`The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", null, "model_not_found") };
      case 422:
        return { body: openaiError("Invalid request: the request body could not be processed.", "invalid_request_error", null, null) };
      case 429:
        // `code=insufficient_quota` is the non-retryable 429 a client must not retry.
        if (params.code === "insufficient_quota") {
          return { body: openaiError("You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", "insufficient_quota", null, "insufficient_quota") };
        }
        return {
          body: openaiError(`Rate limit reached for ${model} in organization org-emulator on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.`, "requests", null, "rate_limit_exceeded"),
          headers: { "x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20s" },
        };
      case 500:
        return { body: openaiError("The server had an error while processing your request. Sorry about that!", "server_error") };
      case 502:
        return { body: openaiError("Bad gateway.", "server_error") };
      case 503:
        return { body: openaiError("The engine is currently overloaded, please try again later", "server_error") };
      default:
        return { body: openaiError(`Emulated HTTP ${status} error.`, status >= 500 ? "server_error" : "invalid_request_error") };
    }
  };
}

/** The checks a real OpenAI server makes, in its order. Returns { status, body } or null. */
function validateOpenAI(req, parsed) {
  const auth = String(req.headers.authorization ?? "");
  const key = /^Bearer\s+(.*)$/i.exec(auth)?.[1]?.trim();
  if (!key) return { status: 401, body: openaiError(OPENAI_NO_KEY) };
  if (key.startsWith("sk-bad")) {
    return { status: 401, body: openaiError(`Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", null, "invalid_api_key") };
  }
  const body = parsed.json;
  if (!parsed.ok || body === null || typeof body !== "object" || Array.isArray(body)) {
    return { status: 400, body: openaiError(OPENAI_BAD_JSON) };
  }
  if (typeof body.model !== "string" || body.model === "") {
    return { status: 400, body: openaiError("you must provide a model parameter") };
  }
  if (!Array.isArray(body.messages)) {
    return { status: 400, body: openaiError("Missing required parameter: 'messages'.", "invalid_request_error", "messages", "missing_required_parameter") };
  }
  if (body.model === "no-such-model") {
    return { status: 404, body: openaiError(`The model \`${body.model}\` does not exist or you do not have access to it.`, "invalid_request_error", null, "model_not_found") };
  }
  if (body.stream !== true && body.stream_options != null) {
    return { status: 400, body: openaiError("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error", "stream_options", null) };
  }
  return null;
}

function openaiUsage(promptTokens, completionTokens) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function openaiTokenLimit(body) {
  const limits = [body.max_tokens, body.max_completion_tokens].filter((v) => Number.isInteger(v) && v >= 0);
  return limits.length ? Math.min(...limits) : null;
}

/** Everything both the JSON and the SSE renderings need. */
export function openaiOutcome(body, controls) {
  const messages = body.messages
    .filter((m) => m && typeof m === "object")
    .map((m) => ({ role: String(m.role ?? ""), text: blocksText(m.content) }));
  const toolNames = (Array.isArray(body.tools) ? body.tools : [])
    .map((t) => t?.function?.name ?? t?.name)
    .filter((name) => typeof name === "string");
  const formatType = body.response_format?.type;
  const plan = planAnswer({
    messages,
    toolNames,
    jsonMode: formatType === "json_object" || formatType === "json_schema",
    repeat: controls.repeat,
  });
  const n = Number.isInteger(body.n) && body.n >= 1 ? Math.min(body.n, 128) : 1;
  const promptTokens = Math.max(1, messages.reduce((sum, m) => sum + wordCount(m.text), 0));

  let pieces;
  let finishReason;
  if (plan.kind === "tool_call") {
    pieces = splitEvenly(plan.arguments, 3);
    finishReason = "tool_calls";
  } else {
    pieces = piecesOf(plan.text);
    finishReason = "stop";
    const limit = openaiTokenLimit(body);
    if (limit !== null && limit < pieces.length) {
      pieces = pieces.slice(0, limit);
      finishReason = "length";
    }
  }
  const usage = openaiUsage(promptTokens, pieces.length * n);
  if (typeof body.reasoning_effort === "string") {
    // Reasoning is billed within completion_tokens.
    const reasoning = reasoningTokens(body.reasoning_effort) * n;
    usage.completion_tokens += reasoning;
    usage.total_tokens += reasoning;
    usage.completion_tokens_details.reasoning_tokens = reasoning;
  }
  return { plan, pieces, finishReason, n, usage, reasoning: null };
}

/** Reasoning text a host answers beside the content: `{ field, pieces }` on `out`. */
export function withReasoning(out, field) {
  return { ...out, reasoning: { field, pieces: piecesOf(OPENAI_REASONING) } };
}

const OPENAI_REASONING = "Let me think.";

export function openaiCompletion(ctx, model, out) {
  const message =
    out.plan.kind === "tool_call"
      ? {
          role: "assistant",
          content: null,
          tool_calls: [{ id: out.plan.id, type: "function", function: { name: out.plan.name, arguments: out.plan.arguments } }],
          refusal: null,
        }
      : { role: "assistant", content: out.pieces.join(""), refusal: null };
  if (out.reasoning) message[out.reasoning.field] = out.reasoning.pieces.join("");
  return {
    id: `chatcmpl-emu-${ctx.n}`,
    object: "chat.completion",
    created: CREATED,
    model,
    choices: Array.from({ length: out.n }, (_, index) => ({ index, message, logprobs: null, finish_reason: out.finishReason })),
    usage: out.usage,
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  };
}

/** The SSE events, interleaving choices per step as OpenAI does for n > 1. */
export function openaiStreamEvents(ctx, model, out, includeUsage) {
  const chunk = (choices, usage = null) => ({
    id: `chatcmpl-emu-${ctx.n}`,
    object: "chat.completion.chunk",
    created: CREATED,
    model,
    system_fingerprint: FINGERPRINT,
    choices,
    ...(includeUsage ? { usage } : {}),
  });
  const event = (value) => `data: ${JSON.stringify(value)}\n\n`;
  const perChoice = (delta, finish = null) =>
    Array.from({ length: out.n }, (_, index) => event(chunk([{ index, delta, logprobs: null, finish_reason: finish }])));

  const isTool = out.plan.kind === "tool_call";
  const first = isTool
    ? {
        role: "assistant",
        content: null,
        tool_calls: [{ index: 0, id: out.plan.id, type: "function", function: { name: out.plan.name, arguments: "" } }],
        refusal: null,
      }
    : { role: "assistant", content: "", refusal: null };
  const events = [...perChoice(first)];
  for (const piece of out.reasoning?.pieces ?? []) events.push(...perChoice({ [out.reasoning.field]: piece }));
  for (const piece of out.pieces) {
    events.push(...perChoice(isTool ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece }));
  }
  events.push(...perChoice({}, out.finishReason));
  if (includeUsage) events.push(event(chunk([], out.usage)));
  return events;
}

export const OPENAI_FORMAT = {
  validate: validateOpenAI,
  definition: "openai.chat-request",
  // OpenAI's wording for a parameter of the wrong type or shape.
  definitionError: (ctx, [first]) => ({
    status: 400,
    body: openaiError(`Invalid value for '${first.loc.slice(1).join(".")}': ${first.message}.`, "invalid_request_error",
      first.loc.slice(1).join(".") || null, "invalid_value"),
  }),
  emulatorError: (ctx, message) => openaiError(message, "emulator_error", "x-emulator-fault"),
  statusError: (ctx, body) => openaiStatusError(body.model),
  faultBodies: OPENAI_FAULT_BODIES,
  answer: (ctx, body, controls) => openaiCompletion(ctx, body.model, openaiOutcome(body, controls)),
  stream: (ctx, body, controls) => ({
    events: openaiStreamEvents(ctx, body.model, openaiOutcome(body, controls), body.stream_options?.include_usage === true),
    terminator: "data: [DONE]\n\n",
  }),
};

/** OpenAI's own route also judges `reasoning_effort` by model family. */
const OPENAI_ROUTE = {
  ...OPENAI_FORMAT,
  validate: (req, parsed) => {
    const problem = validateOpenAI(req, parsed);
    if (problem) return problem;
    const effort = openaiEffortProblem(parsed.json);
    return effort && { status: 400, body: openaiError(effort.message, "invalid_request_error", "reasoning_effort", effort.code) };
  },
};

export function handleOpenAIChat(req, res, ctx, state) {
  return serveChat(req, res, ctx, state, OPENAI_ROUTE);
}
