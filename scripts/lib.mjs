// Small helpers shared by the project scripts: run a command, find a binary, say what
// is happening. Node built-ins only, so they work before `npm install`.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Whether the module at `url` (its import.meta.url) is the script node was started with.
 * A URL, not a `file://` string, so paths with spaces match; realpath, because Node
 * resolves symlinks in the main module's URL but not in argv[1].
 */
export function isMain(url) {
  return Boolean(process.argv[1]) && url === pathToFileURL(realpathSync(process.argv[1])).href;
}

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

/**
 * The nightly that builds the release .wasm (scripts/setup.mjs says why). A dated
 * nightly, so every machine builds the same bytes; moved forward by hand, with the
 * bench's payload figure before and after.
 */
export const PINNED_NIGHTLY = "nightly-2026-05-20";

/** The exact wasm-bindgen version pinned in Cargo.toml (`=0.2.x`). */
export function pinnedWasmBindgen() {
  const toml = readFileSync(join(root, "Cargo.toml"), "utf8");
  const m = toml.match(/^wasm-bindgen\s*=\s*"=([0-9.]+)"/m);
  if (!m) throw new Error("Cargo.toml must pin wasm-bindgen exactly (\"=0.2.x\")");
  return m[1];
}

/** Where rustup keeps cargo, rustup and `cargo install`ed tools: $CARGO_HOME/bin, else ~/.cargo/bin. */
export function cargoBinDir() {
  return join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin");
}

/** A cargo-managed binary by full path when it is there, else its bare name (found on PATH). */
export function cargoBin(name) {
  const p = join(cargoBinDir(), name);
  return existsSync(p) ? p : name;
}

/**
 * This process's environment with cargoBinDir() first on PATH. A fresh rustup install
 * may not be on the PATH npm gave us, and cargo, wasm-pack and clippy look for each
 * other (and for rustc) there.
 */
export function cargoEnv() {
  return { ...process.env, PATH: `${cargoBinDir()}${delimiter}${process.env.PATH ?? ""}` };
}

export const nodeBin = (name) => join(root, "node_modules", ".bin", name);
