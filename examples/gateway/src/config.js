// The gateway's options, from the environment: a Worker's `env`, or process.env / Deno.env.
// Secrets (`wrangler secret put`): GATEWAY_KEYS (comma-separated keys for your callers)
// and the providers' keys (OPENAI_API_KEY, ANTHROPIC_API_KEY, GROQ_API_KEY, ...), which
// onellm finds by their usual names. Not secret: GATEWAY_MODELS (JSON, the public model
// names), GATEWAY_CORS_ORIGINS, GATEWAY_KEEPALIVE_MS, and *_BASE_URL to point a
// provider elsewhere.
const DEFAULT_MODELS = {
  fast: { model: "groq/llama-3.1-8b-instant", fallback_models: ["openai/gpt-4o-mini"], retries: 1 },
  smart: { model: "anthropic/claude-sonnet-4-5", fallback_models: ["openai/gpt-4o"], retries: 1 },
  "gpt-4o-mini": "openai/gpt-4o-mini",
};

export function gatewayConfig(env) {
  const list = (name) => (env[name] ? env[name].split(",").map((s) => s.trim()).filter(Boolean) : []);
  const providers = {};
  for (const name of ["openai", "anthropic", "groq", "google"]) {
    const baseURL = env[`${name.toUpperCase()}_BASE_URL`];
    if (baseURL) providers[name] = { baseURL };
  }
  return {
    keys: list("GATEWAY_KEYS"),
    models: env.GATEWAY_MODELS ? JSON.parse(env.GATEWAY_MODELS) : DEFAULT_MODELS,
    cors: list("GATEWAY_CORS_ORIGINS"),
    providers,
    ...(env.GATEWAY_KEEPALIVE_MS ? { streamKeepAlive: Number(env.GATEWAY_KEEPALIVE_MS) } : {}),
  };
}
