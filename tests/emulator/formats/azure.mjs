// ---------------------------------------------------------------------------------------
// Format: Azure OpenAI  (POST /azure/openai/deployments/{deployment}/chat/completions?api-version=…)
// The OpenAI wire format; Azure differs in the route, the `api-key` header, the required
// `api-version` query, the deployment in the path (the body's `model` is ignored) and its
// `{"error":{"code","message"}}` bodies for those checks.
// ---------------------------------------------------------------------------------------

import { serveChat } from "../chat.mjs";
import { OPENAI_FAULT_BODIES } from "../faults.mjs";
import { isObject, splitTarget } from "../http.mjs";
import { OPENAI_BAD_JSON, OPENAI_FORMAT, openaiCompletion, openaiError, openaiOutcome, openaiStatusError, openaiStreamEvents } from "./openai.mjs";

const AZURE_ACCESS_DENIED =
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.";
const AZURE_DEPLOYMENT_NOT_FOUND =
  "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.";

export function azureError(code, message) {
  return { error: { code, message } };
}

/** Azure's checks, in its order (routing first: without api-version no operation matches). */
function validateAzure(req, parsed, ctx) {
  const { deployment, query } = ctx.azure;
  if (!String(query["api-version"] ?? "").trim()) return { status: 404, body: azureError("404", "Resource not found") };
  const key = String(req.headers["api-key"] ?? "").trim();
  if (!key || key.startsWith("sk-bad")) return { status: 401, body: azureError("401", AZURE_ACCESS_DENIED) };
  if (deployment === "no-such-deployment") return { status: 404, body: azureError("DeploymentNotFound", AZURE_DEPLOYMENT_NOT_FOUND) };
  const body = parsed.json;
  if (!parsed.ok || !isObject(body)) return { status: 400, body: openaiError(OPENAI_BAD_JSON) };
  if (!Array.isArray(body.messages)) {
    return { status: 400, body: openaiError("Missing required parameter: 'messages'.", "invalid_request_error", "messages", "missing_required_parameter") };
  }
  if (body.stream !== true && body.stream_options != null) {
    return { status: 400, body: openaiError("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error", "stream_options", null) };
  }
  return null;
}

const AZURE_FORMAT = {
  validate: validateAzure,
  // A `fault-…` deployment name selects a fault (a `fault-…` body model still works too).
  modelOf: (ctx) => (ctx.azure.deployment.startsWith("fault-") ? ctx.azure.deployment : ctx.parsed.json?.model),
  emulatorError: OPENAI_FORMAT.emulatorError,
  statusError: (ctx) => openaiStatusError(ctx.azure.deployment),
  faultBodies: OPENAI_FAULT_BODIES,
  answer: (ctx, body, controls) => openaiCompletion(ctx, ctx.azure.deployment, openaiOutcome(body, controls)),
  stream: (ctx, body, controls) => ({
    events: openaiStreamEvents(ctx, ctx.azure.deployment, openaiOutcome(body, controls), body.stream_options?.include_usage === true),
    terminator: "data: [DONE]\n\n",
  }),
};

export function handleAzureChat(req, res, ctx, state, [rawDeployment]) {
  let deployment = rawDeployment;
  try {
    deployment = decodeURIComponent(rawDeployment);
  } catch {}
  ctx.azure = { deployment, query: splitTarget(req.url).query };
  return serveChat(req, res, ctx, state, AZURE_FORMAT);
}
