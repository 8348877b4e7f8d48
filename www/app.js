// The onellm playground: plain ES modules, no framework. The package is loaded from
// /pkg/web.js (the browser entry, which fetches its .wasm next to itself).
import {
  EMULATOR, presets, presetByName, modelsFor, emulatorClientOptions, realClientOptions,
} from "./providers.js";
import { weatherTool, runTool } from "./weather.js";

const $ = (id) => document.getElementById(id);
const ui = {
  provider: $("provider"), providerHint: $("provider-hint"), model: $("model"), modelOptions: $("model-options"),
  apiKey: $("api-key"), apiKeyLabel: $("api-key-label"), rememberKeys: $("remember-keys"),
  baseUrlField: $("base-url-field"), baseUrl: $("base-url"), azureField: $("azure-resource-field"), azureResource: $("azure-resource"),
  system: $("system"), temperature: $("temperature"), maxTokens: $("max-tokens"), stream: $("stream"),
  reasoningEffort: $("reasoning-effort"),
  jsonMode: $("json-mode"), tools: $("tools"), tryWeather: $("try-weather"),
  retries: $("retries"), fallbacks: $("fallbacks"),
  preset429: $("preset-429"), presetFallback: $("preset-fallback"), presetReset: $("preset-reset"),
  emulatorControls: $("emulator-controls"), emulatorUrl: $("emulator-url"), emuRepeat: $("emu-repeat"), emuDelay: $("emu-delay"),
  log: $("log"), empty: $("empty"), status: $("status"),
  composer: $("composer"), prompt: $("prompt"), image: $("image"), imagePreview: $("image-preview"),
  imageThumb: $("image-thumb"), imageName: $("image-name"), imageRemove: $("image-remove"),
  newChat: $("new-chat"), stop: $("stop"), send: $("send"),
};

const KEY_STORE = "onellm-demo-keys";
const MAX_TOOL_ROUNDS = 4;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const state = {
  onellm: null,   // the package module, once loaded
  history: [],    // the conversation sent on each turn (the system prompt is added then)
  busy: false,
  abort: null,    // AbortController of the answer in flight (per-call `signal`)
  stream: null,   // the Stream in flight (Stop calls stream.controller.abort())
  image: null,    // { url: "data:…", name }
  keys: { [EMULATOR]: "sk-emulator" }, // provider name → key; in memory unless remembered
  baseURLs: {},   // provider name → base URL override
  clients: new Map(),
};

// ---------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------

function emulatorFromPage() {
  const fromQuery = new URLSearchParams(location.search).get("emulator");
  const fromMeta = document.querySelector('meta[name="onellm-emulator"]')?.content;
  return (fromQuery || fromMeta || "http://127.0.0.1:8787").replace(/\/+$/, "");
}

function fillProviders() {
  const local = new Option("Local emulator (no key needed)", EMULATOR);
  const group = document.createElement("optgroup");
  group.label = "Real providers (your key)";
  for (const p of presets) group.append(new Option(`${p.label} — ${p.name}/`, p.name));
  ui.provider.append(local, group);
}

function loadRememberedKeys() {
  try {
    const saved = sessionStorage.getItem(KEY_STORE);
    if (saved) {
      Object.assign(state.keys, JSON.parse(saved));
      ui.rememberKeys.checked = true;
    }
  } catch {
    // sessionStorage unavailable (privacy mode): keys stay in memory only.
  }
}

function persistKeys() {
  try {
    if (ui.rememberKeys.checked) sessionStorage.setItem(KEY_STORE, JSON.stringify(state.keys));
    else sessionStorage.removeItem(KEY_STORE);
  } catch {
    // ignore
  }
}

