// Starts and drives bench/child.mjs processes: one per client (and runtime), each
// answering one JSON line per command. Used by the stream and overhead benchmarks.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nodeBin, root } from "../scripts/lib.mjs";

const script = fileURLToPath(new URL("./child.mjs", import.meta.url));

/** `runtime` is "node" or "deno". Resolves once the client is constructed. */
export function startChild(client, url, runtime = "node") {
  const [cmd, args] = runtime === "deno"
    ? [nodeBin("deno"), ["run", "-A", "--v8-flags=--expose-gc", script, client, url]]
    : [process.execPath, ["--expose-gc", script, client, url]];
  const child = spawn(cmd, args, { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  let buffered = "";
  const waiting = [];
  let failed;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    buffered += d;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue; // a stray log line from an SDK: not ours
      }
      waiting.shift()?.(msg);
    }
  });
  child.on("exit", (code) => {
    failed = new Error(`${client} (${runtime}) exited with ${code}`);
    for (const w of waiting.splice(0)) w({ error: failed.message });
  });
  const next = () => new Promise((resolve) => (failed ? resolve({ error: failed.message }) : waiting.push(resolve)));
  const ready = next();
  return ready.then((msg) => {
    if (msg.error) throw new Error(msg.error);
    return {
      /** Sends one command; resolves with its answer, throws on an error answer. */
      async run(cmd) {
        const answer = next();
        child.stdin.write(JSON.stringify(cmd) + "\n");
        const msg = await answer;
        if (msg.error) throw new Error(`${client} (${runtime}) ${cmd.op}: ${msg.error}`);
        return msg;
      },
      close() {
        child.stdin.end();
        child.kill();
      },
    };
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
