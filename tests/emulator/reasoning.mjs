// ---------------------------------------------------------------------------------------
// What each provider accepts for reasoning, per model family: the emulator's own reading
// of the providers' documentation (tests/conformance/reasoning/*.md, gathered 2026-12-03),
// written apart from onellm's table so that the two can disagree. Each check returns the
// provider's error message, or null when the request is one the provider would take.
// ---------------------------------------------------------------------------------------

// --- Anthropic (platform.claude.com: extended thinking, adaptive thinking, effort) -------

const CLAUDE_ADAPTIVE_ONLY = /^claude-(opus-4-[78]|opus-5|sonnet-5|haiku-5|fable|mythos)/;
const CLAUDE_ADAPTIVE = /^claude-(opus-4-6|sonnet-4-6|opus-4-[78]|opus-5|sonnet-5|haiku-5|fable|mythos)/;
const CLAUDE_ALWAYS_ON = /^claude-(opus-5-5|sonnet-5-5|fable|mythos)/;
const CLAUDE_NO_SAMPLING = /^claude-(opus-4-[78]|opus-5|sonnet-5|haiku-5|fable|mythos)/;
/** Which `output_config.effort` levels a family takes; none listed: no effort control. */
function claudeEfforts(model) {
  if (/^claude-opus-4-5/.test(model)) return ["low", "medium", "high"];
  if (/^claude-(opus|sonnet)-4-6/.test(model)) return ["low", "medium", "high", "max"];
  if (CLAUDE_ADAPTIVE_ONLY.test(model)) return ["low", "medium", "high", "xhigh", "max"];
  return [];
}

export const ANTHROPIC_BUDGET_ABOVE_MAX =
  "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size";

/** Whether the model thinks for this body. */
export function claudeThinks(body) {
  return body.thinking?.type === "enabled" || body.thinking?.type === "adaptive";
}

