import type { KeyValueStorage } from "./KeyValueStorage.js";

const KEY = "collectionTimestamps";

/**
 * The timestamp of the last verified changeset the client applied, per server URL. A changeset older than
 * that is a replay (an attacker or a broken cache serving yesterday's recipes with their valid signatures)
 * and is refused; keying by server URL lets QA switch servers without tripping it.
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

  private async all(): Promise<Record<string, number>> {
    return (await this.storage.get<Record<string, number>>(KEY)) ?? {};
  }
}
