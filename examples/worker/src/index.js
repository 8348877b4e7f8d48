// POST {"messages":[...]} → the answer as OpenAI server-sent events, streamed as the
// provider writes it. The page reads it with onellm's `Stream.fromReadableStream(res.body)`
// (or any OpenAI SSE parser), and the provider key never leaves the Worker.
import { OpenAI, APIError, InvalidRequestError } from "onellm";

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response('POST {"messages": [...]}', { status: 405 });
    const { messages } = await request.json();
    // Workers have no process environment: keys and settings come from `env` bindings.
    const client = new OpenAI({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL || undefined,
      apiKeys: { anthropic: env.ANTHROPIC_API_KEY, google: env.GEMINI_API_KEY },
    });
    try {
      const stream = await client.chat.completions.create({ model: env.ONELLM_MODEL, messages, stream: true });
      // `data: {chunk}` … `data: [DONE]`, sent as each chunk arrives. If the browser goes
      // away, the body is cancelled, and that aborts the provider's request too.
      return new Response(stream.toReadableStream(), { headers: { "content-type": "text/event-stream" } });
    } catch (e) {
      // Nothing was streamed yet: a request onellm refused, or the provider's error
      // once retries and fallbacks were spent. Messages never contain a key.
      if (e instanceof InvalidRequestError) return Response.json({ error: e.message }, { status: 400 });
      if (e instanceof APIError) return Response.json({ error: e.message }, { status: e.status ?? 502 });
      throw e;
    }
  },
};
