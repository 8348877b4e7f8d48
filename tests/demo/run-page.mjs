// Drives the playground (www/) in headless Chromium against the provider emulator, as a
// newcomer would: a streamed answer, Stop, a tool round trip, retries and fallbacks,
// an image, typed errors; keeps a screenshot in test-artifacts/.
//
//   node tests/demo/run-page.mjs      starts its own emulator, prints results, exits 1 on failure
//
// `runDemoPage(emulatorUrl)` returns { runtime: "demo-page", results } for
// tests/e2e/report.mjs. The page is driven only through its controls; the long answer
// for the Stop test uses the page's "Emulator controls" (repeat × and delay per event,
// sent as the x-emulator-repeat / x-emulator-delay-ms headers), so the test does not
// depend on the emulator's default pace.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../e2e/run-chromium.mjs";
import { startStaticServer } from "../e2e/static-server.mjs";
import { report } from "../e2e/report.mjs";
import { startEmulator } from "../emulator/server.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const artifacts = `${root}/test-artifacts`;
const WAIT = { timeout: 10_000 };

// A 16×16 PNG gradient, attached through the file input.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAABz0lEQVR42g3LIc5GAAAA0P8k3wEcwAEcwER7STLRJMlEkyQTTZJMNEky2Yl+r7+/nyfwhJ7IE3t4ck/laTy9Z/Qsns1zem7P6/n7uQJX6IpcsYsrd1WuxtW7Rtfi2lyn63a9ri8cgSN0RI7YwZE7Kkfj6B2jY3FsjtNxO17HF/bAHtoje2xnz+2VvbH39tG+2Df7ab/tr/0La2ANrZE1trLm1sraWHvraF2sm/W03tbX+oU5MIfmyBybmXNzZW7MvXk0L+bNfJpv82v+whSYQlNkik1MuakyNabeNJoW02Y6TbfpNX1hCAyhITLEBobcUBkaQ28YDYthM5yG2/AavtAFulAX6WIdXa6rdI2u1426RbfpTt2te3VfaANtqI20sZY211baRttrR+2i3bSn9ta+2i/UgTpUR+pYTZ2rK3Wj7tWjelFv6lN9q1/1F8pAGSojZaykzJWVslH2ylG5KDflqbyVr/ILRaAIFZEiVlDkikrRKHrFqFgUm+JU3IpX8YUskIWySBbLyHJZJWtkvWyULbJNdspu2Sv7QhpIQ2kkjaWkubSSNtJeOkoX6SY9pbf0lX4hCSShJJLEEpJcUkkaSS8ZJYtkk5ySW/JK/gGNK14Qte1UkgAAAABJRU5ErkJggg==",
  "base64",
);

