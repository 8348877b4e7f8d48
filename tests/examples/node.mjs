// examples/node/chat.mjs, run as `npm run demo -- --check` runs it: it must stream the
// answer, then show a failing primary answered by its fallback.
import { exec, timed } from "./lib.mjs";

export const nodeExample = (emulator) => timed("examples/node/chat.mjs streams and falls back", async () => {
  const { ok, stdout, stderr } = await exec(process.execPath, ["examples/node/chat.mjs", "ping"], {
    env: { OPENAI_BASE_URL: `${emulator}/openai/v1`, OPENAI_API_KEY: "sk-example", ONELLM_DEMO_FAULTS: "1" },
  });
  if (!ok || !stdout.includes("Echo: ping") || !stdout.includes("fallback answered: Echo:")) return `${stdout}\n${stderr}`;
});
