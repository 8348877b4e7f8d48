// onellm provider emulator: streaming — writes a format's events one by one, paced, with
// the body faults (cut, malformed, no-done, error-event, stall, trickle) applied mid-stream.

import { MALFORMED_EVENT, OPENAI_FAULT_BODIES } from "./faults.mjs";
import { pause, processingHeaders, write } from "./http.mjs";

/**
 * Streams SSE events (complete strings) one res.write each, pausing delayMs before each, and
 * applies body faults at the third event (or after `;after=N` good events). `terminator`
 * (e.g. `data: [DONE]`) is what `no-done` drops; malformedEvent/errorEvent are the format's
 * (strings, or functions of the event index they replace). `epilogue(sent)` is written at a
 * clean end after the `sent` events (e.g. a JSON array's `]`); `contentType` overrides SSE's.
 */
export async function streamEvents(res, ctx, { events, terminator = null, fault = null, delayMs = 0, malformedEvent = MALFORMED_EVENT, errorEvent = OPENAI_FAULT_BODIES.errorEvent, keepAlive = OPENAI_FAULT_BODIES.keepAlive, epilogue = null, contentType = "text/event-stream; charset=utf-8" }) {
  const at = (eventOrFn, i) => (typeof eventOrFn === "function" ? eventOrFn(i) : eventOrFn);
  res.writeHead(200, {
    "content-type": contentType,
    "cache-control": "no-cache",
    ...processingHeaders(ctx),
  });
  res.flushHeaders(); // Headers now, so clients can tell "slow first token" from "no response".
  const all = terminator ? [...events, terminator] : events;
  // `;after=N` moves the fault to the (N+1)th event (default: after 2 good events).
  const after = /^\d+$/.test(fault?.params?.after ?? "") ? Number(fault.params.after) : 2;
  const faultAt = Math.min(after, all.length - 1);
  let sent = 0;
  for (let i = 0; i < all.length; i++) {
    await pause(delayMs, res, ctx);
    if (ctx.closed) return;
    if (i === faultAt) {
      if (fault?.kind === "cut") {
        const buf = Buffer.from(all[i], "utf8");
        res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.destroy());
        return;
      }
      if (fault?.kind === "error-event") {
        await write(res, ctx, at(errorEvent, i));
        res.end();
        return;
      }
      if (fault?.kind === "malformed") await write(res, ctx, at(malformedEvent, i));
      if (fault?.kind === "stall") {
        // Nothing more, connection open, until the client gives up (or the server closes).
        await new Promise((resolve) => (ctx.closed ? resolve() : res.once("close", resolve)));
        return;
      }
      if (fault?.kind === "trickle") {
        // Quiet but alive: the format's keep-alive every `every` ms, `count` times.
        const every = Number(fault.params.every ?? 1000), count = Number(fault.params.count ?? 3);
        for (let k = 0; k < count; k++) {
          await pause(every, res, ctx);
          if (ctx.closed) return;
          await write(res, ctx, keepAlive);
        }
      }
    }
    if (fault?.kind === "no-done" && terminator && i === all.length - 1) break;
    await write(res, ctx, all[i]);
    sent++;
  }
  if (epilogue) await write(res, ctx, epilogue(sent));
  res.end();
}
