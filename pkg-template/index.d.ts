// Types for onellm. Names follow the `openai` package where they exist, so code typed
// against it compiles after swapping the import.

export type Role = "system" | "developer" | "user" | "assistant" | "tool" | "function";

export interface ChatCompletionContentPartText { type: "text"; text: string }
export interface ChatCompletionContentPartImage {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}
export interface ChatCompletionContentPartInputAudio {
  type: "input_audio";
  input_audio: { data: string; format: "wav" | "mp3" | (string & {}) };
}
export interface ChatCompletionContentPartAudioUrl { type: "audio_url"; audio_url: { url: string } }
export type ChatCompletionContentPart =
  | ChatCompletionContentPartText
  | ChatCompletionContentPartImage
  | ChatCompletionContentPartInputAudio
  | ChatCompletionContentPartAudioUrl;

export interface ChatCompletionMessageToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatCompletionSystemMessageParam { role: "system"; content: string | ChatCompletionContentPartText[]; name?: string }
export interface ChatCompletionDeveloperMessageParam { role: "developer"; content: string | ChatCompletionContentPartText[]; name?: string }
export interface ChatCompletionUserMessageParam { role: "user"; content: string | ChatCompletionContentPart[]; name?: string }
export interface ChatCompletionAssistantMessageParam {
  role: "assistant";
  reasoning_content?: string;
  thinking_blocks?: Array<Record<string, unknown>>;
  content?: string | ChatCompletionContentPartText[] | null;
  name?: string;
  refusal?: string | null;
  tool_calls?: ChatCompletionMessageToolCall[];
}
export interface ChatCompletionToolMessageParam { role: "tool"; content: string | ChatCompletionContentPartText[]; tool_call_id: string }
export interface ChatCompletionFunctionMessageParam { role: "function"; content: string | null; name: string }
export type ChatCompletionMessageParam =
  | ChatCompletionSystemMessageParam
  | ChatCompletionDeveloperMessageParam
  | ChatCompletionUserMessageParam
  | ChatCompletionAssistantMessageParam
  | ChatCompletionToolMessageParam
  | ChatCompletionFunctionMessageParam;

export interface ChatCompletionTool {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}
export type ChatCompletionToolChoiceOption =
  | "none" | "auto" | "required"
  | { type: "function"; function: { name: string } };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

/** OpenAI's `ReasoningEffort`, mapped to each provider's own control (README, Reasoning). */
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

export interface ChatCompletionCreateParamsBase {
  /** `provider/model`, e.g. `openai/gpt-4o-mini`, `anthropic/claude-3-5-sonnet-20241022`. */
  model: string;
  messages: ChatCompletionMessageParam[];
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
  presence_penalty?: number | null;
  response_format?: ResponseFormat;
  seed?: number | null;
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  temperature?: number | null;
  /** Mapped per provider and model family; refused where a model has no reasoning control. */
  reasoning_effort?: ReasoningEffort | null;
  top_p?: number | null;
  tools?: ChatCompletionTool[];
  tool_choice?: ChatCompletionToolChoiceOption;
  parallel_tool_calls?: boolean;
  user?: string;
  /** OneLLM: seconds per attempt (for a stream: until its first content). */
  timeout?: number;
  /** OneLLM: seconds a started stream may go without a byte before it is taken as stalled (0: no limit). */
  idle_timeout?: number;
  /** OneLLM: extra attempts on each model. */
  retries?: number;
  /** OneLLM: `provider/model` ids tried in order once the primary is exhausted. */
  fallback_models?: string[];
  /** Other fields pass through unchanged to OpenAI-compatible providers. */
  [key: string]: unknown;
}
export interface ChatCompletionCreateParamsNonStreaming extends ChatCompletionCreateParamsBase { stream?: false | null }
export interface ChatCompletionCreateParamsStreaming extends ChatCompletionCreateParamsBase { stream: true }
export type ChatCompletionCreateParams = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Milliseconds per attempt. */
  timeout?: number;
  /** Milliseconds a started stream may go without a byte (0: no limit). */
  idleTimeout?: number;
  maxRetries?: number;
  /** Extra headers; `null` removes one. */
  headers?: Record<string, string | null>;
}

export interface ProviderOptions {
  apiKey?: string;
  /** Azure: the resource in `https://{resource}.openai.azure.com`. */
  resource?: string;
  /** Azure: the `api-version`. */
  apiVersion?: string;
  /** The API root including its version segment, e.g. `https://api.openai.com/v1`. */
  baseURL?: string;
  headers?: Record<string, string | null>;
}

