import type { TelemetryApi, UptakeStatus } from "../../experiment-apis/telemetry/interface.js";
import type { EventSink } from "./EventSink.js";

/**
 * Reports uptake statuses the way Normandy's `Uptake` module names them: one source for the runner, one per
 * recipe and one per action class. Each report goes to Glean through the telemetry experiment API and to
 * the event sink, in the legacy uptake event shape
 * `[ts, "uptake.remotecontent.result", "uptake", "normandy", <status>, {source}]`.
 */
export class Uptake {
  constructor(
    private readonly telemetry: TelemetryApi,
    private readonly events: EventSink,
  ) {}

  reportRunner(status: UptakeStatus): Promise<void> {
    return this.report("normandy/runner", status);
  }

  /**
   * Also sets the recipe's freshness to its revision, as Normandy's `reportRecipe` does
   * (`recipe_freshness[id] = parseInt(revision_id)`); a revision that is not a whole number is not reported.
   */
  async reportRecipe(recipeId: number, revision: string, status: UptakeStatus): Promise<void> {
    await this.report(`normandy/recipe/${recipeId}`, status);
    const revisionNumber = Number.parseInt(revision, 10);
    if (Number.isSafeInteger(revisionNumber) && revisionNumber >= 0) {
      await this.telemetry.setRecipeFreshness(recipeId, revisionNumber);
    }
  }

  /** `actionName` is the action's class name, e.g. `ConsoleLogAction`. */
  reportAction(actionName: string, status: UptakeStatus): Promise<void> {
    return this.report(`normandy/action/${actionName}`, status);
  }

  private async report(source: string, status: UptakeStatus): Promise<void> {
    const timestamp = await this.telemetry.reportUptake(source, status);
    await this.events.append([timestamp, "uptake.remotecontent.result", "uptake", "normandy", status, { source }]);
  }
}
