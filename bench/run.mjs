// `npm run bench`: builds the package, runs the benchmarks, prints their tables and
// writes them into the README between the bench markers, with the command used.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "../scripts/build.mjs";
import { soak, soakTable } from "./soak.mjs";

const readme = fileURLToPath(new URL("../README.md", import.meta.url));

build();
const result = await soak();
const table = soakTable(result);
console.log(table);
const stamp = `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}.`;
const text = readFileSync(readme, "utf8");
const start = "<!-- bench:soak:start -->", end = "<!-- bench:soak:end -->";
if (text.includes(start) && text.includes(end)) {
  const updated = text.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${stamp}\n\n${table}\n${end}`);
  writeFileSync(readme, updated);
  console.log("README updated");
}
if (result.lost > 0) {
  console.error(`${result.lost} requests lost`);
  process.exit(1);
}
