// ---------------------------------------------------------------------------------------
// The request flow every chat format shares: controls, checks, faults, pacing, answer.
// A format is { validate(req, parsed, ctx) -> {status, body} | null, emulatorError(ctx, msg),
// statusError(ctx, body) -> (status, params) -> {body, headers}, faultBodies,
// answer(ctx, body, controls) -> JSON value, stream(ctx, body, controls) -> {events, terminator, …} }
// and optionally modelOf(ctx) (default body.model), isStreaming(ctx, body) (default body.stream === true),
// and definition (a file of tests/conformance/definitions) with definitionError(ctx, problems) -> {status, body}.
// ---------------------------------------------------------------------------------------

import { parseFault, readControls, sendAnswer, sendImmediateFault, takeFault } from "./faults.mjs";
import { pause, sendJson } from "./http.mjs";
import { streamEvents } from "./streaming.mjs";
import { definitionProblems } from "./definitions.mjs";

export async function serveChat(req, res, ctx, state, format) {
  const controls = readControls(req, format.modelOf ? format.modelOf(ctx) : ctx.parsed.json?.model, state);
  // The format's own checks (auth, required fields, its error messages), then its
  // provider's published definition where the format names one.
  let problem = format.validate(req, ctx.parsed, ctx);
  if (!problem && format.definition) {
    const problems = definitionProblems(format.definition, ctx.parsed.json);
    if (problems) problem = format.definitionError(ctx, problems);
  }
  const body = ctx.parsed.json;
  const streaming = !problem && (format.isStreaming ? format.isStreaming(ctx, body) : body.stream === true);

  let fault = null;
  if (!problem && controls.faultSpec) {
    const parsedFault = parseFault(controls.faultSpec);
    if (parsedFault.error) {
      await pause(controls.delayMs, res, ctx);
      return sendJson(res, ctx, 400, format.emulatorError(ctx, parsedFault.error));
    }
    // Only requests that pass validation consume a `times=` slot.
    fault = takeFault(state, parsedFault);
  }
  if (!streaming && fault?.kind !== "hang") await pause(controls.delayMs, res, ctx);
  if (problem) return sendJson(res, ctx, problem.status, problem.body);
  if (sendImmediateFault(res, ctx, fault, format.statusError(ctx, body))) return;

  if (!streaming) return sendAnswer(res, ctx, format.answer(ctx, body, controls), fault, format.faultBodies);
  await streamEvents(res, ctx, {
    malformedEvent: format.faultBodies.malformedEvent,
    errorEvent: format.faultBodies.errorEvent,
    keepAlive: format.faultBodies.keepAlive,
    ...format.stream(ctx, body, controls), // may override the fault events, framing, content type
    fault,
    delayMs: controls.delayMs,
  });
}
