import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";

/** Firefox's "Allow Firefox to send technical and interaction data" (false by default on Debian's ESR). */
export const UPLOAD_ENABLED_PREF = "datareporting.healthreport.uploadEnabled";

export type UploadDisabledListener = () => void | Promise<void>;

/**
 * Whether telemetry upload is enabled, read from Firefox's pref through the prefs API, and a hook for
 * whoever must react when it is turned off: the intake drops what it has not sent, and the stores replace
 * their enrollment ids with `NO_ENROLLMENT_ID_MARKER` (as Normandy does on "telemetry.upload.disabled").
 */
export class TelemetryUploadState {
  /** The value last read; null before the first read. */
  private known: boolean | null = null;
  private readonly disabledListeners = new Set<UploadDisabledListener>();

  constructor(
    private readonly prefs: PrefsApi,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * Reads the pref now. Finding upload off, on the first read or after it was on, runs the
   * upload-disabled listeners before answering, so nothing recorded before the switch is sent after it.
   */
  async isEnabled(): Promise<boolean> {
    const enabled = (await this.prefs.getPref(UPLOAD_ENABLED_PREF, "user")) === true;
    const previous = this.known;
    this.known = enabled;
    // Also on the first read: upload may have been turned off while the add-on was not running.
    if (!enabled && previous !== false) await this.notifyDisabled();
    return enabled;
  }

  /** Calls `listener` whenever upload is found turned off; returns the unsubscribe function. */
  onUploadDisabled(listener: UploadDisabledListener): () => void {
    this.disabledListeners.add(listener);
    return () => this.disabledListeners.delete(listener);
  }

  /** Follows the pref from now on (and reads it once now); returns the function that stops following. */
  watch(): () => void {
    const onChange = () => {
      this.isEnabled().catch((error: unknown) => this.warn(`Cannot read ${UPLOAD_ENABLED_PREF}: ${String(error)}`));
    };
    this.prefs.onPrefChanged.addListener(onChange, [UPLOAD_ENABLED_PREF]);
    onChange();
    return () => this.prefs.onPrefChanged.removeListener(onChange);
  }

  private async notifyDisabled(): Promise<void> {
    for (const listener of [...this.disabledListeners]) {
      try {
        await listener();
      } catch (error) {
        this.warn(`A telemetry-upload-disabled listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
