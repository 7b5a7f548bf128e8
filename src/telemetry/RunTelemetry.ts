import type { PerformanceEvent, UptakeStatus } from "../core/index.js";
import type { ClientPing } from "../../experiment-apis/telemetry/interface.js";
import { FilterSyntaxError } from "../core/index.js";
import type { RunReport } from "../core/index.js";
import { RUN_STAGES, type RunStage } from "../core/index.js";
import type { ClientPingRecorder } from "./ClientPingRecorder.js";

/** Each run stage's performance event; the template type makes the registry list every stage. */
const stageEvent = (stage: RunStage): PerformanceEvent => `RUN_${stage.toUpperCase() as Uppercase<RunStage>}`;

/**
 * The client pings of one recipe run: a `TARGETING_EXPRESSION_ERROR` for each filter that could not be
 * evaluated, collected during the run, and at its end one performance ping per stage plus `RUN_TOTAL`, the
 * runner's `RUN_RESULT` and a `RECIPE_RESULT` per recipe, all sent by `flush()` in one call (so they share one
 * timestamp, which is how the server tells one run's pings from the next). Only kinds, statuses and recipe
 * ids are sent, never an expression, what it read or the reason text the QA console shows.
 */
export class RunTelemetry {
  private pending: ClientPing<"undesired">[] = [];

  constructor(private readonly pings: ClientPingRecorder) {}

  /** `error` is what evaluating the recipe's filter threw. */
  filterFailed(recipeId: number, error: unknown): void {
    this.pending.push({
      type: "undesired",
      event: "TARGETING_EXPRESSION_ERROR",
      value: error instanceof FilterSyntaxError ? "MALFORMED_EXPRESSION" : "OTHER_ERROR",
      fields: { recipe_id: String(recipeId) },
    });
  }

  /** Sends the errors collected since the last flush and, unless the run did not start, its timings. */
  async flush(report: RunReport): Promise<void> {
    const errors = this.pending;
    this.pending = [];
    const { runnerStatus } = report;
    await this.pings.record(
      ...errors,
      ...(runnerStatus === "not-run" ? [] : [...performancePings(report), ...resultPings(runnerStatus, report)]),
    );
  }
}

function performancePings({ durationMs, stages, recipes }: RunReport): ClientPing<"performance">[] {
  const fields = { recipe_count: String(recipes.length) };
  return [
    { type: "performance", event: "RUN_TOTAL", value: String(durationMs), fields },
    ...RUN_STAGES.map((stage): ClientPing<"performance"> => ({
      type: "performance",
      event: stageEvent(stage),
      value: String(stages[stage]),
      fields,
    })),
  ];
}

function resultPings(runnerStatus: UptakeStatus, { recipes }: RunReport): ClientPing<"run">[] {
  return [
    { type: "run", event: "RUN_RESULT", value: runnerStatus, fields: { recipe_count: String(recipes.length) } },
    // The registry lists the suitabilities from the one list the runner's type is made of.
    ...recipes.map(({ id, status, suitability }): ClientPing<"run"> => ({
      type: "run",
      event: "RECIPE_RESULT",
      value: status,
      fields: { recipe_id: String(id), suitability },
    })),
  ];
}
