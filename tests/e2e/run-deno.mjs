// The suite in Deno, against pkg/deno.js (the "deno" export condition). Started by
// scripts/test.mjs as `deno run --allow-net --allow-read run-deno.mjs <emulator-url>`;
// prints the results as one JSON line.
import * as onellm from "../../pkg/deno.js";
import { runSuite } from "./suite.mjs";

const out = await runSuite(onellm, { emulator: Deno.args[0], runtime: "deno" });
console.log(JSON.stringify(out));
