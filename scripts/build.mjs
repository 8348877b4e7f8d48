// `npm run build`: compiles the crate with wasm-pack (web target: one output that runs
// unchanged in browsers, Workers, Deno and Node), shrinks it with binaryen's wasm-opt
// from npm (wasm-pack's own binaryen download fails on these machines), and assembles
// the npm package `onellm` in pkg/ from pkg-template/.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { cargoBin, cargoEnv, isMain, log, nodeBin, root, run } from "./lib.mjs";
import { minifyBoundaryNames } from "./minify-names.mjs";
import { setupNightly, setupToolchains } from "./setup.mjs";

export function build() {
  setupToolchains();
  const nightly = setupNightly();
  const out = join(root, "target", "wasm-pack");
  log(`compiling Rust to WebAssembly (${nightly ?? "stable"})`);
  run(cargoBin("wasm-pack"), [
    "build", "--release", "--target", "web", "--weak-refs", "--no-typescript", "--no-pack",
    "--out-dir", out, "--out-name", "onellm", root, ...(nightly ? ["--", ...NIGHTLY_CARGO_ARGS] : []),
  ], { env: nightly ? nightlyEnv(nightly) : cargoEnv() }); // wasm-pack finds cargo and wasm-bindgen on PATH
  const wasm = join(out, "onellm_bg.wasm");
  log("optimising the .wasm for size");
  // Measured on this crate, gzipped: `--flatten --rereloop` lets -Oz rebuild the
  // control flow smaller (0.5 kB, and twice 0.06 kB more); `--converge` repeats -Oz until it stops shrinking
  // (0.7 kB); `--low-memory-unused` folds constant offsets into loads and stores (1 kB),
  // true here: the stack sits first, from 1 MiB down, so its lowest kilobyte is reached
  // only by a stack about to overflow; `--strip-target-features` drops a section no
  // runtime reads. (`--ignore-implicit-traps` is not safe here: it let a load move
  // ahead of the check guarding it, and the conformance suite hit an out-of-bounds trap.)
  run(nodeBin("wasm-opt"), ["--low-memory-unused", "--flatten", "--rereloop", "-Oz", "--flatten", "--rereloop", "-Oz", "-Oz", "--converge", "--strip-target-features", ...WASM_FEATURES, "--strip-debug", "--strip-producers", wasm, "-o", wasm]);
  minifyBoundaryNames(wasm, join(out, "onellm.js"), WASM_FEATURES);
  const gatewayOut = buildGateway(nightly);

  const pkg = join(root, "pkg");
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(join(pkg, "wasm"), { recursive: true });
  cpSync(join(root, "pkg-template"), pkg, { recursive: true });
  for (const f of ["onellm.js", "onellm_bg.wasm"]) cpSync(join(out, f), join(pkg, "wasm", f));
  for (const f of ["gateway.js", "gateway_bg.wasm"]) cpSync(join(gatewayOut, f), join(pkg, "wasm", f));
  cpSync(join(root, "README.md"), join(pkg, "README.md"));
  // Lets the examples and tests import "onellm" by name, as a user of the package does.
  const link = join(root, "node_modules", "onellm");
  if (!existsSync(link) && !isLink(link)) symlinkSync("../pkg", link, "dir");
  const size = statSync(join(pkg, "wasm", "onellm_bg.wasm")).size;
  const gz = gzipSync(readFileSync(join(pkg, "wasm", "onellm_bg.wasm"))).length;
  log(`built pkg/ (${readdirSync(pkg).length} entries; onellm_bg.wasm ${(size / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped)`);
}

/**
 * `onellm/gateway`'s own module: the gateway's decisions (src/gateway/) without the
 * client, which the gateway calls through the client's module. Built from the same
 * crate with `--no-default-features --features gateway`, so the client's module, which
 * browsers download, holds none of it.
 */
function buildGateway(nightly) {
  const out = join(root, "target", "wasm-pack-gateway");
  log("compiling the gateway's module");
  run(cargoBin("wasm-pack"), [
    "build", "--release", "--target", "web", "--weak-refs", "--no-typescript", "--no-pack",
    "--out-dir", out, "--out-name", "gateway", root, "--",
    "--no-default-features", "--features", "gateway", ...(nightly ? NIGHTLY_CARGO_ARGS : []),
  ], { env: nightly ? nightlyEnv(nightly) : cargoEnv() });
  const wasm = join(out, "gateway_bg.wasm");
  run(nodeBin("wasm-opt"), ["-Oz", "--strip-target-features", ...WASM_FEATURES, "--strip-debug", "--strip-producers", wasm, "-o", wasm]);
  return out;
}

// What wasm-bindgen's output uses, for binaryen to read it.
const WASM_FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];

// With the pinned nightly, the standard library is rebuilt with the crate's own profile
// (opt-level "z") and with `panic = "immediate-abort"`: a panic, which is a bug here,
// traps at once instead of formatting a message, so the panic machinery, its messages
// and file paths, and most of core::fmt leave the .wasm. std's `optimize_for_size`
// picks its smaller algorithms (sorting, integer printing), and `location-detail=none`
// drops the source locations no panic prints any more: 1 kB gzipped between them.
const NIGHTLY_CARGO_ARGS = ["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"];

function nightlyEnv(toolchain) {
  return {
    ...cargoEnv(),
    RUSTUP_TOOLCHAIN: toolchain,
    // `-Zmir-opt-level=1` (a debug build's level): LLVM's -Oz does the work, and MIR's
    // release-level inlining only made the .wasm bigger (0.2 kB gzipped).
    RUSTFLAGS: "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zmir-opt-level=1",
    // Its own target directory, so stable's clippy and nightly's build do not
    // invalidate each other's wasm32 artifacts.
    CARGO_TARGET_DIR: join(root, "target", "nightly"),
  };
}

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

if (isMain(import.meta.url)) build();
