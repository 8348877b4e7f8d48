// Where the .wasm's bytes are: code size per function, read from a build that kept its
// name section, or the difference between two such builds. A size hunt's tool: the
// gzipped payload (`npm run bench -- payload`) says whether a change paid, this says
// where to look (core's adapters and machinery instantiated per type show by name).
//
//   node scripts/wasm-sizes.mjs --build <label>        a named build of the tree, to
//                                                      target/sizes/<label>.wasm
//   node scripts/wasm-sizes.mjs <a.wasm> [filter]      the largest functions
//   node scripts/wasm-sizes.mjs <a.wasm> <b.wasm>      what grew and shrank from a to b
//
// The named build follows scripts/build.mjs (pinned nightly, build-std, wasm-bindgen,
// wasm-opt's passes) but keeps names (`-g`) and skips the export minifying, so its
// sizes are close to the shipped .wasm's, not equal.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cargoBin, isMain, nodeBin, root, run } from "./lib.mjs";
import { setupNightly } from "./setup.mjs";

/** `[{ name, size }]` of a module's function bodies, named from its name section. */
export function functionSizes(bytes) {
  let p = 8;
  // LEB128. (Never `p += u()`: `p` would be read before u() moves it.)
  const u = () => {
    let r = 0, shift = 0, b;
    do { b = bytes[p++]; r += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return r;
  };
  const skipLimits = () => { const flags = u(); u(); if (flags & 1) u(); };
  let imported = 0;
  const sizes = [], names = new Map();
  while (p < bytes.length) {
    const id = bytes[p++], len = u(), end = p + len;
    if (id === 2) { // imports: function imports come first in the index space
      for (let n = u(); n > 0; n--) {
        for (let names = 0; names < 2; names++) { const l = u(); p += l; }
        const kind = bytes[p++];
        if (kind === 0) { u(); imported++; } else if (kind === 1) { p++; skipLimits(); } else if (kind === 2) skipLimits(); else if (kind === 3) p += 2; else { p++; u(); }
      }
    } else if (id === 10) {
      for (let n = u(); n > 0; n--) { const size = u(); sizes.push(size); p += size; }
    } else if (id === 0) {
      const nameLen = u();
      if (bytes.subarray(p, p + nameLen).toString() === "name") {
        p += nameLen;
        while (p < end) {
          const sub = bytes[p++];
          const subLen = u();
          const subEnd = p + subLen;
          if (sub === 1) for (let n = u(); n > 0; n--) { const index = u(), l = u(); names.set(index, bytes.subarray(p, p + l).toString()); p += l; }
          p = subEnd;
        }
      }
    }
    p = end;
  }
  // Crate hashes (`onellm[dd50…]`) differ between builds; without them names match.
  return sizes.map((size, i) => ({ size, name: (names.get(i + imported) ?? `#${i + imported}`).replace(/\[[0-9a-f]{16}\]/g, "") }));
}

function byName(path) {
  const m = new Map();
  for (const { name, size } of functionSizes(readFileSync(path))) m.set(name, (m.get(name) ?? 0) + size);
  return m;
}

function namedBuild(label) {
  const nightly = setupNightly();
  if (!nightly) throw new Error("a named build needs the pinned nightly (scripts/setup.mjs)");
  const target = join(root, "target", "sizes");
  mkdirSync(target, { recursive: true });
  run(cargoBin("cargo"), ["build", "--release", "--target", "wasm32-unknown-unknown",
    "-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"], {
    env: { ...process.env, RUSTUP_TOOLCHAIN: nightly, CARGO_TARGET_DIR: target,
      RUSTFLAGS: "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zmir-opt-level=1" },
  });
  const raw = join(target, "wasm32-unknown-unknown", "release", "onellm.wasm");
  run(cargoBin("wasm-bindgen"), ["--target", "web", "--weak-refs", "--out-dir", target, "--out-name", "named", raw]);
  const out = join(target, `${label}.wasm`);
  run(nodeBin("wasm-opt"), ["--low-memory-unused", "--flatten", "--rereloop", "-Oz", "--flatten", "--rereloop", "-Oz", "-Oz", "-g",
    "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals",
    "--enable-reference-types", "--enable-multivalue", join(target, "named_bg.wasm"), "-o", out]);
  console.log(out);
}

function main([a, b]) {
if (a === "--build") {
  namedBuild(b ?? "named");
} else if (b?.endsWith(".wasm")) {
  const before = byName(a), after = byName(b);
  const names = new Set([...before.keys(), ...after.keys()]);
  const moved = [...names].map((n) => [n, (after.get(n) ?? 0) - (before.get(n) ?? 0)]).filter(([, d]) => d !== 0);
  moved.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
  const total = moved.reduce((s, [, d]) => s + d, 0);
  console.log(`code: ${total >= 0 ? "+" : ""}${total} bytes`);
  for (const [n, d] of moved.slice(0, 40)) console.log(`${String(d > 0 ? `+${d}` : d).padStart(7)} ${n.slice(0, 200)}`);
} else if (a) {
  const rows = [...byName(a)].filter(([n]) => !b || n.includes(b)).sort((x, y) => y[1] - x[1]);
  console.log(`code: ${rows.reduce((s, [, v]) => s + v, 0)} bytes in ${rows.length} functions`);
  for (const [n, v] of rows.slice(0, 60)) console.log(`${String(v).padStart(7)} ${n.slice(0, 200)}`);
} else {
  console.log("usage: node scripts/wasm-sizes.mjs --build <label> | <a.wasm> [filter] | <a.wasm> <b.wasm>");
}
}

if (isMain(import.meta.url)) main(process.argv.slice(2));
