import type { PrefsApi, PrefValue } from "../../experiment-apis/prefs/interface.js";

/** Every setting of the recipe client lives under this pref branch (about:config shows them together). */
export const PREF_BRANCH = "extensions.recipeclient.";

/** Firefox's own switch for studies (about:preferences "Allow Firefox to install and run studies"). */
export const STUDIES_OPT_OUT_PREF = "app.shield.optoutstudies.enabled";

export interface ClientConfig {
  /** Master switch for the runner. */
  enabled: boolean;
  /** Remote Settings base URL, e.g. `http://127.0.0.1:8888/v1`. Recipes and x5u chains come only from this origin. */
  serverUrl: string;
  /** Subject CN of the certificate that signs each recipe. */
  recipeSigner: string;
  /** Subject CN of the certificate that signs the whole collection. */
  collectionSigner: string;
  /** SHA-256 of the trusted root certificate (colon-separated hex). Empty means "not configured". */
  rootHash: string;
  /** Seconds between scheduled runs. */
  runIntervalSeconds: number;
  /** How long one request for the changeset or a certificate chain may take, headers and body, in ms. */
  fetchTimeoutMs: number;
  /** Legacy Normandy API base (trailing slash), e.g. `http://127.0.0.1:8888/api/v1/`; only `classify_client/` is used. */
  apiUrl: string;
  /** The server's change notices (server-sent events); a notice triggers a run. Empty: schedule only. */
  noticesUrl: string;
  /** Where telemetry batches are POSTed while telemetry upload is enabled; the only origin they go to. */
  intakeUrl: string;
}

const DEFAULTS: ClientConfig = {
  enabled: true,
  serverUrl: "http://127.0.0.1:8888/v1",
  recipeSigner: "normandy.content-signature.mozilla.org",
  collectionSigner: "remote-settings.content-signature.mozilla.org",
  rootHash: "",
  runIntervalSeconds: 21600, // Normandy's default: every 6 hours.
  fetchTimeoutMs: 30_000,
  apiUrl: "http://127.0.0.1:8888/api/v1/",
  noticesUrl: "http://127.0.0.1:8888/notices",
  intakeUrl: "http://127.0.0.1:8888/intake/v1/batches",
};

/** Pref name (under PREF_BRANCH) for each setting. */
export const CONFIG_PREFS: Record<keyof ClientConfig, string> = {
  enabled: "enabled",
  serverUrl: "server_url",
  recipeSigner: "recipe_signer",
  collectionSigner: "collection_signer",
  rootHash: "root_hash",
  runIntervalSeconds: "run_interval_seconds",
  fetchTimeoutMs: "fetch_timeout_ms",
  apiUrl: "api_url",
  noticesUrl: "notices_url",
  intakeUrl: "intake_url",
};

/**
 * Reads the configuration from prefs. A pref that is missing, or holds a value of the wrong type, falls
 * back to the default (a wrong type is reported, never silently used).
 */
export async function loadClientConfig(prefs: PrefsApi, warn: (message: string) => void): Promise<ClientConfig> {
  const config: Record<string, PrefValue> = { ...DEFAULTS };
  const keys = Object.keys(CONFIG_PREFS) as (keyof ClientConfig)[];
  // Asked all at once: each read is a round trip to the parent process, and every run reads the configuration.
  const values = await Promise.all(keys.map((key) => prefs.getPref(PREF_BRANCH + CONFIG_PREFS[key], "user")));
  for (const [index, key] of keys.entries()) {
    const name = PREF_BRANCH + CONFIG_PREFS[key];
    const value = values[index]!;
    if (value === null) continue;
    if (typeof value !== typeof DEFAULTS[key]) {
      warn(`Ignoring pref ${name}: expected a ${typeof DEFAULTS[key]}, found ${JSON.stringify(value)}`);
      continue;
    }
    config[key] = value;
  }
  return config as unknown as ClientConfig;
}
