// A page that streams a chat answer into itself as the model writes it.
//
//   VITE_OPENAI_API_KEY=sk-... npx vite examples/vite-app          (development server)
//   VITE_OPENAI_API_KEY=sk-... npx vite build examples/vite-app    (static files, in its dist/)
//
// Vite bundles "onellm" and emits its .wasm as an asset: the package asks for it with
// `new URL("./wasm/onellm_bg.wasm", import.meta.url)`, a pattern Vite rewrites.
import { OpenAI } from "onellm";

// VITE_* variables are written into the bundle at build time, so a key there can be
// read by anyone who opens the page: fine for a local tool, not for a public site
// (which should call its own server, as examples/worker does). Hence the explicit
// dangerouslyAllowBrowser, as in the `openai` package. VITE_OPENAI_BASE_URL points at
// any OpenAI-compatible API: a local Ollama (http://localhost:11434/v1), the emulator.
const client = new OpenAI({
  apiKey: import.meta.env.VITE_OPENAI_API_KEY,
  baseURL: import.meta.env.VITE_OPENAI_BASE_URL || undefined,
  dangerouslyAllowBrowser: true,
});
const model = import.meta.env.VITE_ONELLM_MODEL || "openai/gpt-4o-mini";

const form = document.querySelector("#ask");
const answer = document.querySelector("#answer");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true; // one answer at a time
  answer.textContent = "";
  try {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: form.elements.prompt.value }],
      stream: true,
    });
    for await (const chunk of stream) answer.textContent += chunk.choices[0]?.delta?.content ?? "";
  } catch (e) {
    // The openai error classes: e.name is e.g. AuthenticationError, e.status 401.
    answer.textContent += `\n${e.name}: ${e.message}`;
  } finally {
    button.disabled = false;
  }
});
