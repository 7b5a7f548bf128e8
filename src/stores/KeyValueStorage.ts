/**
 * The durable storage the stores write to: `browser.storage.local` in the add-on, a Map in unit tests.
 * Values must be JSON-compatible.
 */
export interface KeyValueStorage {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Writes every entry in one go: storage.local writes them in one transaction, so none is kept without the others. */
  setMany(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | readonly string[]): Promise<void>;
}

/** Adapts a `storage.local`-shaped area (the WebExtension API) to KeyValueStorage. */
export function storageAreaAdapter(area: {
  get(keys: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}): KeyValueStorage {
  return {
    async get<T>(key: string) {
      return (await area.get(key))[key] as T | undefined;
    },
    set: (key, value) => area.set({ [key]: value }),
    setMany: (items) => area.set(items),
    remove: (keys) => area.remove(typeof keys === "string" ? keys : [...keys]),
  };
}
