import type { RunReport } from "../runner/RunReport.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";

const KEY = "runHistory";
const KEEP = 20;

/** The last few run reports, newest first, for the QA console and for tests. */
export class RunHistoryStore {
  constructor(private readonly storage: KeyValueStorage) {}

  async add(report: RunReport): Promise<void> {
    const history = await this.list();
    await this.storage.set(KEY, [report, ...history].slice(0, KEEP));
  }

  async list(): Promise<RunReport[]> {
    return (await this.storage.get<RunReport[]>(KEY)) ?? [];
  }
}
