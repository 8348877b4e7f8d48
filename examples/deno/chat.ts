// Streams a chat answer to the terminal from Deno.
//
//   OPENAI_API_KEY=sk-... deno run --allow-net --allow-env --allow-read examples/deno/chat.ts "Tell me about Deno"
//
// Any provider: ONELLM_MODEL=anthropic/claude-3-5-haiku-latest with ANTHROPIC_API_KEY set.
// OPENAI_BASE_URL points `openai/` models at another OpenAI-compatible API (npm test
// points it at the local emulator). --allow-read lets the package read its .wasm from
// node_modules; without --allow-env, keys must be passed as options.
import { OpenAI, type ChatCompletionMessageParam } from "npm:onellm";

const client = new OpenAI(); // keys and OPENAI_BASE_URL from the environment
const model = Deno.env.get("ONELLM_MODEL") ?? "openai/gpt-4o-mini";
const messages: ChatCompletionMessageParam[] = [
  { role: "user", content: Deno.args.join(" ") || "Hello from Deno! Stream me a few words." },
];

const stream = await client.chat.completions.create({ model, messages, stream: true });
const encoder = new TextEncoder();
for await (const chunk of stream) {
  await Deno.stdout.write(encoder.encode(chunk.choices[0]?.delta?.content ?? ""));
}
const final = await stream.finalChatCompletion(); // the chunks, added up
console.log(`\n[${stream.onellm?.model}: ${final.choices[0].finish_reason}]`);
