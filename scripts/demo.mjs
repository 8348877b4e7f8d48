// `npm run demo`: builds the package, starts the provider emulator on 127.0.0.1 at a
// visible pace, and runs examples/node/chat.mjs against it. No keys needed.
import { spawn } from "node:child_process";
import { startEmulator } from "../tests/emulator/server.mjs";
import { build } from "./build.mjs";
import { log, root } from "./lib.mjs";

build();
const emulator = await startEmulator({ delayMs: 40 });
log(`provider emulator listening on ${emulator.url}`);
const example = spawn(process.execPath, ["examples/node/chat.mjs", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    OPENAI_BASE_URL: `${emulator.url}/openai/v1`,
    OPENAI_API_KEY: "sk-emulator",
    ONELLM_DEMO_FAULTS: "1",
  },
});
const code = await new Promise((resolve) => example.on("exit", resolve));
await emulator.close();
process.exit(code ?? 1);
