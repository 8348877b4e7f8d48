// `npm test`: every test, set-up included. Static imports here use Node built-ins only,
// so this file loads on a fresh clone before `npm ci` has run. Native Rust tests and lints first (fast,
// no build needed), then the package is built and one end-to-end suite runs against
// it in each runtime, all talking to the provider emulator on 127.0.0.1.
// `npm test -- node deno` runs only the named end-to-end suites (lints and Rust tests always run).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { report } from "../tests/e2e/report.mjs";
import { build } from "./build.mjs";
import { cargoBin, cargoEnv, log, nodeBin, root, run } from "./lib.mjs";
import { setupChromium, setupToolchains } from "./setup.mjs";

/** Runs a child asynchronously (the emulator lives in this process's event loop). */
function runAsync(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ error, stdout, stderr }));
  });
}

/** A runtime's results, from the last line of a child that prints them as JSON. */
async function childSuite(runtime, cmd, args) {
  const { error, stdout, stderr } = await runAsync(cmd, args);
  const line = stdout.trim().split("\n").pop();
  try {
    return JSON.parse(line);
  } catch {
    return { runtime, results: [{ name: "suite ran", ok: false, error: `${error?.message ?? ""}\n${stderr}\n${stdout}`, ms: 0 }] };
  }
}

const runtimes = {
  // The providers' published definitions judge what the package sends and answers.
  conformance: async (url) => (await import("../tests/conformance/run.mjs")).runConformance(url),
  node: async (url) => (await import("../tests/e2e/run-node.mjs")).runNode(url),
  deno: (url) => childSuite("deno", nodeBin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env=OPENAI_API_KEY,OPENAI_BASE_URL", "tests/e2e/run-deno.mjs", url]),
  // Imported when run: they need npm packages, which set-up installs first.
  workerd: async (url) => (await import("../tests/e2e/run-workerd.mjs")).runWorkerd(url),
  // Chromium is set up only here, so a machine that cannot have it (not root) still runs
  // every other suite; its absence then fails this suite, and so the run.
  chromium: async (url) => {
    setupChromium();
    return (await import("../tests/e2e/run-chromium.mjs")).runChromium(url);
  },
  // Every example in examples/ (Node, Deno, the Worker, the Vite app in Chromium).
  example: async (url) => {
    setupChromium();
    return (await import("../tests/examples/run-examples.mjs")).runExamples(url);
  },
  // onellm/gateway in workerd and Node, driven by the openai npm package, the Python SDK and curl.
  gateway: async (url) => (await import("../tests/gateway/run-gateway.mjs")).runGateway(url),
  package: async (url) => {
    setupChromium(); // the bundled builds run in Chromium
    return (await import("../tests/package/run-pack.mjs")).runPackage(url);
  },
  "demo-page": async (url) => {
    setupChromium();
    return (await import("../tests/demo/run-page.mjs")).runDemoPage(url);
  },
};

/** A suite's results; one that throws counts as a failed suite, so the others still run. */
async function runSuite(name, suite, url) {
  try {
    return await suite(url);
  } catch (e) {
    return { runtime: name, results: [{ name: "suite ran", ok: false, error: e?.stack ?? String(e), ms: 0 }] };
  }
}

const cargo = (args) => run(cargoBin("cargo"), args, { env: cargoEnv() });

async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !(name in runtimes));
  if (unknown.length) {
    throw new Error(`unknown runtime ${unknown.join(", ")}; choose from ${Object.keys(runtimes).join(", ")}`);
  }
  setupToolchains();
  log("cargo fmt --check, clippy and cargo test");
  cargo(["fmt", "--check"]);
  cargo(["clippy", "--all-targets", "--", "-D", "warnings"]);
  cargo(["clippy", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]);
  // The gateway's own module (onellm/gateway) compiles other code in src/wasm/.
  cargo(["clippy", "--target", "wasm32-unknown-unknown", "--no-default-features", "--features", "gateway", "--", "-D", "warnings"]);
  cargo(["test", "--quiet"]);
  log("index.d.ts under strict TypeScript (tsc, and deno check); openai-typed code against both packages");
  run(nodeBin("tsc"), ["-p", "tests/types"]);
  run(nodeBin("tsc"), ["-p", "tests/types/tsconfig.openai.json"]);
  run(nodeBin("deno"), ["check", "--quiet", "tests/types/usage.ts"]);
  log("provider emulator self-test");
  run(process.execPath, [join("tests", "emulator", "selftest.mjs")]);
  build();
  // Imported now: the emulator needs npm packages (ajv), which set-up installed above.
  const { startEmulator } = await import("../tests/emulator/server.mjs");
  const emulator = await startEmulator();
  let ok = true;
  try {
    for (const [name, suite] of Object.entries(runtimes)) {
      if (only.length && !only.includes(name)) continue;
      log(`end-to-end suite in ${name}`);
      ok = report(await runSuite(name, suite, emulator.url)) && ok;
    }
  } finally {
    await emulator.close();
  }
  if (!ok) {
    console.error("end-to-end tests failed");
    process.exit(1);
  }
  log("all tests passed");
}

await main();
