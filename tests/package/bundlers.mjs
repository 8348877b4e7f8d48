// The installed tarball in a browser app built by the two bundlers users reach for,
// inside the fresh project (no repository file is involved; the bundlers are the
// repository's own binaries, so nothing is downloaded):
// - esbuild leaves `new URL("./wasm/onellm_bg.wasm", import.meta.url)` as it is, so
//   the .wasm is copied to wasm/ next to the bundle, as the README tells users to;
// - Vite recognises that pattern and emits the .wasm as an asset by itself.
// Each build is opened in Chromium and must stream an answer from the emulator.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withStaticSite } from "../e2e/static-page.mjs";

const bin = (name) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));

// The app: the emulator's URL comes in the query string, so one build serves any port.
const MAIN = `import { OpenAI } from "onellm";
const out = document.querySelector("#answer");
try {
  const emulator = new URLSearchParams(location.search).get("emulator");
  const client = new OpenAI({ baseURL: emulator + "/openai/v1", apiKey: "sk-bundled", dangerouslyAllowBrowser: true });
  const stream = await client.chat.completions.create({ model: "openai/m", messages: [{ role: "user", content: "bundled" }], stream: true });
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    out.textContent += chunk.choices[0]?.delta?.content ?? "";
  }
  window.__answer = { text: out.textContent, chunks };
} catch (e) {
  window.__answer = { error: String(e) };
}
`;
const HTML = `<!doctype html>
<meta charset="utf-8">
<title>bundled onellm</title>
<output id="answer"></output>
<script type="module" src="./main.js"></script>
`;

/**
 * Builds the app with each bundler in `project` (where onellm is installed) and runs
 * each build in Chromium; `exec(cmd, args, cwd)` resolves `{ ok, stdout, stderr }`.
 */
export async function runBundlers(project, emulator, exec, record) {
  writeFileSync(join(project, "main.js"), MAIN);
  writeFileSync(join(project, "index.html"), HTML);

  let started = Date.now();
  const esbuildOut = join(project, "dist-esbuild");
  const esbuild = await exec(bin("esbuild"), ["main.js", "--bundle", "--format=esm", "--platform=browser", `--outdir=${esbuildOut}`, "--log-level=warning"], project);
  if (esbuild.ok) {
    mkdirSync(join(esbuildOut, "wasm"));
    copyFileSync(join(project, "node_modules", "onellm", "wasm", "onellm_bg.wasm"), join(esbuildOut, "wasm", "onellm_bg.wasm"));
    writeFileSync(join(esbuildOut, "index.html"), HTML);
  }
  record("bundled by esbuild (--platform=browser), the .wasm copied beside it", esbuild.ok, esbuild.stderr, started);
  if (esbuild.ok) await streams("esbuild", esbuildOut, emulator, record);

  started = Date.now();
  const viteOut = join(project, "dist-vite");
  const vite = await exec(bin("vite"), ["build", "--outDir", viteOut, "--logLevel", "warn"], project);
  record("built by Vite as a browser app", vite.ok, vite.stderr, started);
  if (vite.ok) await streams("Vite", viteOut, emulator, record);
}

/** Opens a build in Chromium; the page must show the streamed answer, in several chunks. */
async function streams(bundler, dir, emulator, record) {
  const started = Date.now();
  const name = `the ${bundler} build streams an answer in Chromium`;
  try {
    const { value, problems } = await withStaticSite(dir, async (page, url) => {
      await page.goto(`${url}/index.html?emulator=${encodeURIComponent(emulator)}`);
      await page.waitForFunction(() => window.__answer !== undefined);
      return page.evaluate(() => window.__answer);
    });
    const ok = value.text === "Echo: bundled" && value.chunks > 1 && problems.length === 0;
    record(name, ok, `page showed ${JSON.stringify(value)}\n${problems.join("\n")}`, started);
  } catch (e) {
    record(name, false, e.message, started);
  }
}
