// The suite in Node, against pkg/ as Node resolves it (the "node" export condition).
import { startEmulator } from "../emulator/server.mjs";
import { runSuite } from "./suite.mjs";
import { report } from "./report.mjs";

export async function runNode(emulator) {
  const onellm = await import("../../pkg/node.js");
  const out = await runSuite(onellm, { emulator, runtime: "node" });
  // Node alone reads keys from process.env: checked here, outside the shared suite.
  const before = process.env.OPENAI_API_KEY;
  process.env.OPENAI_API_KEY = "sk-from-env";
  const started = Date.now();
  try {
    const c = new onellm.OpenAI({ baseURL: `${emulator}/openai/v1` });
    const r = await c.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: "env" }] });
    const seen = await (await fetch(`${emulator}/__requests`)).json();
    const auth = seen[seen.length - 1].headers.authorization;
    if (auth !== "Bearer sk-from-env" || r.choices[0].message.content !== "Echo: env") throw new Error(`auth ${auth}`);
    delete process.env.OPENAI_API_KEY;
    let e;
    try { await c.chat.completions.create({ model: "openai/m", messages: [] }); } catch (err) { e = err; }
    if (!(e instanceof onellm.InvalidRequestError) || !e.message.includes("OPENAI_API_KEY")) throw new Error(`missing key: ${e}`);
    out.results.push({ name: "keys from OPENAI_API_KEY; a missing key names it", ok: true, ms: Date.now() - started });
  } catch (e) {
    out.results.push({ name: "keys from OPENAI_API_KEY; a missing key names it", ok: false, error: String(e), ms: 0 });
  } finally {
    if (before === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = before;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const emu = await startEmulator();
  const ok = report(await runNode(emu.url));
  await emu.close();
  process.exit(ok ? 0 : 1);
}