/** Shows the fields for the chosen provider; `resetModel` picks its first suggestion. */
function providerChanged(resetModel) {
  const name = ui.provider.value;
  const isEmu = name === EMULATOR;
  const preset = presetByName(name);
  ui.modelOptions.replaceChildren(...modelsFor(name).map((m) => new Option(m.label, m.id)));
  if (resetModel) ui.model.value = modelsFor(name)[0]?.id ?? "";
  ui.apiKey.value = state.keys[name] ?? "";
  if (isEmu) {
    ui.apiKeyLabel.textContent = "Emulator key (any non-empty key works)";
    ui.apiKey.type = "text";
    ui.providerHint.textContent = "Every wire format goes to the local emulator: emulator-openai/, openai/, anthropic/, google/, gemini/, cohere/ and azure/ models. Try a key starting sk-bad for a 401.";
  } else {
    ui.apiKeyLabel.textContent = preset.local ? `API key for ${preset.label} (usually none)` : `API key for ${preset.label} (${preset.env})`;
    ui.apiKey.type = "password";
    ui.providerHint.textContent = `Requests go to ${preset.base}. Keys typed for other providers are kept too, so a fallback chain can cross providers.`;
  }
  ui.baseUrlField.hidden = isEmu;
  ui.baseUrl.placeholder = preset?.base ?? "";
  ui.baseUrl.value = state.baseURLs[name] ?? "";
  ui.azureField.hidden = name !== "azure";
}

