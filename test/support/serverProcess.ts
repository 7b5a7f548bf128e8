/**
 * A recipe server in a child process: started on a data folder with a chosen storage, SIGKILLed at any moment,
 * started again on the same folder and port. The entry (serverProcessMain.ts) is bundled once into build/, next
 * to node_modules, where the storages find their WebAssembly at run time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { ServerStorage } from "./serverStorages.js";

const ENTRY = fileURLToPath(new URL("./serverProcessMain.ts", import.meta.url));
const BUNDLE = fileURLToPath(new URL("../../build/test-server-process.mjs", import.meta.url));
const START_TIMEOUT_MS = 60_000;
/** Linux's USER_HZ, what /proc reports CPU times in. */
const CLOCK_TICKS_PER_SECOND = 100;

let bundled: Promise<unknown> | undefined;

function bundle(): Promise<unknown> {
  bundled ??= build({
    entryPoints: [ENTRY],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: ["node20"],
    logLevel: "warning",
    external: ["node-sqlite3-wasm", "sql.js"],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return bundled;
}

export interface ServerProcessOptions {
  dataDir: string;
  /** `0` for an ephemeral port; a restart passes the port it had, so clients find it again. */
  port: number;
  storage: ServerStorage;
}

export class ServerProcess {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    await bundle();
    const child = spawn(process.execPath, [BUNDLE, options.dataDir, String(options.port), options.storage], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const { url, port } = await new Promise<{ url: string; port: number }>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error("the server process did not start in time")), START_TIMEOUT_MS);
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const line = output.split("\n")[0];
        if (output.includes("\n")) {
          clearTimeout(timer);
          resolve(JSON.parse(line!) as { url: string; port: number });
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server process exited (${code}) before listening`));
      });
    });
    return new ServerProcess(child, url, port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The process's resident memory now (Linux: /proc/<pid>/status). */
  residentMiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Math.round((kib / 1024) * 10) / 10;
  }

  /** CPU time the process has used so far, user and system (Linux: /proc/<pid>/stat, in clock ticks of 10 ms). */
  cpuSeconds(): number {
    // The fields after the command name (which is in parentheses and may hold spaces): utime and stime are 12th and 13th.
    const fields = readFileSync(`/proc/${this.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  /** SIGKILL: no chance to flush, close or answer anything. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** A clean stop (SIGTERM: the server closes its database). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    await this.exited;
  }
}
