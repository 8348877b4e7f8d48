// `npm run demo`: builds the package, starts the provider emulator and a static server on
// 127.0.0.1, and prints the playground's URL (www/, opened in a browser when one is at
// hand). No keys needed: the page talks to the emulator. Runs until Ctrl-C.
//
//   npm run demo                  the playground in a browser
//   npm run demo -- --no-open     the same, without trying to open a browser
//   npm run demo -- --no-build    skip the build (pkg/ is already up to date)
//   npm run demo -- --check       (or ONELLM_DEMO_CHECK=1) the terminal example instead:
//                                 examples/node/chat.mjs streams an answer from the emulator
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { build } from "./build.mjs";
import { log, root } from "./lib.mjs";
import { mimeTypes } from "../tests/e2e/static-server.mjs";

const PREFERRED_PORT = 8788;
const args = process.argv.slice(2);
const check = args.includes("--check") || process.env.ONELLM_DEMO_CHECK === "1";
const noOpen = args.includes("--no-open");
const noBuild = args.includes("--no-build") && existsSync(join(root, "pkg", "web.js"));
const rest = args.filter((a) => !["--check", "--no-open", "--no-build"].includes(a));

if (!noBuild) build();
// Imported after the build's set-up: the emulator needs npm packages (ajv).
const { startEmulator } = await import("../tests/emulator/server.mjs");
if (check) await runTerminalExample();
else await runPlayground();

/** The terminal example against the emulator; exits with its status. */
async function runTerminalExample() {
  const emulator = await startEmulator({ delayMs: 40 });
  log(`provider emulator listening on ${emulator.url}`);
  const example = spawn(process.execPath, ["examples/node/chat.mjs", ...rest], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      OPENAI_BASE_URL: `${emulator.url}/openai/v1`,
      OPENAI_API_KEY: "sk-emulator",
      ONELLM_DEMO_FAULTS: "1",
    },
  });
  const code = await new Promise((resolve) => example.on("exit", resolve));
  await emulator.close();
  process.exit(code ?? 1);
}

async function runPlayground() {
  const emulator = await startEmulator({ delayMs: 30 }); // a visible streaming pace
  log(`provider emulator listening on ${emulator.url}`);
  const site = await startSite(emulator.url);
  const url = `${site.url}/www/?emulator=${encodeURIComponent(emulator.url)}`;
  log(`playground: ${url}`);
  log("no keys needed (the Local emulator provider); press Ctrl-C to stop");
  if (!noOpen) openBrowser(url);

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    log("stopping");
    await Promise.allSettled([site.close(), emulator.close()]);
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}


/**
 * Serves the repository root on 127.0.0.1 (port 8788 when free, else any), with the
 * emulator's URL injected into www/index.html as <meta name="onellm-emulator">, so the
 * page finds it even without the ?emulator= parameter.
 */
function startSite(emulatorUrl) {
  const page = join(root, "www", "index.html");
  const meta = `<meta name="onellm-emulator" content="${emulatorUrl.replace(/[&"<>]/g, "")}">`;
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === "/" || path === "/www") {
      res.writeHead(302, { location: "/www/" }).end();
      return;
    }
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let body = await readFile(file);
      if (file === page) body = body.toString("utf8").replace("<head>", `<head>\n  ${meta}`);
      res.writeHead(200, { "content-type": mimeTypes[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  const listen = (port) => new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return listen(PREFERRED_PORT)
    .catch((e) => {
      if (e.code !== "EADDRINUSE" && e.code !== "EACCES") throw e;
      log(`port ${PREFERRED_PORT} is busy, using another one`);
      return listen(0);
    })
    .then(() => ({
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
    }));
}

/** Opens the URL in the desktop's browser when there is one; never fails. */
function openBrowser(url) {
  let cmd;
  let cmdArgs = [url];
  if (process.platform === "darwin") cmd = "open";
  else if (process.platform === "win32") [cmd, cmdArgs] = ["cmd", ["/c", "start", "", url]];
  else if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) cmd = "xdg-open";
  if (!cmd) return;
  try {
    const child = spawn(cmd, cmdArgs, { stdio: "ignore", detached: true });
    child.on("error", () => {}); // no such command: the printed URL is enough
    child.unref();
  } catch {
    // ignore
  }
}
