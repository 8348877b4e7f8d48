// Assertions and stream helpers shared by the end-to-end suite's files; plain JS that runs
// in every runtime.

export function check(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}
// JSON with object keys sorted: key order is not part of any contract here.
export const canonical = (v) => JSON.stringify(v, (_, x) =>
  x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x);
export function equal(actual, expected, what) {
  const a = canonical(actual), e = canonical(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
export async function rejects(promise, cls, what) {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof cls)) throw new Error(`${what}: expected ${cls.name}, got ${e?.name}: ${e?.message}`);
    return e;
  }
  throw new Error(`${what}: expected ${cls.name}, but it resolved`);
}
export async function collect(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}
export const text = (chunks) => chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
export const hello = [{ role: "user", content: "Hello there" }];
