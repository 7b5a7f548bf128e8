import type { RunReport } from "../core/index.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { fromStoredText, toStoredText } from "./storedText.js";

const INDEX_KEY = "runHistory";
const reportKey = (startedAt: number) => `runHistory.${startedAt}`;
const KEEP = 20;

/**
 * The last few run reports, newest first, for the QA console and for tests. Each report is stored under its
 * own key, so recording a run writes that run (and a short index), never the whole history again: a report
 * of 1,000 recipes is large (and stored as JSON text: see storedText.ts).
 */
export class RunHistoryStore {
  constructor(private readonly storage: KeyValueStorage) {}

  async add(report: RunReport): Promise<void> {
    const index = await this.index();
    const kept = [report.startedAt, ...index.filter((startedAt) => startedAt !== report.startedAt)];
    await this.storage.setMany({
      [reportKey(report.startedAt)]: toStoredText(report),
      [INDEX_KEY]: kept.slice(0, KEEP),
    });
    const dropped = kept.slice(KEEP);
    if (dropped.length > 0) await this.storage.remove(dropped.map(reportKey));
  }

  async list(): Promise<RunReport[]> {
    const reports = await Promise.all(
      (await this.index()).map(async (startedAt) =>
        fromStoredText<RunReport>(await this.storage.get(reportKey(startedAt))),
      ),
    );
    return reports.filter((report): report is RunReport => report !== undefined);
  }

  private async index(): Promise<number[]> {
    const index = await this.storage.get<unknown>(INDEX_KEY);
    // A damaged index loses only the list of past runs (diagnostics, not state): start afresh.
    return Array.isArray(index) && index.every((entry) => typeof entry === "number") ? index : [];
  }
}
