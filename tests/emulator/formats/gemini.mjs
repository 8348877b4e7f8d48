// ---------------------------------------------------------------------------------------
// Format: Google Gemini API, generativelanguage v1beta
//   POST /gemini/v1beta/models/{model}:generateContent
//   POST /gemini/v1beta/models/{model}:streamGenerateContent[?alt=sse]
// ---------------------------------------------------------------------------------------

import { geminiShowsThoughts, geminiThinkingProblem } from "../reasoning.mjs";
import { firstStop, piecesOf, planAnswer, wordCount } from "../answers.mjs";
import { serveChat } from "../chat.mjs";
import { isObject, splitTarget } from "../http.mjs";

const GEMINI_THOUGHT = "Let me think.";
const GEMINI_THOUGHT_TOKENS = 3;
const GEMINI_THOUGHT_SIGNATURE = "c2lnX2VtdQ=="; // base64("sig_emu")
const GEMINI_CACHED_TOKENS = 4;
const GEMINI_NO_KEY =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
const GEMINI_BAD_KEY = "API key not valid. Please pass a valid API key.";
const GEMINI_OVERLOADED = "The model is overloaded. Please try again later.";
const GEMINI_ERROR_EVENT = { error: { code: 503, message: GEMINI_OVERLOADED, status: "UNAVAILABLE" } };
const GEMINI_MALFORMED = '{"candidates": [ not json';
// Fields Google's JSON parser knows; anything else is "Unknown name … Cannot find field."
// (camelCase only: Google also takes the proto snake_case names, the emulator doesn't, so the
// client sticks to the documented spelling).
const GEMINI_REQUEST_FIELDS = ["model", "contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig", "cachedContent"];
const GEMINI_GENERATION_FIELDS = [
  "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences", "presencePenalty", "frequencyPenalty",
  "seed", "responseMimeType", "responseSchema", "responseJsonSchema", "responseLogprobs", "logprobs", "thinkingConfig", "responseModalities",
];
const GEMINI_THINKING_FIELDS = ["includeThoughts", "thinkingBudget", "thinkingLevel"];
const GEMINI_PART_DATA = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"];
const GEMINI_PART_FIELDS = [...GEMINI_PART_DATA, "thought", "thoughtSignature", "videoMetadata", "partMetadata"];
const GEMINI_NUMBER_FIELDS = { temperature: "TYPE_FLOAT", topP: "TYPE_FLOAT", presencePenalty: "TYPE_FLOAT", frequencyPenalty: "TYPE_FLOAT", topK: "TYPE_INT32", candidateCount: "TYPE_INT32", maxOutputTokens: "TYPE_INT32", seed: "TYPE_INT32", logprobs: "TYPE_INT32" };
const GEMINI_MODES = ["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"];
// As recorded (prompt_blocked_safety.json): the whole body of a blocked prompt.
const GEMINI_PROMPT_BLOCKED = {
  promptFeedback: {
    blockReason: "SAFETY",
    safetyRatings: [
      { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
      { category: "HARM_CATEGORY_HATE_SPEECH", probability: "HIGH" },
      { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
      { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "NEGLIGIBLE" },
    ],
  },
};
const GEMINI_UNSAFE_RATINGS = [
  { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "NEGLIGIBLE" },
];

export function googleError(code, status, message, details) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

function googleInvalid(message, details) {
  return { status: 400, body: googleError(400, "INVALID_ARGUMENT", message, details) };
}

/** A JSON-parser rejection, with the BadRequest detail Google attaches. */
function googleParseError(message, field) {
  return googleInvalid(message, [
    { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ ...(field ? { field } : {}), description: message }] },
  ]);
}

function snakeCase(name) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function unknownField(object, known, where) {
  const name = Object.keys(object).find((k) => !known.includes(k));
  if (name === undefined) return null;
  const at = where ? ` at '${where}'` : "";
  return googleParseError(`Invalid JSON payload received. Unknown name ${JSON.stringify(name)}${at}: Cannot find field.`, where || undefined);
}

