/**
 * Teaches the `webextension-polyfill` types about this add-on's experiment namespaces, so
 * `browser.experiments.prefs` and `browser.experiments.telemetry` are typed by the same interfaces
 * the parent scripts implement.
 */
import browser from "webextension-polyfill";
import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import type { TelemetryApi } from "../../experiment-apis/telemetry/interface.js";

declare module "webextension-polyfill" {
  namespace Experiments {
    interface Static {
      prefs: PrefsApi;
      telemetry: TelemetryApi;
    }
  }
}

export { browser };
