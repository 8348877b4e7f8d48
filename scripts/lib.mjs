// Small helpers shared by the project scripts: run a command, find a binary, say what
// is happening. Node built-ins only, so they work before `npm install`.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function log(message) {
  console.log(`\x1b[36m[onellm]\x1b[0m ${message}`);
}

/** Runs a command, inheriting stdio; throws on a non-zero exit. */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...options });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status ?? r.signal}`);
  return r;
}

/** Runs a command quietly and returns its stdout, or null if it fails or is missing. */
export function capture(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: root, ...options });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Starts a long-running command; resolves once a line of its stdout matches `ready`. */
export function start(cmd, args, ready, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], ...options });
    let buffered = "";
    const timer = setTimeout(() => reject(new Error(`${cmd} did not become ready`)), 30_000);
    child.stdout.on("data", (d) => {
      buffered += d;
      const m = buffered.match(ready);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        resolve({ child, match: m });
      }
    });
    child.on("exit", (code) => reject(new Error(`${cmd} exited early with ${code}`)));
  });
}

/** The exact wasm-bindgen version pinned in Cargo.toml (`=0.2.x`). */
export function pinnedWasmBindgen() {
  const toml = readFileSync(join(root, "Cargo.toml"), "utf8");
  const m = toml.match(/^wasm-bindgen\s*=\s*"=([0-9.]+)"/m);
  if (!m) throw new Error("Cargo.toml must pin wasm-bindgen exactly (\"=0.2.x\")");
  return m[1];
}

export const cargoBin = (name) => {
  const home = process.env.CARGO_HOME ?? join(process.env.HOME ?? "/root", ".cargo");
  const p = join(home, "bin", name);
  return existsSync(p) ? p : name;
};

export const nodeBin = (name) => join(root, "node_modules", ".bin", name);
