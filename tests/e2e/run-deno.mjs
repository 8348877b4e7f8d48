// The suite in Deno, against pkg/deno.js (the "deno" export condition). Started by
// scripts/test.mjs as `deno run --allow-net --allow-read --allow-env=OPENAI_API_KEY,OPENAI_BASE_URL
// run-deno.mjs <emulator-url>`; prints the results as one JSON line.
import * as onellm from "../../pkg/deno.js";
import { runEnvCheck, runSuite } from "./suite.mjs";

const emulator = Deno.args[0];
const out = await runSuite(onellm, { emulator, runtime: "deno" });
out.results.push(await runEnvCheck(onellm, { emulator, env: Deno.env }));
console.log(JSON.stringify(out));
