// ---------------------------------------------------------------------------------------
// OpenAI-compatible hosts whose published definitions are stricter than OpenAI's, served
// with the OpenAI format but judged by their own definition and answering as they do:
//   POST /mistral/v1/chat/completions   Mistral: closed objects, 422 with pydantic details;
//                                       tool calls without `type` (and, streamed, whole,
//                                       without `index`), no `logprobs` / `refusal` members
//   POST /deepseek/chat/completions     DeepSeek: string content, no `developer` role, 400;
//                                       `reasoning_content` while thinking (on by default)
//   POST /groq/openai/v1/chat/completions  Groq: its definition; parsed reasoning as `reasoning`
// ---------------------------------------------------------------------------------------

import { serveChat } from "../chat.mjs";
import { CREATED, OPENAI_FORMAT, openaiCompletion, openaiError, openaiOutcome, openaiStreamEvents, withReasoning } from "./openai.mjs";

/** Mistral's 422, as its API words a body its schema refuses. */
function mistralError(problems) {
  return {
    object: "error",
    message: {
      detail: problems.map((p) => ({
        type: p.field ? "extra_forbidden" : "value_error",
        loc: p.loc,
        msg: p.field ? "Extra inputs are not permitted" : p.message,
      })),
    },
    type: "invalid_request_message_error",
    param: null,
    code: null,
  };
}

/** Mistral's reasoning: Magistral always, the adjustable models at `reasoning_effort: "high"`. */
const MISTRAL_THOUGHT = "Let me think.";
const mistralThinks = (body) => /^magistral/.test(body.model) || body.reasoning_effort === "high";
/** Content as Mistral's chunks: a `ThinkChunk` first, then the text (mistralai/client-python). */
const thinkChunk = (text) => ({ type: "thinking", thinking: [{ type: "text", text }] });

/** Mistral's answer: OpenAI's, less the members Mistral does not send. */
function mistralCompletion(ctx, model, out, thinks) {
  const c = openaiCompletion(ctx, model, out);
  if (thinks) {
    for (const choice of c.choices) {
      choice.message.content = [thinkChunk(MISTRAL_THOUGHT), { type: "text", text: choice.message.content ?? "" }];
    }
  }
  delete c.service_tier;
  delete c.system_fingerprint;
  for (const choice of c.choices) {
    delete choice.logprobs;
    delete choice.message.refusal;
    for (const call of choice.message.tool_calls ?? []) delete call.type;
  }
  return c;
}

/** Mistral's stream: a tool call whole in one delta, without `type` or `index`. */
function mistralStreamEvents(ctx, model, out, thinks) {
  const chunk = (delta, finish_reason = null, usage) => `data: ${JSON.stringify({
    id: `cmpl-emu-${ctx.n}`, object: "chat.completion.chunk", created: CREATED, model,
    choices: [{ index: 0, delta, finish_reason }], ...(usage ? { usage } : {}),
  })}\n\n`;
  const events = [chunk({ role: "assistant", content: "" })];
  if (thinks) for (const piece of MISTRAL_THOUGHT.split(/(?<= )/)) events.push(chunk({ content: [thinkChunk(piece)] }));
  if (out.plan.kind === "tool_call") {
    events.push(chunk({ tool_calls: [{ id: out.plan.id, function: { name: out.plan.name, arguments: out.plan.arguments } }] }));
  } else {
    for (const piece of out.pieces) events.push(chunk({ content: piece }));
  }
  // Mistral sends usage in its last chunk, asked or not.
  events.push(chunk({ content: "" }, out.finishReason, out.usage));
  return events;
}

const MISTRAL_FORMAT = {
  ...OPENAI_FORMAT,
  definition: "mistral.chat-request",
  definitionError: (ctx, problems) => ({ status: 422, body: mistralError(problems) }),
  answer: (ctx, body, controls) => mistralCompletion(ctx, body.model, openaiOutcome(body, controls), mistralThinks(body)),
  stream: (ctx, body, controls) => ({
    events: mistralStreamEvents(ctx, body.model, openaiOutcome(body, controls), mistralThinks(body)),
    terminator: "data: [DONE]\n\n",
  }),
};

const DEEPSEEK_FORMAT = {
  ...OPENAI_FORMAT,
  definition: "deepseek.chat-request",
  // DeepSeek's serde message: "Failed to deserialize the JSON body into the target type".
  definitionError: (ctx, [first]) => ({
    status: 400,
    body: openaiError(`Failed to deserialize the JSON body into the target type: ${first.loc.slice(1).join(".")}: ${first.message}`,
      "invalid_request_error", null, "invalid_request_error"),
  }),
};

/** An OpenAI-format host that answers reasoning under `field` when `thinks(body)`. */
function reasoningHost(format, field, thinks) {
  const outcome = (body, controls) => {
    const out = openaiOutcome(body, controls);
    return thinks(body) ? withReasoning(out, field) : out;
  };
  return {
    ...format,
    answer: (ctx, body, controls) => openaiCompletion(ctx, body.model, outcome(body, controls)),
    stream: (ctx, body, controls) => ({
      events: openaiStreamEvents(ctx, body.model, outcome(body, controls), body.stream_options?.include_usage === true),
      terminator: "data: [DONE]\n\n",
    }),
  };
}

// DeepSeek thinks unless told not to (its thinking-mode guide); deepseek-chat was the
// non-thinking alias.
const DEEPSEEK_HOST = reasoningHost(DEEPSEEK_FORMAT, "reasoning_content",
  (body) => body.thinking?.type === "enabled" || (body.thinking?.type !== "disabled" && body.model !== "deepseek-chat"));

// Groq: Qwen's reasoning parsed out with `reasoning_format: "parsed"`; gpt-oss always.
const GROQ_FORMAT = reasoningHost({
  ...OPENAI_FORMAT,
  definition: "groq.chat-request",
  definitionError: OPENAI_FORMAT.definitionError,
}, "reasoning", (body) => body.reasoning_format === "parsed" || (/gpt-oss/.test(body.model) && body.include_reasoning !== false));

export function handleGroqChat(req, res, ctx, state) {
  return serveChat(req, res, ctx, state, GROQ_FORMAT);
}

export function handleMistralChat(req, res, ctx, state) {
  return serveChat(req, res, ctx, state, MISTRAL_FORMAT);
}

export function handleDeepSeekChat(req, res, ctx, state) {
  return serveChat(req, res, ctx, state, DEEPSEEK_HOST);
}
