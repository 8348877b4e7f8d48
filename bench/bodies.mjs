// The bytes the bench server sends: OpenAI, Anthropic and Gemini streams of any length,
// and one small non-streamed answer per format. Pure functions, no I/O, so the server
// and every measuring child (Node or Deno) agree on the exact text a stream carries and
// can check that a client really read all of it.
//
// Event shapes follow the recordings in /work/shared/fixtures (see its SOURCES.md):
// OpenAI `data: {chunk}\n\n` ending with `data: [DONE]`; Anthropic `event: X\ndata: {…}\n\n`
// with the run of padding spaces before the final `}` that the real API sends; Gemini
// `alt=sse` events separated by `\r\n\r\n`, every event a whole response, the last one
// carrying finishReason and the full usage, no end marker.

export const FORMATS = ["openai", "anthropic", "gemini"];

// Token-sized pieces, some of them multi-byte UTF-8 (2, 3 and 4 bytes), so that a write
// boundary falls inside a character now and then and every client's decoder is exercised.
const PIECES = [
  "The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ",",
  " and", " a", " naïve", " café", " —", " 日本", "語", " 🙂", " again", ".", "\n",
];

/** The text of the i-th content chunk of any stream. */
export const pieceAt = (i) => PIECES[i % PIECES.length];

/** The whole text an n-chunk stream adds up to: what every client must have read. */
export function expectedText(n) {
  // Built from whole cycles: n is up to 1 000 000, so no n-sized array.
  const cycle = PIECES.join("");
  const whole = Math.floor(n / PIECES.length);
  return cycle.repeat(whole) + PIECES.slice(0, n % PIECES.length).join("");
}

/** Text length without building the text (for the 1 000 000-chunk memory run). */
export function expectedLength(n) {
  const lengths = PIECES.map((p) => p.length);
  const cycle = lengths.reduce((a, b) => a + b, 0);
  return Math.floor(n / PIECES.length) * cycle + lengths.slice(0, n % PIECES.length).reduce((a, b) => a + b, 0);
}

const CREATED = 1727346168;

// --- OpenAI chat.completion.chunk SSE (shape of fixtures/openai/stream_text.sse) ---
const OPENAI_HEAD = `{"id":"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL","object":"chat.completion.chunk","created":${CREATED},"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_5050236cbd","choices":[{"index":0,"delta":`;
function* openaiEvents(n) {
  yield `data: ${OPENAI_HEAD}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`;
  for (let i = 0; i < n; i++) {
    yield `data: ${OPENAI_HEAD}{"content":${JSON.stringify(pieceAt(i))}},"logprobs":null,"finish_reason":null}]}\n\n`;
  }
  yield `data: ${OPENAI_HEAD}{},"logprobs":null,"finish_reason":"stop"}]}\n\n`;
  yield "data: [DONE]\n\n";
}

// --- Anthropic Messages SSE (shape of fixtures/anthropic/stream_text.sse) ---
const pad = (i) => " ".repeat(1 + (i * 7) % 15); // the API pads with 1..15 spaces
function* anthropicEvents(n) {
  const ev = (type, json, i) => `event: ${type}\ndata: ${json.slice(0, -1)}${pad(i)}}\n\n`;
  yield ev("message_start", `{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_013nnniYDrJDocdy5nrMU7cH","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":135,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}`, 0);
  yield ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`, 1);
  yield `event: ping\ndata: {"type": "ping"}\n\n`;
  for (let i = 0; i < n; i++) {
    yield ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(pieceAt(i))}}}`, i);
  }
  yield ev("content_block_stop", `{"type":"content_block_stop","index":0}`, 2);
  yield ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":135,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":${n}}}`, 3);
  yield ev("message_stop", `{"type":"message_stop"}`, 4);
}

// --- Gemini streamGenerateContent?alt=sse (shape of fixtures/gemini/stream_text.sse) ---
const GEMINI_USAGE = `"usageMetadata": {"promptTokenCount": 7,"totalTokenCount": 7,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 7}]},"modelVersion": "gemini-2.0-flash"`;
function* geminiEvents(n) {
  for (let i = 0; i < n; i++) {
    const text = JSON.stringify(pieceAt(i));
    if (i < n - 1) {
      yield `data: {"candidates": [{"content": {"parts": [{"text": ${text}}],"role": "model"}}],${GEMINI_USAGE}}\r\n\r\n`;
    } else {
      yield `data: {"candidates": [{"content": {"parts": [{"text": ${text}}],"role": "model"},"finishReason": "STOP"}],"usageMetadata": {"promptTokenCount": 7,"candidatesTokenCount": ${n},"totalTokenCount": ${n + 7},"promptTokensDetails": [{"modality": "TEXT","tokenCount": 7}],"candidatesTokensDetails": [{"modality": "TEXT","tokenCount": ${n}}]},"modelVersion": "gemini-2.0-flash"}\r\n\r\n`;
    }
  }
}

const EVENTS = { openai: openaiEvents, anthropic: anthropicEvents, gemini: geminiEvents };

export const BLOCK = 64 * 1024;

/**
 * The stream body as Buffers of about BLOCK bytes, generated lazily: one write per block
 * keeps the server cheap, and nothing n-sized is held unless the caller keeps it.
 */
export function* streamBlocks(format, n) {
  let parts = [];
  let size = 0;
  for (const event of EVENTS[format](n)) {
    parts.push(event);
    size += event.length; // UTF-16 units, close enough to bytes for sizing a block
    if (size >= BLOCK) {
      yield Buffer.from(parts.join(""));
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield Buffer.from(parts.join(""));
}

// --- Small non-streamed answers (the recorded fixtures, compacted) ---
export const SMALL_TEXT = "I'm unable to provide real-time weather updates. To get the current weather in San Francisco, I recommend checking a reliable weather website or app.";

export const SMALL_ANSWERS = {
  openai: JSON.stringify({
    id: "chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY", object: "chat.completion", created: CREATED, model: "gpt-4o-2024-08-06",
    choices: [{ index: 0, message: { role: "assistant", content: SMALL_TEXT, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 14, completion_tokens: 37, total_tokens: 51, completion_tokens_details: { reasoning_tokens: 0 } },
    system_fingerprint: "fp_b40fb1c6fb",
  }),
  anthropic: JSON.stringify({
    model: "claude-haiku-4-5-20251001", id: "msg_01LzoWDaDa7jiMvVbBiguxJy", type: "message", role: "assistant",
    content: [{ type: "text", text: SMALL_TEXT }], stop_reason: "end_turn", stop_sequence: null,
    usage: { input_tokens: 14, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 37, service_tier: "standard" },
  }),
  gemini: JSON.stringify({
    candidates: [{ content: { parts: [{ text: SMALL_TEXT }], role: "model" }, finishReason: "STOP", avgLogprobs: -0.048741644079034981 }],
    usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 37, totalTokenCount: 44, promptTokensDetails: [{ modality: "TEXT", tokenCount: 7 }], candidatesTokensDetails: [{ modality: "TEXT", tokenCount: 37 }] },
    modelVersion: "gemini-2.0-flash",
  }, null, 2), // Google pretty-prints its JSON answers
};
