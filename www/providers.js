// The providers the picker offers: the "Local emulator" (no keys) and every preset of
// onellm (README, "Model ids and providers"), with a few model suggestions each. The
// suggestions are only a datalist: any model id can be typed.

export const EMULATOR = "emulator";

/** Local emulator: one entry per wire format it speaks, each routed to it by the client. */
export const emulatorModels = [
  { id: "emulator-openai/gpt-4o-mini", label: "OpenAI format (a custom provider)" },
  { id: "openai/gpt-4o", label: "OpenAI preset, routed to the emulator" },
  { id: "anthropic/claude-sonnet-4-5", label: "Anthropic Messages format" },
  { id: "anthropic/claude-opus-4-7", label: "Anthropic, adaptive thinking (try a reasoning effort)" },
  { id: "google/gemini-2.5-flash", label: "Gemini generateContent format" },
  { id: "cohere/command-a-03-2025", label: "Cohere v2 chat format" },
  { id: "azure/my-gpt-4o", label: "Azure OpenAI (a deployment name)" },
  { id: "emulator-openai/fault-status=503", label: "fault: always 503" },
  { id: "emulator-openai/fault-status=429_times=1_key=demo", label: "fault: one 429, then fine" },
  { id: "emulator-openai/fault-cut", label: "fault: stream cut short" },
  { id: "emulator-openai/fault-hang", label: "fault: never answers" },
  { id: "emulator-openai/no-such-model", label: "404 model not found" },
];

/**
 * Every preset: name, label, key environment variable (for the hint), whether it needs a
 * key, and model suggestions (without the provider prefix).
 */
export const presets = [
  { name: "openai", base: "https://api.openai.com/v1", label: "OpenAI", env: "OPENAI_API_KEY", models: ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "o4-mini", "gpt-5-mini"] },
  { name: "anthropic", base: "https://api.anthropic.com/v1", label: "Anthropic", env: "ANTHROPIC_API_KEY", models: ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-7"] },
  { name: "google", base: "https://generativelanguage.googleapis.com/v1beta", label: "Google Gemini", env: "GEMINI_API_KEY", models: ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash"] },
  { name: "gemini", base: "https://generativelanguage.googleapis.com/v1beta", label: "Gemini (alias of google)", env: "GEMINI_API_KEY", models: ["gemini-2.5-flash", "gemini-2.5-pro"] },
  { name: "mistral", base: "https://api.mistral.ai/v1", label: "Mistral", env: "MISTRAL_API_KEY", models: ["mistral-small-latest", "mistral-large-latest", "pixtral-12b-2409"] },
  { name: "groq", base: "https://api.groq.com/openai/v1", label: "Groq", env: "GROQ_API_KEY", models: ["llama-3.3-70b-versatile", "llama-3.1-8b-instant"] },
  { name: "together", base: "https://api.together.xyz/v1", label: "Together AI", env: "TOGETHER_API_KEY", models: ["meta-llama/Llama-3.3-70B-Instruct-Turbo"] },
  { name: "fireworks", base: "https://api.fireworks.ai/inference/v1", label: "Fireworks", env: "FIREWORKS_API_KEY", models: ["accounts/fireworks/models/llama-v3p1-8b-instruct"] },
  { name: "deepseek", base: "https://api.deepseek.com", label: "DeepSeek", env: "DEEPSEEK_API_KEY", models: ["deepseek-chat", "deepseek-reasoner"] },
  { name: "xai", base: "https://api.x.ai/v1", label: "xAI", env: "XAI_API_KEY", models: ["grok-3-mini", "grok-4"] },
  { name: "openrouter", base: "https://openrouter.ai/api/v1", label: "OpenRouter", env: "OPENROUTER_API_KEY", models: ["openai/gpt-4o-mini", "meta-llama/llama-3.1-8b-instruct"] },
  { name: "perplexity", base: "https://api.perplexity.ai", label: "Perplexity", env: "PERPLEXITY_API_KEY", models: ["sonar", "sonar-pro"] },
  { name: "moonshot", base: "https://api.moonshot.ai/v1", label: "Moonshot", env: "MOONSHOT_API_KEY", models: ["kimi-k2-0711-preview", "moonshot-v1-8k"] },
  { name: "cerebras", base: "https://api.cerebras.ai/v1", label: "Cerebras", env: "CEREBRAS_API_KEY", models: ["llama3.1-8b", "llama-3.3-70b"] },
  { name: "cohere", base: "https://api.cohere.com/v2", label: "Cohere", env: "COHERE_API_KEY", models: ["command-a-03-2025", "command-r-plus-08-2024"] },
  { name: "azure", base: "https://{resource}.openai.azure.com/openai", label: "Azure OpenAI", env: "AZURE_OPENAI_API_KEY", models: ["your-deployment-name"] },
  { name: "ollama", base: "http://localhost:11434/v1", label: "Ollama (local)", env: null, local: true, models: ["llama3.2", "qwen2.5"] },
  { name: "llamacpp", base: "http://localhost:8080/v1", label: "llama.cpp server (local)", env: null, local: true, models: ["default"] },
  { name: "lmstudio", base: "http://localhost:1234/v1", label: "LM Studio (local)", env: null, local: true, models: ["local-model"] },
];

export function presetByName(name) {
  return presets.find((p) => p.name === name);
}

/** Model suggestions for a provider, as full `provider/model` ids. */
export function modelsFor(provider) {
  if (provider === EMULATOR) return emulatorModels;
  const p = presetByName(provider);
  return (p?.models ?? []).map((m) => ({ id: `${provider}/${m}`, label: "" }));
}

/**
 * The client options for the emulator: every wire format it speaks routed to it. The
 * key is any non-empty string (one starting `sk-bad` is refused, to show a 401).
 */
export function emulatorClientOptions(emulatorUrl, key) {
  const at = (path) => ({ baseURL: `${emulatorUrl}${path}`, apiKey: key });
  return {
    dangerouslyAllowBrowser: true,
    providers: {
      "emulator-openai": at("/openai/v1"),
      openai: at("/openai/v1"),
      anthropic: at("/anthropic/v1"),
      google: at("/gemini/v1beta"),
      gemini: at("/gemini/v1beta"),
      cohere: at("/cohere/v2"),
      azure: { ...at("/azure/openai"), apiVersion: "2024-10-21" },
    },
  };
}

/**
 * The client options for real providers: each key goes to its own provider only
 * (`apiKeys.<name>`); base URL overrides and the Azure resource when given.
 */
export function realClientOptions(keys, baseURLs, azureResource) {
  const providers = {};
  for (const [name, baseURL] of Object.entries(baseURLs)) if (baseURL) providers[name] = { baseURL };
  if (azureResource) providers.azure = { ...providers.azure, resource: azureResource };
  const apiKeys = {};
  for (const [name, key] of Object.entries(keys)) if (key && name !== EMULATOR) apiKeys[name] = key;
  return { dangerouslyAllowBrowser: true, apiKeys, providers };
}
