import type { KeyValueStorage } from "./KeyValueStorage.js";
import { isPlainObject, loadRecordMap, type RecordMap, type RecordMapLayout } from "./StoredRecords.js";
import { WriteQueue } from "./WriteQueue.js";

/** What every enrollment record has: the slug it is stored under, and the id its telemetry carries. */
export interface SlugRecord {
  slug: string;
  enrollmentId: string;
}

/** The storage key, the field mapping slugs to records (e.g. "experiments", Normandy's file shape) and the noun. */
export type SlugRecordLayout = RecordMapLayout;

/**
 * Durable enrollment records by slug, all under one storage key as `{[field]: {[slug]: record}}`. Writes
 * are serialized and each change is a read-modify-write inside that queue, so a pref observer and a recipe
 * run updating the same record never lose each other's changes. Reads go through the queue too, so a
 * damaged stored value is quarantined exactly once (see loadRecordMap).
 */
export class SlugRecordStore<Enrollment extends SlugRecord> {
  private readonly queue = new WriteQueue();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly layout: SlugRecordLayout,
    /** Whether a stored value is a record of this store's type (its own checks; the slug is checked here). */
    private readonly isRecord: (value: { [field: string]: unknown }) => boolean,
  ) {}

  async get(slug: string): Promise<Enrollment | undefined> {
    return (await this.read())[slug];
  }

  async getAll(): Promise<Enrollment[]> {
    return Object.values(await this.read());
  }

  /** Stores a new record; rejects when the slug is already stored. */
  add(record: Enrollment): Promise<void> {
    return this.write((records) => {
      if (Object.hasOwn(records, record.slug)) throw new Error(`A ${this.layout.noun} with the slug "${record.slug}" already exists`);
      records[record.slug] = record;
    });
  }

  /** Forgets a record entirely: only for an enrollment that failed half-way and was undone. */
  remove(slug: string): Promise<void> {
    return this.write((records) => {
      delete records[slug];
    });
  }

  /** Applies `change` to the stored record and returns the result; rejects when there is none. */
  async update(slug: string, change: (record: Enrollment) => void): Promise<Enrollment> {
    let updated: Enrollment | undefined;
    await this.write((records) => {
      const record = records[slug];
      if (!record) throw new Error(`There is no ${this.layout.noun} with the slug "${slug}"`);
      change(record);
      updated = record;
    });
    return updated!;
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
    return loadRecordMap(this.storage, this.layout, (value, slug): value is Enrollment =>
      isPlainObject(value) && value.slug === slug && typeof value.enrollmentId === "string" && this.isRecord(value),
    );
  }
}
