import type { AppFacts } from "../../experiment-apis/clientContext/interface.js";
import type { PrefsApi } from "../../experiment-apis/prefs/interface.js";
import { RELEASE_CHANNELS, type ClientStatus, type ReleaseChannel } from "../core/index.js";
import type { ClientPing } from "../../experiment-apis/telemetry/interface.js";
import type { ClientConfig } from "../config/ClientConfig.js";
import { studiesBlocker } from "../config/studiesGate.js";

export interface HealthSources {
  config: ClientConfig;
  prefs: PrefsApi;
  app: Pick<AppFacts, "locale" | "channel">;
  /** The intake's client id (`extensions.recipeclient.client_id`). */
  clientId: string;
  addonVersion: string;
}

/** Whether the client can run, the most restrictive reason first (see `CLIENT_STATUSES`). */
export async function clientStatus(config: ClientConfig, prefs: PrefsApi): Promise<ClientStatus> {
  if (!config.enabled) return "DISABLED_BY_PREF";
  const blocker = await studiesBlocker(prefs);
  if (blocker === "policy") return "DISABLED_BY_POLICY";
  if (!config.rootHash) return "NOT_CONFIGURED";
  return blocker === "opted-out" ? "OPTED_OUT" : "ENABLED";
}

/**
 * The health ping sent once per start of the client, in the shape of Activity Stream's (`event`, `value`,
 * `client_id`, `locale`, `version`, `release_channel`); `version` is the add-on's.
 */
export async function healthPing({
  config,
  prefs,
  app,
  clientId,
  addonVersion,
}: HealthSources): Promise<ClientPing<"health">> {
  return {
    type: "health",
    event: "RECIPE_CLIENT_STATUS",
    value: await clientStatus(config, prefs),
    fields: {
      client_id: clientId,
      locale: app.locale,
      version: addonVersion,
      release_channel: releaseChannel(app.channel),
    },
  };
}

/** A channel the registry does not list (a partner's, a distribution's) is reported as `other`. */
function releaseChannel(channel: string): ReleaseChannel {
  return (RELEASE_CHANNELS as readonly string[]).includes(channel) ? (channel as ReleaseChannel) : "other";
}
