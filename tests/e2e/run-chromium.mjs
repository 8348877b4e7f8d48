// Runs the suite in headless Chromium (Debian's, driven by playwright-core): the page
// imports pkg/web.js from a static server, as a page without a bundler would.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "./static-server.mjs";
import { chromiumPath } from "../../scripts/setup.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

// The flags these machines need: no sandbox as root, and no background traffic to
// Google's hosts, which the closed network refuses.
export const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export async function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath() ?? "/usr/bin/chromium", args: chromiumArgs });
}

export async function runChromium(emulator) {
  const site = await startStaticServer(root);
  const browser = await launchChromium();
  const pageErrors = [];
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(`page error: ${e.message}`));
    await page.goto(`${site.url}/tests/e2e/browser.html?emulator=${encodeURIComponent(emulator)}`);
    await page.waitForFunction(() => window.__done !== undefined, null, { timeout: 30_000 });
    const out = await page.evaluate(() => window.__done);
    mkdirSync(`${root}/test-artifacts`, { recursive: true });
    await page.screenshot({ path: `${root}/test-artifacts/e2e-chromium.png` });
    // An unhandled rejection on the page is a bug even when every test passed.
    for (const error of pageErrors) out.results.push({ name: "no uncaught errors on the page", ok: false, error, ms: 0 });
    return out;
  } finally {
    await browser.close();
    await site.close();
  }
}
