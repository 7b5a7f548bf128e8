/**
 * A recipe server in a child process (serverProcessMain.ts): started on a data folder with a chosen storage,
 * SIGKILLed at any moment, started again on the same folder and port.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { startBundled } from "./bundledProcess.js";
import type { ServerStorage } from "./serverStorages.js";

/** Linux's USER_HZ, what /proc reports CPU times in. */
const CLOCK_TICKS_PER_SECOND = 100;

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
    const { child, ready } = await startBundled<{ url: string; port: number }>("serverProcessMain.ts", [
      options.dataDir,
      String(options.port),
      options.storage,
    ]);
    return new ServerProcess(child, ready.url, ready.port);
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
