// Written as a user of the `openai` package writes it (its README's patterns), then
// compiled twice by `tsc --strict`: against `openai` (tsconfig.openai.json) and with
// the import swapped for onellm (tsconfig.json maps "openai" to onellm's index.d.ts).
// Only the model ids carry their provider prefix, as the migration note says.
import OpenAI from "openai";

const client = new OpenAI({
  apiKey: process.env["OPENAI_API_KEY"],
  baseURL: process.env["OPENAI_BASE_URL"],
  maxRetries: 1,
  timeout: 20 * 1000,
});

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: "developer", content: "Talk like a pirate." },
  { role: "user", content: "Are semicolons optional in JavaScript?" },
];

export async function ask(): Promise<string | null> {
  const params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = { model: "openai/gpt-4o-mini", messages };
  const completion: OpenAI.Chat.ChatCompletion = await client.chat.completions.create(params, { maxRetries: 5 });
  return completion.choices[0].message.content;
}

export async function stream(): Promise<void> {
  const stream = await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages, stream: true });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content || "");
}

export async function withTools(): Promise<string[]> {
  const tools: OpenAI.Chat.ChatCompletionTool[] = [{
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  }];
  const r = await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages, tools, tool_choice: "auto" });
  const names: string[] = [];
  for (const call of r.choices[0].message.tool_calls ?? []) if (call.type === "function") names.push(call.function.name);
  return names;
}

export async function handled(): Promise<void> {
  const controller = new AbortController();
  await client.chat.completions
    .create({ model: "openai/gpt-4o-mini", messages }, { signal: controller.signal })
    .catch(async (err) => {
      if (err instanceof OpenAI.RateLimitError) {
        // Each subclass types its status: a number here, not number | undefined.
        const status: number = err.status;
        const retryAfter: string | null = err.headers.get("retry-after");
        console.log(status, retryAfter);
      } else if (err instanceof OpenAI.APIError) {
        console.log(err.status, err.name, err.headers);
      } else {
        throw err;
      }
    });
}

// The other spellings of the type names found in the wild.
export function describe(c: OpenAI.ChatCompletion, k: OpenAI.Chat.Completions.ChatCompletionChunk, r: OpenAI.Chat.ChatCompletionRole): string {
  return `${c.id} ${k.choices[0]?.delta.content} ${r}`;
}
