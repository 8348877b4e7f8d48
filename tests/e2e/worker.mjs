// The suite inside a Cloudflare Worker, against pkg/workerd.js (the "workerd" export
// condition: the .wasm imported as a compiled module, as wrangler bundles it).
// run-workerd.mjs serves it with miniflare and fetches `/?emulator=<url>`.
import * as onellm from "../../pkg/workerd.js";
import { runSuite } from "./suite.mjs";

export default {
  async fetch(request) {
    const emulator = new URL(request.url).searchParams.get("emulator");
    return Response.json(await runSuite(onellm, { emulator, runtime: "workerd" }));
  },
};
