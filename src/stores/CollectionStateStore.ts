import type { KeyValueStorage } from "./KeyValueStorage.js";
import { readRecordMap, setAsideUnsound, type RecordMap } from "./StoredRecords.js";

const KEY = "collectionTimestamps";

/**
 * The timestamp of the last verified changeset the client applied, per server URL. A changeset older than
 * that is a replay (an attacker or a broken cache serving yesterday's recipes with their valid signatures)
 * and is refused; keying by server URL lets QA switch servers without tripping it.
 *
 * A damaged stored value is quarantined and reported (StoreQuarantine), never silently read as "nothing applied
 * yet": a lost timestamp lowers the replay check of its server to 0 until the next changeset is applied.
 */
export class CollectionStateStore {
  constructor(private readonly storage: KeyValueStorage) {}

  async lastApplied(serverUrl: string): Promise<number> {
    return (await this.all())[serverUrl] ?? 0;
  }

  async recordApplied(serverUrl: string, timestamp: number): Promise<void> {
    const all = await this.all();
    await this.storage.set(KEY, { ...all, [serverUrl]: timestamp });
  }

  private async all(): Promise<RecordMap<number>> {
    const stored = await this.storage.get<unknown>(KEY);
    const read = readRecordMap(stored, isTimestamp, "collection timestamp");
    await setAsideUnsound(this.storage, KEY, stored, read, { ...read.records });
    return read.records;
  }
}

function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}
