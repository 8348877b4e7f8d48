// Every set-up step `npm test`, `npm run build` and `npm run demo` need on a fresh
// Debian machine with rustup and Node, each skipped when already done:
// the wasm32 target, the pinned wasm-bindgen-cli, wasm-pack, the npm packages and
// (when root) Debian's Chromium for the browser tests.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { capture, cargoBin, log, pinnedWasmBindgen, root, run } from "./lib.mjs";

export function setupRust() {
  const targets = capture("rustup", ["target", "list", "--installed"]) ?? "";
  if (!targets.split("\n").includes("wasm32-unknown-unknown")) {
    log("adding the wasm32-unknown-unknown Rust target");
    run("rustup", ["target", "add", "wasm32-unknown-unknown"]);
  }
  const pinned = pinnedWasmBindgen();
  const have = capture(cargoBin("wasm-bindgen"), ["--version"]);
  if (have !== `wasm-bindgen ${pinned}`) {
    log(`installing wasm-bindgen-cli ${pinned} (about 3 minutes, once)`);
    run("cargo", ["install", "wasm-bindgen-cli", "--version", pinned, "--force"]);
  }
  if (capture(cargoBin("wasm-pack"), ["--version"]) === null) {
    log("installing wasm-pack (about 3 minutes, once)");
    run("cargo", ["install", "wasm-pack"]);
  }
}

export function setupNode() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (!fresh) {
    log("installing npm packages");
    run("npm", ["ci", "--no-audit", "--no-fund"]);
  }
}

export function chromiumPath() {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(p)) return p;
  return null;
}

export function setupChromium() {
  if (chromiumPath()) return;
  if (process.getuid?.() !== 0) {
    throw new Error("Chromium is missing and this is not root: run `apt-get install -y chromium`");
  }
  log("installing Debian's chromium for the browser tests");
  const install = () => capture("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (install() === null) {
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
}

export function setupAll({ browser = true } = {}) {
  setupRust();
  setupNode();
  if (browser) setupChromium();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setupAll({ browser: !process.argv.includes("--no-browser") });
  log("set-up complete");
}
