import type { KeyValueStorage } from "./KeyValueStorage.js";
import { RecordStore, type EnrollmentRecord } from "./RecordStore.js";
import { isPlainObject, type RecordMapLayout } from "./StoredRecords.js";

/** What every slug-keyed enrollment record has: the slug it is stored under, and the id its telemetry carries. */
export interface SlugRecord extends EnrollmentRecord {
  slug: string;
}

/** Durable enrollment records keyed by their own slug: a RecordStore (see there) whose records carry their key. */
export class SlugRecordStore<Enrollment extends SlugRecord> {
  private readonly records: RecordStore<Enrollment>;

  constructor(
    storage: KeyValueStorage,
    /** The storage key, the field mapping slugs to records (e.g. "experiments", Normandy's file shape) and the noun. */
    layout: RecordMapLayout,
    /** Whether a stored value is a record of this store's type (its own checks; the slug and enrollment id are checked here). */
    isRecord: (value: { [field: string]: unknown }) => boolean,
  ) {
    this.records = new RecordStore(
      storage,
      layout,
      (slug) => `${layout.noun} with the slug "${slug}"`,
      (value, slug): value is Enrollment =>
        isPlainObject(value) && value.slug === slug && typeof value.enrollmentId === "string" && isRecord(value),
    );
  }

  get(slug: string): Promise<Enrollment | undefined> {
    return this.records.get(slug);
  }

  getAll(): Promise<Enrollment[]> {
    return this.records.getAll();
  }

  /** Stores a new record; rejects when the slug is already stored. */
  add(record: Enrollment): Promise<void> {
    return this.records.add(record.slug, record);
  }

  /** Forgets a record entirely: only for an enrollment that failed half-way and was undone. */
  remove(slug: string): Promise<void> {
    return this.records.remove(slug);
  }

  /** Applies `change` to the stored record and returns the result; rejects when there is none. */
  update(slug: string, change: (record: Enrollment) => void): Promise<Enrollment> {
    return this.records.update(slug, change);
  }

  /** See RecordStore.replaceEnrollmentIds. */
  replaceEnrollmentIds(marker: string): Promise<void> {
    return this.records.replaceEnrollmentIds(marker);
  }
}
