/**
 * Runs a TypeScript entry of test/support as a Node child process: bundled once per run into build/, next to
 * node_modules, where the storages find their WebAssembly at run time. The child talks back in JSON lines on
 * stdout; the first one says it is ready.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const START_TIMEOUT_MS = 60_000;
const bundles = new Map<string, Promise<string>>();

function bundle(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    const outfile = fileURLToPath(new URL(`../../build/test-${entry.replace(/\.ts$/, "")}.mjs`, import.meta.url));
    bundled = build({
      entryPoints: [fileURLToPath(new URL(`./${entry}`, import.meta.url))],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: ["node20"],
      logLevel: "warning",
      external: ["node-sqlite3-wasm", "sql.js"],
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    }).then(() => outfile);
    bundles.set(entry, bundled);
  }
  return bundled;
}

/** Starts `entry` (a file name in test/support) with `args`; resolves with the child and its first line, parsed. */
export async function startBundled<T>(
  entry: string,
  args: string[],
  onLine: (line: unknown) => void = () => undefined,
): Promise<{ child: ChildProcess; ready: T }> {
  const script = await bundle(entry);
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start in time`)), START_TIMEOUT_MS);
    let first = true;
    createInterface({ input: child.stdout! }).on("line", (text) => {
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        return; // not a report: something the child logged
      }
      if (first) {
        first = false;
        clearTimeout(timer);
        resolve(line as T);
      } else onLine(line);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before it was ready`));
    });
  });
  return { child, ready };
}
