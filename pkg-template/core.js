// The JavaScript face of onellm: the `OpenAI` class, `Stream` and the error classes.
// Every decision (validation, requests, retries, decoding) is made in Rust; this file
// only gives the Wasm client the shape of the `openai` package. The entry files
// (web.js, node.js, deno.js, workerd.js) initialise the Wasm module, then re-export it.

import { Client, streamFromResponse } from "./wasm/onellm.js";

let readEnv;
/** Called by the Node and Deno entries: where missing keys are looked up. */
export function setEnvironment(reader) {
  readEnv = reader;
}

export class OpenAIError extends Error {}

/** An error from a provider, or on the way to it. Fields as in the `openai` package. */
export class APIError extends OpenAIError {
  constructor(data) {
    data ??= {};
    super(data.message || new.target.defaultMessage || "");
    // The provider's error body as it came: `null` stays null (a named error event
    // whose data was `null`), absent is undefined.
    const body = data.error;
    this.status = data.status ?? undefined;
    // A provider's answer always has headers, even none: typed `Headers` as in `openai`.
    this.headers = data.headers || data.status != null ? new Headers(data.headers ?? undefined) : undefined;
    this.error = body;
    this.code = body?.code ?? undefined;
    this.param = body?.param ?? undefined;
    this.type = body?.type ?? undefined;
    this.provider = data.provider ?? undefined;
    this.model = data.model ?? undefined;
    this.requestID = this.headers?.get("x-request-id") ?? this.headers?.get("request-id") ?? undefined;
  }
}
export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}
export class APIConnectionError extends APIError {
  static defaultMessage = "Connection error.";
}
export class APITimeoutError extends APIConnectionError {
  static defaultMessage = "Request timed out.";
}
export class APIUserAbortError extends APIError {
  static defaultMessage = "Request was aborted.";
}

/** Rejected before any request was sent: the field at fault is in `param`. */
export class InvalidRequestError extends OpenAIError {
  constructor(data = {}) {
    super(data.message);
    this.param = data.param ?? undefined;
    this.provider = data.provider ?? undefined;
    this.model = data.model ?? undefined;
  }
}

const classes = {
  APIError, BadRequestError, AuthenticationError, PermissionDeniedError, NotFoundError,
  ConflictError, UnprocessableEntityError, RateLimitError, InternalServerError,
  APIConnectionError, APITimeoutError, APIUserAbortError, InvalidRequestError,
};
for (const [name, cls] of Object.entries(classes)) {
  Object.defineProperty(cls.prototype, "name", { value: name, configurable: true, writable: true });
}

/** Turns the Rust side's error description into an instance of the exported class. */
function toError(thrown) {
  if (!(thrown && thrown.onellm === true)) return thrown;
  const error = new classes[thrown.name](thrown);
  error.attempts = attemptsOf(thrown);
  return error;
}

/** Failed attempts, oldest first: `{ provider, model: "provider/model", error }`. */
function attemptsOf(data) {
  return (data.attempts ?? []).map((a) => ({ provider: a.provider, model: a.model, error: toError(a.error) }));
}

/** `{ provider, model, attempts }`: which model answered, and what failed before it. */
function metaOf(data) {
  return { provider: data.provider, model: data.model, attempts: attemptsOf(data) };
}

function abortError({ provider, model }) {
  return new APIUserAbortError({ message: `Request was aborted. [${provider}/${model}]`, provider, model });
}

async function wasmCall(promise) {
  try {
    return await promise;
  } catch (e) {
    throw toError(e);
  }
}

/**
 * A text delta that the Rust side sent as its text alone, rebuilt as the whole chunk:
 * same `id`, `object`, `created` and `model` as the chunk before it that came whole,
 * one choice with `delta.content` (see `ChunkSink::push` in src/stream.rs). The keys
 * are in the order the Rust side writes them.
 */
function textChunk(head, content) {
  return {
    id: head.id,
    object: head.object,
    created: head.created,
    model: head.model,
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
  };
}

/** A streamed answer: `for await` its chunks, abort it, or await the whole completion. */
export class Stream {
  #reader;
  #final;
  #consumed = false;
  #finished = false;

