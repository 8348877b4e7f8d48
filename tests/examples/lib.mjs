// What the example tests share: running a command without blocking the emulator (it
// lives in the test's own event loop), and timing one check into a suite result.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const bin = (name) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));

/** Runs a command; resolves `{ ok, stdout, stderr }`, never rejects. `env` adds to this process's. */
export function exec(cmd, args, { cwd = root, env = {} } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ ok: !error, stdout, stderr: `${error?.message ?? ""}\n${stderr}` }));
  });
}

/** `{ name, ok, ms, error }` for tests/e2e/report.mjs; `check` returns an error text, or nothing when all is well. */
export async function timed(name, check) {
  const started = Date.now();
  let error;
  try {
    error = await check();
  } catch (e) {
    error = e?.stack ?? String(e);
  }
  return { name, ok: !error, ms: Date.now() - started, error: error || undefined };
}
