import { RUN_STAGES, type RunStage } from "../core/index.js";

/**
 * Adds up, per stage, the wall time spent in it during one run. Stages nest: a filter that reads a client
 * attribute computes it inside the filter stage, and that time counts for `context` only. While several
 * stages are open (nested, or an attribute still computing after its filter gave up) the time goes to the
 * one entered last, so stages never overlap and together never exceed the run.
 */
export class StageClock {
  private readonly totals: Record<RunStage, number> = {
    fetch: 0,
    verify: 0,
    context: 0,
    filter: 0,
    actions: 0,
    report: 0,
  };
  /** The stages being timed, in the order they were entered. */
  private readonly open: { stage: RunStage }[] = [];
  private readonly startedAt = performance.now();
  private chargedUntil = this.startedAt;

  time<T>(stage: RunStage, work: () => Promise<T>): Promise<T> {
    this.charge();
    const entry = { stage };
    this.open.push(entry);
    const close = () => {
      this.charge();
      this.open.splice(this.open.indexOf(entry), 1);
    };
    // Not an async function: a run times a few thousand pieces of work, and each await would add ticks.
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      close();
      return Promise.reject(error);
    }
    return pending.then(
      (value) => {
        close();
        return value;
      },
      (error: unknown) => {
        close();
        throw error;
      },
    );
  }

  /** Milliseconds since the clock was made, at the start of the run. */
  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /**
   * Whole milliseconds per stage, rounded so that they add up to the rounded sum of the exact times: never
   * more than the run's rounded `elapsedMs()` read afterwards (rounding each stage alone could add up to more).
   */
  rounded(): Record<RunStage, number> {
    this.charge();
    const rounded = {} as Record<RunStage, number>;
    let exactSoFar = 0;
    let roundedSoFar = 0;
    for (const stage of RUN_STAGES) {
      exactSoFar += this.totals[stage];
      rounded[stage] = Math.round(exactSoFar) - roundedSoFar;
      roundedSoFar += rounded[stage];
    }
    return rounded;
  }

  /** Gives the time since the last charge to the stage entered last, if any is open. */
  private charge(): void {
    const now = performance.now();
    const current = this.open.at(-1);
    if (current) this.totals[current.stage] += now - this.chargedUntil;
    this.chargedUntil = now;
  }
}