  constructor(reader) {
    this.#reader = reader;
    this.controller = reader.controller;
    /** Which model answered, and the attempts that failed before the stream started. */
    this.onellm = reader.meta ? metaOf(reader.meta) : undefined;
  }

  async *[Symbol.asyncIterator]() {
    if (this.#consumed) throw new OpenAIError("Cannot iterate over a consumed stream.");
    this.#consumed = true;
    const reader = this.#reader;
    let head; // the last chunk that came whole
    try {
      for (;;) {
        const batch = await wasmCall(reader.next());
        if (batch === undefined) break;
        for (const item of batch) {
          // One read can complete several chunks; none is handed out after an abort.
          if (this.controller.signal.aborted) throw abortError(reader);
          if (typeof item === "string") {
            yield textChunk(head, item);
          } else {
            // Copied: the chunk handed out is the caller's to change.
            head = { id: item.id, object: item.object, created: item.created, model: item.model };
            yield item;
          }
        }
      }
      // The answer is built now and the reader freed: what it kept (up to 256 MiB) is
      // Wasm memory, which no garbage collector sees filling and which never shrinks,
      // so a server holding finished streams until a collection would grow it for ever.
      this.#final = reader.finalCompletion();
      this.#finished = true;
    } finally {
      // An early `break`, a throw or an error: stop the request and the body at once.
      if (!this.#finished) reader.cancel();
      reader.free();
    }
  }

  /**
   * The stream re-encoded as OpenAI server-sent events (`data: {chunk}` ... `data:
   * [DONE]`), for a server (a Worker, Deno) to return to a browser as it comes.
   */
  toReadableStream() {
    const controller = this.controller;
    const chunks = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream({
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (done) {
            controller.enqueue(encoder.encode("data: [DONE]\n\n"));
            controller.close();
          } else {
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(value)}\n\n`));
          }
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        // A read may be waiting on a quiet upstream, and return() would queue behind
        // it: abort first, which ends that read and the upstream request.
        controller.abort();
        await chunks.return();
      },
    });
  }

  /**
   * Reads back what `toReadableStream()` produced (OpenAI-format events). As in
   * `openai`, a `controller` given becomes `stream.controller`: aborting it ends the read.
   */
  static fromReadableStream(readableStream, controller) {
    try {
      return new Stream(streamFromResponse(new Response(readableStream), controller));
    } catch (e) {
      throw toError(e);
    }
  }

  /** The `chat.completion` the whole stream adds up to; reads the rest if need be. */
  async finalChatCompletion() {
    if (!this.#consumed) for await (const _ of this);
    if (!this.#finished) throw new OpenAIError("The stream did not complete, so it has no final completion.");
    return this.#final;
  }
}

class Completions {
  #client;
  constructor(client) {
    this.#client = client;
  }

  /**
   * `create(params, options?)`: a `chat.completion`, or a `Stream` of
   * `chat.completion.chunk`s when `params.stream` is true.
   */
  async create(params, options) {
    const result = await wasmCall(this.#client.create(params, options));
    if (result && typeof result.next === "function") return new Stream(result);
    // Kept out of the enumerable fields: the completion is exactly OpenAI's shape.
    Object.defineProperty(result, "onellm", { value: metaOf(result.onellm), enumerable: false });
    return result;
  }
}

export class OpenAI {
  constructor(options = {}) {
    try {
      const client = new Client(options, readEnv);
      this.chat = { completions: new Completions(client) };
    } catch (e) {
      throw toError(e);
    }
  }
}

/**
 * A client whose missing keys are looked up with `reader` rather than the runtime's
 * environment: the gateway's, on Workers, where secrets live in each request's `env`.
 */
export function openAIWithEnvironment(options, reader) {
  const saved = readEnv;
  readEnv = reader;
  try {
    return new OpenAI(options);
  } finally {
    readEnv = saved;
  }
}

// As in `openai`, the error classes hang off the client class: `err instanceof OpenAI.APIError`.
Object.assign(OpenAI, { OpenAI, OpenAIError, ...classes });

export default OpenAI;
