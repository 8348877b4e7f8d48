// Streams a chat answer to the terminal, then shows a fallback at work.
//
//   OPENAI_API_KEY=sk-... node examples/node/chat.mjs "Tell me about WebAssembly"
//
// `npm run demo` runs it against the local provider emulator, with OPENAI_BASE_URL
// pointing there, so no key is needed.
import { OpenAI, APIError } from "onellm";

const client = new OpenAI(); // key and base URL from OPENAI_API_KEY / OPENAI_BASE_URL
const model = process.env.ONELLM_MODEL ?? "openai/gpt-4o-mini";
const prompt = process.argv.slice(2).join(" ") || "Hello! Stream me a few words, please.";

console.log(`> ${prompt}\n`);
const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: prompt }],
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
const final = await stream.finalChatCompletion();
console.log(`\n\n[${model}: ${final.choices[0].finish_reason}, ${final.usage?.total_tokens ?? "?"} tokens]`);

// A primary that fails (the emulator fails any model named `fault-…`) and a fallback
// that answers: the caller just gets the fallback's completion.
if (process.env.ONELLM_DEMO_FAULTS) {
  try {
    const r = await client.chat.completions.create({
      model: "openai/fault-status=503",
      messages: [{ role: "user", content: "Are you the fallback?" }],
      retries: 1,
      fallback_models: [model],
    });
    console.log(`\nprimary failed with 503 (retried once), fallback answered: ${r.choices[0].message.content}`);
  } catch (e) {
    if (e instanceof APIError) console.error(`${e.name} ${e.status}: ${e.message}`);
    else throw e;
  }
}
