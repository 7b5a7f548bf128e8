/** The parts of a run whose time the run report shows (and, later, the performance pings). */
export const RUN_STAGES = ["fetch", "verify", "filter", "actions", "report"] as const;
export type RunStage = (typeof RUN_STAGES)[number];

/** Adds up, per stage, the wall time spent in it during one run (stages never overlap: a run is sequential). */
export class StageClock {
  readonly totals: Record<RunStage, number> = { fetch: 0, verify: 0, filter: 0, actions: 0, report: 0 };

  async time<T>(stage: RunStage, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.totals[stage] += performance.now() - start;
    }
  }

  /** Whole milliseconds per stage. */
  rounded(): Record<RunStage, number> {
    return Object.fromEntries(RUN_STAGES.map((stage) => [stage, Math.round(this.totals[stage])])) as Record<RunStage, number>;
  }
}
