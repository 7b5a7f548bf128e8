import type { UptakeStatus } from "./uptakeStatus.js";
import type { Suitability } from "./suitability.js";

/** The parts of a run whose time the run report shows and the performance pings report. */
export const RUN_STAGES = ["fetch", "verify", "context", "filter", "actions", "report"] as const;
export type RunStage = (typeof RUN_STAGES)[number];

/**
 * Why an action failed in a run, as Normandy kept its `lastError`: the step that threw (preparing it,
 * `custom_1_error`, or finalizing it, `custom_2_error`) and the error's message. For QA: the run report,
 * the QA console and the browser console show it; telemetry gets only the uptake status.
 */
export interface ActionFailure {
  step: "pre-execution" | "post-execution";
  message: string;
}

/** What one run did, kept for the QA console: why each recipe did or did not apply. */
export interface RunReport {
  trigger: string;
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
  durationMs: number;
  /** The runner's own uptake, or `not-run` when it could not start (disabled, not configured). */
  runnerStatus: UptakeStatus | "not-run";
  /** Why the run failed or did not start. */
  error?: string;
  collectionTimestamp?: number;
  recipes: RecipeReport[];
  actions: Record<string, UptakeStatus>;
  /** Why an action failed (its status `custom_1_error` or `custom_2_error`), by action; absent when none did. */
  actionFailures?: Record<string, ActionFailure>;
  /**
   * Where the time went, in whole milliseconds (stages the run did not reach are 0). `context` is the time
   * spent computing client attributes, which filters read: `filter` does not include it. Together the stages
   * never exceed `durationMs`, which also holds the bookkeeping between them.
   */
  stages: Record<RunStage, number>;
}

export interface RecipeReport {
  id: number;
  name: string;
  action: string;
  revision: string;
  suitability: Suitability;
  status: UptakeStatus;
  detail?: string;
}
