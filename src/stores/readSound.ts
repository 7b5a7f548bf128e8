import type { KeyValueStorage } from "./KeyValueStorage.js";
import { fromStoredText } from "./storedText.js";
import { StoreQuarantine } from "./StoreQuarantine.js";

/**
 * Reads `key` (stored as JSON text when `asText`, see storedText.ts) and returns its value if `isSound` accepts it,
 * or undefined when nothing is stored. A value that is there but cannot be read as it should (text that does not
 * parse, the wrong shape) is quarantined as it was found and reported (StoreQuarantine), the key is cleared so it is
 * reported once, and undefined is returned: the caller starts that part afresh, but never silently.
 */
export async function readSound<Value>(
  storage: KeyValueStorage,
  key: string,
  isSound: (value: unknown) => value is Value,
  what: string,
  { asText = false } = {},
): Promise<Value | undefined> {
  const stored = await storage.get<unknown>(key);
  if (stored === undefined) return undefined;
  const value = asText ? fromStoredText<unknown>(stored) : stored;
  if (value !== undefined && isSound(value)) return value;
  await new StoreQuarantine(storage).quarantine(key, stored, `not ${what}`, { kept: 0, dropped: 1 });
  return undefined;
}
