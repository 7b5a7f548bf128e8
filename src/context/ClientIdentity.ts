import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { PREF_BRANCH } from "../config/ClientConfig.js";
import { UuidPref } from "../config/UuidPref.js";

/** The randomization id (Normandy's `app.normandy.user_id`): a v4 UUID, generated once and kept. */
export const USER_ID_PREF = `${PREF_BRANCH}user_id`;
/** True (or unset) until a run has succeeded (Normandy's `app.normandy.first_run`). */
export const FIRST_RUN_PREF = `${PREF_BRANCH}first_run`;

/** This client's identity in the add-on's own prefs: `normandy.userId` and `normandy.isFirstRun`. */
export class ClientIdentity {
  private readonly userIdPref: UuidPref;

  constructor(
    private readonly prefs: PrefsApi,
    newUserId?: () => string,
  ) {
    this.userIdPref = new UuidPref(prefs, USER_ID_PREF, newUserId);
  }

  /**
   * The stored id, or a new one stored now. Any non-empty value is kept as is, so QA can pin an id to land
   * in a chosen branch. Concurrent callers (a run and the QA console) share one read-or-create, so two
   * different ids are never handed out.
   */
  userId(): Promise<string> {
    return this.userIdPref.get();
  }

  async isFirstRun(): Promise<boolean> {
    return (await this.prefs.getPref(FIRST_RUN_PREF, "user")) !== false;
  }

  /** Ends the first run; the background page calls it after a run that succeeded. */
  async markFirstRunComplete(): Promise<void> {
    if (await this.isFirstRun()) await this.prefs.setPref(FIRST_RUN_PREF, false, "user");
  }
}
