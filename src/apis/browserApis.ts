/**
 * Teaches the `webextension-polyfill` types about this add-on's experiment namespaces, so
 * `browser.experiments.*` are typed by the same interfaces
 * the parent scripts implement.
 */
import browser from "webextension-polyfill";
import type { AddonsApi } from "../../experiment-apis/addons/interface.js";
import type { ClientContextApi } from "../../experiment-apis/clientContext/interface.js";
import type { NotificationBarApi } from "../../experiment-apis/notificationBar/interface.js";
import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import type { TelemetryApi } from "../../experiment-apis/telemetry/interface.js";

declare module "webextension-polyfill" {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- augmenting the polyfill's own namespace
  namespace Experiments {
    interface Static {
      addons: AddonsApi;
      clientContext: ClientContextApi;
      notificationBar: NotificationBarApi;
      prefs: PrefsApi;
      telemetry: TelemetryApi;
    }
  }
}

export { browser };