function currentClient() {
  const name = ui.provider.value;
  const options = name === EMULATOR
    ? emulatorClientOptions(ui.emulatorUrl.value.trim().replace(/\/+$/, ""), state.keys[EMULATOR] || "sk-emulator")
    : realClientOptions(state.keys, state.baseURLs, ui.azureResource.value.trim());
  const cacheKey = JSON.stringify(options);
  let client = state.clients.get(cacheKey);
  if (!client) {
    client = new state.onellm.OpenAI(options);
    state.clients.clear(); // keys change rarely; keep one client at a time
    state.clients.set(cacheKey, client);
  }
  return client;
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

/** Creates an element: el("p", {className: "x"}, "text", child…). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function setStatus(text) {
  ui.status.textContent = text;
}

const narrow = matchMedia("(max-width: 760px)");

/** Keeps the newest text in sight: the log scrolls on wide screens, the page on phones. */
function scrollToEnd() {
  ui.log.scrollTop = ui.log.scrollHeight;
  if (narrow.matches) ui.composer.scrollIntoView({ block: "nearest" });
}

function renderUser(message) {
  ui.empty.hidden = true;
  const parts = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
  const body = el("div", { className: "content" });
  for (const part of parts) {
    if (part.type === "text") body.append(el("p", {}, part.text));
    if (part.type === "image_url") body.append(el("img", { className: "attached", src: part.image_url.url, alt: "Attached image" }));
  }
  ui.log.append(el("article", { className: "turn user", "aria-label": "You" }, el("h3", { className: "who" }, "You"), body));
  scrollToEnd();
}

/** One answer card: it holds one step per model call (tool rounds add steps). */
function renderAssistantTurn() {
  const turn = el("article", { className: "turn assistant", "aria-label": "Assistant" }, el("h3", { className: "who" }, "Assistant"));
  ui.log.append(turn);
  return turn;
}

function addStep(turn, params) {
  const step = {
    root: el("section", { className: "step" }),
    served: el("p", { className: "served" }, "Waiting for an answer…"),
    // The model's reasoning (`reasoning_content`), apart from the answer; hidden until some comes.
    reasoning: el("details", { className: "reasoning", hidden: true, open: true },
      el("summary", {}, "Reasoning"), el("div", { className: "reasoning-text" })),
    content: el("div", { className: "content answer", "aria-busy": "true" }),
    calls: el("div", { className: "tool-calls" }),
    metrics: el("p", { className: "metrics" }),
    text: "",
  };
  const request = el("details", { className: "request" }, el("summary", {}, "Request"),
    el("pre", {}, JSON.stringify(redactImages(params), null, 2)));
  step.root.append(step.served, step.reasoning, step.content, step.calls, step.metrics, request);
  turn.append(step.root);
  scrollToEnd();
  return step;
}

function redactImages(params) {
  return JSON.parse(JSON.stringify(params, (k, v) => (typeof v === "string" && v.startsWith("data:") && v.length > 80 ? `${v.slice(0, 40)}… (${v.length} chars)` : v)));
}

/** Which model answered, and each attempt that failed before it and why. */
function renderServed(step, meta) {
  if (!meta) return;
  step.served.replaceChildren(
    "Answered by ", el("code", { className: "served-model" }, meta.model),
    meta.attempts.length ? ` after ${meta.attempts.length} failed attempt${meta.attempts.length > 1 ? "s" : ""}:` : " on the first attempt.",
  );
  if (meta.attempts.length) step.served.after(renderAttempts(meta.attempts));
}

function renderAttempts(attempts) {
  return el("ol", { className: "attempts", "aria-label": "Failed attempts" },
    ...attempts.map((a) => el("li", {},
      el("code", {}, a.model), " — ", el("strong", {}, a.error?.name ?? "Error"),
      `: ${a.error?.message ?? a.error}`))); // the message starts with the status
}

function renderToolCalls(step, calls) {
  step.calls.replaceChildren(...(calls ?? []).map((c) => el("div", { className: "tool-call" },
    el("span", { className: "badge" }, "tool call"), " ",
    el("code", {}, `${c.function?.name}(${c.function?.arguments ?? ""})`),
    el("span", { className: "muted" }, ` id ${c.id}`))));
}

function renderToolResult(turn, call, result) {
  turn.append(el("div", { className: "tool-result" },
    el("span", { className: "badge ok" }, "tool result"), " ",
    el("code", {}, `${call.function?.name} → ${result}`),
    el("span", { className: "muted" }, " (run in this page)")));
  scrollToEnd();
}

function renderMetrics(step, { ttft, total, tokensPerSecond, usage, finish, estimated }) {
  const parts = [];
  if (ttft !== undefined) parts.push(["time to first token", `${Math.round(ttft)} ms`]);
  parts.push(["total", `${Math.round(total)} ms`]);
  if (tokensPerSecond !== undefined) parts.push(["speed", `${estimated ? "≈" : ""}${tokensPerSecond.toFixed(1)} tokens/s`]);
  if (usage) parts.push(["usage", `${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion = ${usage.total_tokens} tokens`]);
  if (finish) parts.push(["finish", finish]);
  step.metrics.replaceChildren(...parts.flatMap(([k, v], i) => [i ? " · " : "", el("span", { className: "metric" }, `${k}: `, el("strong", {}, v))]));
}

function renderError(turn, e) {
  const box = el("div", { className: "error", role: "alert" },
    el("p", {}, el("strong", { className: "error-name" }, e?.name ?? "Error"),
      e?.status ? el("span", { className: "error-status" }, ` status ${e.status}`) : "",
      e?.param ? ` · param ${e.param}` : "",
      e?.model ? ` · ${e.provider && !String(e.model).startsWith(`${e.provider}/`) ? `${e.provider}/` : ""}${e.model}` : ""),
    el("p", { className: "error-message" }, e?.message ?? String(e)));
  if (e?.attempts?.length) box.append(el("p", {}, "Failed before it:"), renderAttempts(e.attempts));
  turn.append(box);
  scrollToEnd();
}

function showReasoning(step, text) {
  if (!text) return;
  step.reasoning.hidden = false;
  step.reasoning.lastChild.textContent = text;
}

function showContent(step, text, done) {
  step.text = text ?? "";
  let shown = step.text;
  if (done && ui.jsonMode.checked) {
    try {
      shown = JSON.stringify(JSON.parse(shown), null, 2);
      step.content.classList.add("json");
    } catch { /* not JSON: shown as is */ }
  }
  step.content.textContent = shown;
  if (done) step.content.setAttribute("aria-busy", "false");
}

// ---------------------------------------------------------------------------------------
// Talking to the model
// ---------------------------------------------------------------------------------------

function numberOf(input) {
  const v = input.value.trim();
  return v === "" ? undefined : Number(v);
}

function buildParams() {
  const system = ui.system.value.trim();
  const params = {
    model: ui.model.value.trim(),
    messages: [...(system ? [{ role: "system", content: system }] : []), ...state.history],
  };
  const temperature = numberOf(ui.temperature);
  if (temperature !== undefined) params.temperature = temperature;
  const maxTokens = numberOf(ui.maxTokens);
  if (maxTokens !== undefined) params.max_tokens = maxTokens;
  if (ui.reasoningEffort.value) params.reasoning_effort = ui.reasoningEffort.value;
  if (ui.jsonMode.checked) params.response_format = { type: "json_object" };
  if (ui.tools.checked) params.tools = [weatherTool];
  const retries = numberOf(ui.retries);
  if (retries !== undefined) params.retries = retries;
  const fallbacks = ui.fallbacks.value.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  if (fallbacks.length) params.fallback_models = fallbacks;
  return params;
}

/** Per-call options: the abort signal, and the emulator's controls as headers. */
function callOptions(signal) {
  const headers = {};
  if (ui.provider.value === EMULATOR) {
    const repeat = numberOf(ui.emuRepeat);
    if (repeat > 1) headers["x-emulator-repeat"] = String(repeat);
    const delay = numberOf(ui.emuDelay);
    if (delay !== undefined) headers["x-emulator-delay-ms"] = String(delay);
  }
  return { signal, headers };
}

/** One model call rendered into a new step; returns the assistant message. */
async function callModel(turn, client, signal) {
  const streaming = ui.stream.checked;
  const params = buildParams();
  if (streaming) Object.assign(params, { stream: true, stream_options: { include_usage: true } });
  const step = addStep(turn, params);
  turn.currentStep = step;
  const t0 = performance.now();

  if (!streaming) {
    const r = await client.chat.completions.create(params, callOptions(signal));
    const total = performance.now() - t0;
    const message = r.choices[0].message;
    renderServed(step, r.onellm);
    showReasoning(step, message.reasoning_content);
    showContent(step, message.content, true);
    renderToolCalls(step, message.tool_calls);
    renderMetrics(step, { total, usage: r.usage, finish: r.choices[0].finish_reason });
    return message;
  }

  const stream = await client.chat.completions.create(params, callOptions(signal));
  state.stream = stream;
  renderServed(step, stream.onellm);
  step.served.prepend(el("span", { className: "live" }, "Streaming · "));
  let first, usage, pieces = 0, text = "", thought = "";
  for await (const chunk of stream) {
    const delta = chunk.choices?.[0]?.delta;
    if (delta?.reasoning_content) {
      thought += delta.reasoning_content;
      showReasoning(step, thought);
      scrollToEnd();
    }
    if (delta?.content || delta?.tool_calls) first ??= performance.now();
    if (delta?.content) {
      text += delta.content;
      pieces++;
      showContent(step, text, false);
      scrollToEnd();
    }
    if (delta?.tool_calls && !step.calls.hasChildNodes()) step.calls.append(el("p", { className: "muted" }, "Calling a tool…"));
    if (chunk.usage) usage = chunk.usage;
  }
  const final = await stream.finalChatCompletion();
  const end = performance.now();
  step.served.querySelector(".live")?.remove();
  const message = final.choices[0].message;
  usage ??= final.usage;
  showReasoning(step, message.reasoning_content);
  showContent(step, message.content, true);
  renderToolCalls(step, message.tool_calls);
  const generated = usage?.completion_tokens ?? pieces;
  const seconds = first !== undefined ? (end - first) / 1000 : 0;
  renderMetrics(step, {
    ttft: first !== undefined ? first - t0 : undefined,
    total: end - t0,
    tokensPerSecond: seconds > 0 ? generated / seconds : undefined,
    estimated: !usage,
    usage,
    finish: final.choices[0].finish_reason,
  });
  return message;
}

async function send() {
  if (state.busy || !state.onellm) return;
  const text = ui.prompt.value.trim();
  if (!text && !state.image) return;
  if (!ui.model.value.trim()) {
    setStatus("Choose a model first.");
    ui.model.focus();
    return;
  }
  const content = state.image
    ? [{ type: "text", text: text || "What is in this image?" }, { type: "image_url", image_url: { url: state.image.url } }]
    : text;
  const userMessage = { role: "user", content };
  const before = state.history.length;
  state.history.push(userMessage);
  renderUser(userMessage);
  ui.prompt.value = "";
  clearImage();
  const turn = renderAssistantTurn();
  const abort = new AbortController();
  setBusy(true, abort);
  setStatus("Waiting for the answer…");
  try {
    const client = currentClient();
    for (let round = 0; ; round++) {
      const message = await callModel(turn, client, abort.signal);
      state.history.push(message);
      const calls = message.tool_calls ?? [];
      if (!calls.length) break;
      if (round + 1 >= MAX_TOOL_ROUNDS) {
        setStatus(`Stopped after ${MAX_TOOL_ROUNDS} tool rounds.`);
        break;
      }
      for (const call of calls) {
        const result = runTool(call);
        renderToolResult(turn, call, result);
        state.history.push({ role: "tool", tool_call_id: call.id, content: result });
      }
      setStatus("Tool result sent back, waiting for the final answer…");
    }
    setStatus("Answer complete.");
  } catch (e) {
    const step = turn.currentStep;
    step?.content.setAttribute("aria-busy", "false");
    step?.served.querySelector(".live")?.remove();
    if (e?.name === "APIUserAbortError") {
      // The partial answer stays in the conversation, marked as stopped.
      if (step?.text) state.history.push({ role: "assistant", content: step.text });
      else state.history.length = before;
      turn.append(el("p", { className: "stopped" }, `Stopped (${e.name}) after ${step?.text.length ?? 0} characters.`));
      setStatus("Stopped.");
    } else {
      state.history.length = before; // the failed exchange is left out of the conversation
      renderError(turn, e);
      turn.append(el("p", { className: "muted" }, "This exchange is not part of the conversation sent next time."));
      setStatus(`Failed: ${e?.name ?? "Error"}.`);
    }
    if (!(e instanceof Error)) console.error(e);
  } finally {
    setBusy(false);
    scrollToEnd();
  }
}

function setBusy(busy, abort = null) {
  state.busy = busy;
  state.abort = abort;
  if (!busy) state.stream = null;
  ui.send.disabled = busy || !state.onellm;
  ui.stop.disabled = !busy;
  ui.log.setAttribute("aria-busy", String(busy));
  if (!busy && document.activeElement === document.body) ui.prompt.focus();
}

function stop() {
  if (!state.busy) return;
  state.stream?.controller.abort(); // the stream in flight
  state.abort?.abort();             // or the request still waiting for its first chunk
}

// ---------------------------------------------------------------------------------------
// Image input
// ---------------------------------------------------------------------------------------

function attachImage(file) {
  if (!file) return;
  if (!file.type.startsWith("image/")) {
    setStatus(`${file.name} is not an image.`);
    return;
  }
  if (file.size > MAX_IMAGE_BYTES) {
    setStatus(`${file.name} is larger than 5 MB.`);
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    state.image = { url: reader.result, name: file.name };
    ui.imageThumb.src = reader.result;
    ui.imageThumb.alt = `Attached: ${file.name}`;
    ui.imageName.textContent = `${file.name} (${Math.round(file.size / 1024)} KiB, sent as a data: URL)`;
    ui.imagePreview.hidden = false;
    setStatus(`Image ${file.name} attached.`);
  };
  reader.onerror = () => setStatus(`Could not read ${file.name}.`);
  reader.readAsDataURL(file);
}

function clearImage() {
  state.image = null;
  ui.image.value = "";
  ui.imagePreview.hidden = true;
  ui.imageThumb.removeAttribute("src");
}

// ---------------------------------------------------------------------------------------
// Fallback presets
// ---------------------------------------------------------------------------------------

function useEmulator() {
  if (ui.provider.value !== EMULATOR) {
    ui.provider.value = EMULATOR;
    providerChanged(false);
  }
}

const fallbackPresets = {
  "preset-429": () => ({
    model: `emulator-openai/fault-status=429_times=1_key=${Math.random().toString(36).slice(2, 10)}`,
    retries: "2", fallbacks: "",
    note: "The first attempt gets a 429 (RateLimitError); the retry answers. Send a message.",
  }),
  "preset-fallback": () => ({
    model: "emulator-openai/fault-status=503", retries: "1", fallbacks: "emulator-openai/gpt-4o-mini",
    note: "The primary always answers 503: two attempts fail, then the fallback answers. Send a message.",
  }),
  "preset-reset": () => ({ model: "emulator-openai/gpt-4o-mini", retries: "", fallbacks: "", note: "Plain emulator model, no fallbacks." }),
};

function applyPreset(id) {
  const p = fallbackPresets[id]();
  useEmulator();
  ui.model.value = p.model;
  ui.retries.value = p.retries;
  ui.fallbacks.value = p.fallbacks;
  setStatus(p.note);
  ui.prompt.focus();
}

// ---------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------

function wire() {
  ui.provider.addEventListener("change", () => providerChanged(true));
  ui.apiKey.addEventListener("input", () => {
    state.keys[ui.provider.value] = ui.apiKey.value.trim();
    persistKeys();
  });
  ui.rememberKeys.addEventListener("change", persistKeys);
  ui.baseUrl.addEventListener("input", () => { state.baseURLs[ui.provider.value] = ui.baseUrl.value.trim(); });
  ui.settings = $("settings");
  ui.settings.addEventListener("submit", (e) => e.preventDefault());
  ui.composer.addEventListener("submit", (e) => {
    e.preventDefault();
    send();
  });
  ui.prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === "Escape" && state.busy) {
      e.preventDefault();
      stop();
    }
  });
  ui.stop.addEventListener("click", stop);
  ui.newChat.addEventListener("click", () => {
    if (state.busy) stop();
    state.history = [];
    ui.log.replaceChildren(ui.empty);
    ui.empty.hidden = false;
    setStatus("New conversation.");
    ui.prompt.focus();
  });
  ui.image.addEventListener("change", () => attachImage(ui.image.files?.[0]));
  ui.imageRemove.addEventListener("click", () => {
    clearImage();
    setStatus("Image removed.");
    ui.prompt.focus();
  });
  ui.tryWeather.addEventListener("click", () => {
    ui.tools.checked = true;
    ui.prompt.value = "What's the weather in Paris?";
    ui.prompt.focus();
  });
  for (const id of Object.keys(fallbackPresets)) $(id).addEventListener("click", () => applyPreset(id));
}

async function main() {
  fillProviders();
  loadRememberedKeys();
  ui.emulatorUrl.value = emulatorFromPage();
  ui.provider.value = EMULATOR;
  providerChanged(true);
  wire();
  // On a phone the settings start folded, so the conversation is in reach.
  if (narrow.matches) for (const d of document.querySelectorAll(".settings details")) d.open = false;
  try {
    state.onellm = await import("/pkg/web.js");
    window.onellm = state.onellm; // for poking around in the console
    ui.send.disabled = false;
    setStatus("Ready.");
    document.documentElement.dataset.ready = "true";
  } catch (e) {
    setStatus(`Could not load /pkg/web.js (${e.message}). Build the package with npm run build and serve the repository root.`);
  }
}

main();
