import type { SurveyAnswer } from "../core/index.js";
import type { KeyValueStorage } from "./KeyValueStorage.js";
import { isPlainObject, loadRecordMap, type RecordMap, type RecordMapLayout } from "./StoredRecords.js";
import { SerialQueue } from "../core/index.js";

/** How a survey's latest showing ended; `open` while it is shown (or when Firefox quit with it shown). */
export type SurveyOutcome = "open" | "answered" | "dismissed" | "expired" | "window-closed" | "closed";
export const SURVEY_OUTCOMES: readonly SurveyOutcome[] = [
  "open",
  "answered",
  "dismissed",
  "expired",
  "window-closed",
  "closed",
];

/**
 * What this client did with one survey (one `show-heartbeat` recipe), kept across restarts: Normandy's
 * `Heartbeats(recipeId, lastShown, lastInteraction)` table, plus what QA wants to see (the answer, the outcome).
 */
export interface SurveyRecord {
  recipeId: number;
  surveyId: string;
  /** ms since the epoch. */
  lastShown: number;
  timesShown: number;
  /** When the user last answered (a star or the button), ms since the epoch; null when never. */
  lastInteraction: number | null;
  answer: SurveyAnswer | null;
  outcome: SurveyOutcome;
}

const LAYOUT: RecordMapLayout = { key: "heartbeats", field: "surveys", noun: "heartbeat survey" };

/** The surveys shown on this client, by recipe id, stored as `{surveys: {[recipeId]: record}}`. */
export class HeartbeatStore {
  private readonly queue = new SerialQueue();

  constructor(private readonly storage: KeyValueStorage) {}

  async get(recipeId: number): Promise<SurveyRecord | undefined> {
    return (await this.read())[String(recipeId)];
  }

  async getAll(): Promise<SurveyRecord[]> {
    return Object.values(await this.read());
  }

  /** The latest time any survey was shown, null when none ever was (Normandy's `_getLastShown()`). */
  async lastShownOfAny(): Promise<number | null> {
    const times = (await this.getAll()).map((record) => record.lastShown);
    return times.length > 0 ? Math.max(...times) : null;
  }

  markShown(recipeId: number, surveyId: string, at: number): Promise<void> {
    return this.write((records) => {
      const previous = records[String(recipeId)];
      records[String(recipeId)] = {
        recipeId,
        surveyId,
        lastShown: at,
        timesShown: (previous?.timesShown ?? 0) + 1,
        lastInteraction: previous?.lastInteraction ?? null,
        answer: previous?.answer ?? null,
        outcome: "open",
      };
    });
  }

  markAnswered(recipeId: number, answer: SurveyAnswer, at: number): Promise<void> {
    return this.change(recipeId, (record) => {
      record.lastInteraction = at;
      record.answer = answer;
      record.outcome = "answered";
    });
  }

  /** Notes how the showing ended; an answered survey stays `answered` when its bar then closes. */
  markEnded(recipeId: number, outcome: Exclude<SurveyOutcome, "open" | "answered">): Promise<void> {
    return this.change(recipeId, (record) => {
      if (record.outcome === "open") record.outcome = outcome;
    });
  }

  private change(recipeId: number, change: (record: SurveyRecord) => void): Promise<void> {
    return this.write((records) => {
      const record = records[String(recipeId)];
      if (!record) throw new Error(`There is no heartbeat survey for recipe ${recipeId}`);
      change(record);
    });
  }

  private write(change: (records: RecordMap<SurveyRecord>) => void): Promise<void> {
    return this.queue.run(async () => {
      const records = await this.load();
      change(records);
      await this.storage.set(LAYOUT.key, { [LAYOUT.field]: records });
    });
  }

  private read(): Promise<RecordMap<SurveyRecord>> {
    return this.queue.run(() => this.load());
  }

  private load(): Promise<RecordMap<SurveyRecord>> {
    return loadRecordMap(this.storage, LAYOUT, isSurveyRecord);
  }
}

function isSurveyRecord(value: unknown, key: string): value is SurveyRecord {
  return (
    isPlainObject(value) &&
    value.recipeId === Number(key) &&
    typeof value.surveyId === "string" &&
    typeof value.lastShown === "number" &&
    typeof value.timesShown === "number" &&
    (value.lastInteraction === null || typeof value.lastInteraction === "number") &&
    (value.answer === null || isPlainObject(value.answer)) &&
    SURVEY_OUTCOMES.includes(value.outcome as SurveyOutcome)
  );
}
