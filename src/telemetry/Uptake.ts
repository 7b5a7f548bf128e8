import type { RecipeRevision, TelemetryApi, UptakeReport, UptakeStatus } from "../../experiment-apis/telemetry/interface.js";
import type { LoggedEvent } from "../stores/EventLogStore.js";
import type { EventSink } from "./EventSink.js";

/**
 * Reports uptake statuses the way Normandy's `Uptake` module names them: one source for the runner, one per
 * recipe and one per action class. Reports are collected during a run and sent by `flush()` at its end, in
 * order: one call to Glean through the telemetry experiment API and one append to the event sink, in the
 * legacy uptake event shape `[ts, "uptake.remotecontent.result", "uptake", "normandy", <status>, {source}]`.
 * (Normandy sends each report as it happens; with 1,000 recipes that would be 1,000 round trips to the parent
 * process and to storage per run. Every event of a run carries the flush's timestamp.)
 */
export class Uptake {
  private reports: UptakeReport[] = [];
  private revisions: RecipeRevision[] = [];

  constructor(
    private readonly telemetry: TelemetryApi,
    private readonly events: EventSink,
  ) {}

  reportRunner(status: UptakeStatus): void {
    this.reports.push({ source: "normandy/runner", status });
  }

  /**
   * Also sets the recipe's freshness to its revision, as Normandy's `reportRecipe` does
   * (`recipe_freshness[id] = parseInt(revision_id)`); a revision that is not a whole number is not reported.
   */
  reportRecipe(recipeId: number, revision: string, status: UptakeStatus): void {
    this.reports.push({ source: `normandy/recipe/${recipeId}`, status });
    const revisionNumber = Number.parseInt(revision, 10);
    if (Number.isSafeInteger(revisionNumber) && revisionNumber >= 0) this.revisions.push({ recipeId, revision: revisionNumber });
  }

  /** `actionName` is the action's class name, e.g. `ConsoleLogAction`. */
  reportAction(actionName: string, status: UptakeStatus): void {
    this.reports.push({ source: `normandy/action/${actionName}`, status });
  }

  /**
   * Sends everything reported since the last flush. The freshness goes to Glean while the uptake events are
   * recorded and logged: the parent process sets one while this one writes the other.
   */
  async flush(): Promise<void> {
    const reports = this.reports;
    const revisions = this.revisions;
    this.reports = [];
    this.revisions = [];
    await Promise.all([
      reports.length > 0 && this.sendReports(reports),
      revisions.length > 0 && this.telemetry.setRecipeFreshness(revisions),
    ]);
  }

  private async sendReports(reports: UptakeReport[]): Promise<void> {
    const timestamp = await this.telemetry.reportUptakes(reports);
    await this.events.append(
      ...reports.map(({ source, status }): LoggedEvent => [timestamp, "uptake.remotecontent.result", "uptake", "normandy", status, { source }]),
    );
  }
}
