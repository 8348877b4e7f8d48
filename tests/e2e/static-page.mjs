// Opens a built site (a folder of static files) in headless Chromium: a static server
// on 127.0.0.1 over that folder, one page, and what went wrong on the side collected,
// since an app that answers while throwing or missing a file is still broken.
import { launchChromium } from "./run-chromium.mjs";
import { startStaticServer } from "./static-server.mjs";

/**
 * Calls `use(page, siteUrl)` and returns `{ value, problems }`: its result, and the
 * page's uncaught errors and failed loads (browsers' own /favicon.ico probe aside).
 */
export async function withStaticSite(dir, use) {
  const site = await startStaticServer(dir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) problems.push(`${r.status()} for ${r.url()}`);
    });
    // ERR_ABORTED is left out: onellm aborts a stream's request once the provider's end
    // marker has arrived instead of waiting for the body to close, and Chromium reports
    // that completed request as aborted.
    page.on("requestfailed", (r) => {
      if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    try {
      return { value: await use(page, site.url), problems };
    } catch (e) {
      // A timeout alone says little; what the page ran into says why.
      throw new Error([e.message.split("\n")[0], ...problems].join("\n"));
    }
  } finally {
    await browser.close();
    await site.close();
  }
}