/** Anthropic's refusals for thinking, effort and sampling; null when accepted. */
export function anthropicReasoningProblem(body) {
  const model = body.model;
  const t = body.thinking;
  if (t !== undefined) {
    if (t === null || typeof t !== "object" || !["enabled", "disabled", "adaptive"].includes(t.type)) {
      return `thinking: Input tag '${t?.type}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'`;
    }
    if (t.type === "enabled") {
      if (CLAUDE_ADAPTIVE_ONLY.test(model)) {
        return '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.';
      }
      if (!Number.isInteger(t.budget_tokens)) return "thinking.enabled.budget_tokens: Field required";
      if (t.budget_tokens < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
      if (t.budget_tokens >= body.max_tokens) return ANTHROPIC_BUDGET_ABOVE_MAX;
    }
    if (t.type === "adaptive" && !CLAUDE_ADAPTIVE.test(model)) return `"thinking.type.adaptive" is not supported for model ${model}.`;
    if (t.type === "disabled" && CLAUDE_ALWAYS_ON.test(model)) return `"thinking.type.disabled" is not supported for model ${model}: thinking is always on.`;
    if (t.display !== undefined && !["summarized", "omitted"].includes(t.display)) {
      return `thinking.${t.type}.display: Input should be 'summarized' or 'omitted'`;
    }
  }
  const effort = body.output_config?.effort;
  if (effort !== undefined) {
    const levels = claudeEfforts(model);
    if (!levels.length) return `output_config.effort: this model (${model}) does not support the effort parameter.`;
    if (!levels.includes(effort)) return `output_config.effort: Input should be ${levels.map((l) => `'${l}'`).join(", ")}`;
  }
  if (CLAUDE_NO_SAMPLING.test(model)) {
    if (body.temperature !== undefined && body.temperature !== 1) return "`temperature` is deprecated for this model.";
    if (body.top_p !== undefined && body.top_p < 0.99) return "`top_p` is deprecated for this model.";
    if (body.top_k !== undefined) return "`top_k` is deprecated for this model.";
  }
  if (claudeThinks(body)) {
    if (body.temperature !== undefined && body.temperature !== 1) {
      return "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility";
    }
    if (body.top_p !== undefined && body.top_p < 0.95) return "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled or in adaptive mode.";
    if (body.top_k !== undefined) return "`top_k` must be unset when thinking is enabled or in adaptive mode.";
    if (["any", "tool"].includes(body.tool_choice?.type)) return "Thinking may not be enabled when tool_choice forces tool use.";
  }
  return null;
}

/** Whether the thinking text comes back (4.7 and later omit it unless asked). */
export function claudeShowsThinking(body) {
  const t = body.thinking;
  if (t?.display === "omitted") return false;
  return !(CLAUDE_ADAPTIVE_ONLY.test(body.model) && t?.display !== "summarized");
}

// --- Gemini (ai.google.dev/gemini-api/docs/thinking; js-genai ThinkingConfig) ---------

const GEMINI_LEVELS = ["MINIMAL", "LOW", "MEDIUM", "HIGH"];

/** [min, max, can be 0] of `thinkingBudget` on 2.5 models; null for level models. */
function geminiBudgetRange(model) {
  if (/^gemini-2\.5-pro/.test(model)) return [128, 32768, false];
  if (/^gemini-2\.5-flash-lite/.test(model)) return [512, 24576, true];
  if (/^gemini-2\.5-flash/.test(model)) return [1, 24576, true];
  return null;
}

function geminiLevelsOf(model) {
  if (/^gemini-3-pro/.test(model)) return ["LOW", "HIGH"];
  if (/^gemini-3(\.5)?-flash|^gemini-3\.[16]-flash/.test(model)) return GEMINI_LEVELS;
  return ["LOW", "MEDIUM", "HIGH"];
}

export function geminiThinks(model) {
  return /^gemini-(2\.5|[3-9])/.test(model);
}

/** Gemini's refusals for `generationConfig.thinkingConfig`; null when accepted. */
export function geminiThinkingProblem(model, config) {
  if (config === undefined) return null;
  if (!geminiThinks(model)) return "Thinking is not supported for this model.";
  const { thinkingBudget: budget, thinkingLevel: level } = config;
  if (budget !== undefined && level !== undefined) return "You can only set one of thinking budget and thinking level.";
  const range = geminiBudgetRange(model);
  if (level !== undefined) {
    if (!GEMINI_LEVELS.includes(String(level).toUpperCase())) {
      return `Invalid value at 'generation_config.thinking_config.thinking_level' (type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), "${level}"`;
    }
    if (range) return "Thinking level is not supported for this model.";
    if (!geminiLevelsOf(model).includes(String(level).toUpperCase())) return `Thinking level ${level} is not supported for this model.`;
  }
  if (budget !== undefined) {
    if (!Number.isInteger(budget)) return `Invalid value at 'generation_config.thinking_config.thinking_budget' (TYPE_INT32), ${JSON.stringify(budget)}`;
    if (budget === 0 && range && !range[2]) return "Budget 0 is invalid. This model only works in thinking mode.";
    if (range && budget !== -1 && budget !== 0 && (budget < range[0] || budget > range[1])) return `The thinking budget (${budget}) is invalid.`;
  }
  return null;
}

/** Whether thoughts come back: asked for, and thinking not turned off. */
export function geminiShowsThoughts(model, config) {
  return config?.includeThoughts === true && config.thinkingBudget !== 0 && geminiThinks(model);
}

// --- OpenAI (openai-node ReasoningEffort; model pages) ---------------------------------

function openaiEfforts(model) {
  if (/^o[134]/.test(model)) return ["low", "medium", "high"];
  if (/^gpt-5\.1/.test(model)) return ["none", "low", "medium", "high"];
  if (/^gpt-5\./.test(model)) return ["none", "low", "medium", "high", "xhigh"];
  if (/^gpt-5(-mini|-nano|-\d|$)/.test(model)) return ["minimal", "low", "medium", "high"];
  return null;
}

const quoteList = (values) => {
  const q = values.map((v) => `'${v}'`);
  return q.length > 1 ? `${q.slice(0, -1).join(", ")}, and ${q.at(-1)}` : q[0];
};

/** OpenAI's refusal of `reasoning_effort` as { message, code }; null when accepted. */
export function openaiEffortProblem(body) {
  const effort = body.reasoning_effort;
  if (effort === undefined || effort === null) return null;
  const levels = openaiEfforts(body.model);
  if (!levels) return { message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.", code: "unsupported_parameter" };
  if (!levels.includes(effort)) {
    return { message: `Unsupported value: 'reasoning_effort' does not support '${effort}' with this model. Supported values are: ${quoteList(levels)}.`, code: "unsupported_value" };
  }
  return null;
}

/** Reasoning tokens a reasoning model bills for an effort (none for "none"). */
export function reasoningTokens(effort) {
  return { none: 0, minimal: 1, low: 2, medium: 4, high: 8, xhigh: 16 }[effort] ?? 4;
}
