// Shortens the names the .wasm and its JS glue use to reach each other. wasm-bindgen
// names every import after its JS function plus a 16-hex-digit hash
// (`__wbg_addEventListener_847fd86b8c33ec43`), and its closure exports after their
// full Rust types; ~100 of them cost about 3 kB of the gzipped payload, the hashes
// being what gzip cannot squeeze. binaryen renames them all to one or two letters and
// prints the mapping, which is then applied to the glue.
import { readFileSync, writeFileSync } from "node:fs";
import { capture, nodeBin } from "./lib.mjs";

/** Renames in place; throws, leaving the build failed, if the glue does not match the .wasm. */
export function minifyBoundaryNames(wasmPath, jsPath, features) {
  const out = capture(nodeBin("wasm-opt"), [...features, "--minify-imports-and-exports-and-modules",
    wasmPath, "-o", wasmPath]);
  if (out === null) throw new Error("wasm-opt --minify-imports-and-exports-and-modules failed");
  const { modules, imports, exports } = readMapping(out, wasmPath);
  let js = readFileSync(jsPath, "utf8");
  const count = (re) => (js.match(re) ?? []).length;

  // Imports are the keys of the object __wbg_get_imports() builds, one per line.
  for (const [from, to] of imports) {
    const key = new RegExp(`^(\\s+)${from}(?=: function)`, "m");
    if (count(new RegExp(key.source, "gm")) !== 1) throw new Error(`the JS glue has no single import \`${from}\``);
    js = js.replace(key, `$1${to}`);
  }
  // Exports are read off the instance as `wasm.<name>`.
  for (const [from, to] of exports) {
    js = js.replace(new RegExp(`(?<=\\bwasm\\.)${escape(from)}\\b`, "g"), to);
  }
  for (const [from, to] of modules) {
    const key = JSON.stringify(from);
    if (count(new RegExp(escape(key), "g")) !== 1) throw new Error(`the JS glue has no single module ${key}`);
    js = js.replace(key, JSON.stringify(to));
  }
  const left = js.match(/\bwasm\.(?:__wbg|__wbindgen|wasm_bindgen)\w*/);
  if (left) throw new Error(`the JS glue still uses \`${left[0]}\`, which the .wasm no longer exports`);
  writeFileSync(jsPath, js);
}

/**
 * binaryen prints `{"imports": [[module, name, new], …] "exports": [[name, new], …]}`,
 * JSON but for the comma between the two lists. The module is renamed too, but its new
 * name is not printed: it is read off the .wasm.
 */
function readMapping(text, wasmPath) {
  const mapping = JSON.parse(text.replace(/\]\s*"exports"/, '], "exports"'));
  const before = [...new Set(mapping.imports.map(([module]) => module))];
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const after = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
  // wasm-bindgen puts every import in one module; with more, which new name is whose
  // could not be told.
  if (before.length !== 1 || after.length !== 1) throw new Error(`expected one import module, found ${before}`);
  return {
    imports: mapping.imports.map(([, name, to]) => [name, to]),
    exports: mapping.exports,
    modules: before.map((m, i) => [m, after[i]]),
  };
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