function geminiNotFound(model, method) {
  const message = `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`;
  return googleError(404, "NOT_FOUND", message, [
    { "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: `[ORIGINAL ERROR] generic::not_found: ${message} [google.rpc.error_details_ext] { message: ${JSON.stringify(message)} }` },
    { "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: message },
  ]);
}

/** Google's bodies for an injected `status=<code>` fault. */
function geminiStatusError(ctx) {
  return (status, params) => {
    const error = (code, message, details) => ({ body: googleError(status, code, message, details) });
    switch (status) {
      case 400:
        return error("INVALID_ARGUMENT", "Request contains an invalid argument.");
      case 401:
        return error("UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
      case 403:
        return error("PERMISSION_DENIED", "The caller does not have permission");
      case 404:
        return { body: geminiNotFound(ctx.gemini.model, ctx.gemini.method) };
      case 429: {
        // Google sends no Retry-After header: the delay is the RetryInfo detail.
        const seconds = params["retry-after"] !== undefined ? Number(params["retry-after"]) : params["retry-after-ms"] !== undefined ? Number(params["retry-after-ms"]) / 1000 : null;
        const details = [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }] },
          ...(Number.isFinite(seconds) ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${seconds}s` }] : []),
        ];
        return { ...error("RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", details), noRetryHeaders: true };
      }
      case 500:
        return error("INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
      case 503:
        return error("UNAVAILABLE", GEMINI_OVERLOADED);
      case 504:
        return error("DEADLINE_EXCEEDED", "Deadline expired before operation could complete.");
      default:
        return status >= 500 ? error("INTERNAL", "Internal error encountered.") : error("INVALID_ARGUMENT", `Emulated HTTP ${status} error.`);
    }
  };
}

function validateGenerationConfig(config, model) {
  if (config === undefined) return null;
  if (!isObject(config)) return googleParseError(`Invalid value at 'generation_config' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig), ${JSON.stringify(config)}`, "generation_config");
  const unknown = unknownField(config, GEMINI_GENERATION_FIELDS, "generation_config");
  if (unknown) return unknown;
  for (const [name, type] of Object.entries(GEMINI_NUMBER_FIELDS)) {
    const v = config[name];
    if (v === undefined) continue;
    if (typeof v !== "number" || (type === "TYPE_INT32" && !Number.isInteger(v))) {
      const where = `generation_config.${snakeCase(name)}`;
      return googleParseError(`Invalid value at '${where}' (${type}), ${JSON.stringify(v)}`, where);
    }
  }
  if (config.stopSequences !== undefined && (!Array.isArray(config.stopSequences) || config.stopSequences.some((s) => typeof s !== "string"))) {
    return googleParseError(`Invalid value at 'generation_config.stop_sequences' (TYPE_STRING), ${JSON.stringify(config.stopSequences)}`, "generation_config.stop_sequences");
  }
  if (config.candidateCount !== undefined && (config.candidateCount < 1 || config.candidateCount > 8)) {
    return googleInvalid("* GenerateContentRequest.generation_config.candidate_count: must be in the range [1, 8].\n");
  }
  if (config.thinkingConfig !== undefined) {
    if (!isObject(config.thinkingConfig)) return googleParseError("Invalid value at 'generation_config.thinking_config'", "generation_config.thinking_config");
    const unknownThinking = unknownField(config.thinkingConfig, GEMINI_THINKING_FIELDS, "generation_config.thinking_config");
    if (unknownThinking) return unknownThinking;
    const thinking = geminiThinkingProblem(model, config.thinkingConfig);
    if (thinking) return googleInvalid(thinking);
  }
  return null;
}

function validateContents(contents) {
  const where = (i, rest = "") => `* GenerateContentRequest.contents[${i}]${rest}`;
  for (const [i, c] of contents.entries()) {
    if (!isObject(c)) return googleParseError(`Invalid value at 'contents[${i}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), ${JSON.stringify(c)}`, `contents[${i}]`);
    const unknown = unknownField(c, ["role", "parts"], `contents[${i}]`);
    if (unknown) return unknown;
    // Role is optional (a lone turn without one is the user's); set, it must be user or model.
    if (c.role !== undefined && c.role !== "user" && c.role !== "model") return googleInvalid("Please use a valid role: user, model.");
    if (!Array.isArray(c.parts) || c.parts.length === 0) return googleInvalid(`${where(i, ".parts")}: contents.parts must not be empty.\n`);
    for (const [j, p] of c.parts.entries()) {
      const at = `contents[${i}].parts[${j}]`;
      if (!isObject(p)) return googleParseError(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part), ${JSON.stringify(p)}`, at);
      const unknownPart = unknownField(p, GEMINI_PART_FIELDS, at);
      if (unknownPart) return unknownPart;
      const data = GEMINI_PART_DATA.filter((k) => p[k] !== undefined);
      if (data.length === 0) return googleInvalid(`${where(i, `.parts[${j}].data`)}: required oneof field 'data' must have one initialized field\n`);
      if (data.length > 1) return googleParseError(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${data[1]}'`, at);
      if (p.text !== undefined && typeof p.text !== "string") return googleParseError(`Invalid value at '${at}.text' (TYPE_STRING), ${JSON.stringify(p.text)}`, `${at}.text`);
      for (const kind of ["functionCall", "functionResponse"]) {
        if (p[kind] !== undefined && (!isObject(p[kind]) || typeof p[kind].name !== "string" || p[kind].name === "")) {
          return googleInvalid(`${where(i, `.parts[${j}].${snakeCase(kind)}.name`)}: Name cannot be empty.\n`);
        }
      }
    }
  }
  // Function calls follow a user turn; function responses answer, all in one turn and by
  // name, the calls of the model turn immediately before them.
  const calls = (c) => (c?.role === "model" ? c.parts.filter((p) => p.functionCall).map((p) => p.functionCall.name) : []);
  for (const [i, c] of contents.entries()) {
    if (c.role === "model" && calls(c).length && (i === 0 || contents[i - 1].role === "model")) {
      return googleInvalid("Please ensure that function call turn comes immediately after a user turn or after a function response turn.");
    }
    const responses = c.role === "model" ? [] : c.parts.map((p, j) => ({ j, name: p.functionResponse?.name })).filter((r) => r.name !== undefined);
    if (responses.length === 0) continue;
    const names = calls(contents[i - 1]);
    if (names.length === 0) return googleInvalid("Please ensure that function response turn comes immediately after a function call turn.");
    const stray = responses.find((r) => !names.includes(r.name));
    if (stray) {
      return googleInvalid(`${where(i, `.parts[${stray.j}].function_response.name`)}: function response name ${JSON.stringify(stray.name)} does not match any function call name of the preceding model turn (${names.join(", ")}).\n`);
    }
    if (responses.length !== names.length) {
      return googleInvalid("Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.");
    }
  }
  return null;
}

/** The checks the real API makes. Returns { status, body } or null. */
function validateGemini(req, parsed, ctx) {
  const { model, method, query } = ctx.gemini;
  // Google takes the key from the header or `?key=`; the client must use the header.
  const key = String(req.headers["x-goog-api-key"] ?? query.key ?? "").trim();
  if (!key) return { status: 403, body: googleError(403, "PERMISSION_DENIED", GEMINI_NO_KEY) };
  if (key.startsWith("sk-bad")) {
    return {
      status: 400,
      body: googleError(400, "INVALID_ARGUMENT", GEMINI_BAD_KEY, [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
        { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: GEMINI_BAD_KEY },
        { "@type": "type.googleapis.com/google.rpc.DebugInfo", detail: `Invalid API key: ${key}` },
      ]),
    };
  }
  const body = parsed.json;
  if (!parsed.ok && body !== null) return googleParseError(`Invalid JSON payload received. Unexpected token.\n${String(body).slice(0, 40)}\n^`);
  if (body !== null && !isObject(body)) return googleParseError('Invalid JSON payload received. Unknown name "": Root element must be a message.');
  const request = body ?? {};
  const unknown = unknownField(request, GEMINI_REQUEST_FIELDS, "");
  if (unknown) return unknown;
  if (request.contents !== undefined && !Array.isArray(request.contents)) {
    return googleParseError(`Invalid value at 'contents' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), ${JSON.stringify(request.contents)}`, "contents");
  }
  const badConfig = validateGenerationConfig(request.generationConfig, model);
  if (badConfig) return badConfig;
  const mode = request.toolConfig?.functionCallingConfig?.mode;
  if (mode !== undefined && !GEMINI_MODES.includes(mode)) {
    const where = "tool_config.function_calling_config.mode";
    return googleParseError(`Invalid value at '${where}' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(mode)}`, where);
  }
  if (!Array.isArray(request.contents) || request.contents.length === 0) return googleInvalid("* GenerateContentRequest.contents: contents is not specified\n");
  const badContents = validateContents(request.contents);
  if (badContents) return badContents;
  const system = request.systemInstruction;
  if (system !== undefined && (!isObject(system) || !Array.isArray(system.parts) || system.parts.some((p) => !isObject(p) || typeof p.text !== "string"))) {
    return googleInvalid("* GenerateContentRequest.system_instruction: system_instruction must be a Content whose parts are text parts.\n");
  }
  if (model === "no-such-model") return { status: 404, body: geminiNotFound(model, method) };
  return null;
}

function geminiText(parts) {
  return (Array.isArray(parts) ? parts : [])
    .filter((p) => typeof p?.text === "string" && p.thought !== true)
    .map((p) => p.text)
    .join(" ");
}

/** Normalises contents to { role, text }: a turn holding functionResponse parts becomes a `tool` turn. */
function geminiConversation(body) {
  return body.contents.map((c) => {
    const response = c.parts.find((p) => p.functionResponse)?.functionResponse;
    if (c.role !== "model" && response) return { role: "tool", text: JSON.stringify(response.response ?? {}) };
    return { role: c.role === "model" ? "assistant" : "user", text: geminiText(c.parts) };
  });
}

/** Candidate parts (each with its stream `pieces`), finish reason and usage, shared by JSON and SSE. */
function geminiOutcome(body, controls, model) {
  const config = body.generationConfig ?? {};
  const messages = geminiConversation(body);
  const system = geminiText(body.systemInstruction?.parts);
  const promptTokens =
    Math.max(1, wordCount(system) + messages.reduce((sum, m) => sum + wordCount(m.text), 0)) + (body.cachedContent ? GEMINI_CACHED_TOKENS : 0);
  const base = { promptTokens, cached: body.cachedContent ? GEMINI_CACHED_TOKENS : 0, n: config.candidateCount ?? 1 };
  const lastUser = messages.findLast((m) => m.role === "user")?.text ?? "";
  if (/forbidden/i.test(lastUser)) return { ...base, blocked: true };
  if (/unsafe/i.test(lastUser)) return { ...base, parts: [], finishReason: "SAFETY", thoughts: 0 };

  const calling = body.toolConfig?.functionCallingConfig ?? {};
  const declared = (Array.isArray(body.tools) ? body.tools : [])
    .flatMap((t) => (Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []))
    .map((d) => d?.name)
    .filter((n) => typeof n === "string");
  const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames.filter((n) => typeof n === "string") : [];
  const anyName = calling.mode === "ANY" ? (allowed[0] ?? declared[0]) : undefined;
  const jsonMode = config.responseMimeType === "application/json";
  const weather = messages.at(-1)?.role === "user" && /\bweather\b/i.test(messages.at(-1).text);
  const plan = planAnswer({
    messages,
    toolNames: anyName ? [anyName] : declared,
    jsonMode,
    repeat: controls.repeat,
    // Mode ANY must call a function: without "weather" it echoes, like Anthropic's forced tool.
    forcedTool: anyName && declared.length && !weather ? anyName : null,
    toolsAllowed: calling.mode !== "NONE",
    prefix: !jsonMode && /pirate/i.test(system) ? "Arr! " : "",
  });

  const thinking = geminiShowsThoughts(model, config.thinkingConfig);
  const parts = thinking ? [{ part: { text: GEMINI_THOUGHT, thought: true }, pieces: piecesOf(GEMINI_THOUGHT), thought: true }] : [];
  let finishReason = "STOP";
  if (plan.kind === "tool_call") {
    const call = { functionCall: { name: plan.name, args: plan.input } };
    if (thinking) call.thoughtSignature = GEMINI_THOUGHT_SIGNATURE;
    parts.push({ part: call, pieces: [null], whole: true, tokens: 1 });
  } else {
    let text = plan.text;
    const stop = firstStop(text, config.stopSequences);
    if (stop) text = text.slice(0, stop.at);
    let pieces = piecesOf(text);
    if (Number.isInteger(config.maxOutputTokens) && config.maxOutputTokens < pieces.length) {
      pieces = pieces.slice(0, config.maxOutputTokens);
      finishReason = "MAX_TOKENS";
    }
    parts.push({ part: { text: pieces.join("") }, pieces: pieces.length ? pieces : [""], tokens: pieces.length });
  }
  const outputPieces = parts.filter((p) => !p.thought).reduce((sum, p) => sum + p.tokens, 0);
  return { ...base, parts, finishReason, candidatesTokens: outputPieces * base.n, thoughts: thinking ? GEMINI_THOUGHT_TOKENS : 0 };
}

function geminiUsage(out, { final = true } = {}) {
  const candidates = final ? (out.candidatesTokens ?? 0) : 0;
  const usage = { promptTokenCount: out.promptTokens };
  if (candidates) usage.candidatesTokenCount = candidates; // zero values are omitted, as proto3 JSON does
  usage.totalTokenCount = out.promptTokens + candidates + (final ? out.thoughts : 0);
  if (out.cached) usage.cachedContentTokenCount = out.cached;
  usage.promptTokensDetails = [{ modality: "TEXT", tokenCount: out.promptTokens }];
  if (final && out.thoughts) usage.thoughtsTokenCount = out.thoughts;
  return usage;
}

/** A response (or stream fragment) whose candidates all hold `parts` (or none: a SAFETY stop). */
function geminiResponse(ctx, out, parts, finishReason, final) {
  const candidates = Array.from({ length: out.n }, (_, index) => ({
    ...(parts.length ? { content: { parts, role: "model" } } : {}),
    ...(finishReason ? { finishReason } : {}),
    ...(finishReason === "SAFETY" ? { safetyRatings: GEMINI_UNSAFE_RATINGS } : {}),
    index,
  }));
  return { candidates, usageMetadata: geminiUsage(out, { final }), modelVersion: ctx.gemini.model, responseId: `emu-${ctx.n}` };
}

function geminiAnswer(ctx, body, controls) {
  const out = geminiOutcome(body, controls, ctx.gemini.model);
  if (out.blocked) return GEMINI_PROMPT_BLOCKED;
  return geminiResponse(ctx, out, out.parts.map((p) => p.part), out.finishReason, true);
}

/** The stream's fragments: one per piece (a function call whole); the last carries finishReason and full usage. */
function geminiFragments(ctx, out) {
  if (out.blocked) return [GEMINI_PROMPT_BLOCKED];
  if (out.parts.length === 0) return [geminiResponse(ctx, out, [], out.finishReason, true)];
  const steps = out.parts.flatMap((p) => (p.whole ? [p.part] : p.pieces.map((piece) => ({ ...p.part, text: piece }))));
  return steps.map((part, i) => {
    const final = i === steps.length - 1;
    return geminiResponse(ctx, out, [part], final ? out.finishReason : null, final);
  });
}

/** JSON the way Google's SSE writes it: a space after each colon, none after commas. */
function googleSseJson(value) {
  if (Array.isArray(value)) return `[${value.map(googleSseJson).join(",")}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${googleSseJson(v)}`).join(",")}}`;
  return JSON.stringify(value);
}

function geminiStream(ctx, body, controls) {
  const fragments = geminiFragments(ctx, geminiOutcome(body, controls, ctx.gemini.model));
  // The last fragment (the one with finishReason) is what `no-done` drops: Gemini has no end marker.
  if (ctx.gemini.sse) {
    const events = fragments.map((f) => `data: ${googleSseJson(f)}\r\n\r\n`);
    return { events: events.slice(0, -1), terminator: events.at(-1), contentType: "text/event-stream" };
  }
  // Without alt=sse: one JSON array, streamed element by element.
  const open = (i) => (i === 0 ? "[" : ",\r\n");
  const events = fragments.map((f, i) => open(i) + JSON.stringify(f, null, 2));
  return {
    events: events.slice(0, -1),
    terminator: events.at(-1),
    contentType: "application/json; charset=UTF-8",
    epilogue: (sent) => (sent === 0 ? "[]" : "\r\n]"),
    malformedEvent: (i) => open(i) + GEMINI_MALFORMED,
    errorEvent: (i) => `${open(i)}${JSON.stringify(GEMINI_ERROR_EVENT, null, 2)}\r\n]`,
  };
}

const GEMINI_FORMAT = {
  validate: validateGemini,
  definition: "gemini.generate-content-request",
  // Google's ESF wording for a field the message type lacks.
  definitionError: (ctx, [first]) => {
    const at = first.loc.slice(1, first.field ? -1 : undefined).join(".");
    return googleInvalid(first.field
      ? `Invalid JSON payload received. Unknown name "${first.field}"${at ? ` at '${at}'` : ""}: Cannot find field.`
      : `Invalid value at '${first.loc.slice(1).join(".")}': ${first.message}`,
    [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: first.loc.slice(1).join("."), description: first.message }] }]);
  },
  modelOf: (ctx) => ctx.gemini.model,
  isStreaming: (ctx) => ctx.gemini.method === "streamGenerateContent",
  emulatorError: (ctx, message) => googleError(400, "INVALID_ARGUMENT", message, [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "EMULATOR_ERROR", domain: "onellm.emulator" }]),
  statusError: (ctx) => geminiStatusError(ctx),
  faultBodies: {
    malformedEvent: `data: ${GEMINI_MALFORMED}\r\n\r\n`,
    malformedBody: GEMINI_MALFORMED,
    errorEvent: `data: ${JSON.stringify(GEMINI_ERROR_EVENT)}\r\n\r\n`,
    errorBody: GEMINI_ERROR_EVENT,
    // Google documents no keep-alive: a bare line end (whitespace in the JSON-array
    // framing too), one byte of life.
    keepAlive: "\n",
  },
  answer: geminiAnswer,
  stream: geminiStream,
};

export function handleGemini(req, res, ctx, state, [rawModel, method]) {
  let model = rawModel;
  try {
    model = decodeURIComponent(rawModel);
  } catch {}
  const { query } = splitTarget(req.url);
  ctx.gemini = { model, method, query, sse: query.alt === "sse" };
  ctx.timingHeader = null;
  ctx.jsonIndent = 2; // Google pretty-prints its JSON bodies
  ctx.jsonContentType = "application/json; charset=UTF-8";
  return serveChat(req, res, ctx, state, GEMINI_FORMAT);
}
