import type { KeyValueStorage } from "./KeyValueStorage.js";
import { StoreQuarantine } from "./StoreQuarantine.js";

/**
 * Records by key as stores hold them in memory: an object without a prototype, so a key such as
 * `__proto__` or `constructor` (a recipe's slug is data, and data can say anything) is an ordinary key,
 * never Object.prototype's.
 */
export type RecordMap<Record> = { [key: string]: Record };

export function emptyRecordMap<Record>(): RecordMap<Record> {
  return Object.create(null) as RecordMap<Record>;
}

/** What could be read of a stored record map, and what was wrong with the rest. */
export interface ReadRecords<Record> {
  records: RecordMap<Record>;
  /** Empty when the stored value was sound. */
  problems: string[];
  /** Entries left out. */
  dropped: number;
}

/**
 * Reads a stored `{[key]: record}` map, keeping the entries `isRecord` accepts (as a record stored under
 * `key`) and naming what is wrong with the others; `undefined` (nothing stored yet) is an empty, sound map.
 */
export function readRecordMap<Record>(
  stored: unknown,
  isRecord: (value: unknown, key: string) => value is Record,
  noun: string,
): ReadRecords<Record> {
  const records = emptyRecordMap<Record>();
  if (stored === undefined) return { records, problems: [], dropped: 0 };
  if (!isPlainObject(stored))
    return { records, problems: [`expected an object of ${noun} records, found ${describe(stored)}`], dropped: 0 };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(stored)) {
    if (isRecord(value, key)) records[key] = value;
    else problems.push(`${JSON.stringify(key)}: not a valid ${noun}`);
  }
  return { records, problems, dropped: problems.length };
}

export function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** Where a record map is stored: `{[field]: {[key]: record}}` under the storage key `key`. */
export interface RecordMapLayout {
  key: string;
  field: string;
  /** What one record is, in messages: "preference experiment". */
  noun: string;
}

/**
 * Loads a record map. A damaged value (not the expected shape, or entries that are not records of the type)
 * is quarantined as it was found (StoreQuarantine), and the map rebuilt from the sound entries is written
 * back, so the damage is reported once and the store goes on with everything it could read.
 */
export async function loadRecordMap<Record>(
  storage: KeyValueStorage,
  layout: RecordMapLayout,
  isRecord: (value: unknown, key: string) => value is Record,
): Promise<RecordMap<Record>> {
  const stored = await storage.get<unknown>(layout.key);
  const read =
    stored === undefined || (isPlainObject(stored) && Object.hasOwn(stored, layout.field))
      ? readRecordMap((stored as { [field: string]: unknown } | undefined)?.[layout.field], isRecord, layout.noun)
      : {
          records: emptyRecordMap<Record>(),
          problems: [
            `expected {${layout.field}: …}, found ${isPlainObject(stored) ? `an object without \`${layout.field}\`` : describe(stored)}`,
          ],
          dropped: 0,
        };
  await setAsideUnsound(storage, layout.key, stored, read, { [layout.field]: read.records });
  return read.records;
}

/**
 * When `read` (what could be read of `stored`, the value under `key`) found problems: quarantines `stored` as it
 * was found and stores `rebuilt`, the sound records, in its place (StoreQuarantine).
 */
export async function setAsideUnsound<Record>(
  storage: KeyValueStorage,
  key: string,
  stored: unknown,
  read: ReadRecords<Record>,
  rebuilt: unknown,
): Promise<void> {
  if (read.problems.length === 0) return;
  const counts = { kept: Object.keys(read.records).length, dropped: read.dropped };
  await new StoreQuarantine(storage).quarantine(key, stored, read.problems.join("; "), counts, rebuilt);
}
