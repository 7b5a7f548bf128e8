import type { KeyValueStorage } from "./KeyValueStorage.js";
import { SerialQueue } from "../core/index.js";

/** What the QA console shows about one damaged value that was set aside. */
export interface QuarantineNote {
  /** The storage key whose value could not be read as it should. */
  key: string;
  /** Where the damaged value is kept, exactly as it was found. */
  quarantinedAs: string;
  /** ISO date. */
  at: string;
  /** What was wrong, e.g. `"x": not a valid preference experiment`. */
  problem: string;
  /** Records rebuilt from what could be read, and records left behind in the quarantined copy. */
  kept: number;
  dropped: number;
}

const NOTES_KEY = "storeQuarantine";
/** Notes kept; the quarantined values themselves are never deleted by the add-on. */
const KEEP_NOTES = 50;

/**
 * Where stores set aside a value they cannot read (a crash mid-write in an older version, a manual edit, a
 * bug): the value is copied, untouched, under a key of its own, the problem is reported on the console and
 * kept as a note the QA console shows, and the store goes on with what it could read. Never silently empty.
 */
export class StoreQuarantine {
  private static readonly notesQueue = new SerialQueue();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly report: (message: string) => void = (message) => console.error(`[recipe-client] ${message}`),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Keeps `value` (what `key` held) under a quarantine key, notes and reports why, and puts `replacement` (what
   * could be rebuilt from it) in its place, or clears `key` when there is none: the damage is reported once.
   */
  async quarantine(
    key: string,
    value: unknown,
    problem: string,
    counts: { kept: number; dropped: number },
    replacement?: unknown,
  ): Promise<QuarantineNote> {
    const at = this.now();
    const note: QuarantineNote = {
      key,
      quarantinedAs: `quarantine.${key}.${at.getTime()}`,
      at: at.toISOString(),
      problem,
      ...counts,
    };
    await this.storage.set(note.quarantinedAs, value);
    this.report(
      `Stored ${key} was damaged (${problem}): kept as ${note.quarantinedAs}; ${counts.kept} record(s) rebuilt from it, ${counts.dropped} left in the quarantined copy`,
    );
    await StoreQuarantine.notesQueue.run(async () => {
      await this.storage.set(NOTES_KEY, [note, ...(await this.notes())].slice(0, KEEP_NOTES));
    });
    await (replacement === undefined ? this.storage.remove(key) : this.storage.set(key, replacement));
    return note;
  }

  /** Every note, newest first. */
  async notes(): Promise<QuarantineNote[]> {
    const notes = await this.storage.get<unknown>(NOTES_KEY);
    return Array.isArray(notes) ? (notes as QuarantineNote[]) : [];
  }
}
