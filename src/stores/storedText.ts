/**
 * Large values (event log segments, run reports) are stored as JSON text, not as structured data: Firefox's
 * storage.local clones, writes and reports (storage.onChanged) one string far faster than hundreds of small
 * objects. A run of 1,000 recipes appends 1,000 uptake events: about 30 ms to store as objects, 5 ms as text.
 */

export function toStoredText(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * The value `toStoredText` stored. A value stored as data (before text was used) is returned as it is;
 * text that does not parse (a damaged entry) is undefined, like a missing one.
 */
export function fromStoredText<T>(stored: unknown): T | undefined {
  if (typeof stored !== "string") return stored as T | undefined;
  try {
    return JSON.parse(stored) as T;
  } catch {
    return undefined;
  }
}
