import { UPTAKE_STATUSES, type TelemetryApi, type UptakeStatus } from "../../experiment-apis/telemetry/interface.js";

/** Records uptake in memory, in order, with a monotonically increasing fake process clock. */
export class FakeTelemetryApi implements TelemetryApi {
  readonly uptake: { source: string; status: UptakeStatus }[] = [];
  private clock = 0;

  async reportUptake(source: string, status: UptakeStatus): Promise<number> {
    if (!UPTAKE_STATUSES.includes(status)) throw new Error(`unknown uptake status ${status}`);
    this.uptake.push({ source, status });
    return ++this.clock;
  }

  async msSinceProcessStart(): Promise<number> {
    return ++this.clock;
  }

  /** The statuses reported for one source, in order. */
  statusesFor(source: string): UptakeStatus[] {
    return this.uptake.filter((entry) => entry.source === source).map((entry) => entry.status);
  }
}