export async function runDemoPage(emulatorUrl) {
  const results = [];
  const pageErrors = [];
  mkdirSync(artifacts, { recursive: true });
  const site = await startStaticServer(root);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (e) => pageErrors.push(e.message));

    const test = async (name, fn) => {
      const t0 = Date.now();
      try {
        await fn();
        results.push({ name, ok: true, ms: Date.now() - t0 });
      } catch (e) {
        results.push({ name, ok: false, error: String(e?.message ?? e).split("\n").slice(0, 3).join(" | ").slice(0, 400), ms: Date.now() - t0 });
        // Leave the page idle for the next test: stop whatever is in flight.
        await page.locator("#stop:not([disabled])").click({ timeout: 1000 }).catch(() => {});
      }
    };
    const expect = (cond, message) => {
      if (!cond) throw new Error(message);
    };
    const lastTurn = () => page.locator(".turn.assistant").last();
    const idle = () => page.waitForSelector("#send:not([disabled])", WAIT);
    const emulatorRequests = async () => (await fetch(`${emulatorUrl}/__requests`)).json();

    /** Types a message, sends it with Enter and returns the new answer card. */
    const ask = async (text) => {
      await idle();
      const before = await page.locator(".turn.assistant").count();
      await page.fill("#prompt", text);
      await page.press("#prompt", "Enter");
      await page.waitForFunction((n) => document.querySelectorAll(".turn.assistant").length > n, before, WAIT);
      return lastTurn();
    };
    const waitText = (locator, text) => locator.filter({ hasText: text }).first().waitFor(WAIT);

    await test("the page loads the package, Local emulator by default", async () => {
      await page.goto(`${site.url}/www/?emulator=${encodeURIComponent(emulatorUrl)}`);
      await page.waitForSelector("html[data-ready=true]", WAIT);
      expect(await page.inputValue("#provider") === "emulator", "provider is not the emulator");
      expect(await page.inputValue("#model") === "emulator-openai/gpt-4o-mini", "default model");
      const providers = await page.$$eval("#provider option", (os) => os.map((o) => o.value));
      for (const p of ["openai", "anthropic", "google", "gemini", "mistral", "groq", "together", "fireworks", "deepseek", "xai",
        "openrouter", "perplexity", "moonshot", "cerebras", "cohere", "azure", "ollama", "llamacpp", "lmstudio"]) {
        expect(providers.includes(p), `preset ${p} missing from the picker`);
      }
      expect(await page.inputValue("#emulator-url") === emulatorUrl, "emulator URL not taken from ?emulator=");
    });

    await test("Shift+Enter adds a new line, Enter sends", async () => {
      await page.fill("#prompt", "");
      await page.type("#prompt", "line one");
      await page.keyboard.press("Shift+Enter");
      await page.keyboard.type("line two");
      expect(await page.inputValue("#prompt") === "line one\nline two", "Shift+Enter did not add a line");
      expect(await page.locator(".turn").count() === 0, "Shift+Enter sent the message");
      await page.fill("#prompt", "");
    });

    await test("a prompt is answered by streaming, with metrics", async () => {
      await page.locator("#emulator-controls > summary").click(); // the long-answer and pace controls
      await page.fill("#emu-delay", "40");
      const turn = await ask("Hello there, how are you today?");
      // Text on screen while the stream is still live: it arrives piece by piece.
      await page.waitForFunction(() => {
        const t = [...document.querySelectorAll(".turn.assistant")].pop();
        return t?.querySelector(".live") && t.querySelector(".answer")?.textContent.length > 0;
      }, null, WAIT);
      const partial = await turn.locator(".answer").textContent();
      await waitText(turn.locator(".answer"), "Echo: Hello there, how are you today?");
      expect(partial.length < "Echo: Hello there, how are you today?".length, `no partial text seen (${partial})`);
      await waitText(turn.locator(".metrics"), "tokens/s");
      const metrics = await turn.locator(".metrics").textContent();
      for (const m of ["time to first token", "tokens/s", "usage:", "finish: stop"]) expect(metrics.includes(m), `metrics lack "${m}": ${metrics}`);
      expect((await turn.locator(".served-model").textContent()) === "emulator-openai/gpt-4o-mini", "served-by model");
      await page.fill("#emu-delay", "");
    });

    await test("the conversation continues over turns", async () => {
      const turn = await ask("And a second question");
      await waitText(turn.locator(".answer"), "Echo: And a second question");
      const log = await emulatorRequests();
      const roles = log.at(-1).body.messages.map((m) => m.role).join(",");
      expect(roles === "user,assistant,user", `second request's roles: ${roles}`);
    });

    await test("Stop aborts a long stream mid-way", async () => {
      await page.fill("#emu-repeat", "400");
      await page.fill("#emu-delay", "15");
      const prompt = "Tell me a very long story";
      const turn = await ask(prompt);
      await page.waitForFunction(() => [...document.querySelectorAll(".answer")].pop()?.textContent.length > 120, null, WAIT);
      await page.click("#stop");
      await turn.locator(".stopped").waitFor(WAIT);
      const stoppedAt = (await turn.locator(".answer").textContent()).length;
      await page.waitForTimeout(400);
      const later = (await turn.locator(".answer").textContent()).length;
      expect(later === stoppedAt, `text kept growing after Stop (${stoppedAt} → ${later})`);
      expect(stoppedAt < 400 * `Echo: ${prompt}`.length / 2, `the whole answer arrived (${stoppedAt} chars)`);
      expect((await turn.locator(".stopped").textContent()).includes("APIUserAbortError"), "stop note lacks the error class");
      expect(await page.isEnabled("#send") && !(await page.isEnabled("#stop")), "buttons not reset after Stop");
      await page.fill("#emu-repeat", "1");
      await page.fill("#emu-delay", "");
    });

    await test("a tool round trip: the call, the result, the final answer", async () => {
      expect(await page.isChecked("#tools"), "get_weather tool not offered by default");
      const turn = await ask("What's the weather in Paris?");
      await waitText(turn.locator(".tool-call"), "get_weather");
      expect((await turn.locator(".tool-call").first().textContent()).includes('{"city":"Paris"}'), "tool call arguments not shown");
      await waitText(turn.locator(".tool-result"), '"city":"Paris"');
      await waitText(turn.locator(".step").nth(1).locator(".answer"), "The tool said: {");
      const body = (await emulatorRequests()).at(-1).body;
      expect(body.messages.at(-1).role === "tool" && body.messages.at(-2).tool_calls?.[0]?.function?.name === "get_weather",
        "the tool result was not sent back after the call");
    });

    await test("a 429 is retried and the attempt is shown", async () => {
      await idle();
      await page.click("#preset-429");
      const model = await page.inputValue("#model");
      expect(model.startsWith("emulator-openai/fault-status=429_times=1_key="), `preset model ${model}`);
      const turn = await ask("Hello after a rate limit");
      await waitText(turn.locator(".answer"), "Echo: Hello after a rate limit");
      const attempts = await turn.locator(".attempts li").allTextContents();
      expect(attempts.length === 1 && attempts[0].includes("RateLimitError") && attempts[0].includes("429"), `attempts: ${attempts}`);
      expect((await turn.locator(".served-model").textContent()) === model, "served by another model than the primary");
    });

    await test("a dead provider falls back, attempts listed", async () => {
      await idle();
      await page.click("#preset-fallback");
      const turn = await ask("Are you the fallback?");
      await waitText(turn.locator(".answer"), "Echo: Are you the fallback?");
      const attempts = await turn.locator(".attempts li").allTextContents();
      expect(attempts.length === 2 && attempts.every((a) => a.includes("emulator-openai/fault-status=503") && a.includes("InternalServerError") && a.includes("503")),
        `attempts: ${attempts.join(" / ")}`);
      expect((await turn.locator(".served-model").textContent()) === "emulator-openai/gpt-4o-mini", "not served by the fallback");
    });
    await test("reasoning streams apart from the answer, with the effort mapped for Claude", async () => {
      await idle();
      await page.click("#preset-reset");
      await page.fill("#model", "anthropic/claude-sonnet-4-5");
      await page.selectOption("#reasoning-effort", "low");
      await page.fill("#emu-delay", "30");
      const turn = await ask("Think about it");
      await waitText(turn.locator(".reasoning-text"), "Let me think.");
      const answerWhileThinking = await turn.locator(".answer").textContent();
      await waitText(turn.locator(".answer"), "Echo: Think about it");
      expect(!(await turn.locator(".answer").textContent()).includes("Let me think"), "reasoning mixed into the answer");
      expect(!answerWhileThinking.includes("Echo: Think about it"), "the reasoning did not come first");
      const sent = (await emulatorRequests()).filter((r) => r.path === "/anthropic/v1/messages").at(-1);
      expect(sent?.body.thinking?.type === "enabled" && sent.body.thinking.budget_tokens === 1024, `thinking sent: ${JSON.stringify(sent?.body.thinking)}`);
      await page.selectOption("#reasoning-effort", "");
      await page.fill("#emu-delay", "");
      await page.click("#preset-reset");
    });
    // The screenshot kept as a test artifact: the conversation so far, the fallback last.
    await test("a screenshot is saved", async () => {
      await page.screenshot({ path: `${artifacts}/demo-page.png` });
    });

    await test("an image is sent as a data: URL", async () => {
      await idle();
      await page.click("#preset-reset");
      await page.setInputFiles("#image", { name: "dot.png", mimeType: "image/png", buffer: PNG });
      await page.locator("#image-preview:not([hidden])").waitFor(WAIT);
      const turn = await ask("What is in this picture?");
      await waitText(turn.locator(".answer"), "Echo: What is in this picture?");
      expect(await page.locator(".turn.user").last().locator("img.attached").count() === 1, "image not shown in the conversation");
      expect(await page.locator("#image-preview").isHidden(), "preview not cleared after sending");
      const last = (await emulatorRequests()).at(-1).body.messages.at(-1);
      const part = Array.isArray(last.content) ? last.content.find((p) => p.type === "image_url") : null;
      expect(part?.image_url?.url.startsWith("data:image/png;base64,"), "no data: URL image part in the request");
    });

    await test("a non-streamed answer in JSON mode", async () => {
      await idle();
      await page.uncheck("#stream");
      await page.check("#json-mode");
      const turn = await ask("json please");
      await waitText(turn.locator(".answer"), '"echo": "json please"');
      const metrics = await turn.locator(".metrics").textContent();
      expect(metrics.includes("total") && metrics.includes("usage:") && !metrics.includes("tokens/s"), `metrics: ${metrics}`);
      expect((await emulatorRequests()).at(-1).body.response_format?.type === "json_object", "response_format not sent");
      await page.check("#stream");
      await page.uncheck("#json-mode");
    });

    await test("errors are shown with their class, status and message", async () => {
      await idle();
      await page.fill("#api-key", "sk-bad-key-123456789");
      const turn = await ask("Will this fail?");
      await waitText(turn.locator(".error .error-name"), "AuthenticationError");
      expect((await turn.locator(".error .error-status").textContent()).includes("401"), "status missing");
      const message = await turn.locator(".error .error-message").textContent();
      expect(message.startsWith("401") && !message.includes("sk-bad-key-123456789"), `message: ${message}`);
      await page.fill("#api-key", "sk-emulator");
      await page.selectOption("#provider", "anthropic");
      expect(await page.inputValue("#model") === "anthropic/claude-sonnet-4-5", "picking a provider did not pick its model");
      expect(await page.inputValue("#api-key") === "" && await page.isVisible("#base-url"), "real provider fields");
      const missing = await ask("No key for this one");
      await waitText(missing.locator(".error .error-name"), "InvalidRequestError");
      await page.selectOption("#provider", "emulator");
      expect(await page.inputValue("#api-key") === "sk-emulator", "emulator key not kept in memory");
    });

    await test("readable on a phone", async () => {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      phone.setDefaultTimeout(10_000);
      phone.on("pageerror", (e) => pageErrors.push(e.message));
      try {
        await phone.goto(`${site.url}/www/?emulator=${encodeURIComponent(emulatorUrl)}`);
        await phone.waitForSelector("html[data-ready=true]", WAIT);
        expect(await phone.locator(".settings details[open]").count() === 0, "settings not folded on a phone");
        await phone.fill("#prompt", "What's the weather in Paris?");
        await phone.click("#send");
        await waitText(phone.locator(".step").nth(1).locator(".answer"), "The tool said:");
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
        await phone.waitForTimeout(100);
        await phone.screenshot({ path: `${artifacts}/demo-page-phone.png` });
      } finally {
        await phone.close();
      }
    });

    results.push(pageErrors.length
      ? { name: "no uncaught errors on the page", ok: false, error: pageErrors.join(" | "), ms: 0 }
      : { name: "no uncaught errors on the page", ok: true, ms: 0 });
    return { runtime: "demo-page", results };
  } finally {
    await browser.close();
    await site.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const emulator = await startEmulator();
  let ok = false;
  try {
    ok = report(await runDemoPage(emulator.url));
  } finally {
    await emulator.close();
  }
  process.exit(ok ? 0 : 1);
}