export interface ClientOptions {
  /** Key for `openai/` models (else `OPENAI_API_KEY` in Node and Deno). */
  apiKey?: string;
  /** Sent to OpenAI as `OpenAI-Organization` (else `OPENAI_ORG_ID`). */
  organization?: string;
  /** Sent to OpenAI as `OpenAI-Project` (else `OPENAI_PROJECT_ID`). */
  project?: string;
  /** API root for `openai/` models. */
  baseURL?: string;
  /** Keys by provider name. */
  apiKeys?: Record<string, string>;
  /** Per-provider settings; a name that is no preset declares an OpenAI-compatible provider. */
  providers?: Record<string, ProviderOptions>;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Retries per model (default 2). */
  maxRetries?: number;
  /** Milliseconds per attempt (default 600000). */
  timeout?: number;
  /** Milliseconds a started stream may go without a byte (default 600000; 0: no limit). */
  idleTimeout?: number;
  defaultHeaders?: Record<string, string | null>;
  dangerouslyAllowBrowser?: boolean;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: Record<string, number>;
  completion_tokens_details?: Record<string, number>;
}

export interface ChatCompletionMessage {
  role: "assistant";
  content: string | null;
  refusal: string | null;
  tool_calls?: ChatCompletionMessageToolCall[];
  reasoning_content?: string;
  /** Anthropic's signed thinking blocks; send the message back as it came to keep them. */
  thinking_blocks?: Array<Record<string, unknown>>;
  /**
   * What the provider answered that OpenAI's shape has no place for, as it came:
   * Anthropic's server-tool blocks and citations, Gemini's code-execution and
   * inline-data parts.
   */
  provider_content?: Array<Record<string, unknown>>;
}

export interface ChatCompletion {
  /** Not enumerable: which model answered, and what failed first. */
  readonly onellm?: OneLLMMeta;
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatCompletionMessage;
    logprobs: unknown | null;
    finish_reason: "stop" | "length" | "tool_calls" | "content_filter" | "function_call" | null;
  }>;
  usage?: CompletionUsage;
  system_fingerprint?: string;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      refusal?: string | null;
      reasoning_content?: string;
      thinking_blocks?: Array<Record<string, unknown>>;
      provider_content?: Array<Record<string, unknown>>;
      tool_calls?: Array<{ index: number; id?: string; type?: "function"; function?: { name?: string; arguments?: string } }>;
    };
    logprobs?: unknown | null;
    finish_reason: ChatCompletion["choices"][number]["finish_reason"];
  }>;
  usage?: CompletionUsage | null;
  system_fingerprint?: string;
}

/** Which model answered a call, and the attempts that failed before it. */
export interface OneLLMMeta {
  provider: string;
  /** `provider/model`. */
  model: string;
  attempts: Array<{ provider: string; model: string; error: APIError | InvalidRequestError }>;
}

export declare class Stream<Item> implements AsyncIterable<Item> {
  /** Aborts the request and the body read. */
  controller: AbortController;
  /** Which model answered (undefined for a stream read back with fromReadableStream). */
  onellm: OneLLMMeta | undefined;
  /** The stream as OpenAI server-sent events, for a server to return to a browser. */
  toReadableStream(): ReadableStream<Uint8Array>;
  /** Reads back what `toReadableStream()` produced. */
  static fromReadableStream<T = ChatCompletionChunk>(stream: ReadableStream<Uint8Array>, controller?: AbortController): Stream<T>;
  [Symbol.asyncIterator](): AsyncIterator<Item>;
  /** The completion the whole stream adds up to; reads the rest of the stream if need be. */
  finalChatCompletion(): Promise<ChatCompletion>;
}

