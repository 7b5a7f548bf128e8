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

  async remove(key: string): Promise<void> {
    this.data.delete(key);
  }
}
