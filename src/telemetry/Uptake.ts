import type { TelemetryApi, UptakeStatus } from "../../experiment-apis/telemetry/interface.js";
import type { EventLogStore } from "../stores/EventLogStore.js";

/**
 * Reports uptake statuses the way Normandy's `Uptake` module names them: one source for the runner, one per
 * recipe and one per action class. Each report goes to Glean through the telemetry experiment API and to
 * the local event log, in the legacy uptake event shape
 * `[ts, "uptake.remotecontent.result", "uptake", "normandy", <status>, {source}]`.
 */
export class Uptake {
  constructor(
    private readonly telemetry: TelemetryApi,
    private readonly eventLog: EventLogStore,
  ) {}

  reportRunner(status: UptakeStatus): Promise<void> {
    return this.report("normandy/runner", status);
  }

  reportRecipe(recipeId: number, status: UptakeStatus): Promise<void> {
    return this.report(`normandy/recipe/${recipeId}`, status);
  }

  /** `actionName` is the action's class name, e.g. `ConsoleLogAction`. */
  reportAction(actionName: string, status: UptakeStatus): Promise<void> {
    return this.report(`normandy/action/${actionName}`, status);
  }

  private async report(source: string, status: UptakeStatus): Promise<void> {
    const timestamp = await this.telemetry.reportUptake(source, status);
    await this.eventLog.append([timestamp, "uptake.remotecontent.result", "uptake", "normandy", status, { source }]);
  }
}
