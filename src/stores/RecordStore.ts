import type { KeyValueStorage } from "./KeyValueStorage.js";
import { loadRecordMap, type RecordMap, type RecordMapLayout } from "./StoredRecords.js";
import { SerialQueue } from "../core/index.js";

/** What every enrollment record has: the id its telemetry carries. */
export interface EnrollmentRecord {
  enrollmentId: string;
}

/**
 * Durable enrollment records of one kind, by key, all under one storage key as `{[field]: {[key]: record}}`.
 * Writes are serialized and each change is a read-modify-write inside that queue, so an event listener (a
 * pref observer, an add-on uninstall) and a recipe run changing the same record never lose each other's
 * changes. Reads go through the queue too: they see the writes queued before them, and a damaged stored
 * value is quarantined exactly once (see loadRecordMap).
 */
export class RecordStore<Enrollment extends EnrollmentRecord> {
  private readonly queue = new SerialQueue();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly layout: RecordMapLayout,
    /** Names the record under `key` in error messages, after "There is no": `add-on study for recipe 12`. */
    private readonly describe: (key: string) => string,
    /** Whether a stored value is a record of this store's type, stored under `key`. */
    private readonly isRecord: (value: unknown, key: string) => value is Enrollment,
  ) {}

  async get(key: string): Promise<Enrollment | undefined> {
    return (await this.read())[key];
  }

  async getAll(): Promise<Enrollment[]> {
    return Object.values(await this.read());
  }

  /** Stores a new record; rejects when the key is taken. */
  add(key: string, record: Enrollment): Promise<void> {
    return this.write((records) => {
      if (Object.hasOwn(records, key)) throw new Error(`${withArticle(this.describe(key))} already exists`);
      records[key] = record;
    });
  }

  /** Applies `change` to the stored record and returns the result; rejects when there is none. */
  async update(key: string, change: (record: Enrollment) => void): Promise<Enrollment> {
    let updated: Enrollment | undefined;
    await this.write((records) => {
      const record = records[key];
      if (record === undefined) throw new Error(`There is no ${this.describe(key)}`);
      change(record);
      updated = record;
    });
    return updated!;
  }

  /** Forgets a record entirely: only for an enrollment that failed half-way and was undone. */
  remove(key: string): Promise<void> {
    return this.write((records) => {
      delete records[key];
    });
  }

  /**
   * Replaces every enrollment id with `marker`, as Normandy does when telemetry upload is turned off
   * (`onTelemetryDisabled`, marker "__NO_ENROLLMENT_ID__"), so no id can link later data to earlier data.
   */
  replaceEnrollmentIds(marker: string): Promise<void> {
    return this.write((records) => {
      for (const record of Object.values(records)) record.enrollmentId = marker;
    });
  }

  private write(change: (records: RecordMap<Enrollment>) => void): Promise<void> {
    return this.queue.run(async () => {
      const records = await this.load();
      change(records);
      await this.storage.set(this.layout.key, { [this.layout.field]: records });
    });
  }

  /** The records once every write queued so far is done. */
  private read(): Promise<RecordMap<Enrollment>> {
    return this.queue.run(() => this.load());
  }

  private load(): Promise<RecordMap<Enrollment>> {
    return loadRecordMap(this.storage, this.layout, this.isRecord);
  }
}

/** "A preference rollout …", "An add-on study …": the start of a sentence about a record. */
function withArticle(description: string): string {
  return `${/^[aeiou]/i.test(description) ? "An" : "A"} ${description}`;
}
