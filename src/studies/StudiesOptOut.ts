import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { STUDIES_OPT_OUT_PREF } from "../config/ClientConfig.js";

/** The unenroll reason when the user turns studies off (Normandy's ShieldPreferences). */
export const GENERAL_OPT_OUT = "general-opt-out";

/**
 * Ends every active study when the user turns off "Allow Firefox to install and run studies"
 * (`app.shield.optoutstudies.enabled`), as Normandy's ShieldPreferences does. Rollouts are not studies and
 * are not affected. Normandy only reacts to the change itself; we also check at start, because the pref
 * may have been turned off while the add-on was not running, and studies must not outlive the opt-out.
 */
export class StudiesOptOut {
  constructor(
    private readonly prefs: PrefsApi,
    /** Unenrolls every active study with `reason`. */
    private readonly endAllStudies: (reason: string) => Promise<void>,
    private readonly warn: (message: string) => void,
  ) {}

  /** Checks the pref now and follows it from now on. */
  async start(): Promise<void> {
    this.prefs.onPrefChanged.addListener(() => this.check(), [STUDIES_OPT_OUT_PREF]);
    await this.check();
  }

  private async check(): Promise<void> {
    try {
      if ((await this.prefs.getPref(STUDIES_OPT_OUT_PREF, "user")) === false) await this.endAllStudies(GENERAL_OPT_OUT);
    } catch (error) {
      this.warn(`Cannot end the studies after the opt-out: ${String(error)}`);
    }
  }
}
