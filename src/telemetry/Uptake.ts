import type {
  RecipeFreshnessBatch,
  TelemetryApi,
  UptakeBatch,
  UptakeStatus,
} from "../../experiment-apis/telemetry/interface.js";
import { uptakeEvent } from "../core/index.js";
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
  private reports: UptakeBatch = { sources: [], statuses: [] };
  private freshness: RecipeFreshnessBatch = { recipeIds: [], revisions: [] };

  constructor(
    private readonly telemetry: TelemetryApi,
    private readonly events: EventSink,
  ) {}

  reportRunner(status: UptakeStatus): void {
    this.report("normandy/runner", status);
  }

  /**
   * Also sets the recipe's freshness to its revision, as Normandy's `reportRecipe` does
   * (`recipe_freshness[id] = parseInt(revision_id)`); a revision that is not a whole number is not reported.
   */
  reportRecipe(recipeId: number, revision: string, status: UptakeStatus): void {
    this.report(`normandy/recipe/${recipeId}`, status);
    const revisionNumber = Number.parseInt(revision, 10);
    if (Number.isSafeInteger(revisionNumber) && revisionNumber >= 0) {
      this.freshness.recipeIds.push(recipeId);
      this.freshness.revisions.push(revisionNumber);
    }
  }

  /** `actionName` is the action's class name, e.g. `ConsoleLogAction`. */
  reportAction(actionName: string, status: UptakeStatus): void {
    this.report(`normandy/action/${actionName}`, status);
  }

  /**
   * Sends everything reported since the last flush. The freshness goes to Glean while the uptake events are
   * recorded and logged: the parent process sets one while this one writes the other.
   */
  async flush(): Promise<void> {
    const reports = this.reports;
    const freshness = this.freshness;
    this.reports = { sources: [], statuses: [] };
    this.freshness = { recipeIds: [], revisions: [] };
    await Promise.all([
      reports.sources.length > 0 && this.sendReports(reports),
      freshness.recipeIds.length > 0 && this.telemetry.setRecipeFreshness(freshness),
    ]);
  }

  private report(source: string, status: UptakeStatus): void {
    this.reports.sources.push(source);
    this.reports.statuses.push(status);
  }

  private async sendReports(batch: UptakeBatch): Promise<void> {
    const timestamp = await this.telemetry.reportUptakes(batch);
    const { sources, statuses } = batch;
    await this.events.append(...sources.map((source, index) => uptakeEvent(timestamp, source, statuses[index]!)));
  }
}
