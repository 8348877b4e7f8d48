// onellm/gateway: an OpenAI-compatible HTTP API in front of every provider.

import type { ClientOptions } from "./index.js";

/** What a public model name stands for: a `provider/model` id, or a chain. */
export type GatewayModel =
  | string
  | {
      model: string;
      fallback_models?: string[];
      retries?: number;
      /** Milliseconds per attempt. */
      timeout?: number;
    };

export interface GatewayOptions extends Pick<ClientOptions, "providers" | "apiKeys" | "fetch" | "timeout" | "idleTimeout" | "maxRetries" | "defaultHeaders"> {
  /** Public model names (what callers put in `model`) and what each stands for. */
  models?: Record<string, GatewayModel>;
  /** Callers may also name any `provider/model` id their key allows. Default false. */
  allowRawModels?: boolean;
  /** Callers' keys (`Authorization: Bearer …`, at least 16 characters), each optionally limited to some models (`"fast"`, `"openai/*"`). */
  keys?: Array<string | { key: string; models?: string[] }>;
  /** Serve callers without a key. Default false: a gateway without `keys` refuses to start. */
  allowUnauthenticated?: boolean;
  /** Browser origins allowed to call (a list, or `true` / `"*"` for any). Default: none. */
  cors?: boolean | "*" | string[];
  /** Milliseconds a stream may be quiet before the gateway sends an SSE comment (0: never). Default 15 000. */
  streamKeepAlive?: number;
  /** Largest request body accepted, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
}

export interface Gateway {
  /** A Worker's `fetch`, a `Deno.serve` handler; in Node, see the README's glue. */
  fetch(request: Request, env?: Record<string, unknown>, ctx?: unknown): Promise<Response>;
}

/** `options`, or a function of a Worker's `env` returning them (secrets live there). */
export function createGateway(options: GatewayOptions | ((env: Record<string, unknown>) => GatewayOptions)): Gateway;
