// The clients the benchmark compares, each pointed at the bench server and used the way
// its documentation shows: stream(format, n) reads a whole n-chunk stream and returns
// the text it added up; complete() makes one small non-streamed call and returns its
// text. Every SDK is imported lazily, inside make(), so a measuring process loads only
// the client it measures.
//
// Model ids are "bench-<n>": the server reads the stream length from them.

const KEY = "sk-bench";
const PROMPT = "Say something.";
const messages = [{ role: "user", content: PROMPT }];

/** The hand-written floor: fetch, decode, split on blank lines, JSON.parse, take the text. */
async function makeFloor(url) {
  const post = (path, body, headers = {}) => fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  // Reads SSE events (separated by `sep`), hands each event's data line to `onData`.
  async function readEvents(res, sep, onData) {
    if (!res.ok) throw new Error(`floor: HTTP ${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let buf = "";
    for await (const bytes of res.body) {
      const events = (buf + decoder.decode(bytes, { stream: true })).split(sep);
      buf = events.pop(); // an event cut by the read: completed by the next one
      for (const event of events) {
        const d = event.indexOf("data: ");
        if (d >= 0) onData(event.slice(d + 6));
      }
    }
  }
  return {
    async stream(format, n) {
      let text = "";
      if (format === "openai") {
        const res = await post("/openai/v1/chat/completions", { model: `bench-${n}`, messages, stream: true }, { authorization: `Bearer ${KEY}` });
        await readEvents(res, "\n\n", (data) => {
          if (data !== "[DONE]") text += JSON.parse(data).choices[0]?.delta?.content ?? "";
        });
      } else if (format === "anthropic") {
        const res = await post("/anthropic/v1/messages", { model: `bench-${n}`, max_tokens: 1024, messages, stream: true },
          { "x-api-key": KEY, "anthropic-version": "2023-06-01" });
        await readEvents(res, "\n\n", (data) => {
          const e = JSON.parse(data);
          if (e.type === "content_block_delta" && e.delta.type === "text_delta") text += e.delta.text;
        });
      } else {
        const res = await post(`/gemini/v1beta/models/bench-${n}:streamGenerateContent?alt=sse`,
          { contents: [{ role: "user", parts: [{ text: PROMPT }] }] }, { "x-goog-api-key": KEY });
        await readEvents(res, "\r\n\r\n", (data) => {
          for (const part of JSON.parse(data).candidates?.[0]?.content?.parts ?? []) text += part.text ?? "";
        });
      }
      return text;
    },
    async complete() {
      const res = await post("/openai/v1/chat/completions", { model: "bench-small", messages }, { authorization: `Bearer ${KEY}` });
      if (!res.ok) throw new Error(`floor: HTTP ${res.status}`);
      return (await res.json()).choices[0].message.content;
    },
  };
}

/** onellm, one client for all three formats through per-provider base URLs. */
async function makeOnellm(url) {
  const { OpenAI } = await import("onellm");
  const client = new OpenAI({
    apiKey: KEY,
    baseURL: `${url}/openai/v1`,
    providers: {
      anthropic: { apiKey: KEY, baseURL: `${url}/anthropic/v1` },
      google: { apiKey: KEY, baseURL: `${url}/gemini/v1beta` },
    },
    maxRetries: 0,
  });
  const prefix = { openai: "openai", anthropic: "anthropic", gemini: "google" };
  return {
    async stream(format, n) {
      const stream = await client.chat.completions.create({ model: `${prefix[format]}/bench-${n}`, messages, stream: true });
      let text = "";
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
      return text;
    },
    async complete() {
      const r = await client.chat.completions.create({ model: "openai/bench-small", messages });
      return r.choices[0].message.content;
    },
  };
}

/** The official `openai` package: OpenAI format only. */
async function makeOpenai(url) {
  const { default: OpenAI } = await import("openai");
  const client = new OpenAI({ apiKey: KEY, baseURL: `${url}/openai/v1`, maxRetries: 0 });
  return {
    async stream(format, n) {
      const stream = await client.chat.completions.create({ model: `bench-${n}`, messages, stream: true });
      let text = "";
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
      return text;
    },
    async complete() {
      const r = await client.chat.completions.create({ model: "bench-small", messages });
      return r.choices[0].message.content;
    },
  };
}

/** `@anthropic-ai/sdk`: its baseURL is the root without /v1 (it appends /v1/messages). */
async function makeAnthropic(url) {
  const { default: Anthropic } = await import("@anthropic-ai/sdk");
  const client = new Anthropic({ apiKey: KEY, baseURL: `${url}/anthropic`, maxRetries: 0 });
  return {
    async stream(_format, n) {
      const stream = await client.messages.create({ model: `bench-${n}`, max_tokens: 1024, messages, stream: true });
      let text = "";
      for await (const e of stream) {
        if (e.type === "content_block_delta" && e.delta.type === "text_delta") text += e.delta.text;
      }
      return text;
    },
    async complete() {
      const r = await client.messages.create({ model: "bench-small", max_tokens: 1024, messages });
      return r.content[0].text;
    },
  };
}

/** `@google/genai`: httpOptions.baseUrl is the root; it appends /v1beta/models/…. */
async function makeGoogle(url) {
  const { GoogleGenAI } = await import("@google/genai");
  const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: `${url}/gemini` } });
  return {
    async stream(_format, n) {
      const stream = await ai.models.generateContentStream({ model: `bench-${n}`, contents: PROMPT });
      let text = "";
      for await (const c of stream) text += c.text ?? "";
      return text;
    },
    async complete() {
      return (await ai.models.generateContent({ model: "bench-small", contents: PROMPT })).text;
    },
  };
}

/**
 * The AI SDK: `ai` with the provider for the format. `openai.chat(…)` because the
 * provider's default model talks to the Responses API, not chat completions.
 */
async function makeAiSdk(url) {
  // Its warnings (e.g. an unknown model's default max_tokens) would go to stdout, which
  // carries the measurements.
  globalThis.AI_SDK_LOG_WARNINGS = false;
  const { streamText, generateText } = await import("ai");
  const { createOpenAI } = await import("@ai-sdk/openai");
  const { createAnthropic } = await import("@ai-sdk/anthropic");
  const { createGoogleGenerativeAI } = await import("@ai-sdk/google");
  const openai = createOpenAI({ apiKey: KEY, baseURL: `${url}/openai/v1` });
  const anthropic = createAnthropic({ apiKey: KEY, baseURL: `${url}/anthropic/v1` });
  const google = createGoogleGenerativeAI({ apiKey: KEY, baseURL: `${url}/gemini/v1beta` });
  const model = { openai: (id) => openai.chat(id), anthropic: (id) => anthropic(id), gemini: (id) => google(id) };
  return {
    async stream(format, n) {
      let error;
      // streamText reports a failed request through onError and ends the text stream;
      // rethrow it, so a broken run is an error and not a short text.
      const result = streamText({ model: model[format](`bench-${n}`), prompt: PROMPT, maxRetries: 0, onError: (e) => { error = e.error ?? e; } });
      let text = "";
      for await (const t of result.textStream) text += t;
      if (error) throw error;
      return text;
    },
    async complete() {
      return (await generateText({ model: openai.chat("bench-small"), prompt: PROMPT, maxRetries: 0 })).text;
    },
  };
}

/** `official` marks the provider's own SDK for a format. */
export const CLIENTS = {
  floor: { label: "JS floor", formats: ["openai", "anthropic", "gemini"], make: makeFloor },
  onellm: { label: "onellm", formats: ["openai", "anthropic", "gemini"], make: makeOnellm },
  openai: { label: "openai", formats: ["openai"], official: "openai", make: makeOpenai },
  anthropic: { label: "@anthropic-ai/sdk", formats: ["anthropic"], official: "anthropic", make: makeAnthropic },
  google: { label: "@google/genai", formats: ["gemini"], official: "gemini", make: makeGoogle },
  aisdk: { label: "AI SDK", formats: ["openai", "anthropic", "gemini"], make: makeAiSdk },
};

/** The official SDK's client name for a format. */
export const officialFor = (format) => Object.keys(CLIENTS).find((k) => CLIENTS[k].official === format);
