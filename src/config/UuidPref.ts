import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";

/**
 * A v4 UUID kept in a string pref: read, or made and stored on first use. Any non-empty value is kept as
 * is (QA may pin one). Concurrent callers share one read-or-create, so two different ids are never handed out.
 */
export class UuidPref {
  private pending: Promise<string> | null = null;

  constructor(
    private readonly prefs: PrefsApi,
    readonly name: string,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  get(): Promise<string> {
    this.pending ??= this.readOrCreate().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async readOrCreate(): Promise<string> {
    const stored = await this.prefs.getPref(this.name, "user");
    if (typeof stored === "string" && stored !== "") return stored;
    const id = this.newId();
    await this.prefs.setPref(this.name, id, "user");
    return id;
  }
}
