// Compiled, never run: `tsc -p tests/types` (strict) and `deno check` (Deno's own
// TypeScript) prove pkg-template/index.d.ts types the calls a user writes, and rejects
// the misuse marked @ts-expect-error (an unneeded @ts-expect-error fails the check too).
import type {
  APIError,
  ChatCompletion,
  ChatCompletionChunk,
  InvalidRequestError,
  OpenAI,
} from "../../pkg-template/index.d.ts";
import type { Stream as StreamClass } from "../../pkg-template/index.d.ts";

type Stream<T> = StreamClass<T>;
declare const Stream: typeof StreamClass;

declare const client: OpenAI;

export async function plain(): Promise<string | null> {
  const r: ChatCompletion = await client.chat.completions.create({
    model: "openai/gpt-4o-mini",
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: [{ type: "text", text: "hi" }, { type: "image_url", image_url: { url: "data:," } }] },
    ],
    temperature: 0.2,
    retries: 1,
    fallback_models: ["openai/gpt-4o"],
    timeout: 2.5,
  }, { maxRetries: 0, signal: new AbortController().signal });
  return r.choices[0].message.content;
}

export async function streamed(): Promise<string> {
  const stream: Stream<ChatCompletionChunk> = await client.chat.completions.create({
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    idle_timeout: 30,
  }, { idleTimeout: 30_000 });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  stream.controller.abort();
  const final: ChatCompletion = await stream.finalChatCompletion();
  const body: ReadableStream<Uint8Array> = stream.toReadableStream();
  const back: Stream<ChatCompletionChunk> = Stream.fromReadableStream(body);
  const withController: Stream<ChatCompletionChunk> = Stream.fromReadableStream(body, new AbortController());
  void back;
  void withController;
  return text + final.id + (final.onellm?.model ?? "") + (stream.onellm?.attempts.length ?? 0);
}

export async function misuse(): Promise<void> {
  // @ts-expect-error a stream is not a completion
  const wrong: ChatCompletion = await client.chat.completions.create({ model: "openai/x", messages: [], stream: true });
  // @ts-expect-error idleTimeout is milliseconds, a number
  await client.chat.completions.create({ model: "openai/x", messages: [] }, { idleTimeout: "1m" });
  // @ts-expect-error an unknown request option
  await client.chat.completions.create({ model: "openai/x", messages: [] }, { retriesPlease: 3 });
  // @ts-expect-error a role that does not exist
  await client.chat.completions.create({ model: "openai/x", messages: [{ role: "robot", content: "x" }] });
  void wrong;
}

export function errors(e: unknown): string | undefined {
  const api = e as APIError;
  const invalid = e as InvalidRequestError;
  return api.headers?.get("x-request-id") ?? api.requestID ?? invalid.param;
}
