import type { KeyValueStorage } from "../../src/stores/KeyValueStorage.js";

/** KeyValueStorage in a Map; values are JSON round-tripped like the real storage area does. */
export class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    const text = this.data.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }

  async setMany(items: Record<string, unknown>): Promise<void> {
    for (const [key, value] of Object.entries(items)) this.data.set(key, JSON.stringify(value));
  }

  async remove(keys: string | readonly string[]): Promise<void> {
    for (const key of typeof keys === "string" ? [keys] : keys) this.data.delete(key);
  }
}
