// `npm run bench`: builds the package, runs every benchmark in one go against one local
// bench server, prints the tables and writes them into the README's Performance section
// (between <!-- bench:start --> and <!-- bench:end -->, with the command, date, Node,
// Deno and CPU), and the soak's table between its own markers.
//
//   npm run bench                          everything (about 8 minutes); rewrites the README
//   npm run bench -- streams overhead      only those parts; prints, leaves the README alone
//                                          (parts: streams overhead coldstart payload memory gateway soak)
//   npm run bench -- --quick               smaller sizes and fewer rounds, to try the harness;
//                                          never written to the README
//   --no-build  use pkg/ as it is          --no-write  print only
//
// Numbers from a subset or a quick run are not written: the README shows one full run,
// whose ratios all come from the same machine at the same time.
import { cpus, platform, arch } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "../scripts/build.mjs";
import { capture, log, nodeBin } from "../scripts/lib.mjs";
import { COLDSTART_PLAN, QUICK_COLDSTART_PLAN, runColdStart } from "./coldstart.mjs";
import { MEMORY_PLAN, QUICK_MEMORY_PLAN, runMemory } from "./memory.mjs";
import { OVERHEAD_PLAN, QUICK_OVERHEAD_PLAN, runOverhead } from "./overhead.mjs";
import { GATEWAY_PLAN, QUICK_GATEWAY_PLAN, runGatewayBench } from "./gateway.mjs";
import { runPayload } from "./payload.mjs";
import { startServerProcess } from "./server.mjs";
import { soak, soakTable } from "./soak.mjs";
import { QUICK_STREAM_PLAN, runStreams, STREAM_PLAN, streamBodies } from "./streams.mjs";
import { benchTables, writeBetweenMarkers } from "./table.mjs";

const PARTS = ["streams", "overhead", "coldstart", "payload", "memory", "gateway", "soak"];
const readme = fileURLToPath(new URL("../README.md", import.meta.url));

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const chosen = args.filter((a) => !a.startsWith("--"));
for (const p of chosen) if (!PARTS.includes(p)) throw new Error(`unknown part "${p}"; parts: ${PARTS.join(", ")}`);
for (const f of flags) if (!["--quick", "--no-build", "--no-write"].includes(f)) throw new Error(`unknown flag ${f}`);
const parts = chosen.length ? chosen : PARTS;
const quick = flags.has("--quick");
const write = !chosen.length && !quick && !flags.has("--no-write");

const started = performance.now();
if (!flags.has("--no-build")) build();

const plans = {
  streamPlan: quick ? QUICK_STREAM_PLAN : STREAM_PLAN,
  overheadPlan: quick ? QUICK_OVERHEAD_PLAN : OVERHEAD_PLAN,
  coldPlan: quick ? QUICK_COLDSTART_PLAN : COLDSTART_PLAN,
  memoryPlan: quick ? QUICK_MEMORY_PLAN : MEMORY_PLAN,
  gatewayPlan: quick ? QUICK_GATEWAY_PLAN : GATEWAY_PLAN,
};
const result = { streamPlan: plans.streamPlan, overheadPlan: plans.overheadPlan, memoryPlan: plans.memoryPlan };
const progress = (m) => log(m);

let soakResult;
const needsServer = parts.some((p) => ["streams", "overhead", "coldstart", "memory", "gateway"].includes(p));
log(`bench: ${parts.join(", ")}${quick ? " (quick)" : ""}`);
// The server builds the stream bodies before it reports ready, so no round pays for that.
const server = needsServer ? await startServerProcess({ warm: parts.includes("streams") ? streamBodies(plans.streamPlan) : [] }) : null;
try {
  if (parts.includes("payload")) result.payload = await runPayload(progress);
  if (parts.includes("coldstart")) result.coldstart = await runColdStart(server.url, plans.coldPlan, progress);
  if (parts.includes("streams")) result.streams = await runStreams(server.url, plans.streamPlan, progress);
  if (parts.includes("overhead")) result.overhead = await runOverhead(server.url, plans.overheadPlan, progress);
  if (parts.includes("memory")) result.memory = await runMemory(server.url, plans.memoryPlan, progress);
  if (parts.includes("gateway")) result.gateway = await runGatewayBench(server.url, plans.gatewayPlan, progress);
} finally {
  server?.close();
}
if (parts.includes("soak")) soakResult = await soak();

const minutes = ((performance.now() - started) / 60000).toFixed(1);
const deno = capture(nodeBin("deno"), ["--version"])?.split("\n")[0].replace(/^deno /, "").replace(/ .*/, "");
const command = `npm run bench${chosen.length || flags.size ? ` -- ${args.join(" ")}` : ""}`;
const stamp = `Measured by \`${command}\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, Deno ${deno ?? "?"}, `
  + `${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), ${platform()} ${arch()}; the run took ${minutes} min.`;
const tables = benchTables(result);
const soakText = soakResult ? soakTable(soakResult) : "";
console.log(`\n${stamp}\n\n${[tables, soakText].filter(Boolean).join("\n\n")}\n`);

if (write) {
  if (!writeBetweenMarkers(readme, "bench", `${stamp}\n\n${tables}`)) addPerformanceSection(`${stamp}\n\n${tables}`);
  if (soakResult) writeBetweenMarkers(readme, "bench:soak", `${stamp}\n\n${soakText}`);
  log("README.md updated");
} else {
  log("README.md left alone (a subset, --quick or --no-write)");
}
if (soakResult?.lost > 0) {
  console.error(`${soakResult.lost} requests lost`);
  process.exit(1);
}

/** A README without the markers gets a Performance section before the soak's (or at the end). */
function addPerformanceSection(content) {
  const text = readFileSync(readme, "utf8");
  const section = `## Performance\n\n\`npm run bench\` measures onellm against the official SDKs, the AI SDK and a hand-written floor.\n\n<!-- bench:start -->\n${content}\n<!-- bench:end -->\n\n`;
  const at = text.indexOf("## Reliability soak");
  writeFileSync(readme, at >= 0 ? text.slice(0, at) + section + text.slice(at) : `${text}\n${section}`);
}
