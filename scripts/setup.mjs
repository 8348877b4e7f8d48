// Every set-up step `npm test`, `npm run build` and `npm run demo` need on a fresh
// Debian machine with rustup and Node, each skipped when already done: a recent enough
// Node, a C linker, rustfmt and clippy, the wasm32 target, the pinned wasm-bindgen-cli,
// wasm-pack, the pinned nightly the release .wasm is built with (stable when it cannot be
// had), the npm packages and (when root) Debian's Chromium for the browser tests.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { capture, cargoBin, cargoEnv, isMain, log, pinnedWasmBindgen, PINNED_NIGHTLY, root, run } from "./lib.mjs";

// miniflare's undici needs 20.18.1; playwright-core needs 20.
const MIN_NODE = "20.18.1";

export function checkNode() {
  const have = process.versions.node.split(".").map(Number);
  const want = MIN_NODE.split(".").map(Number);
  const diff = have.map((n, i) => n - want[i]).find((d) => d !== 0) ?? 0;
  if (diff < 0) {
    throw new Error(`Node ${MIN_NODE} or newer is needed (miniflare and playwright-core require it); ` +
      `this is ${process.version}. Install a current Node LTS and run again.`);
  }
}

const isRoot = () => process.getuid?.() === 0;

/** apt-get install, refreshing the package lists once if they are missing or stale. */
function aptInstall(packages) {
  const args = ["install", "-y", "--no-install-recommends", ...packages];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (capture("apt-get", args, { env }) === null) {
    run("apt-get", ["update"]);
    run("apt-get", args, { env });
  }
}

/** rustc links native code (build scripts, proc macros, the native tests) with `cc`. */
function setupLinker() {
  if (capture("cc", ["--version"]) !== null) return;
  if (!isRoot()) {
    throw new Error("No C linker (`cc`) found; Rust needs one. Install it, e.g. " +
      "`sudo apt-get install -y --no-install-recommends gcc libc6-dev`, and run again");
  }
  log("installing gcc as the C linker Rust needs");
  aptInstall(["gcc", "libc6-dev"]);
}

/** rustfmt and clippy for `npm test`'s lints; minimal rustup profiles leave them out. */
function setupComponents(rustup) {
  // Listed with a target suffix, e.g. `clippy-x86_64-unknown-linux-gnu`.
  const installed = (capture(rustup, ["component", "list", "--installed"]) ?? "").split("\n");
  const missing = ["rustfmt", "clippy"].filter((c) => !installed.some((l) => l === c || l.startsWith(`${c}-`)));
  if (missing.length) {
    log(`adding the Rust components ${missing.join(", ")}`);
    run(rustup, ["component", "add", ...missing], { env: cargoEnv() });
  }
}

export function setupRust() {
  const rustup = cargoBin("rustup");
  const cargo = cargoBin("cargo");
  setupLinker();
  setupComponents(rustup);
  const targets = capture(rustup, ["target", "list", "--installed"]) ?? "";
  if (!targets.split("\n").includes("wasm32-unknown-unknown")) {
    log("adding the wasm32-unknown-unknown Rust target");
    run(rustup, ["target", "add", "wasm32-unknown-unknown"], { env: cargoEnv() });
  }
  const pinned = pinnedWasmBindgen();
  const have = capture(cargoBin("wasm-bindgen"), ["--version"]);
  if (have !== `wasm-bindgen ${pinned}`) {
    log(`installing wasm-bindgen-cli ${pinned} (about 3 minutes, once)`);
    run(cargo, ["install", "wasm-bindgen-cli", "--version", pinned, "--force"], { env: cargoEnv() });
  }
  if (capture(cargoBin("wasm-pack"), ["--version"]) === null) {
    log("installing wasm-pack (about 3 minutes, once)");
    run(cargo, ["install", "wasm-pack"], { env: cargoEnv() });
  }
}

/**
 * The pinned nightly the release .wasm is built with (scripts/build.mjs): rebuilding the
 * standard library with `panic = "immediate-abort"` drops the panic machinery, its
 * messages and most of core::fmt, 9 kB of the gzipped .wasm. Returns the toolchain's
 * name, or null when it cannot be had (no network to rustup's dist server, or
 * ONELLM_STABLE=1): the build then uses stable, which works the same and is larger.
 */
export function setupNightly() {
  if (process.env.ONELLM_STABLE === "1") return null;
  const rustup = cargoBin("rustup");
  const ready = () => {
    const components = capture(rustup, ["component", "list", "--installed", "--toolchain", PINNED_NIGHTLY]);
    return components !== null && components.split("\n").some((l) => l.startsWith("rust-src"));
  };
  if (ready()) return PINNED_NIGHTLY;
  log(`installing the Rust toolchain ${PINNED_NIGHTLY} with rust-src (about 20 s, once) for the size-optimised build`);
  const installed = capture(rustup, ["toolchain", "install", PINNED_NIGHTLY, "--profile", "minimal",
    "--component", "rust-src", "--target", "wasm32-unknown-unknown"], { env: cargoEnv() });
  if (installed !== null && ready()) return PINNED_NIGHTLY;
  log(`warning: ${PINNED_NIGHTLY} could not be installed; building with stable Rust (a larger .wasm)`);
  return null;
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

/** What build and test need before their first step; Node is checked before anything slow. */
export function setupToolchains() {
  checkNode();
  setupRust();
  setupNode();
}

export function chromiumPath() {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(p)) return p;
  return null;
}

export function setupChromium() {
  if (chromiumPath()) return;
  if (!isRoot()) {
    throw new Error("Chromium is missing and this is not root: run `sudo apt-get install -y chromium`, " +
      "or leave out the suites that need it with e.g. `npm test -- node deno workerd`");
  }
  log("installing Debian's chromium for the browser tests");
  aptInstall(["chromium"]);
}

/** The official Python SDK the gateway suite drives (tests/gateway/client.py), pinned. */
export const PYTHON_OPENAI = "3.60.0";

/**
 * A project-local virtual environment (target/py-venv) holding the official `openai`
 * Python SDK, installed from PyPI once. Returns its python, or null when this machine
 * has no Python 3 at all (the suite then says so and skips the Python client).
 */
export function setupPython() {
  const python = ["python3", "python"].find((p) => (capture(p, ["--version"]) ?? "").startsWith("Python 3"));
  if (!python) return null;
  const venv = join(root, "target", "py-venv");
  const py = join(venv, "bin", "python");
  if (!existsSync(py)) {
    log("creating the Python virtual environment for the gateway's Python client");
    if (capture(python, ["-m", "venv", venv]) === null) {
      // Debian ships venv separately.
      if (!isRoot()) throw new Error("python3 -m venv failed: run `sudo apt-get install -y python3-venv`");
      aptInstall(["python3-venv"]);
      run(python, ["-m", "venv", "--clear", venv]);
    }
  }
  if (capture(py, ["-c", "import openai; print(openai.__version__)"]) !== PYTHON_OPENAI) {
    log(`installing the Python openai SDK ${PYTHON_OPENAI} from PyPI (a few seconds, once)`);
    run(py, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", `openai==${PYTHON_OPENAI}`]);
  }
  return py;
}

export function setupAll({ browser = true } = {}) {
  setupToolchains();
  if (browser) setupChromium();
}

if (isMain(import.meta.url)) {
  setupAll({ browser: !process.argv.includes("--no-browser") });
  log("set-up complete");
}
