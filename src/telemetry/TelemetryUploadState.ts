import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import type { KeyValueStorage } from "../stores/KeyValueStorage.js";
import { SerialQueue } from "../core/index.js";

/** Firefox's "Allow Firefox to send technical and interaction data" (false by default on Debian's ESR). */
export const UPLOAD_ENABLED_PREF = "datareporting.healthreport.uploadEnabled";

/** Where the state last seen is kept, so a switch made while Firefox was closed is noticed at the next start. */
const LAST_SEEN_KEY = "telemetryUploadLastSeen";

export type UploadDisabledListener = () => void | Promise<void>;

/**
 * Whether telemetry upload is enabled, read from Firefox's pref through the prefs API, and a hook for
 * whoever must react when it is turned off: the intake drops what it has not sent, and the stores replace
 * their enrollment ids with `NO_ENROLLMENT_ID_MARKER` (as Normandy does on "telemetry.upload.disabled").
 *
 * Only a switch from on to off counts, as for Normandy: the data-collection document clears ids when upload
 * is disabled, and "new changes continue to receive enrollment IDs as normal", so an enrollment made while
 * upload is off keeps its id across restarts. The state last seen is stored, so a switch made while Firefox
 * was closed (on at the last start, off at this one) counts too; with nothing stored (a first start) there
 * was no switch.
 */
export class TelemetryUploadState {
  /** The value last seen (read from storage at the first read); undefined when never seen. */
  private lastSeen: Promise<boolean | undefined> | null = null;
  private readonly reads = new SerialQueue();
  private readonly disabledListeners = new Set<UploadDisabledListener>();

  constructor(
    private readonly prefs: PrefsApi,
    private readonly storage: KeyValueStorage,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * Reads the pref now. Finding upload off after it was last seen on (in this session or, stored, in an
   * earlier one) runs the upload-disabled listeners before answering, so nothing recorded before the switch
   * is sent after it. Reads are serialized, so one switch notifies once.
   */
  isEnabled(): Promise<boolean> {
    return this.reads.run(async () => {
      const enabled = (await this.prefs.getPref(UPLOAD_ENABLED_PREF, "user")) === true;
      this.lastSeen ??= this.storage
        .get<unknown>(LAST_SEEN_KEY)
        .then((stored) => (typeof stored === "boolean" ? stored : undefined));
      const previous = await this.lastSeen;
      if (previous === enabled) return enabled;
      if (!enabled && previous === true) await this.notifyDisabled();
      // Stored after the listeners: a crash before this makes the next start notify again, which is harmless.
      await this.storage.set(LAST_SEEN_KEY, enabled);
      this.lastSeen = Promise.resolve(enabled);
      return enabled;
    });
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
        this.warn(
          `A telemetry-upload-disabled listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
