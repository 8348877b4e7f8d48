// examples/gateway as deployed to Cloudflare: bundled by `wrangler deploy --dry-run`
// (offline: no login, no metrics) and served by workerd through miniflare on a local
// port, with the toml's vars and flags. Shared by the gateway suite and its benchmark.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { bin, exec, root } from "../examples/lib.mjs";

const dir = join(root, "examples", "gateway");

/** `{ url, mf, close }`: the gateway's `/v1` URL, the Miniflare instance, and its disposal. */
export async function serveGatewayInWorkerd(bindings) {
  const out = mkdtempSync(join(tmpdir(), "onellm-gateway-"));
  const close = async (mf) => {
    await mf?.dispose();
    rmSync(out, { recursive: true, force: true });
  };
  let mf;
  try {
    const built = await exec(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out], {
      cwd: dir,
      env: { CI: "1", WRANGLER_SEND_METRICS: "false" },
    });
    if (!built.ok) throw new Error(`wrangler deploy --dry-run failed:\n${built.stdout}\n${built.stderr}`);
    const config = unstable_readConfig({ config: join(dir, "wrangler.toml") });
    mf = new Miniflare({
      modules: true,
      modulesRoot: out, // module names relative to the bundle's folder, as when deployed
      scriptPath: join(out, "index.js"),
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags,
      bindings: { ...config.vars, ...bindings },
      host: "127.0.0.1",
      port: 0,
    });
    const url = `${new URL("/v1", await mf.ready)}`;
    return { url, mf, close: () => close(mf) };
  } catch (e) {
    await close(mf);
    throw e;
  }
}
