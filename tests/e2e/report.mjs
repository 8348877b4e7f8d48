// Prints one runtime's suite results and tells whether all passed.
export function report({ runtime, results }) {
  let failed = 0;
  for (const r of results) {
    if (r.ok) console.log(`  ok   ${runtime.padEnd(8)} ${r.name} (${r.ms} ms)`);
    else {
      failed++;
      console.log(`  FAIL ${runtime.padEnd(8)} ${r.name}\n         ${r.error}`);
    }
  }
  console.log(`${runtime}: ${results.length - failed}/${results.length} passed`);
  return failed === 0 && results.length > 0;
}
