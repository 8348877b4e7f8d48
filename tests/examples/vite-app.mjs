// examples/vite-app, as a user ships it: `vite build` with the provider's URL and key
// in VITE_* variables, the output served as static files and opened in Chromium. A
// question typed into the page must be answered there, the text arriving in pieces.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withStaticSite } from "../e2e/static-page.mjs";
import { bin, exec, timed } from "./lib.mjs";

export async function viteExample(emulator) {
  const out = mkdtempSync(join(tmpdir(), "onellm-vite-app-"));
  try {
    const built = await timed("examples/vite-app: vite build", async () => {
      const { ok, stdout, stderr } = await exec(bin("vite"), ["build", "examples/vite-app", "--outDir", out, "--logLevel", "warn"], {
        env: { VITE_OPENAI_BASE_URL: `${emulator}/openai/v1`, VITE_OPENAI_API_KEY: "sk-example" },
      });
      if (!ok) return `${stdout}\n${stderr}`;
    });
    if (!built.ok) return [built];
    return [built, await timed("examples/vite-app streams an answer into the page in Chromium", () => ask(out))];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function ask(out) {
  const { value, problems } = await withStaticSite(out, async (page, url) => {
    await page.goto(`${url}/`);
    // Counts the answer's changes as a reader would see them: more than one is streaming.
    await page.evaluate(() => {
      window.__updates = 0;
      new MutationObserver(() => window.__updates++)
        .observe(document.querySelector("#answer"), { childList: true, characterData: true, subtree: true });
    });
    await page.fill("input[name=prompt]", "ping from Vite");
    await page.click("button");
    await page.waitForFunction(() => document.querySelector("#answer").textContent.startsWith("Echo: ping from Vite")
      && !document.querySelector("button").disabled);
    return page.evaluate(() => ({ text: document.querySelector("#answer").textContent, updates: window.__updates }));
  });
  if (value.text !== "Echo: ping from Vite" || value.updates < 2 || problems.length) {
    return `page showed ${JSON.stringify(value)}\n${problems.join("\n")}`;
  }
}
