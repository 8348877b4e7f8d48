// examples/deno/chat.ts, run as its header says (with --check, so its types come from
// the package as Deno resolves it): the answer must stream to stdout, then the model
// and finish reason.
import { bin, exec, timed } from "./lib.mjs";

export const denoExample = (emulator) => timed("examples/deno/chat.ts streams an answer (type-checked)", async () => {
  const { ok, stdout, stderr } = await exec(bin("deno"), [
    "run", "--check", "--allow-net", "--allow-env", "--allow-read", "examples/deno/chat.ts", "ping", "from", "Deno",
  ], { env: { OPENAI_BASE_URL: `${emulator}/openai/v1`, OPENAI_API_KEY: "sk-example", ONELLM_MODEL: "openai/gpt-4o-mini" } });
  if (!ok || stdout !== "Echo: ping from Deno\n[openai/gpt-4o-mini: stop]\n") return `stdout: ${JSON.stringify(stdout)}\n${stderr}`;
});
