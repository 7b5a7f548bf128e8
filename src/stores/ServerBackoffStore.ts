import type { KeyValueStorage } from "./KeyValueStorage.js";

const KEY = "serverBackoff";

/**
 * Until when each server (by URL) asked clients to back off (a 429 or 503 with `Retry-After`), in ms since
 * the epoch. Persisted, so restarting Firefox during a backoff does not send a start-up run to a server
 * that asked for quiet.
 */
export class ServerBackoffStore {
  constructor(private readonly storage: KeyValueStorage) {}

  /** 0 when the server has not asked for a backoff. */
  async until(serverUrl: string): Promise<number> {
    const until = (await this.all())[serverUrl];
    return typeof until === "number" ? until : 0;
  }

  async backOff(serverUrl: string, until: number): Promise<void> {
    await this.storage.set(KEY, { ...(await this.all()), [serverUrl]: until });
  }

  /** Forgets the server's backoff (it answered); writes nothing when there was none. */
  async clear(serverUrl: string): Promise<void> {
    const all = await this.all();
    if (!Object.hasOwn(all, serverUrl)) return;
    delete all[serverUrl];
    await this.storage.set(KEY, all);
  }

  private async all(): Promise<Record<string, unknown>> {
    const stored = await this.storage.get<unknown>(KEY);
    return typeof stored === "object" && stored !== null && !Array.isArray(stored)
      ? { ...(stored as Record<string, unknown>) }
      : {};
  }
}
