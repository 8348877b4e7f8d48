// onellm provider emulator: deterministic answers (format-agnostic: formats normalise
// their messages to {role, text} and render the plan in their own wire shape).

const NO_USER_ANSWER = "Hello from the onellm emulator.";

/** Words keeping their trailing whitespace: the pieces concatenate back to the text. */
export function piecesOf(text) {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export function splitEvenly(text, parts) {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function wordCount(text) {
  return text.split(/\s+/).filter(Boolean).length;
}

function repeatText(text, times) {
  return Array.from({ length: times }, () => text).join(" ");
}

/** String content, or the `text` parts/blocks of an array joined by a space (OpenAI and Anthropic alike). */
export function blocksText(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p) => p && p.type === "text" && typeof p.text === "string")
    .map((p) => p.text)
    .join(" ");
}

function toolCall(id, name, input) {
  return { kind: "tool_call", id, name, input, arguments: JSON.stringify(input) };
}

/**
 * Decides what the "model" answers, on a conversation normalised by the format.
 * messages: [{ role: "user"|"assistant"|"tool"|…, text }], toolNames: [string], jsonMode: bool,
 * repeat: int; optional: forcedTool (name: always call it with {"echo": user text}),
 * toolsAllowed (false = tool_choice none), toolCallId, prefix (put before text answers).
 * Returns { kind: "tool_call", id, name, input, arguments } or { kind: "text", text }.
 */
export function planAnswer({ messages, toolNames, jsonMode, repeat, forcedTool = null, toolsAllowed = true, toolCallId = "call_emu_1", prefix = "" }) {
  const last = messages[messages.length - 1];
  const lastUser = messages.findLast((m) => m.role === "user");
  const echo = () => repeatText(lastUser?.text ?? "", repeat);
  if (forcedTool) return toolCall(toolCallId, forcedTool, { echo: echo() });
  if (toolsAllowed && toolNames.length > 0 && last?.role === "user" && /\bweather\b/i.test(last.text)) {
    return toolCall(toolCallId, toolNames[0], { city: "Paris" });
  }
  const text = (t) => ({ kind: "text", text: prefix + t });
  if (jsonMode) return text(JSON.stringify({ echo: echo() }));
  if (last?.role === "tool") return text(repeatText(`The tool said: ${last.text}`, repeat));
  if (lastUser) return text(repeatText(`Echo: ${lastUser.text}`, repeat));
  return text(repeatText(NO_USER_ANSWER, repeat));
}

/** Earliest stop sequence found in text, or null. */
export function firstStop(text, stopSequences) {
  let hit = null;
  for (const s of Array.isArray(stopSequences) ? stopSequences : []) {
    if (typeof s !== "string" || s === "") continue;
    const at = text.indexOf(s);
    if (at >= 0 && (hit === null || at < hit.at)) hit = { at, sequence: s };
  }
  return hit;
}
