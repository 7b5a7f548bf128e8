import { CONFIG_PREFS, PREF_BRANCH } from "../src/config/ClientConfig.js";
import type { PublicConfig } from "./publicConfig.js";

/** One pref the add-on reads, with the value that points it at this server. */
export interface AddonPref {
  name: string;
  value: string;
}

/**
 * The prefs that point the add-on at this server, named exactly as the add-on reads them
 * (`src/config/ClientConfig.ts`). What the server prints, its page shows and `npm start` sets.
 */
export function addonPrefs(config: PublicConfig): AddonPref[] {
  const values: Partial<Record<keyof typeof CONFIG_PREFS, string>> = {
    serverUrl: config.remoteSettingsUrl,
    rootHash: config.rootHash,
    recipeSigner: config.recipeSigner,
    collectionSigner: config.collectionSigner,
    apiUrl: config.legacyApiUrl,
    noticesUrl: config.noticesUrl,
    intakeUrl: config.intakeUrl,
  };
  return Object.entries(values).map(([key, value]) => ({ name: PREF_BRANCH + CONFIG_PREFS[key as keyof typeof CONFIG_PREFS], value: value! }));
}

/** The same prefs as `user.js` lines, for a profile folder. */
export function userJsLines(prefs: AddonPref[]): string[] {
  return prefs.map(({ name, value }) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`);
}
