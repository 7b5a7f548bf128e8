import type { KeyValueStorage } from "./KeyValueStorage.js";
import { loadRecordMap, type RecordMap } from "./StoredRecords.js";
import { WriteQueue } from "./WriteQueue.js";

interface StoredRecords<Record> {
  records: RecordMap<Record>;
}

/**
 * Durable records of one kind, by key, under one storage key as `{records: {[key]: record}}`. Writes are
 * serialized and each change is a read-modify-write inside that queue, so an event listener and a recipe
 * run changing the same record never lose each other's changes; reads wait for the writes queued before
 * them (and a damaged stored value is quarantined exactly once, see loadRecordMap).
 */
export class RecordStore<Record> {
  private readonly queue = new WriteQueue();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly storageKey: string,
    /** Names a record in error messages, e.g. `add-on study 12`. */
    private readonly describe: (key: string) => string,
    /** Whether a stored value is a record of this store's type, stored under `key`. */
    private readonly isRecord: (value: unknown, key: string) => value is Record,
    /** What one record is, in the quarantine's messages: "add-on study". */
    private readonly noun: string,
  ) {}

  async get(key: string): Promise<Record | undefined> {
    return (await this.read()).records[key];
  }

  async getAll(): Promise<Record[]> {
    return Object.values((await this.read()).records);
  }

  /** Stores a new record; rejects when the key is taken. */
  add(key: string, record: Record): Promise<void> {
    return this.write((state) => {
      if (Object.hasOwn(state.records, key)) throw new Error(`${this.describe(key)} already exists`);
      state.records[key] = record;
    });
  }

  /** Applies `change` to the stored record and returns the result; rejects when there is none. */
  async update(key: string, change: (record: Record) => void): Promise<Record> {
    let updated: Record | undefined;
    await this.write((state) => {
      const record = state.records[key];
      if (record === undefined) throw new Error(`There is no ${this.describe(key)}`);
      change(record);
      updated = record;
    });
    return updated!;
  }

  /** Applies `change` to every record in one write. */
  updateAll(change: (record: Record) => void): Promise<void> {
    return this.write((state) => {
      for (const record of Object.values(state.records)) change(record);
    });
  }

  remove(key: string): Promise<void> {
    return this.write((state) => {
      delete state.records[key];
    });
  }

  private write(change: (state: StoredRecords<Record>) => void): Promise<void> {
    return this.queue.run(async () => {
      const state = await this.load();
      change(state);
      await this.storage.set(this.storageKey, state);
    });
  }

  private read(): Promise<StoredRecords<Record>> {
    return this.queue.run(() => this.load());
  }

  private async load(): Promise<StoredRecords<Record>> {
    return { records: await loadRecordMap(this.storage, { key: this.storageKey, field: "records", noun: this.noun }, this.isRecord) };
  }
}