export declare class Completions {
  create(body: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<ChatCompletion>;
  create(body: ChatCompletionCreateParamsStreaming, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
  create(body: ChatCompletionCreateParams, options?: RequestOptions): Promise<ChatCompletion | Stream<ChatCompletionChunk>>;
}

export declare class OpenAI {
  constructor(options?: ClientOptions);
  chat: { completions: Completions };
  // The error classes hang off the client class too, as in `openai`: `err instanceof OpenAI.APIError`.
  static OpenAI: typeof OpenAI;
  static OpenAIError: typeof OpenAIError;
  static APIError: typeof APIError;
  static BadRequestError: typeof BadRequestError;
  static AuthenticationError: typeof AuthenticationError;
  static PermissionDeniedError: typeof PermissionDeniedError;
  static NotFoundError: typeof NotFoundError;
  static ConflictError: typeof ConflictError;
  static UnprocessableEntityError: typeof UnprocessableEntityError;
  static RateLimitError: typeof RateLimitError;
  static InternalServerError: typeof InternalServerError;
  static APIConnectionError: typeof APIConnectionError;
  static APITimeoutError: typeof APITimeoutError;
  static APIUserAbortError: typeof APIUserAbortError;
  static InvalidRequestError: typeof InvalidRequestError;
}
export default OpenAI;

/**
 * The type names `openai` users reach through its client class: `OpenAI.ChatCompletion`,
 * `OpenAI.Chat.ChatCompletionMessageParam`, `OpenAI.Chat.Completions.ChatCompletionTool`.
 * They name the same types as the named exports.
 */
export declare namespace OpenAI {
  export {
    type ChatCompletion, type ChatCompletionChunk, type ChatCompletionMessage, type ChatCompletionMessageParam,
    type ChatCompletionSystemMessageParam, type ChatCompletionDeveloperMessageParam, type ChatCompletionUserMessageParam,
    type ChatCompletionAssistantMessageParam, type ChatCompletionToolMessageParam, type ChatCompletionFunctionMessageParam,
    type ChatCompletionContentPart, type ChatCompletionContentPartText, type ChatCompletionContentPartImage,
    type ChatCompletionContentPartInputAudio, type ChatCompletionMessageToolCall, type ChatCompletionTool,
    type ChatCompletionToolChoiceOption, type ChatCompletionCreateParams, type ChatCompletionCreateParamsNonStreaming,
    type ChatCompletionCreateParamsStreaming, type CompletionUsage,
    type ClientOptions, type RequestOptions,
  };
  export type ChatCompletionRole = Role;
  export import Chat = ChatNamespace;
}
declare namespace ChatNamespace {
  export {
    type ChatCompletion, type ChatCompletionChunk, type ChatCompletionMessage, type ChatCompletionMessageParam,
    type ChatCompletionSystemMessageParam, type ChatCompletionDeveloperMessageParam, type ChatCompletionUserMessageParam,
    type ChatCompletionAssistantMessageParam, type ChatCompletionToolMessageParam, type ChatCompletionFunctionMessageParam,
    type ChatCompletionContentPart, type ChatCompletionContentPartText, type ChatCompletionContentPartImage,
    type ChatCompletionContentPartInputAudio, type ChatCompletionMessageToolCall, type ChatCompletionTool,
    type ChatCompletionToolChoiceOption, type ChatCompletionCreateParams, type ChatCompletionCreateParamsNonStreaming,
    type ChatCompletionCreateParamsStreaming, type CompletionUsage,
  };
  export type ChatCompletionRole = Role;
  export import Completions = ChatNamespace;
}

export declare class OpenAIError extends Error {}
/** As in `openai`, each subclass types `status` (and `headers`) as what it always has. */
export declare class APIError<
  TStatus extends number | undefined = number | undefined,
  THeaders extends Headers | undefined = Headers | undefined,
  TError extends object | undefined = any,
> extends OpenAIError {
  /** Every failed attempt before this one, oldest first. */
  attempts: Array<{ provider: string; model: string; error: APIError | InvalidRequestError }>;
  status: TStatus;
  headers: THeaders;
  /** The provider's error object (`body.error`, or the whole body). */
  error: TError;
  code: string | null | undefined;
  param: string | null | undefined;
  type: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  requestID: string | undefined;
}
export declare class BadRequestError extends APIError<400, Headers> {}
/** 401; also Gemini's `API_KEY_INVALID`, which keeps its 400. */
export declare class AuthenticationError extends APIError<401 | 400, Headers> {}
export declare class PermissionDeniedError extends APIError<403, Headers> {}
export declare class NotFoundError extends APIError<404, Headers> {}
export declare class ConflictError extends APIError<409, Headers> {}
export declare class UnprocessableEntityError extends APIError<422, Headers> {}
export declare class RateLimitError extends APIError<429, Headers> {}
export declare class InternalServerError extends APIError<number, Headers> {}
/** No status; `headers` are the response's when a started stream broke. */
export declare class APIConnectionError extends APIError<undefined, Headers | undefined, undefined> {}
export declare class APITimeoutError extends APIConnectionError {}
export declare class APIUserAbortError extends APIError<undefined, Headers | undefined, undefined> {}
export declare class InvalidRequestError extends OpenAIError {
  /** The request field or option at fault, e.g. `temperature`, `messages[0].role`. */
  param: string | undefined;
  provider: string | undefined;
  model: string | undefined;
}
